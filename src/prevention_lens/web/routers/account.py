"""Logging in (password, then a code or enrolment when due) and out, two-factor settings, and
the admin's user management pages."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prevention_lens.accounts import login as login_steps
from prevention_lens.accounts import throttle, two_factor, users
from prevention_lens.accounts.passwords import verify_password_off_loop
from prevention_lens.accounts.tokens import end_login_session, start_login_session
from prevention_lens.errors import (
    AuthenticationError,
    LensError,
    TooManyRequestsError,
    ValidationError,
)
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import Principal, Role, require
from prevention_lens.store.models import User
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    PASSWORD_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    PathCode,
)
from prevention_lens.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    app_settings,
    app_store,
    set_cookie,
    verify_csrf,
)
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# Where to go after login: a path on this site, query string included.
NEXT_MAX_CHARS = 2_000
Next = Annotated[str, Form(max_length=NEXT_MAX_CHARS)]
NextQuery = Annotated[str, Query(max_length=NEXT_MAX_CHARS)]
Username = Annotated[str, Form(max_length=CODE_MAX_CHARS)]
Password = Annotated[str, Form(max_length=PASSWORD_MAX_CHARS)]
# A TOTP code (6 digits) or a recovery code (10 characters), with room for spaces and dashes.
Code = Annotated[str, Form(max_length=64)]
RoleName = Annotated[str, Form(max_length=CODE_MAX_CHARS)]

# The open second step of a login (after the right password); random, stored as a digest.
STEP_COOKIE = "lens_login_step"


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a link send a fresh login elsewhere.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _client(request: Request) -> str | None:
    # The peer address, or the one a trusted proxy forwarded (LENS_FORWARDED_ALLOW_IPS).
    return request.client.host if request.client else None


def _no_store(response: Response) -> Response:
    # Pages that show a secret or recovery codes must not stay in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(
    request: Request,
    template: str,
    error: TooManyRequestsError,
    context: Mapping[str, object],
) -> Response:
    message = f"{error} Try again in {error.retry_after} seconds."
    response = render(request, template, {**context, "error": message}, status_code=429)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _logged_in(request: Request, store: Store, principal: Principal, target: str) -> Response:
    settings = app_settings(request)
    with store.session() as session:
        token = start_login_session(session, principal, settings.session_hours)
    response = RedirectResponse(_safe_next(target), status_code=303)
    _set_session(request, response, token, settings)
    return response


def _set_session(request: Request, response: Response, token: str, settings: Settings) -> None:
    set_cookie(request, response, SESSION_COOKIE, token, max_age=settings.session_hours * 3600)
    # A new CSRF seed at login, so a token planted before login is worthless after it.
    set_cookie(request, response, CSRF_COOKIE, secrets.token_urlsafe(32))
    set_cookie(request, response, STEP_COOKIE, "", max_age=0)


def _second_step(
    request: Request, store: Store, result: login_steps.LoginResult, target: str
) -> Response:
    settings = app_settings(request)
    if result.step == "done":
        return _logged_in(request, store, result.principal, target)
    with store.session() as session:
        token = login_steps.start_second_step(session, settings, result.principal, result.step)
    response = RedirectResponse(
        f"/login/{result.step}?next={quote(_safe_next(target))}", status_code=303
    )
    set_cookie(request, response, STEP_COOKIE, token, max_age=settings.login_code_minutes * 60)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: CurrentPrincipal, next: NextQuery = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(
    request: Request,
    username: Username,
    password: Password,
    next: Next = "/",
) -> Response:
    # Async, with the database in the thread pool and argon2 in a few worker threads: a flood
    # of wrong passwords queues for the hash without holding a thread or the event loop, so
    # /healthz and the pages keep answering.
    store, settings = app_store(request), app_settings(request)
    context = {"next": _safe_next(next), "username": username}
    try:
        attempt = await run_in_threadpool(
            login_steps.begin, store, settings, username, _client(request)
        )
        ok = await verify_password_off_loop(attempt.stored_hash, password, settings.hash_threads)
        result = await run_in_threadpool(login_steps.finish, store, settings, attempt, ok)
    except TooManyRequestsError as error:
        # A tarpit: a client retrying in a loop waits here (holding no thread) instead of
        # getting hundreds of cheap refusals a second, each of which would still cost CPU.
        await anyio.sleep(min(settings.login_refusal_pause_seconds, error.retry_after))
        return _refused(request, "login.html", error, context)
    except AuthenticationError as error:
        return render(request, "login.html", {**context, "error": str(error)}, status_code=401)
    return await run_in_threadpool(_second_step, request, store, result, next)


@router.get("/login/code", response_class=HTMLResponse)
def code_page(request: Request, next: NextQuery = "/") -> Response:
    if not request.cookies.get(STEP_COOKIE):
        return RedirectResponse(f"/login?next={quote(_safe_next(next))}", status_code=303)
    return render(request, "login_2fa.html", {"mode": "code", "next": _safe_next(next)})


@router.post("/login/code")
def submit_code(request: Request, code: Code, next: Next = "/") -> Response:
    store, settings = app_store(request), app_settings(request)
    context = {"mode": "code", "next": _safe_next(next)}
    try:
        principal = login_steps.complete_code_step(
            store, settings, request.cookies.get(STEP_COOKIE, ""), code, _client(request)
        )
    except TooManyRequestsError as error:
        return _refused(request, "login_2fa.html", error, context)
    except AuthenticationError as error:
        return render(request, "login_2fa.html", {**context, "error": str(error)}, 401)
    return _logged_in(request, store, principal, next)


def _enrolment_context(request: Request, store: Store, next: str) -> dict[str, object]:
    with store.session() as session:
        user, secret = login_steps.enrolment_secret(session, request.cookies.get(STEP_COOKIE, ""))
        uri = two_factor.provisioning_uri(user)
    return {"mode": "enrol", "next": _safe_next(next), "secret": secret, "uri": uri}


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_page(request: Request, next: NextQuery = "/") -> Response:
    try:
        context = _enrolment_context(request, app_store(request), next)
    except AuthenticationError:
        return RedirectResponse(f"/login?next={quote(_safe_next(next))}", status_code=303)
    return _no_store(render(request, "login_2fa.html", context))


@router.post("/login/enrol")
def submit_enrolment(request: Request, code: Code, next: Next = "/") -> Response:
    store, settings = app_store(request), app_settings(request)
    token = request.cookies.get(STEP_COOKIE, "")
    try:
        principal, codes = login_steps.complete_enrolment_step(
            store, settings, token, code, _client(request)
        )
    except TooManyRequestsError as error:
        return _no_store(
            _refused(request, "login_2fa.html", error, _enrolment_context(request, store, next))
        )
    except ValidationError as error:
        context = {**_enrolment_context(request, store, next), "error": str(error)}
        return _no_store(render(request, "login_2fa.html", context, status_code=422))
    except AuthenticationError as error:
        context = {"mode": "code", "next": _safe_next(next), "error": str(error)}
        return render(request, "login_2fa.html", context, status_code=401)
    with store.session() as session:
        session_token = start_login_session(session, principal, settings.session_hours)
    request.state.principal = principal
    response = render(
        request, "login_2fa.html", {"mode": "codes", "codes": codes, "next": _safe_next(next)}
    )
    _set_session(request, response, session_token, settings)
    return _no_store(response)


# --- two-factor settings of the logged-in user ----------------------------------------------


def _me(session: DbSession, principal: Principal) -> User:
    if principal.user_id is None:
        raise AuthenticationError("Log in to change your two-factor login.")
    user = session.get(User, principal.user_id)
    if user is None:
        raise AuthenticationError("Log in to change your two-factor login.")
    return user


def _account_page(
    request: Request,
    session: DbSession,
    user: User,
    error: str | None = None,
    codes: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    pending = user.totp_secret is not None and not two_factor.is_enabled(user)
    context = {
        "enabled": two_factor.is_enabled(user),
        "required": two_factor.is_required(session, user),
        "codes_left": two_factor.recovery_codes_left(session, user),
        "secret": user.totp_secret if pending else None,
        "uri": two_factor.provisioning_uri(user) if pending else None,
        "codes": codes,
        "error": error,
    }
    return _no_store(render(request, "account_2fa.html", context, status_code=status_code))


@router.get("/account/two-factor", response_class=HTMLResponse)
def two_factor_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    return _account_page(request, session, _me(session, principal))


@router.post("/account/two-factor/start")
def two_factor_start(session: DbSession, principal: CurrentPrincipal) -> Response:
    user = _me(session, principal)
    two_factor.begin_enrolment(session, principal, user)
    return RedirectResponse("/account/two-factor", status_code=303)


@router.post("/account/two-factor/confirm")
def two_factor_confirm(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: Code
) -> Response:
    user = _me(session, principal)
    try:
        codes = two_factor.confirm_enrolment(session, principal, user, code)
    except ValidationError as error:
        return _account_page(request, session, user, error=str(error), status_code=422)
    return _account_page(request, session, user, codes=codes)


def _code_checked(request: Request, session: DbSession, user: User, code: str) -> Response | None:
    """None when ``code`` is right; else the page to answer with. Throttled like logins."""
    settings = app_settings(request)
    refusal = throttle.check_and_count(session, settings, user.username, _client(request))
    if refusal is not None:
        response = _account_page(
            request,
            session,
            user,
            error=f"{refusal} Try again in {refusal.retry_after} seconds.",
            status_code=429,
        )
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    if two_factor.verify_code(session, user, code) is None:
        return _account_page(request, session, user, error="Wrong code.", status_code=422)
    throttle.forgive(session, settings, user.username, _client(request))
    return None


@router.post("/account/two-factor/recovery-codes")
def two_factor_new_codes(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: Code
) -> Response:
    user = _me(session, principal)
    if (refused := _code_checked(request, session, user, code)) is not None:
        return refused
    codes = two_factor.new_recovery_codes(session, principal, user)
    return _account_page(request, session, user, codes=codes)


@router.post("/account/two-factor/disable")
def two_factor_disable(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: Code
) -> Response:
    user = _me(session, principal)
    if (refused := _code_checked(request, session, user, code)) is not None:
        return refused
    two_factor.disable(session, principal, user)
    return RedirectResponse("/account/two-factor", status_code=303)


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
    username: Username,
    password: Password,
    role: RoleName,
    display_name: Annotated[str, Form(max_length=120)] = "",
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
    username: PathCode,
    role: RoleName,
) -> Response:
    users.set_role(session, principal, username, Role.parse(role))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/active")
def change_active(
    session: DbSession,
    principal: CurrentPrincipal,
    username: PathCode,
    active: Annotated[bool, Form()],
) -> Response:
    users.set_active(session, principal, username, active)
    return RedirectResponse("/admin/users", status_code=303)
