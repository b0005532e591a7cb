"""The evidence gap map: interventions × outcomes, each cell counting the entries that study
that intervention's effect on that outcome, their strength, and what kind of gap it is.

Gap kinds follow 3ie's evidence gap maps: an *absolute gap* has no studies at all; a *synthesis
gap* has several primary studies but no systematic review bringing them together. We add *thin*
(one primary study, no review) and *synthesised* (a systematic review exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from prevention_lens.store.access import Principal
from prevention_lens.whatworks.entries import Entry
from prevention_lens.whatworks.library import EntryFilter, list_entries
from prevention_lens.whatworks.vocabulary import INTERVENTIONS, OUTCOMES, SYNTHESIS_KINDS

STATES = {
    "absolute_gap": "Absolute gap: no studies",
    "thin": "One primary study, no review",
    "synthesis_gap": "Synthesis gap: several studies, no systematic review",
    "synthesised": "A systematic review exists",
}
# Kinds that count as primary studies of an effect (guidance and practitioner reports do not).
STUDY_KINDS = frozenset({"impact_evaluation", "observational_study", "case_study"})


@dataclass(frozen=True)
class GapCell:
    intervention: str
    outcome: str
    entry_ids: tuple[int, ...]
    studies: int
    reviews: int
    other: int
    strongest: int | None
    mean_strength: float | None
    harms: int
    state: str

    @property
    def count(self) -> int:
        return len(self.entry_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "outcome": self.outcome,
            "count": self.count,
            "studies": self.studies,
            "reviews": self.reviews,
            "other": self.other,
            "strongest": self.strongest,
            "mean_strength": None if self.mean_strength is None else round(self.mean_strength, 2),
            "harms": self.harms,
            "state": self.state,
            "entry_ids": list(self.entry_ids),
        }


@dataclass(frozen=True)
class GapMap:
    """Every intervention × outcome cell, in the vocabulary's order; ``scope`` says for which
    country or region (None: everywhere)."""

    cells: tuple[GapCell, ...]
    entries: int
    scope: str | None = None

    def cell(self, intervention: str, outcome: str) -> GapCell:
        for cell in self.cells:
            if cell.intervention == intervention and cell.outcome == outcome:
                return cell
        raise KeyError((intervention, outcome))

    def state_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for cell in self.cells:
            counts[cell.state] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "entries": self.entries,
            "interventions": INTERVENTIONS,
            "outcomes": OUTCOMES,
            "states": STATES,
            "state_counts": self.state_counts(),
            "cells": [cell.to_dict() for cell in self.cells],
        }


def _state(studies: int, reviews: int) -> str:
    if reviews:
        return "synthesised"
    if studies >= 2:
        return "synthesis_gap"
    if studies == 1:
        return "thin"
    return "absolute_gap"


def gap_map(entries: Sequence[Entry], scope: str | None = None) -> GapMap:
    """The gap map of these entries."""
    cells = []
    for intervention in INTERVENTIONS:
        for outcome in OUTCOMES:
            inside = [
                entry
                for entry in entries
                if intervention in entry.interventions and outcome in entry.outcomes
            ]
            studies = sum(1 for entry in inside if entry.kind in STUDY_KINDS)
            reviews = sum(1 for entry in inside if entry.kind in SYNTHESIS_KINDS)
            strengths = [entry.strength for entry in inside if entry.strength is not None]
            cells.append(
                GapCell(
                    intervention=intervention,
                    outcome=outcome,
                    entry_ids=tuple(entry.id for entry in inside),
                    studies=studies,
                    reviews=reviews,
                    other=len(inside) - studies - reviews,
                    strongest=max(strengths) if strengths else None,
                    mean_strength=sum(strengths) / len(strengths) if strengths else None,
                    harms=sum(1 for entry in inside if entry.harm),
                    state=_state(studies, reviews),
                )
            )
    return GapMap(cells=tuple(cells), entries=len(entries), scope=scope)


def library_gap_map(
    session: Session,
    principal: Principal,
    *,
    country: str | None = None,
    region: str | None = None,
) -> GapMap:
    """The gap map of the entries the principal may see, for one country (its key) or region.
    Entries without a place (global reviews, guidance) count everywhere."""
    where = EntryFilter(scope_country=country, scope_region=None if country else region)
    entries = list_entries(session, principal, where)
    return gap_map(entries, scope=country or region)
