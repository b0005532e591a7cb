"""The shipped terms: each checked against a record it names, loaded as published and idempotent,
updated in place, never over a term another origin holds; and the kalar case on the real entry."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import select

from prevention_lens.speech import text as speech_text
from prevention_lens.speech.lexicon import (
    EDITED_ORIGIN,
    add_terms,
    get_term,
    list_terms,
    published_matcher,
    review_term,
    update_term,
)
from prevention_lens.speech.posts import import_posts, list_posts
from prevention_lens.speech.shipped_terms import (
    LICENCE,
    ORIGIN,
    PACKAGE_USER,
    load_shipped_terms,
    shipped_drafts,
)
from prevention_lens.speech.terms import TermDraft
from prevention_lens.speech.text import zawgyi_probability
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import SpeechTerm
from tests.speech.keyword_scorer import KeywordScorer
from tests.speech.keyword_scorer import draft as post

ADMIN = Principal(username="adam", role=Role.ADMIN, user_id=1)


@pytest.fixture(autouse=True, scope="module")
def _zawgyi_detector() -> None:
    # myanmartools 1.2 opens its model with a deprecated importlib call when first loaded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        speech_text._detector()


def test_every_shipped_term_names_the_record_it_was_checked_against() -> None:
    drafts = shipped_drafts()
    assert 5 <= len(drafts) <= 20
    for draft in drafts:
        assert draft.source_url.startswith("https://")
        assert draft.notes.startswith("Checked against:")
        assert draft.why_inflames
        assert draft.countries
        assert not draft.example
        assert any(sense.kind == "hateful" and sense.meaning for sense in draft.senses)
    assert {draft.term for draft in drafts} >= {"ကုလား", "inyenzi", "madoadoa"}


def test_the_burmese_entry_is_in_unicode_with_its_neutral_compounds() -> None:
    (kalar,) = [draft for draft in shipped_drafts() if draft.language == "my"]
    phrases = {phrase for sense in kalar.senses for phrase in sense.phrases}
    assert {"ကုလားထိုင်", "ကုလားပဲ", "ကုလားအုတ်", "kalar htaing", "kalar pae"} <= phrases
    for phrase in phrases:
        assert zawgyi_probability(phrase) < 0.95


def test_loading_publishes_the_terms_and_a_second_load_changes_nothing(store: Store) -> None:
    with store.session() as session:
        added, updated, unchanged = load_shipped_terms(session)
    assert (added, updated, unchanged) == (len(shipped_drafts()), 0, 0)
    with store.session() as session:
        assert load_shipped_terms(session) == (0, 0, len(shipped_drafts()))
        public = list_terms(session, ANONYMOUS)
        assert len(public) == len(shipped_drafts())
        assert {(record.status, record.origin, record.licence) for record in public} == {
            ("published", ORIGIN, LICENCE)
        }
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "inyenzi"))
        assert row is not None
        assert (row.created_by, row.reviewed_by, row.countries) == (
            PACKAGE_USER,
            PACKAGE_USER,
            ["RWA"],
        )


def test_a_changed_shipped_term_is_updated_and_an_admins_rejection_kept(store: Store) -> None:
    with store.session() as session:
        load_shipped_terms(session)
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "madoadoa"))
        assert row is not None
        review_term(session, ADMIN, row.id, "reject")
        row.why_inflames = "an older wording"
        row.senses[0].phrases = []
        reviewed_at = row.reviewed_at
    with store.session() as session:
        assert load_shipped_terms(session) == (0, 1, len(shipped_drafts()) - 1)
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "madoadoa"))
        assert row is not None
        assert row.why_inflames.startswith("Used since the 1991-92 clashes")
        assert row.senses[0].phrases == ["kuondoa madoadoa"]
        assert row.status == "rejected"
        assert row.reviewed_at is not None and reviewed_at is not None
        assert row.reviewed_at >= reviewed_at


def test_a_term_someone_else_added_is_left_alone(store: Store) -> None:
    own = TermDraft.from_mapping(
        {
            "term": "Inyenzi",
            "language": "rw",
            "senses": [{"kind": "hateful", "meaning": "our own wording"}],
        }
    )
    with store.session() as session:
        add_terms(session, ADMIN, [own], origin="manual")
    with store.session() as session:
        added, updated, unchanged = load_shipped_terms(session)
        assert (added, updated, unchanged) == (len(shipped_drafts()) - 1, 0, 1)
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "inyenzi"))
        assert row is not None
        assert (row.origin, row.status, row.senses[0].meaning) == (
            "manual",
            "draft",
            "our own wording",
        )


def test_a_shipped_term_an_admin_edited_is_kept_by_later_loads(store: Store) -> None:
    with store.session() as session:
        load_shipped_terms(session)
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "madoadoa"))
        assert row is not None
        record = get_term(session, ADMIN, row.id)
        local = {**record.draft_values(), "why_inflames": "Our monitors' wording.", "licence": ""}
        edited = update_term(session, ADMIN, row.id, TermDraft.from_mapping(local))
        assert (edited.origin, edited.licence) == (EDITED_ORIGIN, LICENCE)
    with store.session() as session:
        assert load_shipped_terms(session) == (0, 0, len(shipped_drafts()))
        row = session.scalar(select(SpeechTerm).where(SpeechTerm.normalized == "madoadoa"))
        assert row is not None
        assert (row.origin, row.why_inflames) == (EDITED_ORIGIN, "Our monitors' wording.")


def test_posts_stored_before_the_shipped_terms_are_matched_against_them(store: Store) -> None:
    posts = [
        post("ke", "hawa mende lazima waondoke", country="Kenya"),
        post("sl", "The Mende people held a festival", country="Sierra Leone"),
    ]
    with store.session() as session:
        import_posts(session, ADMIN, posts, dataset="watch", scorer=KeywordScorer())
        load_shipped_terms(session)
        hits = {
            record.external_id: [hit["term"] for hit in record.lexicon_hits]
            for record in list_posts(session, ADMIN)
        }
    assert hits == {"ke": ["mende"], "sl": []}


def test_the_shipped_lexicon_tells_a_chair_from_the_slur(store: Store) -> None:
    with store.session() as session:
        load_shipped_terms(session)
        matcher = published_matcher(session)
    chair, pea, camel = (matcher.find(text)[0] for text in ("ကုလားထိုင်", "kalar pae", "ကုလားအုတ်"))
    assert [(hit.meaning, hit.counts) for hit in (chair, pea, camel)] == [
        ("chair", False),
        ("split pea; kalar pal hin is a bean soup", False),
        ("camel", False),
    ]
    (slur,) = matcher.find("ကုလားတွေ")
    assert (slur.sense, slur.counts) == ("unclear", True)
    (reported,) = matcher.find("They called us kalar.")
    assert reported.use == "mention"
    (cue,) = matcher.find("You must remove all madoadoa here.", country="KEN")
    assert cue.sense == "hateful"
    # "mende" is a cockroach in Kenya's lexicon, and a people in Sierra Leone.
    assert [hit.term for hit in matcher.find("The Mende people", country="KEN")] == ["mende"]
    assert matcher.find("The Mende people", country="SLE") == []
