"""`lens data`: import source files with provenance, list formats and imports, pull sources."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table, progress
from prevention_lens.errors import ImportRejectedError, NotFoundError

if TYPE_CHECKING:
    from prevention_lens.ingest import ImportReport

# The import formats, the store and the source catalogue are imported inside each command, so
# that `lens` starts fast (issue 11, item 3).

app = typer.Typer(help="Import source files with provenance; list formats, imports and sources.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("import")
def import_file(
    source: Annotated[str, typer.Argument(help="Source format; see `lens data formats`.")],
    path: Annotated[
        Path | None,
        typer.Argument(help="File to import (default: the format's file under LENS_SOURCES)."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Import the valid rows and summarise the rest; fails when no row is valid "
            "(default: all or nothing)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a source file: checksum, validate every row, load, and record provenance."""
    from prevention_lens.ingest import get_format, run_import

    import_format = get_format(source)
    try:
        with progress(f"Importing {import_format.title}"):
            report = run_import(
                context.store(),
                context.settings(),
                context.operator(),
                import_format,
                path,
                skip_invalid=skip_invalid,
            )
    except ImportRejectedError as rejected:
        if as_json:
            print_rejected_json(rejected)
        raise
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"Import {report.import_id}: {report.rows_read} rows read from "
        f"{Path(report.file_path).name} "
        f"(sha256 {report.sha256[:12]}…): {report.rows_created} created, "
        f"{report.rows_updated} updated, {report.rows_unchanged} unchanged, "
        f"{report.rows_rejected} rejected.",
        markup=False,
    )
    print_rejected(report)


def print_rejected_json(rejected: ImportRejectedError) -> None:
    """A rejected import for scripts, shaped like the report's `problems` and `rejected`: every
    problem, and the groups (the error itself still goes to stderr, with exit code 2)."""
    print_json(
        {
            "imported": False,
            "file_name": rejected.file,
            "error": str(rejected),
            "problems": [str(problem) for problem in rejected.problems],
            "rejected": [asdict(group) for group in rejected.rejected],
        }
    )


def print_rejected(report: ImportReport) -> None:
    """One line per field and kind of problem: 5,000 rows rejected for one reason are one line."""
    for group in report.rejected:
        rows = ", ".join(str(row) for row in group.rows)
        more = ", …" if group.count > len(group.rows) else ""
        counted = f"{group.count} row" + ("s" if group.count != 1 else "")
        console.print(
            f"  rejected: {group.field or 'row'}: {counted} ({rows}{more}): {group.example}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@app.command("formats")
def formats(as_json: JsonOption = False) -> None:
    """List the source formats `lens data import` understands."""
    from prevention_lens.ingest import available_formats

    rows = [
        {
            "name": item.name,
            "title": item.title,
            "default_path": item.default_path,
            "description": item.description,
            "citation": item.citation,
        }
        for item in available_formats()
    ]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["name", "title", "default_path", "description"])


@app.command("imports")
def imports(as_json: JsonOption = False) -> None:
    """List past imports: file, SHA-256, row counts, who and when."""
    from sqlalchemy import select

    from prevention_lens.store.access import read_records
    from prevention_lens.store.models import DataImport

    with context.store().session() as session:
        rows = read_records(
            session,
            context.operator(),
            "data_import",
            select(DataImport).order_by(DataImport.id.desc()),
        )
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            f"No imports in {context.describe_store()} yet: `lens data import FORMAT` "
            "(formats: `lens data formats`).",
            markup=False,
            highlight=False,
        )
        return
    shown = [
        {
            "id": row["id"],
            "format": row["source_format"],
            "file": row["file_name"],
            "sha256": row["sha256"][:12],
            "read": row["rows_read"],
            "new": row["rows_created"],
            "updated": row["rows_updated"],
            "same": row["rows_unchanged"],
            "by": row["imported_by"],
            "finished": row["finished_at"],
        }
        for row in rows
    ]
    columns = ["id", "format", "file", "sha256", "read", "new", "updated", "same", "by", "finished"]
    print_table(shown, columns, title=f"{len(rows)} imports (--json for every field)")


@app.command("pull")
def pull(
    name: Annotated[
        str | None, typer.Argument(help="One source to download (default: list them all).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the public sources and their terms, or download one into LENS_SOURCES (online)."""
    from prevention_lens.sources.catalog import CATALOG, catalog_entry

    if name is None:
        rows = [
            {
                "name": item.name,
                "title": item.title,
                "publisher": item.publisher,
                "licence": item.licence,
                "folder": item.folder,
                "how": "manual: " + item.landing_page if item.manual else item.download_url,
            }
            for item in CATALOG
        ]
        if as_json:
            print_json(rows)
        else:
            print_table(rows, ["name", "title", "licence", "folder", "how"])
        return
    source = catalog_entry(name)
    if source is None:
        known = ", ".join(item.name for item in CATALOG)
        raise NotFoundError(f"Unknown public source {name!r}; known: {known}.")
    from prevention_lens.sources.download import download

    root = context.settings().require_sources()
    with progress(f"Downloading {source.name} (bytes)") as step:
        saved = download(source, root, progress=lambda done, total: step.update(done, total))
    console.print(f"Saved {saved}")
