"""The app factory: settings, store, routers, static files, error pages and security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from prevention_lens import __version__
from prevention_lens.errors import AuthenticationError, LensError
from prevention_lens.settings import Settings, get_settings
from prevention_lens.store import Store, open_store
from prevention_lens.web.routers import (
    account,
    actors,
    actors_api,
    api,
    incidents,
    incidents_api,
    pages,
    risk,
    risk_api,
    signals,
)
from prevention_lens.web.security import finish_response
from prevention_lens.web.templating import render

STATIC = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        response: Response = JSONResponse({"error": message}, status_code=status)
    elif status == 401:
        target = quote(request.url.path)
        response = RedirectResponse(f"/login?next={target}", status_code=303)
    else:
        response = render(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
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
    # The pages router ends with a catch-all section route, so it comes last.
    app.include_router(account.router)
    app.include_router(api.router)
    app.include_router(risk_api.router)
    app.include_router(risk.router)
    app.include_router(incidents_api.router)
    app.include_router(incidents.router)
    app.include_router(signals.router)
    app.include_router(actors_api.router)
    app.include_router(actors.router)
    app.include_router(pages.router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        finish_response(request, response)
        return response

    @app.exception_handler(LensError)
    async def lens_error(request: Request, error: LensError) -> Response:
        if isinstance(error, AuthenticationError) and _wants_json(request):
            return _error_response(request, 401, str(error))
        return _error_response(request, error.http_status, str(error))

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
