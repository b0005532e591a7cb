"""The assessment frameworks: the Dangerous Speech Project's elements and hallmarks and the
Rabat threshold test, their sources, and how a set of Rabat scores reads."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.speech.assessment_records import AssessmentDraft
from prevention_lens.speech.frameworks import (
    CONCLUSIONS,
    CONCLUSIONS_SOURCES,
    DSP_ELEMENTS,
    HALLMARKS,
    RABAT_FACTORS,
    RABAT_SCORES,
    RabatScore,
    rabat_summary,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "speech-assessments.md"
ALL_MET = {code: RabatScore(2, "why") for code in RABAT_FACTORS}


def test_the_frameworks_have_the_documented_parts_in_order() -> None:
    assert list(DSP_ELEMENTS) == ["speaker", "audience", "message", "context", "medium"]
    assert list(HALLMARKS) == [
        "dehumanisation",
        "accusation_in_a_mirror",
        "threat_to_purity",
        "attack_on_women_and_girls",
        "questioning_loyalty",
    ]
    assert list(RABAT_FACTORS) == [
        "context",
        "speaker",
        "intent",
        "content_and_form",
        "extent",
        "likelihood",
    ]
    assert HALLMARKS["accusation_in_a_mirror"].label == "Accusation in a mirror"
    assert RABAT_FACTORS["likelihood"].label == "Likelihood, including imminence"


def test_every_element_names_form_fields_that_exist() -> None:
    draft_fields = {item.name for item in fields(AssessmentDraft)}
    for element in DSP_ELEMENTS.values():
        assert element.fields and set(element.fields) <= draft_fields


def test_every_item_is_one_line_with_a_web_source_that_the_docs_cite() -> None:
    doc = DOC.read_text()
    texts = [
        *(e.question for e in DSP_ELEMENTS.values()),
        *(h.description for h in HALLMARKS.values()),
        *(f.question for f in RABAT_FACTORS.values()),
    ]
    sources = [
        *(e.source_url for e in DSP_ELEMENTS.values()),
        *(h.source_url for h in HALLMARKS.values()),
        *(f.source_url for f in RABAT_FACTORS.values()),
        *CONCLUSIONS_SOURCES,
    ]
    for text in texts:
        assert text.strip() and "\n" not in text and len(text) < 240
    for source in sources:
        parts = urlsplit(source)
        assert parts.scheme in ("http", "https") and parts.netloc
        assert source in doc, f"{source} is not cited in {DOC.name}"


def test_conclusions_are_ranked_and_every_label_is_in_the_docs() -> None:
    ranks = [c.rank for c in CONCLUSIONS.values() if c.rank is not None]
    assert ranks == sorted(ranks) == list(range(len(ranks)))
    assert CONCLUSIONS["undetermined"].rank is None
    doc = DOC.read_text()
    for code in CONCLUSIONS:
        assert f"`{code}`" in doc


@pytest.mark.parametrize(
    ("score", "note", "problem"),
    [
        (4, "x", "from 0 to 3"),
        (-1, "x", "from 0 to 3"),
        (True, "x", "whole number"),
        (2, "  ", "needs a note"),
        (1, "x" * 5_001, "over 5,000"),
    ],
)
def test_a_rabat_score_is_checked_when_made(score: int, note: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RabatScore(score, note)


def test_low_scores_need_no_note_and_labels_follow_the_scale() -> None:
    assert RabatScore(1).label == "partly met"
    assert [RABAT_SCORES[s] for s in range(4)] == ["not met", "partly met", "met", "clearly met"]


def test_all_six_met_is_the_threshold_of_incitement() -> None:
    summary = rabat_summary(ALL_MET, "incitement")
    assert summary.threshold_met and summary.consistent
    assert summary.met == tuple(RABAT_FACTORS)
    assert summary.to_dict()["threshold_met"] is True


def test_incitement_with_a_factor_short_is_inconsistent_and_names_it() -> None:
    scores = {**ALL_MET, "likelihood": RabatScore(1)}
    del scores["extent"]
    summary = rabat_summary(scores, "incitement")
    assert not summary.threshold_met and not summary.consistent
    assert summary.not_met == ("likelihood",) and summary.unscored == ("extent",)
    assert "likelihood, including imminence" in summary.note
    assert "extent of the speech act" in summary.note


def test_a_met_threshold_with_a_lesser_conclusion_is_flagged() -> None:
    summary = rabat_summary(ALL_MET, "dangerous")
    assert summary.threshold_met and not summary.consistent
    assert "threshold of incitement" in summary.note
    assert rabat_summary(ALL_MET, "undetermined").consistent


def test_partial_and_empty_scores_read_plainly() -> None:
    partial = rabat_summary(
        {"speaker": RabatScore(3, "minister"), "intent": RabatScore(0)}, "dangerous"
    )
    assert partial.consistent and partial.met == ("speaker",)
    assert partial.note == "1 of 6 Rabat factors met: speaker."
    assert rabat_summary({}, "not_dangerous").note == "The Rabat factors are not scored."
    assert (
        rabat_summary({"intent": RabatScore(0)}, "not_dangerous").note == "No Rabat factor is met."
    )
