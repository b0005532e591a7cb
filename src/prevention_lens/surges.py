"""The surge test shared by incident signals and speech surges: each count of a series judged
against a negative binomial fitted to the same series' previous periods only (decision 0005).

Incident signals score monthly event and death counts with it (``incidents/signals.py``),
speech monitoring weekly counts of hateful posts (``speech/monitoring.py``); a change here
changes both, and the signal tests guard both.

Public API::

    SCORE_CAP = 1000.0                     # strength() never exceeds this
    trailing(values, series, position, periods) -> ndarray
    upper_tail(observed, mean, variance) -> ndarray       # log P(X >= observed)
    SeriesScores                           # rows, observed, expected, log_p; .surges(alpha)
    score_series(values, series, position, *, periods, min_history, rate_floor,
                 cluster=1.0, eligible=None) -> SeriesScores
    strength(log_p) -> float               # -log10 p, capped at SCORE_CAP

Input arrays describe several series stacked one after another: row i belongs to series
``series[i]`` (a whole number; series are contiguous, in non-decreasing order) and is the
``position[i]``-th period since that series began (0, 1, 2, ... without gaps: zero-fill the
periods without events before calling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

# A strength is -log10(p), computed from log p so that it stays finite where p itself
# underflows to 0 (below about 1e-308); it stops at this cap.
SCORE_CAP = 1000.0

Array = np.ndarray[Any, Any]


def _check_layout(values: Array, series: Array, position: Array) -> None:
    """Series contiguous and in order, each counting its periods 0, 1, 2, ... (else ValueError:
    the baseline of one series would silently take in another's periods)."""
    if not len(values) == len(series) == len(position):
        raise ValueError(
            f"values, series and position differ in length: "
            f"{len(values)}, {len(series)}, {len(position)}"
        )
    if not len(values):
        return
    same = series[1:] == series[:-1]
    if np.any(series[1:] < series[:-1]):
        raise ValueError("rows must be sorted by series (series numbers never decrease)")
    expected = np.concatenate([[0], np.where(same, position[:-1] + 1, 0)])
    if not np.array_equal(position, expected):
        row = int(np.flatnonzero(position != expected)[0])
        raise ValueError(
            f"position must count each series' periods from 0 without gaps; row {row} has "
            f"{position[row]}, expected {expected[row]}"
        )


def trailing(values: Array, series: Array, position: Array, periods: int) -> Array:
    """Per row, the sum of ``values`` over the same series' previous ``periods`` rows (not the
    row itself, so that a surge never raises its own baseline)."""
    before = pd.Series(values).groupby(series).cumsum().to_numpy() - values
    rows = np.arange(len(values))
    dropped = np.where(position >= periods, before[np.maximum(rows - periods, 0)], 0.0)
    return np.asarray(before - dropped, dtype=float)


def upper_tail(observed: Array, mean: Array, variance: Array) -> Array:
    """log P(X >= observed) for a negative binomial with this mean and variance (Poisson when
    the variance does not exceed the mean). Counts that are not whole are rounded down."""
    k = np.floor(observed) - 1
    poisson = variance <= mean * (1 + 1e-9)
    size = np.where(poisson, 1.0, mean**2 / np.maximum(variance - mean, 1e-300))
    log_tail = np.where(
        poisson,
        stats.poisson.logsf(k, mean),
        stats.nbinom.logsf(k, size, np.where(poisson, 0.5, mean / variance)),
    )
    return np.asarray(log_tail, dtype=float)


@dataclass(frozen=True)
class SeriesScores:
    """The rows that were judged, with their count, their baseline's mean (before the floor)
    and log P(X >= observed) under the floored baseline; arrays of equal length."""

    rows: Array
    observed: Array
    expected: Array
    log_p: Array

    def surges(self, alpha: float) -> SeriesScores:
        """Only the rows whose P(X >= observed) is below ``alpha``."""
        keep = self.log_p < math.log(alpha)
        return SeriesScores(
            self.rows[keep], self.observed[keep], self.expected[keep], self.log_p[keep]
        )

    def __len__(self) -> int:
        return len(self.rows)


def score_series(
    values: Array,
    series: Array,
    position: Array,
    *,
    periods: int,
    min_history: int,
    rate_floor: float,
    cluster: float = 1.0,
    eligible: Array | None = None,
) -> SeriesScores:
    """Judge every row with at least ``min_history`` earlier periods in its series (and
    ``eligible``, when given) against the mean and variance of the series' previous
    ``periods`` periods at most.

    Floors keep a quiet past from making any count look extreme: the baseline's mean is never
    below ``rate_floor * cluster`` and its variance never below ``cluster`` times its mean
    (Poisson when ``cluster`` is 1). ``cluster`` scales both for counts that come in clusters,
    such as deaths (about ``cluster`` at a time).
    """
    if min_history < 2 or periods < min_history:
        raise ValueError(
            f"need 2 <= min_history <= periods, got min_history={min_history}, periods={periods}"
        )
    values = np.asarray(values, dtype=float)
    series = np.asarray(series)
    position = np.asarray(position)
    _check_layout(values, series, position)
    window = np.minimum(position, periods).astype(float)
    judged = window >= min_history
    if eligible is not None:
        judged &= np.asarray(eligible, dtype=bool)
    rows = np.flatnonzero(judged)
    if not rows.size:
        empty = np.array([], dtype=float)
        return SeriesScores(np.array([], dtype=int), empty, empty, empty)
    total = trailing(values, series, position, periods)[rows]
    squares = trailing(values**2, series, position, periods)[rows]
    n = window[rows]
    mean = total / n
    variance = np.maximum(squares - n * mean**2, 0.0) / (n - 1)
    model_mean = np.maximum(mean, rate_floor * cluster)
    model_variance = np.maximum(variance, model_mean * cluster)
    log_p = upper_tail(values[rows], model_mean, model_variance)
    return SeriesScores(rows, values[rows], mean, log_p)


def strength(log_p: float) -> float:
    """-log10 of the p-value whose natural log is ``log_p``, capped at SCORE_CAP."""
    return min(-float(log_p) / math.log(10), SCORE_CAP)
