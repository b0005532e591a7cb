"""`lens db`: create or migrate the store and show where it is."""

from __future__ import annotations

from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record
from prevention_lens.store import Store
from prevention_lens.store.engine import describe_url
from prevention_lens.store.reference import sync_country_reference

app = typer.Typer(help="Create, migrate and inspect the store.")


@app.command()
def upgrade() -> None:
    """Create the store or migrate it to the latest schema, and load the country reference."""
    store = Store(context.settings().store_url)
    store.migrate()
    with store.session() as session:
        changed = sync_country_reference(session)
    console.print(
        f"{describe_url(store.url)} is at revision {store.current_revision()}"
        + (" (country reference updated)." if changed else ".")
    )


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show which database is in use and whether its schema is current."""
    store = Store(context.settings().store_url)
    store.check_connection()
    current, head = store.current_revision(), store.head_revision()
    info = {
        "database": describe_url(store.url),
        "backend": store.backend,
        "revision": current,
        "latest_revision": head,
        "up_to_date": current == head,
    }
    if as_json:
        print_json(info)
    else:
        print_record(info, title="Store")
