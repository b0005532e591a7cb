"""Logging in and out, and the admin's user management pages."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prevention_lens.accounts import users
from prevention_lens.accounts.tokens import end_login_session, start_login_session
from prevention_lens.errors import AuthenticationError, LensError
from prevention_lens.store.access import Role, require
from prevention_lens.web.deps import CurrentPrincipal, DbSession
from prevention_lens.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    app_settings,
    set_cookie,
    verify_csrf,
)
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a link send a fresh login elsewhere.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: CurrentPrincipal, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        principal = users.authenticate(session, username, password)
    except AuthenticationError as error:
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": str(error), "username": username},
            status_code=401,
        )
    settings = app_settings(request)
    token = start_login_session(session, principal, settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=settings.session_hours * 3600)
    # A new CSRF seed at login, so a token planted before login is worthless after it.
    set_cookie(request, response, CSRF_COOKIE, secrets.token_urlsafe(32))
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    if cookie := request.cookies.get(SESSION_COOKIE):
        end_login_session(session, cookie)
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, "", max_age=0)
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    rows = users.list_users(session, principal)
    return render(
        request,
        "admin_users.html",
        {"users": rows, "roles": [r.label for r in Role], "error": None},
    )


@router.post("/admin/users")
def add_user(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
) -> Response:
    require(principal, "create", "user")
    try:
        users.add_user(session, principal, username, password, Role.parse(role), display_name)
    except LensError as error:
        session.rollback()
        rows = users.list_users(session, principal)
        return render(
            request,
            "admin_users.html",
            {"users": rows, "roles": [r.label for r in Role], "error": str(error)},
            status_code=error.http_status,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/role")
def change_role(
    session: DbSession,
    principal: CurrentPrincipal,
    username: str,
    role: Annotated[str, Form()],
) -> Response:
    users.set_role(session, principal, username, Role.parse(role))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/active")
def change_active(
    session: DbSession,
    principal: CurrentPrincipal,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    users.set_active(session, principal, username, active)
    return RedirectResponse("/admin/users", status_code=303)
