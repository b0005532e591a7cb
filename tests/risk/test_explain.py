"""Drivers: contributions to the log-odds, the largest ones, and what moved since last year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from prevention_lens.errors import ValidationError
from prevention_lens.risk.explain import (
    contributions,
    largest_shifts,
    reference_values,
    top_drivers,
)
from prevention_lens.risk.models import BoostedTrees, ElasticNetLogit


def _data(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        rng.normal(size=(600, 3)), columns=["conflict", "repression", "noise"]
    ).set_index(pd.Index(np.arange(600) % 150, name="unit"), append=False)
    y = pd.Series(rng.binomial(1, expit(-2.5 + 1.5 * X["conflict"] + 0.8 * X["repression"])))
    return X, y.set_axis(X.index)


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_contributions_add_up_to_the_log_odds(seed: int) -> None:
    X, y = _data(seed)
    model = ElasticNetLogit(n_folds=5, random_state=seed).fit(X, y)
    reference = reference_values(X)
    linear = contributions(model, X, reference)
    at_reference = model.decision_function(pd.DataFrame([reference], columns=X.columns))
    np.testing.assert_allclose(
        linear.sum(axis=1), model.decision_function(X) - at_reference[0], atol=1e-9
    )
    # For a linear model, setting one predictor to its reference gives the same numbers.
    replaced = contributions(model, X, reference, method="replace")
    np.testing.assert_allclose(linear.to_numpy(), replaced.to_numpy(), atol=1e-9)


def test_model_agnostic_contributions_for_trees() -> None:
    X, y = _data(0)
    model = BoostedTrees(max_iter=30).fit(X, y)
    table = contributions(model, X.iloc[:5])
    assert table.shape == (5, 3) and list(table.columns) == list(X.columns)
    with pytest.raises(ValidationError, match="not a linear model"):
        contributions(model, X, method="linear")
    with pytest.raises(ValidationError, match="method must be one of"):
        contributions(model, X, method="shap")
    with pytest.raises(ValidationError, match="lacks the predictors noise"):
        contributions(model, X, pd.Series({"conflict": 0.0, "repression": 0.0}))


def test_top_drivers_are_the_largest_in_size_either_sign() -> None:
    table = pd.DataFrame(
        {"a": [0.1, -2.0], "b": [-0.5, 0.3], "c": [0.2, 0.0]},
        index=pd.Index(["TCD", "MMR"], name="unit"),
    )
    drivers = top_drivers(table, k=2)
    assert drivers.to_dict("list") == {
        "unit": ["TCD", "TCD", "MMR", "MMR"],
        "order": [1, 2, 1, 2],
        "predictor": ["b", "c", "a", "b"],
        "contribution": [-0.5, 0.2, -2.0, 0.3],
    }
    with pytest.raises(ValidationError, match="at least 1"):
        top_drivers(table, k=0)


def test_largest_shifts_compare_the_same_country_across_years() -> None:
    now = pd.DataFrame({"a": [1.0, 0.0], "b": [0.5, 0.5]}, index=["TCD", "MMR"])
    before = pd.DataFrame({"a": [0.2, 0.0], "b": [0.6, -0.5]}, index=["TCD", "SDN"])
    shifts = largest_shifts(now, before, k=1)
    assert shifts.to_dict("list") == {
        "unit": ["TCD"],
        "order": [1],
        "predictor": ["a"],
        "shift": [pytest.approx(0.8)],
        "contribution_now": [1.0],
        "contribution_before": [0.2],
    }
