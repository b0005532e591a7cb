"""Incident pages: the list with filters, map and timeline; a record with its sources, evidence
files, custody log and verification actions; the entry and edit forms; the review queue;
exports; and the public submission form.

What each reader sees is decided by the store's access policy; these pages only choose which
of the fields they were given to show, and never show the label of a field they were not given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.incidents.drafts import IncidentDraft, draft_from_mapping, draft_sources
from prevention_lens.incidents.evidence import (
    add_attachment,
    add_source,
    evidence_root,
    read_original,
)
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
    PUBLIC_SUBMISSION,
    Confidentiality,
    Principal,
    Role,
    allowed,
    read_records,
    require,
)
from prevention_lens.store.models import Country, RateLimitHit
from prevention_lens.store.models.base import utcnow
from prevention_lens.web.deps import CurrentPrincipal, DbSession, ExportFormat, RecordId
from prevention_lens.web.routers.incidents_api import Filters, export_response
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
SentFlag = Annotated[str, Query(max_length=1, description="1 after a successful submission")]

PAGE_SIZE = 50
# The map and timeline draw at most this many of the matching records (the newest).
MAP_LIMIT = 5000
REPORT_LIMIT = 5  # public submissions per client per window
REPORT_WINDOW = timedelta(hours=1)
REPORT_BUCKET = "report"
# What the public form offers: acts against people, in words a witness would choose.
REPORT_CATEGORIES = (
    "one_sided_violence",
    "sexual_violence",
    "abduction_disappearance",
    "arbitrary_detention",
    "torture_ill_treatment",
    "forced_displacement",
    "hate_crime",
    "dangerous_speech",
    "looting_destruction",
    "cultural_religious_destruction",
    "other",
)
REPORT_FIELDS = ("category", "date", "country", "region", "place", "narrative", "contact")
REPORT_MAX_CHARS = {"narrative": 20_000, "place": 2_000, "contact": 500, "region": 120}

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


def _country_choices(session: Session, principal: Principal) -> list[dict[str, Any]]:
    statement = select(Country).where(Country.end_date.is_(None)).order_by(Country.name)
    return read_records(session, principal, "country", statement)


def _point(row: Mapping[str, Any], iso: Mapping[str, int | None]) -> dict[str, Any]:
    """What the map needs of a record: its coordinates as the reader may see them."""
    latitude = row["latitude"] if "latitude" in row else row.get("public_latitude")
    longitude = row["longitude"] if "longitude" in row else row.get("public_longitude")
    return {
        "id": row["id"],
        "title": row["title"] or row["category_label"],
        "date": row["date_start"].isoformat(),
        "category": row["category_label"],
        "country": row["country_name"],
        "iso": iso.get(row["country_key"]),
        "lat": latitude,
        "lon": longitude,
    }


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
    mapped = list_incidents(session, principal, dataclasses.replace(filters, limit=MAP_LIMIT))
    if offset + PAGE_SIZE <= len(mapped.rows) or len(mapped.rows) == mapped.total:
        rows = mapped.rows[offset : offset + PAGE_SIZE]
    else:
        narrowed = dataclasses.replace(filters, limit=PAGE_SIZE, offset=offset)
        rows = list_incidents(session, principal, narrowed).rows
    countries = _country_choices(session, principal)
    iso = {country["key"]: country["iso_numeric"] for country in countries}
    points = [_point(row, iso) for row in mapped.rows]
    return render(
        request,
        "incidents.html",
        {
            "rows": rows,
            "total": mapped.total,
            "page": page,
            "pages": max(1, -(-mapped.total // PAGE_SIZE)),
            "mapped": len(points),
            "points_json": script_json({"points": points, "total": mapped.total}),
            "query": request.query_params,
            "export_query": _query(request, page=""),
            "previous_query": _query(request, page=page - 1) if page > 1 else None,
            "next_query": _query(request, page=page + 1)
            if offset + PAGE_SIZE < mapped.total
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
    incident: Mapping[str, Any] | None,
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
            "countries": _country_choices(session, principal),
            "categories": CATEGORIES.values(),
            "date_precisions": DATE_PRECISIONS,
            "location_precisions": LOCATION_PRECISIONS,
            "perpetrator_kinds": PERPETRATOR_KINDS,
            "dimensions": TARGET_DIMENSIONS,
            "levels": [level.label for level in Confidentiality],
        },
        status_code=status_code,
    )


async def _form_values(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
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
    values = await _form_values(request, (*fields, *source_fields))
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


def _edit_values(incident: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in (*ENTRY_FIELDS, *WRITE_ONLY_FIELDS):
        value = incident.get(name)
        values[name] = "" if value is None else str(value)
    values["country"] = incident["country_key"]
    values["target_groups"] = "; ".join(
        f"{group['dimension']}: {group['name']}" for group in incident.get("target_groups") or ()
    )
    values["confidentiality"] = Confidentiality(incident["confidentiality"]).label
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
    values = await _form_values(request, _form_fields(principal, editing=True))
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


def _actions(principal: Principal, incident: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow buttons this reader may press on this record."""
    following = TRANSITIONS[incident["status"]]
    # created_by is restricted: only analysts and the record's own author are given it.
    own = principal.username in (incident.get("created_by"), incident.get("updated_by"))
    author = principal.user_id is not None and incident.get("created_by") == principal.username
    reviewer = allowed(principal, "review", "incident")
    buttons = []
    if "in_review" in following and (allowed(principal, "update", "incident") or author):
        buttons.append("in_review")
    if reviewer and not own:
        buttons.extend(status for status in following if status in REVIEW_OUTCOMES)
    return {
        "buttons": [(status, ACTION_LABELS[status]) for status in buttons],
        "own_review_blocked": reviewer and own and incident["status"] == "in_review",
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
            "category": CATEGORIES[incident["category"]],
            "level": Confidentiality(incident["confidentiality"]).label,
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
    values = await _form_values(request, ("status", "note"))
    set_status(session, principal, incident_id, values.get("status", ""), values.get("note", ""))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id:int}/sources")
async def add_source_from_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, incident_id: RecordId
) -> Response:
    require(principal, "create", "incident_source")
    values = await _form_values(request, ("url", "publisher", "published_on", "confidential"))
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


# --- the public submission form ------------------------------------------------------------


def _client_key(request: Request) -> str:
    """A per-client key that stores no address: HMAC of the client's IP under the app's key."""
    host = request.client.host if request.client else "unknown"
    key = app_settings(request).signing_key()
    return hmac.new(key, f"{REPORT_BUCKET}|{host}".encode(), hashlib.sha256).hexdigest()


def _recent_reports(session: Session, client: str) -> int:
    since = utcnow() - REPORT_WINDOW
    statement = select(func.count()).where(
        RateLimitHit.bucket == REPORT_BUCKET,
        RateLimitHit.client == client,
        RateLimitHit.at >= since,
    )
    return int(session.scalar(statement) or 0)


def _report_draft(session: Session, values: Mapping[str, str]) -> IncidentDraft:
    """The narrow schema: a new, restricted record; the typed place stays confidential."""
    for name, most in REPORT_MAX_CHARS.items():
        if len(values.get(name, "")) > most:
            raise ValidationError(f"is longer than {most} characters", field=name)
    category = values.get("category", "")
    if category not in REPORT_CATEGORIES:
        raise ValidationError("choose what happened from the list", field="category")
    raw_date = values.get("date", "").strip()
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise ValidationError("give the date as YYYY-MM-DD", field="date") from None
    if day > date.today():
        raise ValidationError("the date is in the future", field="date")
    key = values.get("country", "").strip().upper()
    country = session.scalar(select(Country).where(Country.key == key)) if key else None
    if country is None:
        raise ValidationError("choose the country from the list", field="country")
    narrative = values.get("narrative", "").strip()
    if not narrative:
        raise ValidationError("say what happened", field="narrative")
    region = values.get("region", "").strip()
    return IncidentDraft(
        category=category,
        date_start=day,
        country=country.key,
        title=f"{CATEGORIES[category].label} reported in {country.name}",
        narrative=narrative,
        admin1=region or None,
        location_precision="admin1" if region else "country",
        exact_place=values.get("place", "").strip(),
        witness_contact=values.get("contact", "").strip(),
        confidentiality=Confidentiality.RESTRICTED,
    )


def _report_form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: Mapping[str, str] | None = None,
    error: str | None = None,
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "report.html",
        {
            "values": values or {},
            "error": error,
            "sent": sent,
            "categories": [CATEGORIES[code] for code in REPORT_CATEGORIES],
            "countries": _country_choices(session, principal),
            "today": date.today().isoformat(),
            "limit": REPORT_LIMIT,
        },
        status_code=status_code,
    )


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, sent: SentFlag = ""
) -> Response:
    return _report_form(request, session, principal, sent=sent == "1")


@router.post("/report")
async def submit_report(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Only ever creates: the form has no id, status or level, and other fields are ignored."""
    values = await _form_values(request, REPORT_FIELDS)
    client = _client_key(request)
    if _recent_reports(session, client) >= REPORT_LIMIT:
        message = (
            f"This connection has sent {REPORT_LIMIT} reports in the last hour, the most we "
            "accept. Please wait an hour and send it again; nothing you typed was stored."
        )
        return _report_form(
            request, session, principal, values=values, error=message, status_code=429
        )
    try:
        draft = _report_draft(session, values)
    except ValidationError as error:
        return _report_form(
            request, session, principal, values=values, error=str(error), status_code=422
        )
    author = principal if principal.role >= Role.CONTRIBUTOR else PUBLIC_SUBMISSION
    create_incident(session, author, draft, dataset="submission")
    session.execute(delete(RateLimitHit).where(RateLimitHit.at < utcnow() - REPORT_WINDOW))
    session.add(RateLimitHit(bucket=REPORT_BUCKET, client=client))
    return RedirectResponse("/report?sent=1", status_code=303)
