"""Risk models: the scikit-learn contract, glmnet's solution, time-ordered choices, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from prevention_lens.errors import ValidationError
from prevention_lens.risk.composite import Ensemble, Recalibrated, RecencyWeighted
from prevention_lens.risk.glmnet import cv_path
from prevention_lens.risk.models import (
    BoostedTrees,
    ElasticNetLogit,
    FeatureLogit,
    time_trend_columns,
)
from tests.risk.synthetic import xy

SEEDS = [0, 1, 2]


MODELS = [
    lambda: ElasticNetLogit(n_folds=5),
    lambda: BoostedTrees(max_iter=30),
    lambda: FeatureLogit(["x1"]),
    lambda: Ensemble([("en", ElasticNetLogit(n_folds=5)), ("bt", BoostedTrees(max_iter=30))]),
    lambda: Recalibrated(FeatureLogit(["x1", "x2"]), method="intercept", recent_years=5),
    lambda: RecencyWeighted(BoostedTrees(max_iter=30), half_life=5.0),
]


@pytest.mark.parametrize("make", MODELS)
def test_estimator_contract(make: object) -> None:
    model = make()  # type: ignore[operator]
    assert isinstance(model, BaseEstimator)
    params = model.get_params(deep=False)
    copy = clone(model)
    assert copy.get_params(deep=False).keys() == params.keys()
    X, y, time = xy(0)
    with pytest.raises(NotFittedError):
        model.predict_proba(X)
    assert model.fit(X, y, time=time) is model
    assert model.get_params(deep=False).keys() == params.keys()
    probability = model.predict_proba(X)
    assert probability.shape == (len(X), 2)
    np.testing.assert_allclose(probability.sum(axis=1), 1.0)
    assert list(model.classes_) == [0, 1] and model.n_features_in_ == 5
    assert set(np.unique(model.predict(X))) <= {0, 1}


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            ElasticNetLogit(alpha=1.5),
            "The 'alpha' parameter of ElasticNetLogit must be a float in the range [0, 1]. "
            "Got 1.5 instead.",
        ),
        (
            ElasticNetLogit(lambda_rule="max"),
            "The 'lambda_rule' parameter of ElasticNetLogit must be one of 'min', '1se'. "
            "Got 'max' instead.",
        ),
        (
            ElasticNetLogit(n_folds=2),
            "The 'n_folds' parameter of ElasticNetLogit must be an int in the range [3, inf]. "
            "Got 2 instead.",
        ),
        (
            BoostedTrees(learning_rate=0),
            "The 'learning_rate' parameter of BoostedTrees must be a float in the range (0, 1]. "
            "Got 0 instead.",
        ),
        (
            Recalibrated(FeatureLogit(), method="isotonic"),
            "The 'method' parameter of Recalibrated must be one of 'intercept', 'trend', "
            "'offset', 'platt'. Got 'isotonic' instead.",
        ),
    ],
)
def test_bad_parameters_are_named_in_fit(model: BaseEstimator, message: str) -> None:
    X, y, time = xy(0)
    with pytest.raises(ValidationError) as caught:
        model.fit(X, y, time=time)
    assert str(caught.value) == message


def test_an_outcome_without_positive_cases_is_a_clear_error() -> None:
    X, y, _ = xy(0)
    with pytest.raises(ValidationError, match="no positive cases in the training rows"):
        ElasticNetLogit().fit(X, np.zeros(len(y)))


def _sklearn_elastic_net(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    n = len(y)
    model = LogisticRegression(
        C=1.0 / (n * lam), l1_ratio=0.5, solver="saga", tol=1e-10, max_iter=20000
    )
    return np.asarray(model.fit(X, y).decision_function(X))


@pytest.mark.parametrize("seed", SEEDS)
def test_elastic_net_solution_matches_scikit_learn_on_standardized_data(seed: int) -> None:
    X, y, _ = xy(seed)
    features = X[["x1", "x2", "x3"]].to_numpy()
    standardized = (features - features.mean(axis=0)) / features.std(axis=0)
    model = ElasticNetLogit(n_folds=5, random_state=seed).fit(standardized, y)
    ours = model.decision_function(standardized)
    theirs = _sklearn_elastic_net(standardized, y.to_numpy(), model.lambda_)
    np.testing.assert_allclose(ours, theirs, atol=2e-4)


def test_elastic_net_path_and_cross_validation_like_glmnet() -> None:
    X, y, _ = xy(0)
    model = ElasticNetLogit(n_folds=5).fit(X, y)
    lambdas = model.lambdas_
    # The path starts where every coefficient is zero and falls by a constant ratio.
    features = X.to_numpy()
    standardized = (features - features.mean(axis=0)) / features.std(axis=0)
    strongest = np.max(np.abs(standardized.T @ (y - y.mean()))) / len(y) / 0.5
    assert lambdas[0] == pytest.approx(strongest)
    np.testing.assert_allclose(lambdas[1:] / lambdas[:-1], 1e-4 ** (1 / 99))
    assert len(lambdas) <= 100 and model.lambda_ == lambdas[np.argmin(model.cv_deviance_)]
    # Coefficients come back on the original scale: the noise variable is shrunk hardest.
    assert abs(model.coef_[0]) > abs(model.coef_[2])
    strict = ElasticNetLogit(n_folds=5, lambda_rule="1se").fit(X, y)
    assert strict.lambda_ >= model.lambda_


def test_elastic_net_weights_act_like_dropping_or_repeating_rows() -> None:
    X, y, _ = xy(2)
    values, outcome = X[["x1", "x2", "x3"]].to_numpy(), y.to_numpy().astype(float)
    kept = np.arange(len(outcome)) % 4 != 0
    rng = np.random.default_rng(0)

    def path(
        rows: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        fitted = cv_path(
            rows,
            target,
            alpha=0.5,
            n_folds=5,
            n_lambdas=30,
            lambda_min_ratio=1e-3,
            rng=rng,
            sample_weight=weight,
        )
        return fitted.lambdas, fitted.coef

    # A row of weight 0 is a row left out; a row of weight 2 is a row given twice (up to the
    # solver's tolerance: the fold fits, which share a Hessian with the full fit, differ).
    dropped = path(values[kept], outcome[kept])
    zeroed = path(values, outcome, kept.astype(float))
    np.testing.assert_allclose(zeroed[0], dropped[0])
    np.testing.assert_allclose(zeroed[1], dropped[1], rtol=1e-4, atol=1e-5)
    twice = np.concatenate([np.arange(len(outcome)), np.flatnonzero(~kept)])
    repeated = path(values[twice], outcome[twice])
    doubled = path(values, outcome, np.where(kept, 1.0, 2.0))
    np.testing.assert_allclose(doubled[0], repeated[0])
    np.testing.assert_allclose(doubled[1], repeated[1], rtol=1e-4, atol=1e-5)


def test_boosted_trees_with_weights_of_one_fit_as_without() -> None:
    # Weighted fits bin the columns themselves (scikit-learn's weighted binning is slow).
    X, y, time = xy(0)
    plain = BoostedTrees(max_iter=40).fit(X, y, time=time)
    weighted = BoostedTrees(max_iter=40).fit(X, y, time=time, sample_weight=np.ones(len(y)))
    assert weighted.n_iter_ == plain.n_iter_
    np.testing.assert_allclose(weighted.decision_function(X), plain.decision_function(X))


def test_only_relative_weights_matter() -> None:
    # The boosted trees' regularization is absolute: weights far below 1 would strengthen it.
    X, y, time = xy(1)
    weights = np.where(time.to_numpy() > 2002, 1.0, 0.3)
    for make in (lambda: ElasticNetLogit(n_folds=5), lambda: BoostedTrees(max_iter=40)):
        one = make().fit(X, y, time=time, sample_weight=weights).decision_function(X)
        small = make().fit(X, y, time=time, sample_weight=weights / 20).decision_function(X)
        np.testing.assert_allclose(small, one, atol=1e-8)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(5), "sample_weight must give one weight per row (800), got shape (5,)"),
        (np.full(800, -1.0), "sample_weight must be finite, non-negative and not all zero"),
        (np.zeros(800), "sample_weight must be finite, non-negative and not all zero"),
    ],
)
def test_bad_weights_are_a_clear_error(weights: np.ndarray, message: str) -> None:
    X, y, time = xy(0)
    for model in (ElasticNetLogit(n_folds=5), BoostedTrees(max_iter=5), FeatureLogit(["x1"])):
        with pytest.raises(ValidationError) as caught:
            model.fit(X, y, time=time, sample_weight=weights)
        assert str(caught.value) == message


def test_elastic_net_folds_are_random_but_seeded() -> None:
    X, y, _ = xy(0)
    first = ElasticNetLogit(n_folds=5, random_state=3).fit(X, y)
    again = ElasticNetLogit(n_folds=5, random_state=3).fit(X, y)
    other = ElasticNetLogit(n_folds=5, random_state=4).fit(X, y)
    np.testing.assert_array_equal(first.cv_deviance_, again.cv_deviance_)
    assert not np.array_equal(first.cv_deviance_, other.cv_deviance_)


def test_elastic_net_leaves_constant_columns_at_zero() -> None:
    X, y, _ = xy(0)
    X = X.assign(constant=1.0)
    model = ElasticNetLogit(n_folds=5).fit(X, y)
    assert model.coef_[-1] == 0.0 and np.isfinite(model.coef_).all()
    weighted = ElasticNetLogit(n_folds=5).fit(X, y, sample_weight=np.linspace(0.1, 1, len(y)))
    assert weighted.scale_[-1] == 0.0 and weighted.coef_[-1] == 0.0


def test_time_trend_columns_are_the_same_for_every_row_of_a_year() -> None:
    X, _, time = xy(0)
    assert time_trend_columns(X, time) == ["year", "year_sq"]


@pytest.mark.parametrize("seed", SEEDS)
def test_boosted_trees_choose_their_length_on_the_latest_years(seed: int) -> None:
    X, y, time = xy(seed)
    model = BoostedTrees(max_iter=60, validation_years=5, random_state=seed).fit(X, y, time=time)
    assert model.features_used_ == ["x1", "x2", "x3"]
    assert 1 <= model.n_iter_ <= round(60 * 20 / 13) + 1
    untimed = BoostedTrees(max_iter=7).fit(X, y)
    assert untimed.n_iter_ == 7 and untimed.features_used_ == list(X.columns)


def test_monotone_constraints_hold() -> None:
    X, y, time = xy(0)
    model = BoostedTrees(max_iter=40, monotone={"x1": 1}).fit(X, y, time=time)
    grid = pd.concat([X.iloc[[0]]] * 21, ignore_index=True)
    grid["x1"] = np.linspace(-3, 3, 21)
    assert np.all(np.diff(model.decision_function(grid)) >= 0)
