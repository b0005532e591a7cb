"""Rendering results for people (Rich tables) or for scripts (JSON on stdout), and progress.

In a terminal, tables fit the window and fold long cells; piped or redirected (a log file, `less`,
`grep`), they are printed at their full width, so no cell is ever cut to `ens… 0.8…`. Progress
goes to standard error: a Rich bar in a terminal, plain timestamped lines otherwise, so that a
log of a long run still shows what it did and how long each step took.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from rich.progress import Progress

# Without a terminal, messages are not wrapped at an assumed 80 columns: one message, one line
# in a log (soft_wrap), as grep and the demo's log need.
console = Console(soft_wrap=not sys.stdout.isatty())
errors = Console(stderr=True, soft_wrap=not sys.stderr.isatty())

# Widest table printed without a terminal: wide enough for any real row, bounded so that a
# runaway cell cannot make Rich allocate without limit.
_PIPE_WIDTH = 10_000


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


def _print_table(table: Table) -> None:
    if console.is_terminal:
        console.print(table)
        return
    # Not a terminal: the table's natural width (each column as wide as its widest cell),
    # however narrow the assumed 80 columns; nobody resizes a log file.
    natural = console.measure(table, options=console.options.update_width(_PIPE_WIDTH))
    # A console of that width (console.print(width=) cannot go beyond the console's own).
    wide = Console(file=console.file, width=max(natural.maximum, 20), color_system=None)
    wide.print(table, crop=False)


def print_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str | None = None
) -> None:
    table = Table(title=title, header_style="bold")
    for column in columns:
        # fold, not the ellipsis: a squeezed number wraps onto a second line instead of
        # losing its digits.
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    _print_table(table)


def print_record(record: Mapping[str, Any], title: str | None = None) -> None:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold", overflow="fold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        table.add_row(key.replace("_", " "), _cell(value))
    _print_table(table)


class Step:
    """One long step's progress: `advance` or `update` it; it prints itself (see `progress`)."""

    def __init__(self, description: str, total: float | None, bar: Progress | None) -> None:
        self.description = description
        self.total = total
        self.completed = 0.0
        self._bar = bar
        self._task = bar.add_task(description, total=total) if bar is not None else None
        self._started = time.monotonic()
        self._last_line = self._started
        self._last_fraction = 0.0

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._started

    def advance(self, amount: float = 1) -> None:
        self.update(self.completed + amount)

    def update(self, completed: float, total: float | None = None) -> None:
        self.completed = completed
        if total is not None:
            self.total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=completed, total=self.total)
            return
        # Plain lines: at most one every 10% or every 10 seconds, so a log stays short.
        now = time.monotonic()
        fraction = completed / self.total if self.total else 0.0
        if fraction - self._last_fraction >= 0.1 or now - self._last_line >= 10:
            self._last_line, self._last_fraction = now, fraction
            self.emit(f"{self._amount()}, {self.seconds:.0f} s")

    def note(self, text: str) -> None:
        """Change what the step says it is doing (a sub-step's name)."""
        self.description = text
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=text)
        else:
            self.emit("")

    def _amount(self) -> str:
        done = f"{self.completed:,.0f}"
        if not self.total:
            return done
        return f"{done} of {self.total:,.0f} ({self.completed / self.total:.0%})"

    def emit(self, detail: str) -> None:
        """A plain timestamped line about this step (without a terminal only)."""
        if self._bar is not None:
            return
        text = f"{time.strftime('%H:%M:%S')} {self.description}"
        errors.print(
            f"{text}: {detail}" if detail else text, markup=False, highlight=False, soft_wrap=True
        )


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Step]:
    """Show a long step's progress on standard error while the block runs.

    In a terminal: a Rich spinner, bar, count and elapsed time, cleared at the end. Otherwise
    (a log file, a pipe, the demo's background work): timestamped lines as it advances (at most
    every 10% or 10 s) and one with its duration when it ends.
    Standard output stays clean for `--json`.
    """
    if errors.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
        ) as bar:
            yield Step(description, total, bar)
        return
    # No "started" line, and none when the block fails: a user's mistake stays one line of
    # error on stderr; the callers that run long steps (scripts/demo.sh) print their own start.
    step = Step(description, total, None)
    yield step
    amount = f"{step._amount()}, " if step.completed else ""
    step.emit(f"done ({amount}{step.seconds:.1f} s)")
