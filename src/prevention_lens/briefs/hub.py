"""The country hub: one country's risk, latest Framework assessment, recent signals and incidents,
speech monitoring, actors present and coverage gap, each with the address of the page that shows
it in full.

It composes five domains (risk, incidents, speech, actors, and coverage from
``briefs/coverage.py``), so it lives in the application layer. Every part is read through the
access policy: a reader sees only what the policy gives them (an anonymous reader: public
records, published actors, no contacts; of speech, counts only), and a part they may not read
at all is None, never an error.

Public API::

    CountryHub, HubRisk, HubDriver, HubAssessment, HubFactor, HubSignals, HubAlert,
    HubIncidents, HubIncident, HubActors, HubActor, HubCoverage     typed rows (frozen)
    SpeechPanel (the speech part, from ``briefs.speech``)
    country_hub(session, principal, country) -> CountryHub   # any name or code, or a
                                                             # CountryLookup; NotFoundError
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.actors.analysis import network_of
from prevention_lens.actors.example import EXAMPLE_NOTICE
from prevention_lens.actors.record_types import ActorRecord
from prevention_lens.actors.records import ActorFilter, list_actors
from prevention_lens.briefs.coverage import CountryRisk, coverage_of
from prevention_lens.briefs.speech import SpeechPanel, speech_panel
from prevention_lens.errors import NotFoundError
from prevention_lens.incidents.monitoring import RecordAlert, alerts_for
from prevention_lens.incidents.records import IncidentFilter, list_incidents
from prevention_lens.risk.assessments import latest_by_factor
from prevention_lens.risk.forecasts import risk_level
from prevention_lens.store.access import Principal, allowed, project, read_record
from prevention_lens.store.models import Actor, Country, CountryForecast, ForecastRun
from prevention_lens.store.reference import CountryLookup, look_up_country

# How many of each kind of item the hub lists; its pages list them all.
LATEST_ALERTS = 3
LATEST_INCIDENTS = 5
ACTOR_NAMES = 5
TOP_DRIVERS = 3


def _url(path: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class HubDriver:
    """One of the largest contributions to the forecast (a predictor and which way it pushes)."""

    label: str
    contribution: float

    @property
    def raises(self) -> bool:
        return self.contribution > 0


@dataclass(frozen=True)
class HubRisk:
    """The country's latest stored forecast."""

    probability: float
    rank: int
    level: str
    change: float | None  # since the run's previous forecast for the country
    origin_year: int | None
    model_name: str | None
    drivers: tuple[HubDriver, ...]
    url: str


@dataclass(frozen=True)
class HubFactor:
    number: int
    name: str
    highest: int | None
    assessed: int
    indicators: int


@dataclass(frozen=True)
class HubAssessment:
    """The latest Framework of Analysis assessment the reader may see, factor by factor."""

    assessed_on: date
    summary: str
    level: str  # its confidentiality: public, restricted, confidential
    factors: tuple[HubFactor, ...]
    url: str

    @property
    def assessed_factors(self) -> int:
        return sum(1 for factor in self.factors if factor.assessed)


@dataclass(frozen=True)
class HubAlert:
    month: str
    series_label: str
    observed: float
    expected: float


@dataclass(frozen=True)
class HubSignals:
    """Escalation alerts in the records the reader may see, newest month first."""

    total: int
    latest: tuple[HubAlert, ...]
    url: str


@dataclass(frozen=True)
class HubIncident:
    id: int
    title: str
    date_start: date | None
    category: str
    url: str


@dataclass(frozen=True)
class HubIncidents:
    total: int
    latest: tuple[HubIncident, ...]
    url: str


@dataclass(frozen=True)
class HubActor:
    id: int
    name: str
    kind_label: str
    url: str


@dataclass(frozen=True)
class HubActors:
    """Actors mapped in the country. ``is_example`` marks the generated example mapping, shown
    only while the real mapping shows this reader nothing; ``notice`` then says so."""

    dataset: str
    is_example: bool
    notice: str
    count: int
    names: tuple[HubActor, ...]
    url: str


@dataclass(frozen=True)
class HubCoverage:
    """What the country's mapped actors cover, and what it lacks if its risk is high."""

    dataset: str
    actors: int
    activities_covered: int
    local_activities: int
    at_risk: bool
    missing: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class CountryHub:
    """Everything the country page shows. ``country`` is the country's row as the policy gives
    it; a part is None when the reader may not read it or nothing is stored."""

    key: str
    name: str
    country: Mapping[str, Any]
    aliases: tuple[str, ...]
    related: tuple[Mapping[str, Any], ...]  # predecessor and successor states
    risk: HubRisk | None
    assessment: HubAssessment | None
    signals: HubSignals | None
    incidents: HubIncidents | None
    actors: HubActors | None
    coverage: HubCoverage | None
    url: str
    speech: SpeechPanel | None = None  # None: no monitored posts for the country

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready apart from dates (the API's encoder writes them as ISO strings)."""
        return asdict(self) | {
            "country": dict(self.country),
            "related": [dict(row) for row in self.related],
            "speech": None if self.speech is None else self.speech.to_dict(),
        }


def _risk(
    session: Session, principal: Principal, country: Country
) -> tuple[HubRisk | None, CountryRisk | None]:
    """The country's newest stored forecast for the hub, and for its coverage the country's
    place in the latest run (None when the latest run has no forecast for it)."""
    if not (
        allowed(principal, "read", "country_forecast")
        and allowed(principal, "read", "forecast_run")
    ):
        return None, None
    # One query: the newest stored forecast for this country, its run, and the latest run.
    latest = select(func.max(ForecastRun.id)).scalar_subquery()
    found = session.execute(
        select(CountryForecast, ForecastRun, latest)
        .join(ForecastRun, CountryForecast.run_id == ForecastRun.id)
        .where(CountryForecast.country_id == country.id)
        .order_by(ForecastRun.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None, None
    row = project(principal, "country_forecast", found[0])
    run = project(principal, "forecast_run", found[1])
    if row is None:
        return None, None
    probability = float(row["probability"])
    previous = row["previous_probability"]
    drivers = tuple(
        HubDriver(
            label=str(driver.get("label") or driver.get("predictor") or "?"),
            contribution=float(driver.get("contribution") or 0.0),
        )
        for driver in (row["drivers"] or [])[:TOP_DRIVERS]
        if isinstance(driver, Mapping)
    )
    risk = HubRisk(
        probability=probability,
        rank=int(row["rank"]),
        level=risk_level(probability),
        change=None if previous is None else probability - float(previous),
        origin_year=None if run is None else run["origin_year"],
        model_name=None if run is None else run["model_name"],
        drivers=drivers,
        url=f"/risk/{country.key}",
    )
    in_latest = run is not None and found[1].id == found[2]
    placed = (
        CountryRisk(
            probability=probability,
            level=risk.level,
            rank=risk.rank,
            run_id=int(found[1].id),
        )
        if in_latest
        else None
    )
    return risk, placed


def _assessment(session: Session, principal: Principal, country: Country) -> HubAssessment | None:
    if not allowed(principal, "read", "assessment"):
        return None
    try:
        latest, factors = latest_by_factor(session, principal, country)
    except NotFoundError:
        # The Framework is not loaded, so no assessment can have been recorded against it.
        return None
    if latest is None:
        return None
    return HubAssessment(
        assessed_on=latest["assessed_on"],
        summary=str(latest.get("summary") or ""),
        level=str(latest.get("level") or "public"),
        factors=tuple(
            HubFactor(
                number=factor.number,
                name=factor.name,
                highest=factor.highest,
                assessed=factor.assessed,
                indicators=factor.indicators,
            )
            for factor in factors
        ),
        url=f"/risk/{country.key}#assessment",
    )


def _alerts(session: Session, principal: Principal, key: str) -> list[RecordAlert] | None:
    """The country's escalation alerts (read once: for the signals and the speech surges)."""
    if not allowed(principal, "read", "incident"):
        return None
    return alerts_for(session, principal, country=key)


def _signals(alerts: Sequence[RecordAlert] | None, key: str) -> HubSignals | None:
    if alerts is None:
        return None
    return HubSignals(
        total=len(alerts),
        latest=tuple(
            HubAlert(
                month=alert.month,
                series_label=alert.series_label,
                observed=alert.observed,
                expected=alert.expected,
            )
            for alert in alerts[:LATEST_ALERTS]
        ),
        url=_url("/signals", country=key),
    )


def _incidents(session: Session, principal: Principal, key: str) -> HubIncidents | None:
    if not allowed(principal, "read", "incident"):
        return None
    page = list_incidents(session, principal, IncidentFilter(country=key, limit=LATEST_INCIDENTS))
    return HubIncidents(
        total=page.total,
        latest=tuple(
            HubIncident(
                id=int(row["id"]),
                title=str(row["title"] or ""),
                date_start=row["date_start"],
                category=str(row["category"] or ""),
                url=f"/incidents/{row['id']}",
            )
            for row in page.rows
        ),
        url=_url("/incidents", country=key),
    )


def _mapping(session: Session, principal: Principal) -> tuple[list[ActorRecord], str]:
    """Every actor of the mapping the hub shows, and which it is: the real mapping, or the
    example while the real one shows this reader nothing."""
    # One read of the real mapping answers which dataset, who is in the country, and (as the
    # network) what its coverage is.
    rows = list_actors(session, principal, ActorFilter(dataset="real"))
    if rows:
        return rows, "real"
    # Counted, not listed: only whether the example mapping exists matters here.
    if session.scalar(select(func.count(Actor.id)).where(Actor.dataset == "example")):
        return list_actors(session, principal, ActorFilter(dataset="example")), "example"
    return rows, "real"


def _actors(rows: Sequence[ActorRecord], dataset: str, key: str) -> HubActors:
    present = [row for row in rows if key in row.country_keys]
    query = {"country": key} | ({"dataset": dataset} if dataset != "real" else {})
    return HubActors(
        dataset=dataset,
        is_example=dataset == "example",
        notice=EXAMPLE_NOTICE if dataset == "example" else "",
        count=len(present),
        names=tuple(
            HubActor(id=row.id, name=row.name, kind_label=row.kind_label, url=f"/actors/{row.id}")
            for row in present[:ACTOR_NAMES]
        ),
        url=_url("/actors", **query),
    )


def _coverage(
    session: Session,
    principal: Principal,
    found: CountryLookup,
    mapping: tuple[list[ActorRecord], str],
    risk: CountryRisk | None,
) -> HubCoverage:
    rows, dataset = mapping
    # The regions come with the reference the country was found in; the store holds the same.
    regions = {record.key: record.region for record in found.reference.records}
    network = network_of(session, principal, dataset, rows, country_regions=regions)
    row = coverage_of(found.country, network, risk)
    query = {"dataset": dataset} if dataset != "real" else {}
    return HubCoverage(
        dataset=dataset,
        actors=row.actors,
        activities_covered=row.activities_covered,
        local_activities=row.local_activities,
        at_risk=bool(row.missing),
        missing=row.missing,
        url=_url("/actors/gaps", **query),
    )


def country_hub(session: Session, principal: Principal, country: str | CountryLookup) -> CountryHub:
    """The hub of a country named by any name, alias, key or code the resolver accepts, or
    already looked up by the caller (``store.reference.look_up_country``), e.g. a page that
    checked the country in its URL. Raises UnknownCountryError (a NotFoundError) when nothing
    matches.

    The country is looked up once and its row passed to every part, and the actor mapping is
    read once for both the actors and the coverage."""
    found = look_up_country(session, country) if isinstance(country, str) else country
    record = found.country
    row = read_record(session, principal, "country", record, record.key)
    key = record.key
    related = tuple(
        shown for other in found.related if (shown := project(principal, "country", other))
    )
    risk, placed = _risk(session, principal, record)
    alerts = _alerts(session, principal, key)
    mapping = _mapping(session, principal) if allowed(principal, "read", "actor") else None
    return CountryHub(
        key=key,
        name=str(row["name"]),
        country=row,
        aliases=tuple(found.record.aliases),
        related=related,
        risk=risk,
        assessment=_assessment(session, principal, record),
        signals=_signals(alerts, key),
        incidents=_incidents(session, principal, key),
        actors=None if mapping is None else _actors(*mapping, key),
        coverage=None if mapping is None else _coverage(session, principal, found, mapping, placed),
        url=f"/countries/{key}",
        speech=speech_panel(session, principal, record, alerts=alerts),
    )


def links(hub: CountryHub) -> Sequence[tuple[str, str]]:
    """(label, URL) of every page the hub links to, in the order the page shows them."""
    parts: list[tuple[str, str | None]] = [
        ("Risk", hub.risk.url if hub.risk else f"/risk/{hub.key}"),
        ("Signals", hub.signals.url if hub.signals else None),
        ("Incidents", hub.incidents.url if hub.incidents else None),
        ("Speech", hub.speech.url if hub.speech else None),
        ("Actors", hub.actors.url if hub.actors else None),
        ("Coverage gaps", hub.coverage.url if hub.coverage else None),
    ]
    return [(label, url) for label, url in parts if url is not None]
