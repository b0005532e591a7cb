"""Models built from other models: ensembles, recalibration, recency weights, the default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from prevention_lens.errors import ValidationError
from prevention_lens.risk.composite import Ensemble, Recalibrated, RecencyWeighted, default_model
from prevention_lens.risk.models import ElasticNetLogit, FeatureLogit, replication_model
from tests.risk.synthetic import xy


def test_recency_weights_follow_a_falling_rate() -> None:
    # The rate falls from about 25% to about 2% over twenty years; x1 still ranks the risk.
    rng = np.random.default_rng(3)
    years = np.repeat(np.arange(1990, 2010, dtype=float), 200)
    x1 = rng.normal(size=len(years))
    base = np.linspace(-1.0, -4.0, 20).repeat(200)
    y = pd.Series(rng.binomial(1, expit(base + 0.8 * x1)))
    X = pd.DataFrame({"x1": x1})
    time = pd.Series(years)
    recent = years >= 2007
    plain = FeatureLogit().fit(X, y).predict_proba(X[recent])[:, 1].mean()
    model = RecencyWeighted(FeatureLogit(), half_life=2.0).fit(X, y, time=time)
    weighted = model.predict_proba(X[recent])[:, 1].mean()
    assert model.weights_[years == 2009].tolist() == [1.0] * 200
    assert model.weights_[years == 2006][0] == pytest.approx(0.5**1.5)
    assert abs(weighted - y[recent].mean()) < 0.4 * abs(plain - y[recent].mean())
    # Weights given to the fit multiply the age weights.
    given = np.where(x1 > 0, 2.0, 1.0)
    both = RecencyWeighted(FeatureLogit(), half_life=2.0).fit(X, y, time=time, sample_weight=given)
    np.testing.assert_allclose(both.weights_, model.weights_ * given)
    # Without the rows' years every row counts alike.
    alike = RecencyWeighted(FeatureLogit(), half_life=2.0).fit(X, y)
    np.testing.assert_allclose(
        alike.decision_function(X), FeatureLogit().fit(X, y).decision_function(X)
    )


def test_ensemble_members_get_the_weights() -> None:
    X, y, time = xy(1)
    weights = np.where(time.to_numpy() > 2000, 1.0, 0.2)
    members = [("a", FeatureLogit(["x1"])), ("b", FeatureLogit(["x2"]))]
    ensemble = Ensemble(members).fit(X, y, time=time, sample_weight=weights)
    a = FeatureLogit(["x1"]).fit(X, y, sample_weight=weights).decision_function(X)
    b = FeatureLogit(["x2"]).fit(X, y, sample_weight=weights).decision_function(X)
    np.testing.assert_allclose(ensemble.decision_function(X), (a + b) / 2)


def test_ensemble_averages_member_log_odds() -> None:
    X, y, time = xy(0)
    members = [("a", FeatureLogit(["x1"])), ("b", FeatureLogit(["x2"]))]
    ensemble = Ensemble(members, weights=[3.0, 1.0]).fit(X, y, time=time)
    a = FeatureLogit(["x1"]).fit(X, y).decision_function(X)
    b = FeatureLogit(["x2"]).fit(X, y).decision_function(X)
    np.testing.assert_allclose(ensemble.decision_function(X), 0.75 * a + 0.25 * b)
    with pytest.raises(ValidationError, match="2 members but 1 weights"):
        Ensemble(members, weights=[1.0]).fit(X, y)


def test_intercept_recalibration_matches_the_recent_base_rate() -> None:
    X, y, time = xy(0)
    model = Recalibrated(FeatureLogit(["x1"]), method="intercept", recent_years=4)
    model.fit(X, y, time=time)
    recent = (time > time.max() - 4).to_numpy()
    assert model.predict_proba(X[recent])[:, 1].mean() == pytest.approx(y[recent].mean())
    # Without the rows' years there is nothing to calibrate on.
    assert Recalibrated(FeatureLogit(["x1"])).fit(X, y).shift_ == 0.0


def test_trend_recalibration_aims_at_the_extrapolated_rate() -> None:
    X, y, time = xy(1)
    model = Recalibrated(FeatureLogit(["x1"]), method="trend", recent_years=8, gap=2)
    model.fit(X, y, time=time)
    recent = (time > time.max() - 8).to_numpy()
    years = time[recent].to_numpy()[:, None] - time.max()
    trend = LogisticRegression(C=np.inf).fit(years, y[recent])
    target = expit(trend.intercept_[0] + 2 * trend.coef_[0, 0])
    last = (time == time.max()).to_numpy()
    assert model.predict_proba(X[last])[:, 1].mean() == pytest.approx(target)


@pytest.mark.parametrize("method", ["offset", "platt"])
def test_held_out_recalibrations_use_training_years_only(method: str) -> None:
    X, y, time = xy(1)
    model = Recalibrated(FeatureLogit(["x1", "x2"]), method=method, recent_years=6)
    model.fit(X, y, time=time)
    assert np.isfinite(model.shift_) and model.slope_ > 0
    assert model.predict_proba(X)[:, 1].mean() == pytest.approx(y.mean(), abs=0.03)


def test_packaged_model_choices() -> None:
    assert replication_model().get_params() == ElasticNetLogit().get_params()
    ensemble = default_model()
    assert [name for name, _ in ensemble.members] == ["elastic_net", "boosted_trees"]
    assert clone(ensemble).get_params(deep=False)["weights"] is None
