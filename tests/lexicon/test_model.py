"""What an audience calls a concept."""

from __future__ import annotations

import pytest

from prevention_lens.errors import NotFoundError
from prevention_lens.lexicon.content import shipped_lexicon


@pytest.mark.parametrize(
    ("concept", "audience", "expected", "kind"),
    [
        ("ap/mass-atrocity-crimes", "hr", "hr/gross-human-rights-violations", "close"),
        ("ap/early-warning", "pb", "pb/early-warning-early-response", "close"),
        ("dev/social-cohesion", "com", "com/community-cohesion", "close"),
        ("dev/do-no-harm", "hum", "hum/do-no-harm-humanitarian", "close"),
        ("ap/genocide", "ap", "ap/genocide", "exact"),
    ],
)
def test_the_audience_term_is_its_own_concept_or_an_exact_or_close_match(
    concept: str, audience: str, expected: str, kind: str
) -> None:
    term = shipped_lexicon().term_for(concept, audience)
    assert term is not None
    assert (term.concept.id, term.kind) == (expected, kind)
    assert term.rationale


def test_a_broader_or_related_concept_never_stands_in_for_a_term() -> None:
    lexicon = shipped_lexicon()
    assert lexicon.term_for("ap/genocide", "hr") is None
    nearest = lexicon.nearest_for("ap/genocide", "hr")
    assert nearest[0].concept.id == "hr/gross-human-rights-violations"
    assert nearest[0].kind == "broader"
    assert "dev" in lexicon.concept("ap/genocide").no_term


def test_labels_fall_back_to_english() -> None:
    lexicon = shipped_lexicon()
    genocide = lexicon.concept("ap/genocide")
    assert genocide.label("fr") == "génocide"
    assert genocide.labels("en")[0] == "genocide"
    gross = lexicon.concept("sec/stabilisation")
    assert "fr" not in gross.pref_labels
    assert gross.label("fr") == gross.label("en")
    with pytest.raises(NotFoundError):
        lexicon.concept("ap/nothing")
