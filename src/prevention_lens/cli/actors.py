"""`lens actors`: the actor mapping — template, import, example data, listing, review, merging
duplicates, export, and the network's suggestions, gaps and snapshots.

Only typer and the CLI's own helpers load at import: every domain module (and with it igraph,
scipy, numpy and SQLAlchemy's models) is imported inside the command that needs it, so that
`lens --version` and the other command groups start fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, errors, print_json, print_record, print_table
from prevention_lens.errors import ValidationError

app = typer.Typer(help="Mapping prevention actors: intake, review, duplicates, export, network.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
DatasetOption = Annotated[
    str, typer.Option(help="real (the default) or example (the generated example mapping).")
]


def _dataset(value: str) -> str:
    from prevention_lens.actors.records import DATASETS

    if value not in DATASETS:
        raise ValidationError(f"unknown dataset {value!r}; choose {' or '.join(DATASETS)}")
    return value


def _example_notice(dataset: str, *, to_stderr: bool = False) -> None:
    """Whenever example data is shown, say so."""
    if dataset != "example":
        return
    from prevention_lens.actors.example import EXAMPLE_NOTICE

    (errors if to_stderr else console).print(f"[bold yellow]{EXAMPLE_NOTICE}[/]")


def _why_empty(dataset: str, *, filtered: bool = False) -> str:
    """Why a command found no actors, and where to look instead."""
    if filtered:
        return f"no actors match these filters in the {dataset} dataset"
    if dataset == "example":
        return "the example mapping is not loaded; `lens actors example` loads it"
    return "no actors in the real dataset; the example mapping is under `--dataset example`"


def _say_empty(reason: str) -> None:
    console.print(reason[0].upper() + reason[1:] + ".", markup=False)


def _flat(value: object) -> bool:
    """Whether a value fits a table cell (not a nested mapping or a list of them)."""
    if isinstance(value, dict):
        return False
    return not (isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value))


@app.command()
def template(
    xlsx: Annotated[
        Path | None, typer.Option(help="Write an XLSX workbook with both sheets and a read-me.")
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write FILE.csv and FILE.relationships.csv (headers only)."),
    ] = None,
    relationships: Annotated[
        bool, typer.Option(help="Print the relationships header instead of the actors header.")
    ] = False,
) -> None:
    """The import template: by default the actors CSV header on standard output."""
    from prevention_lens.ingest.actors import template_readme
    from prevention_lens.sources.actor_sheet import (
        ACTOR_COLUMNS,
        RELATIONSHIP_COLUMNS,
        write_csv,
        write_xlsx,
    )

    if xlsx is not None:
        write_xlsx(xlsx, [], [], template_readme())
        console.print(f"Wrote {xlsx} (sheets: actors, relationships, read me).")
    if csv_file is not None:
        actors_path, relations_path = write_csv(csv_file, [], [])
        console.print(f"Wrote {actors_path} and {relations_path}.")
    if xlsx is None and csv_file is None:
        print(",".join(RELATIONSHIP_COLUMNS if relationships else ACTOR_COLUMNS))


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="NAME.csv (+ NAME.relationships.csv) or NAME.xlsx.")],
    skip_invalid: Annotated[
        bool,
        typer.Option(help="Import the valid rows and report the rest (default: all or nothing)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import an actor mapping in the template layout as drafts for admin review; a file with
    a bad row writes nothing."""
    from prevention_lens.cli.data import print_rejected
    from prevention_lens.ingest.actors import import_actor_sheet

    result = import_actor_sheet(
        context.store(), context.settings(), context.operator(), path, skip_invalid=skip_invalid
    )
    if as_json:
        print_json(result.to_dict())
        return
    report = result.report
    console.print(
        f"Import {report.import_id}: {report.rows_read} rows read from {path.name}: "
        f"{report.rows_created} created (drafts, for review), {report.rows_unchanged} unchanged, "
        f"{report.rows_rejected} rejected.",
        markup=False,
    )
    print_rejected(report)
    for warning in result.warnings:
        console.print(f"  warning: {warning}", markup=False)
    for merge in result.proposed_merges:
        console.print(
            f"  possible duplicate: {merge['drop_name']} ({merge['drop_id']}) and "
            f"{merge['keep_name']} ({merge['keep_id']}), {merge['reason']}; "
            f"to merge: lens actors merge {merge['keep_id']} {merge['drop_id']}",
            markup=False,
        )


@app.command()
def example(as_json: JsonOption = False) -> None:
    """Load the generated example mapping (dataset "example", published); running it again
    changes nothing."""
    from prevention_lens.actors.example import EXAMPLE_NOTICE, load_example

    with context.store().session() as session:
        counts = load_example(session, context.operator())
    if as_json:
        print_json({"dataset": "example", "notice": EXAMPLE_NOTICE, **counts})
        return
    _example_notice("example")
    console.print(
        f"Example mapping: {counts['actors_created']} actors and "
        f"{counts['relationships_created']} relationships created, "
        f"{counts['unchanged']} already there."
    )


@app.command("list")
def list_command(
    dataset: DatasetOption = "real",
    country: Annotated[str | None, typer.Option(help="Country name or code.")] = None,
    kind: Annotated[str | None, typer.Option(help="Kind of actor, e.g. civil_society.")] = None,
    level: Annotated[str | None, typer.Option(help="grassroots, local, national, ...")] = None,
    sector: Annotated[str | None, typer.Option(help="Sector, e.g. peacebuilding.")] = None,
    activity: Annotated[str | None, typer.Option(help="Activity, e.g. early_warning.")] = None,
    status: Annotated[str | None, typer.Option(help="draft, published or rejected.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Actors with filters; example data is always marked as such."""
    from prevention_lens.actors.example import EXAMPLE_NOTICE
    from prevention_lens.actors.records import ActorFilter, list_actors
    from prevention_lens.store.reference import find_country

    _dataset(dataset)
    with context.store().session() as session:
        key = find_country(session, country).key if country else None
        records = list_actors(
            session,
            context.operator(),
            ActorFilter(
                dataset=dataset,
                country=key,
                kind=kind,
                level=level,
                sector=sector,
                activity=activity,
                status=status,
            ),
        )
    rows = [record.to_dict() for record in records]
    filtered = any((country, kind, level, sector, activity, status))
    if as_json:
        payload: dict[str, Any] = {"dataset": dataset, "actors": rows}
        if dataset == "example":
            payload["notice"] = EXAMPLE_NOTICE
        if not rows:
            payload["why_empty"] = _why_empty(dataset, filtered=filtered)
        print_json(payload)
        return
    _example_notice(dataset)
    if not rows:
        _say_empty(_why_empty(dataset, filtered=filtered))
        return
    print_table(
        rows,
        ["id", "name", "kind", "levels", "country_keys", "status"],
        title=f"{len(rows)} actors ({dataset})",
    )


@app.command()
def show(
    actor: Annotated[int, typer.Argument(help="Actor number.")],
    as_json: JsonOption = False,
) -> None:
    """One actor with its relationships and (for analysts and admins) its contacts."""
    from prevention_lens.actors.records import get_actor

    with context.store().session() as session:
        record = get_actor(session, context.operator(), actor).to_dict()
    if as_json:
        print_json(record)
        return
    _example_notice(str(record["dataset"]))
    listed = {"relationships", "contacts"}
    print_record({k: v for k, v in record.items() if k not in listed}, f"Actor {actor}")
    if record["relationships"]:
        print_table(
            record["relationships"],
            ["id", "kind", "outgoing", "other_id", "other_name", "strength", "status"],
            title="Relationships",
        )
    if record["contacts"]:
        print_table(record["contacts"], ["name", "role", "email", "phone"], title="Contacts")


@app.command()
def review(
    actor: Annotated[int, typer.Argument(help="Actor number.")],
    decision: Annotated[str, typer.Argument(help="publish or reject.")],
) -> None:
    """Publish or reject a draft (admins); only published actors are public."""
    from prevention_lens.actors.records import review_actor

    with context.store().session() as session:
        record = review_actor(session, context.operator(), actor, decision)
        console.print(f"Actor {actor} ({record.name}) is now {record.status}.", markup=False)


@app.command()
def merge(
    keep: Annotated[int, typer.Argument(help="The actor kept.")],
    drop: Annotated[
        int, typer.Argument(help="The duplicate folded into it (kept, marked merged).")
    ],
) -> None:
    """Merge a duplicate into the record kept: countries, lists, contacts and relationships
    move over."""
    from prevention_lens.actors.records import merge_actors

    with context.store().session() as session:
        record = merge_actors(session, context.operator(), keep, drop)
        console.print(f"Actor {drop} merged into {keep} ({record.name}).", markup=False)


@app.command()
def duplicates(dataset: DatasetOption = "real", as_json: JsonOption = False) -> None:
    """Pairs of actors that may be the same organisation (similar names in a shared country),
    each with the proposed merge."""
    from prevention_lens.actors.duplicates import THRESHOLD, duplicate_pairs

    with context.store().session() as session:
        pairs = duplicate_pairs(session, context.operator(), _dataset(dataset))
    if as_json:
        print_json({"dataset": dataset, "threshold": THRESHOLD, "pairs": pairs})
        return
    _example_notice(dataset)
    rows = [
        {**pair, "merge": f"lens actors merge {pair['keep_id']} {pair['drop_id']}"}
        for pair in pairs
    ]
    print_table(
        rows,
        ["keep_id", "keep_name", "drop_id", "drop_name", "score", "reason", "merge"],
        title=f"{len(pairs)} possible duplicates ({dataset}; score at least {THRESHOLD:.0f})",
    )


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, json or graphml.")] = "csv",
    dataset: DatasetOption = "real",
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    contacts: Annotated[
        bool, typer.Option(help="Include contacts (analysts and admins only; off by default).")
    ] = False,
    public: Annotated[
        bool, typer.Option(help="Export only what an anonymous reader may see, for publishing.")
    ] = False,
) -> None:
    """Export the mapping through the access policy: CSV (actors), JSON or GraphML (actors
    and relationships, for Gephi or networkx)."""
    from prevention_lens.actors.exports import export_actors
    from prevention_lens.store.access import ANONYMOUS

    with context.store().session() as session:
        result = export_actors(
            session,
            ANONYMOUS if public else context.operator(),
            fmt,
            _dataset(dataset),
            contacts=contacts,
            logged_as=context.operator(),
        )
    if output is None:
        _example_notice(dataset, to_stderr=True)
        sys.stdout.write(result.content)
        return
    output.write_text(result.content, encoding="utf-8")
    _example_notice(dataset)
    console.print(
        f"Wrote {result.count} actors and {result.relationships} relationships to {output}.",
        markup=False,
    )


@app.command()
def suggest(
    actor: Annotated[int, typer.Argument(help="Actor number.")],
    dataset: DatasetOption = "real",
    limit: Annotated[int, typer.Option(help="How many suggestions.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Actors this one is not yet connected to but could be (shared partners, activities)."""
    from prevention_lens.actors.analysis import network_for
    from prevention_lens.actors.network import suggest_connections

    with context.store().session() as session:
        network = network_for(session, context.operator(), _dataset(dataset))
    suggestions = suggest_connections(network, actor, limit=limit)
    if as_json:
        print_json(suggestions)
        return
    _example_notice(dataset)
    if not suggestions:
        console.print(
            f"No suggestions for actor {actor}: no actor sharing a country or region adds "
            "another level or an activity it lacks.",
            markup=False,
        )
        return
    columns = [name for name, value in suggestions[0].items() if _flat(value)]
    print_table(suggestions, columns, title=f"Suggested connections for actor {actor}")


@app.command()
def gaps(dataset: DatasetOption = "real", as_json: JsonOption = False) -> None:
    """Where prevention coverage is thin: countries by risk beside the actors mapped there,
    and what a country at high risk lacks."""
    from prevention_lens.briefs.coverage import coverage_gaps

    with context.store().session() as session:
        rows = coverage_gaps(session, context.operator(), _dataset(dataset))
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    _example_notice(dataset)
    if not rows:
        _say_empty(
            f"no countries to show: {_why_empty(dataset)}, and no country is at high risk in a "
            "stored forecast (`lens risk forecast` makes one)"
        )
        return
    table = [
        {
            "country": row.country_key,
            "name": row.country_name,
            "risk": f"{row.risk.level} (rank {row.risk.rank})" if row.risk else "no forecast",
            "actors": row.actors,
            "activities": row.activities_covered,
            "local activities": row.local_activities,
            "missing": "; ".join(row.missing),
        }
        for row in rows
    ]
    print_table(table, list(table[0]), title=f"Coverage gaps ({dataset}); --json for detail")


@app.command()
def snapshot(dataset: DatasetOption = "real", as_json: JsonOption = False) -> None:
    """Store today's network metrics so coordinators can see change over time."""
    from prevention_lens.actors.analysis import take_snapshot

    with context.store().session() as session:
        taken = take_snapshot(session, context.operator(), _dataset(dataset))
        summary: dict[str, Any] = dict(taken.summary)
        shown = {"id": taken.id, "dataset": taken.dataset, "taken_at": taken.taken_at}
        shown["summary"] = summary
    if as_json:
        print_json(shown)
        return
    _example_notice(dataset)
    flat = {name: value for name, value in summary.items() if _flat(value)}
    print_record(flat, f"Network snapshot {shown['id']} ({dataset}); --json for detail")


@app.command("champions")
def champions_command(
    region: Annotated[str | None, typer.Option(help="One region (default: every region).")] = None,
    top: Annotated[int, typer.Option(help="How many per region.")] = 5,
    dataset: DatasetOption = "real",
    as_json: JsonOption = False,
) -> None:
    """Champions per region, each region measured on its own network: who links the most
    actors across levels there, and why."""
    from prevention_lens.actors.analysis import REGIONAL_NOTE, regional_champions

    with context.store().session() as session:
        found = regional_champions(
            session, context.operator(), _dataset(dataset), region=region, limit=top
        )
    if as_json:
        print_json({name: [row.to_dict() for row in rows] for name, rows in found.items()})
        return
    _example_notice(dataset)
    if not found:
        reason = "no region has two actors tied to each other"
        _say_empty(f"no champions: {reason} in the {dataset} dataset")
        return
    console.print(REGIONAL_NOTE, markup=False)
    for name, rows in found.items():
        print_table(
            [{**row.to_dict(), "reasons": "; ".join(row.reasons)} for row in rows],
            ["rank", "name", "level", "betweenness", "degree", "reasons"],
            title=f"Champions in {name} (on {name}'s own network)",
        )
