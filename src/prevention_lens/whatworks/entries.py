"""An entry of the evidence library as typed in or imported (``EntryDraft``), checked field by
field, and as read back through the access policy (``Entry``).

A draft needs only what a reference manager exports (title, authors, year); publishing needs
the classification too (``publication_problems``): analysts classify, admins publish.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.vocabulary import (
    CONFLICT_PHASES,
    DESIGNS,
    EFFECTS,
    EMMIE,
    EMMIE_MAX,
    INTERVENTIONS,
    KINDS,
    ORIGINS,
    OUTCOMES,
    REGIME_TYPES,
    REGIONS,
    STRENGTHS,
)

# A DOI as Crossref describes them: "10.", a registrant code of 4–9 digits, "/", a suffix.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
LIMITS = {
    "title": 500,
    "venue": 300,
    "url": 500,
    "summary": 4000,
    "harm": 2000,
    "period": 40,
    "author": 200,
    "tag": 80,
    "verification_note": 2000,
}
EARLIEST_YEAR = 1900
# An impact evaluation must say which way its effect went; a review, a gap map or a study of
# risk factors may not have one direction to give.
EFFECT_KINDS = frozenset({"impact_evaluation"})


def normalise_doi(value: str) -> str:
    """A DOI in its bare, lower-case form; raises ValueError when it is not one."""
    text = value.strip()
    lowered = text.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if not _DOI.match(text):
        raise ValueError(f"{value!r} is not a DOI like 10.1037/a0011989")
    return text.lower()


def make_key(authors: Sequence[str], year: int, title: str) -> str:
    """A readable key: first author's family name, year, first two long words of the title."""
    family = authors[0].split(",")[0] if authors else "anon"
    words = [word for word in re.findall(r"[a-z0-9]+", title.lower()) if len(word) > 3][:2]
    parts = [re.sub(r"[^a-z0-9]+", "", _ascii(family.lower())) or "anon", str(year), *words]
    return "-".join(parts)[:120].strip("-")


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@dataclass(frozen=True)
class EntryDraft:
    """One entry as given: bibliographic fields plus what analysts add. Codes are checked in
    ``check``; country names or codes are resolved by the library when it stores the entry."""

    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str = ""
    doi: str | None = None
    url: str = ""
    key: str | None = None
    kind: str | None = None
    design: str | None = None
    strength: int | None = None
    summary: str = ""
    interventions: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    conflict_phase: str | None = None
    regime_type: str | None = None
    period: str = ""
    effect: str | None = None
    harm: str = ""
    emmie: Mapping[str, int] = field(default_factory=dict)
    language: str = "en"
    tags: tuple[str, ...] = ()
    verified_at: tuple[str, ...] = ()
    verification_note: str = ""

    def checked(
        self, *, file: str | None = None, row: int | None = None, entry: str | None = None
    ) -> EntryDraft:
        """This draft with its DOI normalised and its key made, or ValidationError naming the
        file, row or entry, and the field."""
        label = entry or self.key

        def bad(name: str, problem: str) -> ValidationError:
            return ValidationError(problem, file=file, row=row, field=name, entry=label)

        if not self.title.strip():
            raise bad("title", "a title is required")
        if self.year is None:
            raise bad("year", "a year is required")
        latest = datetime.now(UTC).year + 1
        if not EARLIEST_YEAR <= self.year <= latest:
            raise bad("year", f"{self.year} is not a year between {EARLIEST_YEAR} and {latest}")
        if not self.authors or not all(author.strip() for author in self.authors):
            raise bad("authors", "at least one author (or organisation) is required")
        for name in ("title", "venue", "url", "summary", "harm", "period", "verification_note"):
            value = getattr(self, name)
            if len(value) > LIMITS[name]:
                raise bad(name, f"is {len(value)} characters; the limit is {LIMITS[name]}")
        for author in self.authors:
            if len(author) > LIMITS["author"]:
                raise bad("authors", f"an author name is longer than {LIMITS['author']}")
        for tag in self.tags:
            if len(tag) > LIMITS["tag"]:
                raise bad("tags", f"tag {tag[:20]!r}… is longer than {LIMITS['tag']}")
        doi = None
        if self.doi:
            try:
                doi = normalise_doi(self.doi)
            except ValueError as error:
                raise bad("doi", str(error)) from None
        for name in ("url", *(() if not self.verified_at else ("verified_at",))):
            values = [self.url] if name == "url" else list(self.verified_at)
            for value in values:
                if value and not value.startswith(("https://", "http://")):
                    raise bad(name, f"{value!r} is not a web address (http:// or https://)")
        _one(self.kind, KINDS, "kind", bad)
        _one(self.design, DESIGNS, "design", bad)
        _one(self.strength, STRENGTHS, "strength", bad)
        _one(self.conflict_phase, CONFLICT_PHASES, "conflict_phase", bad)
        _one(self.regime_type, REGIME_TYPES, "regime_type", bad)
        _one(self.effect, EFFECTS, "effect", bad)
        _many(self.interventions, INTERVENTIONS, "interventions", bad)
        _many(self.outcomes, OUTCOMES, "outcomes", bad)
        _many(self.regions, dict.fromkeys(REGIONS, ""), "regions", bad)
        for dimension, rating in self.emmie.items():
            if dimension not in EMMIE:
                raise bad(
                    "emmie", f"unknown dimension {dimension!r}; choose from {', '.join(EMMIE)}"
                )
            if isinstance(rating, bool) or not isinstance(rating, int):
                raise bad("emmie", f"{dimension} must be a whole number from 0 to {EMMIE_MAX}")
            if not 0 <= rating <= EMMIE_MAX:
                raise bad("emmie", f"{dimension} is {rating}; ratings go from 0 to {EMMIE_MAX}")
        if not _LANGUAGE.match(self.language):
            raise bad("language", f"{self.language!r} is not a language code such as en or fr")
        key = self.key or make_key(self.authors, self.year, self.title)
        if not _KEY.match(key):
            raise bad("key", f"{key!r} must be 3–120 lower-case letters, digits and '-'")
        return _replace(self, doi=doi, key=key)


def _replace(draft: EntryDraft, **changes: Any) -> EntryDraft:
    values = {item.name: getattr(draft, item.name) for item in fields(draft)}
    values.update(changes)
    return EntryDraft(**values)


def _one(value: object, allowed: Mapping[Any, str], name: str, bad: Any) -> None:
    if value is not None and value not in allowed:
        raise bad(name, f"unknown value {value!r}; choose from {', '.join(map(str, allowed))}")


def _many(values: Sequence[str], allowed: Mapping[str, str], name: str, bad: Any) -> None:
    for value in values:
        _one(value, allowed, name, bad)
    if len(set(values)) != len(values):
        raise bad(name, "a value is listed twice")


def publication_problems(entry: EntryDraft | Entry) -> list[str]:
    """What an entry lacks before it can be published (empty when it is ready)."""
    problems = []
    if not entry.doi and not entry.url:
        problems.append("a DOI or a stable URL")
    for name in ("kind", "design", "strength"):
        if getattr(entry, name) is None:
            problems.append(f"its {name}")
    if not entry.interventions:
        problems.append("at least one intervention")
    if not entry.outcomes:
        problems.append("at least one outcome")
    if not entry.summary.strip():
        problems.append("a summary in our own words")
    if entry.effect is None and entry.kind in EFFECT_KINDS:
        problems.append("the direction of its effect")
    return problems


@dataclass(frozen=True)
class Entry:
    """An entry as a reader may see it. Staff fields (who added and reviewed it) are None for
    readers below the analyst role."""

    id: int
    key: str
    title: str
    authors: tuple[str, ...]
    year: int
    venue: str
    doi: str | None
    url: str
    kind: str | None
    design: str | None
    strength: int | None
    summary: str
    interventions: tuple[str, ...]
    outcomes: tuple[str, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    conflict_phase: str | None
    regime_type: str | None
    period: str
    effect: str | None
    harm: str
    emmie: Mapping[str, int]
    language: str
    tags: tuple[str, ...]
    verified_at: tuple[str, ...]
    verification_note: str
    status: str
    origin: str
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
    import_id: int | None = None

    @classmethod
    def from_projection(cls, projected: Mapping[str, Any]) -> Entry:
        """From the policy's projection of a stored entry (``project``/``read_records``)."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            value = projected.get(item.name)
            if isinstance(value, list):
                value = tuple(value)
            values[item.name] = value
        values["emmie"] = dict(projected.get("emmie") or {})
        return cls(**values)

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def link(self) -> str:
        """Where a reader finds the work itself."""
        return self.doi_url or self.url

    @property
    def is_generated(self) -> bool:
        return self.origin == "generated"

    @property
    def origin_label(self) -> str:
        return ORIGINS.get(self.origin, self.origin)

    @property
    def citation(self) -> str:
        """A short citation: "Paluck, E. L. (2009). Title. Venue." """
        names = [_short_name(author) for author in self.authors[:3]]
        who = ", ".join(names) + (" et al." if len(self.authors) > 3 else "")
        venue = f" {self.venue}." if self.venue else ""
        return f"{who} ({self.year}). {self.title.rstrip('.')}.{venue}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO strings, tuples as lists, staff fields only when seen."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in STAFF_ONLY and value is None:
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[item.name] = value
        out["link"] = self.link
        out["citation"] = self.citation
        return out


STAFF_ONLY = frozenset({"created_by", "reviewed_by", "reviewed_at", "review_note", "import_id"})


def _short_name(author: str) -> str:
    family, _, given = author.partition(",")
    initials = " ".join(f"{part[0]}." for part in given.split() if part)
    return f"{family.strip()}, {initials}" if initials else family.strip()
