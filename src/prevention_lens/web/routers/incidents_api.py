"""The incident part of the JSON API: records, their workflow, sources, evidence files,
exports, escalation signals and the custody check. Every read goes through the access policy,
so the API shows exactly what the pages show to the same reader.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from prevention_lens.errors import ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import draft_from_mapping, draft_sources
from prevention_lens.incidents.evidence import add_attachment, add_source, evidence_root
from prevention_lens.incidents.exports import EXPORT_FORMATS, export_incidents
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.incidents.records import (
    IncidentFilter,
    create_incident,
    get_incident,
    list_incidents,
    review_queue,
    set_status,
    update_incident,
)
from prevention_lens.incidents.taxonomy import CATEGORIES, STATUSES
from prevention_lens.store.access import Confidentiality, require
from prevention_lens.store.reference import stored_reference
from prevention_lens.web.deps import CurrentPrincipal, DbSession
from prevention_lens.web.security import app_settings, verify_csrf

router = APIRouter(prefix="/api/v1", tags=["incidents"], dependencies=[Depends(verify_csrf)])

Record = dict[str, Any]
Level = Literal["public", "restricted", "confidential"]
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def _optional_date(raw: str, name: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=name) from None


def incident_filters(
    session: DbSession,
    country: Annotated[str, Query(description="Country key, name or code")] = "",
    category: Annotated[str, Query(description="Category code")] = "",
    status: Annotated[str, Query(description="Verification status")] = "",
    dataset: Annotated[str, Query(description="manual, submission, ucdp-ged, acled, ...")] = "",
    date_from: Annotated[str, Query(description="First day, YYYY-MM-DD")] = "",
    date_to: Annotated[str, Query(description="Last day, YYYY-MM-DD")] = "",
    text: Annotated[str, Query(description="Words in the title, narrative or place")] = "",
    identity_targeted: Annotated[str, Query(description="yes or no")] = "",
) -> IncidentFilter:
    """The filters every incident list, page and export shares; blanks mean "any"."""
    if category and category not in CATEGORIES:
        raise ValidationError(f"unknown category {category!r}", field="category")
    if status and status not in STATUSES:
        raise ValidationError(
            f"unknown status {status!r}; choose {', '.join(STATUSES)}", field="status"
        )
    targeted = identity_targeted.strip().lower()
    if targeted and targeted not in (*_YES, *_NO):
        raise ValidationError("must be yes or no", field="identity_targeted")
    key = stored_reference(session).resolve(country.strip()).key if country.strip() else None
    return IncidentFilter(
        country=key,
        category=category or None,
        status=status or None,
        dataset=dataset.strip() or None,
        date_from=_optional_date(date_from, "date_from"),
        date_to=_optional_date(date_to, "date_to"),
        text=text.strip() or None,
        identity_targeted=None if not targeted else targeted in _YES,
    )


Filters = Annotated[IncidentFilter, Depends(incident_filters)]


def export_response(
    session: DbSession, principal: CurrentPrincipal, fmt: str, filters: Filters
) -> Response:
    """An export as a download; its records and fields are the reader's, as everywhere."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}", field="format"
        )
    export = export_incidents(session, principal, fmt, filters)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Record-Count": str(export.count),
        },
    )


class TargetGroup(BaseModel):
    dimension: str = Field(description="ethnicity, religion, nationality, ...")
    name: str


class NewSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = ""
    publisher: str = ""
    published_on: date | None = None
    confidential: bool = Field(default=False, description="Only administrators may read it")


class NewIncident(BaseModel):
    """A new record; it starts unverified. Contributors' records are restricted whatever
    ``confidentiality`` says; write-only fields are read back by administrators only."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="A category code (GET /api/v1/incidents/categories)")
    date_start: date
    country: str = Field(description="Country name or code")
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
    target_groups: list[TargetGroup] = Field(default_factory=list)
    fatalities_best: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    witness_identity: str = ""
    witness_contact: str = ""
    source_identity: str = ""
    confidentiality: Level = "restricted"
    sources: list[NewSource] = Field(default_factory=list)


class IncidentChange(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = None
    date_start: date | None = None
    country: str | None = None
    title: str | None = None
    narrative: str | None = None
    date_end: date | None = None
    date_precision: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    place_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: str | None = None
    exact_place: str | None = None
    perpetrator_kind: str | None = None
    perpetrator_name: str | None = None
    target_groups: list[TargetGroup] | None = None
    fatalities_best: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    witness_identity: str | None = None
    witness_contact: str | None = None
    source_identity: str | None = None
    confidentiality: Level | None = None


class StatusChange(BaseModel):
    status: str = Field(description="in_review, verified, disputed or rejected")
    note: str = ""


@router.get("/incidents")
def list_records(
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Record:
    """Incident records the caller may see, newest first, with the fields they may see."""
    page = list_incidents(
        session,
        principal,
        dataclasses.replace(filters, limit=limit, offset=offset),
    )
    return {"total": page.total, "limit": limit, "offset": offset, "incidents": page.rows}


@router.get("/incidents/categories")
def categories() -> list[Record]:
    """The incident taxonomy."""
    return [
        {
            "code": item.code,
            "label": item.label,
            "group": item.group,
            "description": item.description,
            "against_civilians": item.against_civilians,
        }
        for item in CATEGORIES.values()
    ]


@router.get("/incidents/review-queue")
def queue(session: DbSession, principal: CurrentPrincipal) -> list[Record]:
    """Records waiting for a reviewer, oldest first (analysts and admins)."""
    return review_queue(session, principal)


@router.get("/incidents/export.{fmt}")
def export(fmt: str, session: DbSession, principal: CurrentPrincipal, filters: Filters) -> Response:
    """The matching records as CSV, GeoJSON or JSON, with the fields the caller may see."""
    return export_response(session, principal, fmt, filters)


@router.get("/incidents/{incident_id}")
def get_record(incident_id: int, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One record with its sources, evidence files and (for analysts) its custody log."""
    return get_incident(session, principal, incident_id)


@router.post("/incidents", status_code=201)
def create_record(body: NewIncident, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Add a record (contributors and above); it starts unverified."""
    values = body.model_dump(exclude={"sources"})
    values["target_groups"] = [(g.dimension, g.name) for g in body.target_groups]
    draft = draft_from_mapping(values)
    sources = draft_sources([source.model_dump() for source in body.sources])
    incident = create_incident(session, principal, dataclasses.replace(draft, sources=sources))
    return get_incident(session, principal, incident.id)


@router.patch("/incidents/{incident_id}")
def update_record(
    incident_id: int, body: IncidentChange, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Change a record (analysts and admins); a verified record goes back to review."""
    changes = body.model_dump(exclude_unset=True)
    if "target_groups" in changes:
        changes["target_groups"] = [(g.dimension, g.name) for g in body.target_groups or []]
    update_incident(session, principal, incident_id, changes)
    return get_incident(session, principal, incident_id)


@router.post("/incidents/{incident_id}/status")
def change_status(
    incident_id: int, body: StatusChange, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Move a record along the workflow; nobody reviews a record they created or last edited."""
    set_status(session, principal, incident_id, body.status, body.note)
    return get_incident(session, principal, incident_id)


@router.post("/incidents/{incident_id}/sources", status_code=201)
def add_record_source(
    incident_id: int,
    body: NewSource,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Record:
    """Add a source to a record (analysts and admins)."""
    (source,) = draft_sources([body.model_dump()])
    root = evidence_root(app_settings(request).home)
    return add_source(session, principal, root, incident_id, source)


@router.post("/incidents/{incident_id}/attachments", status_code=201)
async def add_record_attachment(
    incident_id: int,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="The evidence file, kept unchanged")],
    description: Annotated[str, Form()] = "",
    confidentiality: Annotated[Level, Form()] = "restricted",
) -> Record:
    """Keep an evidence file with a record (analysts and admins); restricted by default."""
    require(principal, "create", "incident_attachment")
    content = await file.read()
    root = evidence_root(app_settings(request).home)
    return add_attachment(
        session,
        principal,
        root,
        incident_id,
        file.filename or "file",
        content,
        media_type=file.content_type,
        description=description,
        confidentiality=Confidentiality[confidentiality.upper()],
    )


@router.get("/signals")
def signals(
    session: DbSession,
    principal: CurrentPrincipal,
    level: Annotated[str, Query(description="country or admin1")] = "country",
    country: Annotated[str, Query(description="Country key, name or code")] = "",
    since: Annotated[str, Query(description="Alerts from this month on, YYYY-MM")] = "",
) -> list[Record]:
    """Escalation alerts computed from the records the caller may see, strongest first."""
    key = stored_reference(session).resolve(country.strip()).key if country.strip() else None
    return alerts_for(session, principal, level=level, country=key, since=since.strip() or None)


@router.get("/custody/verify")
def verify_custody(session: DbSession, principal: CurrentPrincipal) -> Record:
    """Recompute the custody chain and report anything changed behind the app (analysts)."""
    require(principal, "verify", "custody_entry")
    return custody.verify(session).to_dict()
