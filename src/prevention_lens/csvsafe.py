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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

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
