"""The classifier's measures: calibration error, Brier score, AUC, and HateCheck accuracy per
functionality with counter-speech, quotation and reclaimed slurs apart."""

from __future__ import annotations

import numpy as np
import pytest

from prevention_lens.embedding import DIMENSIONS
from prevention_lens.sources.speech_corpora import HateCheckCase
from prevention_lens.speech.classifier import (
    BINARY,
    LABELS,
    LinearHead,
    SpeechBatch,
    SpeechClassifier,
)
from prevention_lens.speech.evaluation import (
    brier_score,
    expected_calibration_error,
    hatecheck_metrics,
    label_metrics,
    macro_f1,
    roc_auc,
)


def test_a_calibrated_forecaster_has_no_calibration_error() -> None:
    # Confidence 0.8 and right four times in five.
    probabilities = np.array([[0.8, 0.2]] * 5)
    assert expected_calibration_error(probabilities, [0, 0, 0, 0, 1]) == pytest.approx(0.0)
    # Confidence 0.9 but right half the time: 0.4 off.
    probabilities = np.array([[0.9, 0.1]] * 4)
    assert expected_calibration_error(probabilities, [0, 1, 0, 1]) == pytest.approx(0.4)


def test_brier_score_of_sure_and_unsure_forecasts() -> None:
    assert brier_score(np.eye(3), [0, 1, 2]) == 0.0
    uniform = np.full((1, 3), 1 / 3)
    assert brier_score(uniform, [0]) == pytest.approx((2 / 3) ** 2 + 2 * (1 / 3) ** 2)


def test_auc_needs_both_classes() -> None:
    assert roc_auc([True, False, True], [0.9, 0.1, 0.8]) == 1.0
    assert roc_auc([True, True], [0.9, 0.1]) is None


def test_macro_f1_counts_only_the_labels_present() -> None:
    assert macro_f1(["hateful", "neither"], ["hateful", "neither"]) == 1.0
    assert macro_f1(["neither", "neither"], ["hateful", "neither"]) == pytest.approx(2 / 3)


def _vector(label: str) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[sorted(LABELS).index(label)] = 1.0
    return vector


@pytest.fixture(scope="module")
def classifier() -> SpeechClassifier:
    labels = [LABELS[i % 3] for i in range(60)]
    batch = SpeechBatch(tuple(f"t{i}" for i in range(60)), np.array([_vector(x) for x in labels]))
    present = [BINARY[1] if x == "hateful" else BINARY[0] for x in labels]
    groups = ["religion" if x == "hateful" else "origin" for x in labels]
    return SpeechClassifier(
        labels=LinearHead(C=100.0).fit(batch, labels),
        groups=LinearHead(C=100.0).fit(batch, groups),
        identity_attack=LinearHead().fit(batch, present),
        threat=LinearHead().fit(batch, present),
        dehumanisation=LinearHead().fit(batch, present),
        label_weights=(1.0, 1.0, 1.0),
    )


def test_label_metrics_per_corpus(classifier: SpeechClassifier) -> None:
    truth = ["hateful", "neither", "offensive", "neither"]
    batch = SpeechBatch(("a", "b", "c", "d"), np.array([_vector(x) for x in truth]))
    metrics = label_metrics(classifier, batch, ["x", "x", "y", "y"], truth)
    assert metrics["x"]["rows"] == 2 and metrics["all"]["rows"] == 4
    assert metrics["all"]["macro_f1"] == 1.0
    assert metrics["x"]["f1"]["offensive"] is None  # no offensive row in corpus x


def _case(function: str, hateful: bool, target: str | None) -> HateCheckCase:
    return HateCheckCase(1, 1, function, "text", hateful, None, target)


def test_hatecheck_accuracy_per_functionality_and_groups(classifier: SpeechClassifier) -> None:
    cases = [
        _case("derog_dehum_h", True, "religion"),  # called hateful: right
        _case("threat_dir_h", True, "religion"),  # called neither: wrong
        _case("counter_quote_nh", False, None),  # called hateful: wrong
        _case("counter_ref_nh", False, None),  # called neither: right
        _case("slur_reclaimed_nh", False, None),  # called neither: right
    ]
    looks = ["hateful", "neither", "hateful", "neither", "neither"]
    batch = SpeechBatch(tuple("abcde"), np.array([_vector(x) for x in looks]))
    metrics = hatecheck_metrics(classifier, batch, cases)
    assert metrics["accuracy"] == pytest.approx(0.6)
    assert metrics["functionalities"]["threat_dir_h"] == {
        "cases": 1,
        "gold": "hateful",
        "accuracy": 0.0,
    }
    assert metrics["counter_speech"]["accuracy"] == pytest.approx(0.5)
    assert metrics["quotation"] == {
        "functionalities": ["counter_quote_nh"],
        "cases": 1,
        "accuracy": 0.0,
    }
    assert metrics["reclaimed_slurs"]["accuracy"] == 1.0
    # The group head names religion for what looks hateful, origin otherwise.
    assert metrics["targeted_group_accuracy"]["by_target"] == {"religion": 0.5}
