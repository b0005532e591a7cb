"""Scoring posts with the shipped model: labels, attributes and groups users read, in order,
with the version and card that travel with every score."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.speech.scoring import (
    ATTRIBUTES,
    LABELS,
    TARGET_GROUPS,
    PostScore,
    model_card,
    model_version,
    score_texts,
)
from prevention_lens.speech.text import normalise_post

THREAT = "We will burn their houses and kill every one of them tomorrow."
DEHUMANISING = "Those migrants are rats and cockroaches, an infestation."
NEUTRAL = "The market opens at nine and the bread is fresh today."


def test_no_texts_no_scores() -> None:
    assert score_texts([]) == []


@pytest.fixture(scope="module")
def scored() -> list[PostScore]:
    return score_texts([normalise_post(text) for text in (THREAT, DEHUMANISING, NEUTRAL)])


def test_every_score_is_a_distribution_over_the_labels(scored: list[PostScore]) -> None:
    for score in scored:
        assert set(score.scores) == set(LABELS)
        assert sum(score.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert score.hate_score == score.scores["hateful"]
        assert set(score.attributes) == set(ATTRIBUTES)
        assert all(0.0 <= value <= 1.0 for value in score.attributes.values())
        assert score.attributes["offensive"] == pytest.approx(1 - score.scores["neither"], abs=1e-3)
        assert set(score.group_scores) <= set(TARGET_GROUPS)


def test_hostile_posts_score_above_an_ordinary_one(scored: list[PostScore]) -> None:
    threat, dehumanising, neutral = scored
    assert neutral.label == "neither" and neutral.targeted_group is None
    assert dehumanising.label != "neither"
    assert threat.attributes["threat"] > neutral.attributes["threat"] + 0.3
    assert dehumanising.attributes["dehumanisation"] > neutral.attributes["dehumanisation"] + 0.3
    assert dehumanising.hate_score > neutral.hate_score
    assert dehumanising.targeted_group in TARGET_GROUPS


def test_threats_rank_above_ordinary_posts_beyond_english() -> None:
    french, spanish, arabic, calm_french, calm_spanish, calm_arabic = score_texts(
        [
            "On va tous les massacrer demain soir.",
            "Los vamos a matar a todos.",
            "سنقتلهم جميعا غدا",
            "Demain soir on dîne chez eux.",
            "Vamos a comer a la playa mañana.",
            "غدا نذهب إلى السوق",
        ]
    )
    assert french.attributes["threat"] > calm_french.attributes["threat"]
    assert spanish.attributes["threat"] > calm_spanish.attributes["threat"] + 0.3
    assert arabic.attributes["threat"] > calm_arabic.attributes["threat"] + 0.3


def test_a_score_does_not_depend_on_its_batch(scored: list[PostScore]) -> None:
    (alone,) = score_texts([normalise_post(NEUTRAL)])
    assert alone.scores == pytest.approx(scored[2].scores, abs=2e-3)


def test_the_version_and_card_travel_together() -> None:
    card = model_card()
    assert model_version() == card["model_version"]
    assert model_version().startswith("speech-")
    card["model_version"] = "changed"
    assert model_card()["model_version"] == model_version()
    uses = {entry["file"]: entry["use"] for entry in card["training_data"]}
    assert uses["speech/hatecheck-en/test_suite_cases.csv"] == "evaluation only"


def test_post_scores_check_their_codes_and_serialise() -> None:
    score = PostScore("hateful", 0.8, {"hateful": 0.8}, {"threat": 0.1}, "origin", {"origin": 0.7})
    assert score.to_dict()["targeted_group"] == "origin"
    with pytest.raises(ValidationError, match="label 'rude'"):
        PostScore("rude", 0.8, {}, {}, None, {})
    with pytest.raises(ValidationError, match="targeted group 'planet'"):
        PostScore("hateful", 0.8, {}, {}, "planet", {})
