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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
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

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6


# --- parameter constraints, declared as data -------------------------------------------------


@dataclass(frozen=True)
class _Range:
    kind: type
    low: float | None
    high: float | None
    closed: str = "both"  # which ends belong to the range: both, left, right, neither

    def accepts(self, value: object) -> bool:
        wanted = Integral if self.kind is int else Real
        if isinstance(value, bool) or not isinstance(value, wanted):
            return False
        number = float(value)
        if self.low is not None and (
            number < self.low or (number == self.low and self.closed in ("right", "neither"))
        ):
            return False
        return not (
            self.high is not None
            and (number > self.high or (number == self.high and self.closed in ("left", "neither")))
        )

    def describe(self) -> str:
        name = "an int" if self.kind is int else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{name} in the range {left}{low}, {high}{right}"


@dataclass(frozen=True)
class _Options:
    options: tuple[object, ...]

    def accepts(self, value: object) -> bool:
        return any(value == option and type(value) is type(option) for option in self.options)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(option) for option in self.options)


@dataclass(frozen=True)
class _Satisfies:
    check: Callable[[object], bool]
    description: str

    def accepts(self, value: object) -> bool:
        return self.check(value)

    def describe(self) -> str:
        return self.description


_Constraint = _Range | _Options | _Satisfies
_SEED = _Satisfies(
    lambda v: v is None or (isinstance(v, Integral) and not isinstance(v, bool) and int(v) >= 0),
    "a non-negative int or None",
)
_NAMES = _Satisfies(
    lambda v: (
        v is None or (isinstance(v, (tuple, list)) and all(isinstance(item, str) for item in v))
    ),
    "a list of column names or None",
)


def _validate(estimator: BaseEstimator, constraints: Mapping[str, _Constraint]) -> None:
    for name, constraint in constraints.items():
        value = getattr(estimator, name)
        if not constraint.accepts(value):
            raise ValidationError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"{constraint.describe()}. Got {value!r} instead."
            )


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


# --- glmnet's binomial elastic net, fitted for all CV folds at once ----------------------------
#
# The full-data fit and the fold fits are one batch of weighted problems over the same rows
# (held-out rows get weight 0), so each coordinate-descent step updates every fold together.
# Each fold's own standardization (as glmnet does it) becomes a per-fold penalty scale.
# Proximal Newton with an exact gradient and a Hessian shared across folds, refreshed at
# every lambda: the Hessian only sets the step, so the solution is glmnet's.


@dataclass(frozen=True)
class _PathResult:
    lambdas: FloatArray
    coef: FloatArray  # (lambdas, predictors) on the original scale
    intercept: FloatArray
    cv_mean: FloatArray
    cv_sd: FloatArray
    index_min: int
    index_1se: int
    center: FloatArray
    scale: FloatArray


def _coordinate_descent(
    hessian: FloatArray,
    gradient: FloatArray,
    start: FloatArray,
    l1: FloatArray,
    l2: FloatArray,
    tol: float = 1e-8,
    max_sweeps: int = 1000,
) -> FloatArray:
    """Minimize -g'(b - start) + (b - start)'H(b - start)/2 + l1|b| + l2 b^2/2, per fit."""
    # Coordinate-major copies: row j holds coordinate j of every fit, so updates are contiguous.
    beta = start.T.copy()
    residual = gradient.T.copy()  # minus the gradient of the quadratic part at beta
    columns = np.ascontiguousarray(hessian.transpose(2, 1, 0))
    diagonal = np.einsum("fjj->jf", hessian)
    threshold = l1.T
    # Excluded coordinates (infinite l1) stay at zero; the floor guards a vanishing variance.
    denominator = np.where(np.isfinite(threshold), np.maximum(diagonal, 1e-12) + l2.T, 1.0)
    active = (beta != 0).any(axis=1)
    for _ in range(max_sweeps):
        active |= (np.abs(residual) > threshold).any(axis=1)
        before = beta.copy()
        for j in np.flatnonzero(active):
            old = beta[j]
            u = residual[j] + diagonal[j] * old
            step = (u - np.clip(u, -threshold[j], threshold[j])) / denominator[j] - old
            if not step.any():
                continue
            beta[j] += step
            residual -= columns[j] * step
        moved = float(np.max(denominator * (beta - before) ** 2))
        if moved < tol and not (~active[:, None] & (np.abs(residual) > threshold)).any():
            break
    return np.asarray(beta.T.copy())


def _fit_paths(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    penalty_scale: FloatArray,
    alpha: float,
    lambdas: FloatArray,
    max_newton: int = 50,
    threshold: float = 1e-7,
) -> tuple[FloatArray, FloatArray]:
    """Coefficients (fits, lambdas, p) and intercepts (fits, lambdas) along the path.

    Row weights of each fit sum to one; an infinite penalty scale keeps a coefficient at 0.
    The path stops early, as glmnet's does, when fit 0 explains under 1e-5 more deviance.
    """
    n_fits, n_features = weights.shape[0], X.shape[1]
    allowed = np.isfinite(penalty_scale)
    scale = np.where(allowed, penalty_scale, 0.0)
    rate = np.clip(weights @ y, _EPS, 1 - _EPS)
    intercept = np.log(rate / (1 - rate))
    beta = np.zeros((n_fits, n_features))
    null_deviance = -2 * (rate[0] * np.log(rate[0]) + (1 - rate[0]) * np.log(1 - rate[0]))
    coefs = np.zeros((n_fits, len(lambdas), n_features))
    intercepts = np.zeros((n_fits, len(lambdas)))
    explained_before = 0.0
    for m, lam in enumerate(lambdas):
        l1 = np.where(allowed, lam * alpha * scale, np.inf)
        l2 = lam * (1 - alpha) * scale * scale
        for iteration in range(max_newton):
            p = expit(intercept[:, None] + beta @ X.T)
            working = weights * np.clip(p * (1 - p), 1e-5, None)
            residual = weights * (y - p)
            gradient = residual @ X
            gradient0 = residual.sum(axis=1)
            total = working.sum(axis=1)
            cross = working @ X
            if iteration == 0:
                # Fit 0's Hessian (intercept eliminated) stands in for every fit's: it is
                # positive semi-definite, and close while the folds agree with the full fit.
                root = X * np.sqrt(working[0])[:, None]
                shared = root.T @ root - np.outer(cross[0], cross[0]) / total[0]
                reduced = shared[None] * (total / total[0])[:, None, None]
            elif iteration == 4:
                # Slow to converge: some fold strays from the full fit; use each fit's own.
                reduced = np.empty((n_fits, n_features, n_features))
                for f in range(n_fits):
                    root = X * np.sqrt(working[f])[:, None]
                    reduced[f] = root.T @ root - np.outer(cross[f], cross[f]) / total[f]
            reduced_gradient = gradient - cross * (gradient0 / total)[:, None]
            updated = _coordinate_descent(reduced, reduced_gradient, beta, l1, l2)
            step = updated - beta
            step0 = (gradient0 - np.einsum("fp,fp->f", cross, step)) / total
            beta, intercept = updated, intercept + step0
            size = max(
                float(np.max(total * step0 * step0)),
                float(np.max(np.einsum("fjj->fj", reduced) * step * step)),
            )
            if size < threshold:
                break
        coefs[:, m], intercepts[:, m] = beta, intercept
        eta = intercept[0] + X @ beta[0]
        log_lik = weights[0] @ (y * eta - np.logaddexp(0.0, eta))
        explained = 1 + 2 * log_lik / null_deviance
        if m >= 4 and (explained - explained_before < 1e-5 or explained > 0.999):
            return coefs[:, : m + 1], intercepts[:, : m + 1]
        explained_before = explained
    return coefs, intercepts


def _cv_path(
    X: FloatArray,
    y: FloatArray,
    *,
    alpha: float,
    n_folds: int,
    n_lambdas: int,
    lambda_min_ratio: float,
    rng: np.random.Generator,
) -> _PathResult:
    n_rows = len(y)
    if n_rows < n_folds:
        raise ValidationError(f"{n_rows} training rows cannot be split into {n_folds} folds")
    center = X.mean(axis=0)
    scale = X.std(axis=0)
    usable = scale > 0
    standardized = np.where(usable, (X - center) / np.where(usable, scale, 1.0), 0.0)
    folds = rng.permutation(np.arange(n_rows) % n_folds)
    weights = np.zeros((n_folds + 1, n_rows))
    weights[0] = 1.0 / n_rows
    penalty = np.where(usable, 1.0, np.inf)[None, :].repeat(n_folds + 1, axis=0)
    for k in range(n_folds):
        learn = folds != k
        if y[learn].sum() == 0:
            raise ValidationError(f"cross-validation fold {k + 1} has no positive cases")
        weights[k + 1, learn] = 1.0 / learn.sum()
        fold_scale = X[learn].std(axis=0)
        penalty[k + 1] = np.where(
            usable & (fold_scale > 0), fold_scale / np.where(usable, scale, 1.0), np.inf
        )
    strongest = np.max(np.abs(standardized.T @ (y - y.mean()))) / n_rows / max(alpha, 1e-3)
    lambdas = strongest * lambda_min_ratio ** (np.arange(n_lambdas) / (n_lambdas - 1))
    coefs, intercepts = _fit_paths(standardized, y, weights, penalty, alpha, lambdas)
    lambdas = lambdas[: coefs.shape[1]]
    deviance = np.zeros((n_folds, len(lambdas)))
    counts = np.zeros(n_folds)
    for k in range(n_folds):
        held = folds == k
        p = np.clip(
            expit(intercepts[k + 1][None, :] + standardized[held] @ coefs[k + 1].T), 1e-5, 1 - 1e-5
        )
        truth = y[held, None]
        deviance[k] = np.mean(-2 * (truth * np.log(p) + (1 - truth) * np.log(1 - p)), axis=0)
        counts[k] = held.sum()
    cv_mean = counts @ deviance / counts.sum()
    cv_sd = np.sqrt(counts @ (deviance - cv_mean) ** 2 / counts.sum() / (n_folds - 1))
    # glmnet keeps the largest lambda among ties.
    index_min = int(np.flatnonzero(cv_mean <= cv_mean.min())[0])
    index_1se = int(np.flatnonzero(cv_mean <= cv_mean[index_min] + cv_sd[index_min])[0])
    original = np.where(usable, coefs[0] / np.where(usable, scale, 1.0), 0.0)
    return _PathResult(
        lambdas=lambdas,
        coef=original,
        intercept=intercepts[0] - original @ center,
        cv_mean=cv_mean,
        cv_sd=cv_sd,
        index_min=index_min,
        index_1se=index_1se,
        center=center,
        scale=scale,
    )


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

    _constraints: Mapping[str, _Constraint] = {
        "alpha": _Range(float, 0, 1),
        "n_folds": _Range(int, 3, None),
        "lambda_rule": _Options(("min", "1se")),
        "n_lambdas": _Range(int, 2, None),
        "lambda_min_ratio": _Satisfies(
            lambda v: v is None or _Range(float, 0, 1, "neither").accepts(v),
            "a float in the range (0, 1) or None",
        ),
        "random_state": _SEED,
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
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> ElasticNetLogit:
        """Fit the lambda path and the cross-validation folds; ``time`` is not used."""
        _validate(self, self._constraints)
        features = validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        if len(outcome) != len(features):
            raise ValidationError(f"X has {len(features)} rows but y has {len(outcome)}")
        self.classes_ = np.array([0, 1])
        ratio = self.lambda_min_ratio
        if ratio is None:
            ratio = 1e-4 if features.shape[0] > features.shape[1] else 1e-2
        result = _cv_path(
            features,
            outcome.astype(np.float64),
            alpha=float(self.alpha),
            n_folds=int(self.n_folds),
            n_lambdas=int(self.n_lambdas),
            lambda_min_ratio=float(ratio),
            rng=np.random.default_rng(self.random_state),
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

    _constraints: Mapping[str, _Constraint] = {"features": _NAMES}

    def __init__(self, features: Sequence[str] | None = None) -> None:
        self.features = features

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> FeatureLogit:
        """Fit the logit; ``time`` is not used."""
        _validate(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
        self.classes_ = np.array([0, 1])
        chosen = _select(X, self.features, self)
        self.model_ = LogisticRegression(C=np.inf, max_iter=1000).fit(chosen, outcome)
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
    Learned: ``n_iter_``, ``features_used_``, ``model_``, ``classes_``, ``n_features_in_``.
    """

    _constraints: Mapping[str, _Constraint] = {
        "learning_rate": _Range(float, 0, 1, "right"),
        "max_iter": _Range(int, 1, None),
        "max_depth": _Range(int, 1, None),
        "min_samples_leaf": _Range(int, 1, None),
        "l2_regularization": _Range(float, 0, None),
        "validation_years": _Range(int, 1, None),
        "gap": _Range(int, 0, None),
        "features": _NAMES,
        "drop_time_trends": _Satisfies(lambda v: isinstance(v, bool), "a bool"),
        "monotone": _Satisfies(
            lambda v: (
                v is None or (isinstance(v, Mapping) and all(c in (-1, 0, 1) for c in v.values()))
            ),
            "a mapping of column names to -1, 0 or 1, or None",
        ),
        "random_state": _SEED,
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
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> BoostedTrees:
        """Fit, choosing the number of boosting iterations on the latest training years."""
        _validate(self, self._constraints)
        validate_data(self, X, dtype=np.float64)
        outcome = _check_outcome(y)
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
            trial = self._booster(self.max_iter).fit(values[learn], outcome[learn])
            truth = outcome[held_out]
            losses = [
                _mean_log_loss(truth, stage[:, 1])
                for stage in trial.staged_predict_proba(values[held_out])
            ]
            # More rows in the final fit support proportionally more iterations.
            best = int(np.argmin(losses)) + 1
            self.n_iter_ = max(1, round(best * len(values) / int(learn.sum())))
        self.model_ = self._booster(self.n_iter_).fit(values, outcome)
        return self

    def decision_function(self, X: npt.ArrayLike) -> FloatArray:
        """The boosted log-odds."""
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, reset=False)
        values = _values(_select(X, self.features, self), self.features_used_)
        return np.asarray(self.model_.decision_function(values), dtype=np.float64)


# --- combining and calibrating ---------------------------------------------------------------


class Ensemble(_RiskModel):
    """The weighted mean of its members' log-odds (equal weights by default).

    ``members`` is a list of (name, estimator) pairs; each is cloned and fitted on the same rows.
    Learned: ``members_`` (name to fitted estimator), ``weights_``.
    """

    _constraints: Mapping[str, _Constraint] = {
        "members": _Satisfies(
            lambda v: (
                isinstance(v, (list, tuple))
                and len(v) > 0
                and all(isinstance(m, tuple) and len(m) == 2 and isinstance(m[0], str) for m in v)
            ),
            "a non-empty list of (name, estimator) pairs",
        ),
        "weights": _Satisfies(
            lambda v: (
                v is None
                or (
                    isinstance(v, (list, tuple))
                    and all(_Range(float, 0, None).accepts(w) for w in v)
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
        self, X: npt.ArrayLike, y: npt.ArrayLike, time: npt.ArrayLike | None = None
    ) -> Ensemble:
        """Fit every member on X, y (and time)."""
        _validate(self, self._constraints)
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
        self.members_ = {name: clone(member).fit(X, y, time=time) for name, member in self.members}
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

    _constraints: Mapping[str, _Constraint] = {
        "method": _Options(("intercept", "trend", "offset", "platt")),
        "recent_years": _Range(int, 1, None),
        "gap": _Range(int, 0, None),
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
        _validate(self, self._constraints)
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


def _values(chosen: Any, names: Sequence[str] | None) -> FloatArray:
    table = chosen[list(names)] if names is not None else chosen
    return np.asarray(table, dtype=np.float64)


def _mean_log_loss(truth: npt.NDArray[np.int64], probability: FloatArray) -> float:
    p = np.clip(probability, _EPS, 1 - _EPS)
    return float(-np.mean(truth * np.log(p) + (1 - truth) * np.log(1 - p)))


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
