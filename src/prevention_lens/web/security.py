"""Who is asking (login cookie or API token), CSRF tokens for forms, and response headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator

from fastapi import Request, Response
from sqlalchemy.orm import Session

from prevention_lens.accounts.tokens import principal_for_api_token, principal_for_login_session
from prevention_lens.errors import AuthenticationError, PermissionDeniedError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal

SESSION_COOKIE = "lens_session"
CSRF_COOKIE = "lens_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def app_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    with app_store(request).session() as session:
        yield session


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_principal(request: Request, session: Session) -> Principal:
    """The principal of this request, remembered on it so every dependency sees the same one."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = ANONYMOUS
    token = bearer_token(request)
    if token is not None:
        found = principal_for_api_token(session, token)
        if found is None:
            raise AuthenticationError("The API token is unknown, revoked or its user disabled.")
        principal = found
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = principal_for_login_session(session, cookie) or ANONYMOUS
    request.state.principal = principal
    return principal


def csrf_token_for(request: Request) -> str:
    """The token a form on this page must send back; bound to the browser's CSRF cookie."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed:
        seed = secrets.token_urlsafe(32)
        request.state.csrf_seed = seed
    key = app_settings(request).signing_key()
    return hmac.new(key, seed.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, submitted: str | None) -> None:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not submitted:
        raise PermissionDeniedError("The form's security token is missing; reload the page.")
    key = app_settings(request).signing_key()
    expected = hmac.new(key, seed.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, submitted):
        raise PermissionDeniedError("The form's security token is wrong; reload the page.")


async def verify_csrf(request: Request) -> None:
    """Dependency: unsafe requests made with the login cookie must carry the CSRF token."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    submitted = request.headers.get(CSRF_HEADER)
    form = None
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    try:
        check_csrf(request, submitted)
    except Exception:
        # A refused upload's spooled files are closed here; nothing else will read them.
        if form is not None:
            await form.close()
        raise


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    """An HttpOnly, SameSite=Lax cookie; Secure as LENS_COOKIE_SECURE says.

    Browsers do not send Secure cookies back over plain http, not even to 127.0.0.1, so
    "auto" marks them Secure only when the request itself came over HTTPS.
    """
    mode = app_settings(request).cookie_secure
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=mode == "always" or (mode == "auto" and is_https(request)),
        samesite="lax",
        path="/",
    )


def is_personal(request: Request, response: Response) -> bool:
    """Whether the answer may hold what only this reader may see, or set their cookies.

    Any request that presents credentials (a login cookie or an API token, valid or not) or was
    answered for an authenticated principal counts, so a new route is covered without saying
    so. Static files are the same for everyone."""
    if request.url.path.startswith("/static/"):
        return False
    principal: Principal | None = getattr(request.state, "principal", None)
    return (
        (principal is not None and principal.is_authenticated)
        or bearer_token(request) is not None
        or SESSION_COOKIE in request.cookies
        or "set-cookie" in response.headers
    )


def finish_response(request: Request, response: Response) -> None:
    """Headers every response gets, and the CSRF cookie when this request created one."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and seed != request.cookies.get(CSRF_COOKIE):
        set_cookie(request, response, CSRF_COOKIE, seed)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if is_personal(request, response):
        # Restricted pages, exports and API answers must not outlive the session in a
        # browser's cache, on a shared computer, or in a proxy between reader and server.
        response.headers["Cache-Control"] = "no-store"
    elif not request.url.path.startswith("/static/"):
        # A public page may be cached, but never served to someone who is logged in.
        response.headers.setdefault("Vary", "Cookie, Authorization")
