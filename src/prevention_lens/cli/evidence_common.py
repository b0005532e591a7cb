"""What the `lens evidence` commands share: the `--json` option, plain lines, "1 entry" or
"3 entries", and an entry named by its number or key.
"""

from __future__ import annotations

from typing import Annotated

import typer

from prevention_lens.cli.output import console

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def count_entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def entry_id(key: str) -> int | str:
    """An entry's number as a number, or its key (`lens evidence show 12`, `show kalyvas-2006`)."""
    return int(key) if key.isascii() and key.isdigit() else key
