"""The JSON API under /api/v1. Every record is read through the store's access policy."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from prevention_lens import __version__
from prevention_lens.accounts import users
from prevention_lens.briefs.hub import country_hub
from prevention_lens.countries import SCHEMES
from prevention_lens.errors import ValidationError
from prevention_lens.ingest import available_formats
from prevention_lens.store.access import Role, read_record, read_records, require
from prevention_lens.store.models import AuditEntry, Country, DataImport
from prevention_lens.store.reference import find_country, stored_reference
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    PASSWORD_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
    country_in_path,
    country_lookup_in_path,
)
from prevention_lens.web.security import verify_csrf

router = APIRouter(prefix="/api/v1", dependencies=[Depends(verify_csrf)])

Record = dict[str, Any]


class NewUser(BaseModel):
    username: str = Field(max_length=CODE_MAX_CHARS, description="Login name")
    password: str = Field(max_length=PASSWORD_MAX_CHARS, description="At least 10 characters")
    role: str = Field(
        default="contributor",
        max_length=CODE_MAX_CHARS,
        description="public, contributor, analyst, admin",
    )
    display_name: str = Field(default="", max_length=CODE_MAX_CHARS)


class UserChange(BaseModel):
    role: str | None = Field(default=None, max_length=CODE_MAX_CHARS)
    is_active: bool | None = None


@router.get("", tags=["meta"])
def api_index() -> Record:
    """The API's version and where its OpenAPI document is."""
    return {
        "name": "Prevention Lens API",
        "version": __version__,
        "openapi": "/api/v1/openapi.json",
    }


@router.get("/me", tags=["accounts"])
def me(principal: CurrentPrincipal) -> Record:
    """Who the request is authenticated as."""
    return {
        "username": principal.username,
        "role": principal.role.label,
        "authenticated": principal.is_authenticated,
    }


@router.get("/countries", tags=["countries"])
def list_countries(
    session: DbSession,
    principal: CurrentPrincipal,
    region: Annotated[str | None, code_query("A region's name")] = None,
    on: Annotated[date | None, Query(description="Only countries existing on this date")] = None,
) -> list[Record]:
    """The country reference, with codes in every scheme."""
    statement = select(Country).order_by(Country.name)
    if region:
        statement = statement.where(Country.region == region)
    rows = read_records(session, principal, "country", statement)
    if on is not None:
        rows = [
            row
            for row in rows
            if (row["start_date"] is None or row["start_date"] <= on)
            and (row["end_date"] is None or on <= row["end_date"])
        ]
    return rows


@router.get("/countries/resolve", tags=["countries"])
def resolve_country(
    q: Annotated[str, code_query("Name, alias or code (e.g. Burma, MMR, cow:775)")],
    session: DbSession,
    principal: CurrentPrincipal,
    scheme: Annotated[str | None, code_query(", ".join(SCHEMES))] = None,
    on: date | None = None,
) -> Record:
    """Resolve a name or code to one country; 404 with suggestions when it does not resolve."""
    if scheme is not None and scheme not in SCHEMES:
        raise ValidationError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    record = find_country(session, q, scheme=scheme, on=on)
    return read_record(session, principal, "country", record, record.key) | {
        "aliases": list(stored_reference(session).by_key(record.key).aliases)
    }


@router.get("/countries/{key}", tags=["countries"])
def get_country(
    key: PathCode, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """One country by its key (ISO3 for current countries); another name or code redirects."""
    record = country_in_path(request, session, key)
    return read_record(session, principal, "country", record, record.key)


@router.get("/countries/{key}/hub", tags=["countries"])
def get_country_hub(
    key: PathCode, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """The country hub: latest risk, Framework assessment, signals, incidents, speech
    monitoring, actors and coverage gap, each with its page's URL; only what the reader may
    see."""
    found = country_lookup_in_path(request, session, key)
    return country_hub(session, principal, found).to_dict()


@router.get("/users", tags=["accounts"])
def list_users(session: DbSession, principal: CurrentPrincipal) -> list[Record]:
    """Users and their roles (admins only)."""
    return users.list_users(session, principal)


@router.post("/users", tags=["accounts"], status_code=201)
def add_user(body: NewUser, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Add a user (admins only)."""
    user = users.add_user(
        session, principal, body.username, body.password, Role.parse(body.role), body.display_name
    )
    return read_record(session, principal, "user", user, body.username)


@router.patch("/users/{username}", tags=["accounts"])
def change_user(
    username: PathCode, body: UserChange, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Change a user's role or enable/disable them (admins only)."""
    # Permission before anything that looks at the user or the body: whoever may not change
    # users gets the same answer whether or not the name exists (no enumeration).
    require(principal, "update", "user")
    role = Role.parse(body.role) if body.role is not None else None
    user = users.get_user(session, username)
    if role is not None:
        user = users.set_role(session, principal, username, role)
    if body.is_active is not None:
        user = users.set_active(session, principal, username, body.is_active)
    return read_record(session, principal, "user", user, username)


@router.get("/imports", tags=["data"])
def list_imports(session: DbSession, principal: CurrentPrincipal) -> list[Record]:
    """Past imports with file, SHA-256, row counts, who and when (analysts and admins)."""
    statement = select(DataImport).order_by(DataImport.id.desc())
    return read_records(session, principal, "data_import", statement)


@router.get("/formats", tags=["data"])
def list_formats() -> list[Record]:
    """The source formats the importer understands."""
    return [
        {
            "name": item.name,
            "title": item.title,
            "description": item.description,
            "citation": item.citation,
            "default_path": item.default_path,
        }
        for item in available_formats()
    ]


@router.get("/audit", tags=["accounts"])
def audit_log(
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Record]:
    """The latest audit-log entries (admins only)."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    return read_records(session, principal, "audit_entry", statement)
