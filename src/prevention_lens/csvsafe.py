"""Cells that spreadsheets will not run: every CSV the app or the CLI writes passes its cells
through ``csv_safe``, so a record's text cannot become a formula when the file is opened.

Spreadsheet programs (Excel, LibreOffice, Google Sheets) treat a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, and some also one that starts with a tab or a carriage
return; ``=HYPERLINK(...)`` in a narrative would then send the reader's data elsewhere. Such a
text cell is prefixed with a single quote, as OWASP ASVS requirement 1.2.10 asks; the quote
shows in the cell, and the text after it is unchanged. Text that already starts with quotes
before such a character gets one more, so ``csv_unquote`` undoes exactly what was added when a
file the app wrote is read back (an import template, a re-imported export).

Numbers stay numbers: an ``int`` or ``float``, and text that is a plain decimal number such as
``-1.5``, ``+3`` or ``-2e-5`` (a longitude, a score), is written as it is, since a spreadsheet
reads it as that number and never as a formula.

Public API::

    FORMULA_PREFIXES
    csv_safe(value) -> value unchanged, or a string starting with "'"
    csv_unquote(cell) -> the text csv_safe was given (csv_unquote(csv_safe(text)) == text)
    csv_safe_row(values) -> list;  csv_safe_record(mapping) -> dict
    read_table(text, *, file, columns, required) -> CsvTable   # header checked, rows unquoted
    csv_records(lines) -> CsvRecord...      # each record, its first line, an unclosed quote
    unclosed_quote(record, *, file, row, header) -> ValidationError
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prevention_lens.errors import ValidationError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    # Text that already starts with quotes before a formula character gets one more, so that
    # csv_unquote can tell an added quote from one the author typed: the pair is lossless.
    return text.lstrip("'").startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text)


def csv_safe(value: Any) -> Any:
    """The value as a CSV cell no spreadsheet evaluates; non-text values are returned as given."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def csv_unquote(cell: str) -> str:
    """The text ``csv_safe`` was given, from the cell it wrote: for reading back a file the app
    wrote (an import template filled in, an export re-imported)."""
    if cell.startswith("'") and _needs_quote(cell[1:]):
        return cell[1:]
    return cell


def csv_safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer`` with every cell made safe."""
    return [csv_safe(value) for value in values]


def csv_safe_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter`` with every cell made safe."""
    return {key: csv_safe(value) for key, value in values.items()}


@dataclass(frozen=True)
class CsvRecord:
    """One record of a CSV text: its cells, the line it starts on, and whether its last cell
    opened a quote that is never closed (the cell then holds the rest of the file)."""

    cells: list[str]
    line: int
    unclosed: bool = False


class _Lines:
    """The lines a csv reader takes, noting when it asks for one past the last: it does only
    to finish a quoted cell that is still open at the end of the file."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise


def csv_records(lines: Iterable[str]) -> Iterator[CsvRecord]:
    """Each record of CSV lines (a blank line is a record with no cells), read as
    ``csv.reader`` reads them. A quote that is never closed is not an error to the csv module:
    it reads the rest of the file into one cell. Such a record comes with ``unclosed`` set, so
    that a reader can name it instead of reporting the cells it seems to lack."""
    source = _Lines(lines)
    reader = csv.reader(source)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        yield CsvRecord(cells, line, unclosed=source.exhausted)


def unclosed_quote(
    record: CsvRecord, *, file: str, row: int, header: Sequence[str] = ()
) -> ValidationError:
    """The problem of a record whose last cell opened a quote that is never closed."""
    column = len(record.cells) - 1
    field = header[column] if 0 <= column < len(header) else None
    return ValidationError(
        f"a quote opened in this row (line {record.line}) is never closed, so the rest of the "
        "file was read as this one cell; close the quote (a quote inside a quoted cell is "
        'written twice: "")',
        file=file,
        row=row,
        field=field,
    )


@dataclass(frozen=True)
class CsvTable:
    """A CSV text read for import: each data row as (row number, {column: cell unquoted}),
    numbered as a spreadsheet shows them (the header is row 1), blank rows left out; and every
    problem of the header and of rows whose cell count differs from it. When the header has a
    problem, no row is read."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[ValidationError] = field(default_factory=list)


def read_table(
    text: str, *, file: str, columns: Sequence[str], required: Sequence[str]
) -> CsvTable:
    """Check the header against the known ``columns`` and the ``required`` ones (an unknown,
    missing or repeated column is a problem), then read the rows."""
    records = csv_records(io.StringIO(text, newline=""))
    first = next(records, None)
    if first is None:
        return CsvTable(
            problems=[ValidationError("the file is empty; it needs a header row", file=file)]
        )
    if first.unclosed:
        return CsvTable(problems=[unclosed_quote(first, file=file, row=1)])
    header = [name.strip() for name in first.cells]
    problems = [
        ValidationError(
            f"unknown column; the columns are {', '.join(columns)}", file=file, row=1, field=name
        )
        for name in header
        if name not in columns
    ]
    problems += [
        ValidationError("this column is required", file=file, field=name)
        for name in required
        if name not in header
    ]
    problems += [
        ValidationError("the column appears twice", file=file, row=1, field=name)
        for name in sorted({name for name in header if header.count(name) > 1})
    ]
    if problems:
        return CsvTable(problems=problems)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records, start=2):
        cells = record.cells
        if record.unclosed:
            problems.append(unclosed_quote(record, file=file, row=number, header=header))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                ValidationError(
                    f"has {len(cells)} cells; the header has {len(header)}", file=file, row=number
                )
            )
            continue
        rows.append(
            (number, {name: csv_unquote(cell) for name, cell in zip(header, cells, strict=True)})
        )
    return CsvTable(rows=rows, problems=problems)
