"""The lexicon in the store through the speech_term policy, on both backends: drafts for staff,
admin review, published terms for everyone, duplicates refused, the cached matcher, export."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.speech import text as speech_text
from prevention_lens.speech.lexicon import (
    MATCHERS,
    add_terms,
    get_term,
    list_terms,
    published_matcher,
    review_term,
    update_term,
)
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.terms import TermDraft
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import AuditEntry, SpeechTerm, SpeechTermSense

ADMIN = Principal(username="adam", role=Role.ADMIN, user_id=1)
ANALYST = Principal(username="ana", role=Role.ANALYST, user_id=2)
CONTRIBUTOR = Principal(username="cora", role=Role.CONTRIBUTOR, user_id=3)


@pytest.fixture(autouse=True, scope="module")
def _zawgyi_detector() -> None:
    # myanmartools 1.2 opens its model with a deprecated importlib call when first loaded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        speech_text._detector()


def _kalar(**changes: Any) -> TermDraft:
    values: dict[str, Any] = {
        "term": "ကုလား",
        "language": "my",
        "script_variants": ("kalar",),
        "senses": (
            TermSense("hateful", "a slur for Muslims"),
            TermSense("neutral", "chair", phrases=("ကုလားထိုင်", "kalar htaing")),
        ),
        "countries": ("Burma",),
        "targeted_groups": ("religion",),
        "why_inflames": "Nationalists use it against Muslims.",
        "source_url": "https://www.irrawaddy.com/news/burma/facebook-ban-of-racial-slur-sparks-debate-in-burma.html",
    }
    values.update(changes)
    return TermDraft(**values)


def _spots(**changes: Any) -> TermDraft:
    values: dict[str, Any] = {
        "term": "madoadoa",
        "language": "sw",
        "senses": (TermSense("hateful", "outsiders"), TermSense("neutral", "spots")),
        "countries": ("Kenya",),
        "severity": 3,
    }
    values.update(changes)
    return TermDraft(**values)


def _count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(SpeechTerm.id))) or 0)


@pytest.fixture
def lexicon(store: Store) -> Iterator[tuple[Store, int, int]]:
    """A store with one published term (kalar) and one draft (madoadoa)."""
    with store.session() as session:
        (kalar,) = add_terms(session, ADMIN, [_kalar()], origin="manual", status="published")
        (spots,) = add_terms(session, ANALYST, [_spots()], origin="manual")
    yield store, kalar.id, spots.id


def test_a_term_is_stored_with_its_senses_countries_and_who_added_it(store: Store) -> None:
    with store.session() as session:
        (record,) = add_terms(session, ANALYST, [_kalar()], origin="manual")
        assert record.status == "draft"
        assert record.countries == ("MMR",)
        assert record.normalized == "ကုလား"
        assert record.created_by == "ana"
        assert [sense.kind for sense in record.senses] == ["hateful", "neutral"]
        assert record.senses[1].phrases == ("ကုလားထိုင်", "kalar htaing")
    with store.session() as session:
        row = session.get(SpeechTerm, record.id)
        assert row is not None
        assert [(sense.position, sense.kind) for sense in row.senses] == [
            (0, "hateful"),
            (1, "neutral"),
        ]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.resource == "speech_term")
        ).all()
        assert actions == ["create"]


def test_drafts_are_for_analysts_and_published_terms_for_everyone(
    lexicon: tuple[Store, int, int],
) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        for reader in (ANONYMOUS, CONTRIBUTOR):
            assert [record.id for record in list_terms(session, reader)] == [kalar]
            assert list_terms(session, reader, status="draft") == []
            with pytest.raises(NotFoundError):
                get_term(session, reader, spots)
            public = get_term(session, reader, kalar)
            # Who created and reviewed a term, and its import, are for staff.
            assert (public.created_by, public.reviewed_by, public.import_id) == (None, None, None)
            assert public.reviewed_at is not None
        staff = list_terms(session, ANALYST)
        assert {record.id for record in staff} == {kalar, spots}
        assert get_term(session, ANALYST, kalar).reviewed_by == "adam"
        assert [record.id for record in list_terms(session, ANALYST, status="draft")] == [spots]


def test_who_may_propose_publish_and_review(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(AuthenticationError):
            add_terms(session, ANONYMOUS, [_kalar()], origin="manual")
        with pytest.raises(PermissionDeniedError):
            add_terms(session, ANALYST, [_kalar()], origin="manual", status="published")
        (proposed,) = add_terms(session, CONTRIBUTOR, [_kalar()], origin="manual")
        # The contributor sees what they proposed, though not who else may see it.
        assert (proposed.status, proposed.created_by) == ("draft", None)
        with pytest.raises(PermissionDeniedError):
            review_term(session, ANALYST, proposed.id, "publish")
        with pytest.raises(ValidationError, match="draft or published"):
            add_terms(session, ADMIN, [_spots()], origin="manual", status="rejected")


def test_review_publishes_or_rejects_and_keeps_the_reviewer(
    lexicon: tuple[Store, int, int],
) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        published = review_term(session, ADMIN, spots, "publish", note="checked the sources")
        assert (published.status, published.reviewed_by) == ("published", "adam")
        assert {record.id for record in list_terms(session, ANONYMOUS)} == {kalar, spots}
        rejected = review_term(session, ADMIN, kalar, "reject")
        assert rejected.status == "rejected"
        assert [record.id for record in list_terms(session, ANONYMOUS)] == [spots]
        with pytest.raises(ValidationError, match="unknown decision"):
            review_term(session, ADMIN, spots, "approve")
        with pytest.raises(NotFoundError):
            review_term(session, ADMIN, 9999, "publish")
        notes = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "publish")
        ).all()
        assert notes[0]["note"] == "checked the sources"


def test_a_term_given_twice_or_already_stored_in_its_language_is_refused(store: Store) -> None:
    with store.session() as session, pytest.raises(ValidationError, match="given twice"):
        add_terms(session, ANALYST, [_spots(), _spots(term="MADOADOA")], origin="manual")
    assert _count(store) == 0
    with store.session() as session:
        add_terms(session, ANALYST, [_spots()], origin="manual")
    with store.session() as session:
        with pytest.raises(ValidationError, match="already in the lexicon in sw") as caught:
            add_terms(session, ANALYST, [_kalar(), _spots(term=" Madoadoa ")], origin="manual")
        assert caught.value.entry == "Madoadoa"
    assert _count(store) == 1
    # The same word in another language is another term.
    with store.session() as session:
        add_terms(session, ANALYST, [_spots(language="rw")], origin="manual")
    assert _count(store) == 2


def test_an_unknown_country_names_the_term_and_writes_nothing(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(ValidationError) as caught:
            add_terms(
                session,
                ANALYST,
                [_kalar(), _spots(countries=("Kenia",))],
                origin="manual",
                file="terms.csv",
            )
        error = caught.value
        assert (error.field, error.entry, error.file) == ("countries", "madoadoa", "terms.csv")
        assert "Kenia" in error.problem and "Kenya" in error.problem
    assert _count(store) == 0


def test_lists_filter_by_language_country_status_and_query(lexicon: tuple[Store, int, int]) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        assert [r.id for r in list_terms(session, ANALYST, language="SW")] == [spots]
        assert [r.id for r in list_terms(session, ANALYST, country="Myanmar")] == [kalar]
        assert [r.id for r in list_terms(session, ANALYST, country="KEN")] == [spots]
        assert [r.id for r in list_terms(session, ANALYST, query="CHAIR")] == [kalar]
        assert [r.id for r in list_terms(session, ANALYST, query="kalar htaing")] == [kalar]
        assert list_terms(session, ANONYMOUS, query="outsiders") == []
        with pytest.raises(ValidationError, match="unknown status"):
            list_terms(session, ANALYST, status="pending")


def test_the_published_matcher_is_built_once_per_version_of_the_lexicon(
    lexicon: tuple[Store, int, int],
) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        matcher = published_matcher(session)
        builds = MATCHERS.builds
        assert published_matcher(session) is matcher
        assert MATCHERS.builds == builds
        assert [hit.term for hit in matcher.find("kalar and madoadoa")] == ["ကုလား"]
        (chair,) = matcher.find("a kalar htaing")
        assert (chair.term_id, chair.sense) == (kalar, "neutral")
        review_term(session, ADMIN, spots, "publish")
        rebuilt = published_matcher(session)
        assert rebuilt is not matcher
        assert [hit.term for hit in rebuilt.find("kalar and madoadoa")] == ["ကုလား", "madoadoa"]
        # Scoped to its country: a post from Kenya is not searched for a Myanmar term.
        assert [hit.term for hit in rebuilt.find("kalar madoadoa", country="KEN")] == ["madoadoa"]


def test_the_matcher_sees_terms_another_process_published(lexicon: tuple[Store, int, int]) -> None:
    store, _, spots = lexicon
    with store.session() as session:
        before = published_matcher(session)
        # Another process (a second web worker) publishes: no call here bumped the generation.
        row = session.get(SpeechTerm, spots)
        assert row is not None
        row.status = "published"
        session.flush()
        assert published_matcher(session) is not before


def test_a_failed_batch_leaves_no_senses_behind(store: Store) -> None:
    with store.session() as session:
        add_terms(session, ANALYST, [_spots()], origin="manual")
    with store.session() as session, pytest.raises(ValidationError):
        add_terms(session, ANALYST, [_kalar(), _spots()], origin="manual")
    with store.session() as session:
        assert session.scalar(select(func.count(SpeechTermSense.id))) == 2


def _edited(record: Any, **changes: Any) -> TermDraft:
    """The stored term with some fields changed, as an editor would give it."""
    return TermDraft.from_mapping({**record.draft_values(), **changes})


def test_an_admin_edits_a_published_term_and_monitoring_matches_the_new_content(
    lexicon: tuple[Store, int, int],
) -> None:
    store, kalar, _ = lexicon
    with store.session() as session:
        before = published_matcher(session)
        assert [hit.sense for hit in before.find("a kalar pae stall")] == ["unclear"]
        current = get_term(session, ADMIN, kalar)
        senses = [
            *current.draft_values()["senses"],
            {"kind": "neutral", "meaning": "split pea", "phrases": ["kalar pae"]},
        ]
        edited = update_term(
            session,
            ADMIN,
            kalar,
            _edited(current, senses=senses, last_seen="2026-11-30", severity=3),
            note="split pea seen in market posts",
        )
        assert (edited.status, edited.severity, str(edited.last_seen)) == (
            "published",
            3,
            "2026-11-30",
        )
        assert edited.reviewed_by == "adam"
        # The new neutral sense counts at once: "split pea" is no longer read as the slur.
        (hit,) = published_matcher(session).find("a kalar pae stall")
        assert (hit.term_id, hit.sense) == (kalar, "neutral")
        (entry,) = session.scalars(
            select(AuditEntry).where(
                AuditEntry.resource == "speech_term", AuditEntry.action == "update"
            )
        ).all()
        assert entry.detail["fields"] == ["last_seen", "senses", "severity"]
        assert entry.detail["note"] == "split pea seen in market posts"
        assert session.scalar(select(func.count(SpeechTermSense.id))) == 3 + 2


def test_who_may_edit_a_term(lexicon: tuple[Store, int, int]) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        published = get_term(session, ADMIN, kalar)
        draft = get_term(session, ADMIN, spots)
        # Analysts edit drafts; a published term needs an admin.
        assert update_term(session, ANALYST, spots, _edited(draft, severity=2)).severity == 2
        with pytest.raises(PermissionDeniedError):
            update_term(session, ANALYST, kalar, _edited(published, severity=1))
        with pytest.raises(PermissionDeniedError):
            update_term(session, CONTRIBUTOR, spots, _edited(draft, severity=1))
        with pytest.raises(AuthenticationError):
            update_term(session, ANONYMOUS, kalar, _edited(published, severity=1))
        with pytest.raises(NotFoundError):
            update_term(session, ADMIN, 999_999, _edited(draft))
        assert get_term(session, ADMIN, kalar).severity == published.severity


def test_an_edit_that_would_duplicate_a_term_or_names_an_unknown_country_changes_nothing(
    lexicon: tuple[Store, int, int],
) -> None:
    store, kalar, spots = lexicon
    with store.session() as session:
        draft = get_term(session, ADMIN, spots)
        kalar_record = get_term(session, ADMIN, kalar)
        with pytest.raises(
            ValidationError, match=f"already in the lexicon in my \\(term {kalar}\\)"
        ):
            update_term(
                session,
                ADMIN,
                spots,
                _edited(
                    draft, term="ကုလား", language="my", senses=[{"kind": "hateful", "meaning": "x"}]
                ),
            )
        with pytest.raises(ValidationError, match="Atlantis") as raised:
            update_term(session, ADMIN, spots, _edited(draft, countries=["Atlantis"]))
        assert raised.value.entry == "madoadoa"
        # The term itself, written again, is no duplicate of itself.
        kept = update_term(session, ADMIN, kalar, _edited(kalar_record, term=" ကုလား ", severity=3))
        assert (kept.term, kept.severity) == ("ကုလား", 3)
    with store.session() as session:
        assert get_term(session, ADMIN, spots).countries == ("KEN",)
        assert get_term(session, ADMIN, spots).language == "sw"


def test_an_edit_that_changes_nothing_is_not_recorded(lexicon: tuple[Store, int, int]) -> None:
    store, kalar, _ = lexicon
    with store.session() as session:
        record = get_term(session, ADMIN, kalar)
        again = update_term(session, ADMIN, kalar, _edited(record))
        assert again.reviewed_at == record.reviewed_at
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.resource == "speech_term")
        ).all()
        assert "update" not in actions


def test_a_query_finds_a_term_however_its_words_are_joined(
    lexicon: tuple[Store, int, int],
) -> None:
    # Terms are compared with hyphens, underscores and spaces alike ("Kalar-Htaing" is
    # "kalar htaing"); the search reads its words the same way, in either direction.
    store, kalar, _ = lexicon
    with store.session() as session:
        for query in ("Kalar-Htaing", "KALAR_HTAING", "kalar  htaing"):
            assert [r.id for r in list_terms(session, ANALYST, query=query)] == [kalar], query
        spotted = TermSense("neutral", "spots", phrases=("doa-doa",))
        add_terms(
            session,
            ADMIN,
            [_spots(term="doa", senses=(TermSense("hateful", "outsiders"), spotted))],
            origin="manual",
        )
        found = list_terms(session, ANALYST, query="doa doa")  # a phrase written with a hyphen
        assert [r.term for r in found] == ["doa"]
        assert list_terms(session, ANALYST, query="--") == []  # not every term
