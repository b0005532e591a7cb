"""A dangerous-speech assessment as entered: a form or an API body becomes a checked draft, and
a wrong one names its field. Stored records and their history are in test_assessments.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.speech.frameworks import RABAT_FACTORS, RabatScore
from prevention_lens.store.access import Confidentiality
from tests.speech.test_assessments import _draft

# --- the form ---------------------------------------------------------------------------


def test_a_form_becomes_a_checked_draft() -> None:
    draft = _draft(hallmarks="attack_on_women_and_girls, dehumanisation", targeted_group="  ")
    # Hallmarks in the framework's order; an unscored factor left out; blanks become None.
    assert draft.hallmarks == ("dehumanisation", "attack_on_women_and_girls")
    assert draft.rabat == {
        "speaker": RabatScore(3, "revered religious figure"),
        "intent": RabatScore(1),
    }
    assert draft.spoken_on == date(2024, 3, 1)
    assert draft.targeted_group is None
    assert draft.confidentiality == Confidentiality.RESTRICTED
    assert _draft(confidentiality="confidential").confidentiality == Confidentiality.CONFIDENTIAL


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"title": "  "}, "title", "required"),
        ({"title": "x" * 301}, "title", "longer than 300"),
        ({"message": "x" * 20_001}, "message", "longer than 20,000"),
        ({"rationale": ""}, "rationale", "say why"),
        ({"conclusion": "evil"}, "conclusion", "unknown conclusion"),
        ({"hallmarks": "dehumanisation, slurs"}, "hallmarks", "unknown hallmark 'slurs'"),
        ({"hallmarks": ["dehumanisation", "dehumanisation"]}, "hallmarks", "twice"),
        ({"rabat": {"imminence": {"score": 1}}}, "rabat", "unknown factor"),
        ({"rabat": {"intent": {"score": 4, "note": "x"}}}, "rabat intent", "from 0 to 3"),
        ({"rabat": {"intent": {"score": "high"}}}, "rabat intent", "not a score"),
        ({"rabat": {"intent": {"score": 2}}}, "rabat intent", "needs a note"),
        ({"spoken_on": "2024-13-01"}, "spoken_on", "not a date"),
        ({"spoken_on": (date.today() + timedelta(days=1)).isoformat()}, "spoken_on", "future"),
        ({"assessed_on": "2024-02-01"}, "spoken_on", "after the assessment"),
        ({"post_id": "12a"}, "post_id", "not a post number"),
        ({"confidentiality": "public"}, "confidentiality", "restricted or confidential"),
        ({"confidentiality": "secret"}, "confidentiality", "not a level"),
        ({"conclusion": "incitement"}, "conclusion", "needs all six factors"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_a_wrong_form_names_the_field(changes: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as raised:
        _draft(**changes)
    assert raised.value.field == field


def test_incitement_is_accepted_once_all_six_factors_are_met() -> None:
    rabat = {code: {"score": 3, "note": f"{code} met"} for code in RABAT_FACTORS}
    draft = _draft(conclusion="incitement", rabat=rabat)
    assert draft.conclusion == "incitement" and len(draft.rabat) == 6
