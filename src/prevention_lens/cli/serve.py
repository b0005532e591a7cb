"""`lens serve`: run the web app."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from prevention_lens.cli import context


def serve(
    host: Annotated[str | None, typer.Option(help="Address (default LENS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default LENS_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default LENS_WORKERS).")
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies whose X-Forwarded-For is trusted (default LENS_FORWARDED_ALLOW_IPS)."
        ),
    ] = None,
) -> None:
    """Serve the web app (default http://127.0.0.1:8000)."""
    settings = context.settings()
    context.store()  # migrate once here, before workers start, so they never race to do it
    uvicorn.run(
        "prevention_lens.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        # Behind a trusted proxy the client's own address (which rate limits key on) is the one
        # the proxy forwards; anyone else's forwarded headers are ignored.
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
    )
