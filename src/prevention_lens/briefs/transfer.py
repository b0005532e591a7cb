"""Transfer from the country's side: the contexts of every country and year, built from the
shared data (V-Dem, the Early Warning Project's V-Dem extract, UCDP/PRIO conflicts), and the
evidence library ranked for one country today (``whatworks.transfer`` does the comparing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from prevention_lens.countries import CountryRecord, reference
from prevention_lens.errors import NotFoundError
from prevention_lens.settings import Settings
from prevention_lens.sources.contexts import (
    EWP_VDEM,
    UCDP_ACD,
    VDEM_CORE,
    read_conflict_years,
    read_democracy,
    read_free_discussion,
)
from prevention_lens.store.access import Principal
from prevention_lens.store.reference import find_country
from prevention_lens.whatworks.library import EntryFilter, list_entries
from prevention_lens.whatworks.transfer import CountryContext, TransferItem, rank

# A country is post-conflict for this many years after its last conflict year.
POST_CONFLICT_YEARS = 10
SOURCES = (
    "V-Dem Country-Year Dataset (Coppedge et al.; CC BY-SA 4.0): v2x_polyarchy",
    "Early Warning Project 2025 replication files (USHMM): V-Dem freedom of discussion by COW code",
    "UCDP/PRIO Armed Conflict Dataset v24.1 (CC BY 4.0): conflict years by location",
)


class ContextTable:
    """Every country-year context the shared data can give."""

    def __init__(self, folder: Path) -> None:
        self.democracy = read_democracy(folder / VDEM_CORE)
        self.discussion = read_free_discussion(folder / EWP_VDEM)
        self.conflicts = read_conflict_years(folder / UCDP_ACD)
        self.latest_year = max(year for _key, year in self.democracy)
        self._reference = reference()

    def phase(self, record: CountryRecord, year: int) -> str | None:
        if record.gw is None:
            return None
        gw = record.gw
        if (gw, year) in self.conflicts:
            return "active_conflict"
        if any(
            (gw, earlier) in self.conflicts for earlier in range(year - POST_CONFLICT_YEARS, year)
        ):
            return "post_conflict"
        return "no_conflict"

    def context(self, key: str, year: int) -> CountryContext | None:
        try:
            record = self._reference.by_key(key)
        except NotFoundError:
            return None
        # The conflict data end a year or two before V-Dem's; never read past either.
        year = min(year, self.latest_year)
        scores = self.democracy.get((record.iso3 or record.key, year))
        discussion = None
        if record.cow is not None:
            discussion = self.discussion.get((record.cow, year))
        conflict_end = max((when for _gw, when in self.conflicts), default=year)
        return CountryContext(
            key=record.key,
            name=record.name,
            year=year,
            region=record.region,
            subregion=record.subregion,
            polyarchy=scores.polyarchy if scores is not None else None,
            free_discussion=discussion,
            conflict_phase=self.phase(record, min(year, conflict_end)),
        )


@lru_cache(maxsize=2)
def context_table(folder: str) -> ContextTable:
    return ContextTable(Path(folder))


@dataclass(frozen=True)
class TransferRanking:
    target: CountryContext
    items: tuple[TransferItem, ...]
    sources: tuple[str, ...] = SOURCES

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.to_dict(),
            "items": [item.to_dict() for item in self.items],
            "sources": list(self.sources),
        }


def transfer_ranking(
    session: Session,
    principal: Principal,
    settings: Settings,
    country: str,
    *,
    limit: int = 20,
    where: EntryFilter | None = None,
) -> TransferRanking:
    """The library's entries (as the principal may see them) ranked by how like the country's
    context today each entry's context was."""
    key = find_country(session, country).key
    # Transfer compares contexts from the shared data (V-Dem, UCDP): a clear error without it.
    table = context_table(str(settings.require_sources()))
    target = table.context(key, min(date.today().year, table.latest_year))
    if target is None:
        raise NotFoundError(f"No context data for country {key}.")
    entries = list_entries(session, principal, where)
    items = rank(target, entries, table.context)
    return TransferRanking(target=target, items=tuple(items[:limit]))
