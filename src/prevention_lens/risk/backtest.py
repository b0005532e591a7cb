"""Backtests of risk models on a panel: EWP's "FOOS" protocol, rolling origins, latest forecasts.

Every run is a ``BacktestRun``: the model spec, the data's checksum, the code version, the wall
time and one row per forecast, so that any figure can be traced to what produced it.

Public API::

    rolling_origin(panel, model, forecast_years, *, name=None, window=None) -> BacktestRun
    ewp_protocol(panel, model, *, first_origin=1991, last_origin=2021, name=None) -> BacktestRun
    ewp_scoring(forecasts, panel) -> DataFrame        # per country and scored year
    read_published_foos(path, panel) -> BacktestRun   # EWP's own FOOSforecasts file
    forecast_latest(panel, model, *, year=None, interval_draws=40) -> DataFrame

Protocol: a forecast made from the data of year X by a model trained on rows with time <= X - h
(h = the spec's horizon; rows up to X - h have outcomes known by the end of X, so nothing leaks)
is judged against the outcome of year X (an event in X+1..X+h). EWP trains on T = 1991..2021 and
forecasts from T+2; a country's forecast for year Y is the largest of those made from Y-1..Y-h,
its rank the smallest, judged against the event in Y.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, clone

import prevention_lens
from prevention_lens.errors import ValidationError
from prevention_lens.risk.attribution import REFIT, ChangeParts, change_parts, players
from prevention_lens.risk.explain import contributions, reference_values, top_drivers
from prevention_lens.risk.panel import COUNTRY_KEY, Panel, file_sha256
from prevention_lens.risk.predictors import GROUPS, describe_group, predictor_label

FORECAST_COLUMNS = (
    "unit",
    COUNTRY_KEY,
    "label",
    "last_training_year",
    "forecast_year",
    "probability",
    "rank",
    "outcome",
)


@dataclass(frozen=True)
class ModelSpec:
    """A model's class name and parameters, as JSON-ready values."""

    name: str
    params: Mapping[str, Any]

    @classmethod
    def of(cls, model: BaseEstimator, name: str | None = None) -> ModelSpec:
        """The spec of an estimator; nested estimators appear by their repr."""
        params = {key: _json_ready(value) for key, value in model.get_params(deep=False).items()}
        return cls(name=name or type(model).__name__, params=params)

    def to_json(self) -> str:
        """One line of JSON: {"name": ..., "params": {...}}."""
        return json.dumps({"name": self.name, "params": dict(self.params)}, sort_keys=True)


def _json_ready(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, BaseEstimator):
        return {
            "class": type(value).__name__,
            "params": _json_ready(value.get_params(deep=False)),
        }
    return repr(value)


@dataclass(frozen=True, eq=False)
class BacktestRun:
    """One backtest: what ran on which data with which code, and every forecast it made.

    ``forecasts`` has the FORECAST_COLUMNS: the forecast made from the data of
    ``forecast_year`` by a model trained on rows up to ``last_training_year``, its rank among
    that year's forecasts (1 = highest; tied forecasts share their average rank: EWP's code
    gives ties the smallest, which differs only for tied forecasts, and would count every
    country tied with a step-function baseline's top as "caught") and
    the outcome it is judged against (NaN where not yet known).
    """

    protocol: str
    model: ModelSpec
    data_sha256: str
    data_source: str
    code_version: str
    started_at: str
    wall_s: float
    forecasts: pd.DataFrame
    horizon: int


def _rank(probability: pd.Series) -> pd.Series:
    return probability.rank(ascending=False, method="average")


def _forecast_from(
    panel: Panel,
    model: BaseEstimator,
    year: int,
    *,
    window: int | None = None,
    columns: Sequence[str] | None = None,
    extra_gap: int = 0,
) -> tuple[BaseEstimator, pd.DataFrame]:
    """Fit on rows up to year - horizon - extra_gap and forecast from the data of ``year``."""
    spec = panel.spec
    features = list(spec.predictors if columns is None else columns)
    last = year - spec.horizon - extra_gap
    first = None if window is None else last - window + 1
    rows = panel.training(last, first_year=first, columns=features)
    positives = int(rows.outcome.sum())
    if positives == 0:
        raise ValidationError(
            f"the outcome {spec.outcome!r} has no positive cases in the training window "
            f"{spec.time} <= {last}",
            file=panel.source,
        )
    fitted = clone(model).fit(rows.features, rows.outcome, time=rows.time)
    target = panel.at(year)
    probability = pd.Series(fitted.predict_proba(target[features])[:, 1], index=target.index)
    units = target.index.get_level_values(0)
    outcome = panel.outcomes[spec.outcome].reindex(target.index)
    table = pd.DataFrame(
        {
            "unit": units,
            COUNTRY_KEY: target[COUNTRY_KEY].to_numpy(),
            "label": target[spec.label].to_numpy() if spec.label else units.astype(str),
            "last_training_year": last,
            "forecast_year": year,
            "probability": probability.to_numpy(),
            "rank": _rank(probability).to_numpy(),
            "outcome": outcome.to_numpy(),
        }
    )
    return fitted, table


def rolling_origin(
    panel: Panel,
    model: BaseEstimator,
    forecast_years: Sequence[int],
    *,
    name: str | None = None,
    window: int | None = None,
    columns: Sequence[str] | None = None,
    extra_gap: int = 0,
    protocol: str = "rolling",
) -> BacktestRun:
    """Forecast from each year in ``forecast_years``, training afresh on the years before.

    ``window`` limits training to that many most recent years (default: all, expanding);
    ``columns`` are the panel columns the model sees (default: the spec's predictors);
    ``extra_gap`` leaves out that many more of the latest training years.
    """
    if not forecast_years:
        raise ValidationError("no forecast years given")
    if extra_gap < 0:
        raise ValidationError(f"extra_gap must not be negative, got {extra_gap}")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    tables = [
        _forecast_from(
            panel, model, int(year), window=window, columns=columns, extra_gap=extra_gap
        )[1]
        for year in forecast_years
    ]
    return BacktestRun(
        protocol=protocol,
        model=ModelSpec.of(model, name),
        data_sha256=panel.sha256,
        data_source=panel.source,
        code_version=prevention_lens.__version__,
        started_at=started,
        wall_s=time.perf_counter() - clock,
        forecasts=pd.concat(tables, ignore_index=True),
        horizon=panel.spec.horizon,
    )


def ewp_protocol(
    panel: Panel,
    model: BaseEstimator,
    *,
    first_origin: int = 1991,
    last_origin: int = 2021,
    name: str | None = None,
    columns: Sequence[str] | None = None,
    extra_gap: int = 0,
) -> BacktestRun:
    """EWP's fully out-of-sample backtest: train on years <= T, forecast from T + horizon.

    ``extra_gap`` > 0 is the variant that also drops the last years of each training window.
    """
    years = [t + panel.spec.horizon for t in range(first_origin, last_origin + 1)]
    return rolling_origin(
        panel, model, years, name=name, columns=columns, extra_gap=extra_gap, protocol="ewp"
    )


def ewp_scoring(forecasts: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """Per country and scored year Y: the largest forecast made from Y-1..Y-h, the smallest
    rank, and the event of year Y (the spec's ``event`` column, else its outcome).

    Rows are every row of the panel file in the scored years (incomplete ones included, with
    no forecast), so that every event counts. Scored years run from the first forecast year + 1
    to the last + h, within the years the file covers.
    """
    spec = panel.spec
    event_column = spec.event or spec.outcome
    made = forecasts.set_index(["unit", "forecast_year"])
    first = int(forecasts["forecast_year"].min()) + 1
    last = int(forecasts["forecast_year"].max()) + spec.horizon
    outcomes = panel.outcomes
    times = outcomes.index.get_level_values(1)
    rows = outcomes.loc[(times >= first) & (times <= last)]
    units = rows.index.get_level_values(0)
    years = rows.index.get_level_values(1)
    risks, ranks = [], []
    for lag in range(1, spec.horizon + 1):
        keys = pd.MultiIndex.from_arrays([units, years - lag])
        risks.append(made["probability"].reindex(keys).to_numpy())
        ranks.append(made["rank"].reindex(keys).to_numpy())
    risk = np.vstack(risks)
    rank = np.vstack(ranks)
    any_forecast = ~np.isnan(risk).all(axis=0)
    table = pd.DataFrame(
        {
            "unit": units,
            "year": years,
            COUNTRY_KEY: rows[COUNTRY_KEY].to_numpy(),
            "event": rows[event_column].to_numpy(),
            "max_risk": np.where(
                any_forecast, np.nanmax(np.where(any_forecast, risk, 0), 0), np.nan
            ),
            "min_rank": np.where(
                any_forecast, np.nanmin(np.where(any_forecast, rank, 0), 0), np.nan
            ),
        }
    )
    for lag in range(spec.horizon):
        table[f"risk_lag{lag + 1}"] = risk[lag]
        table[f"rank_lag{lag + 1}"] = rank[lag]
    return table.reset_index(drop=True)


def read_published_foos(path: Path, panel: Panel) -> BacktestRun:
    """EWP's published backtest file as a run: its forecasts, keyed to the panel's units.

    The file holds, per country and year Y, the forecasts made from Y-1 (risk_prev, rank_prev)
    and Y-2 (risk_two_years_prior, rank_two_years_prior); each forecast is kept once.
    """
    spec = panel.spec
    raw = pd.read_csv(path)
    needed = [
        "ccode",
        "prev_year",
        "two_years_prior",
        "risk_prev",
        "rank_prev",
        "risk_two_years_prior",
        "rank_two_years_prior",
    ]
    for column in needed:
        if column not in raw.columns:
            raise ValidationError("column is missing", file=path.name, field=column)
    parts = [
        raw[["ccode", year_col, risk_col, rank_col]].set_axis(
            ["unit", "forecast_year", "probability", "rank"], axis=1
        )
        for year_col, risk_col, rank_col in (
            ("prev_year", "risk_prev", "rank_prev"),
            ("two_years_prior", "risk_two_years_prior", "rank_two_years_prior"),
        )
    ]
    made = (
        pd.concat(parts, ignore_index=True)
        .dropna(subset=["probability"])
        .drop_duplicates(["unit", "forecast_year"])
        .sort_values(["forecast_year", "unit"], ignore_index=True)
    )
    keys = pd.MultiIndex.from_arrays([made["unit"], made["forecast_year"]])
    known = panel.outcomes.reindex(keys)
    made.insert(1, COUNTRY_KEY, known[COUNTRY_KEY].to_numpy())
    made.insert(
        2, "label", known[spec.label].to_numpy() if spec.label else made["unit"].astype(str)
    )
    made.insert(3, "last_training_year", made["forecast_year"] - spec.horizon)
    made["outcome"] = known[spec.outcome].to_numpy()
    return BacktestRun(
        protocol="ewp-published",
        model=ModelSpec(name="ewp_published", params={"file": path.name}),
        data_sha256=file_sha256(path),
        data_source=path.name,
        code_version=prevention_lens.__version__,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_s=0.0,
        forecasts=made[list(FORECAST_COLUMNS)],
        horizon=spec.horizon,
    )


def forecast_latest(
    panel: Panel,
    model: BaseEstimator,
    *,
    year: int | None = None,
    interval_draws: int = 40,
    level: float = 0.9,
    n_drivers: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecasts from the latest year's data (or ``year``), one row per country, by rank.

    Columns: unit, country_key, label, forecast_year, probability, rank, lower, upper (the
    ``level`` interval: the spread of refits on bootstrap samples of the training countries,
    all years of a drawn country together, as log-odds percentiles around their median, put
    around the point forecast; NaN when ``interval_draws`` is 0),
    previous_probability, previous_rank, change (against the forecast from the year before,
    made by a model trained one year earlier), drivers (the ``n_drivers`` largest
    contributions to this year's log-odds, as (predictor, value) pairs; see ``explain``) and
    change_parts (the change split into the model's refit and each predictor that moved, parts
    that sum to ``change``; see ``attribution``; the method is in ``attrs["change_method"]``).
    """
    spec = panel.spec
    if not 0 < level < 1:
        raise ValidationError(f"level must lie between 0 and 1, got {level!r}")
    target_year = panel.years[-1] if year is None else year
    features = list(spec.predictors)
    fitted, table = _forecast_from(panel, model, target_year)
    old_fitted, previous = _forecast_from(panel, model, target_year - 1)
    before = previous.set_index("unit")
    table["previous_probability"] = table["unit"].map(before["probability"])
    table["previous_rank"] = table["unit"].map(before["rank"])
    table["change"] = table["probability"] - table["previous_probability"]
    below, above = _bootstrap_interval(panel, model, target_year, interval_draws, level, seed)
    point_logit = fitted.decision_function(panel.at(target_year)[features])
    table["lower"] = expit(point_logit + below)
    table["upper"] = expit(point_logit + above)
    training = panel.training(target_year - spec.horizon)
    reference = reference_values(training.features)
    now_rows = panel.at(target_year)[features]
    now_rows.index = now_rows.index.get_level_values(0)
    now = contributions(fitted, now_rows, reference)
    earlier_rows = panel.at(target_year - 1)[features]
    earlier_rows.index = earlier_rows.index.get_level_values(0)
    drivers = top_drivers(now, n_drivers)
    table["drivers"] = table["unit"].map(_pairs(drivers, "contribution"))
    parts = change_parts(fitted, old_fitted, earlier_rows, now_rows, groups=GROUPS)
    explained = _change_entries(parts, earlier_rows, now_rows)
    table["change_parts"] = table["unit"].map(lambda unit: explained.get(unit, ()))
    table.attrs["change_method"] = parts.method
    columns = [
        "unit",
        COUNTRY_KEY,
        "label",
        "forecast_year",
        "probability",
        "rank",
        "lower",
        "upper",
        "previous_probability",
        "previous_rank",
        "change",
        "drivers",
        "change_parts",
    ]
    result = table[columns].sort_values(["rank", "unit"], ignore_index=True)
    result.attrs["change_method"] = parts.method
    return result


def _change_entries(
    parts: ChangeParts, before: pd.DataFrame, after: pd.DataFrame
) -> dict[Any, tuple[dict[str, Any], ...]]:
    """Per unit: the refit, then every predictor that moved, largest first, as JSON-ready
    entries (change in probability, values as a reader would say them)."""
    groups = players(list(before.columns), GROUPS)
    entries: dict[Any, tuple[dict[str, Any], ...]] = {}
    refits = parts.refit.to_dict()
    for unit in parts.data.index:
        rows: list[dict[str, Any]] = [
            {
                "kind": "refit",
                "predictor": REFIT,
                "label": "Model refitted with one more year of outcomes",
                "change": float(refits[unit]),
            }
        ]
        moved = parts.data.loc[unit]
        old, new = before.loc[unit], after.loc[unit]
        for name in sorted(moved.index, key=lambda n: -abs(float(moved[n]))):
            columns = groups[name]
            if all(old[c] == new[c] for c in columns):
                continue
            rows.append(
                {
                    "kind": "data",
                    "predictor": name,
                    "label": predictor_label(name),
                    "before": describe_group(name, {c: float(old[c]) for c in columns}),
                    "after": describe_group(name, {c: float(new[c]) for c in columns}),
                    "change": float(moved[name]),
                }
            )
        entries[unit] = tuple(rows)
    return entries


def _pairs(long: pd.DataFrame, value: str) -> dict[Any, tuple[tuple[str, float], ...]]:
    return {
        unit: tuple(zip(group["predictor"], group[value].astype(float), strict=True))
        for unit, group in long.groupby("unit", sort=False)
    }


def _bootstrap_interval(
    panel: Panel, model: BaseEstimator, year: int, draws: int, level: float, seed: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    target = panel.at(year)[list(panel.spec.predictors)]
    if draws <= 0:
        empty = np.full(len(target), np.nan)
        return empty, empty.copy()
    rows = panel.training(year - panel.spec.horizon)
    units = rows.features.index.get_level_values(0).to_numpy()
    distinct = np.unique(units)
    positions = {unit: np.flatnonzero(units == unit) for unit in distinct}
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(draws):
        picked = np.concatenate([positions[u] for u in rng.choice(distinct, len(distinct))])
        outcome = rows.outcome.iloc[picked]
        if outcome.sum() == 0:
            continue
        fitted = clone(model).fit(rows.features.iloc[picked], outcome, time=rows.time.iloc[picked])
        samples.append(fitted.decision_function(target))
    if not samples:
        raise ValidationError("no bootstrap sample of the training rows had a positive case")
    # Percentiles of the refits' log-odds, re-centred on the point forecast: refits on
    # resampled countries shift the level (another lambda, more iterations), not only the spread.
    draws_logit = np.vstack(samples)
    tail = (1 - level) / 2 * 100
    low, middle, high = np.percentile(draws_logit, [tail, 50, 100 - tail], axis=0)
    return low - middle, high - middle
