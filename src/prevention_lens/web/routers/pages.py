"""The HTML pages: home, the product's sections, countries, and the data imports page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select

from prevention_lens import __version__
from prevention_lens.errors import NotFoundError
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.store.access import allowed, read_record, read_records, require
from prevention_lens.store.models import Country, DataImport, User
from prevention_lens.store.reference import stored_reference
from prevention_lens.web.deps import (
    SEARCH_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
)
from prevention_lens.web.security import app_store
from prevention_lens.web.templating import render

router = APIRouter(include_in_schema=False)

COUNTRY_ALERTS = 5  # escalation alerts shown on a country page

SECTIONS = {
    "evidence": "Evidence",
    "briefs": "Briefs",
}


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
    record = session.scalar(select(Country).where(Country.key == key.upper()))
    country = read_record(session, principal, "country", record, repr(key))
    reference = stored_reference(session)
    aliases = reference.by_key(country["key"]).aliases
    related = [
        read_record(session, principal, "country", other, other.key)
        for other in session.scalars(
            select(Country).where(
                (Country.successor_key == country["key"])
                | (Country.key == (country["successor_key"] or ""))
            )
        )
    ]
    # Escalation alerts from the records this reader may see, the latest first.
    alerts = sorted(
        alerts_for(session, principal, country=country["key"]),
        key=lambda alert: alert["month"],
        reverse=True,
    )
    return render(
        request,
        "country.html",
        {
            "country": country,
            "aliases": aliases,
            "related": related,
            "alerts": alerts[:COUNTRY_ALERTS],
            "alert_count": len(alerts),
        },
    )


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "read", "data_import")
    rows = read_records(
        session, principal, "data_import", select(DataImport).order_by(DataImport.id.desc())
    )
    return render(request, "data.html", {"imports": rows})


@router.get("/{section}", response_class=HTMLResponse)
def section_page(request: Request, principal: CurrentPrincipal, section: PathCode) -> Response:
    if section not in SECTIONS:
        raise NotFoundError("Page not found.")
    return render(request, f"section_{section}.html", {"title": SECTIONS[section]})
