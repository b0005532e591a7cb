"""Importing incidents from UCDP GED, ACLED and mapped CSV files: every row is checked as a
draft before anything is written, then created, updated or withdrawn by its dataset and id.

Public API::

    read_ged(path), read_acled(path), read_incident_csv(path) -> (records, problems)
    load_incidents(session, records, data_import) -> LoadCounts
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import LensError, ValidationError
from prevention_lens.incidents.drafts import (
    DRAFT_FIELDS,
    IncidentDraft,
    draft_from_mapping,
    draft_sources,
)
from prevention_lens.incidents.records import upsert_imported, withdraw_imported
from prevention_lens.incidents.taxonomy import from_acled, from_ucdp
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.sources.acled import parse_acled
from prevention_lens.sources.ged import parse_ged
from prevention_lens.sources.incident_csv import DeletedRow, IncidentRow, parse_incident_csv
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport, Incident
from prevention_lens.store.reference import stored_reference

# How many ids one query asks for when fetching the records a file already has in the store.
_ID_CHUNK = 500
_TITLE = "title"


@dataclass(frozen=True)
class ImportedIncident:
    """A checked draft, and the dataset and id it is stored under."""

    row: int
    dataset: str
    external_id: str
    draft: IncidentDraft


@dataclass(frozen=True)
class Withdrawal:
    """A record the source deleted: kept in the store, marked withdrawn."""

    row: int
    dataset: str
    external_id: str
    reason: str


Record = ImportedIncident | Withdrawal


def _text_limits() -> dict[str, int]:
    """The longest text each bounded column of the incidents table holds."""
    limits = {}
    for column in Incident.__table__.columns:
        if isinstance(column.type, String) and column.type.length:
            limits[column.name] = column.type.length
    return limits


_LIMITS = _text_limits()
# Counts are 32-bit integers in PostgreSQL; a larger one would fail while writing.
_LARGEST_COUNT = 2**31 - 1
_COUNTS = ("fatalities_best", "fatalities_low", "fatalities_high", "ucdp_type_of_violence")


def _checked(
    file: str, rows: Iterable[IncidentRow | DeletedRow], problems: list[ValidationError]
) -> list[Record]:
    records: list[Record] = []
    for row in rows:
        if isinstance(row, DeletedRow):
            records.append(Withdrawal(row.row, row.dataset, row.external_id, row.reason))
            continue
        try:
            records.append(_imported(file, row))
        except ValidationError as problem:
            problems.append(problem)
    return records


def _imported(file: str, row: IncidentRow) -> ImportedIncident:
    def column(name: str | None) -> str | None:
        return None if name is None else row.columns.get(name, name)

    def bad(name: str | None, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, row=row.row, field=column(name))

    if len(row.external_id) > _LIMITS["external_id"]:
        raise bad("external_id", f"ids longer than {_LIMITS['external_id']} characters")
    values: dict[str, Any] = dict(row.values)
    try:
        if row.source_type:
            values["category"] = _category(row.source_type)
        if "sources" in values:
            values["sources"] = draft_sources(values["sources"])
        title = str(values.get(_TITLE) or "")
        if len(title) > _LIMITS[_TITLE]:
            values[_TITLE] = title[: _LIMITS[_TITLE] - 1] + "…"
        draft = draft_from_mapping(values, file=file, row=row.row)
    except ValidationError as error:
        field = error.field
        if field is None and row.source_type:
            field = "ucdp_type_of_violence" if row.source_type[0] == "ucdp" else "acled_event_type"
        raise bad(field, error.problem) from None
    for name, limit in _LIMITS.items():
        value = getattr(draft, name, None)
        if isinstance(value, str) and len(value) > limit:
            raise bad(name, f"is {len(value)} characters long; at most {limit} fit")
    for name in _COUNTS:
        count = getattr(draft, name)
        if count is not None and count > _LARGEST_COUNT:
            raise bad(name, f"{count} is larger than the store holds ({_LARGEST_COUNT})")
    return ImportedIncident(row.row, row.dataset, row.external_id, draft)


def _category(source_type: tuple[str, ...]) -> str:
    if source_type[0] == "ucdp":
        return from_ucdp(int(source_type[1]))
    return from_acled(source_type[1], source_type[2])


def read_ged(path: Path) -> tuple[list[Record], list[ValidationError]]:
    rows, problems = parse_ged(path)
    return _checked(path.name, rows, problems), _in_row_order(problems)


def read_acled(path: Path) -> tuple[list[Record], list[ValidationError]]:
    rows, problems = parse_acled(path)
    return _checked(path.name, rows, problems), _in_row_order(problems)


def read_incident_csv(path: Path) -> tuple[list[Record], list[ValidationError]]:
    rows, problems = parse_incident_csv(path, DRAFT_FIELDS)
    return _checked(path.name, rows, problems), _in_row_order(problems)


def _in_row_order(problems: list[ValidationError]) -> list[ValidationError]:
    return sorted(problems, key=lambda problem: problem.row or 0)


def _existing(session: Session, records: Sequence[Record]) -> dict[tuple[str, str], Incident]:
    """The stored records this file names, fetched a chunk of ids per query."""
    wanted: dict[str, list[str]] = {}
    for record in records:
        if isinstance(record, ImportedIncident):
            wanted.setdefault(record.dataset, []).append(record.external_id)
    found: dict[tuple[str, str], Incident] = {}
    for dataset, ids in wanted.items():
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            statement = (
                select(Incident)
                .where(Incident.dataset == dataset, Incident.external_id.in_(chunk))
                .options(
                    selectinload(Incident.sources),
                    selectinload(Incident.attachments),
                    selectinload(Incident.revisions),
                )
            )
            for incident in session.scalars(statement):
                found[(dataset, str(incident.external_id))] = incident
    return found


def load_incidents(
    session: Session, records: Sequence[Record], data_import: DataImport
) -> LoadCounts:
    """Create, update or withdraw each record; a failure rejects the whole file."""
    actor = data_import.imported_by
    reference = stored_reference(session)
    existing = _existing(session, records)
    country_ids: dict[str, int] = {}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    problems: list[ValidationError] = []
    for record in records:
        try:
            if isinstance(record, Withdrawal):
                withdrawn = withdraw_imported(
                    session,
                    actor,
                    dataset=record.dataset,
                    external_id=record.external_id,
                    reason=record.reason,
                )
                counts["updated" if withdrawn else "unchanged"] += 1
                continue
            outcome = upsert_imported(
                session,
                actor,
                record.draft,
                dataset=record.dataset,
                external_id=record.external_id,
                import_id=data_import.id,
                reference=reference,
                existing=existing.get((record.dataset, record.external_id)),
                lookup=False,
                country_ids=country_ids,
            )
            counts[outcome] += 1
        except LensError as error:
            problem = error.problem if isinstance(error, ValidationError) else str(error)
            problems.append(ValidationError(problem, file=data_import.file_name, row=record.row))
    if problems:
        raise rejected_import(Path(data_import.file_path), problems)
    return LoadCounts(**counts)
