"""The content that ships inside the package and every store holds: the evidence library's
verified entries, the sector lexicon and the verified hate-speech terms. ``lens db upgrade`` and
``lens serve`` load it, so a new store shows them from its first page; a newer package updates
them in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from prevention_lens.lexicon.records import ShippedLoad, load_shipped
from prevention_lens.speech.shipped_terms import load_shipped_terms
from prevention_lens.store import Store
from prevention_lens.whatworks.packaged import PackagedLoad, load_packaged


@dataclass(frozen=True)
class ShippedContent:
    library: PackagedLoad
    lexicon: ShippedLoad
    # (added, updated, unchanged)
    speech_terms: tuple[int, int, int]


def load_shipped_content(store: Store) -> ShippedContent:
    """Load (or bring up to date) the shipped entries, lexicon and speech terms, each in its own
    unit of work."""
    with store.session() as session:
        library = load_packaged(session)
    with store.session() as session:
        lexicon = load_shipped(session)
    with store.session() as session:
        speech_terms = load_shipped_terms(session)
    return ShippedContent(library=library, lexicon=lexicon, speech_terms=speech_terms)
