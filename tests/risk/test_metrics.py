"""Metrics against hand-computed values, scikit-learn, explicit resampling and EWP's figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

from prevention_lens.errors import ValidationError
from prevention_lens.risk.backtest import ewp_scoring, read_published_foos
from prevention_lens.risk.metrics import (
    Scorecard,
    _weighted_ranking,
    auc,
    average_precision,
    brier,
    calibration_by_period,
    caught_in_top,
    log_loss,
    reliability,
    score_run,
    score_tables,
)
from prevention_lens.risk.panel import load_packaged_panel
from tests.conftest import sources_folder

# The hand-checked example of test_backtest: per scored year, max risk, min rank and event.
SCORING = pd.DataFrame(
    {
        "year": [2003] * 3 + [2004] * 4 + [2005] * 3 + [2006] * 3,
        "max_risk": [0.3, 0.2, 0.1, 0.3, 0.4, 0.2, np.nan, 0.2, 0.4, 0.5, 0.2, 0.1, 0.5],
        "min_rank": [1, 2, 3, 1, 1, 2, np.nan, 2, 1, 1, 2, 3, 1],
        "event": [0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0],
    }
)
FORECASTS = pd.DataFrame(
    {
        "forecast_year": [2002] * 3 + [2003] * 3 + [2004] * 3,
        "probability": [0.3, 0.2, 0.1, 0.1, 0.4, 0.2, 0.2, 0.1, 0.5],
        "outcome": [0, 1, 0, 0, 0, 1, 1, 0, 1],
    }
)


def test_hand_checked_figures() -> None:
    card = score_tables(SCORING, FORECASTS, top=(1, 2), n_boot=0)
    values = card.values
    # Positives at 0.2, 0.5, 0.2 against nine negatives; ties count one half.
    assert values["auc"] == pytest.approx(14.5 / 27)
    # Thresholds 0.5 (1 of 2 right) and 0.2 (3 of 10 right): (0.5 + 2 * 0.3) / 3.
    assert values["average_precision"] == pytest.approx((0.5 + 2 * 0.3) / 3)
    assert (values["top1"], values["top2"], values["events"]) == (1, 3, 4)
    assert values["brier"] == pytest.approx(2.45 / 9)
    assert values["mean_forecast"] == pytest.approx(2.1 / 9)
    assert values["observed_rate"] == pytest.approx(4 / 9)
    expected = -np.mean(
        FORECASTS["outcome"] * np.log(FORECASTS["probability"])
        + (1 - FORECASTS["outcome"]) * np.log(1 - FORECASTS["probability"])
    )
    assert values["log_loss"] == pytest.approx(expected)
    assert card.intervals == {} and card.n_boot == 0


def test_plain_figures_on_tiny_inputs() -> None:
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert auc([0, 1], [0.5, 0.5]) == 0.5
    assert average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx((1 + 2 / 3) / 2)
    assert brier([0, 1], [0.2, 0.6]) == pytest.approx((0.04 + 0.16) / 2)
    assert log_loss([1, 0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert caught_in_top([1, 1, 0, 1], [1, 11, 2, np.nan], 10) == 1
    assert np.isnan(auc([0, 0], [0.1, 0.2]))
    with pytest.raises(ValidationError, match="only 0 and 1"):
        auc([0, 2], [0.1, 0.2])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ranking_figures_agree_with_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.1, size=300)
    y[0] = 1
    score = np.round(rng.random(300) + 0.3 * y, 2)  # rounding makes ties
    assert auc(y, score) == pytest.approx(sk.roc_auc_score(y, score))
    assert average_precision(y, score) == pytest.approx(sk.average_precision_score(y, score))
    p = np.clip(score, 0.01, 0.99)
    assert brier(y, p) == pytest.approx(sk.brier_score_loss(y, p))
    assert log_loss(y, p) == pytest.approx(sk.log_loss(y, p))


@pytest.mark.parametrize("seed", [0, 5])
def test_year_weights_equal_explicit_resampling(seed: int) -> None:
    rng = np.random.default_rng(seed)
    years = np.repeat(np.arange(8), 20)
    y = rng.binomial(1, 0.2, size=len(years)).astype(float)
    s = np.round(rng.random(len(years)), 1)
    drawn = rng.integers(0, 8, size=8)
    weights = np.bincount(drawn, minlength=8)[years].astype(float)
    rows = np.concatenate([np.flatnonzero(years == year) for year in drawn])
    got_auc, got_ap = _weighted_ranking(y, s, weights[None, :])
    assert got_auc[0] == pytest.approx(auc(y[rows], s[rows]))
    assert got_ap[0] == pytest.approx(average_precision(y[rows], s[rows]))


def test_bootstrap_intervals_are_seeded_and_bracket_the_figures() -> None:
    rng = np.random.default_rng(7)
    years = np.repeat(np.arange(1990, 2020), 30)
    y = rng.binomial(1, 0.1, size=len(years))
    p = np.clip(0.05 + 0.2 * y + 0.05 * rng.random(len(years)), 0, 1)
    scoring = pd.DataFrame({"year": years, "max_risk": p, "min_rank": 1.0, "event": y})
    forecasts = pd.DataFrame({"forecast_year": years, "probability": p, "outcome": y})
    first = score_tables(scoring, forecasts, n_boot=200, seed=3)
    again = score_tables(scoring, forecasts, n_boot=200, seed=3)
    assert first == again
    for name in ("auc", "average_precision", "brier", "log_loss", "mean_forecast", "top10"):
        low, high = first.intervals[name]
        assert low <= first.values[name] <= high, name
    as_dict = first.to_dict(digits=3)
    assert isinstance(as_dict["top30"], int) and len(as_dict["auc_ci"]) == 2


def test_reliability_bins_hold_equal_counts() -> None:
    table = reliability([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], bins=3)
    assert table["count"].tolist() == [2, 2, 2]
    assert table["mean_forecast"].tolist() == pytest.approx([0.15, 0.5, 0.85])
    assert table["observed_rate"].tolist() == pytest.approx([0.0, 1.0, 0.5])


def test_scorecard_rounds_only_when_asked() -> None:
    card = Scorecard(values={"auc": 0.123456, "top10": 3.0}, intervals={"auc": (0.1, 0.2)})
    assert card.to_dict(digits=2) == {"auc": 0.12, "top10": 3, "auc_ci": [0.1, 0.2]}


@pytest.mark.shared_data
def test_ewp_published_backtest_gives_the_published_figures() -> None:
    folder = sources_folder()
    panel = load_packaged_panel(sources=folder)
    run = read_published_foos(folder / "ewp-2025" / "FOOSforecasts_3Sep2025.csv", panel)
    card = score_run(run, panel, n_boot=200)
    values = card.values
    assert round(values["auc"], 3) == 0.825
    assert round(values["average_precision"], 3) == 0.031
    assert (values["top10"], values["top20"], values["top30"], values["events"]) == (12, 21, 27, 39)
    # Forecasts made from 2023 are not judged: their window ends in 2025, not yet coded.
    made_2023 = run.forecasts[run.forecasts["forecast_year"] == 2023]
    assert len(made_2023) > 150 and made_2023["outcome"].isna().all()
    assert round(values["log_loss"], 4) == 0.0693
    assert round(values["brier"], 4) == 0.0145
    assert round(values["mean_forecast"], 4) == 0.0249
    assert round(values["observed_rate"], 4) == 0.0148
    low, high = card.intervals["auc"]
    assert low < 0.825 < high
    # Judging 2023's forecasts against the file's 0 (as the issue's figures do) gives those.
    literal = run.forecasts.copy()
    literal.loc[literal["forecast_year"] == 2023, "outcome"] = 0.0
    as_filed = score_tables(ewp_scoring(literal, panel), literal, n_boot=0).values
    assert round(as_filed["log_loss"], 4) == 0.0676
    assert round(as_filed["mean_forecast"], 4) == 0.0246
    assert round(as_filed["observed_rate"], 4) == 0.0143


def test_calibration_by_period_splits_forecast_years() -> None:
    forecasts = pd.DataFrame(
        {
            "forecast_year": [1995, 1995, 1999, 2005, 2006, 2007],
            "probability": [0.2, 0.4, 0.3, 0.1, 0.1, 0.9],
            "outcome": [0.0, 1.0, 0.0, 0.0, 1.0, np.nan],
        }
    )
    periods = calibration_by_period(forecasts, [(1990, 1999), (2000, 2009), (2010, 2019)])
    assert periods == {
        "1990-1999": {"mean_forecast": 0.3, "observed_rate": 0.3333, "ratio": 0.9, "forecasts": 3},
        "2000-2009": {"mean_forecast": 0.1, "observed_rate": 0.5, "ratio": 0.2, "forecasts": 2},
    }
