"""Where and when monitoring has seen a lexicon term (Hatebase calls these sightings): per
country, how many stored posts used the term to hurt, used it in a neutral sense, or only
mentioned it, and the first and last week it was seen. Counts only, never a post's text,
speaker or place: what the public may see of monitoring (the ``read_trends`` action).

Public API::

    Sighting                  frozen; .posts, .to_dict()
    term_sightings(session, principal, term_id) -> list[Sighting]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.sources.speech_posts import EXAMPLE_DATASET
from prevention_lens.speech.lexicon import get_term
from prevention_lens.store.access import Principal, require
from prevention_lens.store.models import Country, SpeechPost

__all__ = ["Sighting", "term_sightings"]


@dataclass(frozen=True)
class Sighting:
    """One country's monitored posts holding the term. A post counts once, by its strongest
    reading: ``used`` (a hateful or unclear sense, used: what monitoring counts), else
    ``neutral`` (a harmless sense), else ``mentioned`` (quoted, reported or discussed)."""

    country_key: str
    country_name: str
    used: int
    neutral: int
    mentioned: int
    first_week: date
    last_week: date
    last_used_week: date | None
    example: bool = False  # from the generated example feed, not real monitoring

    @property
    def posts(self) -> int:
        return self.used + self.neutral + self.mentioned

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("first_week", "last_week", "last_used_week"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        data["posts"] = self.posts
        return data


def _reading(hits: Iterable[Mapping[str, Any]], term_id: int) -> str | None:
    """How one post holds the term: "used", "neutral", "mentioned", or None (not at all)."""
    readings = {
        "used" if hit.get("counts") else "neutral" if hit.get("sense") == "neutral" else "mentioned"
        for hit in hits
        if hit.get("term_id") == term_id
    }
    for reading in ("used", "neutral", "mentioned"):
        if reading in readings:
            return reading
    return None


@dataclass
class _Tally:
    used: int = 0
    neutral: int = 0
    mentioned: int = 0
    first: date | None = None
    last: date | None = None
    last_used: date | None = None

    def add(self, reading: str, week: date) -> None:
        setattr(self, reading, getattr(self, reading) + 1)
        self.first = week if self.first is None else min(self.first, week)
        self.last = week if self.last is None else max(self.last, week)
        if reading == "used":
            self.last_used = week if self.last_used is None else max(self.last_used, week)


def term_sightings(session: Session, principal: Principal, term_id: int) -> list[Sighting]:
    """Where the stored posts hold the term, real monitoring first, then the example feed,
    countries with the most recent use first. A term the principal may not read (a draft,
    below analysts) is not found, as on its page."""
    require(principal, "read_trends", "speech_post")
    term = get_term(session, principal, term_id)
    tallies: dict[tuple[bool, int], _Tally] = {}
    statement = select(
        SpeechPost.dataset, SpeechPost.country_id, SpeechPost.week, SpeechPost.lexicon_hits
    )
    for row in session.execute(statement):
        reading = _reading(row.lexicon_hits or (), term.id)
        if reading is not None:
            key = (row.dataset == EXAMPLE_DATASET, row.country_id)
            tallies.setdefault(key, _Tally()).add(reading, row.week)
    names = {
        row.id: (row.key, row.name)
        for row in session.execute(
            select(Country.id, Country.key, Country.name).where(
                Country.id.in_({country_id for _, country_id in tallies})
            )
        )
    }
    sightings = [
        Sighting(
            country_key=names[country_id][0],
            country_name=names[country_id][1],
            used=tally.used,
            neutral=tally.neutral,
            mentioned=tally.mentioned,
            first_week=tally.first or date.min,
            last_week=tally.last or date.min,
            last_used_week=tally.last_used,
            example=example,
        )
        for (example, country_id), tally in tallies.items()
    ]
    sightings.sort(
        key=lambda s: (s.example, -(s.last_used_week or date.min).toordinal(), s.country_key)
    )
    return sightings
