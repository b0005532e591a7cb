"""`lens evidence import`, `review` and `add`: references imported from Zotero, EndNote or the
library's CSV, or added one by hand from YAML, arrive as drafts; admins publish, reject or
unpublish them, and the list of drafts says what each still lacks.

The library, the import runner and YAML load inside the commands that need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.evidence_common import JsonOption, count_entries, entry_id, say
from prevention_lens.cli.output import print_json, print_table, progress
from prevention_lens.errors import ValidationError
from prevention_lens.yamlfile import read_yaml_mapping

# `--format` of `lens evidence import`, and the ingest format each one runs.
IMPORT_FORMATS = {"csv": "evidence-csv", "bibtex": "evidence-bibtex", "ris": "evidence-ris"}
# What `--format auto` reads off a file's name.
SUFFIXES = {".csv": "csv", ".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris"}
DECISION_FLAGS = ("publish", "reject", "unpublish")


def register(app: typer.Typer) -> None:
    """Add the curation commands to the `lens evidence` group."""
    app.command("import")(import_command)
    app.command()(review)
    app.command()(add)


def _import_format(path: Path, fmt: str) -> str:
    """The ingest format to run for `--format` (auto: from the file's name, then its start)."""
    if fmt != "auto":
        if fmt not in IMPORT_FORMATS:
            raise ValidationError(
                f"unknown format {fmt!r}; choose from auto, {', '.join(IMPORT_FORMATS)}",
                field="--format",
            )
        return IMPORT_FORMATS[fmt]
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return IMPORT_FORMATS[SUFFIXES[suffix]]
    if path.is_file():
        with path.open(encoding="utf-8", errors="replace") as handle:
            start = handle.read(2000).lstrip("\ufeff \t\r\n")
        if start.startswith("@"):
            return IMPORT_FORMATS["bibtex"]
        if start.startswith("TY  -"):
            return IMPORT_FORMATS["ris"]
    raise ValidationError(
        "cannot tell the format from the file's name (.csv, .bib or .ris) or its start; "
        "give --format csv, bibtex or ris",
        file=str(path),
    )


def import_command(
    path: Annotated[Path, typer.Argument(help="A CSV, BibTeX (.bib) or RIS (.ris) file.")],
    fmt: Annotated[
        str,
        typer.Option("--format", help="auto (from the file's name or start), csv, bibtex or ris."),
    ] = "auto",
    as_json: JsonOption = False,
) -> None:
    """Import references (Zotero, EndNote or the library's CSV) as drafts for admin review;
    a file with a bad entry writes nothing."""
    from prevention_lens.cli.data import print_rejected
    from prevention_lens.ingest.catalog import get_format
    from prevention_lens.ingest.runner import run_import

    import_format = get_format(_import_format(path, fmt))
    with progress(f"Importing {import_format.title}"):
        report = run_import(
            context.store(), context.settings(), context.operator(), import_format, path
        )
    if as_json:
        print_json(report.to_dict())
        return
    say(
        f"Import {report.import_id}: {count_entries(report.rows_read)} read from {path.name} "
        f"({import_format.name}): {report.rows_created} created as drafts, "
        f"{report.rows_updated} updated, {report.rows_unchanged} unchanged, "
        f"{report.rows_rejected} rejected."
    )
    print_rejected(report)
    if report.rows_created:
        say("Drafts are visible to analysts and admins only; `lens evidence review` lists them.")


def review(
    key: Annotated[
        str | None, typer.Argument(help="The entry to decide on (without it: list the drafts).")
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the entry.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the entry.")] = False,
    unpublish: Annotated[
        bool, typer.Option("--unpublish", help="Take a published entry back to draft.")
    ] = False,
    note: Annotated[str, typer.Option(help="Why, kept with the decision.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Admin review: without KEY, the drafts and what each still lacks; with KEY, publish,
    reject or unpublish it."""
    chosen = [
        name
        for name, flag in zip(DECISION_FLAGS, (publish, reject, unpublish), strict=True)
        if flag
    ]
    if key is None:
        if chosen or note:
            raise ValidationError(
                "name the entry to decide on: lens evidence review KEY --publish", field="KEY"
            )
        _list_drafts(as_json)
        return
    if len(chosen) != 1:
        raise ValidationError(
            "give exactly one of --publish, --reject or --unpublish", field="decision"
        )
    from prevention_lens.whatworks.library import review_entry

    with context.store().session() as session:
        entry = review_entry(session, context.operator(), entry_id(key), chosen[0], note)
    if as_json:
        print_json(entry.to_dict())
        return
    say(f"Entry {entry.key} ({entry.title}) is now {entry.status}.")


def _list_drafts(as_json: bool) -> None:
    from prevention_lens.whatworks.entries import publication_problems
    from prevention_lens.whatworks.library import EntryFilter, list_entries

    with context.store().session() as session:
        drafts = list_entries(session, context.operator(), EntryFilter(status="draft"))
    lacking = [publication_problems(entry) for entry in drafts]
    rows = [
        {
            "key": entry.key,
            "title": entry.title,
            "origin": entry.origin,
            "added_by": entry.created_by,
            "lacks": lacks,
        }
        for entry, lacks in zip(drafts, lacking, strict=True)
    ]
    if as_json:
        print_json({"drafts": rows})
        return
    if not rows:
        say("No drafts wait for review: every entry is published or rejected.")
        return
    table = [
        {**row, "lacks": "; ".join(lacks) or "nothing: ready"}
        for row, lacks in zip(rows, lacking, strict=True)
    ]
    print_table(
        table, list(table[0]), title=f"{len(rows)} draft{'s' if len(rows) != 1 else ''} for review"
    )
    say("`lens evidence review KEY --publish` publishes one that lacks nothing.")


def add(
    source: Annotated[
        Path,
        typer.Option("--from", help="A YAML file holding one entry as a mapping (library fields)."),
    ],
    as_json: JsonOption = False,
) -> None:
    """Add one entry from a YAML file (the shipped entries' fields) as a draft for review."""

    from prevention_lens.whatworks.entries import publication_problems
    from prevention_lens.whatworks.library import add_entries, get_entry
    from prevention_lens.whatworks.packaged import draft_from_mapping

    item = read_yaml_mapping(source, holds="one entry as a mapping (title:, authors:, year:, …)")
    draft = draft_from_mapping(item, file=str(source))
    with context.store().session() as session:
        rows = add_entries(session, context.operator(), [draft], origin="manual", file=str(source))
        entry = get_entry(session, context.operator(), rows[0].id)
    if as_json:
        print_json(entry.to_dict())
        return
    lacks = publication_problems(entry)
    say(f"Added entry {entry.key} as a draft.")
    if lacks:
        say(f"Before it can be published it needs {', '.join(lacks)}.")
    else:
        say(f"`lens evidence review {entry.key} --publish` publishes it.")
