"""Running an import: checksum, read, validate, load in one transaction, record provenance.

Imports are all-or-nothing unless the caller asks to skip invalid rows; even then an import
in which every row was rejected fails, since it would record an import of nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prevention_lens import __version__
from prevention_lens.errors import ImportRejectedError, ValidationError
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import RejectedGroup, group_problems, rejected_import
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
    if problems and not skip_invalid:
        raise rejected_import(file_path, problems)
    if problems and not records:
        raise rejected_import(file_path, problems, every_row=True)
    with store.session() as session:
        data_import = DataImport(
            source_format=import_format.name,
            file_path=str(file_path),
            file_name=file_path.name,
            sha256=checksum,
            size_bytes=file_path.stat().st_size,
            rows_read=len(records) + len(problems),
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
            rejected=len(problems),
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
            rows_rejected=len(problems),
            imported_by=principal.username,
            finished_at=data_import.finished_at,
            problems=tuple(str(problem) for problem in problems),
            rejected=group_problems(problems),
        )
