"""The parts of a country brief as typed, frozen data, JSON-able through ``to_dict()``: what
``briefs.brief.compose_brief`` fills and every renderer (HTML, Markdown, PDF) reads.

Public API::

    Figure, BriefSituation, BriefRisk, BriefFactor, BriefAssessment, BriefSigns, BriefActors,
    BriefEvidence, BriefOption, BriefPillar, CountryBrief         typed parts (frozen)
    SECTIONS                                                       the section titles, in order
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

# The section titles every renderer uses, in order (tests look for each).
SECTIONS = (
    "Situation",
    "Statistical risk",
    "Drivers",
    "Framework assessment",
    "Warning signs",
    "Actors and coverage",
    "What works",
    "Options by R2P pillar",
    "Sources and data dates",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class Figure:
    """A number shown in the brief, with where it comes from and the date of its data."""

    label: str
    value: str
    source: str
    as_of: str


@dataclass(frozen=True)
class BriefSituation:
    """The situation category an analyst set (None: none set) and the model's suggestion."""

    category: str | None
    label: str
    rationale: str
    set_on: date | None
    suggestion_category: str | None
    suggestion_reasons: tuple[str, ...]
    suggestion_confidence: str = ""  # high, medium or low


@dataclass(frozen=True)
class BriefRisk:
    level: str | None
    probability: float | None
    rank: int | None
    ranked: int | None  # how many countries the run ranks
    interval: tuple[float, float] | None
    change: float | None
    change_parts: tuple[tuple[str, float], ...]  # (plain label, change in probability)
    drivers: tuple[str, ...]  # plain words
    history: tuple[tuple[int, float], ...]  # (year, probability), oldest first
    level_cutoffs: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class BriefFactor:
    code: str
    name: str
    score: str
    note: str


@dataclass(frozen=True)
class BriefAssessment:
    date: date | None
    factors: tuple[BriefFactor, ...]


@dataclass(frozen=True)
class BriefSigns:
    alerts: tuple[str, ...]
    incidents_recent: int
    incidents_window: str
    points: tuple[tuple[float, float, int], ...]  # (lat, lon as the policy gives them, count)
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class BriefActors:
    count: int
    by_level: tuple[tuple[str, int], ...]
    gap: str | None
    example: bool


@dataclass(frozen=True)
class BriefEvidence:
    citation: str
    link: str
    similarity: float
    reasons: tuple[str, ...]
    strength: int | None
    harm: str


@dataclass(frozen=True)
class BriefOption:
    pillar: int
    measure: str
    why: str
    military: bool


@dataclass(frozen=True)
class BriefPillar:
    """An R2P pillar as the lexicon defines it, with the term the audience uses for it."""

    number: int
    name: str  # the pillar in plain words, in the audience's terms
    term: str  # the lexicon's label for the pillar (the audience's own where it has one)
    definition: str
    source: str
    link: str


@dataclass(frozen=True)
class CountryBrief:
    key: str
    name: str
    audience: str
    language: str
    generated_at: datetime
    reader_role: str
    summary: tuple[str, ...]
    situation: BriefSituation
    risk: BriefRisk
    assessment: BriefAssessment | None
    signs: BriefSigns | None
    actors: BriefActors | None
    evidence: tuple[BriefEvidence, ...]
    options: tuple[BriefOption, ...]
    sources: tuple[Figure, ...]
    terms: tuple[tuple[str, str, str], ...]  # (original term, audience term, rationale)
    headings: tuple[tuple[str, str], ...] = ()  # (section title, the audience's heading)
    notes: tuple[tuple[str, str], ...] = ()  # (section title, a note the section shows)
    pillars: tuple[BriefPillar, ...] = ()

    def heading(self, section: str) -> str:
        """The heading shown for a section: the audience's term where the lexicon has one."""
        return dict(self.headings).get(section, section)

    def note(self, section: str) -> str | None:
        return dict(self.notes).get(section)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, tuples as lists."""
        result: dict[str, Any] = _jsonable(asdict(self))
        return result
