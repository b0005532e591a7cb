"""Incident drafts: what a person or an importer says about an incident before it is stored,
checked field by field, and parsed from loosely typed values (a form, a CSV row, JSON).

Public API::

    SourceDraft, IncidentDraft (draft.check(*, file=None, row=None)), DRAFT_FIELDS
    INCIDENT_MAX_CHARS, SOURCE_MAX_CHARS, TARGET_GROUP_MAX_CHARS, MAX_TARGET_GROUPS, MAX_SOURCES,
    SOURCE_URL_SCHEMES, check_length(value, most, field), check_source_url(url)
    draft_from_mapping(values, *, file=None, row=None) -> IncidentDraft
    draft_sources(values) -> tuple[SourceDraft, ...]
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.taxonomy import (
    CATEGORIES,
    DATE_PRECISIONS,
    LOCATION_PRECISIONS,
    PERPETRATOR_KINDS,
    TARGET_DIMENSIONS,
)
from prevention_lens.store.access import Confidentiality

MAX_COUNT = 2**31 - 1  # counts are 32-bit integers in the store
# The most characters each text field may hold, wherever the draft comes from (a form, the API,
# an importer): a record is read by people, and one 50 MB narrative once took 650 MB to store.
# The API's request models declare the same limits from this table (docs/web.md, "Defences").
INCIDENT_MAX_CHARS = {
    "title": 500,
    "narrative": 50_000,
    "place_name": 500,
    "exact_place": 2_000,
    "perpetrator_name": 500,
    "witness_identity": 2_000,
    "witness_contact": 1_000,
    "source_identity": 2_000,
    "category": 100,
    "country": 200,
    "date_precision": 100,
    "location_precision": 100,
    "perpetrator_kind": 100,
    "admin1": 200,
    "admin2": 200,
    "acled_event_type": 200,
    "acled_sub_event_type": 200,
}
SOURCE_MAX_CHARS = {"url": 2_000, "publisher": 1_000}
TARGET_GROUP_MAX_CHARS = 200
MAX_TARGET_GROUPS = 50
MAX_SOURCES = 100
# Links people click on a record's page: anything else (javascript:, data:, file:) could run
# script in the reader's session or reach their own machine.
SOURCE_URL_SCHEMES = ("http", "https", "ipfs")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_length(
    value: str | None,
    most: int,
    field_name: str,
    *,
    file: str | None = None,
    row: int | None = None,
) -> None:
    """Raise ValidationError when ``value`` is longer than ``most`` characters; the message
    names the field and the limit, never the text."""
    if value is not None and len(value) > most:
        raise ValidationError(
            f"is longer than {most:,} characters ({len(value):,})",
            file=file,
            row=row,
            field=field_name,
        )


def check_source_url(url: str, *, file: str | None = None, row: int | None = None) -> None:
    """Raise ValidationError unless ``url`` is empty or an http, https or ipfs address."""
    if not url:
        return
    check_length(url, SOURCE_MAX_CHARS["url"], "url", file=file, row=row)

    def bad(problem: str) -> ValidationError:
        return ValidationError(problem, file=file, row=row, field="url")

    if _CONTROL.search(url):
        raise bad("the link contains a control character (tab, newline, ...)")
    parts = urlsplit(url)
    if parts.scheme.lower() not in SOURCE_URL_SCHEMES:
        raise bad(f"the link must start with {', '.join(s + '://' for s in SOURCE_URL_SCHEMES)}")
    if not parts.netloc:
        raise bad("the link names no host")


@dataclass(frozen=True)
class SourceDraft:
    url: str = ""
    publisher: str = ""
    published_on: date | None = None
    confidential: bool = False

    def check(self, *, file: str | None = None, row: int | None = None) -> None:
        """Raise ValidationError naming the first field that is wrong."""
        check_source_url(self.url, file=file, row=row)
        check_length(self.publisher, SOURCE_MAX_CHARS["publisher"], "publisher", file=file, row=row)


@dataclass(frozen=True)
class IncidentDraft:
    """What a person or an importer says about an incident, before it is stored."""

    category: str
    date_start: date
    country: str
    title: str = ""
    narrative: str = ""
    date_end: date | None = None
    date_precision: str = "day"
    admin1: str | None = None
    admin2: str | None = None
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_precision: str = "country"
    exact_place: str = ""
    perpetrator_kind: str = "unknown"
    perpetrator_name: str = ""
    target_groups: tuple[tuple[str, str], ...] = ()
    fatalities_best: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    witness_identity: str = ""
    witness_contact: str = ""
    source_identity: str = ""
    confidentiality: Confidentiality = Confidentiality.PUBLIC
    ucdp_type_of_violence: int | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    sources: tuple[SourceDraft, ...] = ()

    def check(self, *, file: str | None = None, row: int | None = None) -> None:
        """Raise ValidationError naming the first field that is wrong."""

        def bad(field_name: str, problem: str) -> ValidationError:
            return ValidationError(problem, file=file, row=row, field=field_name)

        # Lengths first: a later message may quote a value, and must not quote a huge one.
        for name, most in INCIDENT_MAX_CHARS.items():
            check_length(getattr(self, name), most, name, file=file, row=row)
        if len(self.target_groups) > MAX_TARGET_GROUPS:
            raise bad("target_groups", f"give at most {MAX_TARGET_GROUPS} groups")
        for _, group in self.target_groups:
            check_length(group, TARGET_GROUP_MAX_CHARS, "target_groups", file=file, row=row)
        if len(self.sources) > MAX_SOURCES:
            raise bad("sources", f"give at most {MAX_SOURCES} sources")
        for source in self.sources:
            source.check(file=file, row=row)
        if self.category not in CATEGORIES:
            raise bad("category", f"unknown category {self.category!r}")
        if self.date_end is not None and self.date_end < self.date_start:
            raise bad("date_end", f"ends ({self.date_end}) before it starts ({self.date_start})")
        if self.date_precision not in DATE_PRECISIONS:
            raise bad("date_precision", f"must be one of {', '.join(DATE_PRECISIONS)}")
        if self.location_precision not in LOCATION_PRECISIONS:
            raise bad("location_precision", f"must be one of {', '.join(LOCATION_PRECISIONS)}")
        if (self.latitude is None) != (self.longitude is None):
            raise bad("latitude", "give both latitude and longitude, or neither")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise bad("latitude", f"{self.latitude} is outside -90..90")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise bad("longitude", f"{self.longitude} is outside -180..180")
        if self.perpetrator_kind not in PERPETRATOR_KINDS:
            raise bad("perpetrator_kind", f"must be one of {', '.join(PERPETRATOR_KINDS)}")
        for dimension, name in self.target_groups:
            if dimension not in TARGET_DIMENSIONS:
                raise bad("target_groups", f"unknown identity dimension {dimension!r}")
            if not name.strip():
                raise bad("target_groups", f"the {dimension} group has no name")
        counts = {
            "fatalities_low": self.fatalities_low,
            "fatalities_best": self.fatalities_best,
            "fatalities_high": self.fatalities_high,
        }
        for name, value in counts.items():
            if value is not None and value < 0:
                raise bad(name, f"must not be negative, got {value}")
            if value is not None and value > MAX_COUNT:
                raise bad(name, f"{value} is more than this field can hold ({MAX_COUNT})")
        low, best, high = counts.values()
        if low is not None and best is not None and low > best:
            raise bad("fatalities_low", f"low ({low}) is above best ({best})")
        if high is not None and best is not None and high < best:
            raise bad("fatalities_high", f"high ({high}) is below best ({best})")
        if not self.country.strip():
            raise bad("country", "is empty")


_TEXT_FIELDS = {
    "title",
    "narrative",
    "place_name",
    "exact_place",
    "perpetrator_name",
    "witness_identity",
    "witness_contact",
    "source_identity",
    "category",
    "country",
    "date_precision",
    "location_precision",
    "perpetrator_kind",
}
_OPTIONAL_TEXT = {"admin1", "admin2", "acled_event_type", "acled_sub_event_type"}
_INTS = {"fatalities_best", "fatalities_low", "fatalities_high", "ucdp_type_of_violence"}
_FLOATS = {"latitude", "longitude"}
_DATES = {"date_start", "date_end"}
DRAFT_FIELDS = tuple(f.name for f in dataclasses.fields(IncidentDraft) if f.name != "sources")


def draft_from_mapping(
    values: Mapping[str, Any], *, file: str | None = None, row: int | None = None
) -> IncidentDraft:
    """A draft from loosely typed values (a form, a CSV row, JSON): strings are parsed, blanks
    are missing; ``target_groups`` may be "dimension: name; dimension: name"."""

    def bad(field_name: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, row=row, field=field_name)

    unknown = sorted(set(values) - set(DRAFT_FIELDS) - {"sources"})
    if unknown:
        raise bad(unknown[0], "is not a field of an incident")
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        if name in _TEXT_FIELDS:
            parsed[name] = "" if blank else str(raw).strip()
        elif name in _OPTIONAL_TEXT:
            parsed[name] = None if blank else str(raw).strip()
        elif name in _INTS:
            parsed[name] = None if blank else _integer(raw, bad(name, f"{raw!r} is not a count"))
        elif name in _FLOATS:
            parsed[name] = None if blank else _number(raw, bad(name, f"{raw!r} is not a number"))
        elif name in _DATES:
            parsed[name] = None if blank else _date(raw, bad(name, f"{raw!r} is not a date"))
        elif name == "confidentiality":
            parsed[name] = _confidentiality(
                raw, bad(name, "must be public, restricted or confidential")
            )
        elif name == "target_groups":
            parsed[name] = _groups(raw, bad(name, "write groups as 'dimension: name; ...'"))
        elif name == "sources":
            parsed[name] = tuple(raw or ())
    for required in ("category", "date_start", "country"):
        if not parsed.get(required):
            raise bad(required, "is required")
    draft = IncidentDraft(**parsed)
    draft.check(file=file, row=row)
    return draft


def _integer(raw: Any, error: ValidationError) -> int:
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise error from None
    if not math.isfinite(number) or number != int(number):
        raise error
    return int(number)


def _number(raw: Any, error: ValidationError) -> float:
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise error from None
    if not math.isfinite(number):
        raise error
    return number


def _date(raw: Any, error: ValidationError) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise error from None


def _confidentiality(raw: Any, error: ValidationError) -> Confidentiality:
    if isinstance(raw, Confidentiality):
        return raw
    if isinstance(raw, int) and raw in (0, 1, 2):
        return Confidentiality(raw)
    try:
        return Confidentiality[str(raw).strip().upper()]
    except KeyError:
        raise error from None


def _groups(raw: Any, error: ValidationError) -> tuple[tuple[str, str], ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        pairs = []
        for part in raw.split(";"):
            if not part.strip():
                continue
            dimension, colon, name = part.partition(":")
            if not colon:
                raise error
            pairs.append((dimension.strip().lower(), name.strip()))
        return tuple(pairs)
    try:
        return tuple(
            (str(item["dimension"]).lower(), str(item["name"]))
            if isinstance(item, Mapping)
            else (str(item[0]).lower(), str(item[1]))
            for item in raw
        )
    except (KeyError, IndexError, TypeError):
        raise error from None


def draft_sources(values: Sequence[Mapping[str, Any]]) -> tuple[SourceDraft, ...]:
    """Source drafts from loosely typed mappings (url, publisher, published_on, confidential)."""
    drafts = []
    for number, item in enumerate(values, start=1):
        published = item.get("published_on") or None
        try:
            when = date.fromisoformat(str(published)[:10]) if published else None
        except ValueError:
            raise ValidationError(
                f"source {number}: {published!r} is not a date", field="published_on"
            ) from None
        draft = SourceDraft(
            url=str(item.get("url") or "").strip(),
            publisher=str(item.get("publisher") or "").strip(),
            published_on=when,
            confidential=bool(item.get("confidential")),
        )
        try:
            draft.check()
        except ValidationError as error:
            raise ValidationError(f"source {number}: {error.problem}", field=error.field) from None
        drafts.append(draft)
    return tuple(drafts)
