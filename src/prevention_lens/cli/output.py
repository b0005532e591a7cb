"""Rendering results for people (Rich tables) or for scripts (JSON on stdout)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
errors = Console(stderr=True)


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def print_json(payload: object) -> None:
    # Plain print, not Rich: scripts parse this, so no wrapping or colour codes.
    print(json.dumps(payload, default=_default, ensure_ascii=False, indent=2))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def print_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str | None = None
) -> None:
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    console.print(table)


def print_record(record: Mapping[str, Any], title: str | None = None) -> None:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in record.items():
        table.add_row(key.replace("_", " "), _cell(value))
    console.print(table)
