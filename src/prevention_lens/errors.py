"""The one exception tree of Prevention Lens; interfaces turn these into clean messages.

    LensError                      root: every error a user can cause or fix
    ├── SettingsError              a LENS_* setting is malformed or inconsistent
    ├── StoreError                 the database cannot be reached, created or migrated
    ├── NotFoundError              a named record (user, country, import, ...) does not exist
    │   └── UnknownCountryError    a country name or code did not resolve (carries suggestions)
    ├── ConflictError              a record would duplicate one that exists (e.g. a user name)
    ├── ValidationError            input data is malformed; names file, row, field and problem
    │   └── ImportRejectedError    an import wrote nothing; lists each row and groups them
    ├── AuthenticationError        missing or wrong credentials
    ├── PermissionDeniedError      the principal's role does not allow the action
    └── TooManyRequestsError       too many attempts (e.g. logins); ``retry_after`` seconds to wait

The CLI prints ``str(error)`` on one line and exits with code 2 (an ``ImportRejectedError``
with several kinds of problem prints ``report_lines()``: a headline, then one line each); the
web app answers with the status code in ``http_status`` and the same message (and a
``Retry-After`` header when the error has ``retry_after``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


class LensError(Exception):
    """Root of every error a user can cause or fix."""

    http_status = 400


class SettingsError(LensError):
    """A LENS_* setting is malformed or inconsistent."""

    http_status = 500


class StoreError(LensError):
    """The database cannot be reached, created or migrated."""

    http_status = 503


class NotFoundError(LensError):
    """A named record does not exist."""

    http_status = 404


class UnknownCountryError(NotFoundError):
    """A country name or code did not resolve; ``suggestions`` holds the nearest names."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown country {query!r}.{hint}")


class ConflictError(LensError):
    """A record would duplicate one that already exists."""

    http_status = 409


class ValidationError(LensError):
    """Input data is malformed. The message names the file, row (or line), field and problem.

    ``line`` is for files read a line at a time (JSON Lines): the message says "line N", and
    ``row`` holds the same number, so that code grouping or counting rows counts it too."""

    http_status = 422

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        entry: str | None = None,
        line: int | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.row = row if row is not None else line
        self.field = field
        # A record named by its own key rather than a row (a BibTeX or RIS entry).
        self.entry = entry
        unit = "line" if line is not None else "row"
        place = f"{unit} {self.row}" if self.row is not None else None
        where = [part for part in (file, place, f"entry {entry!r}" if entry else None) if part]
        prefix = ", ".join(where)
        if field:
            prefix = f"{prefix}, field {field!r}" if prefix else f"field {field!r}"
        super().__init__(f"{prefix}: {problem}" if prefix else problem)


@dataclass(frozen=True)
class RejectedGroup:
    """Rows of an import rejected for the same kind of problem in the same field.

    ``reason`` is the problem with its values blanked ("'…' is not a count"), ``rows`` the
    first few row numbers and ``example`` the first such problem in full
    (``prevention_lens.ingest.rejections`` builds these)."""

    field: str | None
    reason: str
    count: int
    rows: tuple[int, ...]
    example: str


def describe_group(group: RejectedGroup, unit: str = "row") -> str:
    """A kind of problem in one line: its first row's problem in full (which names the file:
    an import can read several, as an actor sheet's two), and how many more rows share it."""
    if group.count == 1:
        return group.example
    later = ", ".join(str(row) for row in group.rows[1:])
    more = ", …" if group.count > len(group.rows) else ""
    where = f" ({unit}s {later}{more})" if later else ""
    return f"{group.example}, and {group.count - 1} more {unit}(s) like it{where}"


# Kinds of problem a rejected import lists on a terminal before "… and N more".
MAX_REPORTED_KINDS = 50


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class ImportRejectedError(ValidationError):
    """A file had invalid rows and nothing was written; ``problems`` lists each row and
    ``rejected`` groups them by field and kind of problem.

    Raised by the import runner and the loaders in ``ingest/``, which build it with
    ``ingest.rejections.rejected_import`` (the message summarises the groups)."""

    def __init__(
        self,
        summary: str,
        *,
        file: str,
        problems: Sequence[ValidationError],
        rejected: Sequence[RejectedGroup],
    ) -> None:
        self.problems = tuple(problems)
        self.rejected = tuple(rejected)
        super().__init__(summary, file=file)

    def report_lines(self, limit: int = MAX_REPORTED_KINDS) -> list[str]:
        """The error for a terminal: the message itself when it has one kind of problem;
        otherwise a headline counting problems and rows, then one line per kind of problem
        (its first row in full, and how many more rows share it), the first ``limit`` of them.
        """
        if len(self.rejected) <= 1:
            return [str(self)]
        unit = "line" if any(problem.line is not None for problem in self.problems) else "row"
        rows = len({(p.file, p.row) for p in self.problems if p.row is not None})
        count = _counted(len(self.problems), "problem")
        within = f" in {_counted(rows, unit)}" if rows else ""
        lines = [f"{self.file}: {count}{within}, nothing imported:"]
        lines += [f"  - {describe_group(group, unit)}" for group in self.rejected[:limit]]
        more = len(self.rejected) - limit
        if more > 0:
            lines.append(f"  … and {_counted(more, 'more kind')} of problem")
        return lines


class AuthenticationError(LensError):
    """Missing or wrong credentials."""

    http_status = 401


class PermissionDeniedError(LensError):
    """The principal's role does not allow the action."""

    http_status = 403


class TooManyRequestsError(LensError):
    """Too many attempts in a short time; ``retry_after`` is the whole seconds to wait (>= 1)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(message)
