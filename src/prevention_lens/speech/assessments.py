"""Analysts' dangerous-speech assessments of one speech act, against the Dangerous Speech
Project's elements and hallmarks and the Rabat threshold test (``speech.frameworks``), each a
dated record whose every version is kept.

Every read and write passes the ``speech_assessment`` policy: analysts and admins only; who
spoke (``speaker``) and exactly where (``exact_place``) are confidential, so analysts may write
them but only admins read them back, in records and in history alike. Reads are audited.

Public API::

    (AssessmentDraft, draft_from_mapping, AssessmentRecord, AssessmentVersion and the limits
    are in speech.assessment_records)
    create_assessment(session, principal, draft, *, note="") -> AssessmentRecord
    update_assessment(session, principal, assessment_id, draft, *, note) -> AssessmentRecord
    get_assessment(session, principal, assessment_id) -> AssessmentRecord
    list_assessments(session, principal, *, country=None, post_id=None) -> list[...]
    assessment_history(session, principal, assessment_id) -> list[AssessmentVersion]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.speech.assessment_records import (
    CONFIDENTIAL_FIELDS,
    REVISION_NOTE_MAX_CHARS,
    AssessmentDraft,
    AssessmentRecord,
    AssessmentVersion,
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
