"""Rejected rows summarised: one line per field and kind of problem, with a count and the
first rows, instead of one near-identical line per row.

Public API::

    RejectedGroup, group_problems(problems) -> tuple[RejectedGroup, ...], describe(group) -> str,
    rejected_import(path, problems, every_row=False) -> ImportRejectedError
    rows_with_problems(problems) -> int     # a row with several problems counts once
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from prevention_lens.errors import (
    ImportRejectedError,
    RejectedGroup,
    ValidationError,
    describe_group,
)

__all__ = [
    "RejectedGroup",
    "describe",
    "group_problems",
    "reason_of",
    "rejected_import",
    "rows_with_problems",
]

EXAMPLE_ROWS = 5
# Kinds of problem named in the one-line error; each kind names its first row and a count.
MAX_LISTED_PROBLEMS = 20
# Values quoted in a problem ('9-May-20') and numbers (rows, counts) differ from row to row;
# blanking them leaves the kind of problem, which is what rows are grouped by.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+")


def reason_of(problem: str) -> str:
    """A problem's kind: quoted values become '…' and numbers N."""
    return _NUMBER.sub("N", _QUOTED.sub("'…'", problem))


def group_problems(problems: Sequence[ValidationError]) -> tuple[RejectedGroup, ...]:
    """Problems grouped by (field, kind of problem), in the order each group first appears."""
    grouped: dict[tuple[str | None, str], list[ValidationError]] = {}
    for problem in problems:
        grouped.setdefault((problem.field, reason_of(problem.problem)), []).append(problem)
    groups = []
    for (field, reason), members in grouped.items():
        rows = tuple(p.row for p in members if p.row is not None)[:EXAMPLE_ROWS]
        groups.append(RejectedGroup(field, reason, len(members), rows, str(members[0])))
    return tuple(groups)


def rows_with_problems(problems: Sequence[ValidationError]) -> int:
    """Rows with at least one problem (a row can have several); a problem of no row counts one."""
    rows = {(problem.file, problem.row) for problem in problems if problem.row is not None}
    return len(rows) + sum(1 for problem in problems if problem.row is None)


def describe(group: RejectedGroup) -> str:
    """The group's first problem, and how many more rows share it."""
    return describe_group(group)


def rejected_import(
    path: Path, problems: Sequence[ValidationError], *, every_row: bool = False
) -> ImportRejectedError:
    """The error for an import that wrote nothing: one line naming each kind of problem."""
    rejected = group_problems(problems)
    listed = "; ".join(describe(group) for group in rejected[:MAX_LISTED_PROBLEMS])
    more = len(rejected) - MAX_LISTED_PROBLEMS
    tail = f"; and {more} more kind(s) of problem" if more > 0 else ""
    count = rows_with_problems(problems)
    lead = f"all {count} row(s) are invalid" if every_row else f"{count} invalid row(s)"
    return ImportRejectedError(
        f"{lead}, nothing imported: {listed}{tail}",
        file=path.name,
        problems=problems,
        rejected=rejected,
    )
