"""The lexicon in the store: loading, reading, and changes with history and review."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.lexicon.content import shipped_lexicon
from prevention_lens.lexicon.model import Concept, ConceptMapping
from prevention_lens.lexicon.records import (
    audience_term,
    get_concept,
    history,
    load_shipped,
    pending,
    propose_change,
    replace_lexicon,
    review_change,
    stored_lexicon,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import LexiconConcept, LexiconRevision

ANALYST = Principal(username="ana", role=Role.ANALYST, user_id=2)
ADMIN = Principal(username="adam", role=Role.ADMIN, user_id=1)
CONTRIBUTOR = Principal(username="cora", role=Role.CONTRIBUTOR, user_id=3)


@pytest.fixture
def loaded(store: Store) -> Store:
    with store.session() as session:
        load_shipped(session)
    return store


def test_loading_twice_stores_the_shipped_lexicon_once(store: Store) -> None:
    with store.session() as session:
        first = load_shipped(session)
    with store.session() as session:
        second = load_shipped(session)
        lexicon = stored_lexicon(session)
    shipped = shipped_lexicon()
    assert first.created == len(shipped.concepts)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(shipped.concepts))
    assert set(lexicon.concepts) == set(shipped.concepts)
    assert len(lexicon.mappings) == len(shipped.mappings)


def test_anyone_reads_concepts_and_audience_terms(loaded: Store) -> None:
    with loaded.session() as session:
        concept = get_concept(session, ANONYMOUS, "ap/mass-atrocity-crimes")
        term = audience_term(session, "ap/mass-atrocity-crimes", "hr")
        none = audience_term(session, "ap/genocide", "dev")
        assert concept.label() == "mass atrocity crimes"
        assert term is not None and term.concept.id == "hr/gross-human-rights-violations"
        assert none is None
        with pytest.raises(ValidationError, match="unknown audience"):
            audience_term(session, "ap/genocide", "donors")


def _proposal(definition: str) -> tuple[Concept, tuple[ConceptMapping, ...]]:
    lexicon = shipped_lexicon()
    concept = replace(lexicon.concept("dev/social-cohesion"), definition=definition)
    mappings = (
        *tuple(
            m
            for m in lexicon.mappings_from("dev/social-cohesion")
            if m.target != "com/community-cohesion"
        ),
        ConceptMapping("dev/social-cohesion", "com/community-cohesion", "exact", "same idea"),
    )
    return concept, mappings


def test_a_proposed_change_applies_only_when_an_admin_approves_it(loaded: Store) -> None:
    concept, mappings = _proposal("Trust and shared belonging across groups, as we now define it.")
    with loaded.session() as session:
        revision = propose_change(session, ANALYST, concept, mappings, note="clearer")
        assert revision.status == "proposed"
        assert (
            stored_lexicon(session).concept("dev/social-cohesion").definition != concept.definition
        )
        assert [item.id for item in pending(session, ADMIN)] == [revision.id]
    with loaded.session() as session:
        approved = review_change(session, ADMIN, revision.id, "approve", note="ok")
        lexicon = stored_lexicon(session)
        assert approved.status == "approved" and approved.reviewed_by == "adam"
        assert lexicon.concept("dev/social-cohesion").definition == concept.definition
        term = lexicon.term_for("dev/social-cohesion", "com")
        assert term is not None and term.kind == "exact"
        # The inverse is there from the other side too.
        back = lexicon.mappings_from("com/community-cohesion")
        assert any(m.target == "dev/social-cohesion" and m.kind == "exact" for m in back)
        assert [item.status for item in history(session, ANALYST, "dev/social-cohesion")] == [
            "approved"
        ]
    with loaded.session() as session:
        again = load_shipped(session)
        assert again.kept_edited == ("dev/social-cohesion",)
        kept = stored_lexicon(session).concept("dev/social-cohesion")
        assert kept.definition == concept.definition


def test_a_stale_or_repeated_review_is_refused(loaded: Store) -> None:
    first, mappings = _proposal("First wording.")
    second, _ = _proposal("Second wording.")
    with loaded.session() as session:
        one = propose_change(session, ANALYST, first, mappings)
        two = propose_change(session, ANALYST, second, mappings)
        review_change(session, ADMIN, one.id, "approve")
    with loaded.session() as session, pytest.raises(ConflictError, match="propose it again"):
        review_change(session, ADMIN, two.id, "approve")
    with loaded.session() as session, pytest.raises(ConflictError, match="already approved"):
        review_change(session, ADMIN, one.id, "reject")
    with loaded.session() as session:
        rejected = review_change(session, ADMIN, two.id, "reject", note="superseded")
        assert rejected.status == "rejected"


def test_a_change_that_breaks_consistency_is_refused_when_proposed(loaded: Store) -> None:
    lexicon = shipped_lexicon()
    genocide = lexicon.concept("ap/genocide")
    bad = (ConceptMapping("ap/genocide", "ap/war-crimes", "related", "same scheme"),)
    with loaded.session() as session, pytest.raises(ValidationError, match="different schemes"):
        propose_change(session, ANALYST, genocide, bad)
    with loaded.session() as session:
        count = session.scalar(select(func.count()).select_from(LexiconRevision))
        assert count == 0


def test_only_analysts_propose_and_only_admins_review(loaded: Store) -> None:
    concept, mappings = _proposal("x")
    with loaded.session() as session, pytest.raises(PermissionDeniedError):
        propose_change(session, CONTRIBUTOR, concept, mappings)
    with loaded.session() as session, pytest.raises(AuthenticationError):
        history(session, ANONYMOUS, "dev/social-cohesion")
    with loaded.session() as session:
        revision = propose_change(session, ANALYST, concept, mappings)
    with loaded.session() as session, pytest.raises(PermissionDeniedError):
        review_change(session, ANALYST, revision.id, "approve")


def test_replacing_the_lexicon_records_each_changed_concept(loaded: Store) -> None:
    lexicon = shipped_lexicon()
    changed = replace(lexicon.concept("hr/civic-space"), note="imported from our partner's SKOS")
    imported = replace(lexicon, concepts={**lexicon.concepts, changed.id: changed})
    with loaded.session() as session:
        assert replace_lexicon(session, ADMIN, imported) == 1
        assert stored_lexicon(session).concept("hr/civic-space").note == changed.note
        row = session.scalar(
            select(LexiconConcept).where(LexiconConcept.concept_id == "hr/civic-space")
        )
        assert row is not None and row.origin == "edited" and row.version == 2
        assert [item.note for item in history(session, ADMIN, "hr/civic-space")] == ["imported"]
    with loaded.session() as session, pytest.raises(PermissionDeniedError):
        replace_lexicon(session, ANALYST, imported)


def test_an_unchanged_skos_export_imported_back_changes_nothing(loaded: Store) -> None:
    from prevention_lens.lexicon.skos import parse, serialize

    with loaded.session() as session:
        exported = serialize(stored_lexicon(session), "turtle")
    with loaded.session() as session:
        assert replace_lexicon(session, ADMIN, parse(exported, "turtle")) == 0
        assert session.scalar(select(func.count()).select_from(LexiconRevision)) == 0
