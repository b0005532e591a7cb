"""Transfer: which entries of the library come from contexts most like a target country today.

Each entry is compared with the target on the context of the places and years it studied:
region, electoral democracy and freedom of discussion (V-Dem) and conflict phase (UCDP). The
similarity is a weighted mean of the parts that are known on both sides, and every part that
counts is said in words ("same region; similar freedom of discussion 0.31 vs 0.28").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prevention_lens.whatworks.entries import Entry
from prevention_lens.whatworks.vocabulary import CONFLICT_PHASES

# How much each part weighs when it is known on both sides (docs/evidence.md).
WEIGHTS = {"region": 0.25, "democracy": 0.25, "discussion": 0.2, "phase": 0.3}
# Conflict phases one step apart count half.
_PHASE_ORDER = ("no_conflict", "rising_tension", "active_conflict", "post_conflict")
# Scores closer than this read as "similar" in the reasons.
SIMILAR = 0.15


@dataclass(frozen=True)
class CountryContext:
    """A country in one year, as transfer compares it."""

    key: str
    name: str
    year: int
    region: str
    subregion: str
    polyarchy: float | None
    free_discussion: float | None
    conflict_phase: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "year": self.year,
            "region": self.region,
            "subregion": self.subregion,
            "polyarchy": self.polyarchy,
            "free_discussion": self.free_discussion,
            "conflict_phase": self.conflict_phase,
        }


@dataclass(frozen=True)
class TransferItem:
    entry: Entry
    similarity: float
    reasons: tuple[str, ...]
    compared_with: CountryContext | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.to_dict(),
            "similarity": round(self.similarity, 3),
            "reasons": list(self.reasons),
            "compared_with": None if self.compared_with is None else self.compared_with.to_dict(),
        }


def study_year(entry: Entry) -> int:
    """The year whose context an entry speaks for: the middle of its study period, or three
    years before publication when the period is not given."""
    years = [int(year) for year in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", entry.period)]
    if years:
        return (min(years) + max(years)) // 2
    return entry.year - 3


def _phase_similarity(left: str, right: str) -> float | None:
    if left not in _PHASE_ORDER or right not in _PHASE_ORDER:
        return None
    gap = abs(_PHASE_ORDER.index(left) - _PHASE_ORDER.index(right))
    return {0: 1.0, 1: 0.5}.get(gap, 0.0)


def compare(
    target: CountryContext, entry: Entry, place: CountryContext | None
) -> tuple[float, tuple[str, ...]]:
    """The similarity (0 to 1) of an entry's context to the target's, and the reasons."""
    parts: dict[str, float] = {}
    reasons: list[str] = []
    regions = [place.region] if place is not None else list(entry.regions)
    if place is not None and place.key == target.key:
        parts["region"] = 1.0
        reasons.append(f"studied in {target.name} itself ({place.year})")
    elif place is not None and place.subregion and place.subregion == target.subregion:
        parts["region"] = 1.0
        reasons.append(f"same subregion ({target.subregion}): {place.name}")
    elif target.region in regions:
        parts["region"] = 0.6
        where = place.name if place is not None else "studies there"
        reasons.append(f"same region ({target.region}): {where}")
    elif regions:
        parts["region"] = 0.0
        reasons.append(f"another region ({', '.join(regions)})")
    else:
        reasons.append("global or multi-country: no single place to compare")
    for part, label, attribute in (
        ("democracy", "electoral-democracy score", "polyarchy"),
        ("discussion", "freedom-of-discussion score", "free_discussion"),
    ):
        mine = getattr(target, attribute)
        theirs = getattr(place, attribute) if place is not None else None
        if mine is None or theirs is None:
            continue
        gap = abs(mine - theirs)
        parts[part] = max(0.0, 1.0 - gap)
        word = "similar" if gap <= SIMILAR else "different"
        reasons.append(f"{word} {label} {theirs:.2f} vs {mine:.2f}")
    # The phase the study itself describes comes first; the conflict data speak for its place
    # and years only when the entry does not say (or spans several phases).
    theirs_phase = entry.conflict_phase
    if theirs_phase in (None, "mixed") and place is not None:
        theirs_phase = place.conflict_phase
    if target.conflict_phase and theirs_phase:
        similarity = _phase_similarity(theirs_phase, target.conflict_phase)
        if similarity is not None:
            parts["phase"] = similarity
            label = CONFLICT_PHASES[target.conflict_phase].lower()
            if similarity == 1.0:
                reasons.append(f"both {label}")
            else:
                reasons.append(f"{CONFLICT_PHASES[theirs_phase].lower()} there, {label} here")
    if not parts:
        return 0.0, tuple(reasons)
    total = sum(WEIGHTS[name] for name in parts)
    score = sum(WEIGHTS[name] * value for name, value in parts.items()) / total
    # An entry compared on fewer parts is less certain to fit: shrink it towards the middle.
    coverage = total / sum(WEIGHTS.values())
    return score * coverage + 0.5 * score * (1 - coverage), tuple(reasons)


def rank(
    target: CountryContext,
    entries: Sequence[Entry],
    context_of: Callable[[str, int], CountryContext | None],
) -> list[TransferItem]:
    """Entries by similarity to the target (ties: stronger evidence, then newer). For an entry
    studied in several countries, the one most like the target speaks for it."""
    items = []
    for entry in entries:
        year = study_year(entry)
        best: tuple[float, tuple[str, ...], CountryContext | None] | None = None
        places = [context_of(country, year) for country in entry.countries] or [None]
        for place in places:
            if place is None and entry.countries:
                continue
            score, reasons = compare(target, entry, place)
            if best is None or score > best[0]:
                best = (score, reasons, place)
        if best is None:
            best = (*compare(target, entry, None), None)
        items.append(TransferItem(entry, best[0], best[1], best[2]))
    items.sort(key=lambda item: (-item.similarity, -(item.entry.strength or 0), -item.entry.year))
    return items
