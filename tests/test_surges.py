"""The shared surge test: each count against its own series' trailing weeks or months only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prevention_lens.surges import (
    SCORE_CAP,
    score_series,
    strength,
    trailing,
    upper_tail,
)


def _poisson_tail(mean: float, k: int) -> float:
    """P(X >= k) for a Poisson count, by hand."""
    return 1 - sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k))


def _nbinom_tail(mean: float, variance: float, k: int) -> float:
    """P(X >= k) for a negative binomial with this mean and variance, from its pmf by hand."""
    size = mean**2 / (variance - mean)
    p = mean / variance

    def pmf(j: int) -> float:
        log = math.lgamma(j + size) - math.lgamma(size) - math.lgamma(j + 1)
        return math.exp(log + size * math.log(p) + j * math.log(1 - p))

    return 1 - sum(pmf(j) for j in range(k))


def _one_series(values: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(values)
    return np.array(values, dtype=float), np.zeros(n, dtype=int), np.arange(n)


def test_a_surge_week_alerts_with_its_observed_and_expected() -> None:
    # Ten quiet weeks of 2 hateful posts, then 11: the baseline is Poisson(2) (no spread).
    values, series, position = _one_series([2.0] * 10 + [11.0])
    scored = score_series(values, series, position, periods=26, min_history=8, rate_floor=0.5)
    found = scored.surges(0.01)
    assert found.rows.tolist() == [10]
    assert found.observed.tolist() == [11.0]
    assert found.expected.tolist() == [2.0]
    assert math.exp(found.log_p[0]) == pytest.approx(_poisson_tail(2.0, 11), rel=1e-9)
    assert strength(found.log_p[0]) == pytest.approx(-math.log10(_poisson_tail(2.0, 11)))


def test_a_flat_series_never_alerts() -> None:
    values, series, position = _one_series([4.0] * 40)
    scored = score_series(values, series, position, periods=26, min_history=8, rate_floor=0.5)
    assert len(scored) == 40 - 8  # every week with 8 weeks behind it was judged
    assert len(scored.surges(0.01)) == 0
    assert scored.expected.tolist() == [4.0] * 32


def test_a_spread_out_past_is_a_negative_binomial_and_makes_a_peak_less_surprising() -> None:
    past = [0.0, 6.0] * 5  # mean 3, sample variance 10
    values, series, position = _one_series([*past, 12.0])
    scored = score_series(values, series, position, periods=26, min_history=8, rate_floor=0.5)
    last = scored.rows.tolist().index(10)
    variance = sum((x - 3.0) ** 2 for x in past) / 9
    expected_p = _nbinom_tail(3.0, variance, 12)
    assert math.exp(scored.log_p[last]) == pytest.approx(expected_p, rel=1e-6)
    assert expected_p > _poisson_tail(3.0, 12) * 100


def test_min_history_and_the_floor_keep_a_young_or_silent_series_from_alerting() -> None:
    values, series, position = _one_series([0.0] * 8 + [3.0])
    scored = score_series(values, series, position, periods=26, min_history=8, rate_floor=0.5)
    # The baseline mean is 0 but floored at 0.5: three posts are rare, not impossible.
    assert scored.expected.tolist()[-1] == 0.0
    assert math.exp(scored.log_p[-1]) == pytest.approx(_poisson_tail(0.5, 3))
    young = score_series(values, series, position, periods=26, min_history=9, rate_floor=0.5)
    assert len(young) == 0


def test_the_baseline_is_the_trailing_window_of_its_own_series_only() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 100.0, 200.0, 300.0])
    series = np.array([0, 0, 0, 0, 1, 1, 1])
    position = np.array([0, 1, 2, 3, 0, 1, 2])
    assert trailing(values, series, position, 2).tolist() == [0, 1, 3, 5, 0, 100, 300]
    assert trailing(values, series, position, 10).tolist() == [0, 1, 3, 6, 0, 100, 300]


def test_eligible_rows_alone_are_judged() -> None:
    values, series, position = _one_series([2.0] * 10 + [11.0])
    eligible = values >= 5
    scored = score_series(
        values, series, position, periods=26, min_history=8, rate_floor=0.5, eligible=eligible
    )
    assert scored.rows.tolist() == [10]


def test_clustered_counts_scale_both_floors() -> None:
    values, series, position = _one_series([0.0] * 8 + [30.0])
    plain = score_series(values, series, position, periods=26, min_history=8, rate_floor=0.1)
    deaths = score_series(
        values, series, position, periods=26, min_history=8, rate_floor=0.1, cluster=10.0
    )
    # Mean floored at 1 and variance at 10 times the mean: 30 deaths are far less surprising.
    assert math.exp(deaths.log_p[0]) == pytest.approx(_nbinom_tail(1.0, 10.0, 30), rel=1e-6)
    assert deaths.log_p[0] > plain.log_p[0] + 20


@pytest.mark.parametrize(
    ("series", "position", "words"),
    [
        ([0, 1, 0], [0, 0, 1], "sorted by series"),
        ([0, 0, 0], [0, 2, 3], "without gaps"),
        ([0, 0, 1], [0, 1, 1], "without gaps"),
    ],
)
def test_a_malformed_layout_is_refused(series: list[int], position: list[int], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        score_series(
            np.ones(3), np.array(series), np.array(position), periods=4, min_history=2, rate_floor=1
        )


def test_settings_that_cannot_give_a_variance_are_refused() -> None:
    values, series, position = _one_series([1.0] * 4)
    with pytest.raises(ValueError, match="min_history"):
        score_series(values, series, position, periods=4, min_history=1, rate_floor=1)


def test_strength_is_capped_where_p_underflows() -> None:
    log_p = upper_tail(np.array([5000.0]), np.array([1.0]), np.array([1.0]))[0]
    assert math.exp(log_p) == 0.0
    assert strength(log_p) == SCORE_CAP
    assert strength(-5000.0) == SCORE_CAP
    assert strength(math.log(0.001)) == pytest.approx(3.0)


@given(
    st.lists(st.integers(min_value=0, max_value=50), min_size=3, max_size=40),
    st.integers(min_value=2, max_value=12),
)
def test_trailing_sums_match_a_plain_loop(counts: list[int], periods: int) -> None:
    values, series, position = _one_series([float(c) for c in counts])
    expected = [sum(counts[max(0, i - periods) : i]) for i in range(len(counts))]
    assert trailing(values, series, position, periods).tolist() == expected


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=10, max_size=30))
def test_a_count_never_raises_its_own_baseline(counts: list[int]) -> None:
    values, series, position = _one_series([float(c) for c in counts])
    base = score_series(values, series, position, periods=8, min_history=4, rate_floor=0.5)
    bumped = values.copy()
    bumped[-1] += 100
    again = score_series(bumped, series, position, periods=8, min_history=4, rate_floor=0.5)
    assert again.expected[-1] == base.expected[-1]
    assert again.log_p[-1] <= base.log_p[-1]
