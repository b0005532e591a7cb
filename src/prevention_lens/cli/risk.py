"""`lens risk`: the Framework of Analysis, analysts' assessments, forecasts and backtests."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table, progress
from prevention_lens.csvsafe import csv_safe_record, csv_safe_row
from prevention_lens.errors import ValidationError

app = typer.Typer(help="Early warning: Framework assessments, forecasts and backtests.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _country_key(query: str) -> str:
    from prevention_lens.store.reference import find_country

    with context.store().session() as session:
        return find_country(session, query).key


@app.command()
def framework(as_json: JsonOption = False) -> None:
    """List the 14 risk factors of the UN Framework of Analysis and their indicators."""
    from prevention_lens.risk.framework import CITATION, framework_factors

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
    from prevention_lens.risk.assessments import ScoreInput, record_assessment
    from prevention_lens.risk.framework import framework_factors
    from prevention_lens.sources.assessment_sheets import COLUMNS, read_assessment_sheet
    from prevention_lens.store.access import Confidentiality

    key = _country_key(country)
    if template:
        with context.store().session() as session:
            factors = framework_factors(session)
        writer = csv.writer(sys.stdout)
        writer.writerow(csv_safe_row([*COLUMNS, "factor", "indicator"]))
        for factor in factors:
            texts = {i.code: i.text for i in factor.indicators}
            for code in factor.scorable_codes:
                cells = [code, "", "", "", factor.name, texts.get(code, factor.summary)]
                writer.writerow(csv_safe_row(cells))
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
    from prevention_lens.risk.assessments import assessment_history, factor_summaries
    from prevention_lens.store.reference import find_country

    with context.store().session() as session:
        found = find_country(session, country)
        key = found.key
        history = assessment_history(session, context.operator(), found)
        factors = factor_summaries(session, history[0] if history else None)
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
    from prevention_lens.risk.framework import correct_indicator

    with context.store().session() as session:
        correct_indicator(session, context.operator(), code, text, verified=verified, note=note)
    console.print(f"Indicator {code} corrected{' and marked verified' if verified else ''}.")


PanelOption = Annotated[
    Path | None,
    typer.Option(
        "--panel",
        help="A panel spec file (YAML, see docs/risk.md) instead of EWP's panel; "
        "its `file` is read beside the spec.",
        exists=True,
        dir_okay=False,
    ),
]


def _panel(spec: Path | None) -> Any:
    from prevention_lens.risk.runs import choose_panel

    sources = None if spec is not None else context.settings().require_sources()
    return choose_panel(sources, spec)


CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Also write the table as CSV to this file ('-': standard output)."),
]


@app.command()
def backtest(
    model: Annotated[
        list[str] | None,
        typer.Option(help="Model(s) to backtest (default: all that fit the panel)."),
    ] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap draws for the intervals.")] = 1000,
    store: Annotated[
        bool, typer.Option("--store", help="Keep the backtest in the store (see `backtests`).")
    ] = False,
    panel_spec: PanelOption = None,
    csv_path: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Backtest models by the Early Warning Project's protocol, beside EWP's published forecasts
    (on EWP's panel), or on a panel of your own with --panel."""

    from prevention_lens.risk.catalog import (
        backtest_models,
        build_model,
        models_for,
        published_peer,
    )

    for name in model or []:
        build_model(name)  # an unknown name fails before the panel is read
    with progress("Backtest: reading the panel") as step:
        panel = _panel(panel_spec)
        names = model or models_for(panel)
        table = backtest_models(
            names,
            panel,
            published=None
            if panel_spec is not None
            else published_peer(panel, context.settings().require_sources()),
            n_boot=bootstrap,
            progress=lambda text: step.note(f"Backtest: {text}"),
        )
    backtest_id = None
    if store:
        from prevention_lens.risk.forecasts import store_backtest

        with context.store().session() as session:
            backtest_id = store_backtest(session, context.operator(), table).id
        if not as_json:  # the JSON alone on standard output, for scripts
            console.print(f"Backtest kept as number {backtest_id}; see /risk/backtest.")
    _show_backtest({"table": table, "default_model": table["default_model"]}, csv_path, as_json)


@app.command()
def backtests(
    number: Annotated[
        int | None, typer.Argument(help="Show this stored backtest (default: list them all).")
    ] = None,
    csv_path: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored backtests: the list, newest first, or one backtest's table."""
    from prevention_lens.risk.forecasts import backtest_record, backtest_records

    with context.store().session() as session:
        if number is not None:
            _show_backtest(backtest_record(session, context.operator(), number), csv_path, as_json)
            return
        history = backtest_records(session, context.operator())
    records = [
        {
            "number": row.id,
            "kept": row.created_at.strftime("%Y-%m-%d %H:%M"),
            "by": row.created_by,
            "models": len(row.models),
            "default": row.default_model,
            "auc": row.headline["auc"],
            "top10": row.headline["top10"],
            "data": row.data_sha256[:12],
            "code": row.code_version,
        }
        for row in history
    ]
    if as_json:
        print_json(records)
        return
    print_table(
        records,
        ["number", "kept", "by", "models", "default", "auc", "top10", "data", "code"],
        title="Stored backtests (`lens risk backtests NUMBER` shows one)",
    )


def _show_backtest(kept: Any, csv_path: Path | None, as_json: bool) -> None:
    """Print a backtest table: a fresh one (a mapping with its table) or a stored one."""
    from dataclasses import asdict

    from prevention_lens.risk.figures import HEADLINE_FIGURES
    from prevention_lens.risk.forecasts import StoredBacktest, backtest_rows

    rows = backtest_rows(kept)
    stored = isinstance(kept, StoredBacktest)
    table = kept.table if stored else kept["table"]
    first, last = table.get("origins") or (1991, 2021)
    horizon = int(table.get("country_history", {}).get("horizon", 2))
    if csv_path is not None:
        if str(csv_path) == "-":
            _write_csv(sys.stdout, rows)
        else:
            with csv_path.open("w", newline="", encoding="utf-8") as handle:
                _write_csv(handle, rows)
            console.print(f"Wrote {len(rows)} rows to {csv_path}.")
    if as_json:
        print_json(asdict(kept) if stored else table)
    elif csv_path is None or str(csv_path) != "-":
        print_table(
            [
                {key: _fmt(row.get(key)) for key in ["model", *HEADLINE_FIGURES, "wall_s"]}
                for row in rows
            ],
            ["model", *HEADLINE_FIGURES, "wall_s"],
            title=f"EWP protocol on {table.get('panel_spec') or 'ewp2025'}, forecasts for "
            f"{first + horizon + 1}–{last + horizon + 1} (95% intervals with --json or --csv)",
        )


def _write_csv(handle: Any, rows: list[dict[str, Any]]) -> None:
    from prevention_lens.risk.forecasts import backtest_columns

    writer = csv.DictWriter(handle, fieldnames=backtest_columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_safe_record(row) for row in rows)


def _fmt(value: object) -> object:
    return round(value, 4) if isinstance(value, float) else value


@app.command()
def forecast(
    model: Annotated[str | None, typer.Option(help="Model (default: the default model).")] = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Keep the forecasts in the store.")
    ] = True,
    draws: Annotated[int, typer.Option(help="Bootstrap refits for the 90% intervals.")] = 40,
    top: Annotated[int, typer.Option(help="How many countries to print.")] = 30,
    panel_spec: PanelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast the next two years from the latest year's data, with intervals and drivers."""

    from prevention_lens.risk.catalog import build_model
    from prevention_lens.risk.runs import forecast_run

    if model is not None:
        build_model(model)  # an unknown name fails before the panel is read
    with progress("Forecast: reading the panel, fitting and forecasting"):
        panel = _panel(panel_spec)
        result = forecast_run(
            context.store().session,
            context.operator(),
            panel,
            model,
            draws=draws,
            store=store,
        )
    records = [country.as_record() for country in result.countries]
    origin = result.origin_year
    if as_json:
        print_json(
            {
                "run_id": result.run_id,
                "origin_year": origin,
                "model": result.model,
                "panel": result.panel_spec,
                "forecasts": records,
            }
        )
        return
    horizon = panel.spec.horizon
    print_table(
        records[:top],
        ["rank", "country", "probability", "interval", "change", "drivers"],
        title=f"Risk of {_outcome_name(panel)} in {origin + 1}–{origin + horizon} "
        f"({result.model}, {result.panel_spec})",
    )
    if result.run_id:
        console.print(f"Stored as run {result.run_id}; see /risk in the web app.")


def _outcome_name(panel: Any) -> str:
    if panel.spec.name == "ewp2025":
        return "a new mass killing"
    return f"{panel.spec.outcome!r}"


@app.command()
def explain(
    country: Annotated[str, typer.Argument(help="Country name or code.")],
    as_json: JsonOption = False,
) -> None:
    """Why a country's latest stored forecast is what it is, and what moved since last year."""
    from prevention_lens.risk.forecasts import country_forecast_history

    key = _country_key(country)
    with context.store().session() as session:
        history = country_forecast_history(session, context.operator(), key)
    if not history:
        raise ValidationError(f"no stored forecast for {key}: run `lens risk forecast` first")
    latest = history[0]
    if as_json:
        print_json(latest)
        return
    console.print(
        f"{latest['country_name']}: {latest['probability']:.1%} (rank {latest['rank']}) "
        f"from {latest['origin_year']} data, model {latest['model_name']}."
    )
    print_table(
        [d | {"value": d.get("value_text", d.get("value"))} for d in latest["drivers"]],
        ["label", "value", "contribution"],
        title="Drivers (contribution to the log-odds; + raises risk)",
    )
    parts = [s for s in latest["shifts"] if "kind" in s]
    if latest["change"] is not None and parts:
        print_table(
            [
                {
                    "part": p["label"],
                    "from": p.get("before", ""),
                    "to": p.get("after", ""),
                    "points": round(p["change"] * 100, 2),
                }
                for p in parts
            ],
            ["part", "from", "to", "points"],
            title=f"{latest['change'] * 100:+.2f} points since the forecast from "
            f"{latest['origin_year'] - 1}, part by part (the parts sum to the change)",
        )
