"""Stored forecasts: a run (model, data checksum, code version, backtest metrics) and one row per
country, read back through the access policy for maps, tables and country pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens import __version__
from prevention_lens.errors import NotFoundError
from prevention_lens.store.access import Principal, audit, project, read_records, require
from prevention_lens.store.models import Country, CountryForecast, ForecastRun
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


def attach_backtest(session: Session, principal: Principal, backtest: Mapping[str, object]) -> int:
    """Keep a backtest table with the latest run, so pages show how its model did."""
    require(principal, "create", "forecast_run")
    run = session.scalar(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(1))
    if run is None:
        raise NotFoundError("No forecast run is stored yet: run `lens risk forecast` first.")
    run.metrics = {**run.metrics, "backtest": dict(backtest)}
    audit(session, principal, "attach-backtest", "forecast_run", run.id)
    return run.id


def latest_run(session: Session, principal: Principal) -> dict[str, Any] | None:
    rows = read_records(
        session,
        principal,
        "forecast_run",
        select(ForecastRun).order_by(ForecastRun.id.desc()).limit(1),
    )
    return rows[0] if rows else None


def runs(session: Session, principal: Principal) -> list[dict[str, Any]]:
    return read_records(
        session, principal, "forecast_run", select(ForecastRun).order_by(ForecastRun.id.desc())
    )


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
