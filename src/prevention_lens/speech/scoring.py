"""Scoring posts with the classifier shipped in the package (``speech/data/head.npz``): the
probability of each label, Perspective-like attributes and the most likely targeted group.
Runs on the user's own machine; nothing leaves it. ``docs/speech-model.md`` is the model card.

The head is read once per process, on first use. Texts must already be normalised with
``speech.text.normalise_post`` (what import does); they are embedded in batches here.

Public API::

    LABELS = ("hateful", "offensive", "neither")
    ATTRIBUTES = ("identity_attack", "threat", "dehumanisation", "offensive")
    TARGET_GROUPS                         # MLMA target code → label
    PostScore                             # frozen; to_dict()
    score_texts(texts) -> list[PostScore]
    model_version() -> str
    model_card() -> dict
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.speech.classifier import ATTRIBUTES, LABELS, SpeechBatch, SpeechClassifier
from prevention_lens.speech.terms import NO_GROUP_LABEL, TARGETED_GROUPS

__all__ = [
    "ATTRIBUTES",
    "LABELS",
    "NO_GROUP_LABEL",
    "TARGET_GROUPS",
    "PostScore",
    "model_card",
    "model_version",
    "score_texts",
]

MODEL_FOLDER = Path(__file__).parent / "data"
TARGET_GROUPS: dict[str, str] = TARGETED_GROUPS


@dataclass(frozen=True)
class PostScore:
    """What the classifier says about one post. ``hate_score`` is P(hateful);
    ``targeted_group`` is None when the label is "neither"."""

    label: str
    hate_score: float
    scores: dict[str, float]
    attributes: dict[str, float]
    targeted_group: str | None
    group_scores: dict[str, float]

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValidationError(f"label {self.label!r} is not one of {', '.join(LABELS)}")
        if self.targeted_group is not None and self.targeted_group not in TARGET_GROUPS:
            raise ValidationError(f"targeted group {self.targeted_group!r} is not known")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "hate_score": self.hate_score,
            "scores": dict(self.scores),
            "attributes": dict(self.attributes),
            "targeted_group": self.targeted_group,
            "group_scores": dict(self.group_scores),
        }


@lru_cache(maxsize=1)
def _shipped() -> tuple[SpeechClassifier, dict[str, Any]]:
    import numpy as np

    card_path, head_path = MODEL_FOLDER / "model_card.json", MODEL_FOLDER / "head.npz"
    if not card_path.is_file() or not head_path.is_file():
        raise ValidationError(
            "the speech classifier is not installed: run `lens speech train` to build it",
            file=str(MODEL_FOLDER),
        )
    card = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(head_path, allow_pickle=False) as stored:
        classifier = SpeechClassifier.from_arrays({name: stored[name] for name in stored.files})
    return classifier, card


def model_card() -> dict[str, Any]:
    """The shipped model card (a copy: callers may change it freely)."""
    return copy.deepcopy(_shipped()[1])


def model_version() -> str:
    """The shipped model's version, e.g. "speech-1-3f2a…": recorded with every scored post."""
    return str(_shipped()[1]["model_version"])


def _round(value: float) -> float:
    return round(float(value), 4)


def score_texts(texts: Sequence[str]) -> list[PostScore]:
    """One score per normalised text, in order."""
    if not texts:
        return []
    from prevention_lens.embedding import embed_queries

    classifier, _ = _shipped()
    batch = SpeechBatch(tuple(texts), embed_queries(list(texts)))
    scores = classifier.score(batch)
    results = []
    for row, label in enumerate(scores.chosen):
        groups = {code: _round(scores.groups[row, i]) for i, code in enumerate(scores.group_codes)}
        results.append(
            PostScore(
                label=label,
                hate_score=_round(scores.labels[row, LABELS.index("hateful")]),
                scores={name: _round(scores.labels[row, i]) for i, name in enumerate(LABELS)},
                attributes={
                    name: _round(scores.attributes[row, i]) for i, name in enumerate(ATTRIBUTES)
                },
                targeted_group=None
                if label == "neither"
                else scores.group_codes[int(scores.groups[row].argmax())],
                group_scores=groups,
            )
        )
    return results
