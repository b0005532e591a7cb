"""`lens serve`: run the web app."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.settings import Settings


def uvicorn_options(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    forwarded_allow_ips: str | None = None,
) -> dict[str, Any]:
    """How uvicorn is started: the command's options over the settings."""
    trusted = (
        settings.forwarded_allow_ips if forwarded_allow_ips is None else forwarded_allow_ips
    ).strip()
    return {
        "factory": True,
        "host": host or settings.host,
        "port": port or settings.port,
        "workers": workers or settings.workers,
        "log_level": settings.log_level,
        # The client address is what login throttling and the public forms' rate limits key
        # on. Only a configured proxy may replace it with X-Forwarded-For; with none configured
        # the headers are not read at all (uvicorn would otherwise trust 127.0.0.1, and anyone
        # on the machine or behind a local tunnel could pick a fresh address per request).
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }


def serve(
    host: Annotated[str | None, typer.Option(help="Address (default LENS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default LENS_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default LENS_WORKERS).")
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help=(
                "Proxies whose X-Forwarded-For is trusted (default LENS_FORWARDED_ALLOW_IPS: "
                "none). Set it behind a reverse proxy."
            )
        ),
    ] = None,
) -> None:
    """Serve the web app (default http://127.0.0.1:8000)."""
    settings = context.settings()
    import uvicorn

    from prevention_lens.ingest.shipped import load_shipped_content

    # Migrate and load the shipped evidence library and lexicon once here, before workers
    # start, so they never race to do it and a new store shows both from its first page.
    load_shipped_content(context.store())
    uvicorn.run(
        "prevention_lens.web.app:create_app",
        **uvicorn_options(settings, host, port, workers, forwarded_allow_ips),
    )
