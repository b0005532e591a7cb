"""The parts of a country brief as typed, frozen data, JSON-able through ``to_dict()``: what
``briefs.brief.compose_brief`` fills and every renderer (HTML, Markdown, PDF) reads.

Public API::

    Figure, BriefSituation, BriefRisk, BriefFactor, BriefAssessment, BriefSigns, BriefActors,
    BriefEvidence, BriefOption, BriefPillar, CountryBrief         typed parts (frozen)
    BriefSpeech, BriefSpeechSurge, BriefIndicator                  the speech section's parts
    SECTIONS                                                       the section titles, in order
    SPEECH                        the speech section's title: shown only when there is speech data
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

# The section titles every renderer uses, in order (tests look for each). The speech section
# shows only for a country with monitored posts (``CountryBrief.sections()``): most countries
# are not monitored, and a section saying so in every brief would read as "no hate speech".
SPEECH = "Hate speech trends"
SECTIONS = (
    "Situation",
    "Statistical risk",
    "Drivers",
    "Framework assessment",
    "Warning signs",
    SPEECH,
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
    alerts: tuple[str, ...]  # the latest few, in words
    incidents_recent: int
    incidents_window: str
    points: tuple[tuple[float, float, int], ...]  # (lat, lon as the policy gives them, count)
    figures: tuple[Figure, ...]
    alerts_total: int = 0  # every alert in the records the reader may see
    latest_alert: str = ""  # its month ("2023-11"), "" without one


@dataclass(frozen=True)
class BriefSpeechSurge:
    """A week whose count of hateful posts about one targeted group rose above its baseline,
    with the Framework indicators it bears on and the country's escalation alerts that follow
    it (``briefs.speech.LINK_RULE``), in words."""

    week: date  # the Monday of the ISO week
    targeted_group: str  # the group in words
    observed: int
    expected: float
    indicators: tuple[str, ...]  # Framework of Analysis codes, e.g. ("7.14", "13.5")
    signals: tuple[str, ...]  # linked escalation alerts, e.g. "2024-05: fatalities rose to ..."
    example: bool


@dataclass(frozen=True)
class BriefIndicator:
    """A Framework of Analysis indicator that speech monitoring informs, with its score in the
    latest Framework assessment the reader may see (None: not scored there, or no assessment)."""

    code: str
    text: str
    score: str | None


@dataclass(frozen=True)
class BriefSpeech:
    """Weekly counts of monitored posts and those scored hateful, aggregates only: no post's
    text, speaker or place is ever part of a brief, whoever reads it."""

    trend: tuple[str, ...]  # plain sentences
    surges: tuple[BriefSpeechSurge, ...]
    indicators: tuple[BriefIndicator, ...]
    assessed_on: date | None  # the Framework assessment the indicator scores come from
    link_rule: str  # how surges are linked to escalation alerts, in words
    example: bool  # the posts are the generated example feed, not monitoring
    notice: str  # what the reader must know about the data (e.g. that it is an example)
    url: str  # the app's speech page for the country
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
    speech: BriefSpeech | None = None  # None: no monitored posts for the country

    def sections(self) -> tuple[str, ...]:
        """The titles of the sections this brief shows, in order: ``SECTIONS`` without the
        speech section when the country has no monitored posts."""
        return tuple(title for title in SECTIONS if title != SPEECH or self.speech is not None)

    def heading(self, section: str) -> str:
        """The heading shown for a section: the audience's term where the lexicon has one."""
        return dict(self.headings).get(section, section)

    def note(self, section: str) -> str | None:
        return dict(self.notes).get(section)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, tuples as lists."""
        result: dict[str, Any] = _jsonable(asdict(self))
        return result
