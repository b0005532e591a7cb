"""Risk models built from other risk models: ``Ensemble`` averages members on the logit scale,
``Recalibrated`` corrects a model's probabilities using only its own training years,
``RecencyWeighted`` fits a model with recent years counting more; ``default_model`` is the one
Prevention Lens forecasts with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from prevention_lens.errors import ValidationError
from prevention_lens.risk.base import (
    EPS,
    FloatArray,
    RiskModel,
    shift_to_rate,
    take_rows,
    time_split,
)
from prevention_lens.risk.models import BoostedTrees, replication_model
from prevention_lens.risk.params import Constraint, Options, Range, Satisfies


class Ensemble(RiskModel):
    """The weighted mean of its members' log-odds (equal weights by default).

    ``members`` is a list of (name, estimator) pairs; each is cloned and fitted on the same rows.
    Learned: ``members_`` (name to fitted estimator), ``weights_``.
    """

    _constraints: Mapping[str, Constraint] = {
        "members": Satisfies(
            lambda v: (
                isinstance(v, (list, tuple))
                and len(v) > 0
                and all(isinstance(m, tuple) and len(m) == 2 and isinstance(m[0], str) for m in v)
            ),
            "a non-empty list of (name, estimator) pairs",
        ),
        "weights": Satisfies(
            lambda v: (
                v is None
                or (
                    isinstance(v, (list, tuple))
                    and all(Range(float, 0, None).accepts(w) for w in v)
                )
            ),
            "a list of non-negative floats or None",
        ),
    }

    def __init__(
        self,
        members: Sequence[tuple[str, BaseEstimator]],
        weights: Sequence[float] | None = None,
    ) -> None:
        self.members = members
        self.weights = weights

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        time: npt.ArrayLike | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Ensemble:
        """Fit every member on X, y (and time, and sample_weight)."""
        self._begin_fit(X, y, sample_weight)
        if self.weights is not None and len(self.weights) != len(self.members):
            raise ValidationError(
                f"Ensemble has {len(self.members)} members but {len(self.weights)} weights"
            )
        weights = np.ones(len(self.members)) if self.weights is None else np.asarray(self.weights)
        if weights.sum() <= 0:
            raise ValidationError("Ensemble weights must not all be zero")
        self.weights_ = weights / weights.sum()
        weighted = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.members_ = {
            name: clone(member).fit(X, y, time=time, **weighted) for name, member in self.members
        }
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The weighted mean of the members' log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        logits = [member.decision_function(X) for member in self.members_.values()]
        return np.asarray(np.average(np.vstack(logits), axis=0, weights=self.weights_))


class Recalibrated(RiskModel):
    """A model whose log-odds are shifted (and, for "platt", scaled) using its training years.

    ``method``:
      "intercept": add the constant that makes the mean in-sample probability over the last
        ``recent_years`` training years equal their observed rate;
      "trend": the same over the last training year, aiming at the rate that a logistic trend
        fitted on the last ``recent_years`` years reaches ``gap`` years after the last one;
      "offset" / "platt": fit a clone on rows up to ``recent_years + gap`` years before the last,
        then fit a shift (or a logistic map) of its log-odds on the last ``recent_years`` years;
        refit on all rows and apply it.
    Without ``time`` the model is left uncalibrated. Learned: ``estimator_``, ``shift_``,
    ``slope_``.
    """

    _constraints: Mapping[str, Constraint] = {
        "method": Options(("intercept", "trend", "offset", "platt")),
        "recent_years": Range(int, 1, None),
        "gap": Range(int, 0, None),
    }

    def __init__(
        self,
        estimator: BaseEstimator,
        method: str = "intercept",
        recent_years: int = 10,
        gap: int = 2,
    ) -> None:
        self.estimator = estimator
        self.method = method
        self.recent_years = recent_years
        self.gap = gap

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> Recalibrated:
        """Fit the estimator and the correction on the training rows."""
        _, outcome, _ = self._begin_fit(X, y)
        self.shift_, self.slope_ = 0.0, 1.0
        split = time_split(time, len(outcome), self.recent_years, self.gap)
        if split is not None and self.method in ("offset", "platt"):
            self._fit_on_held_out(X, outcome, np.asarray(time), *split)
        self.estimator_ = clone(self.estimator).fit(X, y, time=time)
        if split is None or self.method in ("offset", "platt"):
            return self
        years = np.asarray(time, dtype=float)
        last = float(years.max())
        recent = years > last - self.recent_years
        if self.method == "intercept":
            rate = float(outcome[recent].mean())
            anchor = np.flatnonzero(recent)
        else:
            trend = LogisticRegression(C=np.inf).fit(years[recent, None] - last, outcome[recent])
            rate = float(expit(trend.intercept_[0] + trend.coef_[0, 0] * self.gap))
            anchor = np.flatnonzero(years == last)
        score = self.estimator_.decision_function(take_rows(X, anchor))
        self.shift_ = shift_to_rate(score, float(np.clip(rate, EPS, 1 - EPS)))
        return self

    def _fit_on_held_out(
        self,
        X: Any,
        outcome: npt.NDArray[np.int64],
        time: npt.NDArray[Any],
        learn: npt.NDArray[np.bool_],
        held_out: npt.NDArray[np.bool_],
    ) -> None:
        if outcome[learn].sum() == 0 or outcome[held_out].sum() == 0:
            return
        trial = clone(self.estimator).fit(
            take_rows(X, np.flatnonzero(learn)), outcome[learn], time=time[learn]
        )
        score = trial.decision_function(take_rows(X, np.flatnonzero(held_out)))
        if self.method == "platt":
            platt = LogisticRegression(C=np.inf).fit(score[:, None], outcome[held_out])
            self.slope_ = float(platt.coef_[0, 0])
            self.shift_ = float(platt.intercept_[0])
        else:
            self.shift_ = shift_to_rate(score, float(outcome[held_out].mean()))

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The corrected log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.slope_ * self.estimator_.decision_function(X) + self.shift_)


class RecencyWeighted(RiskModel):
    """A model fitted with rows weighed by their age: a row ``half_life`` years older than the
    last training year counts half as much, so the latest years set the base rate most.

    Without ``time`` every row counts alike. Learned: ``estimator_``, ``weights_`` (per row).
    """

    _constraints: Mapping[str, Constraint] = {"half_life": Range(float, 0, None, "neither")}

    def __init__(self, estimator: BaseEstimator, half_life: float = 20.0) -> None:
        self.estimator = estimator
        self.half_life = half_life

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        time: npt.ArrayLike | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> RecencyWeighted:
        """Fit the estimator with age weights (times ``sample_weight``, when given)."""
        _, outcome, given = self._begin_fit(X, y, sample_weight)
        self.weights_ = np.ones(len(outcome))
        if time is not None:
            years = np.asarray(time, dtype=float)
            if years.shape != outcome.shape:
                raise ValidationError(
                    f"time must give one year per row ({len(outcome)}), got {years.shape}"
                )
            self.weights_ = 0.5 ** ((years.max() - years) / float(self.half_life))
        if given is not None:
            self.weights_ = self.weights_ * given
        self.estimator_ = clone(self.estimator).fit(
            X, outcome, time=time, sample_weight=self.weights_
        )
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The weighted model's log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.estimator_.decision_function(X), dtype=np.float64)


def default_model() -> Ensemble:
    """The default: the mean log-odds of the EWP replication and boosted trees."""
    return Ensemble(
        members=[("elastic_net", replication_model()), ("boosted_trees", BoostedTrees())]
    )
