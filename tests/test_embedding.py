"""The shared embedding model: unit vectors of a fixed size, the same text the same vector,
and posts (queries) and passages embedded with their own prefixes."""

from __future__ import annotations

import numpy as np

from prevention_lens.embedding import (
    DIMENSIONS,
    embed_passages,
    embed_queries,
    embed_query,
    from_bytes,
    to_bytes,
)


def test_queries_are_unit_vectors_one_row_per_text_in_order() -> None:
    texts = ["peace talks resumed", "les pourparlers de paix ont repris", "peace talks resumed"]
    vectors = embed_queries(texts, batch=2)
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.allclose(vectors[0], vectors[2])
    assert np.allclose(embed_query(texts[1]), vectors[1], atol=1e-6)
    # A translation lands closer than an unrelated sentence.
    other = embed_query("the recipe needs two eggs")
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ other)


def test_passages_and_queries_differ_and_nothing_in_gives_nothing_out() -> None:
    passage = embed_passages(["peace talks resumed"])[0]
    assert not np.allclose(passage, embed_query("peace talks resumed"))
    assert embed_queries([]).shape == (0, DIMENSIONS)
    assert embed_passages([]).shape == (0, DIMENSIONS)


def test_a_vector_survives_its_byte_form() -> None:
    vector = embed_query("early warning")
    assert np.array_equal(from_bytes(to_bytes(vector)), vector)
