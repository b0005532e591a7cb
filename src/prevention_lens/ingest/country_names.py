"""Loading country-name lists: each name becomes an alias of the country its code resolves to.

Names that already resolve to the same country are left alone, so re-imports change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from prevention_lens.countries import normalize_name
from prevention_lens.errors import LensError, ValidationError
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.sources.country_names import CountryNameRow
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import CountryAlias, DataImport
from prevention_lens.store.reference import country_ids_by_key, stored_reference


def load_country_names(
    session: Session, rows: Sequence[CountryNameRow], data_import: DataImport
) -> LoadCounts:
    reference = stored_reference(session)
    ids = country_ids_by_key(session)
    problems: list[ValidationError] = []
    created = unchanged = 0
    seen: set[tuple[str, str]] = set()
    for row in rows:
        try:
            country = reference.by_code(row.scheme, row.code)
        except LensError as error:
            problems.append(
                ValidationError(
                    str(error), file=data_import.file_name, row=row.row, field=row.scheme
                )
            )
            continue
        normalized = normalize_name(row.name)
        try:
            existing = reference.resolve(row.name)
        except LensError:
            existing = None
        if existing is not None and existing.key != country.key:
            problems.append(
                ValidationError(
                    f"{row.name!r} already names {existing.name} ({existing.key}), "
                    f"not {country.name} ({country.key})",
                    file=data_import.file_name,
                    row=row.row,
                    field="name",
                )
            )
            continue
        if existing is not None or (normalized, country.key) in seen:
            unchanged += 1
            continue
        seen.add((normalized, country.key))
        session.add(
            CountryAlias(
                country_id=ids[country.key],
                alias=row.name,
                normalized=normalized,
                data_import_id=data_import.id,
            )
        )
        created += 1
    if problems:
        raise rejected_import(Path(data_import.file_path), problems)
    return LoadCounts(created=created, unchanged=unchanged)
