"""Rejected rows summarised: one line per field and kind of problem, with a count and the
first rows, instead of one near-identical line per row.

Public API::

    RejectedGroup, group_problems(problems) -> tuple[RejectedGroup, ...], describe(group) -> str
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from prevention_lens.errors import ValidationError

EXAMPLE_ROWS = 5
# Values quoted in a problem ('9-May-20') and numbers (rows, counts) differ from row to row;
# blanking them leaves the kind of problem, which is what rows are grouped by.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class RejectedGroup:
    """Rows rejected for the same kind of problem in the same field.

    ``reason`` is the problem with its values blanked ("'…' is not a count"), ``rows`` the
    first few row numbers and ``example`` the first such problem in full."""

    field: str | None
    reason: str
    count: int
    rows: tuple[int, ...]
    example: str


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


def describe(group: RejectedGroup) -> str:
    """The group's first problem, and how many more rows share it."""
    if group.count == 1:
        return group.example
    later = ", ".join(str(row) for row in group.rows[1:])
    more = ", …" if group.count > len(group.rows) else ""
    where = f" (rows {later}{more})" if later else ""
    return f"{group.example}, and {group.count - 1} more row(s) like it{where}"
