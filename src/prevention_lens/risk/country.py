"""A country's statistical risk as its pages and briefs show it: the latest forecast with its
drivers and the change since the year before in parts, earlier runs, and the backtest's record
of past forecasts against observed onsets.

Public API::

    country_risk(session, principal, country) -> CountryRisk   # country: a Country row
    RISK_LEVELS: tuple[RiskLevel, ...]                          # the cut-offs and why
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.risk.forecasts import LEVELS, risk_level
from prevention_lens.store.access import Principal, allowed, project, require
from prevention_lens.store.models import BacktestRecord, Country, CountryForecast, ForecastRun

# Where the cut-offs come from: the share of country-years in EWP's panel (1960–2023) followed
# by a mass-killing onset within two years is 2.3% (1.4% since 1994). "Elevated" starts at about
# that average, "high" at twice and "very high" at four times it. They were fixed in advance,
# not fitted to the forecasts, and sort and colour the map; they are not thresholds for action.
LEVEL_REASON = (
    "The levels are fixed multiples of the average two-year risk, set in advance rather than "
    "fitted: about 2% of country-years in the Early Warning Project's panel (1960–2023) were "
    "followed by a new mass killing within two years. Elevated starts near that average (2%), "
    "high at twice it (4%), very high at four times it (8%). They sort and colour the map; "
    "they are not thresholds for action."
)


@dataclass(frozen=True)
class RiskLevel:
    name: str
    low: float  # the level starts here (probability)
    high: float | None  # and ends below this; None: no upper end


RISK_LEVELS = tuple(
    RiskLevel(name, floor, None if i == 0 else LEVELS[i - 1][1])
    for i, (name, floor) in enumerate(LEVELS)
)


@dataclass(frozen=True)
class Driver:
    """A predictor's pull on the forecast's log-odds against a median country."""

    label: str
    value: str
    contribution: float


@dataclass(frozen=True)
class ChangePart:
    """One part of the change since the year before, in probability (``points`` × 100)."""

    kind: str  # "refit" or "data"
    label: str
    before: str
    after: str
    change: float

    @property
    def points(self) -> float:
        return self.change * 100


@dataclass(frozen=True)
class StoredForecast:
    run_id: int
    model_name: str
    panel_spec: str
    origin_year: int
    created_at: datetime
    probability: float
    rank: int
    low: float | None
    high: float | None
    previous_probability: float | None
    level: str
    drivers: tuple[Driver, ...]
    parts: tuple[ChangePart, ...]

    @property
    def change(self) -> float | None:
        if self.previous_probability is None:
            return None
        return self.probability - self.previous_probability


@dataclass(frozen=True)
class PastForecast:
    """A forecast the backtest made from the data of ``year`` for the next ``horizon`` years,
    and whether an onset was observed in that window."""

    year: int
    probability: float
    rank: float
    onset: bool


@dataclass(frozen=True)
class BacktestTrack:
    backtest_id: int
    model: str
    horizon: int
    forecasts: tuple[PastForecast, ...]
    onsets: tuple[int, ...]


@dataclass(frozen=True)
class CountryRisk:
    """Everything of a country's statistical risk that the principal may see; ``forecasts``
    newest run first (empty when none is stored), ``track`` None when no stored backtest has
    one for the country."""

    country_key: str
    country_name: str
    forecasts: tuple[StoredForecast, ...]
    track: BacktestTrack | None

    @property
    def latest(self) -> StoredForecast | None:
        return self.forecasts[0] if self.forecasts else None


def _drivers(entries: Sequence[Mapping[str, Any]]) -> tuple[Driver, ...]:
    return tuple(
        Driver(
            label=str(d.get("label") or d.get("predictor")),
            value=str(d.get("value_text", d.get("value", ""))),
            contribution=float(d.get("contribution", 0.0)),
        )
        for d in entries
    )


def _parts(entries: Sequence[Mapping[str, Any]]) -> tuple[ChangePart, ...]:
    # Runs stored before the change was split in parts hold another measure: show none.
    return tuple(
        ChangePart(
            kind=str(p["kind"]),
            label=str(p.get("label") or p.get("predictor")),
            before=str(p.get("before", "")),
            after=str(p.get("after", "")),
            change=float(p["change"]),
        )
        for p in entries
        if "kind" in p
    )


def _track(session: Session, principal: Principal, key: str) -> BacktestTrack | None:
    if not allowed(principal, "read", "backtest_run"):
        return None
    records = session.scalars(select(BacktestRecord).order_by(BacktestRecord.id.desc()))
    for record in records:
        history: dict[str, Any] = dict((record.table or {}).get("country_history") or {})  # type: ignore[call-overload]
        found: dict[str, Any] | None = (history.get("countries") or {}).get(key)
        if not found:
            continue
        horizon = int(history.get("horizon", 2))
        onsets = tuple(int(y) for y in found.get("onsets", ()))
        return BacktestTrack(
            backtest_id=record.id,
            model=str(history.get("model", record.default_model)),
            horizon=horizon,
            forecasts=tuple(
                PastForecast(
                    year=int(year),
                    probability=float(p),
                    rank=float(rank),
                    onset=any(year < onset <= year + horizon for onset in onsets),
                )
                for year, p, rank in zip(
                    found["years"], found["probability"], found["rank"], strict=True
                )
            ),
            onsets=onsets,
        )
    return None


def country_risk(session: Session, principal: Principal, country: Country) -> CountryRisk:
    """The country's stored forecasts (newest run first) and backtest record. Forecasts and
    backtests are public records: no audit row is written for reading them."""
    require(principal, "read", "country_forecast")
    pairs = session.execute(
        select(CountryForecast, ForecastRun)
        .join(ForecastRun, CountryForecast.run_id == ForecastRun.id)
        .where(CountryForecast.country_id == country.id)
        .order_by(ForecastRun.id.desc())
    ).all()
    forecasts = []
    for forecast, run in pairs:
        row = project(principal, "country_forecast", forecast)
        if row is None:
            continue
        forecasts.append(
            StoredForecast(
                run_id=run.id,
                model_name=run.model_name,
                panel_spec=run.panel_spec,
                origin_year=row["origin_year"],
                created_at=run.created_at,
                probability=row["probability"],
                rank=row["rank"],
                low=row["low"],
                high=row["high"],
                previous_probability=row["previous_probability"],
                level=risk_level(row["probability"]),
                drivers=_drivers(row["drivers"] or ()),
                parts=_parts(row["shifts"] or ()),
            )
        )
    return CountryRisk(
        country_key=country.key,
        country_name=country.name,
        forecasts=tuple(forecasts),
        track=_track(session, principal, country.key),
    )
