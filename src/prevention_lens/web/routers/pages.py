"""The HTML pages: home, the product's sections, countries, and the data imports page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select

from prevention_lens import __version__
from prevention_lens.briefs.hub import country_hub
from prevention_lens.errors import UnknownCountryError
from prevention_lens.store.access import allowed, read_records, require
from prevention_lens.store.models import Country, DataImport, User
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    SEARCH_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
    country_lookup_in_path,
)
from prevention_lens.web.security import app_store
from prevention_lens.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    store = app_store(request)
    store.check_connection()
    return JSONResponse({"status": "ok", "version": __version__, "database": store.backend})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    counts = {
        "countries": session.scalar(select(func.count()).select_from(Country)) or 0,
        "imports": session.scalar(select(func.count()).select_from(DataImport)) or 0,
        # How many accounts exist is for admins, not for every visitor.
        "users": (session.scalar(select(func.count()).select_from(User)) or 0)
        if allowed(principal, "read", "user")
        else None,
    }
    return render(request, "home.html", {"counts": counts})


@router.get("/countries", response_class=HTMLResponse)
def countries_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    region: Annotated[str, code_query("A region's name")] = "",
    q: Annotated[str, Query(max_length=SEARCH_MAX_CHARS, description="Name or ISO3 code")] = "",
) -> Response:
    if q.strip() and not region:
        # A name, alias or code that names one country (Burma, mmr, cow:775) goes straight
        # to its hub; anything else filters the list below.
        try:
            found = find_country(session, q.strip())
        except UnknownCountryError:
            pass
        else:
            return RedirectResponse(f"/countries/{found.key}", status_code=303)
    statement = select(Country).order_by(Country.name)
    if region:
        statement = statement.where(Country.region == region)
    rows = read_records(session, principal, "country", statement)
    if q:
        needle = q.casefold()
        rows = [
            row
            for row in rows
            if needle in row["name"].casefold() or needle == (row["iso3"] or "").casefold()
        ]
    regions = sorted(set(session.scalars(select(Country.region))))
    return render(
        request,
        "countries.html",
        {"countries": rows, "regions": regions, "region": region, "q": q},
    )


@router.get("/countries/{key}", response_class=HTMLResponse)
def country_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    """The country hub: risk, assessment, signals, incidents, actors and gaps, each linked."""
    found = country_lookup_in_path(request, session, key)
    # The country found here is the one every part of the hub reads: one lookup per view.
    hub = country_hub(session, principal, found)
    return render(request, "country.html", {"hub": hub, "country": hub.country})


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "read", "data_import")
    rows = read_records(
        session, principal, "data_import", select(DataImport).order_by(DataImport.id.desc())
    )
    return render(request, "data.html", {"imports": rows})
