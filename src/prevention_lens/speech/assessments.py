"""Analysts' dangerous-speech assessments of one speech act, against the Dangerous Speech
Project's elements and hallmarks and the Rabat threshold test (``speech.frameworks``), each a
dated record whose every version is kept.

Every read and write passes the ``speech_assessment`` policy: analysts and admins only; who
spoke (``speaker``) and exactly where (``exact_place``) are confidential, so analysts may write
them but only admins read them back, in records and in history alike. Reads are audited.

Public API::

    AssessmentDraft (validated on creation), TEXT_LIMITS, REVISION_NOTE_MAX_CHARS
    draft_from_mapping(values) -> AssessmentDraft       # a form, the API, a CSV row
    AssessmentRecord, AssessmentVersion                 # frozen; to_dict(); draft_values()
    create_assessment(session, principal, draft, *, note="") -> AssessmentRecord
    update_assessment(session, principal, assessment_id, draft, *, note) -> AssessmentRecord
    get_assessment(session, principal, assessment_id) -> AssessmentRecord
    list_assessments(session, principal, *, country=None, post_id=None) -> list[...]
    assessment_history(session, principal, assessment_id) -> list[AssessmentVersion]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, ValidationError
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
    Principal,
    audit,
    policy_for,
    project,
    read_record,
    read_records,
    require,
)
from prevention_lens.store.models import (
    Country,
    SpeechAssessment,
    SpeechAssessmentRevision,
    SpeechPost,
)
from prevention_lens.store.models.base import utcnow
from prevention_lens.store.reference import find_country

RESOURCE = "speech_assessment"
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


# --- writing ------------------------------------------------------------------------------


def _values(session: Session, principal: Principal, draft: AssessmentDraft) -> dict[str, Any]:
    """The stored columns for a draft: the country resolved, the linked post checked."""
    if draft.confidentiality > principal.clearance:
        raise ValidationError(
            f"you may not mark an assessment {draft.confidentiality.label}: you could not read "
            "it back",
            field="confidentiality",
        )
    country = find_country(session, draft.country)
    if draft.post_id is not None:
        post = session.get(SpeechPost, draft.post_id)
        if post is None or project(principal, "speech_post", post) is None:
            raise NotFoundError(f"No speech post {draft.post_id}.")
        if post.country_id != country.id:
            raise ValidationError(
                f"post {draft.post_id} is not from {country.name}", field="post_id"
            )
    return {
        "confidentiality": int(draft.confidentiality),
        "country_id": country.id,
        "post_id": draft.post_id,
        "title": draft.title,
        "spoken_on": draft.spoken_on,
        "message": draft.message,
        "speaker_role": draft.speaker_role,
        "speaker": draft.speaker,
        "audience": draft.audience,
        "context": draft.context,
        "medium": draft.medium,
        "exact_place": draft.exact_place,
        "targeted_group": draft.targeted_group,
        "hallmarks": list(draft.hallmarks),
        "rabat": {code: score.to_dict() for code, score in draft.rabat.items()},
        "conclusion": draft.conclusion,
        "rationale": draft.rationale,
    }


def _snapshot(row: SpeechAssessment) -> dict[str, Any]:
    """The whole version, every policy field, as JSON; history projects it per reader."""
    snapshot: dict[str, Any] = {}
    for name in policy_for(RESOURCE).fields:
        value = getattr(row, name)
        snapshot[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return snapshot


def _keep_version(session: Session, row: SpeechAssessment, principal: Principal, note: str) -> None:
    session.add(
        SpeechAssessmentRevision(
            assessment_id=row.id,
            revision=row.revision,
            snapshot=_snapshot(row),
            changed_by=principal.username,
            note=note,
        )
    )


def _checked_note(note: str, *, required: bool) -> str:
    if len(note) > REVISION_NOTE_MAX_CHARS:
        raise ValidationError(
            f"is longer than {REVISION_NOTE_MAX_CHARS:,} characters", field="note"
        )
    if required and not note.strip():
        raise ValidationError("say what changed and why", field="note")
    return note.strip()


def create_assessment(
    session: Session, principal: Principal, draft: AssessmentDraft, *, note: str = ""
) -> AssessmentRecord:
    """Store a new assessment (analysts and admins) as revision 1, kept in its history."""
    require(principal, "create", RESOURCE)
    note = _checked_note(note, required=False) or "created"
    values = _values(session, principal, draft)
    now = utcnow()
    row = SpeechAssessment(
        **values,
        revision=1,
        assessed_on=draft.assessed_on or date.today(),
        assessed_by=principal.username,
        assessed_by_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _keep_version(session, row, principal, note)
    session.flush()
    country_key = session.scalar(select(Country.key).where(Country.id == row.country_id))
    audit(session, principal, "create", RESOURCE, row.id, country=country_key)
    return _record(session, principal, row)


def update_assessment(
    session: Session,
    principal: Principal,
    assessment_id: int,
    draft: AssessmentDraft,
    *,
    note: str,
) -> AssessmentRecord:
    """Replace an assessment's content with the draft's, as a new revision with a note.

    Confidential fields the editor cannot read keep their stored value when the draft leaves
    them empty. A draft that changes nothing writes no revision."""
    require(principal, "update", RESOURCE)
    row = session.get(SpeechAssessment, assessment_id)
    if row is None or project(principal, RESOURCE, row) is None:
        raise NotFoundError(f"No speech assessment {assessment_id}.")
    note = _checked_note(note, required=True)
    values = _values(session, principal, draft)
    values["assessed_on"] = draft.assessed_on or row.assessed_on
    readable = policy_for(RESOURCE).fields
    for name in CONFIDENTIAL_FIELDS:
        if readable[name] > principal.clearance and not values[name]:
            values[name] = getattr(row, name)
    changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
    if not changed:
        return _record(session, principal, row)
    for name in changed:
        setattr(row, name, values[name])
    row.revision += 1
    row.updated_at = utcnow()
    session.flush()
    _keep_version(session, row, principal, note)
    session.flush()
    audit(session, principal, "update", RESOURCE, row.id, revision=row.revision, fields=changed)
    return _record(session, principal, row)


# --- reading ------------------------------------------------------------------------------


def _record(session: Session, principal: Principal, row: SpeechAssessment) -> AssessmentRecord:
    """The writer's view of what they just wrote (no read is logged for one's own write)."""
    projected = project(principal, RESOURCE, row)
    if projected is None:
        raise NotFoundError(f"No speech assessment {row.id}.")
    return AssessmentRecord.from_projection(projected, *_place(session, row.country_id))


def _place(session: Session, country_id: int) -> tuple[str, str]:
    country = session.get(Country, country_id)
    if country is None:
        raise NotFoundError(f"No country {country_id}.")
    return country.key, country.name


def get_assessment(session: Session, principal: Principal, assessment_id: int) -> AssessmentRecord:
    """One assessment through the policy; one the reader may not see reads as not found."""
    row = session.get(SpeechAssessment, assessment_id)
    projected = read_record(session, principal, RESOURCE, row, str(assessment_id))
    return AssessmentRecord.from_projection(projected, *_place(session, projected["country_id"]))


def list_assessments(
    session: Session,
    principal: Principal,
    *,
    country: str | None = None,
    post_id: int | None = None,
) -> list[AssessmentRecord]:
    """The assessments the reader may see, newest assessment first; ``country`` is any name or
    code, ``post_id`` the monitored post assessed."""
    require(principal, "read", RESOURCE)
    statement = select(SpeechAssessment).where(
        SpeechAssessment.confidentiality <= int(principal.clearance)
    )
    if country is not None:
        statement = statement.where(
            SpeechAssessment.country_id == find_country(session, country).id
        )
    if post_id is not None:
        statement = statement.where(SpeechAssessment.post_id == post_id)
    statement = statement.order_by(SpeechAssessment.assessed_on.desc(), SpeechAssessment.id.desc())
    rows = read_records(session, principal, RESOURCE, statement)
    ids = {row["country_id"] for row in rows}
    places = {
        country_id: (key, name)
        for country_id, key, name in session.execute(
            select(Country.id, Country.key, Country.name).where(Country.id.in_(ids))
        )
    }
    return [AssessmentRecord.from_projection(row, *places[row["country_id"]]) for row in rows]


def _visible_values(
    snapshot: Mapping[str, Any], clearance: Confidentiality
) -> dict[str, Any] | None:
    """A kept version's fields at the reader's clearance, by the policy's field levels; None
    when the version itself was above it."""
    levels = policy_for(RESOURCE).fields
    if int(snapshot.get("confidentiality", Confidentiality.CONFIDENTIAL)) > clearance:
        return None
    return {
        name: value
        for name, value in snapshot.items()
        if name in levels and levels[name] <= clearance
    }


def assessment_history(
    session: Session, principal: Principal, assessment_id: int
) -> list[AssessmentVersion]:
    """Every kept version of an assessment the reader may see, oldest first, each with only
    the fields their clearance reaches: a speaker's identity never reaches an analyst."""
    row = session.get(SpeechAssessment, assessment_id)
    read_record(session, principal, RESOURCE, row, str(assessment_id))
    revisions: Sequence[SpeechAssessmentRevision] = session.scalars(
        select(SpeechAssessmentRevision)
        .where(SpeechAssessmentRevision.assessment_id == assessment_id)
        .order_by(SpeechAssessmentRevision.revision)
    ).all()
    versions: list[AssessmentVersion] = []
    previous: dict[str, Any] | None = None
    for revision in revisions:
        values = _visible_values(revision.snapshot, principal.clearance)
        if values is None:
            continue
        changed: tuple[str, ...] = ()
        if previous is not None:
            changed = tuple(
                sorted(
                    name
                    for name in values
                    if values[name] != previous.get(name) and name not in ("revision", "updated_at")
                )
            )
        versions.append(
            AssessmentVersion(
                assessment_id=assessment_id,
                revision=revision.revision,
                changed_by=revision.changed_by,
                changed_at=revision.changed_at,
                note=revision.note,
                values=values,
                changed=changed,
            )
        )
        previous = values
    audit(session, principal, "read", RESOURCE, assessment_id, versions=len(versions))
    return versions
