"""The shipped lexicon's consistency: every reader and reuser relies on these holding."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.content import (
    build_lexicon,
    lexicon_from_data,
    lexicon_to_data,
    problems,
    shipped_lexicon,
)
from prevention_lens.lexicon.model import INVERSE, LANGUAGES, SCHEMES, ConceptMapping, Lexicon

REPORT_VOCABULARY = (
    "ap/atrocity-prevention",
    "ap/mass-atrocity-crimes",
    "ap/genocide",
    "ap/crimes-against-humanity",
    "ap/ethnic-cleansing",
    "ap/early-warning",
    "ap/early-action",
    "ap/identity-based-violence",
    "ap/hate-speech",
    "ap/dangerous-speech",
    "ap/incitement",
    "dev/social-cohesion",
    "dev/resilience",
    "sec/protection-of-civilians",
    "ap/responsibility-to-protect",
    "ap/r2p-pillar-one",
    "ap/r2p-pillar-two",
    "ap/r2p-pillar-three",
    "ap/upstream-prevention",
    "ap/structural-prevention",
    "dev/conflict-sensitivity",
    "dev/do-no-harm",
    "dev/marginalisation",
    "hr/discrimination",
    "hr/accountability",
    "hr/transitional-justice",
    "hr/civic-space",
)


def test_the_report_vocabulary_is_covered_by_at_least_sixty_concepts() -> None:
    lexicon = shipped_lexicon()
    assert len(lexicon.concepts) >= 60
    assert set(REPORT_VOCABULARY) <= set(lexicon.concepts)
    assert {concept.scheme for concept in lexicon.concepts.values()} == set(SCHEMES)


def test_no_concept_maps_to_itself_or_within_its_scheme_and_each_pair_once() -> None:
    lexicon = shipped_lexicon()
    pairs = set()
    for mapping in lexicon.mappings:
        assert mapping.source != mapping.target
        source, target = lexicon.concepts[mapping.source], lexicon.concepts[mapping.target]
        assert source.scheme != target.scheme
        pair = frozenset((mapping.source, mapping.target))
        assert pair not in pairs
        pairs.add(pair)
        assert mapping.rationale


def test_broader_and_narrower_are_inverse_from_either_side() -> None:
    lexicon = shipped_lexicon()
    for mapping in lexicon.mappings:
        back = [m for m in lexicon.mappings_from(mapping.target) if m.target == mapping.source]
        assert [m.kind for m in back] == [INVERSE[mapping.kind]]
    genocide_up = [m for m in lexicon.mappings_from("ap/genocide") if m.kind == "broader"]
    assert any(m.target == "hr/gross-human-rights-violations" for m in genocide_up)
    down = lexicon.mappings_from("hr/gross-human-rights-violations")
    assert any(m.target == "ap/genocide" and m.kind == "narrower" for m in down)


def test_every_scheme_covers_the_core_concepts_or_says_why_not() -> None:
    lexicon = shipped_lexicon()
    core = [concept for concept in lexicon.concepts.values() if concept.core]
    assert len(core) >= 25
    for concept in core:
        reached = {lexicon.concepts[m.target].scheme for m in lexicon.mappings_from(concept.id)}
        for scheme in SCHEMES:
            if scheme != concept.scheme:
                assert scheme in reached or concept.no_term.get(scheme), (concept.id, scheme)
    assert problems(lexicon) == []


def test_definitions_cite_a_source_checked_at_an_address() -> None:
    lexicon = shipped_lexicon()
    defined = [concept for concept in lexicon.concepts.values() if concept.definition]
    assert len(defined) >= 70
    for concept in defined:
        assert concept.source is not None
        assert concept.source.url.startswith(("http://", "https://")), concept.id
        assert len(concept.definition.split()) <= 70, concept.id
    undefined = [concept for concept in lexicon.concepts.values() if not concept.definition]
    # A concept without a verified definition says why, rather than carrying a guessed one.
    assert all(concept.note for concept in undefined)


def test_core_concepts_have_french_and_spanish_labels_where_found() -> None:
    core = [concept for concept in shipped_lexicon().concepts.values() if concept.core]
    assert all({"fr", "es"} <= set(c.pref_labels) for c in core)
    for concept in core:
        # Each French or Spanish label was seen in a record, or is marked as our translation.
        assert concept.labels_checked_at or "our own translation" in (concept.note or "")
    assert set(LANGUAGES) == {"en", "fr", "es"}


def test_a_plain_round_trip_keeps_everything() -> None:
    lexicon = shipped_lexicon()
    again = lexicon_from_data(lexicon_to_data(lexicon))
    assert lexicon_to_data(again) == lexicon_to_data(lexicon)


def test_an_inconsistent_lexicon_is_refused_with_every_problem_named() -> None:
    lexicon = shipped_lexicon()
    broken = [
        *list(lexicon.mappings),
        ConceptMapping("ap/genocide", "ap/genocide", "exact", "itself"),
        ConceptMapping("ap/genocide", "ap/war-crimes", "related", "same scheme"),
    ]
    with pytest.raises(ValidationError) as raised:
        build_lexicon(lexicon.concepts.values(), broken, file="mine.yaml")
    message = str(raised.value)
    assert "mine.yaml" in message
    assert "mapped to itself" in message and "different schemes" in message


def test_a_core_concept_that_loses_a_scheme_without_a_reason_is_a_problem() -> None:
    lexicon = shipped_lexicon()
    kept = tuple(
        m
        for m in lexicon.mappings
        if not ({m.source, m.target} >= {"ap/early-warning", "pb/early-warning-early-response"})
        and not (
            "ap/early-warning" in (m.source, m.target)
            and lexicon.concepts[m.target if m.source == "ap/early-warning" else m.source].scheme
            == "pb"
        )
    )
    found = problems(Lexicon(lexicon.concepts, kept))
    assert any("ap/early-warning maps into no concept of pb" in problem for problem in found)


@pytest.mark.parametrize(
    ("labels", "checked", "words"),
    [
        ({"en": {"pref": "x", "alt": ["x"]}}, [], "repeat"),
        ({"en": {"pref": "x", "alt": ["y", "y"]}}, [], "repeat"),
        ({"en": {"pref": "x", "alt": []}}, ["https://a.org", "https://a.org"], "listed twice"),
        ({"fr": {"pref": "x", "alt": []}}, [], "English preferred label"),
    ],
)
def test_labels_follow_skos_and_say_each_thing_once(
    labels: dict[str, object], checked: list[str], words: str
) -> None:
    from prevention_lens.lexicon.content import concept_from_mapping

    item = {"id": "dev/x", "scheme": "dev", "labels": labels, "labels_checked_at": checked}
    with pytest.raises(ValidationError, match=words):
        concept_from_mapping(item, file="mine.yaml")
