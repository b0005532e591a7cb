"""UCDP's Georeferenced Event Dataset (GED): each event of organised violence as incident draft
values. Reads the 49-column CSV UCDP publishes (any recent version; only the columns used are
required).

Public API::

    DATASET, REQUIRED_COLUMNS, parse_ged(path) -> (rows, problems)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from prevention_lens.errors import LensError, ValidationError
from prevention_lens.sources.incident_csv import (
    CountryLookup,
    DuplicateIds,
    IncidentRow,
    iso_day,
    read_table,
)
from prevention_lens.sources.layouts import missing_columns_error

DATASET = "ucdp-ged"
REQUIRED_COLUMNS = (
    "id",
    "type_of_violence",
    "conflict_name",
    "dyad_name",
    "side_a",
    "source_article",
    "source_office",
    "source_date",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "country_id",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
)
# date_prec: 1 exact day, 2 a span of 2–6 days, 3 the week, 4 the month, 5 the year.
DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
# where_prec: 1 exact place, 2 within ~25 km, 3 second-order unit, 4 first-order unit, 5 a part
# of the country (a region, a road, a border), 6 the country, 7 its waters or airspace.
LOCATION_PRECISION = {
    "1": "exact",
    "2": "near",
    "3": "admin2",
    "4": "admin1",
    "5": "admin1",
    "6": "country",
    "7": "country",
}
# Draft field -> GED column, so that problems name the column a user can look up.
COLUMNS = {
    "external_id": "id",
    "date_start": "date_start",
    "date_end": "date_end",
    "date_precision": "date_prec",
    "country": "country_id",
    "title": "dyad_name",
    "narrative": "where_description",
    "admin1": "adm_1",
    "admin2": "adm_2",
    "place_name": "where_coordinates",
    "latitude": "latitude",
    "longitude": "longitude",
    "location_precision": "where_prec",
    "perpetrator_name": "side_a",
    "fatalities_best": "best",
    "fatalities_low": "low",
    "fatalities_high": "high",
    "ucdp_type_of_violence": "type_of_violence",
    "sources": "source_office",
}
_COUNT = re.compile(r"-?\d+")
_PUBLISHER_LIMIT = 300

Bad = Callable[[str, str], ValidationError]


def parse_ged(path: Path) -> tuple[list[IncidentRow], list[ValidationError]]:
    """Draft values for each event, and a problem for each row that cannot be one."""
    problems: list[ValidationError] = []
    table = read_table(path, (), problems)
    missing = [name for name in REQUIRED_COLUMNS if name not in table.spelled]
    if missing:
        raise missing_columns_error(path, table.header, missing, DATASET)
    duplicates = DuplicateIds(path.name, "id")
    countries = CountryLookup()
    rows: list[IncidentRow] = []
    for number, cells in table.rows:
        try:
            rows.append(_event(path.name, number, cells, duplicates, countries))
        except ValidationError as problem:
            problems.append(problem)
    return rows, problems


def _event(
    file: str,
    number: int,
    cells: Mapping[str, str],
    duplicates: DuplicateIds,
    countries: CountryLookup,
) -> IncidentRow:
    def bad(column: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, row=number, field=column)

    external_id = cells["id"]
    if not external_id:
        raise bad("id", "the event id is empty")
    repeated = duplicates.problem(external_id, number)
    if repeated is not None:
        raise repeated
    violence = cells["type_of_violence"]
    if violence not in ("1", "2", "3"):
        raise bad("type_of_violence", f"must be 1, 2 or 3, got {violence!r}")
    date_precision = DATE_PRECISION.get(cells["date_prec"])
    if date_precision is None:
        raise bad("date_prec", f"must be 1 to 5, got {cells['date_prec']!r}")
    location_precision = LOCATION_PRECISION.get(cells["where_prec"])
    if location_precision is None:
        raise bad("where_prec", f"must be 1 to 7, got {cells['where_prec']!r}")
    day = iso_day(cells["date_start"])
    if day is None:
        raise bad("date_start", f"{cells['date_start']!r} is not a date like 2017-08-25")
    best, low, high = (_count(cells, column, bad) for column in ("best", "low", "high"))
    if best is not None:
        # GED's low and high sometimes fail to bracket best (aggregated events carry 0s);
        # the range is widened to include best rather than the event refused.
        low = None if low is None else min(low, best)
        high = None if high is None else max(high, best)
    side_a = cells["side_a"]
    values: dict[str, Any] = {
        "ucdp_type_of_violence": violence,
        "title": cells["dyad_name"] or cells["conflict_name"],
        "narrative": _narrative(cells),
        "date_start": day,
        "date_end": cells["date_end"],
        "date_precision": date_precision,
        "country": _country(cells, day, countries, bad),
        "admin1": cells["adm_1"],
        "admin2": cells["adm_2"],
        "place_name": _one_line(cells["where_coordinates"]),
        "latitude": cells["latitude"],
        "longitude": cells["longitude"],
        "location_precision": location_precision,
        "perpetrator_kind": _perpetrator_kind(side_a),
        "perpetrator_name": side_a,
        "fatalities_best": best,
        "fatalities_low": low,
        "fatalities_high": high,
        "confidentiality": "public",
        "sources": _sources(cells["source_office"], cells["source_date"]),
    }
    return IncidentRow(
        row=number,
        dataset=DATASET,
        external_id=external_id,
        values=values,
        columns=COLUMNS,
        source_type=("ucdp", violence),
    )


def _count(cells: Mapping[str, str], column: str, bad: Bad) -> int | None:
    raw = cells[column]
    if not raw:
        return None
    if not _COUNT.fullmatch(raw):
        raise bad(column, f"{raw!r} is not a count")
    value = int(raw)
    if value < 0:
        raise bad(column, f"must not be negative, got {value}")
    return value


def _country(cells: Mapping[str, str], day: date, countries: CountryLookup, bad: Bad) -> str:
    """The country by its Gleditsch–Ward code on the event's day, else by GED's name.

    When both resolve they must agree: a name naming another country means the row was
    edited or shifted, and storing it under the code's country would misplace the event
    silently. Only ``country_id`` is compared; ``gwnoa`` is side A's code, often a foreign
    government's. A name the reference does not know contradicts nothing."""
    name = cells["country"]
    try:
        key = countries.key(cells["country_id"], scheme="gw", on=day)
    except LensError as error:
        if name:
            try:
                return countries.key(name, on=day)
            except LensError:
                pass
        raise bad("country_id", str(error)) from None
    if name:
        try:
            named = countries.key(name, on=day)
        except LensError:
            return key
        if named != key and not countries.same_code(named, key, "gw"):
            raise bad(
                "country",
                f"{name!r} is {countries.name(named)} ({named}), but country_id "
                f"{cells['country_id']} is {countries.name(key)} ({key}) on {day.isoformat()}",
            )
    return key


def _perpetrator_kind(side_a: str) -> str:
    if not side_a:
        return "unknown"
    return "state" if side_a.startswith("Government of") else "non_state"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _narrative(cells: Mapping[str, str]) -> str:
    lines: list[str] = []
    if cells["where_description"]:
        lines.append(f"Reported location: {_one_line(cells['where_description'])}")
    deaths = [
        f"{label} {cells[column]}"
        for label, column in (
            ("side A", "deaths_a"),
            ("side B", "deaths_b"),
            ("civilians", "deaths_civilians"),
            ("unknown", "deaths_unknown"),
        )
        if cells[column]
    ]
    if deaths:
        lines.append(f"Deaths (UCDP): {', '.join(deaths)}.")
    if cells["source_original"]:
        lines.append(f"Original source: {_one_line(cells['source_original'])}")
    citations = _citations(cells["source_article"])
    if citations:
        lines.append("Sources (UCDP):")
        lines.extend(f"- {citation}" for citation in citations)
    return "\n".join(lines)


def _citations(article: str) -> list[str]:
    """GED's ``source_article``: quoted "publisher,date,headline" items separated by ';'."""
    text = _one_line(article)
    if not text:
        return []
    try:
        items = next(csv.reader([text], delimiter=";"), [])
    except csv.Error:
        items = [text]
    return [item.strip() for item in items if item.strip()]


def _sources(offices: str, dates: str) -> list[dict[str, Any]]:
    """One source per publisher, dated when GED lists as many dates as publishers."""
    names = [_one_line(name) for name in offices.split(";")]
    days = [iso_day(day) for day in dates.split(";")]
    if len(days) != len(names):
        days = [None] * len(names)
    seen: list[dict[str, Any]] = []
    for name, day in zip(names, days, strict=True):
        item = {"publisher": name[:_PUBLISHER_LIMIT], "published_on": day}
        if name and item not in seen:
            seen.append(item)
    return seen
