"""The hate-speech lexicon's pages and API: published terms with filters (drafts for analysts),
one term with its senses, examples, why it inflames, alternatives and licence, the form
contributors propose terms with (and staff edit them with), and the queue admins publish or
reject them from.

Published terms are public (like Hatebase's); drafts, who proposed and who reviewed them reach
analysts and admins only, as ``speech.lexicon`` reads them through the ``speech_term`` policy.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.speech.exports import EXPORT_FORMATS, export_terms
from prevention_lens.speech.lexicon import (
    add_terms,
    get_term,
    list_terms,
    may_edit,
    review_term,
    update_term,
)
from prevention_lens.speech.sightings import term_sightings
from prevention_lens.speech.terms import (
    COUNTS,
    LIMITS,
    SEVERITIES,
    STATUSES,
    TARGETED_GROUPS,
    TermDraft,
    TermRecord,
)
from prevention_lens.store.access import Principal, allowed, read_records, require
from prevention_lens.store.models import Country
from prevention_lens.web.deps import (
    MAX_ID,
    SEARCH_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    RecordId,
    SearchText,
    code_query,
)
from prevention_lens.web.routers.speech_api import EXAMPLE_LABEL, abilities
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api_router = APIRouter(
    prefix="/api/v1/speech", tags=["speech"], dependencies=[Depends(verify_csrf)]
)

Record = dict[str, Any]
Language = Annotated[str, code_query("A language code (my, sw, en, …)")]
Status = Annotated[str, code_query("draft, published or rejected (drafts: analysts)")]
CountryFilter = Annotated[str, code_query("Country key, name or code")]
# Sense rows the proposal form offers: the first hateful, the others neutral by default.
SENSE_ROWS = 3
SENSE_FIELDS = ("meaning", "phrases", "cues", "examples")


def vocabulary() -> dict[str, Any]:
    return {
        "severities": SEVERITIES,
        "statuses": STATUSES,
        "targeted_groups": TARGETED_GROUPS,
        "limits": LIMITS,
        "example_label": EXAMPLE_LABEL,
    }


def find_terms(
    session: Session, principal: Principal, language: str, status: str, country: str, q: str
) -> list[Any]:
    return list_terms(
        session,
        principal,
        language=language.strip() or None,
        status=status.strip() or None,
        country=country.strip() or None,
        query=q.strip() or None,
    )


def country_names(session: Session, principal: Principal) -> dict[str, str]:
    rows = read_records(
        session,
        principal,
        "country",
        select(Country).where(Country.end_date.is_(None)).order_by(Country.name),
    )
    return {row["key"]: row["name"] for row in rows}


# --- the list --------------------------------------------------------------------------------


@router.get("/speech/terms", response_class=HTMLResponse)
def terms_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    language: Language = "",
    status: Status = "",
    country: CountryFilter = "",
    q: SearchText = "",
) -> Response:
    error = None
    found: list[Any] = []
    try:
        found = find_terms(session, principal, language, status, country, q)
    except ValidationError as problem:
        error = str(problem)
    names = country_names(session, principal)
    every = list_terms(session, principal)
    # The filter offers the countries the terms name (and keeps the one asked for).
    named = {key for term in every for key in term.countries}
    offered = {key: names.get(key, key) for key in named}
    if country.strip() and country.strip() not in offered:
        offered[country.strip()] = names.get(country.strip(), country.strip())
    return render(
        request,
        "speech_terms.html",
        {
            **vocabulary(),
            **abilities(principal),
            "terms": found,
            "languages": sorted({term.language for term in every}),
            "countries": names,
            "country_options": dict(sorted(offered.items(), key=lambda item: item[1])),
            "language": language.strip(),
            "status": status.strip(),
            "country": country.strip(),
            "q": q,
            "error": error,
            "export_formats": EXPORT_FORMATS,
        },
        status_code=422 if error else 200,
    )


# --- proposing (before /speech/terms/{term_id}) ------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]


def form_values(form: FormData) -> dict[str, Any]:
    """The proposal form's fields as typed (for showing again); anything else is ignored."""
    values: dict[str, Any] = {
        name: _text(form, name)
        for name in (
            "term",
            "language",
            "script_variants",
            "countries",
            "severity",
            "why_inflames",
            "alternatives",
            "first_seen",
            "last_seen",
            "source_url",
            "notes",
        )
    }
    values["targeted_groups"] = [
        value for value in form.getlist("targeted_groups") if isinstance(value, str)
    ]
    rows = _text(form, "sense_rows")
    count = min(int(rows), COUNTS["senses"]) if rows.isdigit() else SENSE_ROWS
    values["senses"] = [
        {
            "kind": _text(form, f"sense_{row}_kind"),
            **{name: _text(form, f"sense_{row}_{name}") for name in SENSE_FIELDS},
        }
        for row in range(1, max(count, 1) + 1)
    ]
    values["note"] = _text(form, "note")
    return values


def record_values(record: TermRecord) -> dict[str, Any]:
    """A stored term as the form shows it, with one blank sense row to add a sense in."""
    values: dict[str, Any] = {
        "term": record.term,
        "language": record.language,
        "severity": str(record.severity),
        "why_inflames": record.why_inflames,
        "first_seen": record.first_seen.isoformat() if record.first_seen else "",
        "last_seen": record.last_seen.isoformat() if record.last_seen else "",
        "source_url": record.source_url,
        "notes": record.notes,
        "targeted_groups": list(record.targeted_groups),
        **{
            name: "\n".join(getattr(record, name))
            for name in ("script_variants", "countries", "alternatives")
        },
    }
    senses = [
        {
            "kind": sense.kind,
            "meaning": sense.meaning,
            "phrases": "\n".join(sense.phrases),
            "cues": "\n".join(sense.cues),
            "examples": "\n".join(sense.examples),
        }
        for sense in record.senses
    ]
    if len(senses) < COUNTS["senses"]:
        senses.append({"kind": "neutral", **dict.fromkeys(SENSE_FIELDS, "")})
    values["senses"] = senses
    return values


def draft_from_values(values: dict[str, Any]) -> TermDraft:
    """The draft the form describes; a problem names the field. Sense rows left blank are
    skipped; lists are one item a line (or separated by ";")."""
    senses = [
        {
            "kind": sense["kind"],
            "meaning": sense["meaning"].strip(),
            "phrases": _lines(sense["phrases"]),
            "cues": _lines(sense["cues"]),
            "examples": [line for line in sense["examples"].splitlines() if line.strip()],
        }
        for sense in values["senses"]
        if any(sense[name].strip() for name in SENSE_FIELDS)
    ]
    severity = values["severity"].strip() or "2"
    if not severity.isdigit():
        raise ValidationError(f"{severity!r} is not a severity; choose 1, 2 or 3", field="severity")
    return TermDraft.from_mapping(
        {
            "term": values["term"],
            "language": values["language"],
            "senses": senses,
            "script_variants": _lines(values["script_variants"]),
            "countries": _lines(values["countries"]),
            "targeted_groups": values["targeted_groups"],
            "severity": int(severity),
            "why_inflames": values["why_inflames"],
            "alternatives": _lines(values["alternatives"]),
            "first_seen": values["first_seen"].strip() or None,
            "last_seen": values["last_seen"].strip() or None,
            "source_url": values["source_url"].strip(),
            "notes": values["notes"],
        }
    )


EMPTY_FORM: dict[str, Any] = {
    "severity": "2",
    "targeted_groups": [],
    "senses": [
        {"kind": "hateful" if row == 1 else "neutral", **dict.fromkeys(SENSE_FIELDS, "")}
        for row in range(1, SENSE_ROWS + 1)
    ],
}


def _form_page(
    request: Request,
    principal: Principal,
    values: dict[str, Any],
    *,
    editing: TermRecord | None = None,
    error: ValidationError | None = None,
    status_code: int = 200,
) -> Response:
    # "senses[2].phrases" marks the second sense row; other fields are named as in the form.
    field = (error.field or "") if error else ""
    if field.startswith("senses["):
        field = "senses"
    return render(
        request,
        "speech_term_form.html",
        {
            **vocabulary(),
            **abilities(principal),
            "values": values,
            "editing": editing,
            "errors": {field: error.problem} if error else {},
            "error": str(error) if error else None,
        },
        status_code=status_code,
    )


@router.get("/speech/terms/new", response_class=HTMLResponse)
def new_term_form(request: Request, principal: CurrentPrincipal) -> Response:
    require(principal, "propose", "speech_term")
    return _form_page(request, principal, EMPTY_FORM)


@router.post("/speech/terms/new")
async def propose(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Stores a draft; an admin publishes it after review."""
    require(principal, "propose", "speech_term")
    values = form_values(await request.form())
    try:
        (stored,) = add_terms(session, principal, [draft_from_values(values)], origin="manual")
    except ValidationError as error:
        session.rollback()
        return _form_page(request, principal, values, error=error, status_code=422)
    if allowed(principal, "read_drafts", "speech_term"):
        return RedirectResponse(f"/speech/terms/{stored.id}", status_code=303)
    # A contributor cannot read drafts back: the list says the proposal is waiting.
    return RedirectResponse("/speech/terms?proposed=1", status_code=303)


# --- review by admins --------------------------------------------------------------------------


@router.get("/speech/terms/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "review", "speech_term")
    return render(
        request,
        "speech_terms_review.html",
        {
            **vocabulary(),
            **abilities(principal),
            "terms": list_terms(session, principal, status="draft"),
            "countries": country_names(session, principal),
        },
    )


@router.post("/speech/terms/{term_id}/review")
async def review(
    request: Request, session: DbSession, principal: CurrentPrincipal, term_id: RecordId
) -> Response:
    # Checked before the term is looked up, so nobody below admin learns whether it exists.
    require(principal, "review", "speech_term")
    form = await request.form()
    review_term(session, principal, term_id, _text(form, "decision"), _text(form, "note"))
    target = _text(form, "next")
    return RedirectResponse(
        target if target == "/speech/terms/review" else f"/speech/terms/{term_id}",
        status_code=303,
    )


# --- editing -----------------------------------------------------------------------------------


def _editable(session: Session, principal: Principal, term_id: int) -> TermRecord:
    # Checked before the term is looked up, so nobody below analyst learns whether it exists.
    require(principal, "edit", "speech_term")
    term = get_term(session, principal, term_id)
    if not may_edit(principal, term.status):
        require(principal, "review", "speech_term")
    return term


@router.get("/speech/terms/{term_id}/edit", response_class=HTMLResponse)
def edit_term_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, term_id: RecordId
) -> Response:
    term = _editable(session, principal, term_id)
    return _form_page(request, principal, record_values(term), editing=term)


@router.post("/speech/terms/{term_id}/edit")
async def edit_term(
    request: Request, session: DbSession, principal: CurrentPrincipal, term_id: RecordId
) -> Response:
    """Replaces the term's content; its status stays (a published term is matched anew)."""
    term = _editable(session, principal, term_id)
    values = form_values(await request.form())
    try:
        draft = draft_from_values(values)
        update_term(session, principal, term_id, draft, note=values["note"])
    except ValidationError as error:
        session.rollback()
        return _form_page(request, principal, values, editing=term, error=error, status_code=422)
    return RedirectResponse(f"/speech/terms/{term_id}?edited=1", status_code=303)


# --- one term ----------------------------------------------------------------------------------


@router.get("/speech/terms/{term_id}", response_class=HTMLResponse)
def term_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    term_id: Annotated[str, Path(max_length=SEARCH_MAX_CHARS)],
    edited: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """One term by its number; any other text in its place (/speech/terms/kalar) is taken
    as words to look for, and the lexicon's search for them is shown."""
    if not term_id.isascii() or not term_id.isdigit():
        return RedirectResponse(f"/speech/terms?{urlencode({'q': term_id})}", status_code=303)
    if not 1 <= int(term_id) <= MAX_ID:
        raise NotFoundError(f"No speech term {term_id}.")
    term = get_term(session, principal, int(term_id))
    return render(
        request,
        "speech_term.html",
        {
            **vocabulary(),
            **abilities(principal),
            "term": term,
            "sightings": term_sightings(session, principal, term.id),
            "can_edit": may_edit(principal, term.status),
            "edited": edited == "1",
            "countries": country_names(session, principal),
        },
    )


# --- the API -----------------------------------------------------------------------------------


@api_router.get("/terms")
def terms(
    session: DbSession,
    principal: CurrentPrincipal,
    language: Language = "",
    status: Status = "",
    country: CountryFilter = "",
    q: SearchText = "",
) -> Record:
    """Lexicon terms with their senses, why each inflames and what to say instead; the public
    sees published terms, analysts drafts too. A term's licence travels with it."""
    found = find_terms(session, principal, language, status, country, q)
    return {"total": len(found), "terms": [term.to_dict() for term in found]}


@api_router.get("/terms/export")
def terms_export(
    session: DbSession,
    principal: CurrentPrincipal,
    format: Annotated[str, Query(max_length=20, description="csv or json")] = "csv",
    language: Language = "",
    status: Status = "",
) -> Response:
    """The terms as the re-importable CSV layout or JSON, each with its licence."""
    fmt = format.strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown format {format!r}; choose {' or '.join(EXPORT_FORMATS)}", field="format"
        )
    found = find_terms(session, principal, language, status, "", "")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(
        export_terms(found, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="speech-terms.{fmt}"'},
    )


@api_router.get("/terms/{term_id}")
def term(term_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One term; a draft reads as not found below analysts."""
    return get_term(session, principal, term_id).to_dict()


@api_router.get("/terms/{term_id}/sightings")
def sightings(term_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Where monitoring has seen the term: per country, the stored posts that used it, used it
    in a neutral sense or only mentioned it, and the weeks; counts only (the example feed's
    rows say ``example``)."""
    found = term_sightings(session, principal, term_id)
    return {"term_id": term_id, "sightings": [sighting.to_dict() for sighting in found]}


_Short = Annotated[str, Field(max_length=LIMITS["term"])]


class SenseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["hateful", "neutral"]
    meaning: Annotated[str, Field(max_length=LIMITS["meaning"])] = ""
    phrases: Annotated[list[_Short], Field(max_length=50)] = Field(default_factory=list)
    cues: Annotated[list[_Short], Field(max_length=30)] = Field(default_factory=list)
    examples: Annotated[
        list[Annotated[str, Field(max_length=LIMITS["example"])]], Field(max_length=20)
    ] = Field(default_factory=list)


class TermBody(BaseModel):
    """A term proposed for the lexicon; it waits as a draft for an admin's review."""

    model_config = ConfigDict(extra="forbid")

    term: _Short
    language: Annotated[str, Field(max_length=40)]
    senses: Annotated[list[SenseBody], Field(min_length=1, max_length=12)]
    script_variants: Annotated[list[_Short], Field(max_length=30)] = Field(default_factory=list)
    countries: Annotated[list[_Short], Field(max_length=60)] = Field(default_factory=list)
    targeted_groups: Annotated[list[_Short], Field(max_length=10)] = Field(default_factory=list)
    severity: Annotated[int, Field(ge=1, le=3)] = 2
    why_inflames: Annotated[str, Field(max_length=LIMITS["why_inflames"])] = ""
    alternatives: Annotated[list[_Short], Field(max_length=20)] = Field(default_factory=list)
    first_seen: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    last_seen: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    source_url: Annotated[str, Field(max_length=LIMITS["source_url"])] = ""
    notes: Annotated[str, Field(max_length=LIMITS["notes"])] = ""


class TermEdit(TermBody):
    """A term's whole new content; its status stays. ``note`` goes to the audit log."""

    note: Annotated[str, Field(max_length=LIMITS["notes"])] = ""


class TermReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["publish", "reject"]
    note: Annotated[str, Field(max_length=LIMITS["notes"])] = ""


@api_router.post("/terms", status_code=201)
def propose_term(body: TermBody, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Propose a term (contributors and above); an admin publishes or rejects it."""
    require(principal, "propose", "speech_term")
    draft = TermDraft.from_mapping(body.model_dump())
    (stored,) = add_terms(session, principal, [draft], origin="manual")
    return stored.to_dict()


@api_router.put("/terms/{term_id}")
def edit_term_api(
    term_id: RecordId, body: TermEdit, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Replace a term's content, keeping its status (analysts: drafts; admins: any term). A
    published term's new content is matched at once; a shipped term becomes "edited"."""
    require(principal, "edit", "speech_term")
    values = body.model_dump(exclude={"note"})
    draft = TermDraft.from_mapping(values)
    return update_term(session, principal, term_id, draft, note=body.note).to_dict()


@api_router.post("/terms/{term_id}/review")
def review_api(
    term_id: RecordId, body: TermReview, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Publish or reject a term (admins); rejecting a published term withdraws it."""
    # Checked before the term is looked up, so nobody below admin learns whether it exists.
    require(principal, "review", "speech_term")
    return review_term(session, principal, term_id, body.decision, body.note).to_dict()
