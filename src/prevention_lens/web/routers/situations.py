"""Situation categories on the web: a country's situation page (the current category, the
suggestion beside it with its reasons, the history, and the analysts' form), the list of
situations by category, and their JSON API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from prevention_lens.briefs.situations import suggest_situation
from prevention_lens.errors import LensError, ValidationError
from prevention_lens.risk.situations import (
    CATEGORIES,
    RATIONALE_MAX_CHARS,
    current_situation,
    list_situations,
    set_situation,
    situation_history,
)
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.models import Country
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
    country_in_path,
)
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["situations"], dependencies=[Depends(verify_csrf)])

CategoryQuery = Annotated[str, code_query("A situation category, e.g. current_crisis")]


class NewSituation(BaseModel):
    category: str = Field(max_length=40, description=", ".join(CATEGORIES))
    rationale: str = Field(max_length=RATIONALE_MAX_CHARS, description="Why (required)")
    effective_on: date | None = Field(default=None, description="Default: today")


def _country_situation(session: Session, principal: Principal, country: Country) -> dict[str, Any]:
    current = current_situation(session, principal, country)
    return {
        "country": country.key,
        "name": country.name,
        "current": current.to_dict() if current else None,
        "suggestion": suggest_situation(session, principal, country).to_dict(),
        "history": [row.to_dict() for row in situation_history(session, principal, country)],
    }


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    country: Country,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    history = situation_history(session, principal, country)
    return render(
        request,
        "situation.html",
        {
            "country": country,
            "current": history[0] if history else None,
            "history": history,
            "suggestion": suggest_situation(session, principal, country),
            "categories": CATEGORIES,
            "can_set": allowed(principal, "set", "country_situation"),
            "rationale_max": RATIONALE_MAX_CHARS,
            "today": date.today().isoformat(),
            "error": error,
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/countries/{key}/situation", response_class=HTMLResponse)
def situation_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    return _page(request, session, principal, country_in_path(request, session, key))


@router.post("/countries/{key}/situation")
async def set_from_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "set", "country_situation")
    country = country_in_path(request, session, key)
    form = await request.form()
    values = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    try:
        raw_day = values.get("effective_on", "").strip()
        try:
            day = date.fromisoformat(raw_day) if raw_day else None
        except ValueError:
            raise ValidationError(
                f"{raw_day!r} is not a date like 2026-12-07", field="effective_on"
            ) from None
        set_situation(
            session,
            principal,
            country,
            values.get("category", ""),
            values.get("rationale", ""),
            day,
        )
    except LensError as error:
        session.rollback()
        return _page(
            request, session, principal, country, error=str(error), values=values, status_code=422
        )
    return RedirectResponse(f"/countries/{country.key}/situation", status_code=303)


@router.get("/situations", response_class=HTMLResponse)
def situations_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, category: CategoryQuery = ""
) -> Response:
    rows = list_situations(session, principal, category or None)
    groups = [
        (item, [row for row in rows if row.category == code])
        for code, item in CATEGORIES.items()
        if any(row.category == code for row in rows)
    ]
    return render(
        request,
        "situations.html",
        {"groups": groups, "categories": CATEGORIES, "category": category},
    )


@api_router.get("/situations")
def situations_api(
    session: DbSession, principal: CurrentPrincipal, category: CategoryQuery = ""
) -> list[dict[str, Any]]:
    """Each country's current situation, gravest category first; countries set to "none" only
    with ``category=none``."""
    return [row.to_dict() for row in list_situations(session, principal, category or None)]


@api_router.get("/countries/{country}/situation")
def country_situation_api(
    country: PathCode, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """A country's current situation, the suggestion beside it with its reasons, and the
    history, newest first."""
    return _country_situation(session, principal, find_country(session, country))


@api_router.post("/countries/{country}/situation", status_code=201)
def set_situation_api(
    country: PathCode, body: NewSituation, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Set a country's situation category (analysts and admins); the earlier ones stay."""
    require(principal, "set", "country_situation")
    found = find_country(session, country)
    return set_situation(
        session, principal, found, body.category, body.rationale, body.effective_on
    ).to_dict()
