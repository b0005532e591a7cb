"""Incident counts per map cell and per month for the current filters, computed in the store's
session over every matching record, so that the map and the timeline never rest on a sample.

Only what the reader may see is counted (the same visibility as ``list_incidents``), and cells
are placed by the rounded coordinates everyone may read and named by their south-west corner: a
cell never reveals more about where a record is than its public coordinates do. Records
without coordinates are counted per country.

Public API::

    CELL_SIZES                                     # allowed cell sizes in degrees
    IncidentCell, CountryCount, MonthCount         # frozen
    IncidentAggregate                              # frozen; .to_dict()
    aggregate_incidents(session, principal, filters, *, cell_degrees=1.0) -> IncidentAggregate
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.records import IncidentFilter, visible_matches
from prevention_lens.store.access import Confidentiality, Principal, audit, require
from prevention_lens.store.models import Country, Incident
from prevention_lens.store.models.incidents import PUBLIC_COORDINATE_DECIMALS

# From a continent down to about 5 km; never finer than the 2-decimal public coordinates.
CELL_SIZES = (5.0, 2.0, 1.0, 0.5, 0.25, 0.1, 0.05)


@dataclass(frozen=True)
class IncidentCell:
    """Records whose public coordinates fall in one square of the grid, named by its south-west
    corner (the square runs ``cell_degrees`` north and east from there)."""

    south: float
    west: float
    count: int
    deaths: int


@dataclass(frozen=True)
class CountryCount:
    """Records of one country without coordinates."""

    country_key: str
    iso_numeric: int | None
    count: int
    deaths: int


@dataclass(frozen=True)
class MonthCount:
    month: str  # "YYYY-MM", the month the record starts in
    count: int
    deaths: int


@dataclass(frozen=True)
class IncidentAggregate:
    """Every record matching the filters, counted for the map and the timeline."""

    total: int
    cell_degrees: float
    cells: tuple[IncidentCell, ...]
    unplaced: tuple[CountryCount, ...]
    months: tuple[MonthCount, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _cell_size(value: float) -> float:
    if value not in CELL_SIZES:
        choices = ", ".join(f"{size:g}" for size in CELL_SIZES)
        raise ValidationError(f"must be one of {choices} degrees, got {value!r}", field="cell")
    return value


def _rounded(value: float) -> float:
    return round(value, PUBLIC_COORDINATE_DECIMALS)


def aggregate_incidents(
    session: Session,
    principal: Principal,
    filters: IncidentFilter | None = None,
    *,
    cell_degrees: float = 1.0,
) -> IncidentAggregate:
    """Counts and deaths per grid cell (``cell_degrees`` on a side, from the public coordinates),
    per country for records
    without coordinates, and per month, over every record ``principal`` may see that matches
    ``filters`` (whose limit and offset are ignored)."""
    require(principal, "read", "incident")
    size = _cell_size(cell_degrees)
    statement = visible_matches(session, principal, filters or IncidentFilter()).with_only_columns(
        Incident.date_start,
        Incident.latitude,
        Incident.longitude,
        Incident.country_id,
        Incident.fatalities_best,
        Incident.confidentiality,
    )
    cells: Counter[tuple[int, int]] = Counter()
    cell_deaths: Counter[tuple[int, int]] = Counter()
    unplaced: Counter[int] = Counter()
    unplaced_deaths: Counter[int] = Counter()
    months: Counter[str] = Counter()
    month_deaths: Counter[str] = Counter()
    total = restricted = 0
    for day, latitude, longitude, country_id, deaths, level in session.execute(statement):
        total += 1
        restricted += level >= Confidentiality.RESTRICTED
        dead = int(deaths or 0)
        month = f"{day.year:04d}-{day.month:02d}"
        months[month] += 1
        month_deaths[month] += dead
        if latitude is None or longitude is None:
            unplaced[country_id] += 1
            unplaced_deaths[country_id] += dead
            continue
        # The public coordinates decide the cell, for every reader alike.
        cell = (
            math.floor(_rounded(latitude) / size),
            math.floor(_rounded(longitude) / size),
        )
        cells[cell] += 1
        cell_deaths[cell] += dead
    if restricted or (principal.clearance >= Confidentiality.CONFIDENTIAL and total):
        audit(
            session, principal, "read", "incident", count=total, restricted=restricted, summary=True
        )
    countries = {
        row.id: (row.key, row.iso_numeric)
        for row in session.execute(select(Country.id, Country.key, Country.iso_numeric))
    }
    return IncidentAggregate(
        total=total,
        cell_degrees=size,
        cells=tuple(
            IncidentCell(
                south=round(row * size, 4),
                west=round(column * size, 4),
                count=count,
                deaths=cell_deaths[(row, column)],
            )
            for (row, column), count in sorted(cells.items())
        ),
        unplaced=tuple(
            CountryCount(
                country_key=countries.get(country_id, ("", None))[0],
                iso_numeric=countries.get(country_id, ("", None))[1],
                count=count,
                deaths=unplaced_deaths[country_id],
            )
            for country_id, count in sorted(unplaced.items())
        ),
        months=tuple(
            MonthCount(month=month, count=count, deaths=month_deaths[month])
            for month, count in sorted(months.items())
        ),
    )
