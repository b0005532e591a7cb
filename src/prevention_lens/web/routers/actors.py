"""Actor pages: the directory with filters and a map of actors by country, the network view,
the coverage gap table, one actor's profile, the intake form that follows the mapping exercise,
the admins' review of drafts, and the exports.

What each reader sees is decided by the store's access policy; these pages only choose which
of the fields they were given to show. Generated example actors carry the example label on
every page, row and export that shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors import analysis
from prevention_lens.actors.duplicates import drafts_for_review
from prevention_lens.actors.records import (
    CONTACT_MAX_CHARS,
    ActorFilter,
    ContactDraft,
    actor_draft_from_mapping,
    contact_warnings,
    create_actor,
    get_actor,
    list_actors,
    merge_actors,
    review_actor,
)
from prevention_lens.actors.vocabulary import (
    ACTIVITIES,
    ENTITIES,
    KINDS,
    LEVEL_ORDER,
    LEVELS,
    R2P_PILLARS,
    RELATIONSHIP_KINDS,
    SECTORS,
    STAGES,
)
from prevention_lens.briefs.coverage import coverage_gaps
from prevention_lens.errors import NotFoundError, TooManyRequestsError, ValidationError
from prevention_lens.store import rate_limits
from prevention_lens.store.access import (
    PUBLIC_SUBMISSION,
    Principal,
    Role,
    allowed,
    read_records,
    require,
)
from prevention_lens.store.models import Country
from prevention_lens.web.deps import MAX_ID, CurrentPrincipal, DbSession, ExportFormat, RecordId
from prevention_lens.web.routers.actors_api import (
    EXAMPLE_LABEL,
    Dataset,
    Filters,
    chosen_dataset,
    export_download,
)
from prevention_lens.web.routers.incidents import SentFlag, script_json
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

INTAKE_RATE = rate_limits.RateLimit(
    "actor-intake", limit=5, window=timedelta(hours=1), what="organisation descriptions"
)
INTAKE_LIMIT = INTAKE_RATE.limit  # descriptions per client per hour
INTAKE_LISTS = ("levels", "countries", "sectors", "activities", "stages", "r2p_pillars")
INTAKE_TEXTS = ("name", "kind", "entity", "hq_country", "description", "contribution", "website")
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_email", "contact_phone", "contact_note")
STATUS_LABELS = {
    "draft": "Draft (not public)",
    "published": "Published",
    "rejected": "Rejected",
    "merged": "Merged",
}


def vocabulary() -> dict[str, Any]:
    """The words every actor page offers in its filters and forms."""
    return {
        "kinds": KINDS,
        "entities": ENTITIES,
        "levels": LEVELS,
        "sectors": SECTORS,
        "activities": ACTIVITIES,
        "stages": STAGES,
        "pillars": R2P_PILLARS,
        "relationship_kinds": RELATIONSHIP_KINDS,
        "statuses": STATUS_LABELS,
        "example_label": EXAMPLE_LABEL,
    }


def _country_choices(session: Session, principal: Principal) -> list[dict[str, Any]]:
    statement = select(Country).where(Country.end_date.is_(None)).order_by(Country.name)
    return read_records(session, principal, "country", statement)


def _country_names(session: Session, principal: Principal) -> dict[str, str]:
    return {country["key"]: country["name"] for country in _country_choices(session, principal)}


def _query(request: Request, **changes: object) -> str:
    values = {key: value for key, value in request.query_params.items() if value}
    values.update({key: str(value) for key, value in changes.items()})
    return urlencode({key: value for key, value in values.items() if value})


def _dataset_switch(session: Session, principal: Principal, chosen: str) -> dict[str, Any]:
    """What the real/example switch says: which is shown, and whether the real one is empty."""
    real_empty = not list_actors(session, principal, ActorFilter(dataset="real"))
    return {"dataset": chosen, "is_example": chosen == "example", "real_empty": real_empty}


@router.get("/actors", response_class=HTMLResponse)
def directory_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, filters: Filters
) -> Response:
    rows = list_actors(session, principal, filters)
    countries = _country_choices(session, principal)
    names = {country["key"]: country["name"] for country in countries}
    counts = Counter(key for row in rows for key in row.country_keys)
    # Each country links to its hub page, named as the reader knows it.
    country_links = {
        row.id: [(key, names.get(key, key)) for key in row.country_keys] for row in rows
    }
    return render(
        request,
        "actors.html",
        {
            **vocabulary(),
            **_dataset_switch(session, principal, filters.dataset),
            "rows": rows,
            "country_links": country_links,
            "query": request.query_params,
            "export_query": _query(request, dataset=filters.dataset),
            "counts_json": script_json(dict(counts)),
            "mapped_countries": len(counts),
            "countries": countries,
            "can_review": allowed(principal, "publish", "actor"),
            "filtered": _filtered(filters),
        },
    )


def _filtered(filters: ActorFilter) -> bool:
    """Whether a filter narrows the directory, so that an empty one can say why."""
    chosen = (filters.country, filters.kind, filters.level, filters.sector, filters.activity)
    return any((*chosen, filters.status, filters.text))


@router.get("/actors/export.{fmt}")
def export_page(
    fmt: ExportFormat, session: DbSession, principal: CurrentPrincipal, filters: Filters
) -> Response:
    return export_download(session, principal, fmt, filters)


@router.get("/actors/network", response_class=HTMLResponse)
def network_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, dataset: Dataset = ""
) -> Response:
    chosen = chosen_dataset(session, principal, dataset)
    view = analysis.network_view(session, principal, chosen)
    return render(
        request,
        "actors_network.html",
        {
            **vocabulary(),
            **_dataset_switch(session, principal, chosen),
            "network": view,
            "network_json": script_json(
                {**view.to_dict(), "example_label": EXAMPLE_LABEL if chosen == "example" else None}
            ),
            "network_countries": view.countries,
            "country_names": _country_names(session, principal),
            "communities": view.communities,
            "level_order": LEVEL_ORDER,
        },
    )


@router.get("/actors/gaps", response_class=HTMLResponse)
def gaps_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, dataset: Dataset = ""
) -> Response:
    chosen = chosen_dataset(session, principal, dataset)
    rows = coverage_gaps(session, principal, chosen)
    return render(
        request,
        "actors_gaps.html",
        {
            **vocabulary(),
            **_dataset_switch(session, principal, chosen),
            "rows": rows,
            "champions": analysis.regional_champions(session, principal, chosen, limit=3),
            "regional_note": analysis.REGIONAL_NOTE,
            "gaps_json": script_json(
                {row.country_key: len(row.missing) for row in rows if row.risk}
            ),
        },
    )


# --- the intake form -------------------------------------------------------------------------


def _client_key(request: Request) -> str:
    """A per-client key that stores no address (see store/rate_limits)."""
    host = request.client.host if request.client else "unknown"
    return rate_limits.client_key(app_settings(request).signing_key(), INTAKE_RATE.bucket, host)


async def _intake_values(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The actor's fields and the contact's, as sent; anything else in the form is ignored."""
    form = await request.form()
    values: dict[str, Any] = {}
    for name in INTAKE_LISTS:
        values[name] = [item for item in form.getlist(name) if isinstance(item, str) and item]
    for name in INTAKE_TEXTS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    contact = {}
    for name in (*CONTACT_FIELDS, "confirm"):
        value = form.get(name)
        contact[name] = value.strip() if isinstance(value, str) else ""
    return values, contact


def _intake_form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: Mapping[str, Any] | None = None,
    contact: Mapping[str, str] | None = None,
    error: str | None = None,
    warnings: list[str] | None = None,
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "actors_form.html",
        {
            **vocabulary(),
            "values": values or {},
            "contact": contact or {},
            "error": error,
            "warnings": warnings or [],
            "sent": sent,
            "countries": _country_choices(session, principal),
            "limit": INTAKE_LIMIT,
        },
        status_code=status_code,
    )


def _check_lengths(values: Mapping[str, Any], contact: Mapping[str, str]) -> None:
    """The draft checks its own lengths; the contact is checked here too, so that a long one
    is refused before the submitter is asked to confirm the warnings."""
    for name in CONTACT_FIELDS:
        most = CONTACT_MAX_CHARS[name.removeprefix("contact_")]
        if len(contact.get(name, "")) > most:
            raise ValidationError(f"is longer than {most:,} characters", field=name)


@router.get("/actors/new", response_class=HTMLResponse)
def intake_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, sent: SentFlag = ""
) -> Response:
    return _intake_form(request, session, principal, values={}, sent=sent == "1")


@router.post("/actors/new")
async def submit_intake(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Only ever creates a draft of the real mapping; an admin publishes it after review."""
    values, contact = await _intake_values(request)
    client = _client_key(request)
    try:
        rate_limits.check(session, INTAKE_RATE, client)
    except TooManyRequestsError as error:
        # The form comes back with what was typed, so nothing is lost while waiting.
        page = _intake_form(
            request,
            session,
            principal,
            values=values,
            contact=contact,
            error=f"{error} Nothing you typed was stored.",
            status_code=429,
        )
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    try:
        _check_lengths(values, contact)
        mapping = {name: value for name, value in values.items() if value not in ("", [])}
        mapping.setdefault("kind", "")
        draft = actor_draft_from_mapping(mapping)
    except ValidationError as error:
        return _intake_form(
            request,
            session,
            principal,
            values=values,
            contact=contact,
            error=str(error),
            status_code=422,
        )
    warnings = contact_warnings(draft)
    if warnings and contact.get("confirm") != "yes":
        # Nothing is stored until the submitter has seen the warnings and chosen.
        return _intake_form(
            request, session, principal, values=values, contact=contact, warnings=warnings
        )
    author = principal if principal.role >= Role.CONTRIBUTOR else PUBLIC_SUBMISSION
    details = ContactDraft(
        name=contact["contact_name"],
        role=contact["contact_role"],
        email=contact["contact_email"],
        phone=contact["contact_phone"],
        note=contact["contact_note"],
    )
    given = [details] if any((details.name, details.email, details.phone)) else []
    try:
        create_actor(session, author, draft, source="web intake form", contacts=given)
    except (ValidationError, NotFoundError) as error:
        session.rollback()
        return _intake_form(
            request,
            session,
            principal,
            values=values,
            contact=contact,
            error=str(error),
            status_code=422,
        )
    rate_limits.record(session, INTAKE_RATE, client)
    return RedirectResponse("/actors/new?sent=1", status_code=303)


# --- review by admins ------------------------------------------------------------------------


@router.get("/actors/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "publish", "actor")
    return render(
        request,
        "actors_review.html",
        {**vocabulary(), "drafts": drafts_for_review(session, principal)},
    )


async def _form_value(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


@router.post("/actors/{actor_id:int}/review")
async def review(
    request: Request, session: DbSession, principal: CurrentPrincipal, actor_id: RecordId
) -> Response:
    review_actor(session, principal, actor_id, await _form_value(request, "decision"))
    return RedirectResponse("/actors/review", status_code=303)


@router.post("/actors/{actor_id:int}/merge")
async def merge(
    request: Request, session: DbSession, principal: CurrentPrincipal, actor_id: RecordId
) -> Response:
    """Fold this draft into the record kept (the duplicate an admin chose)."""
    require(principal, "publish", "actor")
    raw = await _form_value(request, "keep")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise ValidationError("choose the record to keep", field="keep")
    merge_actors(session, principal, int(raw), actor_id)
    return RedirectResponse("/actors/review", status_code=303)


# --- one actor -------------------------------------------------------------------------------


@router.get("/actors/{actor_id:int}", response_class=HTMLResponse)
def profile_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, actor_id: RecordId
) -> Response:
    actor = get_actor(session, principal, actor_id)
    countries = {c["key"]: c["name"] for c in _country_choices(session, principal)}
    return render(
        request,
        "actors_profile.html",
        {
            **vocabulary(),
            "actor": actor,
            "is_example": actor.is_example,
            "country_names": countries,
            "metrics": analysis.snapshot_figures(session, principal, actor_id, actor.dataset),
            "suggestions": analysis.actor_suggestions(session, principal, actor_id, actor.dataset),
            "can_review": allowed(principal, "publish", "actor") and actor.status == "draft",
        },
    )
