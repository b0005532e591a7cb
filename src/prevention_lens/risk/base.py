"""What every risk model shares: the estimator base class and the checks and helpers its
subclasses use (outcomes, weights, time-ordered validation splits, column selection).

Every ``fit`` takes ``X``, ``y`` and optionally ``time`` (the year of each row) and
``sample_weight``: models that choose a hyperparameter by validation hold out the latest
training years, never random rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from prevention_lens.errors import ValidationError
from prevention_lens.risk.params import Constraint, validate_params

FloatArray = npt.NDArray[np.float64]
EPS = 1e-6


def check_outcome(y: npt.ArrayLike) -> npt.NDArray[np.int64]:
    values = np.asarray(y)
    if values.ndim != 1:
        raise ValidationError(f"the outcome must be one column, got shape {values.shape}")
    if not np.isin(values, (0, 1)).all():
        raise ValidationError("the outcome must hold only 0 and 1")
    if values.sum() == 0:
        raise ValidationError("the outcome has no positive cases in the training rows")
    if values.sum() == len(values):
        raise ValidationError("the outcome has no negative cases in the training rows")
    return values.astype(np.int64)


def check_weights(sample_weight: npt.ArrayLike | None, n_rows: int) -> FloatArray | None:
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_rows,):
        raise ValidationError(
            f"sample_weight must give one weight per row ({n_rows}), got shape {weights.shape}"
        )
    if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise ValidationError("sample_weight must be finite, non-negative and not all zero")
    return weights


def time_split(
    time: npt.ArrayLike | None, n_rows: int, validation_years: int, gap: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] | None:
    """Rows to learn from and rows to validate on: the latest years held out, a gap before."""
    if time is None:
        return None
    years = np.asarray(time, dtype=float)
    if years.shape != (n_rows,):
        raise ValidationError(f"time must give one year per row ({n_rows}), got {years.shape}")
    last = years.max()
    held_out = years > last - validation_years
    learn = years <= last - validation_years - gap
    if held_out.sum() == 0 or learn.sum() == 0:
        return None
    return learn, held_out


class RiskModel(ClassifierMixin, BaseEstimator, ABC):  # type: ignore[misc]
    """Shared checks and predict methods: subclasses declare ``_constraints`` on their
    parameters, start ``fit`` with ``_begin_fit`` and implement ``decision_function`` (the logit).
    """

    _constraints: Mapping[str, Constraint] = {}

    def _begin_fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray | None]:
        """What every fit does first: check the parameters, X, y (0 and 1, one per row of X)
        and the weights, and set ``classes_``. Returns X's values, y and the weights."""
        validate_params(self, self._constraints)
        features = np.asarray(validate_data(self, X, dtype=np.float64), dtype=np.float64)
        outcome = check_outcome(y)
        if len(outcome) != len(features):
            raise ValidationError(f"X has {len(features)} rows but y has {len(outcome)}")
        self.classes_ = np.array([0, 1])
        return features, outcome, check_weights(sample_weight, len(outcome))

    @abstractmethod
    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The log-odds of an onset, one per row of X."""

    def predict_proba(self, X: npt.ArrayLike) -> FloatArray:
        """Probabilities of class 0 and class 1, one row per row of X."""
        check_is_fitted(self)
        positive = expit(self.decision_function(X))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """1 where the probability exceeds one half."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(np.int64)


def select_columns(X: Any, names: Sequence[str] | None, estimator: BaseEstimator) -> Any:
    if names is None:
        return X
    if not hasattr(X, "columns"):
        raise ValidationError(f"{type(estimator).__name__} with named features needs a DataFrame")
    missing = [name for name in names if name not in X.columns]
    if missing:
        raise ValidationError(f"X lacks the columns {', '.join(missing)}")
    return X[list(names)]


def column_values(chosen: Any, names: Sequence[str] | None) -> FloatArray:
    table = chosen[list(names)] if names is not None else chosen
    return np.asarray(table, dtype=np.float64)


def mean_log_loss(
    truth: npt.NDArray[np.int64], probability: FloatArray, weights: FloatArray | None = None
) -> float:
    p = np.clip(probability, EPS, 1 - EPS)
    return float(-np.average(truth * np.log(p) + (1 - truth) * np.log(1 - p), weights=weights))


def weights_of(weights: FloatArray | None, rows: npt.NDArray[np.bool_]) -> FloatArray | None:
    return None if weights is None else weights[rows]


def take_rows(X: Any, rows: npt.NDArray[np.int64]) -> Any:
    return X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]


def shift_to_rate(score: FloatArray, rate: float) -> float:
    """The constant c with mean(expit(score + c)) == rate, by Newton's method."""
    shift = float(logit(rate) - logit(np.clip(np.mean(expit(score)), EPS, 1 - EPS)))
    for _ in range(50):
        p = expit(score + shift)
        step = (p.mean() - rate) / max(float(np.mean(p * (1 - p))), EPS)
        shift -= step
        if abs(step) < 1e-10:
            break
    return shift
