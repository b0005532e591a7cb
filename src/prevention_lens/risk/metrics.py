"""How good were the forecasts: ranking, probability and calibration figures with intervals.

Ranking figures (AUC, average precision, events caught in the top k) are computed on the
per-country, per-year table of ``backtest.ewp_scoring``; probability figures (Brier score, log
loss, mean forecast against observed rate) on each forecast against its own outcome window.
Each comes with a 95% interval from a bootstrap over years: whole years are resampled with
replacement (seeded), and the figure recomputed on the resampled rows.

Public API::

    auc, average_precision, brier, log_loss, caught_in_top      # plain figures
    reliability(outcome, probability, bins=10) -> DataFrame
    score_tables(scoring, forecasts, *, n_boot=1000, seed=0) -> Scorecard
    score_run(run, panel, ...) -> Scorecard
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prevention_lens.errors import ValidationError
from prevention_lens.risk.backtest import BacktestRun, ewp_scoring
from prevention_lens.risk.figures import HEADLINE_FIGURES as HEADLINE_FIGURES
from prevention_lens.risk.panel import Panel

FloatArray = npt.NDArray[np.float64]
RANKING = ("auc", "average_precision")
PROBABILITY = ("brier", "log_loss", "mean_forecast", "observed_rate")
_CLIP = 1e-15


def _arrays(outcome: npt.ArrayLike, score: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(outcome, dtype=float)
    s = np.asarray(score, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValidationError(
            f"outcome and score must be two equal 1-d arrays: {y.shape}, {s.shape}"
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValidationError("the outcome must hold only 0 and 1")
    return y, s


def _weighted_ranking(
    y: FloatArray, s: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """AUC and average precision for each row of ``weights`` (replicates × rows).

    Weights are how many times each row is counted, so ties and duplicates behave exactly as
    they would on the resampled rows themselves. NaN where a replicate lacks a class.
    """
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    positive = np.add.reduceat(weights[:, order] * y[order], starts, axis=1)
    negative = np.add.reduceat(weights[:, order] * (1 - y[order]), starts, axis=1)
    total_pos = positive.sum(axis=1)
    total_neg = negative.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Groups run from the highest score down: negatives ranked below a group come after it.
        below = total_neg[:, None] - np.cumsum(negative, axis=1)
        auc = (positive * (below + 0.5 * negative)).sum(axis=1) / (total_pos * total_neg)
        true_pos = np.cumsum(positive, axis=1)
        called = true_pos + np.cumsum(negative, axis=1)
        precision = np.where(called > 0, true_pos / np.where(called > 0, called, 1), 0.0)
        ap = (positive * precision).sum(axis=1) / total_pos
    bad = (total_pos == 0) | (total_neg == 0)
    auc[bad] = np.nan
    ap[total_pos == 0] = np.nan
    return auc, ap


def auc(outcome: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve (ties count one half), as R's pROC and scikit-learn."""
    y, s = _arrays(outcome, score)
    return float(_weighted_ranking(y, s, np.ones((1, len(y))))[0][0])


def average_precision(outcome: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Mean precision at each positive's threshold (scikit-learn's average_precision_score)."""
    y, s = _arrays(outcome, score)
    return float(_weighted_ranking(y, s, np.ones((1, len(y))))[1][0])


def brier(outcome: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """Mean squared difference between probability and outcome."""
    y, p = _arrays(outcome, probability)
    return float(np.mean((p - y) ** 2))


def _log_terms(y: FloatArray, p: FloatArray) -> FloatArray:
    clipped = np.clip(p, _CLIP, 1 - _CLIP)
    return np.asarray(-(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))


def log_loss(outcome: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """Mean negative log-likelihood (natural log; probabilities clipped to [1e-15, 1-1e-15])."""
    y, p = _arrays(outcome, probability)
    return float(np.mean(_log_terms(y, p)))


def caught_in_top(event: npt.ArrayLike, rank: npt.ArrayLike, k: int) -> int:
    """Events whose forecast ranked k or better (rows without a rank are not caught)."""
    events = np.asarray(event, dtype=float)
    ranks = np.asarray(rank, dtype=float)
    return int(np.sum((events == 1) & (ranks <= k)))


def reliability(outcome: npt.ArrayLike, probability: npt.ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Forecasts grouped into ``bins`` of equal count: mean forecast against observed rate."""
    y, p = _arrays(outcome, probability)
    if bins < 1:
        raise ValidationError(f"bins must be at least 1, got {bins}")
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, min(bins, len(p)))
    return pd.DataFrame(
        {
            "bin": np.arange(1, len(groups) + 1),
            "lower": [float(p[g].min()) for g in groups],
            "upper": [float(p[g].max()) for g in groups],
            "mean_forecast": [float(p[g].mean()) for g in groups],
            "observed_rate": [float(y[g].mean()) for g in groups],
            "count": [len(g) for g in groups],
        }
    )


@dataclass(frozen=True)
class Scorecard:
    """Figures of one set of forecasts and their bootstrap intervals (``level`` coverage)."""

    values: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    level: float = 0.95
    n_boot: int = 0

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        """Figures, then ``NAME_ci`` pairs; floats rounded to ``digits`` when given."""

        def fix(value: float) -> float:
            return round(value, digits) if digits is not None else value

        result: dict[str, Any] = {}
        for name, value in self.values.items():
            is_count = name.startswith("top") or name == "events"
            result[name] = int(value) if is_count else fix(float(value))
        for name, (low, high) in self.intervals.items():
            result[f"{name}_ci"] = [fix(float(low)), fix(float(high))]
        return result


def _year_weights(years: FloatArray, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Replicates × rows: how many times each row's year was drawn."""
    distinct, codes = np.unique(years, return_inverse=True)
    draws = rng.integers(0, len(distinct), size=(n_boot, len(distinct)))
    counts = np.zeros((n_boot, len(distinct)))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1.0)
    return np.asarray(counts[:, codes])


def score_tables(
    scoring: pd.DataFrame,
    forecasts: pd.DataFrame,
    *,
    top: Sequence[int] = (10, 20, 30),
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Scorecard:
    """Score a run: ranking figures on ``scoring`` (year, event, max_risk, min_rank), probability
    figures on ``forecasts`` (forecast_year, probability, outcome; rows without a known
    outcome are left out). Intervals resample years of each table (``n_boot`` = 0: none).
    """
    ranked = scoring.dropna(subset=["max_risk"])
    y, s = _arrays(ranked["event"], ranked["max_risk"])
    judged = forecasts.dropna(subset=["probability", "outcome"])
    oy, op = _arrays(judged["outcome"], judged["probability"])
    values: dict[str, float] = {}
    values["auc"], values["average_precision"] = (
        float(v[0]) for v in _weighted_ranking(y, s, np.ones((1, len(y))))
    )
    values["brier"] = float(np.mean((op - oy) ** 2))
    values["log_loss"] = float(np.mean(_log_terms(oy, op)))
    for k in top:
        values[f"top{k}"] = caught_in_top(scoring["event"], scoring["min_rank"], k)
    values["events"] = float(np.nansum(scoring["event"].to_numpy(float)))
    values["mean_forecast"] = float(op.mean())
    values["observed_rate"] = float(oy.mean())
    if n_boot <= 0:
        return Scorecard(values=values, level=level, n_boot=0)
    rng = np.random.default_rng(seed)
    replicates: dict[str, FloatArray] = {}
    weights = _year_weights(ranked["year"].to_numpy(float), n_boot, rng)
    replicates["auc"], replicates["average_precision"] = _weighted_ranking(y, s, weights)
    all_weights = _year_weights(scoring["year"].to_numpy(float), n_boot, rng)
    for k in top:
        caught = ((scoring["event"] == 1) & (scoring["min_rank"] <= k)).to_numpy(float)
        replicates[f"top{k}"] = all_weights @ caught
    weights = _year_weights(judged["forecast_year"].to_numpy(float), n_boot, rng)
    counts = weights.sum(axis=1)
    replicates["brier"] = weights @ ((op - oy) ** 2) / counts
    replicates["log_loss"] = weights @ _log_terms(oy, op) / counts
    replicates["mean_forecast"] = weights @ op / counts
    replicates["observed_rate"] = weights @ oy / counts
    tail = (1 - level) / 2 * 100
    intervals = {
        name: (float(np.nanpercentile(draws, tail)), float(np.nanpercentile(draws, 100 - tail)))
        for name, draws in replicates.items()
    }
    return Scorecard(values=values, intervals=intervals, level=level, n_boot=n_boot)


def score_run(
    run: BacktestRun,
    panel: Panel,
    *,
    top: Sequence[int] = (10, 20, 30),
    n_boot: int = 1000,
    seed: int = 0,
) -> Scorecard:
    """Score a backtest run by the EWP protocol (see ``score_tables``)."""
    scoring = ewp_scoring(run.forecasts, panel)
    return score_tables(scoring, run.forecasts, top=top, n_boot=n_boot, seed=seed)


def calibration_by_period(
    forecasts: pd.DataFrame, periods: Sequence[tuple[int, int]]
) -> dict[str, dict[str, float | int]]:
    """Mean forecast against observed rate for forecasts made from the years of each period
    (first, last inclusive), each judged against its own window: where the over- or
    under-warning lies in time. Periods with no judged forecasts are left out."""
    judged = forecasts.dropna(subset=["probability", "outcome"])
    result: dict[str, dict[str, float | int]] = {}
    for first, last in periods:
        rows = judged[judged["forecast_year"].between(first, last)]
        if rows.empty:
            continue
        forecast, observed = float(rows["probability"].mean()), float(rows["outcome"].mean())
        result[f"{first}-{last}"] = {
            "mean_forecast": round(forecast, 4),
            "observed_rate": round(observed, 4),
            "ratio": round(forecast / observed, 2) if observed else float("inf"),
            "forecasts": len(rows),
        }
    return result
