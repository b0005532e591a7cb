"""The watchlist pack for a quarterly review: the N countries at highest stored risk and every
country an analyst has put in a situation category, each as a country brief.

Public API::

    watchlist_countries(session, principal, n) -> list[WatchlistEntry]   # which, and why
    watchlist(session, principal, settings, n, audience="ap") -> list[CountryBrief]
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from prevention_lens.briefs.brief import compose_brief
from prevention_lens.briefs.parts import CountryBrief
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.risk.forecasts import risk_table
from prevention_lens.risk.situations import list_situations
from prevention_lens.settings import Settings
from prevention_lens.store.access import Principal

MAX_COUNTRIES = 200  # a pack larger than the world is a typo


@dataclass(frozen=True)
class WatchlistEntry:
    """A country in the pack and why: its rank in the latest run and/or its situation."""

    country_key: str
    country_name: str
    rank: int | None
    situation: str | None  # the situation category's label

    @property
    def reason(self) -> str:
        parts = []
        if self.rank is not None:
            parts.append(f"rank {self.rank} by statistical risk")
        if self.situation is not None:
            parts.append(f"situation: {self.situation}")
        return "; ".join(parts)


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_COUNTRIES:
        raise ValidationError(
            f"must be a whole number from 0 to {MAX_COUNTRIES}, got {n!r}", field="n"
        )
    return n


def watchlist_countries(session: Session, principal: Principal, n: int) -> list[WatchlistEntry]:
    """The top ``n`` countries of the latest forecast run in rank order, then every other
    country whose current situation is a category (gravest first, then by name). Raises
    NotFoundError when the pack would be empty."""
    _check_n(n)
    try:
        ranked = risk_table(session, principal).rows[:n] if n else ()
    except NotFoundError:
        ranked = ()  # no forecasts stored: the pack holds the situations alone
    situations = {s.country_key: s for s in list_situations(session, principal)}
    entries = [
        WatchlistEntry(
            row.country_key,
            row.country_name,
            row.rank,
            situations[row.country_key].label if row.country_key in situations else None,
        )
        for row in ranked
    ]
    chosen = {entry.country_key for entry in entries}
    entries.extend(
        WatchlistEntry(s.country_key, s.country_name, None, s.label)
        for s in situations.values()
        if s.country_key not in chosen
    )
    if not entries:
        raise NotFoundError(
            "The watchlist is empty: no forecasts are stored (run `lens risk forecast`) and no "
            "country is in a situation category (`lens situations set`)."
        )
    return entries


def watchlist(
    session: Session, principal: Principal, settings: Settings, n: int, audience: str = "ap"
) -> list[CountryBrief]:
    """A brief for each country of ``watchlist_countries``, in that order, as the reader may
    see it and in ``audience``'s terms."""
    return [
        compose_brief(session, principal, settings, entry.country_key, audience=audience)
        for entry in watchlist_countries(session, principal, n)
    ]
