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
from prevention_lens.incidents.aggregates import CELL_SIZES, aggregate_incidents
from prevention_lens.incidents.drafts import (
    INCIDENT_MAX_CHARS,
    MAX_COUNT,
    MAX_SOURCES,
    MAX_TARGET_GROUPS,
    SOURCE_MAX_CHARS,
    SOURCE_URL_SCHEMES,
    TARGET_GROUP_MAX_CHARS,
    draft_from_mapping,
    draft_sources,
)
from prevention_lens.incidents.evidence import (
    DESCRIPTION_MAX_CHARS,
    add_attachment,
    add_source,
    evidence_root,
)
from prevention_lens.incidents.exports import EXPORT_FORMATS, export_incidents
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.incidents.records import (
    MAX_NOTE,
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
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    SEARCH_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    ExportFormat,
    Offset,
    RecordId,
    code_query,
)
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
    country: Annotated[str, code_query("Country key, name or code")] = "",
    category: Annotated[str, code_query("Category code")] = "",
    status: Annotated[str, code_query("Verification status")] = "",
    dataset: Annotated[str, code_query("manual, submission, ucdp-ged, acled, ...")] = "",
    date_from: Annotated[str, code_query("First day, YYYY-MM-DD")] = "",
    date_to: Annotated[str, code_query("Last day, YYYY-MM-DD")] = "",
    text: Annotated[
        str,
        Query(
            max_length=SEARCH_MAX_CHARS,
            description="Words in the title, narrative, region, district, place or perpetrator",
        ),
    ] = "",
    identity_targeted: Annotated[str, code_query("yes or no")] = "",
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
    key = find_country(session, country.strip()).key if country.strip() else None
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
    session: DbSession, principal: CurrentPrincipal, fmt: ExportFormat, filters: Filters
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


def _text(name: str, description: str | None = None) -> Any:
    """A text field of an incident, with the same maximum the draft checks."""
    return Field(max_length=INCIDENT_MAX_CHARS[name], description=description)


_COUNT = Field(default=None, ge=0, le=MAX_COUNT)


class TargetGroup(BaseModel):
    dimension: str = Field(
        max_length=CODE_MAX_CHARS, description="ethnicity, religion, nationality, ..."
    )
    name: str = Field(max_length=TARGET_GROUP_MAX_CHARS)


class NewSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        default="",
        max_length=SOURCE_MAX_CHARS["url"],
        description=f"An address starting with {', '.join(SOURCE_URL_SCHEMES)}",
    )
    publisher: str = Field(default="", max_length=SOURCE_MAX_CHARS["publisher"])
    published_on: date | None = None
    confidential: bool = Field(default=False, description="Only administrators may read it")


class NewIncident(BaseModel):
    """A new record; it starts unverified. Contributors' records are restricted whatever
    ``confidentiality`` says; write-only fields are read back by administrators only."""

    model_config = ConfigDict(extra="forbid")

    category: Annotated[
        str, _text("category", "A category code (GET /api/v1/incidents/categories)")
    ]
    date_start: date
    country: Annotated[str, _text("country", "Country name or code")]
    title: Annotated[str, _text("title")] = ""
    narrative: Annotated[str, _text("narrative")] = ""
    date_end: date | None = None
    date_precision: Annotated[str, _text("date_precision")] = "day"
    admin1: Annotated[str | None, _text("admin1")] = None
    admin2: Annotated[str | None, _text("admin2")] = None
    place_name: Annotated[str, _text("place_name")] = ""
    latitude: float | None = None
    longitude: float | None = None
    location_precision: Annotated[str, _text("location_precision")] = "country"
    exact_place: Annotated[str, _text("exact_place")] = ""
    perpetrator_kind: Annotated[str, _text("perpetrator_kind")] = "unknown"
    perpetrator_name: Annotated[str, _text("perpetrator_name")] = ""
    target_groups: list[TargetGroup] = Field(default_factory=list, max_length=MAX_TARGET_GROUPS)
    fatalities_best: int | None = _COUNT
    fatalities_low: int | None = _COUNT
    fatalities_high: int | None = _COUNT
    witness_identity: Annotated[str, _text("witness_identity")] = ""
    witness_contact: Annotated[str, _text("witness_contact")] = ""
    source_identity: Annotated[str, _text("source_identity")] = ""
    confidentiality: Level = "restricted"
    sources: list[NewSource] = Field(default_factory=list, max_length=MAX_SOURCES)


class IncidentChange(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    category: Annotated[str | None, _text("category")] = None
    date_start: date | None = None
    country: Annotated[str | None, _text("country")] = None
    title: Annotated[str | None, _text("title")] = None
    narrative: Annotated[str | None, _text("narrative")] = None
    date_end: date | None = None
    date_precision: Annotated[str | None, _text("date_precision")] = None
    admin1: Annotated[str | None, _text("admin1")] = None
    admin2: Annotated[str | None, _text("admin2")] = None
    place_name: Annotated[str | None, _text("place_name")] = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: Annotated[str | None, _text("location_precision")] = None
    exact_place: Annotated[str | None, _text("exact_place")] = None
    perpetrator_kind: Annotated[str | None, _text("perpetrator_kind")] = None
    perpetrator_name: Annotated[str | None, _text("perpetrator_name")] = None
    target_groups: list[TargetGroup] | None = Field(default=None, max_length=MAX_TARGET_GROUPS)
    fatalities_best: int | None = _COUNT
    fatalities_low: int | None = _COUNT
    fatalities_high: int | None = _COUNT
    witness_identity: Annotated[str | None, _text("witness_identity")] = None
    witness_contact: Annotated[str | None, _text("witness_contact")] = None
    source_identity: Annotated[str | None, _text("source_identity")] = None
    confidentiality: Level | None = None


class StatusChange(BaseModel):
    status: str = Field(
        max_length=CODE_MAX_CHARS, description="in_review, verified, disputed or rejected"
    )
    note: str = Field(default="", max_length=MAX_NOTE)


@router.get("/incidents")
def list_records(
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
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


@router.get("/incidents/aggregate")
def aggregate(
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    cell: Annotated[
        float,
        Query(
            ge=min(CELL_SIZES),
            le=max(CELL_SIZES),
            description=f"Grid cell size in degrees: {', '.join(f'{s:g}' for s in CELL_SIZES)}",
        ),
    ] = 1.0,
) -> Record:
    """Counts and deaths of every matching record the caller may see, per grid cell (placed at
    the cell's centre, from public coordinates), per country for records without coordinates,
    and per month: what the map and timeline of /incidents draw."""
    return aggregate_incidents(session, principal, filters, cell_degrees=cell).to_dict()


@router.get("/incidents/export.{fmt}")
def export(
    fmt: ExportFormat, session: DbSession, principal: CurrentPrincipal, filters: Filters
) -> Response:
    """The matching records as CSV, GeoJSON or JSON, with the fields the caller may see."""
    return export_response(session, principal, fmt, filters)


@router.get("/incidents/{incident_id}")
def get_record(incident_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One record with its sources, evidence files and (for analysts) its custody log."""
    return get_incident(session, principal, incident_id).to_dict()


@router.post("/incidents", status_code=201)
def create_record(body: NewIncident, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Add a record (contributors and above); it starts unverified."""
    values = body.model_dump(exclude={"sources"})
    values["target_groups"] = [(g.dimension, g.name) for g in body.target_groups]
    draft = draft_from_mapping(values)
    sources = draft_sources([source.model_dump() for source in body.sources])
    incident = create_incident(session, principal, dataclasses.replace(draft, sources=sources))
    return get_incident(session, principal, incident.id).to_dict()


@router.patch("/incidents/{incident_id}")
def update_record(
    incident_id: RecordId, body: IncidentChange, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Change a record (analysts and admins); a verified record goes back to review."""
    changes = body.model_dump(exclude_unset=True)
    if "target_groups" in changes:
        changes["target_groups"] = [(g.dimension, g.name) for g in body.target_groups or []]
    update_incident(session, principal, incident_id, changes)
    return get_incident(session, principal, incident_id).to_dict()


@router.post("/incidents/{incident_id}/status")
def change_status(
    incident_id: RecordId, body: StatusChange, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Move a record along the workflow; nobody reviews a record they created or last edited."""
    set_status(session, principal, incident_id, body.status, body.note)
    return get_incident(session, principal, incident_id).to_dict()


@router.post("/incidents/{incident_id}/sources", status_code=201)
def add_record_source(
    incident_id: RecordId,
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
    incident_id: RecordId,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="The evidence file, kept unchanged")],
    description: Annotated[str, Form(max_length=DESCRIPTION_MAX_CHARS)] = "",
    confidentiality: Annotated[Level, Form()] = "restricted",
) -> Record:
    """Keep an evidence file with a record (analysts and admins); restricted by default."""
    require(principal, "create", "incident_attachment")
    root = evidence_root(app_settings(request).home)
    # The spooled upload is streamed into the evidence store in chunks, never read whole.
    return add_attachment(
        session,
        principal,
        root,
        incident_id,
        file.filename or "file",
        file.file,
        media_type=file.content_type,
        description=description,
        confidentiality=Confidentiality[confidentiality.upper()],
    )


@router.get("/signals")
def signals(
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    level: Annotated[str, code_query("country or admin1")] = "country",
    country: Annotated[str, code_query("Country key, name or code")] = "",
    since: Annotated[str, code_query("Alerts from this month on, YYYY-MM")] = "",
    order: Annotated[str, code_query("recent (newest month first) or strength")] = "recent",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[Record]:
    """Escalation alerts computed from the records the caller may see, newest month first (or
    the strongest of all time with ``order=strength``), a page at a time; the header
    ``X-Total-Count`` gives how many there are in all."""
    key = find_country(session, country.strip()).key if country.strip() else None
    alerts = alerts_for(
        session, principal, level=level, country=key, since=since.strip() or None, order=order
    )
    response.headers["X-Total-Count"] = str(len(alerts))
    return [alert.to_dict() for alert in alerts[offset : offset + limit]]


@router.get("/custody/verify")
def verify_custody(session: DbSession, principal: CurrentPrincipal) -> Record:
    """Recompute the custody chain and report anything changed behind the app (analysts)."""
    require(principal, "verify", "custody_entry")
    return custody.verify(session).to_dict()
