"""Incident pages: the list with filters, map and timeline; a record with its sources, evidence
files, custody log and verification actions; the entry and edit forms; the review queue;
and exports. The public submission form and the inbox of new reports are in
incident_reports.py.

What each reader sees is decided by the store's access policy; these pages only choose which
of the fields they were given to show, and never show the label of a field they were not given.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.incidents.aggregates import aggregate_incidents
from prevention_lens.incidents.drafts import draft_from_mapping, draft_sources
from prevention_lens.incidents.evidence import (
    add_attachment,
    add_source,
    evidence_root,
    read_original,
)
from prevention_lens.incidents.record_types import IncidentRecord
from prevention_lens.incidents.records import (
    REVIEW_OUTCOMES,
    TRANSITIONS,
    create_incident,
    get_incident,
    list_incidents,
    review_queue,
    revisions_of,
    set_status,
    update_incident,
)
from prevention_lens.incidents.taxonomy import (
    CATEGORIES,
    DATE_PRECISIONS,
    LOCATION_PRECISIONS,
    PERPETRATOR_KINDS,
    TARGET_DIMENSIONS,
)
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    Role,
    allowed,
    read_records,
    require,
)
from prevention_lens.store.models import Country
from prevention_lens.web.deps import CurrentPrincipal, DbSession, ExportFormat, RecordId
from prevention_lens.web.routers.incidents_api import Filters, export_response
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
# Kept for the actors' intake form, which shares it (a "1" after a successful submission).
SentFlag = Annotated[str, Query(max_length=1, description="1 after a successful submission")]

PAGE_SIZE = 50
# The map's first view: cells of this many degrees; the map asks for finer ones as it zooms.
MAP_CELL_DEGREES = 1.0
AGGREGATE_API = "/api/v1/incidents/aggregate"

STATUS_LABELS = {
    "unverified": "Unverified",
    "in_review": "In review",
    "verified": "Verified",
    "disputed": "Disputed",
    "rejected": "Rejected",
}
ACTION_LABELS = {
    "in_review": "Send to review",
    "verified": "Verify",
    "disputed": "Dispute",
    "rejected": "Reject",
}
ENTRY_FIELDS = (
    "category",
    "title",
    "narrative",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "location_precision",
    "perpetrator_kind",
    "perpetrator_name",
    "target_groups",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
)
# Written by anyone who may write the record; read back by administrators only.
WRITE_ONLY_FIELDS = ("exact_place", "witness_identity", "witness_contact", "source_identity")


def script_json(value: object) -> str:
    """JSON safe inside <script type="application/json">: no "</script>" can close it early."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def country_choices(session: Session, principal: Principal) -> list[dict[str, Any]]:
    statement = select(Country).where(Country.end_date.is_(None)).order_by(Country.name)
    return read_records(session, principal, "country", statement)


def _query(request: Request, **changes: object) -> str:
    values = {key: value for key, value in request.query_params.items() if value}
    values.update({key: str(value) for key, value in changes.items()})
    return urlencode({key: value for key, value in values.items() if value})


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    offset = (page - 1) * PAGE_SIZE
    listed = list_incidents(
        session, principal, dataclasses.replace(filters, limit=PAGE_SIZE, offset=offset)
    )
    # The map and timeline count every matching record, however many (not only this page).
    counted = aggregate_incidents(session, principal, filters, cell_degrees=MAP_CELL_DEGREES)
    countries = country_choices(session, principal)
    return render(
        request,
        "incidents.html",
        {
            "rows": listed.rows,
            "total": listed.total,
            "page": page,
            "pages": max(1, -(-listed.total // PAGE_SIZE)),
            "counts_json": script_json(
                {**counted.to_dict(), "query": _query(request, page=""), "api": AGGREGATE_API}
            ),
            "query": request.query_params,
            "export_query": _query(request, page=""),
            "previous_query": _query(request, page=page - 1) if page > 1 else None,
            "next_query": _query(request, page=page + 1)
            if offset + PAGE_SIZE < listed.total
            else None,
            "countries": countries,
            "categories": CATEGORIES.values(),
            "statuses": STATUS_LABELS,
            "can_create": allowed(principal, "create", "incident"),
            "can_review": allowed(principal, "review", "incident"),
        },
    )


@router.get("/incidents/export.{fmt}")
def export_page(
    fmt: ExportFormat, session: DbSession, principal: CurrentPrincipal, filters: Filters
) -> Response:
    return export_response(session, principal, fmt, filters)


@router.get("/incidents/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    rows = review_queue(session, principal)
    for row in rows:
        row["own"] = principal.username in (row.get("created_by"), row.get("updated_by"))
    return render(request, "incidents_review.html", {"rows": rows, "statuses": STATUS_LABELS})


# --- the entry and edit forms --------------------------------------------------------------


def _form_fields(principal: Principal, *, editing: bool) -> tuple[str, ...]:
    fields: tuple[str, ...] = ENTRY_FIELDS
    if principal.role >= Role.ANALYST:
        fields = (*fields, "confidentiality")
    # A new record may carry write-only details; an edit form shows them only to those who may
    # read them, since a blank field the editor cannot see would erase what is stored.
    if not editing or principal.clearance >= Confidentiality.CONFIDENTIAL:
        fields = (*fields, *WRITE_ONLY_FIELDS)
    return fields


def _form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: Mapping[str, str],
    incident: IncidentRecord | None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    fields = _form_fields(principal, editing=incident is not None)
    return render(
        request,
        "incidents_form.html",
        {
            "incident": incident,
            "values": values,
            "fields": fields,
            "error": error,
            "countries": country_choices(session, principal),
            "categories": CATEGORIES.values(),
            "date_precisions": DATE_PRECISIONS,
            "location_precisions": LOCATION_PRECISIONS,
            "perpetrator_kinds": PERPETRATOR_KINDS,
            "dimensions": TARGET_DIMENSIONS,
            "levels": [level.label for level in Confidentiality],
        },
        status_code=status_code,
    )


async def form_values(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """The named fields the form sent (others are ignored; absent ones stay absent)."""
    form = await request.form()
    values = {}
    for name in fields:
        value = form.get(name)
        if isinstance(value, str):
            values[name] = value
    return values


@router.get("/incidents/new", response_class=HTMLResponse)
def new_form(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "create", "incident")
    defaults = {
        "date_precision": "day",
        "location_precision": "country",
        "confidentiality": "restricted",
    }
    return _form(request, session, principal, values=defaults, incident=None)


@router.post("/incidents/new")
async def create_from_form(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    require(principal, "create", "incident")
    fields = _form_fields(principal, editing=False)
    source_fields = ("source_url", "source_publisher", "source_published_on", "source_confidential")
    values = await form_values(request, (*fields, *source_fields))
    try:
        draft = draft_from_mapping({name: values.get(name, "") for name in fields})
        if values.get("source_url", "").strip() or values.get("source_publisher", "").strip():
            sources = draft_sources(
                [
                    {
                        "url": values.get("source_url"),
                        "publisher": values.get("source_publisher"),
                        "published_on": values.get("source_published_on"),
                        "confidential": values.get("source_confidential") == "yes",
                    }
                ]
            )
            draft = dataclasses.replace(draft, sources=sources)
        incident = create_incident(session, principal, draft)
    except (ValidationError, NotFoundError) as error:
        session.rollback()
        return _form(
            request,
            session,
            principal,
            values=values,
            incident=None,
            error=str(error),
            status_code=422,
        )
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


def _edit_values(incident: IncidentRecord) -> dict[str, str]:
    # Flat, as the form names them; fields withheld from the editor are absent, so blank.
    shown = incident.to_dict()
    values: dict[str, str] = {}
    for name in (*ENTRY_FIELDS, *WRITE_ONLY_FIELDS):
        value = shown.get(name)
        values[name] = "" if value is None else str(value)
    values["country"] = incident.country_key
    values["target_groups"] = "; ".join(
        f"{group.dimension}: {group.name}" for group in incident.target_groups
    )
    values["confidentiality"] = Confidentiality(incident.confidentiality).label
    return values


@router.get("/incidents/{incident_id:int}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    require(principal, "update", "incident")
    incident = get_incident(session, principal, incident_id)
    return _form(request, session, principal, values=_edit_values(incident), incident=incident)


@router.post("/incidents/{incident_id:int}/edit")
async def edit(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    require(principal, "update", "incident")
    incident = get_incident(session, principal, incident_id)
    values = await form_values(request, _form_fields(principal, editing=True))
    try:
        update_incident(session, principal, incident_id, values)
    except (ValidationError, NotFoundError) as error:
        session.rollback()
        return _form(
            request,
            session,
            principal,
            values=values,
            incident=incident,
            error=str(error),
            status_code=422,
        )
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


# --- one record -----------------------------------------------------------------------------


def _actions(principal: Principal, incident: IncidentRecord) -> dict[str, Any]:
    """The workflow buttons this reader may press on this record."""
    following = TRANSITIONS[incident.status]
    # created_by is restricted: only analysts and the record's own author are given it.
    staff = incident.staff
    own = staff is not None and principal.username in (staff.created_by, staff.updated_by)
    author = (
        principal.user_id is not None
        and staff is not None
        and staff.created_by == principal.username
    )
    reviewer = allowed(principal, "review", "incident")
    buttons = []
    if "in_review" in following and (allowed(principal, "update", "incident") or author):
        buttons.append("in_review")
    if reviewer and not own:
        buttons.extend(status for status in following if status in REVIEW_OUTCOMES)
    return {
        "buttons": [(status, ACTION_LABELS[status]) for status in buttons],
        "own_review_blocked": reviewer and own and incident.status == "in_review",
    }


@router.get("/incidents/{incident_id:int}", response_class=HTMLResponse)
def record_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    incident = get_incident(session, principal, incident_id)
    revisions = (
        revisions_of(session, principal, incident_id)
        if allowed(principal, "read", "incident_revision")
        else []
    )
    return render(
        request,
        "incidents_record.html",
        {
            "incident": incident,
            "category": CATEGORIES[incident.category],
            "level": Confidentiality(incident.confidentiality).label,
            "statuses": STATUS_LABELS,
            "actions": _actions(principal, incident),
            "revisions": revisions,
            "can_edit": allowed(principal, "update", "incident"),
            "can_add_source": allowed(principal, "create", "incident_source"),
            "can_attach": allowed(principal, "create", "incident_attachment"),
            "levels": [level.label for level in Confidentiality],
        },
    )


@router.post("/incidents/{incident_id:int}/status")
async def change_status(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    values = await form_values(request, ("status", "note"))
    set_status(session, principal, incident_id, values.get("status", ""), values.get("note", ""))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id:int}/sources")
async def add_source_from_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    require(principal, "create", "incident_source")
    values = await form_values(request, ("url", "publisher", "published_on", "confidential"))
    (source,) = draft_sources([{**values, "confidential": values.get("confidential") == "yes"}])
    add_source(session, principal, evidence_root(app_settings(request).home), incident_id, source)
    return RedirectResponse(f"/incidents/{incident_id}#sources", status_code=303)


@router.post("/incidents/{incident_id:int}/attachments")
async def attach_from_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    # The form is closed here, refusal or not: its uploaded file is a temporary file.
    async with request.form() as form:
        require(principal, "create", "incident_attachment")
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationError("choose a file to attach", field="file")
        level = str(form.get("confidentiality") or "restricted")
        if level not in ("public", "restricted", "confidential"):
            raise ValidationError(
                "must be public, restricted or confidential", field="confidentiality"
            )
        add_attachment(
            session,
            principal,
            evidence_root(app_settings(request).home),
            incident_id,
            upload.filename,
            upload.file,  # streamed into the evidence store in chunks, never read whole
            media_type=upload.content_type,
            description=str(form.get("description") or ""),
            confidentiality=Confidentiality[level.upper()],
        )
    return RedirectResponse(f"/incidents/{incident_id}#attachments", status_code=303)


@router.get("/incidents/{incident_id:int}/attachments/{attachment_id:int}")
def download_original(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    incident_id: RecordId,
    attachment_id: RecordId,
) -> Response:
    root = evidence_root(app_settings(request).home)
    shown, content = read_original(session, principal, root, attachment_id)
    if shown["incident_id"] != incident_id:
        raise NotFoundError(f"No attachment {attachment_id}.")
    # Always a download, never rendered by the browser: an uploaded page must not run here.
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{shown["filename"]}"',
            "X-Content-SHA256": shown["sha256"],
        },
    )
