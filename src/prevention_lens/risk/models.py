"""Risk models for country-year panels, following the scikit-learn estimator contract.

``ElasticNetLogit`` replicates EWP (glmnet binomial, lambda by 10-fold CV); ``BoostedTrees``
wraps histogram gradient boosting; ``FeatureLogit`` is a plain logit on a few columns
(baselines). Models built from these (ensembles, recalibrated and recency-weighted models, the
default) are in ``risk.composite``.

Parameters are checked in ``fit``; a bad one raises ValidationError naming it and its value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from prevention_lens.errors import ValidationError
from prevention_lens.risk.base import (
    FloatArray,
    RiskModel,
    column_values,
    mean_log_loss,
    select_columns,
    time_split,
    weights_of,
)
from prevention_lens.risk.glmnet import cv_path
from prevention_lens.risk.params import (
    NAMES,
    SEED,
    Constraint,
    Options,
    Range,
    Satisfies,
)

# --- the EWP replication ------------------------------------------------------------------


class ElasticNetLogit(RiskModel):
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
        features, outcome, weights = self._begin_fit(X, y, sample_weight)
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
            sample_weight=weights,
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


class FeatureLogit(RiskModel):
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
        _, outcome, weights = self._begin_fit(X, y, sample_weight)
        chosen = select_columns(X, self.features, self)
        self.model_ = LogisticRegression(C=np.inf, max_iter=1000).fit(
            chosen, outcome, sample_weight=weights
        )
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The log-odds of the fitted logit."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        chosen = select_columns(X, self.features, self)
        return np.asarray(self.model_.decision_function(chosen), dtype=np.float64)


class BoostedTrees(RiskModel):
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
        _, outcome, weights = self._begin_fit(X, y, sample_weight)
        chosen = select_columns(X, self.features, self)
        names = list(chosen.columns) if hasattr(chosen, "columns") else None
        if self.drop_time_trends and names is not None and time is not None:
            trends = set(time_trend_columns(chosen, np.asarray(time)))
            names = [name for name in names if name not in trends]
        self.features_used_ = names
        values = column_values(chosen, names)
        split = time_split(time, len(values), self.validation_years, self.gap)
        self.n_iter_ = int(self.max_iter)
        if split is not None and outcome[split[0]].sum() > 0 and outcome[split[1]].sum() > 0:
            learn, held_out = split
            trial, bins = self._fit_booster(
                self.max_iter, values[learn], outcome[learn], weights_of(weights, learn)
            )
            truth = outcome[held_out]
            losses = [
                mean_log_loss(truth, stage[:, 1], weights_of(weights, held_out))
                for stage in trial.staged_predict_proba(_bin_codes(values[held_out], bins))
            ]
            # More rows (more weight) in the final fit support proportionally more iterations.
            best = int(np.argmin(losses)) + 1
            whole = len(values) if weights is None else float(weights.sum())
            part = int(learn.sum()) if weights is None else float(weights[learn].sum())
            self.n_iter_ = max(1, round(best * whole / part))
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
        # The booster's regularization (l2, the least hessian to split) is absolute, so weights
        # averaging 1 keep it as strong as in an unweighted fit.
        mean_one = weights * len(weights) / weights.sum()
        booster = self._booster(n_iter).fit(
            _bin_codes(values, bins), outcome, sample_weight=mean_one
        )
        return booster, bins

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The boosted log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        values = column_values(select_columns(X, self.features, self), self.features_used_)
        return np.asarray(
            self.model_.decision_function(_bin_codes(values, self.bins_)), dtype=np.float64
        )


def replication_model() -> ElasticNetLogit:
    """EWP's model: glmnet binomial, alpha 0.5, lambda.min from 10-fold CV."""
    return ElasticNetLogit(alpha=0.5, n_folds=10, lambda_rule="min")


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
