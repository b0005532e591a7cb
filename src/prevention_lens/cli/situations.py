"""`lens situations`: set a country's situation category with a dated rationale, and read the
current one beside the model's suggestion, its history, and the list by category."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from prevention_lens.risk.situations import Situation

app = typer.Typer(
    help="Situation categories (current crisis, imminent risk, serious concern, none): set by "
    "analysts with a dated rationale, the history kept, a suggestion shown beside them."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CountryArgument = Annotated[
    str, typer.Argument(help="Country name or code, e.g. Myanmar or MMR.", show_default=False)
]
CATEGORY_HELP = "current_crisis, imminent_risk, serious_concern or none."


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date like 2026-12-07", field="--on") from None


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _shown(situation: Situation) -> dict[str, Any]:
    row = {
        "category": situation.label,
        "since": situation.effective_on,
        "rationale": situation.rationale,
        "recorded": situation.set_at,
    }
    if situation.set_by is not None:
        row["set by"] = situation.set_by
    return row


@app.command("set")
def set_command(
    country: CountryArgument,
    category: Annotated[str, typer.Argument(help=CATEGORY_HELP, show_default=False)],
    rationale: Annotated[
        str, typer.Option("--rationale", help="Why, in up to 4,000 characters (required).")
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", help="The date it takes effect, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set a country's situation category; the earlier ones stay as its history."""
    from prevention_lens.risk.situations import set_situation

    with context.store().session() as session:
        situation = set_situation(
            session, context.operator(), country, category, rationale, _day(on)
        )
    if as_json:
        print_json(situation.to_dict())
        return
    _say(f"{situation.country_name}: {situation.label} from {situation.effective_on.isoformat()}.")


@app.command()
def show(country: CountryArgument, as_json: JsonOption = False) -> None:
    """Show a country's current situation and, beside it, the suggestion and its reasons."""
    from prevention_lens.briefs.situations import suggest_situation
    from prevention_lens.risk.situations import current_situation
    from prevention_lens.store.reference import find_country

    principal = context.operator()
    with context.store().session() as session:
        found = find_country(session, country)
        current = current_situation(session, principal, found)
        suggestion = suggest_situation(session, principal, found)
        key, name = found.key, found.name
    if as_json:
        print_json(
            {
                "country": key,
                "name": name,
                "current": current.to_dict() if current else None,
                "suggestion": suggestion.to_dict(),
            }
        )
        return
    if current is None:
        _say(f"{name}: no situation category is set.")
    else:
        print_record(_shown(current), title=f"{name}: current situation")
    _say(
        f"Suggested: {suggestion.label} (confidence {suggestion.confidence}); "
        "a suggestion only, never set by itself."
    )
    for reason in suggestion.reasons:
        _say(f"  - {reason}")


@app.command()
def history(country: CountryArgument, as_json: JsonOption = False) -> None:
    """List every situation category a country was given, newest first."""
    from prevention_lens.risk.situations import situation_history
    from prevention_lens.store.reference import find_country

    with context.store().session() as session:
        found = find_country(session, country)
        rows = situation_history(session, context.operator(), found)
        name = found.name
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    if not rows:
        _say(f"{name}: no situation category was ever set.")
        return
    shown = [_shown(row) for row in rows]
    print_table(shown, list(shown[0]), title=f"{name}: {len(rows)} situation(s), newest first")


@app.command("list")
def list_command(
    category: Annotated[
        str | None, typer.Option("--category", help=f"Only this category: {CATEGORY_HELP}")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List each country's current situation, gravest first (countries set to none only with
    --category none)."""
    from prevention_lens.risk.situations import list_situations

    with context.store().session() as session:
        rows = list_situations(session, context.operator(), category)
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    if not rows:
        which = f" in category {category!r}" if category else ""
        _say(f"No country has a situation category{which} in {context.describe_store()}.")
        return
    print_table(
        [{"country": row.country_name, "key": row.country_key} | _shown(row) for row in rows],
        ["country", "key", "category", "since", "rationale"],
        title=f"{len(rows)} situation(s)",
    )
