"""Embeddings of training and evaluation texts, kept on disk so that retraining or evaluating
the speech classifier never embeds the same text twice (embedding 25,000 tweets takes ~8 minutes
on 2 cores; reading them back, under a second).

One file per embedding model in ``LENS_HOME/cache/speech/``, keyed by the SHA-256 of each
normalised text, so a changed normaliser or dataset only embeds the texts that changed.

Public API::

    default_cache_path(settings=None) -> Path
    EmbeddingCache(path).vectors(texts, progress=None) -> (n, 384) float32
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prevention_lens.embedding import DIMENSIONS, embed_queries, model_name
from prevention_lens.settings import Settings, get_settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

# Texts embedded between two saves: an interrupted run keeps what it had done.
SAVE_EVERY = 2048


def default_cache_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    slug = re.sub(r"[^a-z0-9.]+", "-", model_name().lower()).strip("-")
    return settings.home / "cache" / "speech" / f"{slug}.npz"


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:16]


class EmbeddingCache:
    """Vectors of texts by content; missing ones are embedded and written back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: dict[bytes, int] = {}
        self._rows: list[Vectors] = []
        self._load()

    def _load(self) -> None:
        import numpy as np

        if not self.path.exists():
            return
        with np.load(self.path) as stored:
            keys = stored["keys"]
            vectors = np.asarray(stored["vectors"], dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != DIMENSIONS or len(keys) != len(vectors):
            return  # a cache from another model or a broken write: start again
        # NumPy's fixed-width bytes drop trailing zero bytes on the way out (one key in 256
        # ends in one), so every key is padded back to its 16 bytes.
        index = {bytes(key).ljust(16, b"\x00"): row for row, key in enumerate(keys)}
        if len(index) != len(vectors):
            return  # a key twice (a cache written before the padding fix): rows may not line up
        self._index = index
        self._rows = [vectors]

    def __len__(self) -> int:
        return len(self._index)

    def _matrix(self) -> Vectors:
        import numpy as np

        if not self._rows:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if len(self._rows) > 1:
            self._rows = [np.vstack(self._rows)]
        return self._rows[0]

    def _save(self) -> None:
        import numpy as np

        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._index, key=self._index.__getitem__), dtype="S16")
        # One temporary file per process, so two runs writing at once never mix their rows.
        partial = self.path.with_suffix(f".{os.getpid()}.partial.npz")
        np.savez(partial, keys=keys, vectors=self._matrix())
        partial.replace(self.path)

    def vectors(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> Vectors:
        """One unit-length row per text, in order; texts not yet cached are embedded first."""
        import numpy as np

        keys = [_key(text) for text in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._index and key not in missing:
                missing[key] = text
        todo = list(missing.items())
        for start in range(0, len(todo), SAVE_EVERY):
            chunk = todo[start : start + SAVE_EVERY]
            embedded = embed_queries([text for _, text in chunk])
            # Rows are numbered by position in the matrix, never by how many keys are known.
            first = sum(len(rows) for rows in self._rows)
            for offset, (key, _) in enumerate(chunk):
                self._index[key] = first + offset
            self._rows.append(embedded)
            self._save()
            if progress is not None:
                progress(min(start + SAVE_EVERY, len(todo)), len(todo))
        matrix = self._matrix()
        return np.asarray(matrix[[self._index[key] for key in keys]], dtype=np.float32)
