"""The classifier's heads: the estimator contract, calibration, character n-grams, the label
rule and the round trip through plain arrays (no pickles)."""

from __future__ import annotations

import numpy as np
import pytest

from prevention_lens.embedding import DIMENSIONS
from prevention_lens.errors import ValidationError
from prevention_lens.speech.classifier import (
    ATTRIBUTES,
    BINARY,
    LABELS,
    LinearHead,
    SpeechBatch,
    SpeechClassifier,
)


def _batch(labels: list[str], seed: int, noise: float = 0.3) -> SpeechBatch:
    """Unit vectors near one direction per label, with texts that name nothing."""
    generator = np.random.default_rng(seed)
    order = sorted(LABELS)
    centres = {label: np.eye(DIMENSIONS)[order.index(label)] for label in LABELS}
    rows = np.array([centres[label] for label in labels]) + noise * generator.standard_normal(
        (len(labels), DIMENSIONS)
    ) / np.sqrt(DIMENSIONS)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return SpeechBatch(tuple(f"post {i}" for i in range(len(labels))), rows.astype(np.float32))


def _labels(n: int, seed: int) -> list[str]:
    return list(np.random.default_rng(seed).choice(LABELS, size=n))


def test_a_batch_needs_one_embedding_per_text() -> None:
    with pytest.raises(ValidationError, match="expected 2 embeddings"):
        SpeechBatch(("a", "b"), np.zeros((3, DIMENSIONS), dtype=np.float32))


def test_a_batch_subset_keeps_texts_with_their_vectors() -> None:
    batch = _batch(["hateful", "neither", "offensive"], 0)
    picked = batch.subset([2, 0])
    assert picked.texts == (batch.texts[2], batch.texts[0])
    assert np.array_equal(picked.vectors, batch.vectors[[2, 0]])
    assert len(batch.subset([])) == 0


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        (
            "C",
            -1.0,
            "The 'C' parameter of LinearHead must be a float in the range (0, inf]. Got -1.0",
        ),
        ("char_features", 1.5, "'char_features' parameter of LinearHead must be an int"),
        ("ngram_range", (3, 2), "'ngram_range' parameter"),
        ("class_weight", "heavy", "'class_weight' parameter of LinearHead must be None or"),
    ],
)
def test_parameters_are_validated_in_fit(parameter: str, value: object, message: str) -> None:
    head = LinearHead(**{parameter: value})  # type: ignore[arg-type]
    assert getattr(head, parameter) == value  # stored as given
    labels = _labels(30, 0)
    with pytest.raises(ValidationError) as raised:
        head.fit(_batch(labels, 0), labels)
    assert message in str(raised.value)
    assert raised.value.field == parameter


def test_predicting_before_fit_says_so() -> None:
    with pytest.raises(ValidationError, match="not fitted"):
        LinearHead().predict(_batch(["hateful"], 0))


def test_fit_returns_the_head_and_learns_separable_labels() -> None:
    labels = _labels(120, 1)
    head = LinearHead(C=10.0)
    assert head.fit(_batch(labels, 1), labels) is head
    assert head.classes_ == tuple(sorted(LABELS))
    test_labels = _labels(60, 2)
    predicted = head.predict(_batch(test_labels, 2))
    assert np.mean(np.array(predicted) == np.array(test_labels)) > 0.9
    probabilities = head.predict_proba(_batch(test_labels, 2))
    assert np.allclose(probabilities.sum(axis=1), 1.0)


def test_clone_keeps_parameters_and_drops_what_was_learned() -> None:
    from sklearn.base import clone

    labels = _labels(40, 3)
    head = LinearHead(C=2.0, char_features=64).fit(_batch(labels, 3), labels)
    copy = clone(head)
    assert copy.get_params() == head.get_params()
    assert not hasattr(copy, "coef_")


def _log_loss(probabilities: np.ndarray, truth: list[str], classes: tuple[str, ...]) -> float:
    index = [classes.index(label) for label in truth]
    return float(-np.mean(np.log(probabilities[np.arange(len(truth)), index])))


def test_calibration_lowers_the_held_out_log_loss_of_an_overconfident_head() -> None:
    # Noisy labels and almost no regularisation: the raw head is far too sure of itself.
    train_labels, held_labels = _labels(150, 4), _labels(300, 5)
    flip = np.random.default_rng(6)
    noisy_train = [lab if flip.random() > 0.3 else str(flip.choice(LABELS)) for lab in train_labels]
    noisy_held = [lab if flip.random() > 0.3 else str(flip.choice(LABELS)) for lab in held_labels]
    head = LinearHead(C=1000.0).fit(_batch(train_labels, 4, noise=2.0), noisy_train)
    held = _batch(held_labels, 5, noise=2.0)
    before = _log_loss(head.predict_proba(held), noisy_held, head.classes_)
    head.calibrate(held, noisy_held)
    after = _log_loss(head.predict_proba(held), noisy_held, head.classes_)
    assert head.temperature_ > 1.0
    assert after < before


def test_character_ngrams_learn_from_the_text_itself() -> None:
    texts = [f"{'zorblat' if i % 2 else 'quimby'} number {i}" for i in range(60)]
    labels = ["hateful" if i % 2 else "neither" for i in range(60)]
    blank = np.tile(np.eye(DIMENSIONS, dtype=np.float32)[0], (60, 1))
    batch = SpeechBatch(tuple(texts), blank)
    head = LinearHead(C=10.0, char_features=4096).fit(batch, labels)
    unseen = SpeechBatch(("a zorblat again", "quimby once more"), blank[:2])
    assert head.predict(unseen) == ["hateful", "neither"]
    assert LinearHead(C=10.0).fit(batch, labels).predict_proba(unseen)[0].max() < 0.6


def _classifier(weights: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> SpeechClassifier:
    labels = _labels(90, 7)
    batch = _batch(labels, 7)
    binary = [BINARY[1] if label == "hateful" else BINARY[0] for label in labels]
    groups = ["origin" if label == "hateful" else "religion" for label in labels]
    return SpeechClassifier(
        labels=LinearHead(C=5.0, char_features=256).fit(batch, labels),
        groups=LinearHead().fit(batch, groups),
        identity_attack=LinearHead().fit(batch, binary),
        threat=LinearHead().fit(batch, binary),
        dehumanisation=LinearHead().fit(batch, binary),
        label_weights=weights,
    )


def test_scores_hold_every_label_attribute_and_group() -> None:
    classifier = _classifier()
    batch = _batch(["hateful", "neither"], 8)
    scores = classifier.score(batch)
    assert scores.labels.shape == (2, len(LABELS))
    assert scores.attributes.shape == (2, len(ATTRIBUTES))
    assert scores.group_codes == ("origin", "religion")
    assert scores.chosen == ("hateful", "neither")
    offensive = scores.attributes[:, ATTRIBUTES.index("offensive")]
    assert np.allclose(offensive, 1 - scores.labels[:, LABELS.index("neither")])
    assert scores.attributes[0, 0] > scores.attributes[1, 0]  # identity attack


def test_label_weights_move_the_chosen_label_not_the_probabilities() -> None:
    even, tilted = _classifier(), _classifier((50.0, 1.0, 1.0))
    # A post halfway between "neither" and "offensive", and far from "hateful".
    between = np.zeros((1, DIMENSIONS), dtype=np.float32)
    between[0, [1, 2]] = np.sqrt(0.5)
    batch = SpeechBatch(("unclear",), between)
    assert np.allclose(even.label_probabilities(batch), tilted.label_probabilities(batch))
    assert even.score(batch).chosen != ("hateful",)
    assert tilted.score(batch).chosen == ("hateful",)
    with pytest.raises(ValidationError, match="label_weights"):
        _classifier((1.0, 0.0, 1.0))


def test_the_model_survives_plain_arrays() -> None:
    classifier = _classifier((2.0, 1.0, 1.5))
    arrays = classifier.to_arrays()
    assert all(array.dtype != object for array in arrays.values())
    restored = SpeechClassifier.from_arrays(arrays)
    batch = _batch(_labels(20, 10), 10)
    assert np.allclose(restored.score(batch).labels, classifier.score(batch).labels, atol=1e-3)
    assert restored.label_weights == (2.0, 1.0, 1.5)
    assert restored.labels.get_params() == classifier.labels.get_params()


def test_a_stored_head_of_the_wrong_shape_is_refused() -> None:
    arrays = _classifier().to_arrays()
    arrays["threat.coef"] = arrays["threat.coef"][:, :10]
    with pytest.raises(ValidationError, match="'threat' has coefficients of shape"):
        SpeechClassifier.from_arrays(arrays)
    del arrays["groups.params"]
    with pytest.raises(ValidationError, match="'groups' is incomplete"):
        SpeechClassifier.from_arrays(arrays)
