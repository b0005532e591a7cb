"""How the speech classifier is measured, the same way on the model card (at training) and in
``benchmarks/speech.py``: macro-F1 and calibration (expected calibration error, Brier score) on
held-out corpus rows, ranking quality (ROC AUC) of the attributes, the targeted-group head, and
HateCheck accuracy per functionality (HateCheck is never trained or tuned on).

Public API::

    COUNTER_SPEECH, QUOTATION, RECLAIMED_SLURS    # HateCheck functionalities reported apart
    macro_f1(truth, predicted) -> float
    expected_calibration_error(probabilities, truth, bins=15) -> float
    brier_score(probabilities, truth) -> float
    roc_auc(truth, scores) -> float | None
    label_metrics(classifier, batch, corpora, labels) -> dict
    hatecheck_metrics(classifier, batch, cases) -> dict
    evaluate(classifier, test_batch, test_examples, case_batch, cases, identity_targets) -> dict
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from prevention_lens.sources.speech_corpora import HateCheckCase, SpeechExample
from prevention_lens.speech.classifier import ATTRIBUTES, LABELS, SpeechBatch, SpeechClassifier

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]

# Röttger et al. (2021): counter-speech that quotes hate or refers to it is not hateful; nor
# is a slur reclaimed by the group it once targeted.
COUNTER_SPEECH = ("counter_quote_nh", "counter_ref_nh")
QUOTATION = ("counter_quote_nh",)
RECLAIMED_SLURS = ("slur_reclaimed_nh",)
# HateCheck's functionalities that the two exemplar-learned attributes should rank first.
THREAT_FUNCTIONALITIES = ("threat_dir_h", "threat_norm_h")
DEHUMANISATION_FUNCTIONALITIES = ("derog_dehum_h",)


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the classes present in ``truth``."""
    from sklearn.metrics import f1_score

    present = sorted(set(truth))
    return float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))


def expected_calibration_error(probabilities: Array, truth: Sequence[int], bins: int = 15) -> float:
    """Top-label ECE: |accuracy − confidence| averaged over equal-width confidence bins,
    weighted by the rows in each bin."""
    if len(truth) == 0:
        return 0.0
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(truth)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            total += in_bin.sum() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(total / len(truth))


def brier_score(probabilities: Array, truth: Sequence[int]) -> float:
    """Mean over rows of the squared distance between the probabilities and the one-hot truth."""
    if len(truth) == 0:
        return 0.0
    onehot = np.zeros_like(probabilities)
    onehot[np.arange(len(truth)), np.asarray(truth)] = 1.0
    return float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1)))


def _f1(truth: Sequence[str], predicted: Sequence[str], label: str) -> float:
    from sklearn.metrics import f1_score

    found = f1_score(truth, predicted, labels=[label], average=None, zero_division=0)
    return round(float(found[0]), 4)


def roc_auc(truth: Sequence[bool], scores: Sequence[float] | Array) -> float | None:
    """Area under the ROC curve; None when ``truth`` holds a single class."""
    from sklearn.metrics import roc_auc_score

    if len(set(truth)) < 2:
        return None
    return round(float(roc_auc_score(list(truth), list(scores))), 4)


def label_metrics(
    classifier: SpeechClassifier, batch: SpeechBatch, corpora: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Per corpus (and "all"): rows, macro-F1, F1 per label, ECE and Brier score."""
    probabilities = classifier.label_probabilities(batch)
    chosen = np.asarray(classifier.choose(probabilities))
    truth = np.asarray(labels)
    corpus = np.asarray(corpora)
    result: dict[str, Any] = {}
    for name in [*sorted(set(corpora)), "all"]:
        mask = np.ones(len(truth), bool) if name == "all" else corpus == name
        if not mask.any():
            continue
        index = [LABELS.index(label) for label in truth[mask]]
        result[name] = {
            "rows": int(mask.sum()),
            "macro_f1": round(macro_f1(list(truth[mask]), list(chosen[mask])), 4),
            "f1": {
                label: _f1(list(truth[mask]), list(chosen[mask]), label)
                if label in truth[mask]
                else None
                for label in LABELS
            },
            "ece": round(expected_calibration_error(probabilities[mask], index), 4),
            "brier": round(brier_score(probabilities[mask], index), 4),
        }
    return result


def _accuracy(hits: Sequence[bool]) -> float | None:
    return round(float(np.mean(hits)), 4) if len(hits) else None


def hatecheck_metrics(
    classifier: SpeechClassifier, batch: SpeechBatch, cases: Sequence[HateCheckCase]
) -> dict[str, Any]:
    """Accuracy overall and per functionality (a case counts as called hateful when the chosen
    label is "hateful"); the counter-speech, quotation and reclaimed-slur functionalities
    apart; the attributes' AUC; the targeted group on the hateful cases that name a group."""
    scores = classifier.score(batch)
    called = np.asarray(scores.chosen) == "hateful"
    gold = np.array([case.hateful for case in cases])
    function = np.array([case.functionality for case in cases])
    right = called == gold
    per_function = {
        name: {
            "cases": int(np.sum(function == name)),
            "gold": "hateful" if gold[function == name][0] else "non-hateful",
            "accuracy": _accuracy(list(right[function == name])),
        }
        for name in sorted(set(function))
    }

    def grouped(names: Sequence[str]) -> dict[str, Any]:
        mask = np.isin(function, names)
        return {
            "functionalities": list(names),
            "cases": int(mask.sum()),
            "accuracy": _accuracy(list(right[mask])),
        }

    groups = scores.group_codes
    best_group = np.asarray(groups)[scores.groups.argmax(axis=1)]
    named = np.array([case.hateful and case.target is not None for case in cases])
    target = np.array([case.target or "" for case in cases])
    attribute = {name: scores.attributes[:, i] for i, name in enumerate(ATTRIBUTES)}
    return {
        "cases": len(cases),
        "accuracy": _accuracy(list(right)),
        "accuracy_hateful_cases": _accuracy(list(right[gold])),
        "accuracy_non_hateful_cases": _accuracy(list(right[~gold])),
        "counter_speech": grouped(COUNTER_SPEECH),
        "quotation": grouped(QUOTATION),
        "reclaimed_slurs": grouped(RECLAIMED_SLURS),
        "functionalities": per_function,
        "attributes_auc": {
            "identity_attack (hateful vs non-hateful)": roc_auc(
                list(gold), attribute["identity_attack"]
            ),
            "threat (threat_* vs all other cases)": roc_auc(
                list(np.isin(function, THREAT_FUNCTIONALITIES)), attribute["threat"]
            ),
            "dehumanisation (derog_dehum_h vs all other cases)": roc_auc(
                list(np.isin(function, DEHUMANISATION_FUNCTIONALITIES)), attribute["dehumanisation"]
            ),
        },
        "targeted_group_accuracy": {
            "cases": int(named.sum()),
            "accuracy": _accuracy(list(best_group[named] == target[named])),
            "by_target": {
                code: _accuracy(list(best_group[named & (target == code)] == code))
                for code in sorted(set(target[named]))
            },
        },
    }


def evaluate(
    classifier: SpeechClassifier,
    test_batch: SpeechBatch,
    test_examples: Sequence[SpeechExample],
    case_batch: SpeechBatch,
    cases: Sequence[HateCheckCase],
    identity_targets: Sequence[str],
) -> dict[str, Any]:
    """Every figure of the model card: held-out corpus rows, then HateCheck."""
    labels = [example.label for example in test_examples]
    corpora = [example.corpus for example in test_examples]
    scores = classifier.score(test_batch)
    mlma = np.array([example.target is not None for example in test_examples])
    target = np.array([example.target or "" for example in test_examples])
    hostile = np.array([label != "neither" for label in labels])
    best_group = np.asarray(scores.group_codes)[scores.groups.argmax(axis=1)]
    group_index = [scores.group_codes.index(code) for code in target[mlma]] if mlma.any() else []
    identity_truth = [
        example.label == "hateful"
        and (example.target is None or example.target in identity_targets)
        for example in test_examples
    ]
    return {
        "test_split": {
            "labels": label_metrics(classifier, test_batch, corpora, labels),
            "attributes_auc": {
                "identity_attack": roc_auc(identity_truth, scores.attributes[:, 0]),
                "offensive (offensive or hateful vs neither)": roc_auc(
                    list(hostile), scores.attributes[:, 3]
                ),
            },
            "targeted_group": {
                "rows": int(mlma.sum()),
                "accuracy": _accuracy(list(best_group[mlma] == target[mlma])),
                "macro_f1": round(macro_f1(list(target[mlma]), list(best_group[mlma])), 4)
                if mlma.any()
                else None,
                "accuracy_hostile_rows": _accuracy(
                    list(best_group[mlma & hostile] == target[mlma & hostile])
                ),
                "ece": round(expected_calibration_error(scores.groups[mlma], group_index), 4),
            },
        },
        "hatecheck": hatecheck_metrics(classifier, case_batch, cases),
    }
