"""The actor part of the JSON API: the directory with its filters, one actor, new drafts and
their review, the network for the network view, coverage gaps, suggested connections and the
exports. Every read goes through the access policy, so the API shows what the pages show.

Example data is labelled in every answer: a dataset of generated organisations carries
``example_label`` and each example actor ``is_example``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from prevention_lens.actors import analysis
from prevention_lens.actors.example import EXAMPLE_NOTICE
from prevention_lens.actors.exports import EXPORT_FORMATS, export_actors
from prevention_lens.actors.records import (
    ACTOR_MAX_CHARS,
    CONTACT_MAX_CHARS,
    DATASETS,
    LIST_ITEM_MAX_CHARS,
    MAX_LIST_ITEMS,
    ActorDraft,
    ActorFilter,
    ContactDraft,
    actor_draft_from_mapping,
    add_contact,
    contact_warnings,
    create_actor,
    get_actor,
    list_actors,
    review_actor,
)
from prevention_lens.actors.vocabulary import ACTIVITIES, KINDS, LEVELS, SECTORS, STATUSES
from prevention_lens.briefs.coverage import coverage_gaps
from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Principal
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    SEARCH_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    ExportFormat,
    RecordId,
    code_query,
)
from prevention_lens.web.security import verify_csrf

router = APIRouter(prefix="/api/v1", tags=["actors"], dependencies=[Depends(verify_csrf)])

Record = dict[str, Any]
EXAMPLE_LABEL = EXAMPLE_NOTICE


def chosen_dataset(session: Session, principal: Principal, requested: str) -> str:
    """The dataset asked for; when none is, the real mapping, or the example while the real
    one shows this reader nothing and the example something."""
    requested = requested.strip().lower()
    if requested:
        if requested not in DATASETS:
            raise ValidationError(
                f"unknown dataset {requested!r}; choose {' or '.join(DATASETS)}", field="dataset"
            )
        return requested
    if list_actors(session, principal, ActorFilter(dataset="real")):
        return "real"
    shown = list_actors(session, principal, ActorFilter(dataset="example"))
    return "example" if shown else "real"


def _code(value: str, allowed: dict[str, str], name: str) -> str | None:
    value = value.strip()
    if value and value not in allowed:
        raise ValidationError(
            f"unknown value {value!r}; choose from {', '.join(allowed)}", field=name
        )
    return value or None


def actor_filters(
    session: DbSession,
    principal: CurrentPrincipal,
    dataset: Annotated[str, code_query("real or example; blank: real unless empty")] = "",
    country: Annotated[str, code_query("Country key, name or code")] = "",
    kind: Annotated[str, code_query("Kind of actor (code)")] = "",
    level: Annotated[str, code_query("grassroots, local, national, ...")] = "",
    sector: Annotated[str, code_query("Sector (code)")] = "",
    activity: Annotated[str, code_query("Prevention activity (code)")] = "",
    status: Annotated[str, code_query("draft, published, rejected")] = "",
    text: Annotated[
        str,
        Query(
            max_length=SEARCH_MAX_CHARS,
            description="Words in the name, description or contribution",
        ),
    ] = "",
) -> ActorFilter:
    """The filters the directory, its map, the API and the exports share; blanks mean "any"."""
    key = find_country(session, country).key if country.strip() else None
    return ActorFilter(
        dataset=chosen_dataset(session, principal, dataset),
        country=key,
        kind=_code(kind, KINDS, "kind"),
        level=_code(level, LEVELS, "level"),
        sector=_code(sector, SECTORS, "sector"),
        activity=_code(activity, ACTIVITIES, "activity"),
        status=_code(status, dict.fromkeys(STATUSES, ""), "status"),
        text=text.strip() or None,
    )


Filters = Annotated[ActorFilter, Depends(actor_filters)]
Dataset = Annotated[str, code_query("real or example; blank: real unless empty")]


def labelled(dataset: str, body: Record) -> Record:
    """An answer about one dataset, carrying the example label when it is the example."""
    label = EXAMPLE_LABEL if dataset == "example" else None
    return {"dataset": dataset, "example_label": label} | body


def export_download(
    session: Session, principal: Principal, fmt: str, filters: ActorFilter
) -> Response:
    """An export of the dataset as a download; its actors and fields are the reader's."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}", field="format"
        )
    export = export_actors(session, principal, fmt, filters.dataset, filters=filters)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Record-Count": str(export.count),
            "X-Dataset": filters.dataset,
        },
    )


def _contact(name: str) -> Any:
    return Field(default="", max_length=CONTACT_MAX_CHARS[name])


def _text(name: str, description: str | None = None) -> Any:
    """A text field of an actor, with the same maximum the draft checks."""
    return Field(max_length=ACTOR_MAX_CHARS[name], description=description)


_Codes = Annotated[
    list[Annotated[str, Field(max_length=LIST_ITEM_MAX_CHARS)]], Field(max_length=MAX_LIST_ITEMS)
]


class NewContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = _contact("name")
    role: str = _contact("role")
    email: str = _contact("email")
    phone: str = _contact("phone")
    note: str = _contact("note")


class NewActor(BaseModel):
    """A new actor; it is stored as a draft that an administrator publishes after review.
    Contacts are restricted: only analysts and administrators read them back."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, _text("name")]
    kind: Annotated[str, _text("kind", "A kind code (civil_society, government, ...)")]
    entity: Annotated[str, _text("entity")] = "organisation"
    levels: Annotated[
        _Codes, Field(description="grassroots, local, national, regional, international")
    ]
    sectors: _Codes = Field(default_factory=list)
    activities: _Codes = Field(default_factory=list)
    r2p_pillars: list[Annotated[int, Field(ge=1, le=3)]] = Field(default_factory=list, max_length=3)
    stages: _Codes = Field(default_factory=list)
    languages: _Codes = Field(default_factory=list)
    hq_country: Annotated[str | None, _text("hq_country")] = None
    countries: _Codes = Field(default_factory=list)
    description: Annotated[str, _text("description")] = ""
    contribution: Annotated[
        str,
        _text(
            "contribution",
            "How does your work contribute to the prevention of mass atrocities?",
        ),
    ] = ""
    website: Annotated[str, _text("website")] = ""
    contacts: list[NewContact] = Field(default_factory=list, max_length=20)


class Review(BaseModel):
    decision: Literal["publish", "reject"]


def draft_from_body(body: NewActor) -> ActorDraft:
    return actor_draft_from_mapping(body.model_dump(exclude={"contacts"}))


@router.get("/actors")
def list_records(session: DbSession, principal: CurrentPrincipal, filters: Filters) -> Record:
    """Actors the caller may see, by name; drafts only for analysts, admins and their authors."""
    rows = [row.to_dict() for row in list_actors(session, principal, filters)]
    return labelled(filters.dataset, {"total": len(rows), "actors": rows})


@router.get("/actors/vocabulary")
def vocabulary() -> Record:
    """The codes and labels of kinds, levels, sectors and activities."""
    return {"kinds": KINDS, "levels": LEVELS, "sectors": SECTORS, "activities": ACTIVITIES}


@router.get("/actors/network")
def network(session: DbSession, principal: CurrentPrincipal, dataset: Dataset = "") -> Record:
    """Nodes, links and metrics of the network the caller may see, for the network view."""
    chosen = chosen_dataset(session, principal, dataset)
    return labelled(chosen, analysis.network_view(session, principal, chosen).to_dict())


@router.get("/actors/gaps")
def gaps(session: DbSession, principal: CurrentPrincipal, dataset: Dataset = "") -> Record:
    """Countries by coverage gap: risk beside the prevention capacity mapped there."""
    chosen = chosen_dataset(session, principal, dataset)
    rows = coverage_gaps(session, principal, chosen)
    return labelled(chosen, {"gaps": [row.to_dict() for row in rows]})


@router.get("/actors/champions")
def champions(
    session: DbSession,
    principal: CurrentPrincipal,
    dataset: Dataset = "",
    region: Annotated[str, code_query("A region's name")] = "",
) -> Record:
    """Champions per region, each ranked on the region's own network (``computed_on`` says
    so) with the reasons for its place."""
    chosen = chosen_dataset(session, principal, dataset)
    found = analysis.regional_champions(session, principal, chosen, region=region or None)
    shown = {name: [row.to_dict() for row in rows] for name, rows in found.items()}
    return labelled(chosen, {"computed_on": analysis.REGIONAL_NOTE, "champions": shown})


@router.get("/actors/export.{fmt}")
def export(
    fmt: ExportFormat, session: DbSession, principal: CurrentPrincipal, filters: Filters
) -> Response:
    """The matching actors and their relationships as CSV, JSON or GraphML (Gephi, Kumu)."""
    return export_download(session, principal, fmt, filters)


@router.get("/actors/{actor_id}")
def get_record(actor_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One actor with its relationships and, for analysts and admins, its contacts."""
    row = get_actor(session, principal, actor_id)
    return labelled(row.dataset, {"actor": row.to_dict()})


@router.get("/actors/{actor_id}/suggestions")
def suggestions(actor_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Actors this one could connect with, each with its reasons."""
    row = get_actor(session, principal, actor_id)
    found = analysis.actor_suggestions(session, principal, actor_id, row.dataset)
    shown = [asdict(suggestion) for suggestion in found]
    return labelled(row.dataset, {"actor_id": actor_id, "suggestions": shown})


@router.post("/actors", status_code=201)
def create_record(body: NewActor, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Add an actor as a draft (contributors and above); ``warnings`` name contact details
    typed into fields everyone will read once it is published."""
    draft = draft_from_body(body)
    actor = create_actor(session, principal, draft)
    for contact in body.contacts:
        add_contact(session, principal, actor.id, ContactDraft(**contact.model_dump()))
    row = get_actor(session, principal, actor.id)
    return labelled(row.dataset, {"actor": row.to_dict(), "warnings": contact_warnings(draft)})


@router.post("/actors/{actor_id}/review")
def review(
    actor_id: RecordId, body: Review, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Publish or reject a draft (admins)."""
    review_actor(session, principal, actor_id, body.decision)
    row = get_actor(session, principal, actor_id)
    return labelled(row.dataset, {"actor": row.to_dict()})
