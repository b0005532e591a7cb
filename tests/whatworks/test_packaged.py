"""The entries that ship with the package: real, verified, complete, embedded, and loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import LibraryEntry
from prevention_lens.whatworks import embeddings
from prevention_lens.whatworks.entries import EntryDraft, publication_problems
from prevention_lens.whatworks.library import add_entries, embedded_text
from prevention_lens.whatworks.packaged import _shipped_vectors, load_packaged, packaged_drafts

REPORT_KEYS_PREFIX = "wilton-park-2019-"


def test_at_least_eighty_published_works_ship_each_with_where_it_was_verified() -> None:
    drafts = packaged_drafts()
    works = [draft for draft in drafts if not str(draft.key).startswith(REPORT_KEYS_PREFIX)]
    assert len(works) >= 80
    for draft in works:
        assert draft.verified_at, f"{draft.key} names no record where it was verified"
        assert draft.doi or draft.url, f"{draft.key} has neither DOI nor URL"
    report = [draft for draft in drafts if str(draft.key).startswith(REPORT_KEYS_PREFIX)]
    assert len(report) >= 4
    assert all("Wilton Park" in draft.venue for draft in report)


def test_every_shipped_entry_is_complete_enough_to_publish() -> None:
    for draft in packaged_drafts():
        assert publication_problems(draft) == [], draft.key


def test_keys_and_dois_are_unique() -> None:
    drafts = packaged_drafts()
    keys = [draft.key for draft in drafts]
    dois = [draft.doi for draft in drafts if draft.doi]
    assert len(set(keys)) == len(keys)
    assert len(set(dois)) == len(dois)


def test_summaries_are_our_own_length_not_pasted_abstracts() -> None:
    for draft in packaged_drafts():
        words = len(draft.summary.split())
        assert 40 <= words <= 130, f"{draft.key}: {words} words"


def test_shipped_vectors_match_the_shipped_texts() -> None:
    shipped = _shipped_vectors()
    stale = [
        draft.key
        for draft in packaged_drafts()
        if embeddings.text_sha256(embedded_text(draft)) not in shipped
    ]
    assert stale == [], "run `python scripts/embed_library.py` after editing entries.yaml"


def test_loading_twice_creates_once_and_leaves_users_entries_alone(store: Store) -> None:
    with store.session() as session:
        add_entries(
            session,
            LOCAL_OPERATOR,
            [
                EntryDraft(
                    title="Our own note", authors=("Desk, Analyst",), year=2024, key="own-note"
                )
            ],
        )
    with store.session() as session:
        first = load_packaged(session)
    with store.session() as session:
        second = load_packaged(session)
        assert first.created == len(packaged_drafts())
        assert (second.created, second.updated) == (0, 0)
        assert second.unchanged == first.created
        published = session.scalar(
            select(func.count()).select_from(LibraryEntry).where(LibraryEntry.status == "published")
        )
        own = session.scalar(select(LibraryEntry).where(LibraryEntry.key == "own-note"))
        assert published == first.created
        assert own is not None and own.status == "draft" and own.origin == "manual"
        rows = session.scalars(select(LibraryEntry).where(LibraryEntry.origin == "packaged"))
        assert all(row.embedding is not None for row in rows)
