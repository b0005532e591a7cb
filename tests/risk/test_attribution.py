"""A forecast's change split into the model's refit and each predictor that moved: the parts
always sum to the change, exactly, for additive and non-additive models alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from prevention_lens.risk.attribution import EXACT_UP_TO, change_parts, players
from prevention_lens.risk.models import BoostedTrees, ElasticNetLogit
from tests.risk.synthetic import xy


def _fits(model: type, seed: int) -> tuple[Any, Any, pd.DataFrame, pd.DataFrame]:
    X, y, time = xy(seed)
    old = model(random_state=seed).fit(X[time < 2005], y[time < 2005], time=time[time < 2005])
    new = model(random_state=seed).fit(X[time < 2006], y[time < 2006], time=time[time < 2006])
    before = X[time == 2006].reset_index(drop=True)
    after = X[time == 2007].reset_index(drop=True)
    return new, old, before, after


@pytest.mark.parametrize("model", [ElasticNetLogit, BoostedTrees])
@pytest.mark.parametrize("seed", [0, 1])
def test_parts_sum_to_the_change(model: type, seed: int) -> None:
    new, old, before, after = _fits(model, seed)
    parts = change_parts(new, old, before, after, groups={"time": ("year", "year_sq")})
    total = parts.after - parts.before
    np.testing.assert_allclose(parts.refit + parts.data.sum(axis=1), total, atol=1e-12)
    np.testing.assert_allclose(
        parts.before,
        old.predict_proba(before)[:, 1],
        atol=1e-12,
    )
    assert list(parts.data.columns) == ["time", "x1", "x2", "x3"]


def test_a_predictor_that_did_not_move_gets_nothing() -> None:
    new, old, before, after = _fits(BoostedTrees, 0)
    after = after.assign(x3=before["x3"])
    parts = change_parts(new, old, before, after)
    assert (parts.data["x3"] == 0).all()


def test_many_moved_predictors_are_sampled_and_still_add_up() -> None:
    rng = np.random.default_rng(3)
    columns = [f"x{i}" for i in range(EXACT_UP_TO + 3)]
    X = pd.DataFrame(rng.normal(size=(400, len(columns))), columns=columns)
    y = pd.Series((X.iloc[:, :3].sum(axis=1) + rng.normal(size=400) > 2).astype(int))
    model = BoostedTrees(max_iter=20).fit(X, y)
    before = X.iloc[:5].reset_index(drop=True)
    after = X.iloc[5:10].reset_index(drop=True)
    parts = change_parts(model, model, before, after, permutations=8)
    assert "averaged over 8 orders" in parts.method
    assert (parts.refit == 0).all()
    np.testing.assert_allclose(parts.data.sum(axis=1), parts.after - parts.before, atol=1e-12)


def test_one_moved_predictor_gets_the_whole_change() -> None:
    # With one moved predictor the Shapley value is simply the change it causes.
    new, _old, before, _after = _fits(ElasticNetLogit, 0)
    after = before.assign(x1=before["x1"] + 1.0)
    parts = change_parts(new, new, before, after)
    direct = new.predict_proba(after)[:, 1] - new.predict_proba(before)[:, 1]
    np.testing.assert_allclose(parts.data["x1"], direct, atol=1e-12)


def test_groups_need_all_their_columns() -> None:
    assert players(["a", "b"], {"ab": ("a", "b"), "bc": ("b", "c")}) == {"ab": ("a", "b")}
    assert players(["a", "c"], {"ab": ("a", "b")}) == {"a": ("a",), "c": ("c",)}
