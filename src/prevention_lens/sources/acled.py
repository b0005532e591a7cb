"""ACLED exports as incident draft values: the current layout (lower-case headers,
``event_id_cnty``, ``disorder_type``, ``civilian_targeting``...), older exports (upper-case
headers, day-first and two-digit-year dates, the pre-2019 event types), and ACLED's lists of
deleted events. Perpetrators and targets come from ``acled_actors``.

Public API::

    DATASET, FIRST_YEAR, parse_acled(path) -> (rows and deletions, problems),
    acled_day(text) -> date | None
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from prevention_lens.errors import LensError, ValidationError
from prevention_lens.sources.acled_actors import Roles, event_roles, inter_code
from prevention_lens.sources.incident_csv import (
    CountryLookup,
    DeletedRow,
    DuplicateIds,
    IncidentRow,
    Table,
    iso_day,
    read_table,
)
from prevention_lens.sources.layouts import missing_columns_error

DATASET = "acled"
EVENT_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "actor1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "fatalities",
)
DELETION_COLUMNS = ("event_id_cnty", "deleted_timestamp")
# Older exports called the associated actors "allies".
RENAMES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"1": "exact", "2": "near", "3": "admin2"}
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
# Pre-2019 event types -> (current event type, current sub-event type or "").
LEGACY_EVENT_TYPES = {
    "battle-no change of territory": ("Battles", ""),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "battle-non-state actor overtakes territory": (
        "Battles",
        "Non-state actor overtakes territory",
    ),
    "remote violence": ("Explosions/Remote violence", ""),
    "strategic development": ("Strategic developments", ""),
    "headquarters or base established": (
        "Strategic developments",
        "Headquarters or base established",
    ),
    "non-violent transfer of territory": (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
}
RIOTERS = 5
_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
    for name in (full, full[:3], full[:4])
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# Day first, as ACLED documents ("Day / Month / Year"); the year always has four digits here.
_NUMERIC = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})")
# 25 August 2017, 25-Aug-2017, and the spreadsheet-saved exports of 2020 and earlier: 9-May-20.
_NAMED_MONTH = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4}|\d{2})")
# ACLED's data begin in 1997, so a two-digit year of 97–99 is 19yy and any other is 20yy.
FIRST_YEAR = 1997
_PIVOT = FIRST_YEAR % 100
DATE_LAYOUTS = "2017-08-25, 25 August 2017, 25-Aug-2017, 25-Aug-17 or 25/08/2017 (day first)"

Bad = Callable[[str, str], ValidationError]


def acled_day(text: str) -> date | None:
    """A date in a layout ACLED writes, within ACLED's years (1997 to tomorrow), else None."""
    day = _layout_day(text)
    if day is None or _out_of_range(day):
        return None
    return day


def _layout_day(text: str) -> date | None:
    text = text.strip()
    try:
        if _ISO.fullmatch(text[:10]):
            return iso_day(text)
        numeric = _NUMERIC.fullmatch(text)
        if numeric:
            day, _, month, year = numeric.groups()
            return date(int(year), int(month), int(day))
        named = _NAMED_MONTH.fullmatch(text)
        if named and named.group(2).lower() in _MONTHS:
            month = _MONTHS[named.group(2).lower()]
            return date(_full_year(named.group(3)), month, int(named.group(1)))
    except ValueError:
        return None
    return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= _PIVOT else 2000)
    return year


def _out_of_range(day: date) -> str | None:
    if day.year < FIRST_YEAR:
        return f"is before {FIRST_YEAR}, when ACLED's data begin"
    # A day's grace: an event's local date can be ahead of the importer's clock.
    if day > date.today() + timedelta(days=1):
        return "is in the future"
    return None


def _month_first_row(table: Table) -> tuple[int, str] | None:
    """The first row whose numeric date can only be month first (05/25/2020), if any.

    Such a file was re-saved with month-first date settings, so none of its numeric dates can
    be read day first with confidence."""
    for number, cells in table.rows:
        raw = cells.get("event_date", "").strip()
        numeric = _NUMERIC.fullmatch(raw)
        if numeric and int(numeric.group(1)) <= 12 < int(numeric.group(3)):
            return number, raw
    return None


def parse_acled(path: Path) -> tuple[list[IncidentRow | DeletedRow], list[ValidationError]]:
    """Events (or, for a file of deleted events, deletions) and a problem per bad row."""
    problems: list[ValidationError] = []
    table = read_table(path, (), problems, fold_case=True, renames=RENAMES)
    deletions = "deleted_timestamp" in table.spelled
    required = DELETION_COLUMNS if deletions else EVENT_COLUMNS
    missing = [name for name in required if name not in table.spelled]
    if missing:
        raise missing_columns_error(path, table.header, missing, DATASET)
    duplicates = DuplicateIds(path.name, table.column("event_id_cnty"))
    countries = CountryLookup()
    month_first = None if deletions else _month_first_row(table)
    rows: list[IncidentRow | DeletedRow] = []
    for number, cells in table.rows:

        def bad(column: str, problem: str, number: int = number) -> ValidationError:
            return ValidationError(problem, file=path.name, row=number, field=table.column(column))

        try:
            external_id = cells["event_id_cnty"]
            if not external_id:
                raise bad("event_id_cnty", "the event id is empty")
            repeated = duplicates.problem(external_id, number)
            if repeated is not None:
                raise repeated
            if deletions:
                rows.append(_deletion(number, external_id, cells, bad))
            else:
                rows.append(_event(table, number, external_id, cells, countries, month_first, bad))
        except ValidationError as problem:
            problems.append(problem)
    return rows, problems


def _deletion(number: int, external_id: str, cells: Mapping[str, str], bad: Bad) -> DeletedRow:
    raw = cells["deleted_timestamp"]
    day: date | None
    if raw.isascii() and raw.isdigit():
        try:
            day = datetime.fromtimestamp(int(raw), UTC).date()
        except (OverflowError, OSError, ValueError):
            day = None
    else:
        day = iso_day(raw)
    if day is None:
        raise bad("deleted_timestamp", f"{raw!r} is neither Unix seconds nor a date")
    return DeletedRow(
        row=number,
        dataset=DATASET,
        external_id=external_id,
        reason=f"deleted by ACLED on {day.isoformat()}",
    )


def _event(
    table: Table,
    number: int,
    external_id: str,
    cells: Mapping[str, str],
    countries: CountryLookup,
    month_first: tuple[int, str] | None,
    bad: Bad,
) -> IncidentRow:
    def cell(name: str) -> str:
        return cells.get(name, "")

    day = _event_day(cell("event_date"), month_first, bad)
    time_precision = TIME_PRECISION.get(cell("time_precision"))
    if time_precision is None:
        raise bad("time_precision", f"must be 1, 2 or 3, got {cell('time_precision')!r}")
    geo_precision = GEO_PRECISION.get(cell("geo_precision"))
    if geo_precision is None:
        raise bad("geo_precision", f"must be 1, 2 or 3, got {cell('geo_precision')!r}")
    event, sub, classified_sub = _event_type(cell("event_type"), cell("sub_event_type"), cell)
    if not event:
        raise bad("event_type", "is empty")
    roles = event_roles(event, sub, cell("actor1"), cell("inter1"), cell("actor2"), cell("inter2"))
    values: dict[str, Any] = {
        "acled_event_type": event,
        "acled_sub_event_type": sub,
        "title": _title(sub or event, cell("actor1"), cell("actor2")),
        "narrative": _narrative(cell, event, roles),
        "date_start": day,
        "date_precision": time_precision,
        "country": _country(cell, day, countries, bad),
        "admin1": cell("admin1"),
        "admin2": cell("admin2"),
        "place_name": cell("location"),
        "latitude": cell("latitude"),
        "longitude": cell("longitude"),
        "location_precision": geo_precision,
        "perpetrator_kind": roles.perpetrator_kind,
        "perpetrator_name": roles.perpetrator_name,
        "fatalities_best": cell("fatalities"),
        "confidentiality": "public",
    }
    columns = {
        "external_id": "event_id_cnty",
        "acled_event_type": "event_type",
        "acled_sub_event_type": "sub_event_type",
        "title": "actor1",
        "narrative": "notes",
        "date_start": "event_date",
        "date_precision": "time_precision",
        "country": "country",
        "admin1": "admin1",
        "admin2": "admin2",
        "place_name": "location",
        "latitude": "latitude",
        "longitude": "longitude",
        "location_precision": "geo_precision",
        "perpetrator_kind": roles.perpetrator_kind_column,
        "perpetrator_name": roles.perpetrator_column,
        "fatalities_best": "fatalities",
    }
    return IncidentRow(
        row=number,
        dataset=DATASET,
        external_id=external_id,
        values=values,
        columns={name: table.column(column) for name, column in columns.items()},
        source_type=("acled", event, classified_sub),
    )


def _event_type(
    event_type: str, sub_event_type: str, cell: Callable[[str], str]
) -> tuple[str, str, str]:
    """(event type, sub-event type to store, sub-event type to classify by) in current terms."""
    current = {name.lower(): name for name in EVENT_TYPES}
    folded = event_type.lower()
    if folded in current:
        event = current[folded]
        if event == "Violence against civilians" and not sub_event_type:
            # Before 2019 attacks, sexual violence and abductions were one type: attacks.
            return event, "", "Attack"
        return event, sub_event_type, sub_event_type
    if folded in LEGACY_EVENT_TYPES:
        event, sub = LEGACY_EVENT_TYPES[folded]
        return event, sub, sub
    if folded == "riots/protests":
        event = "Riots" if inter_code(cell("inter1")) == RIOTERS else "Protests"
        return event, "", ""
    return event_type, sub_event_type, sub_event_type


def _event_day(raw: str, month_first: tuple[int, str] | None, bad: Bad) -> date:
    if month_first is not None and _NUMERIC.fullmatch(raw.strip()):
        row, example = month_first
        raise bad(
            "event_date",
            f"{raw!r} is ambiguous: the numeric dates of this file are written month first "
            f"(row {row} has {example!r}), but ACLED writes them day first; export the file "
            "again from ACLED, or write its dates as YYYY-MM-DD",
        )
    day = _layout_day(raw)
    if day is None:
        raise bad("event_date", f"{raw!r} is not a date in a layout ACLED writes ({DATE_LAYOUTS})")
    problem = _out_of_range(day)
    if problem is not None:
        raise bad("event_date", f"{raw!r} {problem}")
    return day


def _title(label: str, actor1: str, actor2: str) -> str:
    actors = " – ".join(actor for actor in (actor1, actor2) if actor)
    return f"{label}: {actors}" if actors else label


def _narrative(cell: Callable[[str], str], event: str, roles: Roles) -> str:
    lines = [cell("notes")] if cell("notes") else []
    if roles.target_name:
        kind = f", {roles.target_type}" if roles.target_type else ""
        lines.append(f"Target (ACLED): {roles.target_name}{kind}")
    associated = "; ".join(a for a in (cell("assoc_actor_1"), cell("assoc_actor_2")) if a)
    if associated:
        lines.append(f"Associated actors: {associated}")
    if cell("civilian_targeting"):
        lines.append("ACLED codes this event as civilian targeting.")
    if cell("disorder_type"):
        lines.append(f"Disorder type (ACLED): {cell('disorder_type')}")
    if cell("event_type") != event:
        lines.append(f"Event type as exported: {cell('event_type')}")
    if cell("tags"):
        lines.append(f"Tags (ACLED): {cell('tags')}")
    if cell("source"):
        scale = f"; scale: {cell('source_scale')}" if cell("source_scale") else ""
        lines.append(f"Sources (ACLED{scale}): {cell('source')}")
    return "\n".join(lines)


def _country(cell: Callable[[str], str], day: date, countries: CountryLookup, bad: Bad) -> str:
    """By ISO numeric code (``iso``), else the older Gleditsch–Ward ``gwno``, else the name."""
    tries = [(cell("iso"), "iso_numeric"), (cell("gwno"), "gw"), (cell("country"), None)]
    error: LensError | None = None
    for query, scheme in tries:
        if not query or (scheme == "iso_numeric" and query == "0"):
            continue
        try:
            return countries.key(query, scheme=scheme, on=day)
        except LensError as failed:
            error = error or failed
    raise bad("country", str(error) if error else "is empty")
