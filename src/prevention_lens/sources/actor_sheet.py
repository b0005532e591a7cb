"""The actor-mapping template: a sheet of actors and a sheet of relationships, as CSV or XLSX.

CSV: ``NAME.csv`` holds the actors and ``NAME.relationships.csv`` beside it (optional) holds
the relationships. XLSX: one workbook with sheets ``actors`` and ``relationships``.

Public API::

    ACTOR_COLUMNS, RELATIONSHIP_COLUMNS, relationships_path(csv_path) -> Path
    SheetRow, ActorSheet, parse_actor_sheet(path) -> ActorSheet
    write_csv(path, actors, relationships), write_xlsx(path, actors, relationships, readme=())
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from prevention_lens.csvsafe import csv_records, csv_safe_row, csv_unquote, unclosed_quote
from prevention_lens.errors import ValidationError

ACTOR_COLUMNS = (
    "actor_ref",
    "name",
    "kind",
    "entity",
    "levels",
    "sectors",
    "activities",
    "r2p_pillars",
    "stages",
    "languages",
    "hq_country",
    "countries",
    "description",
    "contribution",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_role",
)
ACTOR_REQUIRED = ("actor_ref", "name", "kind", "levels", "countries")
RELATIONSHIP_COLUMNS = (
    "source_ref",
    "target_ref",
    "kind",
    "directed",
    "strength",
    "start_date",
    "end_date",
    "evidence",
)
RELATIONSHIP_REQUIRED = ("source_ref", "target_ref", "kind")
RELATIONSHIPS_SUFFIX = ".relationships.csv"
SHEETS = ("actors", "relationships")
TEMPLATE_HINT = "run `lens actors template` for the expected layout"


@dataclass(frozen=True)
class SheetRow:
    """One data row: where it came from (file label and row number) and its cells by column."""

    file: str
    row: int
    cells: dict[str, str]


@dataclass(frozen=True)
class ActorSheet:
    actors: list[SheetRow]
    relationships: list[SheetRow]
    problems: list[ValidationError] = field(default_factory=list)


def relationships_path(csv_path: Path) -> Path:
    """``map.csv`` → ``map.relationships.csv`` beside it."""
    return csv_path.with_name(csv_path.stem + RELATIONSHIPS_SUFFIX)


def _check_header(
    file: str, header: Sequence[str], allowed: Sequence[str], required: Sequence[str]
) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in header)
    missing = [name for name in required if name not in names]
    unknown = [name for name in names if name and name not in allowed]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        parts.append(f"repeated column(s) {', '.join(repeated)}")
    if parts:
        raise ValidationError(
            f"is not the actor-sheet template: {'; '.join(parts)}; {TEMPLATE_HINT}",
            file=file,
            row=1,
        )
    return names


def _rows(
    file: str,
    table: Iterable[Sequence[str]],
    allowed: Sequence[str],
    required: Sequence[str],
    problems: list[ValidationError],
) -> list[SheetRow]:
    lines = iter(table)
    header = next(lines, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ValidationError(f"is empty; expected a header row; {TEMPLATE_HINT}", file=file)
    names = _check_header(file, header, allowed, required)
    rows = []
    for number, values in enumerate(lines, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(names) and any(value.strip() for value in values[len(names) :]):
            problems.append(
                ValidationError(
                    f"has {len(values)} values for {len(names)} columns", file=file, row=number
                )
            )
            continue
        padded = [*values, *([""] * (len(names) - len(values)))]
        cells = {name: value.strip() for name, value in zip(names, padded, strict=False) if name}
        rows.append(SheetRow(file, number, cells))
    return rows


def _read_csv(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(f"is not UTF-8 text (byte {error.start})", file=path.name) from None
    rows: list[list[str]] = []
    try:
        for number, record in enumerate(csv_records(io.StringIO(text, newline="")), start=1):
            if record.unclosed:
                header = rows[0] if rows else ()
                raise unclosed_quote(record, file=path.name, row=number, header=header)
            rows.append([csv_unquote(cell) for cell in record.cells])
        return rows
    except csv.Error as error:
        raise ValidationError(f"malformed CSV: {error}", file=path.name) from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(
            f"is not a readable XLSX workbook ({error})", file=path.name
        ) from None
    try:
        sheets: dict[str, list[list[str]]] = {}
        for sheet in workbook.worksheets:
            name = str(sheet.title).strip().lower()
            if name in SHEETS:
                sheets[name] = [
                    [csv_unquote(_cell(value)) for value in row]
                    for row in sheet.iter_rows(values_only=True)
                ]
    finally:
        workbook.close()
    if "actors" not in sheets:
        found = ", ".join(str(name) for name in workbook.sheetnames)
        raise ValidationError(
            f"has no sheet named 'actors' (found {found}); {TEMPLATE_HINT}", file=path.name
        )
    return sheets


def parse_actor_sheet(path: Path) -> ActorSheet:
    """The rows of both sheets; raises ValidationError when a header is not the template's."""
    problems: list[ValidationError] = []
    if path.suffix.lower() == ".xlsx":
        sheets = _read_xlsx(path)
        actors = _rows(path.name, sheets["actors"], ACTOR_COLUMNS, ACTOR_REQUIRED, problems)
        relationships = (
            _rows(
                f"{path.name} (relationships)",
                sheets["relationships"],
                RELATIONSHIP_COLUMNS,
                RELATIONSHIP_REQUIRED,
                problems,
            )
            if sheets.get("relationships")
            else []
        )
        return ActorSheet(actors, relationships, problems)
    if path.suffix.lower() != ".csv":
        raise ValidationError("is neither .csv nor .xlsx; " + TEMPLATE_HINT, file=path.name)
    if path.name.endswith(RELATIONSHIPS_SUFFIX):
        raise ValidationError(
            "is a relationships file; import the actors file beside it", file=path.name
        )
    actors = _rows(path.name, _read_csv(path), ACTOR_COLUMNS, ACTOR_REQUIRED, problems)
    beside = relationships_path(path)
    relationships = (
        _rows(beside.name, _read_csv(beside), RELATIONSHIP_COLUMNS, RELATIONSHIP_REQUIRED, problems)
        if beside.is_file()
        else []
    )
    return ActorSheet(actors, relationships, problems)


def _table(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> list[list[str]]:
    return [list(columns), *([_cell(row.get(name)) for name in columns] for row in rows)]


def write_csv(
    path: Path,
    actors: Iterable[Mapping[str, object]],
    relationships: Iterable[Mapping[str, object]],
) -> tuple[Path, Path]:
    """Write the actors to ``path`` and the relationships to the file beside it."""
    written = []
    for target, columns, rows in (
        (path, ACTOR_COLUMNS, actors),
        (relationships_path(path), RELATIONSHIP_COLUMNS, relationships),
    ):
        header, *lines = _table(columns, rows)
        with target.open("w", newline="", encoding="utf-8") as handle:
            # A cell starting with = + - @ would run as a formula when the sheet is opened.
            csv.writer(handle).writerows([header, *(csv_safe_row(line) for line in lines)])
        written.append(target)
    return written[0], written[1]


def write_xlsx(
    path: Path,
    actors: Iterable[Mapping[str, object]],
    relationships: Iterable[Mapping[str, object]],
    readme: Sequence[tuple[str, str]] = (),
) -> Path:
    """One workbook: ``actors``, ``relationships`` and, when given, a ``read me`` sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    workbook.remove(first)
    for title, columns, rows in (
        ("actors", ACTOR_COLUMNS, actors),
        ("relationships", RELATIONSHIP_COLUMNS, relationships),
    ):
        sheet = workbook.create_sheet(title)
        header, *lines = _table(columns, rows)
        sheet.append(header)
        # openpyxl stores a string that starts with "=" as a formula: quote data cells as in CSV.
        for line in lines:
            sheet.append(csv_safe_row(line))
    if readme:
        notes = workbook.create_sheet("read me")
        notes.append(["column", "what to write"])
        for column, text in readme:
            notes.append([column, text])
    workbook.save(path)
    return path
