"""Embed the shipped evidence-library entries and write whatworks/data/embeddings.npz, so that a
new store loads them without embedding (run after editing whatworks/data/entries.yaml; a test
fails while the shipped vectors are stale)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from prevention_lens.whatworks import embeddings
from prevention_lens.whatworks.library import embedded_text
from prevention_lens.whatworks.packaged import packaged_drafts

TARGET = Path(__file__).parents[1] / "src/prevention_lens/whatworks/data/embeddings.npz"


def main() -> None:
    drafts = packaged_drafts()
    texts = [embedded_text(draft) for draft in drafts]
    vectors = embeddings.embed_passages(texts)
    np.savez_compressed(
        TARGET,
        model=np.array(embeddings.model_name()),
        sha256=np.array([embeddings.text_sha256(text) for text in texts]),
        vectors=vectors.astype(np.float32),
    )
    print(f"{len(texts)} entries embedded with {embeddings.model_name()} into {TARGET}")


if __name__ == "__main__":
    main()
