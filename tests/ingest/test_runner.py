"""Imports: provenance recorded, all-or-nothing, idempotent, and only for analysts and admins."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import (
    ImportRejectedError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.ingest import get_format, run_import
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import CountryAlias, DataImport
from prevention_lens.store.reference import stored_reference
from tests.conftest import sources_folder

NAMES = get_format("country-names")


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_records_provenance_and_reimport_changes_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "desk-names.csv"
    path.write_text("name,iso3\nMyanmar desk name,MMR\nBurma,MMR\n")
    report = run_import(store, settings, LOCAL_OPERATOR, NAMES, path)
    assert (report.rows_read, report.rows_created, report.rows_unchanged) == (2, 1, 1)
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with store.session() as session:
        record = session.get(DataImport, report.import_id)
        assert record is not None
        assert record.imported_by == "local-operator" and record.file_name == "desk-names.csv"
        assert stored_reference(session).resolve("Myanmar desk name").key == "MMR"
    aliases = _count(store, CountryAlias)
    again = run_import(store, settings, LOCAL_OPERATOR, NAMES, path)
    assert (again.rows_created, again.rows_unchanged) == (0, 2)
    assert _count(store, CountryAlias) == aliases


def test_an_invalid_row_rejects_the_whole_file(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nNew name for Myanmar,775\nAtlantis,9999\nMore,abc\n")
    aliases, imports = _count(store, CountryAlias), _count(store, DataImport)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, NAMES, path)
    assert "names.csv, row 4, field 'cow': 'abc' is not a numeric COW code" in str(caught.value)
    with pytest.raises(ImportRejectedError, match=r"row 3, field 'cow'"):
        run_import(store, settings, LOCAL_OPERATOR, NAMES, _without_line(path, 4))
    assert (_count(store, CountryAlias), _count(store, DataImport)) == (aliases, imports)


def _without_line(path: Path, line: int) -> Path:
    lines = path.read_text().splitlines(keepends=True)
    del lines[line - 1]
    out = path.with_name("fewer.csv")
    out.write_text("".join(lines))
    return out


def test_a_name_taken_by_another_country_is_rejected(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,iso3\nBurma,THA\n")
    with pytest.raises(ImportRejectedError, match="'Burma' already names Myanmar"):
        run_import(store, settings, LOCAL_OPERATOR, NAMES, path)


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nNew name for Myanmar,775\nMore,abc\n")
    report = run_import(store, settings, LOCAL_OPERATOR, NAMES, path, skip_invalid=True)
    assert (report.rows_created, report.rows_rejected) == (1, 1)
    assert report.problems == ("names.csv, row 3, field 'cow': 'abc' is not a numeric COW code",)


def test_contributors_cannot_import(store: Store, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nX,775\n")
    with pytest.raises(PermissionDeniedError):
        run_import(store, settings, Principal("c", Role.CONTRIBUTOR, 1), NAMES, path)


def test_unknown_format_and_missing_file_are_clear(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="Unknown source format 'nonesuch'; known formats: "):
        get_format("nonesuch")
    with pytest.raises(ValidationError, match=r"missing\.csv: file does not exist"):
        run_import(store, settings, LOCAL_OPERATOR, NAMES, tmp_path / "missing.csv")


@pytest.mark.shared_data
def test_ewp_name_sheet_imports_from_the_sources_folder(store: Store, settings: Settings) -> None:
    folder = sources_folder()
    report = run_import(store, settings.replace(sources=folder), LOCAL_OPERATOR, NAMES)
    with (folder / "ewp-2025" / "countrynamesheet_complete.csv").open(encoding="utf-8") as handle:
        data_rows = sum(1 for _ in csv.DictReader(handle))
    assert report.rows_read == data_rows and report.rows_rejected == 0
    assert report.file_path.endswith("countrynamesheet_complete.csv")


def test_skip_invalid_with_every_row_rejected_fails_and_writes_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nOne,abc\nTwo,xyz\n")
    imports = _count(store, DataImport)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, NAMES, path, skip_invalid=True)
    assert str(caught.value).startswith("names.csv: all 2 row(s) are invalid, nothing imported")
    assert _count(store, DataImport) == imports


def test_rejected_rows_are_summarised_by_field_and_problem(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    rows = [f"Bad {n},x{n}" for n in range(30)] + ["Nameless,", "Burmese desk,775"]
    path.write_text("name,cow\n" + "\n".join(rows) + "\n")
    report = run_import(store, settings, LOCAL_OPERATOR, NAMES, path, skip_invalid=True)
    assert (report.rows_created, report.rows_rejected) == (1, 31)
    assert len(report.problems) == 31
    first, second = report.rejected
    assert (first.field, first.count, first.rows) == ("cow", 30, (2, 3, 4, 5, 6))
    assert first.reason == "'…' is not a numeric COW code"
    assert first.example == "names.csv, row 2, field 'cow': 'x0' is not a numeric COW code"
    assert (second.field, second.count, second.rows) == ("cow", 1, (32,))
    assert second.example == "names.csv, row 32, field 'cow': code is empty"
    assert report.to_dict()["rejected"][0]["count"] == 30
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, NAMES, path)
    message = str(caught.value)
    assert message.startswith("names.csv: 31 invalid row(s), nothing imported: ")
    assert message.count("is not a numeric COW code") == 1
    assert "and 29 more row(s) like it (rows 3, 4, 5, 6, …)" in message
