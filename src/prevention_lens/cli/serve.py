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
    )
