"""The embedding cache: a text is embedded once, ever, and read back in the order asked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from prevention_lens.embedding import DIMENSIONS
from prevention_lens.speech import embedding_cache
from prevention_lens.speech.embedding_cache import EmbeddingCache


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replaces the model with a cheap deterministic one and records what it was asked."""
    asked: list[str] = []

    def fake_embed(texts: Sequence[str], batch: int = 32) -> np.ndarray:
        asked.extend(texts)
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            rows[row, len(text) % DIMENSIONS] = 1.0
        return rows

    monkeypatch.setattr(embedding_cache, "embed_queries", fake_embed)
    return asked


def test_texts_are_embedded_once_across_runs(tmp_path: Path, embedded: list[str]) -> None:
    path = tmp_path / "cache.npz"
    first = EmbeddingCache(path).vectors(["a", "bb", "a"])
    assert embedded == ["a", "bb"]
    again = EmbeddingCache(path).vectors(["bb", "ccc", "a"])
    assert embedded == ["a", "bb", "ccc"]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    assert again[1, 3] == 1.0


def test_a_key_ending_in_a_zero_byte_is_found_again(tmp_path: Path, embedded: list[str]) -> None:
    # sha256("post 85")[:16] ends in 0x00, which NumPy's fixed-width bytes drop when read back:
    # such texts (one in 256) were embedded again on every run.
    path = tmp_path / "cache.npz"
    EmbeddingCache(path).vectors(["post 85"])
    reopened = EmbeddingCache(path)
    reopened.vectors(["post 85"])
    assert embedded == ["post 85"]
    assert len(reopened) == 1
