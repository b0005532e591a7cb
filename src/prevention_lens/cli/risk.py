"""`lens risk`: the Framework of Analysis, analysts' assessments, forecasts and backtests."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table
from prevention_lens.errors import ValidationError
from prevention_lens.risk.assessments import (
    ScoreInput,
    assessment_history,
    latest_by_factor,
    record_assessment,
)
from prevention_lens.risk.framework import CITATION, correct_indicator, framework_factors
from prevention_lens.sources.assessment_sheets import COLUMNS, read_assessment_sheet
from prevention_lens.store.access import Confidentiality
from prevention_lens.store.reference import stored_reference

app = typer.Typer(help="Early warning: Framework assessments, forecasts and backtests.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _country_key(query: str) -> str:
    with context.store().session() as session:
        return stored_reference(session).resolve(query).key


@app.command()
def framework(as_json: JsonOption = False) -> None:
    """List the 14 risk factors of the UN Framework of Analysis and their indicators."""
    with context.store().session() as session:
        factors = framework_factors(session)
    if as_json:
        print_json(
            [f.__dict__ | {"indicators": [i.__dict__ for i in f.indicators]} for f in factors]
        )
        return
    rows = [
        {
            "code": code,
            "factor": f"{f.number}. {f.name}",
            "text": next((i.text for i in f.indicators if i.code == code), f.summary),
            "checked": "no"
            if any(i.unverified for i in f.indicators if i.code == code)
            or (not f.indicators and f.unverified)
            else "yes",
        }
        for f in factors
        for code in f.scorable_codes
    ]
    print_table(rows, ["code", "text", "checked"], title="UN Framework of Analysis (2014)")
    console.print(f"[dim]{CITATION}[/dim]")


@app.command()
def assess(
    country: Annotated[str, typer.Argument(help="Country name or code, e.g. Myanmar or MMR.")],
    template: Annotated[
        bool, typer.Option("--template", help="Print a sheet to fill in (CSV) and stop.")
    ] = False,
    sheet: Annotated[
        Path | None, typer.Option("--from", help="Record the filled-in sheet (CSV).")
    ] = None,
    on: Annotated[str | None, typer.Option(help="Date of the assessment (default today).")] = None,
    summary: Annotated[str, typer.Option(help="The analyst's overall judgement.")] = "",
    public: Annotated[
        bool, typer.Option("--public", help="Let everyone read it (default: analysts only).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Record a dated assessment of a country against the Framework of Analysis."""
    key = _country_key(country)
    if template:
        with context.store().session() as session:
            factors = framework_factors(session)
        writer = csv.writer(sys.stdout)
        writer.writerow([*COLUMNS, "factor", "indicator"])
        for factor in factors:
            texts = {i.code: i.text for i in factor.indicators}
            for code in factor.scorable_codes:
                writer.writerow([code, "", "", "", factor.name, texts.get(code, factor.summary)])
        return
    if sheet is None:
        raise ValidationError("give --from SHEET.csv (make one with --template)", field="--from")
    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise ValidationError(f"{on!r} is not a date like 2025-03-31", field="--on") from None
    lines = read_assessment_sheet(sheet)
    scores = []
    for line in lines:
        try:
            scores.append(ScoreInput(line.code, line.score, line.evidence, line.source_url))
        except ValidationError as error:
            raise ValidationError(
                error.problem, file=sheet.name, row=line.row, field=error.field
            ) from None
    level = Confidentiality.PUBLIC if public else Confidentiality.RESTRICTED
    with context.store().session() as session:
        assessment = record_assessment(
            session, context.operator(), key, day, scores, summary=summary, confidentiality=level
        )
        result = {
            "id": assessment.id,
            "country": key,
            "assessed_on": day.isoformat(),
            "scored": sum(1 for s in scores if s.score is not None),
            "confidentiality": level.label,
        }
    if as_json:
        print_json(result)
    else:
        console.print(
            f"Assessment {result['id']} of {key} on {result['assessed_on']}: "
            f"{result['scored']} indicators scored ({level.label})."
        )


@app.command()
def assessments(
    country: Annotated[str, typer.Argument(help="Country name or code.")],
    as_json: JsonOption = False,
) -> None:
    """Show a country's assessments, newest first, and the latest one factor by factor."""
    key = _country_key(country)
    with context.store().session() as session:
        history = assessment_history(session, context.operator(), key)
        _latest, factors = latest_by_factor(session, context.operator(), key)
    if as_json:
        print_json(
            {"country": key, "history": history, "latest_by_factor": [f.__dict__ for f in factors]}
        )
        return
    print_table(
        history,
        ["id", "assessed_on", "analyst", "level", "summary"],
        title=f"Assessments of {key}",
    )
    print_table(
        [f.__dict__ | {"factor": f"{f.number}. {f.name}"} for f in factors],
        ["factor", "highest", "average", "assessed", "indicators"],
        title="Latest assessment by risk factor (0 absent … 3 severe)",
    )


@app.command("correct-indicator")
def correct(
    code: Annotated[str, typer.Argument(help="Indicator id, e.g. 7.3.")],
    text: Annotated[str, typer.Argument(help="The corrected wording.")],
    verified: Annotated[
        bool, typer.Option("--verified", help="Checked against the UN publication.")
    ] = False,
    note: Annotated[str, typer.Option(help="What was checked against what.")] = "",
) -> None:
    """Correct an indicator's wording (admins); every version is kept."""
    with context.store().session() as session:
        correct_indicator(session, context.operator(), code, text, verified=verified, note=note)
    console.print(f"Indicator {code} corrected{' and marked verified' if verified else ''}.")
