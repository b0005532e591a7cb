"""Stored forecasts: a run (model, data checksum, code version, backtest metrics) and one row per
country, read back through the access policy for maps, tables and country pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens import __version__
from prevention_lens.errors import NotFoundError
from prevention_lens.risk.figures import HEADLINE_FIGURES
from prevention_lens.store.access import (
    Principal,
    audit,
    project,
    read_record,
    read_records,
    require,
)
from prevention_lens.store.models import BacktestRecord, Country, CountryForecast, ForecastRun
from prevention_lens.store.reference import country_ids_by_key

# Risk levels for filters and colours; thresholds on the two-year probability of an onset.
LEVELS = (("very high", 0.08), ("high", 0.04), ("elevated", 0.02), ("low", 0.0))


def risk_level(probability: float) -> str:
    return next(name for name, floor in LEVELS if probability >= floor)


@dataclass(frozen=True)
class ForecastRow:
    country_key: str
    probability: float
    rank: int
    low: float | None = None
    high: float | None = None
    previous_probability: float | None = None
    drivers: Sequence[Mapping[str, object]] = field(default_factory=tuple)
    shifts: Sequence[Mapping[str, object]] = field(default_factory=tuple)


def store_forecast_run(
    session: Session,
    principal: Principal,
    *,
    model_name: str,
    model_params: Mapping[str, object],
    panel_spec: str,
    data_sha256: str,
    origin_year: int,
    metrics: Mapping[str, object],
    rows: Sequence[ForecastRow],
) -> ForecastRun:
    """Keep a run and its country forecasts; earlier runs stay, so history can be shown."""
    require(principal, "create", "forecast_run")
    run = ForecastRun(
        model_name=model_name,
        model_params=dict(model_params),
        panel_spec=panel_spec,
        data_sha256=data_sha256,
        code_version=__version__,
        origin_year=origin_year,
        metrics=dict(metrics),
        created_by=principal.username,
    )
    session.add(run)
    session.flush()
    ids = country_ids_by_key(session)
    for row in rows:
        session.add(
            CountryForecast(
                run_id=run.id,
                country_id=ids[row.country_key],
                origin_year=origin_year,
                probability=row.probability,
                rank=row.rank,
                low=row.low,
                high=row.high,
                previous_probability=row.previous_probability,
                drivers=[dict(d) for d in row.drivers],
                shifts=[dict(s) for s in row.shifts],
            )
        )
    audit(session, principal, "create", "forecast_run", run.id, model=model_name)
    session.flush()
    return run


def store_backtest(
    session: Session,
    principal: Principal,
    table: Mapping[str, Any],
    *,
    protocol: str = "ewp",
) -> BacktestRecord:
    """Keep a backtest table (from ``catalog.backtest_models``) as a new record, linked to the
    forecast run current at the time (if any); earlier backtests stay, so history shows."""
    require(principal, "create", "backtest_run")
    current = session.scalar(select(ForecastRun.id).order_by(ForecastRun.id.desc()).limit(1))
    record = BacktestRecord(
        protocol=protocol,
        panel_spec=str(table.get("panel_spec", "")),
        default_model=str(table.get("default_model", "")),
        models=list(table.get("models", {})),
        data_sha256=str(table.get("data_sha256", "")),
        code_version=__version__,
        n_boot=table.get("n_boot"),
        table=dict(table),
        forecast_run_id=current,
        created_by=principal.username,
    )
    session.add(record)
    session.flush()
    audit(session, principal, "create", "backtest_run", record.id, models=len(record.models))
    return record


def backtest_history(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every stored backtest, newest first, each with its default model's headline figures."""
    rows = read_records(
        session,
        principal,
        "backtest_run",
        select(BacktestRecord).order_by(BacktestRecord.id.desc()),
    )
    for row in rows:
        figures = row["table"].get("models", {}).get(row["default_model"], {})
        row["headline"] = {key: figures.get(key) for key in ("auc", "average_precision", "top10")}
    return rows


def stored_backtest(
    session: Session, principal: Principal, backtest_id: int | None = None
) -> dict[str, Any] | None:
    """One stored backtest (the latest when no id is given); None when none is stored."""
    query = select(BacktestRecord)
    if backtest_id is None:
        record = session.scalar(query.order_by(BacktestRecord.id.desc()).limit(1))
        if record is None:
            return None
    else:
        record = session.get(BacktestRecord, backtest_id)
    return read_record(session, principal, "backtest_run", record, str(backtest_id))


def backtest_rows(backtest: Mapping[str, Any] | StoredBacktest) -> list[dict[str, Any]]:
    """The scored table as flat rows (models, then the peer): every headline figure and its
    95% interval as ``FIGURE_low``/``FIGURE_high``, for CSV and tables."""
    if isinstance(backtest, StoredBacktest):
        table, default = backtest.table, backtest.default_model
    else:
        table = backtest["table"]
        default = backtest.get("default_model") or table.get("default_model")
    rows = []
    for role, group in (("model", table.get("models", {})), ("peer", table.get("peer", {}))):
        for name, figures in group.items():
            row: dict[str, Any] = {
                "model": name,
                "role": "default" if name == default else role,
            }
            for key in HEADLINE_FIGURES:
                row[key] = figures.get(key)
                interval = figures.get(f"{key}_ci")
                row[f"{key}_low"], row[f"{key}_high"] = interval if interval else (None, None)
            row["wall_s"] = figures.get("wall_s")
            rows.append(row)
    return rows


def backtest_columns() -> list[str]:
    """The columns of ``backtest_rows``, in order."""
    figures = [name for key in HEADLINE_FIGURES for name in (key, f"{key}_low", f"{key}_high")]
    return ["model", "role", *figures, "wall_s"]


def latest_run(session: Session, principal: Principal) -> dict[str, Any] | None:
    rows = read_records(
        session,
        principal,
        "forecast_run",
        select(ForecastRun).order_by(ForecastRun.id.desc()).limit(1),
    )
    return rows[0] if rows else None


def _with_country(
    principal: Principal, forecast: CountryForecast, country: Country
) -> dict[str, Any] | None:
    row = project(principal, "country_forecast", forecast)
    place = project(principal, "country", country)
    if row is None or place is None:
        return None
    return row | {
        "country_key": place["key"],
        "country_name": place["name"],
        "region": place["region"],
        "iso_numeric": place["iso_numeric"],
        "level": risk_level(row["probability"]),
        "change": None
        if row["previous_probability"] is None
        else row["probability"] - row["previous_probability"],
    }


def run_forecasts(session: Session, principal: Principal, run_id: int) -> list[dict[str, Any]]:
    """One run's forecasts, ranked, each with its country's key, name and region."""
    require(principal, "read", "country_forecast")
    pairs = session.execute(
        select(CountryForecast, Country)
        .join(Country, CountryForecast.country_id == Country.id)
        .where(CountryForecast.run_id == run_id)
        .order_by(CountryForecast.rank)
    ).all()
    return [row for f, c in pairs if (row := _with_country(principal, f, c)) is not None]


def country_forecast_history(
    session: Session, principal: Principal, country_key: str
) -> list[dict[str, Any]]:
    """Every stored forecast for one country, newest run first, with the run's model."""
    require(principal, "read", "country_forecast")
    pairs = session.execute(
        select(CountryForecast, Country, ForecastRun)
        .join(Country, CountryForecast.country_id == Country.id)
        .join(ForecastRun, CountryForecast.run_id == ForecastRun.id)
        .where(Country.key == country_key)
        .order_by(ForecastRun.id.desc())
    ).all()
    return [
        row | {"model_name": run.model_name, "created_at": run.created_at}
        for f, c, run in pairs
        if (row := _with_country(principal, f, c)) is not None
    ]


# --- typed reads for pages and briefs ------------------------------------------------------
# One not-found behaviour: a read of one thing (the latest run, a backtest by number or the
# latest one) raises NotFoundError when there is none; a read of a list returns it empty.


@dataclass(frozen=True)
class ForecastRunView:
    """A stored forecast run and its provenance."""

    id: int
    model_name: str
    model_params: Mapping[str, object]
    panel_spec: str
    data_sha256: str
    code_version: str
    origin_year: int
    metrics: Mapping[str, object]
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class RiskRow:
    """One country's forecast in a run, as the risk map and its CSV show it."""

    rank: int
    country_key: str
    country_name: str
    region: str
    iso_numeric: int | None
    probability: float
    low: float | None
    high: float | None
    previous_probability: float | None
    change: float | None
    level: str


@dataclass(frozen=True)
class RiskTable:
    run: ForecastRunView
    rows: tuple[RiskRow, ...]


def risk_table(session: Session, principal: Principal) -> RiskTable:
    """The latest run and its forecasts, ranked; NotFoundError when no run is stored."""
    run = latest_run(session, principal)
    if run is None:
        raise NotFoundError("No forecasts are stored yet: run `lens risk forecast`.")
    fields = {f.name for f in dataclass_fields(RiskRow)}
    rows = tuple(
        RiskRow(**{key: value for key, value in row.items() if key in fields})
        for row in run_forecasts(session, principal, run["id"])
    )
    return RiskTable(ForecastRunView(**run), rows)


@dataclass(frozen=True)
class StoredBacktest:
    """A stored backtest: provenance, the scored table (``table``: models, peer, curves,
    country_history) and the default model's headline figures."""

    id: int
    protocol: str
    panel_spec: str
    default_model: str
    models: tuple[str, ...]
    data_sha256: str
    code_version: str
    n_boot: int | None
    table: Mapping[str, Any]
    forecast_run_id: int | None
    created_by: str
    created_at: datetime

    @property
    def headline(self) -> dict[str, object]:
        figures = self.table.get("models", {}).get(self.default_model, {})
        return {key: figures.get(key) for key in ("auc", "average_precision", "top10")}


def _stored(row: Mapping[str, Any]) -> StoredBacktest:
    values = {key: row[key] for key in (f.name for f in dataclass_fields(StoredBacktest))}
    values["models"] = tuple(values["models"])
    return StoredBacktest(**values)


def backtest_record(
    session: Session, principal: Principal, backtest_id: int | None = None
) -> StoredBacktest:
    """One stored backtest (the latest when no id is given); NotFoundError when there is none."""
    found = stored_backtest(session, principal, backtest_id)
    if found is None:
        raise NotFoundError("No backtest is stored yet: run `lens risk backtest --store`.")
    return _stored(found)


def backtest_records(session: Session, principal: Principal) -> list[StoredBacktest]:
    """Every stored backtest, newest first."""
    return [_stored(row) for row in backtest_history(session, principal)]
