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

from prevention_lens.csvsafe import csv_safe_row, read_table
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
    table = read_table(text, file=file, columns=FIELDS, required=REQUIRED_COLUMNS)
    if not table.rows and table.problems:
        return [], table.problems
    problems = list(table.problems)
    entries: list[ImportedEntry] = []
    for number, values in table.rows:
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
