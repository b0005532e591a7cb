"""`lens db`: create or migrate the store, show where it is, and check it whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

# The store and domain modules are imported inside each command: `lens` starts in well under
# half a second only when a command loads just what it uses (issue 11, item 3).

app = typer.Typer(help="Create, migrate, inspect and check the store.")


@app.command()
def upgrade() -> None:
    """Create the store or migrate it to the latest schema, load the country reference, the
    evidence library's shipped entries, the sector lexicon and the verified hate-speech terms,
    and reseal incident records whose custody entries hold an older digest."""
    from prevention_lens.incidents import custody
    from prevention_lens.ingest.shipped import load_shipped_content
    from prevention_lens.store import Store
    from prevention_lens.store.engine import describe_url
    from prevention_lens.store.reference import sync_country_reference

    store = Store(context.settings().store_url)
    try:
        store.migrate()
        with store.session() as session:
            changed = sync_country_reference(session)
        shipped = load_shipped_content(store)
        library, lexicon = shipped.library, shipped.lexicon
        with store.session() as session:
            resealed = custody.reseal(session, context.operator().username)
        revision = store.current_revision()
    finally:
        store.dispose()
    console.print(
        f"{describe_url(store.url)} is at revision {revision}"
        + (" (country reference updated)." if changed else ".")
    )
    if library.created or library.updated:
        console.print(
            f"Evidence library: {library.created} shipped entries added, {library.updated} "
            f"updated ({library.unchanged} unchanged)."
        )
    for skipped in library.skipped:
        typer.echo(f"shipped evidence entry not loaded: {skipped}", err=True)
    if lexicon.created or lexicon.updated:
        console.print(
            f"Sector lexicon: {lexicon.created} concepts added, {lexicon.updated} updated "
            f"({lexicon.unchanged} unchanged)."
        )
    added, updated, unchanged = shipped.speech_terms
    if added or updated:
        console.print(
            f"Hate-speech lexicon: {added} verified terms added, {updated} updated "
            f"({unchanged} unchanged)."
        )
    if lexicon.kept_edited:
        console.print(
            f"Sector lexicon: {len(lexicon.kept_edited)} concepts changed by admins keep their "
            "changes."
        )
    if resealed.resealed:
        count = len(resealed.resealed)
        console.print(
            f"Resealed {count} incident record{'s' if count != 1 else ''} with custody digest "
            f"version {custody.DIGEST_VERSION}."
        )
    for problem in resealed.refused:
        # Sealing these would hide a change made outside the application: they keep their
        # old seal, and `lens db check` and `lens incidents verify-custody` go on naming them.
        typer.echo(f"not resealed: {problem.message}", err=True)


def store_counts(session: Session) -> dict[str, int]:
    """What the store holds, in the figures a newcomer checks first."""
    from sqlalchemy import func, select

    from prevention_lens.store.models import (
        Actor,
        BacktestRecord,
        ForecastRun,
        Incident,
        LexiconConcept,
        LibraryEntry,
        User,
    )

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return {
        "forecast_runs": count(ForecastRun),
        "backtests": count(BacktestRecord),
        "incidents": count(Incident),
        "actors": count(Actor, Actor.dataset == "real"),
        "example_actors": count(Actor, Actor.dataset == "example"),
        "library_entries": count(LibraryEntry, LibraryEntry.status == "published"),
        "lexicon_concepts": count(LexiconConcept),
        "users": count(User),
    }


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show which store every command uses, where that choice came from (a LENS_* variable,
    .env or the default), whether its schema is current, and what it holds. Creates nothing."""
    from prevention_lens.store import Store
    from prevention_lens.store.engine import describe_url, sqlite_file

    settings = context.settings()
    url = settings.store_url
    file = sqlite_file(url)
    info: dict[str, object] = {
        "database": describe_url(url),
        "chosen_by": settings.origin("database_url" if settings.database_url else "home"),
        "home": str(settings.home),
        "exists": file is None or file.exists(),
    }
    if settings.database_url:  # the home still holds the secret key and the evidence files
        info["home_from"] = settings.origin("home")
    if info["exists"]:
        store = Store(url)
        try:
            store.check_connection()
            current, head = store.current_revision(), store.head_revision()
            info |= {
                "backend": store.backend,
                "revision": current,
                "latest_revision": head,
                "up_to_date": current == head,
            }
            if current == head:
                with store.session() as session:
                    info |= store_counts(session)
        finally:
            store.dispose()
    if as_json:
        print_json(info)
        return
    print_record(info, title="Store")
    if not info["exists"]:
        console.print(
            f"There is no store at {file} yet: `make demo` fills one with the real data, "
            "`lens db upgrade` creates an empty one.",
            markup=False,
            highlight=False,
        )
    elif not info["up_to_date"]:
        console.print("The schema is not current: run `lens db upgrade`.", markup=False)


def _unreadable(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Check the whole store: the database (reachable, schema at the latest migration and as
    the models say, SQLite integrity or PostgreSQL indexes and constraints, rows pointing
    nowhere), the custody chain, and the evidence files. One line per problem; exit code 1
    when there is any. Changes nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from prevention_lens.incidents import custody
    from prevention_lens.incidents.evidence import evidence_root
    from prevention_lens.incidents.evidence_files import check_evidence_files
    from prevention_lens.store.engine import describe_url
    from prevention_lens.store.integrity import check_store

    settings = context.settings()
    checked = check_store(settings.store_url)
    problems = [(problem.check, problem.check, problem.message) for problem in checked.problems]
    chain: dict[str, object] | None = None
    originals: int | None = None
    if checked.store is not None:  # reachable and at the latest schema
        try:
            with checked.store.session() as session:
                report = custody.verify(session)
                files = check_evidence_files(session, evidence_root(settings.home))
            chain = {k: v for k, v in report.to_dict().items() if k != "problems"}
            originals = files.originals
            problems += [("custody", p.kind, p.message) for p in report.problems]
            problems += [("evidence", p.kind, p.message) for p in files.problems]
        except SQLAlchemyError as error:
            message = f"the store's records cannot be read: {_unreadable(error)}"
            problems.append(("integrity", "integrity", message))
        finally:
            checked.store.dispose()
    if as_json:
        print_json(
            {
                "ok": not problems,
                "database": describe_url(settings.store_url),
                "backend": checked.backend,
                "revision": checked.revision,
                "checks": checked.checks,
                "custody": chain,
                "evidence_files": originals,
                "problems": [
                    {"check": area, "kind": kind, "message": message}
                    for area, kind, message in problems
                ],
            }
        )
    elif problems:
        # Plain print, not Rich: one line per problem, unwrapped, for grep and wc -l.
        for area, kind, message in problems:
            print(f"{area if kind == area else f'{area} {kind}'}: {message}")
    elif chain is not None:
        print(
            f"No problems: {describe_url(settings.store_url)} at revision {checked.revision} "
            f"({', '.join(checked.checks)}); custody chain intact, {chain['entries']} entries, "
            f"head {chain['head_seq']} sha256 {chain['head_hash']}; {originals} evidence files."
        )
    if problems:
        raise typer.Exit(1)
