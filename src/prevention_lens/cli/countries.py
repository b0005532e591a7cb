"""`lens countries`: look up countries and their codes in every scheme."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record, print_table
from prevention_lens.countries import SCHEMES
from prevention_lens.errors import ValidationError

app = typer.Typer(help="Look up countries and their codes (COW, Gleditsch–Ward, ISO, V-Dem).")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date like 1995-06-30", field="--on") from None


@app.command()
def resolve(
    query: Annotated[str, typer.Argument(help="A name, alias or code: Burma, MMR, 775, gw:345.")],
    scheme: Annotated[
        str | None,
        typer.Option(help=f"Read the query as a code in this scheme: {', '.join(SCHEMES)}."),
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Resolve as of this date (historical states), YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve a country name or code to one country and print its codes."""
    from prevention_lens.store.reference import stored_reference

    if scheme is not None and scheme not in SCHEMES:
        raise ValidationError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    with context.store().session() as session:
        record = stored_reference(session).resolve(query, scheme=scheme, on=_parse_date(on))
    if as_json:
        print_json(record.to_dict())
    else:
        print_record(record.to_dict(), title=record.name)


@app.command("list")
def list_countries(
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None,
    on: Annotated[
        str | None, typer.Option(help="Only countries that existed on this date, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the countries of the reference table."""
    from prevention_lens.store.reference import stored_reference

    day = _parse_date(on)
    with context.store().session() as session:
        records = stored_reference(session).records
    rows = [
        record.to_dict()
        for record in records
        if (region is None or record.region.casefold() == region.casefold())
        and (day is None or record.existed_on(day))
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        # Say why: the reference itself is never empty, so a filter left nothing.
        regions = ", ".join(sorted({record.region for record in records if record.region}))
        console.print(
            f"No country matches: region {region!r} (regions: {regions})"
            if region is not None
            and not any(r.region.casefold() == region.casefold() for r in records)
            else f"No country {f'of region {region!r} ' if region else ''}existed on {on}.",
            markup=False,
            highlight=False,
        )
        return
    print_table(
        rows,
        [
            "key",
            "name",
            "iso3",
            "iso_numeric",
            "cow",
            "gw",
            "vdem",
            "region",
            "start_date",
            "end_date",
        ],
        title=f"{len(rows)} countries",
    )
