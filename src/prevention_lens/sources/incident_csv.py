"""Incident rows from CSV files: the tolerant table reader the incident formats share, and the
generic CSV whose columns a mapping file (``NAME.mapping.yaml`` beside ``NAME.csv``) assigns.

Readers return draft values (the field names of an incident draft) and a problem per bad row;
they raise only for problems with the whole file (unreadable, a required column missing).

Public API::

    IncidentRow, DeletedRow, read_table(path, required, problems, *, fold_case, renames)
    DuplicateIds(file, column).problem(id, row), CountryLookup().key(query, scheme=, on=),
    CountryLookup().name(key), CountryLookup().same_code(key, key, scheme)
    load_mapping(path, fields) -> ColumnMapping, mapping_path(csv_path) -> Path
    parse_incident_csv(path, fields) -> (rows, problems)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prevention_lens.countries import SCHEMES, CountryReference, reference
from prevention_lens.csvsafe import csv_records, unclosed_quote
from prevention_lens.errors import LensError, ValidationError
from prevention_lens.yamlfile import read_yaml_mapping

MAPPING_SUFFIX = ".mapping.yaml"
MAPPING_KEYS = (
    "dataset",
    "id_column",
    "columns",
    "constants",
    "date_format",
    "country_scheme",
)
_DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,43}$")
_DATE_FIELDS = ("date_start", "date_end")
_REQUIRED_FIELDS = ("category", "date_start", "country")


@dataclass(frozen=True)
class IncidentRow:
    """One row of a source file as draft values, before the draft itself is checked.

    ``values`` uses the incident draft's field names; ``columns`` says which column of the
    file each field came from, so a problem found later still names the file's column.
    ``source_type`` is ("ucdp", type_of_violence) or ("acled", event type, sub-event type)
    when the category is still to be derived from the source's own typology."""

    row: int
    dataset: str
    external_id: str
    values: dict[str, Any]
    columns: Mapping[str, str] = field(default_factory=dict)
    source_type: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeletedRow:
    """A source's notice that it deleted one of its records."""

    row: int
    dataset: str
    external_id: str
    reason: str


@dataclass(frozen=True)
class Table:
    """A CSV file's header (as written) and its data rows keyed by (possibly folded) column."""

    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    spelled: dict[str, str]  # folded column name -> the name as the file writes it

    def column(self, name: str) -> str:
        return self.spelled.get(name, name)


def read_table(
    path: Path,
    required: Sequence[str],
    problems: list[ValidationError],
    *,
    fold_case: bool = False,
    renames: Mapping[str, str] | None = None,
) -> Table:
    """The rows of a CSV file; row 1 is the header and rows count CSV records, not lines.

    A row with the wrong number of values, or a NUL character, becomes a problem; an
    unreadable file or a missing required column raises ValidationError."""
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(f"is not UTF-8 text (byte {error.start})", file=path.name) from None
    except OSError as error:
        raise ValidationError(f"cannot open: {error.strerror}", file=str(path)) from None
    records = csv_records(io.StringIO(text, newline=""))
    line = 1
    try:
        first = next(records, None)
        written = first.cells if first is not None else None
        if not written or not any(part.strip() for part in written):
            raise ValidationError("is empty; expected a header row", file=path.name, row=1)
        header = tuple(part.strip() for part in written)
        spelled: dict[str, str] = {}
        for name in header:
            key = name.lower() if fold_case else name
            key = (renames or {}).get(key, key)
            if key in spelled:
                raise ValidationError(
                    f"column {name!r} appears twice", file=path.name, row=1, field=name
                )
            spelled[key] = name
        keys = tuple(spelled)
        missing = [name for name in required if name not in spelled]
        if missing:
            raise ValidationError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(header)}",
                file=path.name,
                row=1,
                field=missing[0],
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for number, record in enumerate(records, start=2):
            values, line = record.cells, record.line
            if record.unclosed:
                problems.append(unclosed_quote(record, file=path.name, row=number, header=header))
                continue
            if not values:
                continue
            if len(values) != len(header):
                problems.append(
                    ValidationError(
                        f"has {len(values)} values for {len(header)} columns",
                        file=path.name,
                        row=number,
                    )
                )
                continue
            nul = next((i for i, value in enumerate(values) if "\x00" in value), None)
            if nul is not None:
                problems.append(
                    ValidationError(
                        "contains a NUL character", file=path.name, row=number, field=header[nul]
                    )
                )
                continue
            rows.append((number, dict(zip(keys, (value.strip() for value in values), strict=True))))
    except csv.Error as error:
        raise ValidationError(f"malformed CSV near line {line}: {error}", file=path.name) from None
    return Table(header=header, rows=rows, spelled=spelled)


class DuplicateIds:
    """Remembers the row each external id first appeared in, to name both rows of a repeat."""

    def __init__(self, file: str, column: str) -> None:
        self.file, self.column = file, column
        self._first: dict[str, int] = {}

    def problem(self, external_id: str, row: int) -> ValidationError | None:
        first = self._first.setdefault(external_id, row)
        if first == row:
            return None
        return ValidationError(
            f"id {external_id!r} appears in rows {first} and {row}",
            file=self.file,
            row=row,
            field=self.column,
        )


class CountryLookup:
    """Country keys for names and codes; each distinct (query, scheme, day) is resolved once."""

    def __init__(self, countries: CountryReference | None = None) -> None:
        self._countries = countries or reference()
        self._known: dict[tuple[str, str | None, date | None], str | LensError] = {}

    def key(self, query: str, *, scheme: str | None = None, on: date | None = None) -> str:
        """The country key, or the LensError that resolving raised (raised again)."""
        wanted = (query, scheme, on)
        found = self._known.get(wanted)
        if found is None:
            try:
                found = self._countries.resolve(query, scheme=scheme, on=on).key
            except LensError as error:
                found = error
            self._known[wanted] = found
        if isinstance(found, LensError):
            raise found
        return found

    def name(self, key: str) -> str:
        """The country's name in the reference."""
        return self._countries.by_key(key).name

    def same_code(self, first: str, second: str, scheme: str) -> bool:
        """Whether two keys share a code in one scheme (Yugoslavia and Serbia share GW 345)."""
        code = self._countries.by_key(first).code(scheme)
        return code is not None and code == self._countries.by_key(second).code(scheme)


def iso_day(text: str) -> date | None:
    """A date from ``YYYY-MM-DD`` (anything after the tenth character ignored), or None."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


# --- the generic CSV and its mapping file ------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which CSV column fills which draft field, and the constants every row shares."""

    file: str
    dataset: str
    id_column: str
    columns: dict[str, str]
    constants: dict[str, Any]
    date_format: str | None = None
    country_scheme: str | None = None


def mapping_path(csv_path: Path) -> Path:
    """Where the mapping for a CSV lives: ``reports.csv`` → ``reports.mapping.yaml``."""
    return csv_path.with_name(csv_path.stem + MAPPING_SUFFIX)


def load_mapping(path: Path, fields: Collection[str]) -> ColumnMapping:
    """Read and check a mapping file; problems name the file and the key."""

    def bad(key: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=path.name, field=key)

    if not path.is_file():
        raise ValidationError(
            "file does not exist; a CSV of incidents needs a mapping file beside it "
            "(see docs/data.md, format incident-csv)",
            file=path.name,
        )
    document = read_yaml_mapping(path, holds="a YAML mapping of keys to values", file=path.name)
    for key in document:
        if key not in MAPPING_KEYS:
            raise bad(str(key), f"is not a mapping key; use {', '.join(MAPPING_KEYS)}")
    dataset = document.get("dataset")
    if not isinstance(dataset, str) or not _DATASET_NAME.match(dataset):
        raise bad("dataset", "is required: 1–44 letters, digits, '-' or '_'")
    id_column = document.get("id_column")
    if not isinstance(id_column, str) or not id_column.strip():
        raise bad("id_column", "is required: the column holding each row's id")
    columns = _field_table(document.get("columns"), "columns", fields, bad, text_only=True)
    constants = _field_table(document.get("constants") or {}, "constants", fields, bad)
    for name in columns.keys() & constants.keys():
        raise bad(f"constants.{name}", "is also given as a column; keep one")
    for name in _REQUIRED_FIELDS:
        if name not in columns and name not in constants:
            raise bad(f"columns.{name}", "is required (as a column or a constant)")
    date_format = document.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise bad("date_format", "must be a strptime format such as '%d/%m/%Y'")
    scheme = document.get("country_scheme")
    if scheme is not None and scheme not in SCHEMES:
        raise bad("country_scheme", f"must be one of {', '.join(SCHEMES)}")
    return ColumnMapping(
        file=path.name,
        dataset=dataset,
        id_column=id_column.strip(),
        columns={name: str(column).strip() for name, column in columns.items()},
        constants=dict(constants),
        date_format=date_format,
        country_scheme=scheme,
    )


def _field_table(
    raw: Any,
    key: str,
    fields: Collection[str],
    bad: Callable[[str, str], ValidationError],
    *,
    text_only: bool = False,
) -> dict[str, Any]:
    if not isinstance(raw, dict) or (text_only and not raw):
        raise bad(key, "must map draft fields to " + ("CSV columns" if text_only else "values"))
    table: dict[str, Any] = {}
    for name, value in raw.items():
        if str(name) not in fields:
            raise bad(f"{key}.{name}", "is not a field of an incident")
        scalar = isinstance(value, (str, int, float, date))
        if not scalar or (text_only and not str(value).strip()):
            wanted = "a column name" if text_only else "a single value"
            raise bad(f"{key}.{name}", f"must be {wanted}, got {value!r}")
        table[str(name)] = value
    return table


def parse_incident_csv(
    path: Path, fields: Collection[str]
) -> tuple[list[IncidentRow], list[ValidationError]]:
    """Rows of a CSV of incidents read through the mapping file beside it."""
    mapping = load_mapping(mapping_path(path), fields)
    problems: list[ValidationError] = []
    wanted = [mapping.id_column, *mapping.columns.values()]
    try:
        table = read_table(path, list(dict.fromkeys(wanted)), problems)
    except ValidationError as error:
        if error.field is None or error.row != 1:
            raise
        key = next((f"columns.{n}" for n, c in mapping.columns.items() if c == error.field), None)
        raise ValidationError(
            f"names column {error.field!r}, which {path.name} does not have",
            file=mapping.file,
            field=key or "id_column",
        ) from None
    dataset = f"csv:{mapping.dataset}"
    duplicates = DuplicateIds(path.name, mapping.id_column)
    countries = CountryLookup()
    rows: list[IncidentRow] = []
    for number, cells in table.rows:
        try:
            rows.append(_mapped_row(path, mapping, dataset, number, cells, duplicates, countries))
        except ValidationError as problem:
            problems.append(problem)
    return rows, problems


def _mapped_row(
    path: Path,
    mapping: ColumnMapping,
    dataset: str,
    number: int,
    cells: Mapping[str, str],
    duplicates: DuplicateIds,
    countries: CountryLookup,
) -> IncidentRow:
    def bad(column: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=path.name, row=number, field=column)

    external_id = cells[mapping.id_column]
    if not external_id:
        raise bad(mapping.id_column, "the id is empty")
    repeated = duplicates.problem(external_id, number)
    if repeated is not None:
        raise repeated
    values: dict[str, Any] = {"confidentiality": "restricted", **mapping.constants}
    for name, column in mapping.columns.items():
        values[name] = cells[column]
    for name in _DATE_FIELDS:
        raw = values.get(name)
        if mapping.date_format and isinstance(raw, str) and raw.strip():
            try:
                values[name] = datetime.strptime(raw.strip(), mapping.date_format).date()
            except ValueError:
                column = mapping.columns.get(name, f"constants.{name}")
                raise bad(column, f"{raw!r} does not match {mapping.date_format!r}") from None
    country = str(values.get("country") or "").strip()
    if country:
        start = values.get("date_start")
        day = start if isinstance(start, date) else iso_day(str(start or ""))
        try:
            values["country"] = countries.key(country, scheme=mapping.country_scheme, on=day)
        except LensError as error:
            raise bad(mapping.columns.get("country", "constants.country"), str(error)) from None
    return IncidentRow(
        row=number,
        dataset=dataset,
        external_id=external_id,
        values=values,
        columns={"external_id": mapping.id_column, **mapping.columns},
    )
