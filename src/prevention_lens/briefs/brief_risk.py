"""A brief's statistical risk section: the country's latest forecast with its rank, interval,
change (and what moved it), top drivers and forecast history, each figure with its source.

Public API::

    brief_risk(session, principal, lookup) -> (BriefRisk, StoredForecast | None)
    horizon(origin_year) -> str;  percent(probability) -> str;  CUTOFFS: str
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.briefs.parts import BriefRisk, Figure
from prevention_lens.risk.country import LEVEL_REASON, RISK_LEVELS, StoredForecast, country_risk
from prevention_lens.store.access import Principal, allowed
from prevention_lens.store.models import CountryForecast
from prevention_lens.store.reference import CountryLookup

TOP_DRIVERS = 5
FORECAST_SOURCE = "Early Warning Project (USHMM) data"
# "Levels: low below 2%, elevated from 2%, …", from the cut-offs the map and risk pages use.
CUTOFFS = (
    "Levels: "
    + ", ".join(
        f"{level.name} below {level.high:.0%}"
        if level.low == 0 and level.high is not None
        else f"{level.name} from {level.low:.0%}"
        for level in reversed(RISK_LEVELS)
    )
    + "."
)


def percent(probability: float) -> str:
    return f"{probability * 100:.1f}%"


def _points(change: float) -> str:
    return f"{change * 100:+.1f} points"


def horizon(origin_year: int) -> str:
    """The two years a forecast from ``origin_year``'s data speaks for."""
    return f"{origin_year + 1}–{str(origin_year + 2)[-2:]}"


def _driver_words(label: str, value: str, contribution: float) -> str:
    shown = f" ({value})" if value and value not in ("None", "") else ""
    way = "raises" if contribution > 0 else "lowers"
    return f"{label}{shown} {way} the risk."


def _ranked(session: Session, run_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(CountryForecast)
            .where(CountryForecast.run_id == run_id)
        )
        or 0
    )


def brief_risk(
    session: Session, principal: Principal, lookup: CountryLookup
) -> tuple[BriefRisk, StoredForecast | None]:
    cutoffs = CUTOFFS + " "
    empty = BriefRisk(None, None, None, None, None, None, (), (), (), cutoffs + LEVEL_REASON, ())
    if not allowed(principal, "read", "country_forecast"):
        return empty, None
    risk = country_risk(session, principal, lookup.country)
    latest = risk.latest
    if latest is None:
        return empty, None
    ranked = _ranked(session, latest.run_id)
    source = (
        f"Prevention Lens forecast ({latest.model_name}, panel {latest.panel_spec}) "
        f"on {FORECAST_SOURCE}"
    )
    as_of = f"data year {latest.origin_year}; forecast run {latest.created_at:%Y-%m-%d}"
    interval = (
        (latest.low, latest.high) if latest.low is not None and latest.high is not None else None
    )
    figures = [
        Figure(
            f"Risk of a new mass killing in {horizon(latest.origin_year)}",
            percent(latest.probability),
            source,
            as_of,
        ),
        Figure("Rank", f"{latest.rank} of {ranked}", source, as_of),
    ]
    if interval is not None:
        figures.append(
            Figure(
                "Uncertainty interval",
                f"{interval[0] * 100:.1f}–{interval[1] * 100:.1f}%",
                source,
                as_of,
            )
        )
    if latest.change is not None:
        figures.append(
            Figure("Change since the previous forecast", _points(latest.change), source, as_of)
        )
    history: dict[int, float] = {}
    if risk.track is not None:
        history.update((past.year, past.probability) for past in risk.track.forecasts)
    for stored in reversed(risk.forecasts):  # oldest first, so newer runs win
        history[stored.origin_year] = stored.probability
    return (
        BriefRisk(
            level=latest.level,
            probability=latest.probability,
            rank=latest.rank,
            ranked=ranked,
            interval=interval,
            change=None if latest.change is None else round(latest.change, 6),
            change_parts=tuple(
                (
                    part.label
                    if part.kind != "data" or not (part.before or part.after)
                    else f"{part.label} ({part.before} → {part.after})",
                    part.change,
                )
                for part in latest.parts
            ),
            drivers=tuple(
                _driver_words(d.label, d.value, d.contribution)
                for d in latest.drivers[:TOP_DRIVERS]
            ),
            history=tuple(sorted(history.items())),
            level_cutoffs=cutoffs + LEVEL_REASON,
            figures=tuple(figures),
        ),
        latest,
    )
