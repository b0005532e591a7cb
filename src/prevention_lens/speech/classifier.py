"""The speech classifier: calibrated linear heads over a post's multilingual embedding (and, for
the label head, hashed character n-grams), and the model that combines them into labels,
Perspective-like attributes and the targeted group.

``LinearHead`` follows the scikit-learn estimator contract (parameters stored as given in
``__init__``, validated in ``fit``, learned attributes end in ``_``, ``fit`` returns ``self``,
``predict`` checks the head is fitted). It is a logistic regression whose probabilities are
calibrated afterwards by one temperature fitted on held-out rows (``calibrate``). A
``SpeechClassifier`` holds the fitted heads and turns into plain arrays (``to_arrays``) and back
(``from_arrays``), so the shipped model is an ``.npz`` of numbers, never a pickle.

Public API::

    SpeechBatch(texts, vectors)                 # normalised texts and their embeddings
    char_ngrams(texts, features, ngram_range) -> sparse matrix
    LinearHead(C=1.0, char_features=0, ngram_range=(2, 5), embedding_weight=1.0,
               class_weight=None, max_iter=3000)
        .fit(batch, y, sample_weight=None) -> self
        .calibrate(batch, y) -> self
        .decision_function(batch) / .predict_proba(batch) / .predict(batch)
    SpeechClassifier(labels, groups, identity_attack, threat, dehumanisation, label_weights)
        .score(batch) -> Scores
        .to_arrays() -> dict[str, ndarray];  SpeechClassifier.from_arrays(arrays)
    Scores                                      # label, group and attribute probabilities
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from prevention_lens.embedding import DIMENSIONS
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
    Vectors = npt.NDArray[np.float32]

LABELS = ("hateful", "offensive", "neither")
ATTRIBUTES = ("identity_attack", "threat", "dehumanisation", "offensive")
# The binary heads' classes: index 1 is the attribute being present.
BINARY = ("absent", "present")


@dataclass(frozen=True)
class SpeechBatch:
    """Texts already normalised with ``normalise_post`` and their embeddings, row by row."""

    texts: tuple[str, ...]
    vectors: Vectors

    def __post_init__(self) -> None:
        shape = getattr(self.vectors, "shape", None)
        if shape != (len(self.texts), DIMENSIONS):
            raise ValidationError(
                f"expected {len(self.texts)} embeddings of {DIMENSIONS} numbers, got shape {shape}",
                field="vectors",
            )

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, rows: Sequence[int] | npt.NDArray[np.intp]) -> SpeechBatch:
        index = np.asarray(rows, dtype=np.intp)
        return SpeechBatch(tuple(self.texts[i] for i in index), self.vectors[index])


def char_ngrams(texts: Sequence[str], features: int, ngram_range: tuple[int, int]) -> Any:
    """Hashed, lower-cased character n-grams inside word boundaries, each row of unit length."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        n_features=features,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        dtype=np.float32,
    )
    return vectorizer.transform(texts)


# Parameter constraints declared as data: (kind, low, high, low inclusive).
_CONSTRAINTS: dict[str, tuple[type, float, float, bool]] = {
    "C": (float, 0.0, math.inf, False),
    "char_features": (int, 0, 2**22, True),
    "embedding_weight": (float, 0.0, math.inf, False),
    "max_iter": (int, 1, math.inf, True),
}


def _check_parameter(owner: str, name: str, value: object) -> None:
    kind, low, high, inclusive = _CONSTRAINTS[name]
    ok_type = isinstance(value, numbers.Integral if kind is int else numbers.Real) and not (
        isinstance(value, bool)
    )
    ok_range = ok_type and (low <= value if inclusive else low < value) and value <= high  # type: ignore[operator]
    if not ok_range:
        bracket = "[" if inclusive else "("
        name_of_kind = "an int" if kind is int else "a float"
        raise ValidationError(
            f"The {name!r} parameter of {owner} must be {name_of_kind} in the range "
            f"{bracket}{low:g}, {high:g}]. Got {value!r} instead.",
            field=name,
        )


def _softmax(logits: Array) -> Array:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


class LinearHead:
    """Logistic regression over embeddings (+ hashed character n-grams), temperature-calibrated."""

    def __init__(
        self,
        *,
        C: float = 1.0,
        char_features: int = 0,
        ngram_range: tuple[int, int] = (2, 5),
        embedding_weight: float = 1.0,
        class_weight: str | None = None,
        max_iter: int = 3000,
    ) -> None:
        self.C = C
        self.char_features = char_features
        self.ngram_range = ngram_range
        self.embedding_weight = embedding_weight
        self.class_weight = class_weight
        self.max_iter = max_iter

    # scikit-learn's clone() and repr read the parameters through these two.
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        names = (
            "C",
            "char_features",
            "ngram_range",
            "embedding_weight",
            "class_weight",
            "max_iter",
        )
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> LinearHead:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValidationError(f"LinearHead has no parameter {name!r}", field=name)
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"LinearHead({shown})"

    def _validate(self) -> None:
        for name in _CONSTRAINTS:
            _check_parameter("LinearHead", name, getattr(self, name))
        low_high = self.ngram_range
        if not (
            isinstance(low_high, tuple)
            and len(low_high) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in low_high)
            and 1 <= low_high[0] <= low_high[1]
        ):
            raise ValidationError(
                "The 'ngram_range' parameter of LinearHead must be a pair of ints (low, high) "
                f"with 1 <= low <= high. Got {low_high!r} instead.",
                field="ngram_range",
            )
        if self.class_weight not in (None, "balanced"):
            raise ValidationError(
                "The 'class_weight' parameter of LinearHead must be None or 'balanced'. "
                f"Got {self.class_weight!r} instead.",
                field="class_weight",
            )

    def _features(self, batch: SpeechBatch) -> Any:
        from scipy import sparse

        dense = np.asarray(batch.vectors, dtype=np.float64) * float(self.embedding_weight)
        if not self.char_features:
            return dense
        grams = char_ngrams(batch.texts, int(self.char_features), self.ngram_range)
        return sparse.hstack([sparse.csr_matrix(dense), grams], format="csr")

    def fit(
        self,
        batch: SpeechBatch,
        y: Sequence[str],
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> LinearHead:
        """Fit the regression; the temperature starts at 1 until ``calibrate``."""
        from sklearn.linear_model import LogisticRegression

        self._validate()
        if len(y) != len(batch):
            raise ValidationError(f"{len(batch)} texts but {len(y)} labels", field="y")
        classes = tuple(sorted(set(y)))
        if len(classes) < 2:
            raise ValidationError(
                f"a head needs at least two classes to learn from; got {list(classes)}", field="y"
            )
        regression = LogisticRegression(
            C=float(self.C), class_weight=self.class_weight, max_iter=int(self.max_iter), tol=1e-5
        )
        regression.fit(self._features(batch), list(y), sample_weight=sample_weight)
        self.classes_ = classes
        self.coef_ = np.asarray(regression.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(regression.intercept_, dtype=np.float64)
        self.temperature_ = 1.0
        self.n_iter_ = int(np.max(regression.n_iter_))
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValidationError("This LinearHead is not fitted yet: call fit() first.")

    def raw_logits(self, batch: SpeechBatch) -> Array:
        """Uncalibrated scores, one column per class (binary heads get a zero column first)."""
        self._check_fitted()
        dense = np.asarray(batch.vectors, dtype=np.float64) * float(self.embedding_weight)
        width = DIMENSIONS
        scores = dense @ self.coef_[:, :width].T
        if self.char_features and len(batch):
            grams = char_ngrams(batch.texts, int(self.char_features), self.ngram_range)
            scores = scores + np.asarray(grams @ self.coef_[:, width:].T)
        scores = scores + self.intercept_
        if len(self.classes_) == 2:
            scores = np.hstack([np.zeros((len(batch), 1)), scores])
        return np.asarray(scores, dtype=np.float64)

    def decision_function(self, batch: SpeechBatch) -> Array:
        return self.raw_logits(batch) / self.temperature_

    def predict_proba(self, batch: SpeechBatch) -> Array:
        return _softmax(self.decision_function(batch))

    def predict(self, batch: SpeechBatch) -> list[str]:
        probabilities = self.predict_proba(batch)
        return [self.classes_[i] for i in probabilities.argmax(axis=1)]

    def calibrate(self, batch: SpeechBatch, y: Sequence[str]) -> LinearHead:
        """Fit the temperature that minimises the log loss on held-out rows ``batch``."""
        from scipy.optimize import minimize_scalar

        logits = self.raw_logits(batch)
        index = {label: i for i, label in enumerate(self.classes_)}
        unknown = sorted(set(y) - set(index))
        if unknown:
            raise ValidationError(f"labels {unknown} were not seen in fit", field="y")
        truth = np.array([index[label] for label in y])

        def log_loss(log_temperature: float) -> float:
            scaled = logits / math.exp(log_temperature)
            scaled = scaled - scaled.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(scaled).sum(axis=1))
            return float(np.mean(log_norm - scaled[np.arange(len(truth)), truth]))

        found = minimize_scalar(log_loss, bounds=(-3.0, 3.0), method="bounded")
        self.temperature_ = float(math.exp(found.x))
        return self

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray[Any, Any]]:
        """The fitted head as named arrays (coefficients as float16: the shipped file stays
        small, and a score moves by less than 0.001)."""
        self._check_fitted()
        return {
            f"{prefix}.classes": np.array(self.classes_),
            f"{prefix}.coef": self.coef_.astype(np.float16),
            f"{prefix}.intercept": self.intercept_.astype(np.float32),
            f"{prefix}.temperature": np.array([self.temperature_], dtype=np.float64),
            f"{prefix}.params": np.array(
                [
                    float(self.C),
                    float(self.char_features),
                    float(self.ngram_range[0]),
                    float(self.ngram_range[1]),
                    float(self.embedding_weight),
                    1.0 if self.class_weight == "balanced" else 0.0,
                    float(self.max_iter),
                ]
            ),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray[Any, Any]], prefix: str) -> LinearHead:
        try:
            c, features, low, high, weight, balanced, max_iter = (
                float(v) for v in arrays[f"{prefix}.params"]
            )
            head = cls(
                C=c,
                char_features=int(features),
                ngram_range=(int(low), int(high)),
                embedding_weight=weight,
                class_weight="balanced" if balanced else None,
                max_iter=int(max_iter),
            )
            head.classes_ = tuple(str(label) for label in arrays[f"{prefix}.classes"])
            head.coef_ = np.asarray(arrays[f"{prefix}.coef"], dtype=np.float64)
            head.intercept_ = np.asarray(arrays[f"{prefix}.intercept"], dtype=np.float64)
            head.temperature_ = float(arrays[f"{prefix}.temperature"][0])
        except (KeyError, ValueError, TypeError) as error:
            raise ValidationError(f"the stored head {prefix!r} is incomplete: {error}") from None
        expected_width = DIMENSIONS + head.char_features
        rows = 1 if len(head.classes_) == 2 else len(head.classes_)
        if head.coef_.shape != (rows, expected_width) or head.intercept_.shape != (rows,):
            raise ValidationError(
                f"the stored head {prefix!r} has coefficients of shape {head.coef_.shape}; "
                f"expected {(rows, expected_width)}"
            )
        return head


@dataclass(frozen=True)
class Scores:
    """Probabilities for a batch: ``labels`` (n, 3) in LABELS order, ``groups`` (n, k) in
    ``group_codes`` order, ``attributes`` (n, 4) in ATTRIBUTES order, and the chosen labels."""

    labels: Array
    groups: Array
    group_codes: tuple[str, ...]
    attributes: Array
    chosen: tuple[str, ...]


def _column(head: LinearHead, batch: SpeechBatch, present: str) -> Array:
    return head.predict_proba(batch)[:, head.classes_.index(present)]


@dataclass(frozen=True)
class SpeechClassifier:
    """The fitted heads of the shipped model and the rule that picks a label."""

    labels: LinearHead  # hateful / offensive / neither
    groups: LinearHead  # MLMA target attribute
    identity_attack: LinearHead  # binary: hateful and aimed at a protected attribute
    threat: LinearHead  # binary, learned from the written exemplars
    dehumanisation: LinearHead  # binary, learned from the written exemplars
    # Label chosen as argmax(probability x weight): weights fitted for macro-F1 on held-out
    # rows, so a rare "hateful" is not always outvoted while the probabilities stay calibrated.
    label_weights: tuple[float, float, float]

    def __post_init__(self) -> None:
        if tuple(self.labels.classes_) != tuple(sorted(LABELS)):
            raise ValidationError(f"the label head's classes are {self.labels.classes_}")
        if len(self.label_weights) != len(LABELS) or min(self.label_weights) <= 0:
            raise ValidationError(
                f"label_weights must be {len(LABELS)} positive numbers; got {self.label_weights}"
            )

    def label_probabilities(self, batch: SpeechBatch) -> Array:
        """(n, 3) probabilities in LABELS order."""
        probabilities = self.labels.predict_proba(batch)
        order = [self.labels.classes_.index(label) for label in LABELS]
        return probabilities[:, order]

    def choose(self, label_probabilities: Array) -> tuple[str, ...]:
        weighted = label_probabilities * np.asarray(self.label_weights)
        return tuple(LABELS[i] for i in weighted.argmax(axis=1))

    def score(self, batch: SpeechBatch) -> Scores:
        labels = self.label_probabilities(batch)
        attributes = np.column_stack(
            [
                _column(self.identity_attack, batch, BINARY[1]),
                _column(self.threat, batch, BINARY[1]),
                _column(self.dehumanisation, batch, BINARY[1]),
                1.0 - labels[:, LABELS.index("neither")],
            ]
        ).reshape(len(batch), len(ATTRIBUTES))
        return Scores(
            labels=labels,
            groups=self.groups.predict_proba(batch),
            group_codes=self.groups.classes_,
            attributes=attributes,
            chosen=self.choose(labels),
        )

    def to_arrays(self) -> dict[str, np.ndarray[Any, Any]]:
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        for name in ("labels", "groups", "identity_attack", "threat", "dehumanisation"):
            arrays.update(getattr(self, name).to_arrays(name))
        arrays["label_weights"] = np.array(self.label_weights, dtype=np.float64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray[Any, Any]]) -> SpeechClassifier:
        heads = {
            name: LinearHead.from_arrays(arrays, name)
            for name in ("labels", "groups", "identity_attack", "threat", "dehumanisation")
        }
        if "label_weights" not in arrays:
            raise ValidationError("the stored model has no label_weights")
        weights = tuple(float(w) for w in arrays["label_weights"])
        return cls(label_weights=(weights[0], weights[1], weights[2]), **heads)
