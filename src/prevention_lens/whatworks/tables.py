"""CSV in and out for the evidence library: one entry a row, the header the library's field
names, lists separated by ";" and EMMIE written "effect=3; mechanism=2".

Export cells pass through ``csvsafe`` so no text runs as a spreadsheet formula; import undoes
exactly that quoting, so an export re-imports unchanged.

Public API::

    read_csv(path, *, file=None) -> (entries, problems)   every problem, by row and column
    parse_csv(text, *, file) -> (entries, problems)
    write_csv(entries) -> str
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from prevention_lens.csvsafe import csv_safe_row, csv_unquote
from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.interchange import (
    FIELDS,
    Exportable,
    ImportedEntry,
    checked_entries,
    draft_from_text,
    text_values,
)

REQUIRED_COLUMNS = ("title", "authors", "year")


def parse_csv(text: str, *, file: str) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """Every row of a CSV text as an entry, and every problem (row numbers count the header
    as row 1, as a spreadsheet shows them)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], [ValidationError("the file is empty; it needs a header row", file=file)]
    problems: list[ValidationError] = []
    unknown = [name for name in header if name not in FIELDS]
    for name in unknown:
        problems.append(
            ValidationError(
                f"unknown column; the columns are {', '.join(FIELDS)}", file=file, row=1, field=name
            )
        )
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problems.append(ValidationError("this column is required", file=file, field=name))
    repeated = sorted({name for name in header if header.count(name) > 1})
    for name in repeated:
        problems.append(ValidationError("the column appears twice", file=file, row=1, field=name))
    if problems:
        return [], problems
    entries: list[ImportedEntry] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                ValidationError(
                    f"has {len(cells)} cells; the header has {len(header)}", file=file, row=number
                )
            )
            continue
        values = {name: csv_unquote(cell) for name, cell in zip(header, cells, strict=True)}
        label = values.get("key", "").strip() or None
        try:
            draft = draft_from_text(values, file=file, row=number, entry=label)
        except ValidationError as error:
            problems.append(error)
            continue
        entries.append(ImportedEntry(label or f"row {number}", draft))
    if not entries and not problems:
        problems.append(ValidationError("has a header but no entries", file=file))
    return checked_entries(file, entries, problems)


def read_csv(path: Path) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """The reader for ``lens data import evidence-csv``: (entries, problems)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [ValidationError("is not UTF-8 text; save it as CSV UTF-8", file=path.name)]
    return parse_csv(text, file=path.name)


def write_csv(entries: Sequence[Exportable]) -> str:
    """The entries as CSV with the library's field names as the header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for entry in entries:
        values = text_values(entry)
        writer.writerow(csv_safe_row(values[name] for name in FIELDS))
    return out.getvalue()
