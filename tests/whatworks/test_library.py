"""Adding, editing, reviewing and reading entries through the access policy, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import AuditEntry, LibraryEntry
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.library import (
    EntryFilter,
    add_entries,
    draft_of,
    get_entry,
    list_entries,
    review_entry,
    update_entry,
)

ANALYST = Principal(username="ana", role=Role.ANALYST, user_id=2)
CONTRIBUTOR = Principal(username="cora", role=Role.CONTRIBUTOR, user_id=3)
ADMIN = Principal(username="adam", role=Role.ADMIN, user_id=1)


def _draft(key: str = "desk-2024-village-dialogues", **changes: object) -> EntryDraft:
    values: dict[str, object] = {
        "title": "Village dialogues in the Sahel",
        "authors": ("Desk, Analyst",),
        "year": 2024,
        "key": key,
        "doi": "10.9999/sahel.2024.1",
        "kind": "impact_evaluation",
        "design": "randomised",
        "strength": 5,
        "summary": "Dialogue sessions between herders and farmers, randomised across villages.",
        "interventions": ("dialogue_mediation",),
        "outcomes": ("communal_violence",),
        "countries": ("Mali", "BFA"),
        "effect": "positive",
    }
    values.update(changes)
    return EntryDraft(**values)  # type: ignore[arg-type]


def _count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(LibraryEntry)) or 0)


def test_an_added_entry_is_a_draft_with_countries_resolved_and_an_embedding(store: Store) -> None:
    with store.session() as session:
        (row,) = add_entries(session, ANALYST, [_draft()])
        assert row.status == "draft"
        assert row.countries == ["MLI", "BFA"]
        assert row.regions == ["Africa"]
        assert row.embedding is not None and len(row.embedding) == 384 * 4
        assert "Dialogue and mediation" in row.search_text


def test_drafts_are_hidden_below_the_analyst_role(store: Store) -> None:
    with store.session() as session:
        add_entries(session, ANALYST, [_draft()])
    with store.session() as session:
        for reader in (ANONYMOUS, CONTRIBUTOR):
            assert list_entries(session, reader) == []
            with pytest.raises(NotFoundError):
                get_entry(session, reader, "desk-2024-village-dialogues")
        entry = get_entry(session, ANALYST, "desk-2024-village-dialogues")
        assert entry.created_by == "ana"
        assert entry.status == "draft"


def test_staff_fields_never_reach_the_public(store: Store) -> None:
    with store.session() as session:
        add_entries(session, ANALYST, [_draft()])
        review_entry(session, ADMIN, "desk-2024-village-dialogues", "publish", note="checked")
    with store.session() as session:
        public = get_entry(session, ANONYMOUS, "desk-2024-village-dialogues")
        assert public.status == "published"
        assert (public.created_by, public.reviewed_by, public.review_note) == (None, None, None)
        shown = public.to_dict()
        assert "created_by" not in shown and "review_note" not in shown
        assert "ana" not in repr(shown) and "adam" not in repr(shown)


def test_only_admins_publish_and_only_complete_entries(store: Store) -> None:
    with store.session() as session:
        add_entries(session, ANALYST, [_draft(), _draft("bare-2020-x", doi=None, kind=None)])
    with store.session() as session, pytest.raises(PermissionDeniedError):
        review_entry(session, ANALYST, "desk-2024-village-dialogues", "publish")
    with store.session() as session, pytest.raises(ConflictError, match="its kind"):
        review_entry(session, ADMIN, "bare-2020-x", "publish")
    with store.session() as session:
        review_entry(session, ADMIN, "desk-2024-village-dialogues", "publish")
        decisions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.resource == "library_entry")
        ).all()
        assert "publish" in decisions


def test_contributors_and_anonymous_cannot_add(store: Store) -> None:
    with store.session() as session, pytest.raises(PermissionDeniedError):
        add_entries(session, CONTRIBUTOR, [_draft()])
    with store.session() as session, pytest.raises(AuthenticationError):
        add_entries(session, ANONYMOUS, [_draft()])


@pytest.mark.parametrize(
    ("drafts", "field", "words"),
    [
        ([_draft(), _draft("other-key")], "doi", "also given for entry"),
        ([_draft(countries=("Atlantis",))], "countries", "unknown country 'Atlantis'"),
        ([_draft(), _draft("x-2024-y", doi=None)], None, None),
    ],
)
def test_an_import_is_all_or_nothing(
    store: Store, drafts: list[EntryDraft], field: str | None, words: str | None
) -> None:
    before = _count(store)
    if field is None:
        with store.session() as session:
            add_entries(session, ANALYST, drafts, file="ok.csv")
        assert _count(store) == before + len(drafts)
        return
    with pytest.raises(ValidationError) as raised, store.session() as session:
        add_entries(session, ANALYST, drafts, file="refs.bib")
    assert raised.value.field == field
    assert "refs.bib" in str(raised.value) and str(words) in str(raised.value)
    assert _count(store) == before


def test_a_doi_already_stored_is_refused_naming_the_stored_entry(store: Store) -> None:
    with store.session() as session:
        add_entries(session, ANALYST, [_draft()])
    with (
        pytest.raises(ValidationError, match="already in the library as entry"),
        store.session() as session,
    ):
        add_entries(
            session, ANALYST, [_draft("again-2024", doi="https://doi.org/10.9999/SAHEL.2024.1")]
        )


def test_editing_a_published_entry_sends_it_back_to_review_and_reembeds(store: Store) -> None:
    with store.session() as session:
        (row,) = add_entries(session, ANALYST, [_draft()])
        review_entry(session, ADMIN, row.id, "publish")
        before = row.embedding
    with store.session() as session:
        entry = get_entry(session, ANALYST, "desk-2024-village-dialogues")
        changed = draft_of(entry)
        changed = EntryDraft(**{**changed.__dict__, "summary": "A new summary about radio."})
        row = update_entry(session, ANALYST, entry.id, changed)
        assert row.status == "draft"
        assert row.embedding != before


def test_filters_cover_every_field(library: Store) -> None:
    with library.session() as session:
        everything = list_entries(session, ANONYMOUS)
        harms = list_entries(session, ANONYMOUS, EntryFilter(harm_only=True))
        africa_media = list_entries(
            session,
            ANONYMOUS,
            EntryFilter(region="Africa", intervention="media_development", min_strength=3),
        )
    assert len(everything) >= 80
    assert harms and all(entry.harm for entry in harms)
    assert africa_media
    assert all(
        "Africa" in entry.regions
        and "media_development" in entry.interventions
        and (entry.strength or 0) >= 3
        for entry in africa_media
    )
