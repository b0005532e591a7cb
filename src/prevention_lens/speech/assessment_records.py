"""A dangerous-speech assessment as an analyst enters it (``AssessmentDraft``, checked on
creation, every error naming its field) and as a reader may see it (``AssessmentRecord``, one
kept version ``AssessmentVersion``); ``speech.assessments`` stores and reads them.

Public API::

    TEXT_LIMITS, REVISION_NOTE_MAX_CHARS, CONFIDENTIAL_FIELDS, LEVELS
    AssessmentDraft                                   frozen; validated on creation
    draft_from_mapping(values) -> AssessmentDraft     a form, the API, a CSV row
    AssessmentRecord, AssessmentVersion               frozen; to_dict(); draft_values()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.speech.frameworks import (
    CONCLUSIONS,
    HALLMARKS,
    RABAT_FACTORS,
    RabatScore,
    RabatSummary,
    rabat_summary,
)
from prevention_lens.store.access import (
    Confidentiality,
)

# The most characters each text field holds (the store's column sizes where it has them).
TEXT_LIMITS = {
    "title": 300,
    "speaker_role": 300,
    "targeted_group": 48,
    "country": 200,
    "message": 20_000,
    "speaker": 2_000,
    "audience": 10_000,
    "context": 10_000,
    "medium": 5_000,
    "exact_place": 2_000,
    "rationale": 20_000,
}
REVISION_NOTE_MAX_CHARS = 2_000
# Fields a principal without confidential clearance may write but never reads back: an edit
# that leaves them empty keeps what is stored rather than wiping what it could not see.
CONFIDENTIAL_FIELDS = ("speaker", "exact_place")
LEVELS = (Confidentiality.RESTRICTED, Confidentiality.CONFIDENTIAL)


@dataclass(frozen=True)
class AssessmentDraft:
    """What an analyst says about a speech act, checked when created. ``country`` is any name
    or code the country reference knows; ``assessed_on`` None means today (on an edit: keep
    the stored date). A conclusion of incitement needs all six Rabat factors met."""

    title: str
    country: str
    conclusion: str
    rationale: str
    post_id: int | None = None
    spoken_on: date | None = None
    message: str = ""
    speaker_role: str = ""
    speaker: str = ""
    audience: str = ""
    context: str = ""
    medium: str = ""
    exact_place: str = ""
    targeted_group: str | None = None
    hallmarks: tuple[str, ...] = ()
    rabat: Mapping[str, RabatScore] = field(default_factory=dict)
    confidentiality: Confidentiality = Confidentiality.RESTRICTED
    assessed_on: date | None = None

    def __post_init__(self) -> None:
        def bad(name: str, problem: str) -> ValidationError:
            return ValidationError(problem, field=name)

        # Lengths first: a later message may quote a value, and must not quote a huge one.
        for name, most in TEXT_LIMITS.items():
            value = getattr(self, name)
            if value is not None and len(value) > most:
                raise bad(name, f"is longer than {most:,} characters ({len(value):,})")
        if not self.title.strip():
            raise bad("title", "a title is required")
        if not self.country.strip():
            raise bad("country", "a country is required")
        if self.conclusion not in CONCLUSIONS:
            raise bad(
                "conclusion",
                f"unknown conclusion {self.conclusion!r}; choose from {', '.join(CONCLUSIONS)}",
            )
        if not self.rationale.strip():
            raise bad("rationale", "say why the assessment reaches its conclusion")
        if self.post_id is not None and (isinstance(self.post_id, bool) or self.post_id < 1):
            raise bad("post_id", f"{self.post_id!r} is not a post number")
        today = date.today()
        for name in ("spoken_on", "assessed_on"):
            day = getattr(self, name)
            if day is not None and day > today:
                raise bad(name, f"{day} is in the future")
        if self.spoken_on and self.assessed_on and self.spoken_on > self.assessed_on:
            raise bad("spoken_on", f"{self.spoken_on} is after the assessment ({self.assessed_on})")
        unknown = [code for code in self.hallmarks if code not in HALLMARKS]
        if unknown:
            raise bad(
                "hallmarks",
                f"unknown hallmark {unknown[0]!r}; choose from {', '.join(HALLMARKS)}",
            )
        if len(set(self.hallmarks)) != len(self.hallmarks):
            raise bad("hallmarks", "a hallmark is listed twice")
        for code, score in self.rabat.items():
            if code not in RABAT_FACTORS:
                raise bad(
                    "rabat", f"unknown factor {code!r}; choose from {', '.join(RABAT_FACTORS)}"
                )
            if not isinstance(score, RabatScore):
                raise bad(f"rabat {code}", "give a RabatScore (score 0..3 and a note)")
        if self.confidentiality not in LEVELS:
            raise bad("confidentiality", "an assessment is restricted or confidential")
        summary = rabat_summary(self.rabat, self.conclusion)
        if self.conclusion == "incitement" and not summary.threshold_met:
            raise bad("conclusion", summary.note)
        # Keep hallmarks in the framework's order and drop surrounding blanks: one canonical
        # form, so that an unchanged edit compares equal to what is stored.
        ordered = tuple(code for code in HALLMARKS if code in self.hallmarks)
        object.__setattr__(self, "hallmarks", ordered)
        object.__setattr__(self, "title", self.title.strip())
        group = (self.targeted_group or "").strip()
        object.__setattr__(self, "targeted_group", group or None)
        object.__setattr__(
            self, "rabat", {c: self.rabat[c] for c in RABAT_FACTORS if c in self.rabat}
        )


def _date(value: object, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise ValidationError("give a date, not a date and time", field=name)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)", field=name
        ) from None


def _score(code: str, value: object) -> RabatScore | None:
    if isinstance(value, RabatScore):
        return value
    raw, note = (
        (value.get("score"), value.get("note", "")) if isinstance(value, Mapping) else (value, "")
    )
    if raw is None or raw == "":
        return None
    try:
        score = raw if isinstance(raw, int) and not isinstance(raw, bool) else int(str(raw).strip())
        return RabatScore(score, str(note or ""))
    except ValueError:
        raise ValidationError(
            f"{str(raw)[:20]!r} is not a score from 0 to 3", field=f"rabat {code}"
        ) from None
    except ValidationError as error:
        raise ValidationError(error.problem, field=f"rabat {code}") from None


def _level(value: object) -> Confidentiality:
    if isinstance(value, Confidentiality):
        return value
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return Confidentiality(value)
        return Confidentiality[str(value).strip().upper()]
    except (KeyError, ValueError):
        raise ValidationError(
            f"{str(value)[:20]!r} is not a level; choose restricted or confidential",
            field="confidentiality",
        ) from None


def draft_from_mapping(values: Mapping[str, Any]) -> AssessmentDraft:
    """A draft from loosely typed values (a web form, API JSON, a CSV row): dates as ISO text,
    hallmarks as a list or comma-separated text, ``rabat`` as {factor: {"score", "note"}}
    (a factor with no score is left unscored), the level as a name or number."""
    names = {item.name for item in fields(AssessmentDraft)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}", field=unknown[0])
    given: dict[str, Any] = {}
    for name in names & set(values):
        value = values[name]
        if name in ("spoken_on", "assessed_on"):
            given[name] = _date(value, name)
        elif name == "post_id":
            given[name] = _post_id(value)
        elif name == "hallmarks":
            items = value.split(",") if isinstance(value, str) else list(value or ())
            given[name] = tuple(str(item).strip() for item in items if str(item).strip())
        elif name == "rabat":
            if not isinstance(value, Mapping):
                raise ValidationError("give each factor's score and note", field="rabat")
            scores = {str(code): _score(str(code), item) for code, item in value.items()}
            given[name] = {code: score for code, score in scores.items() if score is not None}
        elif name == "confidentiality":
            given[name] = _level(value)
        elif name == "targeted_group":
            given[name] = None if value is None else str(value)
        else:
            given[name] = "" if value is None else str(value)
    for required in ("title", "country", "conclusion", "rationale"):
        given.setdefault(required, "")
    return AssessmentDraft(**given)


def _post_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError(f"{text[:20]!r} is not a post number", field="post_id")
    return int(text)


@dataclass(frozen=True)
class AssessmentRecord:
    """What one reader may see of an assessment. ``speaker`` and ``exact_place`` are None when
    withheld (readers without confidential clearance) and then absent from ``to_dict()``."""

    id: int
    revision: int
    level: str
    country_key: str
    country_name: str
    post_id: int | None
    title: str
    spoken_on: date | None
    message: str
    speaker_role: str
    audience: str
    context: str
    medium: str
    targeted_group: str | None
    hallmarks: tuple[str, ...]
    rabat: Mapping[str, RabatScore]
    conclusion: str
    rationale: str
    assessed_on: date
    assessed_by: str
    created_at: datetime
    updated_at: datetime
    speaker: str | None = None
    exact_place: str | None = None

    @property
    def conclusion_label(self) -> str:
        return CONCLUSIONS[self.conclusion].label

    @property
    def rabat_summary(self) -> RabatSummary:
        return rabat_summary(self.rabat, self.conclusion)

    @classmethod
    def from_projection(cls, row: Mapping[str, Any], key: str, name: str) -> AssessmentRecord:
        """Built from what the policy gave the reader; never from the stored row itself."""
        rabat = {
            code: RabatScore(int(item["score"]), str(item.get("note", "")))
            for code, item in (row["rabat"] or {}).items()
        }
        derived = {
            "level",
            "country_key",
            "country_name",
            "hallmarks",
            "rabat",
            *CONFIDENTIAL_FIELDS,
        }
        copied = {item.name: row[item.name] for item in fields(cls) if item.name not in derived}
        return cls(
            **copied,
            level=Confidentiality(row["confidentiality"]).label,
            country_key=key,
            country_name=name,
            hallmarks=tuple(row["hallmarks"] or ()),
            rabat=rabat,
            speaker=row.get("speaker"),
            exact_place=row.get("exact_place"),
        )

    def draft_values(self) -> dict[str, Any]:
        """The record as the fields of a draft (``draft_from_mapping`` reads them back), to
        revise by changing a few; withheld fields are blank, which an update keeps as stored."""
        return {
            "country": self.country_key,
            "title": self.title,
            "post_id": self.post_id,
            "spoken_on": self.spoken_on,
            "message": self.message,
            "speaker_role": self.speaker_role,
            "speaker": self.speaker or "",
            "audience": self.audience,
            "context": self.context,
            "medium": self.medium,
            "exact_place": self.exact_place or "",
            "targeted_group": self.targeted_group,
            "hallmarks": list(self.hallmarks),
            "rabat": {code: score.to_dict() for code, score in self.rabat.items()},
            "conclusion": self.conclusion,
            "rationale": self.rationale,
            "confidentiality": self.level,
            "assessed_on": self.assessed_on,
        }

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON shape: withheld fields absent, dates as ISO text."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in CONFIDENTIAL_FIELDS and value is None:
                continue
            if isinstance(value, date | datetime):
                value = value.isoformat()
            elif item.name == "hallmarks":
                value = list(value)
            elif item.name == "rabat":
                value = {code: score.to_dict() for code, score in value.items()}
            data[item.name] = value
        data["conclusion_label"] = self.conclusion_label
        data["rabat_summary"] = self.rabat_summary.to_dict()
        return data


@dataclass(frozen=True)
class AssessmentVersion:
    """One kept version as this reader may see it: ``values`` holds only the fields the
    policy lets them read (dates as ISO text), ``changed`` the visible fields that differ from
    the version before."""

    assessment_id: int
    revision: int
    changed_by: str
    changed_at: datetime
    note: str
    values: Mapping[str, Any]
    changed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment_id": self.assessment_id,
            "revision": self.revision,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat(),
            "note": self.note,
            "values": dict(self.values),
            "changed": list(self.changed),
        }
