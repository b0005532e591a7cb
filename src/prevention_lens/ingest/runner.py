"""Running an import: checksum, read, validate, load in one transaction, record provenance.

Imports are all-or-nothing unless the caller asks to skip invalid rows; even then an import
in which every row was rejected fails, since it would record an import of nothing.

A rejected file names every problem in one run: when the reader found problems, a format with
a store check (``ImportFormat.check``: a country the reference cannot resolve, a term
already stored) has it run too, and a loader's rejection of the rows kept by ``skip_invalid`` lists
the skipped rows' problems with its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prevention_lens import __version__
from prevention_lens.errors import ImportRejectedError, ValidationError
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import (
    RejectedGroup,
    group_problems,
    rejected_import,
    rows_with_problems,
)
from prevention_lens.settings import Settings
from prevention_lens.sources.files import sha256_of
from prevention_lens.store import Store
from prevention_lens.store.access import Principal, audit, require
from prevention_lens.store.models import DataImport
from prevention_lens.store.models.base import utcnow

# Re-exported: callers that caught it here before it moved to errors.py keep working.
__all__ = ["ImportRejectedError", "ImportReport", "resolve_path", "run_import"]


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    source_format: str
    file_path: str
    sha256: str
    size_bytes: int
    rows_read: int
    rows_created: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    imported_by: str
    finished_at: datetime
    problems: tuple[str, ...]
    rejected: tuple[RejectedGroup, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready apart from ``finished_at`` (a datetime)."""
        return asdict(self)


def resolve_path(import_format: ImportFormat, path: Path | None, settings: Settings) -> Path:
    if path is not None:
        chosen = path
    elif import_format.default_path is None:
        raise ValidationError(f"format {import_format.name!r} has no default file; give a path")
    else:
        chosen = settings.require_sources() / import_format.default_path
    if not chosen.is_file():
        raise ValidationError("file does not exist", file=str(chosen))
    return chosen.resolve()


def run_import(
    store: Store,
    settings: Settings,
    principal: Principal,
    import_format: ImportFormat,
    path: Path | None = None,
    *,
    skip_invalid: bool = False,
) -> ImportReport:
    require(principal, "create", "data_import")
    file_path = resolve_path(import_format, path, settings)
    checksum = sha256_of(file_path)
    started = utcnow()
    records, problems = import_format.read(file_path)
    if problems and (not skip_invalid or not records):
        found = [*problems, *_store_problems(store, principal, import_format, file_path)]
        raise rejected_import(file_path, _in_row_order(found), every_row=skip_invalid)
    try:
        return _load(
            store, principal, import_format, file_path, records, problems, checksum, started
        )
    except ImportRejectedError as rejected:
        if not problems:
            raise
        # The loader refused a kept row: nothing is imported, so name the skipped rows'
        # problems too (and what the store check finds in them).
        found = _store_problems(store, principal, import_format, file_path)
        every = [*problems, *(found or rejected.problems)]
        raise rejected_import(file_path, _in_row_order(every)) from None


def _store_problems(
    store: Store, principal: Principal, import_format: ImportFormat, path: Path
) -> list[ValidationError]:
    if import_format.check is None:
        return []
    with store.session() as session:
        return list(import_format.check(session, principal, path))


def _in_row_order(problems: Sequence[ValidationError]) -> list[ValidationError]:
    """The reader's and the store's problems merged, row by row (a file's own problems first)."""
    return sorted(problems, key=lambda problem: problem.row or 0)


def _load(
    store: Store,
    principal: Principal,
    import_format: ImportFormat,
    file_path: Path,
    records: Sequence[Any],
    problems: Sequence[ValidationError],
    checksum: str,
    started: datetime,
) -> ImportReport:
    rejected_rows = rows_with_problems(problems)
    with store.session() as session:
        data_import = DataImport(
            source_format=import_format.name,
            file_path=str(file_path),
            file_name=file_path.name,
            sha256=checksum,
            size_bytes=file_path.stat().st_size,
            rows_read=len(records) + rejected_rows,
            rows_created=0,
            rows_updated=0,
            rows_unchanged=0,
            imported_by=principal.username,
            started_at=started,
            code_version=__version__,
        )
        session.add(data_import)
        session.flush()
        counts = import_format.load(session, records, data_import)
        data_import.rows_created = counts.created
        data_import.rows_updated = counts.updated
        data_import.rows_unchanged = counts.unchanged
        data_import.finished_at = utcnow()
        audit(
            session,
            principal,
            "import",
            "data_import",
            data_import.id,
            source_format=import_format.name,
            sha256=checksum,
            rejected=rejected_rows,
        )
        session.flush()
        return ImportReport(
            import_id=data_import.id,
            source_format=import_format.name,
            file_path=str(file_path),
            sha256=checksum,
            size_bytes=data_import.size_bytes,
            rows_read=data_import.rows_read,
            rows_created=counts.created,
            rows_updated=counts.updated,
            rows_unchanged=counts.unchanged,
            rows_rejected=rejected_rows,
            imported_by=principal.username,
            finished_at=data_import.finished_at,
            problems=tuple(str(problem) for problem in problems),
            rejected=group_problems(problems),
        )
