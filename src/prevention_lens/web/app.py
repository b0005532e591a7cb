"""The app factory: settings, store, routers, static files, error pages and security headers."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from prevention_lens import __version__
from prevention_lens.errors import AuthenticationError, LensError
from prevention_lens.incidents.evidence import MAX_BYTES
from prevention_lens.settings import Settings, get_settings
from prevention_lens.store import Store, open_store
from prevention_lens.web.deps import CountryMoved
from prevention_lens.web.routers import (
    account,
    actors,
    actors_api,
    api,
    briefs,
    evidence,
    evidence_api,
    incident_reports,
    incidents,
    incidents_api,
    lexicon,
    lexicon_api,
    pages,
    risk,
    risk_api,
    screening,
    signals,
    situations,
    speech,
    speech_api,
    speech_assessments,
    speech_terms,
)
from prevention_lens.web.security import finish_response
from prevention_lens.web.templating import render

STATIC = Path(__file__).parent / "static"
# Every router, in the order they are matched. Tests walk this tuple to check every route's
# parameters and answers.
ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    api.router,
    risk_api.router,
    risk.router,
    incidents_api.router,
    incidents.router,
    incident_reports.router,
    signals.router,
    actors_api.router,
    actors.router,
    evidence_api.router,
    evidence.router,
    lexicon_api.router,
    lexicon_api.reframe_router,
    lexicon.router,
    briefs.api_router,
    briefs.router,
    situations.api_router,
    situations.router,
    screening.api_router,
    screening.router,
    speech_api.router,
    speech_api.score_router,
    speech_terms.api_router,
    speech_assessments.api_router,
    speech_terms.router,
    speech_assessments.router,
    speech.router,
    pages.router,
)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# The largest request body accepted: one evidence file and its form fields.
MAX_REQUEST_BYTES = MAX_BYTES + 2**20
SERVER_ERROR = "Something went wrong on the server; it has been logged."
# The last resort when even the error page cannot be drawn (a broken template, a failed store).
_BARE_ERROR_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error 500 · Prevention '
    f'Lens</title></head><body><h1>500</h1><p>{SERVER_ERROR}</p><p><a href="/">Back to the '
    "start page</a></p></body></html>"
)
log = logging.getLogger(__name__)


def _error_response(request: Request, status: int, message: str) -> Response:
    """An error as JSON under /api and as the error page elsewhere, with the headers every
    response gets: error handlers run where the security middleware may not (see below)."""
    if _wants_json(request):
        response: Response = JSONResponse({"error": message}, status_code=status)
    elif status == 401:
        target = quote(request.url.path)
        response = RedirectResponse(f"/login?next={target}", status_code=303)
    else:
        try:
            response = render(
                request, "error.html", {"status": status, "message": message}, status_code=status
            )
        except Exception:
            log.exception("the error page could not be drawn")
            response = HTMLResponse(_BARE_ERROR_PAGE, status_code=status)
    finish_response(request, response)
    return response


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the web app over the configured (or given) settings and store."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Prevention Lens API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings)
    if not (STATIC / "vendor").is_dir():
        raise LensError(
            "The front-end libraries are missing from web/static/vendor: run `make assets` "
            "(npm ci and copy) first."
        )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # A body declared larger than the largest evidence file is refused before a byte of it
        # is read or spooled to disk; evidence.add_attachment enforces the limit again while
        # streaming, for bodies sent without a length.
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return _error_response(
                request,
                413,
                f"The request is over {MAX_REQUEST_BYTES // 2**20} MiB, the most accepted.",
            )
        response = await call_next(request)
        finish_response(request, response)
        return response

    @app.exception_handler(LensError)
    async def lens_error(request: Request, error: LensError) -> Response:
        if isinstance(error, AuthenticationError) and _wants_json(request):
            return _error_response(request, 401, str(error))
        response = _error_response(request, error.http_status, str(error))
        # Errors that say when to come back (a rate limit) carry `retry_after` in seconds.
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after >= 0:
            response.headers["Retry-After"] = str(math.ceil(retry_after))
        return response

    # Starlette hands any other exception to this handler from its outermost middleware, so
    # neither the security-header middleware nor a route's cleanup has run: the response is
    # finished here. The exception is logged (and re-raised to the server), never shown.
    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return _error_response(request, 500, SERVER_ERROR)

    @app.exception_handler(CountryMoved)
    async def country_moved(request: Request, moved: CountryMoved) -> Response:
        response = RedirectResponse(moved.location, status_code=307)
        finish_response(request, response)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        messages = {404: "Page not found.", 405: "Method not allowed."}
        return _error_response(
            request, error.status_code, messages.get(error.status_code, str(error.detail))
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        return _error_response(request, 422, f"Invalid request: {problems}")

    return app
