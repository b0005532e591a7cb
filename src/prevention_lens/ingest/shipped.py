"""The content that ships inside the package and every store holds: the evidence library's
verified entries and the sector lexicon. ``lens db upgrade`` and ``lens serve`` load it, so a
new store shows both from its first page; a newer package updates them in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from prevention_lens.lexicon.records import ShippedLoad, load_shipped
from prevention_lens.store import Store
from prevention_lens.whatworks.packaged import PackagedLoad, load_packaged


@dataclass(frozen=True)
class ShippedContent:
    library: PackagedLoad
    lexicon: ShippedLoad


def load_shipped_content(store: Store) -> ShippedContent:
    """Load (or bring up to date) the shipped entries and lexicon, each in its own unit of work."""
    with store.session() as session:
        library = load_packaged(session)
    with store.session() as session:
        lexicon = load_shipped(session)
    return ShippedContent(library=library, lexicon=lexicon)
