"""The suggested situation category of a country, with its reasons: read from the stored
statistical risk, the escalation signals and incident records, and the latest Framework assessment.

It advises and never decides: nothing here writes a situation; an analyst sets one with
``risk.situations.set_situation``. Every input is read through the access policy, so the
suggestion made for a reader rests only on what that reader may see.

The rule (docs/briefs.md, "Situations"), first match wins; "recent" is the window of the incident
records: from the first day of the month six months before the month of the latest record the
reader may see (not rejected, never after ``today``) up to that record. It ends where the records
end, not today, so a gap in the data never reads as calm; records ending more than
``STALE_AFTER_DAYS`` before ``today`` are stale, and the reasons say so:

1. current crisis: a recent escalation alert, at least 1,000 deaths in violence against civilians
   recorded recently (the scale of the Early Warning Project's mass-killing definition), and a high
   or very high statistical risk;
2. imminent risk: a high or very high risk that is rising (by half a percentage point or more) or
   comes with a recent alert; or the alert and deaths of rule 1 where the risk is not high;
3. serious concern: an elevated (or higher) risk, a recent alert, or a latest assessment that
   scores a Framework factor severe (3) or three factors moderate (2) or more;
4. none otherwise.

Confidence counts the three inputs (forecast, incident records, assessment) that hold data for the
country and those that support the category: high when all three hold data and two or more
support it, medium when two hold data and one or more supports it, low otherwise. Stale incident
records count as holding no data.

Public API::

    Suggestion            frozen: category, reasons, confidence, window; .label, .to_dict()
    RecordWindow          frozen: start, end, today; .days_behind, .stale, .to_dict()
    window_start(end) -> date
    suggest_situation(session, principal, country, *, today=None) -> Suggestion
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.incidents.records import IncidentFilter, list_incidents, visible_matches
from prevention_lens.incidents.taxonomy import CATEGORIES as INCIDENT_CATEGORIES
from prevention_lens.risk.assessments import latest_by_factor
from prevention_lens.risk.country import country_risk
from prevention_lens.risk.situations import CATEGORIES
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.models import Country, CountryForecast, Incident
from prevention_lens.store.reference import find_country

RECENT_MONTHS = 6
# Records that end more than about a quarter before today leave the months since unobserved: an
# early-warning reader must not take their quiet end for calm now.
STALE_AFTER_DAYS = 90
# The Early Warning Project counts a mass killing from 1,000 civilians deliberately killed in a
# year or less; the rule asks for that many in about half a year of records.
MASS_KILLING_DEATHS = 1000
RISING_BY = 0.005  # half a percentage point of two-year probability
HIGH_LEVELS = frozenset({"high", "very high"})
SEVERE = 3
MODERATE = 2
MODERATE_FACTORS = 3
CONFIDENCE = ("low", "medium", "high")
# Records a reviewer ruled out are no evidence (as for the escalation signals).
EXCLUDED_STATUSES = frozenset({"rejected"})


@dataclass(frozen=True)
class RecordWindow:
    """The window the incident records are read over: from ``start`` to ``end``, the date of the
    latest record the reader may see (never after ``today``), and how far that lies behind today."""

    start: date
    end: date
    today: date

    def __post_init__(self) -> None:
        if not self.start <= self.end <= self.today:
            raise ValueError(
                f"a record window needs start <= end <= today, got {self.start}, {self.end}, "
                f"{self.today}"
            )

    @property
    def days_behind(self) -> int:
        """Days from the latest record to today."""
        return (self.today - self.end).days

    @property
    def stale(self) -> bool:
        return self.days_behind > STALE_AFTER_DAYS

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "today": self.today.isoformat(),
            "days_behind": self.days_behind,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class Suggestion:
    """The category the rule suggests, why (plain sentences, the rule's conclusion first), how
    confident it is ("low", "medium" or "high"), and the window of the incident records it read
    (None when the reader has no records of the country to read)."""

    category: str
    reasons: tuple[str, ...]
    confidence: str
    window: RecordWindow | None = None

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown situation category {self.category!r}")
        if self.confidence not in CONFIDENCE:
            raise ValueError(f"confidence must be one of {CONFIDENCE}, got {self.confidence!r}")

    @property
    def label(self) -> str:
        return CATEGORIES[self.category].label

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "label": self.label,
            "reasons": list(self.reasons),
            "confidence": self.confidence,
            "window": None if self.window is None else self.window.to_dict(),
        }


@dataclass(frozen=True)
class _Risk:
    level: str
    probability: float
    rank: int
    ranked: int
    change: float | None
    origin_year: int

    @property
    def high(self) -> bool:
        return self.level in HIGH_LEVELS

    @property
    def rising(self) -> bool:
        return self.change is not None and self.change >= RISING_BY


@dataclass(frozen=True)
class _Signals:
    window: RecordWindow
    alerts: int  # alerts in the window
    latest: str  # the newest alert in the window, in words ("" without one)
    deaths: int  # deaths in violence against civilians in the window

    @property
    def mass_killing_scale(self) -> bool:
        return self.alerts > 0 and self.deaths >= MASS_KILLING_DEATHS


@dataclass(frozen=True)
class _Assessment:
    assessed_on: date
    severe: tuple[str, ...]  # factor names scored 3
    moderate: tuple[str, ...]  # factor names scored 2 or more

    @property
    def flags(self) -> bool:
        return bool(self.severe) or len(self.moderate) >= MODERATE_FACTORS


def window_start(end: date) -> date:
    """The first day of the month ``RECENT_MONTHS`` months before ``end``'s month."""
    months = end.year * 12 + end.month - 1 - RECENT_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def _records_end(session: Session, principal: Principal, country: Country) -> date | None:
    """The date of the latest record of the country that the reader may see and that counts as
    evidence (not withdrawn, not rejected)."""
    require(principal, "read", "incident")
    counted = (
        visible_matches(session, principal, IncidentFilter(country=country.key))
        .where(Incident.status.not_in(EXCLUDED_STATUSES))
        .subquery()
    )
    end: date | None = session.scalar(select(func.max(counted.c.date_start)))
    return end


def _risk(session: Session, principal: Principal, country: Country) -> tuple[_Risk | None, str]:
    if not allowed(principal, "read", "country_forecast"):
        return None, "Forecasts are not readable with your role."
    latest = country_risk(session, principal, country).latest
    if latest is None:
        return None, "No forecast is stored for this country."
    ranked = session.scalar(
        select(func.count())
        .select_from(CountryForecast)
        .where(CountryForecast.run_id == latest.run_id)
    )
    risk = _Risk(
        level=latest.level,
        probability=latest.probability,
        rank=latest.rank,
        ranked=int(ranked or 0),
        change=latest.change,
        origin_year=latest.origin_year,
    )
    text = (
        f"Statistical risk is {risk.level}: the chance of a new mass killing in "
        f"{risk.origin_year + 1}–{risk.origin_year + 2} is {risk.probability:.1%}, rank "
        f"{risk.rank} of {risk.ranked}."
    )
    if risk.change is not None:
        points = risk.change * 100
        way = "up" if points > 0 else "down" if points < 0 else "unchanged"
        text += f" It is {way}" + (f" {abs(points):.1f} percentage points" if points else "")
        text += " since the year before."
    return risk, text


def _signals(
    session: Session, principal: Principal, country: Country, today: date
) -> tuple[_Signals | None, str]:
    if not allowed(principal, "read", "incident"):
        return None, "Incident records are not readable with your role."
    records = list_incidents(session, principal, IncidentFilter(country=country.key, limit=1))
    if not records.total:
        return None, "No incident records of this country are stored that you may see."
    last = _records_end(session, principal, country)
    if last is None:
        return None, "Every incident record of this country that you may see was rejected."
    end = min(last, today)
    window = RecordWindow(start=window_start(end), end=end, today=today)
    since = f"{window.start:%Y-%m}"
    alerts = [
        alert
        for alert in alerts_for(session, principal, country=country.key, since=since)
        if alert.month <= f"{end:%Y-%m}"
    ]
    recent = list_incidents(
        session,
        principal,
        IncidentFilter(country=country.key, date_from=window.start, date_to=end, limit=None),
    )
    deaths = sum(
        int(row.get("fatalities_best") or 0)
        for row in recent.rows
        if row["status"] not in EXCLUDED_STATUSES
        and (kind := INCIDENT_CATEGORIES.get(row["category"])) is not None
        and kind.against_civilians
    )
    latest = f"{alerts[0].month}, {alerts[0].series_label.lower()}" if alerts else ""
    found = _Signals(window=window, alerts=len(alerts), latest=latest, deaths=deaths)
    text = (
        f"The incident records of {country.name} that you may see end {end.isoformat()}; the "
        f"window is the {RECENT_MONTHS} months up to then, from {window.start.isoformat()}. In it: "
    )
    text += (
        f"{found.alerts} escalation alert{'s' if found.alerts != 1 else ''} (latest: {latest})"
        if alerts
        else "no escalation alert"
    )
    text += (
        f", and {deaths:,} deaths in violence against civilians "
        f"(mass-killing scale: {MASS_KILLING_DEATHS:,})."
    )
    if window.stale:
        text += (
            f" These records end {window.days_behind:,} days before today ({today.isoformat()}), "
            "so they are stale: they say nothing about the months since, and the absence of "
            "alerts after them is no sign of calm."
        )
    return found, text


def _assessment(
    session: Session, principal: Principal, country: Country
) -> tuple[_Assessment | None, str]:
    if not allowed(principal, "read", "assessment"):
        return None, "Framework assessments are not readable with your role."
    try:
        latest, factors = latest_by_factor(session, principal, country)
    except NotFoundError:
        latest = None  # the Framework is not loaded, so nothing can have been assessed
    if latest is None:
        return None, "No Framework of Analysis assessment of this country is recorded."
    found = _Assessment(
        assessed_on=latest["assessed_on"],
        severe=tuple(f"{f.number}. {f.name}" for f in factors if (f.highest or 0) >= SEVERE),
        moderate=tuple(f"{f.number}. {f.name}" for f in factors if (f.highest or 0) >= MODERATE),
    )
    day = found.assessed_on.isoformat()
    if found.severe:
        text = f"The latest Framework assessment ({day}) scores severe: {'; '.join(found.severe)}."
    elif found.moderate:
        count = len(found.moderate)
        text = (
            f"The latest Framework assessment ({day}) scores {count} factor"
            f"{'s' if count != 1 else ''} moderate or more: {'; '.join(found.moderate)}."
        )
    else:
        text = f"The latest Framework assessment ({day}) scores no factor moderate or more."
    return found, text


def _rule(
    risk: _Risk | None, signals: _Signals | None, assessment: _Assessment | None
) -> tuple[str, str]:
    """The category and the sentence saying which condition of the rule chose it."""
    high = risk is not None and risk.high
    mass = signals is not None and signals.mass_killing_scale
    alerts = signals is not None and signals.alerts > 0
    if mass and high:
        return "current_crisis", (
            "Recent escalation alerts with deaths at mass-killing scale, and a high statistical "
            "risk."
        )
    if high and risk is not None and (risk.rising or alerts):
        why = " and ".join(
            part
            for part, holds in (("rising", risk.rising), ("with recent alerts", alerts))
            if holds
        )
        return "imminent_risk", f"A high statistical risk, {why}."
    if mass:
        return "imminent_risk", (
            "Recent escalation alerts with deaths at mass-killing scale, though the statistical "
            "risk is not high or not stored."
        )
    parts = [
        ("an elevated statistical risk", risk is not None and risk.level != "low"),
        ("a recent escalation alert", alerts),
        ("Framework risk factors scored high", assessment is not None and assessment.flags),
    ]
    held = [part for part, holds in parts if holds]
    if held:
        return "serious_concern", f"Serious concern: {', '.join(held)}."
    return "none", "None of the rule's conditions is met."


# For each category, which finding of each input supports it.
_SUPPORTS: dict[str, tuple[Any, Any, Any]] = {
    "current_crisis": (
        lambda r: r.high,
        lambda s: s.mass_killing_scale,
        lambda a: bool(a.severe),
    ),
    "imminent_risk": (lambda r: r.high, lambda s: s.alerts > 0, lambda a: bool(a.severe)),
    "serious_concern": (lambda r: r.level != "low", lambda s: s.alerts > 0, lambda a: a.flags),
    "none": (lambda r: r.level == "low", lambda s: s.alerts == 0, lambda a: not a.flags),
}


def _confidence(
    category: str, risk: _Risk | None, signals: _Signals | None, assessment: _Assessment | None
) -> str:
    # Stale records say nothing about now: for confidence they count as no data at all.
    current = None if signals is None or signals.window.stale else signals
    found = (risk, current, assessment)
    inputs = sum(part is not None for part in found)
    support = sum(
        bool(check(part))
        for check, part in zip(_SUPPORTS[category], found, strict=True)
        if part is not None
    )
    if inputs == 3 and support >= 2:
        return "high"
    if inputs >= 2 and support >= 1:
        return "medium"
    return "low"


def suggest_situation(
    session: Session,
    principal: Principal,
    country: Country | str,
    *,
    today: date | None = None,
) -> Suggestion:
    """The category the rule suggests for the country (a row, or any name or code), with its
    reasons and confidence, from what ``principal`` may read. Writes no situation."""
    found = country if isinstance(country, Country) else find_country(session, country)
    day = today or date.today()
    risk, risk_text = _risk(session, principal, found)
    signals, signals_text = _signals(session, principal, found, day)
    assessment, assessment_text = _assessment(session, principal, found)
    category, why = _rule(risk, signals, assessment)
    if signals is not None and signals.window.stale:
        why += (
            f" The incident records end {signals.window.end.isoformat()}, "
            f"{signals.window.days_behind:,} days before today: what they show is not current."
        )
    return Suggestion(
        category=category,
        reasons=(why, risk_text, signals_text, assessment_text),
        confidence=_confidence(category, risk, signals, assessment),
        window=None if signals is None else signals.window,
    )
