"""Dangerous-speech assessments, as pages and in the API: the list, the form an analyst fills
in (the Dangerous Speech Project's five elements and hallmarks, the Rabat Plan of Action's six
factors scored 0–3 with notes, a conclusion and its rationale), one assessment with its
history, and edits that each keep a new version.

Analysts and admins only (the ``speech_assessment`` policy). Who spoke and exactly where are
confidential: analysts may write them but read them back only as "withheld"; an edit that
leaves them blank keeps what is stored (``speech.assessments.update_assessment``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from prevention_lens.errors import NotFoundError, UnknownCountryError, ValidationError
from prevention_lens.speech.assessment_records import (
    REVISION_NOTE_MAX_CHARS,
    TEXT_LIMITS,
    AssessmentDraft,
    AssessmentRecord,
    draft_from_mapping,
)
from prevention_lens.speech.assessments import (
    assessment_history,
    create_assessment,
    get_assessment,
    list_assessments,
    update_assessment,
)
from prevention_lens.speech.frameworks import (
    CONCLUSIONS,
    DSP_ELEMENTS,
    DSP_FAQ,
    HALLMARKS,
    RABAT_FACTORS,
    RABAT_NOTE_MAX_CHARS,
    RABAT_SCORES,
)
from prevention_lens.speech.scoring import TARGET_GROUPS
from prevention_lens.store.access import Confidentiality, Principal, read_records, require
from prevention_lens.store.models import Country
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    MAX_ID,
    CurrentPrincipal,
    DbSession,
    RecordId,
    code_query,
)
from prevention_lens.web.routers.speech_api import abilities
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api_router = APIRouter(
    prefix="/api/v1/speech", tags=["speech"], dependencies=[Depends(verify_csrf)]
)

Record = dict[str, Any]
RESOURCE = "speech_assessment"
TEXT_FIELDS = (
    "title",
    "country",
    "post_id",
    "spoken_on",
    "assessed_on",
    "message",
    "speaker_role",
    "speaker",
    "audience",
    "context",
    "medium",
    "exact_place",
    "targeted_group",
    "conclusion",
    "rationale",
    "confidentiality",
    "note",
)
CONFIDENTIAL_FIELDS = ("speaker", "exact_place")
CountryFilter = Annotated[str, code_query("Country key, name or code")]


def vocabulary() -> dict[str, Any]:
    return {
        "elements": DSP_ELEMENTS,
        "hallmarks": HALLMARKS,
        "factors": RABAT_FACTORS,
        "scores": RABAT_SCORES,
        "conclusions": CONCLUSIONS,
        "groups": TARGET_GROUPS,
        "limits": TEXT_LIMITS,
        "rabat_note_max": RABAT_NOTE_MAX_CHARS,
        "note_max": REVISION_NOTE_MAX_CHARS,
        "dsp_source": DSP_FAQ,
    }


def _countries(session: Session, principal: Principal) -> list[dict[str, Any]]:
    return read_records(
        session,
        principal,
        "country",
        select(Country).where(Country.end_date.is_(None)).order_by(Country.name),
    )


# --- the form ----------------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def form_values(form: FormData) -> dict[str, Any]:
    """The form's fields as typed (for showing again); anything else is ignored."""
    values: dict[str, Any] = {name: _text(form, name) for name in TEXT_FIELDS}
    values["hallmarks"] = [item for item in form.getlist("hallmarks") if isinstance(item, str)]
    values["rabat"] = {
        code: {
            "score": _text(form, f"rabat_{code}_score"),
            "note": _text(form, f"rabat_{code}_note"),
        }
        for code in RABAT_FACTORS
    }
    return values


def values_of(record: AssessmentRecord) -> dict[str, Any]:
    """A stored assessment as the edit form shows it; withheld fields stay blank."""
    values = record.draft_values()
    values.update(
        post_id="" if record.post_id is None else str(record.post_id),
        spoken_on=record.spoken_on.isoformat() if record.spoken_on else "",
        assessed_on=record.assessed_on.isoformat(),
        targeted_group=record.targeted_group or "",
        note="",
        rabat={
            code: {
                "score": str(record.rabat[code].score) if code in record.rabat else "",
                "note": record.rabat[code].note if code in record.rabat else "",
            }
            for code in RABAT_FACTORS
        },
    )
    return values


# What the form calls each field, so that a problem reads as the form does ("Intent (Rabat)",
# not "rabat intent"); the codes of a choice read as their labels.
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "country": "Country",
    "post_id": "Monitored post number",
    "spoken_on": "Spoken on",
    "assessed_on": "Assessed on",
    "targeted_group": "Targeted group",
    "speaker_role": "Speaker's role or position",
    "speaker": "Speaker's identity",
    "message": "What was said",
    "hallmarks": "Hallmarks it carries",
    "audience": DSP_ELEMENTS["audience"].label,
    "context": "The social and historical context",
    "medium": DSP_ELEMENTS["medium"].label,
    "exact_place": "Exact place",
    "rabat": "The Rabat threshold test",
    **{f"rabat {code}": f"{factor.label} (Rabat)" for code, factor in RABAT_FACTORS.items()},
    "conclusion": "Conclusion",
    "rationale": "Why: the rationale for the conclusion",
    "confidentiality": "Confidentiality",
    "note": "What changed and why",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "conclusion": {code: item.label for code, item in CONCLUSIONS.items()},
    "hallmarks": {code: item.label for code, item in HALLMARKS.items()},
    "rabat": {code: item.label for code, item in RABAT_FACTORS.items()},
    "targeted_group": dict(TARGET_GROUPS),
}


def _labelled(error: ValidationError) -> tuple[str, str]:
    """The field's label on the form and the problem with a choice's codes as its labels."""
    field = error.field or ""
    problem = error.problem
    choices = CHOICE_LABELS.get(field, {})
    if choices:
        problem = problem.replace(", ".join(choices), "; ".join(choices.values()))
    return FIELD_LABELS.get(field, field), problem


Stored = TypeVar("Stored")


def stored_or_problem(draft: AssessmentDraft, store: Callable[[], Stored]) -> Stored:
    """Runs ``store``, with the records the draft names but the store lacks (its country, its
    post) reported as a problem with that field, which the form shows beside it."""
    try:
        return store()
    except UnknownCountryError as error:
        raise ValidationError(str(error), field="country") from None
    except NotFoundError:
        if draft.post_id is None:
            raise
        # The only other record the draft names: a post missing or hidden from this reader.
        raise ValidationError(f"no monitored post {draft.post_id}", field="post_id") from None


def draft_from_values(values: Mapping[str, Any]) -> AssessmentDraft:
    """The draft the form describes; a problem names the field."""
    group = values["targeted_group"].strip()
    if group and group not in TARGET_GROUPS:
        raise ValidationError(
            f"unknown targeted group {group!r}; choose from {', '.join(TARGET_GROUPS)}",
            field="targeted_group",
        )
    given = {
        name: values[name]
        for name in TEXT_FIELDS
        if name not in ("note", "confidentiality", "assessed_on", "spoken_on", "post_id")
    }
    try:
        return draft_from_mapping(
            {
                **given,
                "targeted_group": group or None,
                "post_id": values["post_id"].strip() or None,
                "spoken_on": values["spoken_on"].strip() or None,
                "assessed_on": values["assessed_on"].strip() or None,
                "confidentiality": values["confidentiality"].strip() or "restricted",
                "hallmarks": values["hallmarks"],
                "rabat": values["rabat"],
            }
        )
    except ValidationError as error:
        if error.field == "conclusion" and not values["conclusion"].strip():
            # No radio button ticked: say so in the form's words, not as an unknown code.
            choices = "; ".join(item.label for item in CONCLUSIONS.values())
            raise ValidationError(f"choose one: {choices}", field="conclusion") from None
        raise


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    action: str,
    record: AssessmentRecord | None = None,
    error: ValidationError | None = None,
    status_code: int = 200,
) -> Response:
    errors: dict[str, str] = {}
    message = None
    if error:
        label, problem = _labelled(error)
        errors = {error.field or "": problem}
        message = f"{label}: {problem}" if label else problem
    return render(
        request,
        "speech_assessment_form.html",
        {
            **vocabulary(),
            **abilities(principal),
            "values": values,
            "action": action,
            "record": record,
            "errors": errors,
            "error": message,
            "countries": _countries(session, principal),
            # Marking a record confidential needs the clearance to read it back.
            "can_mark_confidential": principal.clearance >= Confidentiality.CONFIDENTIAL,
            "sees_confidential": principal.clearance >= Confidentiality.CONFIDENTIAL,
        },
        status_code=status_code,
    )


EMPTY_FORM: dict[str, Any] = {
    **dict.fromkeys(TEXT_FIELDS, ""),
    "confidentiality": "restricted",
    "hallmarks": [],
    "rabat": {code: {"score": "", "note": ""} for code in RABAT_FACTORS},
}


# --- pages -------------------------------------------------------------------------------------


@router.get("/speech/assessments", response_class=HTMLResponse)
def assessments_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, country: CountryFilter = ""
) -> Response:
    require(principal, "read", RESOURCE)
    found = list_assessments(session, principal, country=country.strip() or None)
    return render(
        request,
        "speech_assessments.html",
        {
            **vocabulary(),
            **abilities(principal),
            "assessments": found,
            "countries": _countries(session, principal),
            "country": country.strip(),
        },
    )


@router.get("/speech/assessments/new", response_class=HTMLResponse)
def new_form(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    country: CountryFilter = "",
    post_id: Annotated[str, code_query("The monitored post assessed")] = "",
) -> Response:
    require(principal, "create", RESOURCE)
    values = {**EMPTY_FORM, "country": country.strip(), "post_id": post_id.strip()}
    return _form_page(request, session, principal, values, action="/speech/assessments/new")


@router.post("/speech/assessments/new")
async def create(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "create", RESOURCE)
    values = form_values(await request.form())
    try:
        draft = draft_from_values(values)
        record = stored_or_problem(draft, lambda: create_assessment(session, principal, draft))
    except ValidationError as error:
        session.rollback()
        return _form_page(
            request,
            session,
            principal,
            values,
            action="/speech/assessments/new",
            error=error,
            status_code=422,
        )
    return RedirectResponse(f"/speech/assessments/{record.id}", status_code=303)


@router.get("/speech/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, assessment_id: RecordId
) -> Response:
    # Checked first, so that an anonymous reader is sent to log in (for any number alike).
    require(principal, "read", RESOURCE)
    record = get_assessment(session, principal, assessment_id)
    versions = assessment_history(session, principal, assessment_id)
    return render(
        request,
        "speech_assessment.html",
        {
            **vocabulary(),
            **abilities(principal),
            "record": record,
            "versions": list(reversed(versions)),
            "sees_confidential": principal.clearance >= Confidentiality.CONFIDENTIAL,
        },
    )


@router.get("/speech/assessments/{assessment_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, assessment_id: RecordId
) -> Response:
    require(principal, "update", RESOURCE)
    record = get_assessment(session, principal, assessment_id)
    return _form_page(
        request,
        session,
        principal,
        values_of(record),
        action=f"/speech/assessments/{record.id}/edit",
        record=record,
    )


@router.post("/speech/assessments/{assessment_id}/edit")
async def edit(
    request: Request, session: DbSession, principal: CurrentPrincipal, assessment_id: RecordId
) -> Response:
    require(principal, "update", RESOURCE)
    record = get_assessment(session, principal, assessment_id)
    values = form_values(await request.form())
    try:
        draft = draft_from_values(values)
        stored_or_problem(
            draft,
            lambda: update_assessment(session, principal, record.id, draft, note=values["note"]),
        )
    except ValidationError as error:
        session.rollback()
        return _form_page(
            request,
            session,
            principal,
            values,
            action=f"/speech/assessments/{record.id}/edit",
            record=record,
            error=error,
            status_code=422,
        )
    return RedirectResponse(f"/speech/assessments/{record.id}", status_code=303)


# --- the API -----------------------------------------------------------------------------------


def _limited(name: str) -> Any:
    return Field(default="", max_length=TEXT_LIMITS[name])


class RabatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Annotated[int, Field(ge=0, le=3)]
    note: Annotated[str, Field(max_length=RABAT_NOTE_MAX_CHARS)] = ""


# Codes are checked by the domain (speech.assessments), whose message names the bad one.
_Code = Annotated[str, Field(max_length=40)]


class AssessmentBody(BaseModel):
    """A dangerous-speech assessment: the five elements, hallmarks, the six Rabat factors
    (0 not met … 3 clearly met; a score of 2 or 3 needs a note), the conclusion and why."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=TEXT_LIMITS["title"])]
    country: Annotated[str, Field(max_length=TEXT_LIMITS["country"])]
    conclusion: Annotated[str, Field(max_length=CODE_MAX_CHARS)]
    rationale: Annotated[str, Field(max_length=TEXT_LIMITS["rationale"])]
    post_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    spoken_on: date | None = None
    assessed_on: date | None = None
    message: str = _limited("message")
    speaker_role: str = _limited("speaker_role")
    speaker: str = _limited("speaker")
    audience: str = _limited("audience")
    context: str = _limited("context")
    medium: str = _limited("medium")
    exact_place: str = _limited("exact_place")
    targeted_group: Annotated[str | None, Field(max_length=TEXT_LIMITS["targeted_group"])] = None
    hallmarks: Annotated[list[_Code], Field(max_length=len(HALLMARKS))] = Field(
        default_factory=list
    )
    rabat: Annotated[dict[_Code, RabatBody], Field(max_length=len(RABAT_FACTORS))] = Field(
        default_factory=dict
    )
    confidentiality: Annotated[str, Field(max_length=20)] = "restricted"


class AssessmentUpdate(AssessmentBody):
    note: Annotated[
        str, Field(min_length=1, max_length=REVISION_NOTE_MAX_CHARS, description="What changed")
    ]


def draft_of(body: AssessmentBody) -> AssessmentDraft:
    values = body.model_dump(exclude={"note"})
    group = values["targeted_group"]
    if group is not None and group.strip() and group.strip() not in TARGET_GROUPS:
        raise ValidationError(
            f"unknown targeted group {group!r}; choose from {', '.join(TARGET_GROUPS)}",
            field="targeted_group",
        )
    return draft_from_mapping(values)


@api_router.get("/assessments")
def assessments(
    session: DbSession, principal: CurrentPrincipal, country: CountryFilter = ""
) -> Record:
    """Dangerous-speech assessments, newest first (analysts)."""
    found = list_assessments(session, principal, country=country.strip() or None)
    return {"total": len(found), "assessments": [item.to_dict() for item in found]}


@api_router.post("/assessments", status_code=201)
def add_assessment(body: AssessmentBody, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Record an assessment (analysts); its first version starts its history."""
    require(principal, "create", RESOURCE)
    return create_assessment(session, principal, draft_of(body)).to_dict()


@api_router.get("/assessments/{assessment_id}")
def assessment(assessment_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One assessment (analysts); who spoke and exactly where for admins only."""
    require(principal, "read", RESOURCE)
    return get_assessment(session, principal, assessment_id).to_dict()


@api_router.put("/assessments/{assessment_id}")
def change_assessment(
    assessment_id: RecordId,
    body: AssessmentUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Record:
    """Replace an assessment's content as a new version, with a note saying what changed.
    A confidential field left empty keeps its stored value."""
    require(principal, "update", RESOURCE)
    return update_assessment(
        session, principal, assessment_id, draft_of(body), note=body.note
    ).to_dict()


@api_router.get("/assessments/{assessment_id}/history")
def history(assessment_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Every version of an assessment, oldest first, with the fields each changed."""
    require(principal, "read", RESOURCE)
    versions = assessment_history(session, principal, assessment_id)
    return {"versions": [version.to_dict() for version in versions]}
