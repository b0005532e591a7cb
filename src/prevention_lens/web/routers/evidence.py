"""Evidence-library pages: search with facets, one entry, the gap map (for everywhere, a country
or a region), the transfer ranking for a country, the admins' review of drafts, and the form
analysts add and edit entries with.

What each reader sees is decided by the store's access policy (``whatworks.library``); these
pages only choose which of the fields they were given to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.briefs.transfer import transfer_ranking
from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Principal, allowed, read_records, require
from prevention_lens.store.models import Country
from prevention_lens.web.deps import (
    CurrentPrincipal,
    DbSession,
    Offset,
    PathCode,
    SearchText,
    code_query,
    country_in_path,
)
from prevention_lens.web.routers.evidence_api import (
    Filters,
    Mode,
    ScopeParams,
    find_entries,
    place_scope,
)
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render
from prevention_lens.whatworks.entries import EntryDraft, publication_problems
from prevention_lens.whatworks.exports import EXPORT_FORMATS
from prevention_lens.whatworks.gapmap import STATES, library_gap_map
from prevention_lens.whatworks.library import (
    EntryFilter,
    add_entries,
    draft_of,
    get_entry,
    list_entries,
    review_entry,
    update_entry,
)
from prevention_lens.whatworks.search import FACETS, MODES, SearchResults
from prevention_lens.whatworks.vocabulary import (
    CONFLICT_PHASES,
    DESIGNS,
    EFFECTS,
    EMMIE,
    EMMIE_MAX,
    INTERVENTIONS,
    KINDS,
    ORIGINS,
    OUTCOMES,
    REGIME_TYPES,
    REGIONS,
    STATUSES,
    STRENGTH_NAMES,
    STRENGTHS,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

PAGE_SIZE = 20
# Each facet: its heading and the query parameter its links set.
FACET_FILTERS = {
    "kind": ("Kind of work", "kind"),
    "design": ("Design", "design"),
    "strength": ("Strength", "min_strength"),
    "interventions": ("Intervention", "intervention"),
    "outcomes": ("Outcome", "outcome"),
    "regions": ("Region", "region"),
    "countries": ("Country", "country"),
    "conflict_phase": ("Conflict phase", "conflict_phase"),
    "regime_type": ("Regime type", "regime_type"),
    "effect": ("Effect", "effect"),
    "language": ("Language", "language"),
    "status": ("Status", "status"),
}
LANGUAGES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "pt": "Portuguese",
    "de": "German",
    "ru": "Russian",
    "zh": "Chinese",
    "my": "Burmese",
}
MODE_LABELS = {
    "hybrid": "Words and meaning (hybrid)",
    "text": "Exact words (full text)",
    "semantic": "Meaning, in any language",
}
# A mark per gap state, so that the map is read without colour too (legend explains them).
STATE_MARKS = {"absolute_gap": "○", "thin": "◔", "synthesis_gap": "◑", "synthesised": "●"}
FORM_TEXTS = ("title", "venue", "doi", "url", "key", "summary", "period", "harm", "language")
FORM_CODES = ("kind", "design", "strength", "conflict_phase", "regime_type", "effect")
FORM_CHECKS = ("interventions", "outcomes", "regions")
FORM_LINES = ("authors", "verified_at")
FORM_SPLIT = ("countries", "tags")


def vocabulary() -> dict[str, Any]:
    """The words every evidence page shows for the stored codes."""
    return {
        "kinds": KINDS,
        "designs": DESIGNS,
        "strengths": STRENGTHS,
        "strength_names": STRENGTH_NAMES,
        "interventions": INTERVENTIONS,
        "outcomes": OUTCOMES,
        "effects": EFFECTS,
        "phases": CONFLICT_PHASES,
        "regimes": REGIME_TYPES,
        "regions": REGIONS,
        "emmie_dimensions": EMMIE,
        "emmie_max": EMMIE_MAX,
        "statuses": STATUSES,
        "origins": ORIGINS,
        "languages": LANGUAGES,
        "states": STATES,
        "state_marks": STATE_MARKS,
    }


def abilities(principal: Principal) -> dict[str, bool]:
    """Which staff links the evidence pages offer this reader (the routes check again)."""
    return {
        "can_add": allowed(principal, "create", "library_entry"),
        "can_review": allowed(principal, "publish", "library_entry"),
    }


def _country_names(session: Session, principal: Principal) -> dict[str, str]:
    rows = read_records(session, principal, "country", select(Country).order_by(Country.name))
    return {row["key"]: row["name"] for row in rows}


def _query(request: Request, **changes: object) -> str:
    """This page's query string with some parameters changed (None or "" removes one)."""
    values = {key: value for key, value in request.query_params.items() if value}
    for key, value in changes.items():
        if value is None or value == "":
            values.pop(key, None)
        else:
            values[key] = str(value)
    return urlencode(values)


def _search_url(request: Request, **changes: object) -> str:
    """The search page with some parameters changed, always from its first page."""
    query = _query(request, offset=None, **changes)
    return f"/evidence?{query}" if query else "/evidence"


def _page_url(request: Request, offset: int) -> str:
    query = _query(request, offset=offset or None)
    return f"/evidence?{query}" if query else "/evidence"


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    href: str
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    options: tuple[FacetOption, ...]


def _label(facet: str, value: str, names: Mapping[str, str]) -> str:
    tables: dict[str, Mapping[str, str]] = {
        "kind": KINDS,
        "design": DESIGNS,
        "interventions": INTERVENTIONS,
        "outcomes": OUTCOMES,
        "countries": names,
        "conflict_phase": CONFLICT_PHASES,
        "regime_type": REGIME_TYPES,
        "effect": EFFECTS,
        "language": LANGUAGES,
        "status": STATUSES,
    }
    if facet == "strength":
        return f"{value} or stronger ({STRENGTH_NAMES[int(value)]} and up)"
    return tables.get(facet, {}).get(value, value)


def facets_view(request: Request, found: SearchResults, names: Mapping[str, str]) -> list[Facet]:
    """Every facet with its values' counts; each value links to the list with that filter
    added, or removed when it is the one chosen. Strength filters on "at least", so its
    counts add up the stronger values."""
    out = []
    for name in FACETS:
        title, parameter = FACET_FILTERS[name]
        counts = dict(found.facets.get(name, {}))
        if name == "strength":
            exact = {int(value): count for value, count in counts.items()}
            counts = {
                str(level): sum(n for value, n in exact.items() if value >= level)
                for level in sorted(exact, reverse=True)
            }
        chosen = request.query_params.get(parameter, "")
        options = []
        for value, count in counts.items():
            selected = chosen.upper() == value if name == "countries" else chosen == value
            href = _search_url(request, **{parameter: None if selected else value})
            options.append(FacetOption(value, _label(name, value, names), count, href, selected))
        out.append(Facet(name, title, tuple(options)))
    return out


def active_filters(
    request: Request, where: EntryFilter, names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(what, link that removes it) for every filter in force."""
    shown: list[tuple[str, str]] = []
    facet_of = {parameter: name for name, (_title, parameter) in FACET_FILTERS.items()}
    for parameter, value in request.query_params.items():
        if not value or parameter in ("q", "mode", "offset"):
            continue
        if parameter in facet_of:
            name = facet_of[parameter]
            text = value.upper() if name == "countries" and where.country else value
            label = f"{FACET_FILTERS[name][0]}: {_label(name, text, names)}"
        elif parameter == "harm_only":
            label = "Only entries that found harm"
        elif parameter in ("scope_country", "scope_region"):
            label = f"Applies to {names.get(value.upper(), value)} (or everywhere)"
        else:
            label = f"{parameter.replace('_', ' ')}: {value}"
        shown.append((label, _search_url(request, **{parameter: None})))
    return shown


@router.get("/evidence", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    scope: ScopeParams,
    q: SearchText = "",
    mode: Mode = "",
    offset: Offset = 0,
) -> Response:
    found = find_entries(
        session, principal, q, filters, scope, mode=mode, limit=PAGE_SIZE, offset=offset
    )
    names = _country_names(session, principal)
    kept = {key: value for key, value in request.query_params.items() if key not in ("q", "mode")}
    return render(
        request,
        "evidence.html",
        {
            **vocabulary(),
            **abilities(principal),
            "found": found,
            "q": q,
            "mode": found.mode,
            "modes": {code: MODE_LABELS[code] for code in MODES},
            "kept_params": {k: v for k, v in kept.items() if v and k != "offset"},
            "facets": facets_view(request, found, names),
            "active": active_filters(request, filters, names),
            "country_names": names,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "previous": _page_url(request, max(offset - PAGE_SIZE, 0)) if offset else None,
            "next": _page_url(request, offset + PAGE_SIZE)
            if offset + PAGE_SIZE < found.total
            else None,
            "export_query": _query(request, offset=None),
            "export_formats": EXPORT_FORMATS,
            "harm_only": filters.harm_only,
            "harm_href": _search_url(request, harm_only=None if filters.harm_only else "true"),
        },
    )


# --- the gap map and transfer ----------------------------------------------------------------


@router.get("/evidence/gaps", response_class=HTMLResponse)
def gaps_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    country: Annotated[str, code_query("A country (key, name or code)")] = "",
    region: Annotated[str, code_query("A region")] = "",
) -> Response:
    scope = place_scope(session, country, region)
    found = library_gap_map(session, principal, country=scope.country, region=scope.region)
    cells = {(cell.intervention, cell.outcome): cell for cell in found.cells}
    scope_query = (
        {"scope_country": scope.country}
        if scope.country
        else {"scope_region": scope.region}
        if scope.region
        else {}
    )
    links = {
        pair: "/evidence?" + urlencode({"intervention": pair[0], "outcome": pair[1], **scope_query})
        for pair, cell in cells.items()
        if cell.count
    }
    return render(
        request,
        "evidence_gaps.html",
        {
            **vocabulary(),
            **abilities(principal),
            "gapmap": found,
            "cells": cells,
            "links": links,
            "scope": scope,
            "state_counts": found.state_counts(),
            "countries": _country_names(session, principal),
        },
    )


@router.get("/evidence/transfer/{target}", response_class=HTMLResponse)
def transfer_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    target: PathCode,
    filters: Filters,
) -> Response:
    country = country_in_path(request, session, target)
    ranking = transfer_ranking(
        session, principal, app_settings(request), country.key, limit=PAGE_SIZE, where=filters
    )
    return render(
        request,
        "evidence_transfer.html",
        {
            **vocabulary(),
            **abilities(principal),
            "country": country,
            "ranking": ranking,
            "target": ranking.to_dict().get("target") or {},
            "country_names": _country_names(session, principal),
        },
    )


# --- review by admins ------------------------------------------------------------------------


@router.get("/evidence/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "publish", "library_entry")
    drafts = list_entries(session, principal, EntryFilter(status="draft"))
    return render(
        request,
        "evidence_review.html",
        {
            **vocabulary(),
            **abilities(principal),
            "drafts": [(entry, publication_problems(entry)) for entry in drafts],
        },
    )


async def _form_value(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


@router.post("/evidence/{key}/review")
async def review(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    # Checked before the entry is looked up, so nobody below admin learns whether a key exists.
    require(principal, "publish", "library_entry")
    decision = await _form_value(request, "decision")
    note = await _form_value(request, "note")
    review_entry(session, principal, key, decision, note)
    return RedirectResponse("/evidence/review", status_code=303)


# --- the entry form --------------------------------------------------------------------------


def _split(text: str, separators: str) -> tuple[str, ...]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return tuple(part.strip() for part in text.split(separators[0]) if part.strip())


def _whole_number(values: Mapping[str, Any], name: str) -> int | None:
    text = str(values.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise ValidationError(f"{text[:20]!r} is not a whole number", field=name)
    return int(text)


async def _form_values(request: Request) -> dict[str, Any]:
    """The form's fields as typed; anything else in the form is ignored."""
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    values: dict[str, Any] = {name: text(name) for name in (*FORM_TEXTS, *FORM_CODES)}
    values.update({name: text(name) for name in (*FORM_LINES, *FORM_SPLIT, "year")})
    values["verification_note"] = text("verification_note")
    for name in FORM_CHECKS:
        values[name] = [item for item in form.getlist(name) if isinstance(item, str) and item]
    values["emmie"] = {dimension: text(f"emmie_{dimension}") for dimension in EMMIE}
    return values


def draft_from_form(values: Mapping[str, Any]) -> EntryDraft:
    """An EntryDraft from the form's values; a malformed number raises ValidationError."""
    emmie = {}
    for dimension, rating in values["emmie"].items():
        number = _whole_number({"emmie": rating}, "emmie")
        if number is not None:
            emmie[dimension] = number
    codes = {name: values[name].strip() or None for name in FORM_CODES if name != "strength"}
    return EntryDraft(
        title=values["title"].strip(),
        authors=_split(values["authors"], "\n\r"),
        year=_whole_number(values, "year"),
        venue=values["venue"].strip(),
        doi=values["doi"].strip() or None,
        url=values["url"].strip(),
        key=values["key"].strip() or None,
        strength=_whole_number(values, "strength"),
        summary=values["summary"].strip(),
        interventions=tuple(values["interventions"]),
        outcomes=tuple(values["outcomes"]),
        countries=_split(values["countries"], ";\n\r"),
        regions=tuple(values["regions"]),
        period=values["period"].strip(),
        harm=values["harm"].strip(),
        emmie=emmie,
        language=values["language"].strip() or "en",
        tags=_split(values["tags"], ";\n\r"),
        verified_at=_split(values["verified_at"], "\n\r"),
        verification_note=values["verification_note"].strip(),
        **codes,
    )


def _values_of(draft: EntryDraft, names: Mapping[str, str]) -> dict[str, Any]:
    """A stored entry's content as the form shows it."""
    return {
        **{name: getattr(draft, name) or "" for name in (*FORM_TEXTS, *FORM_CODES)},
        "year": draft.year or "",
        "authors": "\n".join(draft.authors),
        "verified_at": "\n".join(draft.verified_at),
        "countries": "; ".join(names.get(key, key) for key in draft.countries),
        "tags": "; ".join(draft.tags),
        "verification_note": draft.verification_note,
        "interventions": list(draft.interventions),
        "outcomes": list(draft.outcomes),
        "regions": list(draft.regions),
        "emmie": {dimension: draft.emmie.get(dimension, "") for dimension in EMMIE},
    }


def _entry_form(
    request: Request,
    principal: Principal,
    *,
    action: str,
    values: Mapping[str, Any],
    key: str | None = None,
    error: ValidationError | None = None,
    status_code: int = 200,
) -> Response:
    errors = {error.field or "": error.problem} if error else {}
    return render(
        request,
        "evidence_form.html",
        {
            **vocabulary(),
            **abilities(principal),
            "action": action,
            "key": key,
            "values": values,
            "errors": errors,
            "error": str(error) if error else None,
        },
        status_code=status_code,
    )


EMPTY_FORM: dict[str, Any] = {
    "language": "en",
    "interventions": [],
    "outcomes": [],
    "regions": [],
    "emmie": {},
}


@router.get("/evidence/new", response_class=HTMLResponse)
def new_form(request: Request, principal: CurrentPrincipal) -> Response:
    require(principal, "create", "library_entry")
    return _entry_form(request, principal, action="/evidence/new", values=EMPTY_FORM)


@router.post("/evidence/new")
async def create(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Stores a draft; an admin publishes it after review."""
    require(principal, "create", "library_entry")
    values = await _form_values(request)
    try:
        (row,) = add_entries(session, principal, [draft_from_form(values)], origin="manual")
    except ValidationError as error:
        session.rollback()
        return _entry_form(
            request, principal, action="/evidence/new", values=values, error=error, status_code=422
        )
    return RedirectResponse(f"/evidence/{row.key}", status_code=303)


@router.get("/evidence/{key}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "update", "library_entry")
    entry = get_entry(session, principal, key)
    values = _values_of(draft_of(entry), _country_names(session, principal))
    return _entry_form(
        request, principal, action=f"/evidence/{entry.key}/edit", values=values, key=entry.key
    )


@router.post("/evidence/{key}/edit")
async def edit(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "update", "library_entry")
    entry = get_entry(session, principal, key)
    values = await _form_values(request)
    try:
        row = update_entry(session, principal, entry.id, draft_from_form(values))
    except ValidationError as error:
        session.rollback()
        return _entry_form(
            request,
            principal,
            action=f"/evidence/{entry.key}/edit",
            values=values,
            key=entry.key,
            error=error,
            status_code=422,
        )
    return RedirectResponse(f"/evidence/{row.key}", status_code=303)


# --- one entry -------------------------------------------------------------------------------


@router.get("/evidence/{key}", response_class=HTMLResponse)
def entry_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    entry = get_entry(session, principal, key)
    is_staff = allowed(principal, "update", "library_entry")
    return render(
        request,
        "evidence_entry.html",
        {
            **vocabulary(),
            **abilities(principal),
            "entry": entry,
            "country_names": _country_names(session, principal),
            "is_staff": is_staff,
            "problems": publication_problems(entry) if is_staff else [],
        },
    )
