"""`lens incidents`: import, list, show, review, attach, export and verify the custody chain;
`lens signals`: escalation alerts from the stored incidents."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from prevention_lens.store.access import Principal

app = typer.Typer(help="Documentation: incident records, their evidence, review and custody.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this stored user (their role and name go in the custody log); "
        "default: the local operator.",
    ),
]
INCIDENT_FORMATS = ("ucdp-ged", "acled", "incident-csv")


def _principal(username: str | None) -> Principal:
    if username is None:
        return context.operator()
    from prevention_lens.accounts.users import get_user, principal_of

    with context.store().session() as session:
        return principal_of(get_user(session, username))


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        raise ValidationError(f"{value!r} is not a date (YYYY-MM-DD)", field=option) from None


def _filters(
    country: str | None,
    category: str | None,
    status: str | None,
    since: str | None,
    until: str | None,
    search: str | None,
    limit: int | None,
) -> Any:
    from prevention_lens.incidents.records import IncidentFilter
    from prevention_lens.store.reference import find_country

    key = None
    if country:
        with context.store().session() as session:
            key = find_country(session, country).key
    return IncidentFilter(
        country=key,
        category=category,
        status=status,
        date_from=_date(since, "--since"),
        date_to=_date(until, "--until"),
        text=search,
        limit=limit,
    )


Country = Annotated[str | None, typer.Option(help="Country name or code.")]
Category = Annotated[str | None, typer.Option(help="Category code (`lens incidents categories`).")]
Status = Annotated[str | None, typer.Option(help="unverified, in_review, verified, ...")]
Since = Annotated[str | None, typer.Option(help="Incidents starting on or after (YYYY-MM-DD).")]
Until = Annotated[str | None, typer.Option(help="Incidents starting on or before (YYYY-MM-DD).")]
Search = Annotated[str | None, typer.Option(help="Words in the title, narrative or place.")]


@app.command("import")
def import_incidents(
    source: Annotated[str, typer.Argument(help=f"One of {', '.join(INCIDENT_FORMATS)}.")],
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
    """Import incidents from UCDP GED, ACLED or a mapped CSV; re-importing updates, never
    duplicates, and a file with a bad row writes nothing."""
    from prevention_lens.cli.data import import_file

    if source not in INCIDENT_FORMATS:
        raise ValidationError(
            f"unknown incident format {source!r}; choose from {', '.join(INCIDENT_FORMATS)}"
        )
    import_file(source, path, skip_invalid=skip_invalid, as_json=as_json)


@app.command("list")
def list_command(
    country: Country = None,
    category: Category = None,
    status: Status = None,
    since: Since = None,
    until: Until = None,
    search: Search = None,
    limit: Annotated[int, typer.Option(help="How many to show.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Incidents, newest first, with filters."""
    from prevention_lens.incidents.records import list_incidents

    filters = _filters(country, category, status, since, until, search, limit)
    with context.store().session() as session:
        page = list_incidents(session, context.operator(), filters)
        stored = 0 if page.total else _stored_incidents(session)
    if as_json:
        print_json({"total": page.total, "incidents": page.rows})
        return
    if not page.total:
        console.print(_why_none(stored, filters))
        return
    print_table(
        page.rows,
        [
            "id",
            "date_start",
            "country_key",
            "admin1",
            "category",
            "fatalities_best",
            "status",
            "title",
        ],
        title=f"{len(page.rows)} of {page.total} incidents",
    )


@app.command()
def show(
    incident: Annotated[int, typer.Argument(help="Incident number.")],
    as_json: JsonOption = False,
) -> None:
    """One incident with its sources, attachments and custody log."""
    from prevention_lens.incidents.records import get_incident

    with context.store().session() as session:
        record = get_incident(session, context.operator(), incident)
    shown = record.to_dict()
    if as_json:
        print_json(shown)
        return
    listed = {"sources", "attachments", "custody"}
    print_record({k: v for k, v in shown.items() if k not in listed}, f"Incident {incident}")
    if shown["sources"]:
        print_table(
            shown["sources"],
            ["id", "publisher", "url", "published_on", "archived_sha256"],
            title="Sources",
        )
    if shown["attachments"]:
        print_table(
            shown["attachments"],
            ["id", "filename", "media_type", "size_bytes", "sha256"],
            title="Attachments",
        )
    print_table(shown["custody"], ["seq", "at", "actor", "action", "detail"], title="Custody log")


@app.command()
def status(
    incident: Annotated[int, typer.Argument(help="Incident number.")],
    to: Annotated[str, typer.Argument(help="in_review, verified, disputed or rejected.")],
    note: Annotated[str, typer.Option(help="Why (kept in the custody log).")] = "",
    acting: AsOption = None,
) -> None:
    """Move an incident along review: unverified → in_review → verified | disputed | rejected."""
    from prevention_lens.incidents.records import set_status

    principal = _principal(acting)
    with context.store().session() as session:
        record = set_status(session, principal, incident, to, note)
        console.print(f"Incident {incident} is now {record.status} (by {principal.username}).")


@app.command()
def attach(
    incident: Annotated[int, typer.Argument(help="Incident number.")],
    file: Annotated[Path, typer.Argument(help="Evidence file; kept unchanged under its SHA-256.")],
    description: Annotated[str, typer.Option(help="What the file shows.")] = "",
    public: Annotated[
        bool, typer.Option(help="Everyone may see it (default: analysts and admins).")
    ] = False,
    acting: AsOption = None,
) -> None:
    """Add an evidence file to an incident: the original by hash, a working copy apart."""
    from prevention_lens.incidents.evidence import add_attachment, evidence_root
    from prevention_lens.store.access import Confidentiality

    if not file.is_file():
        raise ValidationError("file does not exist", file=str(file))
    with context.store().session() as session:
        shown = add_attachment(
            session,
            _principal(acting),
            evidence_root(context.settings().home),
            incident,
            file.name,
            file,
            description=description,
            confidentiality=Confidentiality.PUBLIC if public else Confidentiality.RESTRICTED,
        )
    console.print(f"Attachment {shown['id']}: sha256 {shown['sha256']}.")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, geojson or json.")] = "csv",
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    public: Annotated[
        bool,
        typer.Option(help="Export only what an anonymous reader may see, for publishing."),
    ] = False,
    country: Country = None,
    category: Category = None,
    status: Status = None,
    since: Since = None,
    until: Until = None,
    search: Search = None,
) -> None:
    """Export incidents through the access policy (each export is a custody entry)."""
    from prevention_lens.incidents.exports import export_incidents
    from prevention_lens.store.access import ANONYMOUS

    filters = _filters(country, category, status, since, until, search, None)
    with context.store().session() as session:
        result = export_incidents(
            session,
            ANONYMOUS if public else context.operator(),
            fmt,
            filters,
            logged_as=context.operator(),
        )
    if output is None:
        sys.stdout.write(result.content)
        return
    output.write_text(result.content, encoding="utf-8")
    console.print(f"Wrote {result.count} incidents to {output}.")


@app.command("verify-custody")
def verify_custody(as_json: JsonOption = False) -> None:
    """Recompute the custody chain; name every entry altered, removed or inserted, and every
    record changed or deleted outside the application. Exit code 1 when anything is wrong."""
    from prevention_lens.incidents.custody import verify

    with context.store().session() as session:
        report = verify(session)
    if as_json:
        print_json(report.to_dict())
    elif report.intact:
        console.print(
            f"Custody chain intact: {report.entries} entries; head {report.head_seq} "
            f"sha256 {report.head_hash}."
        )
    else:
        for problem in report.problems:
            console.print(f"[bold red]{problem.kind}[/]: {problem.message}")
        console.print(f"{len(report.problems)} problem(s) in {report.entries} entries.")
    if not report.intact:
        raise typer.Exit(1)


def _stored_incidents(session: Any) -> int:
    """How many records the operator may see with no filter at all."""
    from prevention_lens.incidents.records import IncidentFilter, list_incidents

    return list_incidents(session, context.operator(), IncidentFilter(limit=0)).total


def _why_none(stored: int, filters: Any) -> str:
    """Why a list came back empty: nothing imported, or which filters left nothing."""
    if not stored:
        return (
            "0 incidents: nothing imported yet in this store; "
            "`lens incidents import ucdp-ged` imports UCDP GED (`lens db status` names the store)."
        )
    used = [
        f"{name} {value}"
        for name, value in (
            ("--country", filters.country),
            ("--category", filters.category),
            ("--status", filters.status),
            ("--since", filters.date_from),
            ("--until", filters.date_to),
            ("--search", filters.text),
        )
        if value
    ]
    return (
        f"0 incidents match {', '.join(used)}; the store holds {stored} "
        "(drop a filter to see them)."
    )


@app.command()
def categories(as_json: JsonOption = False) -> None:
    """The incident taxonomy, with the UCDP and ACLED types each category takes in."""
    from prevention_lens.incidents.taxonomy import CATEGORIES

    rows = [
        {
            "code": item.code,
            "label": item.label,
            "group": item.group,
            "against_civilians": item.against_civilians,
            "ucdp": item.ucdp_type,
            "acled": "; ".join(f"{event} / {sub}" for event, sub in item.acled),
            "description": item.description,
        }
        for item in CATEGORIES.values()
    ]
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["code", "label", "group", "ucdp", "acled"], title="Incident categories")


def signals(
    level: Annotated[str, typer.Option(help="country or admin1.")] = "country",
    country: Country = None,
    since: Annotated[str | None, typer.Option(help="Alerts from this month (YYYY-MM).")] = None,
    order: Annotated[
        str,
        typer.Option(help="recent: newest month first; strength: strongest of all time first."),
    ] = "recent",
    page: Annotated[int, typer.Option(min=1, help="Which page of alerts to print.")] = 1,
    top: Annotated[int, typer.Option(min=1, help="How many alerts a page holds.")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Escalation alerts: months in which a place's violence against civilians,
    identity-targeted events or deaths rose far above its own trailing baseline; newest month
    first, a page at a time."""
    from prevention_lens.incidents.monitoring import alerts_for
    from prevention_lens.store.reference import find_country

    with context.store().session() as session:
        key = find_country(session, country).key if country else None
        alerts = alerts_for(
            session, context.operator(), level=level, country=key, since=since, order=order
        )
        stored = 0 if alerts else _stored_incidents(session)
    first = (page - 1) * top
    shown = alerts[first : first + top]
    if as_json:
        payload = [alert.to_dict() for alert in shown]
        print(json.dumps(payload, default=str, ensure_ascii=False, indent=2))
        return
    if not alerts:
        console.print(_no_alerts(stored, country, since))
        return
    rows = [
        {
            "month": alert.month + (" ~" if alert.low_precision else ""),
            "place": alert.place,
            "series": alert.series,
            "observed": round(alert.observed, 1),
            "expected": round(alert.expected, 1),
            "p": f"{alert.p_value:.1e}",
            "perpetrators": ", ".join(alert.perpetrator_kinds) or "unknown",
            "events": len(alert.event_ids),
        }
        for alert in shown
    ]
    ordered = "newest month first" if order == "recent" else "strongest first"
    pages = -(-len(alerts) // top)
    print_table(
        rows,
        ["month", "place", "series", "observed", "expected", "p", "perpetrators", "events"],
        title=f"{len(alerts)} escalation alerts ({level}), {ordered}; page {page} of {pages}",
    )
    if any(alert.low_precision for alert in shown):
        console.print(
            "~ rests mostly on events dated only to the month or year (spread over those months)."
        )


def _no_alerts(stored: int, country: str | None, since: str | None) -> str:
    if not stored:
        return (
            "0 alerts: no incidents in this store yet; "
            "`lens incidents import ucdp-ged` imports UCDP GED."
        )
    narrowed = " and ".join(
        part for part in (country and f"--country {country}", since and f"--since {since}") if part
    )
    where = f" for {narrowed}" if narrowed else ""
    return (
        f"0 alerts{where} among {stored} incidents: no month stood out against its place's "
        "past (a place needs 6 months of records before it can alert)."
    )
