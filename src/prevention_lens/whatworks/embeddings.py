"""Text embeddings for the evidence library: the shared multilingual-e5-small model
(``prevention_lens.embedding``). Passages are embedded once, when an entry's text changes, and
stored; a query is embedded once per search (about 10–30 ms).
"""

from __future__ import annotations

from prevention_lens.embedding import (
    DIMENSIONS,
    embed_passages,
    embed_query,
    from_bytes,
    model_name,
    text_sha256,
    to_bytes,
)

__all__ = [
    "DIMENSIONS",
    "embed_passages",
    "embed_query",
    "from_bytes",
    "model_name",
    "text_sha256",
    "to_bytes",
]
