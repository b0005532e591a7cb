"""Risk models for country-year panels, following the scikit-learn estimator contract.

``ElasticNetLogit`` replicates EWP (glmnet binomial, lambda by 10-fold CV); ``BoostedTrees``
wraps histogram gradient boosting; ``Ensemble`` averages members on the logit scale;
``Recalibrated`` corrects a model's probabilities using only its own training years;
``FeatureLogit`` is a plain logit on a few columns (baselines).

Every ``fit`` takes ``X``, ``y`` and optionally ``time`` (the year of each row): models that
choose a hyperparameter by validation hold out the latest training years, never random rows.
Parameters are checked in ``fit``; a bad one raises ValidationError naming it and its value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from prevention_lens.errors import ValidationError
from prevention_lens.risk.glmnet import cv_path
from prevention_lens.risk.params import (
    NAMES,
    SEED,
    Constraint,
    Options,
    Range,
    Satisfies,
    validate_params,
)

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6


# --- shared helpers ---------------------------------------------------------------------------


def _check_outcome(y: npt.ArrayLike) -> npt.NDArray[np.int64]:
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


def _check_weights(sample_weight: npt.ArrayLike | None, n_rows: int) -> FloatArray | None:
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


def _time_split(
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


class _RiskModel(ClassifierMixin, BaseEstimator, ABC):  # type: ignore[misc]
    """Shared predict methods: subclasses implement ``decision_function`` (the logit)."""

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


# --- the EWP replication ------------------------------------------------------------------


class ElasticNetLogit(_RiskModel):
    """Elastic-net logistic regression fitted like R's ``cv.glmnet(family="binomial")``.

    Predictors are standardized (population sd, as glmnet), the lambda path runs from the
    smallest lambda that zeroes every coefficient down ``lambda_min_ratio`` (1e-4 when rows
    outnumber predictors, else 0.01) in ``n_lambdas`` steps, stopping early as glmnet does;
    lambda is picked by ``n_folds``-fold cross-validated deviance over randomly assigned folds
    (``lambda_rule`` "min" or "1se"). Coefficients are reported on the original scale.
    Learned: ``coef_``, ``intercept_``, ``lambda_``, ``lambdas_``, ``cv_deviance_``,
    ``cv_deviance_sd_``, ``center_``, ``scale_``, ``classes_``, ``n_features_in_``.
    """

    _constraints: Mapping[str, Constraint] = {
        "alpha": Range(float, 0, 1),
        "n_folds": Range(int, 3, None),
        "lambda_rule": Options(("min", "1se")),
        "n_lambdas": Range(int, 2, None),
        "lambda_min_ratio": Satisfies(
            lambda v: v is None or Range(float, 0, 1, "neither").accepts(v),
            "a float in the range (0, 1) or None",
        ),
        "random_state": SEED,
    }

    def __init__(
        self,
        alpha: float = 0.5,
        n_folds: int = 10,
        lambda_rule: str = "min",
        n_lambdas: int = 100,
        lambda_min_ratio: float | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.alpha = alpha
        self.n_folds = n_folds
        self.lambda_rule = lambda_rule
        self.n_lambdas = n_lambdas
        self.lambda_min_ratio = lambda_min_ratio
        self.random_state = random_state

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        time: npt.ArrayLike | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> ElasticNetLogit:
        """Fit the lambda path and the cross-validation folds; ``time`` is not used."""
        validate_params(self, self._constraints)
        features = validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        if len(outcome) != len(features):
            raise ValidationError(f"X has {len(features)} rows but y has {len(outcome)}")
        self.classes_ = np.array([0, 1])
        ratio = self.lambda_min_ratio
        if ratio is None:
            ratio = 1e-4 if features.shape[0] > features.shape[1] else 1e-2
        result = cv_path(
            features,
            outcome.astype(np.float64),
            alpha=float(self.alpha),
            n_folds=int(self.n_folds),
            n_lambdas=int(self.n_lambdas),
            lambda_min_ratio=float(ratio),
            rng=np.random.default_rng(self.random_state),
            sample_weight=_check_weights(sample_weight, len(outcome)),
        )
        chosen = result.index_min if self.lambda_rule == "min" else result.index_1se
        self.lambdas_ = result.lambdas
        self.cv_deviance_ = result.cv_mean
        self.cv_deviance_sd_ = result.cv_sd
        self.lambda_ = float(result.lambdas[chosen])
        self.center_ = result.center
        self.scale_ = result.scale
        self.coef_ = result.coef[chosen]
        self.intercept_ = float(result.intercept[chosen])
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The linear predictor (log-odds)."""
        check_is_fitted(self)
        features = validate_data(self, X, dtype=np.float64, reset=False)
        # Centred before multiplying: the year-squared column would otherwise lose precision.
        centred = (features - self.center_) @ self.coef_
        return np.asarray(centred + self.intercept_ + self.center_ @ self.coef_, dtype=np.float64)


class FeatureLogit(_RiskModel):
    """An unpenalized logit on a few named columns of X (all columns when ``features`` is None).

    The baselines: a logit on battle deaths alone, or on the previous year's onset.
    """

    _constraints: Mapping[str, Constraint] = {"features": NAMES}

    def __init__(self, features: Sequence[str] | None = None) -> None:
        self.features = features

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        time: npt.ArrayLike | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> FeatureLogit:
        """Fit the logit; ``time`` is not used."""
        validate_params(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        weights = _check_weights(sample_weight, len(outcome))
        self.classes_ = np.array([0, 1])
        chosen = _select(X, self.features, self)
        self.model_ = LogisticRegression(C=np.inf, max_iter=1000).fit(
            chosen, outcome, sample_weight=weights
        )
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The log-odds of the fitted logit."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        chosen = _select(X, self.features, self)
        return np.asarray(self.model_.decision_function(chosen), dtype=np.float64)


class BoostedTrees(_RiskModel):
    """Histogram gradient boosting with shallow trees, its length chosen on the latest years.

    With ``time`` given, a first fit on rows up to ``validation_years + gap`` years before the
    last training year is scored (log loss) on the last ``validation_years`` years after each
    boosting iteration; the final model is refitted on all rows with the best number of
    iterations, scaled by the ratio of rows. Without ``time``, ``max_iter`` iterations are used.
    ``features`` restricts the columns used; ``drop_time_trends`` leaves out columns that are
    the same for every row of a year (the year itself, its square), which trees cannot
    extrapolate; ``monotone`` maps column names to +1/-1 constraints.
    ``sample_weight`` weighs rows in the fits and in the validation loss; the bins still come
    from unweighted quantiles (scikit-learn's weighted quantiles are slow and bins only set
    where splits may fall). Learned: ``n_iter_``, ``features_used_``, ``model_``, ``bins_``
    (per column thresholds, or None), ``classes_``, ``n_features_in_``.
    """

    _constraints: Mapping[str, Constraint] = {
        "learning_rate": Range(float, 0, 1, "right"),
        "max_iter": Range(int, 1, None),
        "max_depth": Range(int, 1, None),
        "min_samples_leaf": Range(int, 1, None),
        "l2_regularization": Range(float, 0, None),
        "validation_years": Range(int, 1, None),
        "gap": Range(int, 0, None),
        "features": NAMES,
        "drop_time_trends": Satisfies(lambda v: isinstance(v, bool), "a bool"),
        "monotone": Satisfies(
            lambda v: (
                v is None or (isinstance(v, Mapping) and all(c in (-1, 0, 1) for c in v.values()))
            ),
            "a mapping of column names to -1, 0 or 1, or None",
        ),
        "random_state": SEED,
    }

    def __init__(
        self,
        learning_rate: float = 0.05,
        max_iter: int = 300,
        max_depth: int = 3,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        validation_years: int = 8,
        gap: int = 2,
        features: Sequence[str] | None = None,
        drop_time_trends: bool = True,
        monotone: Mapping[str, int] | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.validation_years = validation_years
        self.gap = gap
        self.features = features
        self.drop_time_trends = drop_time_trends
        self.monotone = monotone
        self.random_state = random_state

    def _booster(self, n_iter: int) -> HistGradientBoostingClassifier:
        monotone: list[int] | None = None
        if self.monotone:
            names = self.features_used_
            if names is None:
                raise ValidationError("monotone constraints need X as a DataFrame")
            unknown = sorted(set(self.monotone) - set(names))
            if unknown:
                raise ValidationError(f"monotone names unknown columns {', '.join(unknown)}")
            monotone = [int(self.monotone.get(name, 0)) for name in names]
        return HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=n_iter,
            max_depth=self.max_depth,
            max_leaf_nodes=None,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            monotonic_cst=monotone,
            early_stopping=False,
            random_state=self.random_state,
        )

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        time: npt.ArrayLike | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> BoostedTrees:
        """Fit, choosing the number of boosting iterations on the latest training years."""
        validate_params(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        weights = _check_weights(sample_weight, len(outcome))
        self.classes_ = np.array([0, 1])
        chosen = _select(X, self.features, self)
        names = list(chosen.columns) if hasattr(chosen, "columns") else None
        if self.drop_time_trends and names is not None and time is not None:
            trends = set(time_trend_columns(chosen, np.asarray(time)))
            names = [name for name in names if name not in trends]
        self.features_used_ = names
        values = _values(chosen, names)
        split = _time_split(time, len(values), self.validation_years, self.gap)
        self.n_iter_ = int(self.max_iter)
        if split is not None and outcome[split[0]].sum() > 0 and outcome[split[1]].sum() > 0:
            learn, held_out = split
            trial, bins = self._fit_booster(
                self.max_iter, values[learn], outcome[learn], _rows(weights, learn)
            )
            truth = outcome[held_out]
            losses = [
                _mean_log_loss(truth, stage[:, 1], _rows(weights, held_out))
                for stage in trial.staged_predict_proba(_bin_codes(values[held_out], bins))
            ]
            # More rows in the final fit support proportionally more iterations.
            best = int(np.argmin(losses)) + 1
            self.n_iter_ = max(1, round(best * len(values) / int(learn.sum())))
        self.model_, self.bins_ = self._fit_booster(self.n_iter_, values, outcome, weights)
        return self

    def _fit_booster(
        self,
        n_iter: int,
        values: FloatArray,
        outcome: npt.NDArray[np.int64],
        weights: FloatArray | None,
    ) -> tuple[HistGradientBoostingClassifier, list[FloatArray] | None]:
        if weights is None:
            return self._booster(n_iter).fit(values, outcome), None
        bins = [_quantile_thresholds(column) for column in values.T]
        booster = self._booster(n_iter).fit(
            _bin_codes(values, bins), outcome, sample_weight=weights
        )
        return booster, bins

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The boosted log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        values = _values(_select(X, self.features, self), self.features_used_)
        return np.asarray(
            self.model_.decision_function(_bin_codes(values, self.bins_)), dtype=np.float64
        )


# --- combining and calibrating ---------------------------------------------------------------


class Ensemble(_RiskModel):
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
        validate_params(self, self._constraints)
        if self.weights is not None and len(self.weights) != len(self.members):
            raise ValidationError(
                f"Ensemble has {len(self.members)} members but {len(self.weights)} weights"
            )
        validate_data(self, X, dtype=np.float64)
        _check_outcome(y)
        self.classes_ = np.array([0, 1])
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


class Recalibrated(_RiskModel):
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
        validate_params(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        self.classes_ = np.array([0, 1])
        self.shift_, self.slope_ = 0.0, 1.0
        split = _time_split(time, len(outcome), self.recent_years, self.gap)
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
        score = self.estimator_.decision_function(_take(X, anchor))
        self.shift_ = _shift_to_rate(score, float(np.clip(rate, _EPS, 1 - _EPS)))
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
            _take(X, np.flatnonzero(learn)), outcome[learn], time=time[learn]
        )
        score = trial.decision_function(_take(X, np.flatnonzero(held_out)))
        if self.method == "platt":
            platt = LogisticRegression(C=np.inf).fit(score[:, None], outcome[held_out])
            self.slope_ = float(platt.coef_[0, 0])
            self.shift_ = float(platt.intercept_[0])
        else:
            self.shift_ = _shift_to_rate(score, float(outcome[held_out].mean()))

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The corrected log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.slope_ * self.estimator_.decision_function(X) + self.shift_)


class RecencyWeighted(_RiskModel):
    """A model fitted with rows weighed by their age: a row ``half_life`` years older than the
    last training year counts half as much, so the latest years set the base rate most.

    Without ``time`` every row counts alike. Learned: ``estimator_``, ``weights_`` (per row).
    """

    _constraints: Mapping[str, Constraint] = {"half_life": Range(float, 0, None, "neither")}

    def __init__(self, estimator: BaseEstimator, half_life: float = 20.0) -> None:
        self.estimator = estimator
        self.half_life = half_life

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> RecencyWeighted:
        """Fit the estimator with age weights."""
        validate_params(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        self.classes_ = np.array([0, 1])
        self.weights_ = np.ones(len(outcome))
        if time is not None:
            years = np.asarray(time, dtype=float)
            if years.shape != outcome.shape:
                raise ValidationError(
                    f"time must give one year per row ({len(outcome)}), got {years.shape}"
                )
            self.weights_ = 0.5 ** ((years.max() - years) / float(self.half_life))
        self.estimator_ = clone(self.estimator).fit(
            X, outcome, time=time, sample_weight=self.weights_
        )
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The weighted model's log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.estimator_.decision_function(X), dtype=np.float64)


def replication_model() -> ElasticNetLogit:
    """EWP's model: glmnet binomial, alpha 0.5, lambda.min from 10-fold CV."""
    return ElasticNetLogit(alpha=0.5, n_folds=10, lambda_rule="min")


def default_model() -> Ensemble:
    """The default: the mean log-odds of the EWP replication and boosted trees."""
    return Ensemble(
        members=[("elastic_net", replication_model()), ("boosted_trees", BoostedTrees())]
    )


# --- helpers -----------------------------------------------------------------------------------


def time_trend_columns(features: Any, time: npt.ArrayLike) -> list[str]:
    """Columns whose value is the same for every row of a time and differs between times."""
    frame = pd.DataFrame(features).reset_index(drop=True)
    years = pd.Series(np.asarray(time)).reset_index(drop=True)
    if years.nunique() < 2:
        return []
    spread = frame.groupby(years).agg(["min", "max"])
    found = []
    for column in frame.columns:
        lows, highs = spread[(column, "min")], spread[(column, "max")]
        if (lows == highs).all() and lows.nunique() > 1:
            found.append(str(column))
    return found


def _select(X: Any, names: Sequence[str] | None, estimator: BaseEstimator) -> Any:
    if names is None:
        return X
    if not hasattr(X, "columns"):
        raise ValidationError(f"{type(estimator).__name__} with named features needs a DataFrame")
    missing = [name for name in names if name not in X.columns]
    if missing:
        raise ValidationError(f"X lacks the columns {', '.join(missing)}")
    return X[list(names)]


def _quantile_thresholds(column: FloatArray, max_bins: int = 255) -> FloatArray:
    """The bin thresholds scikit-learn's histogram boosting finds for unweighted data."""
    known = np.sort(column[~np.isnan(column)])
    distinct = np.unique(known)
    if len(distinct) <= max_bins:
        return np.asarray((distinct[:-1] + distinct[1:]) / 2, dtype=np.float64)
    percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
    return np.unique(np.percentile(known, percentiles, method="averaged_inverted_cdf"))


def _bin_codes(values: FloatArray, bins: Sequence[FloatArray] | None) -> FloatArray:
    """Each value as the number of its bin (x falls in bin i when t[i-1] < x <= t[i]);
    the values themselves when there are no bins."""
    if bins is None:
        return values
    codes = np.empty_like(values)
    for j, thresholds in enumerate(bins):
        codes[:, j] = np.searchsorted(thresholds, values[:, j], side="left")
    codes[np.isnan(values)] = np.nan
    return codes


def _values(chosen: Any, names: Sequence[str] | None) -> FloatArray:
    table = chosen[list(names)] if names is not None else chosen
    return np.asarray(table, dtype=np.float64)


def _mean_log_loss(
    truth: npt.NDArray[np.int64], probability: FloatArray, weights: FloatArray | None = None
) -> float:
    p = np.clip(probability, _EPS, 1 - _EPS)
    return float(-np.average(truth * np.log(p) + (1 - truth) * np.log(1 - p), weights=weights))


def _rows(weights: FloatArray | None, rows: npt.NDArray[np.bool_]) -> FloatArray | None:
    return None if weights is None else weights[rows]


def _take(X: Any, rows: npt.NDArray[np.int64]) -> Any:
    return X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]


def _shift_to_rate(score: FloatArray, rate: float) -> float:
    """The constant c with mean(expit(score + c)) == rate, by Newton's method."""
    shift = float(logit(rate) - logit(np.clip(np.mean(expit(score)), _EPS, 1 - _EPS)))
    for _ in range(50):
        p = expit(score + shift)
        step = (p.mean() - rate) / max(float(np.mean(p * (1 - p))), _EPS)
        shift -= step
        if abs(step) < 1e-10:
            break
    return shift
