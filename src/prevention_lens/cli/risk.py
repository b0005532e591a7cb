"""`lens risk`: the Framework of Analysis, analysts' assessments, forecasts and backtests."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table
from prevention_lens.csvsafe import csv_safe_record, csv_safe_row
from prevention_lens.errors import ValidationError
from prevention_lens.risk.assessments import (
    ScoreInput,
    assessment_history,
    latest_by_factor,
    record_assessment,
)
from prevention_lens.risk.framework import CITATION, correct_indicator, framework_factors
from prevention_lens.risk.metrics import HEADLINE_FIGURES
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


def _model_names() -> str:
    from prevention_lens.risk.catalog import MODELS

    return ", ".join(MODELS)


def _store_run(
    model_name: str, panel: Any, origin_year: int, metrics: dict[str, object], table: Any
) -> int:
    from prevention_lens.risk.catalog import describe, predictor_label
    from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run

    values = panel.at(origin_year).droplevel(1)
    rows = [
        ForecastRow(
            country_key=str(row["country_key"]),
            probability=float(row["probability"]),
            rank=int(row["rank"]),
            low=_number(row["lower"]),
            high=_number(row["upper"]),
            previous_probability=_number(row["previous_probability"]),
            drivers=[
                {
                    "predictor": p,
                    "label": predictor_label(p),
                    "contribution": round(v, 4),
                    "value": round(float(values.at[row["unit"], p]), 3),
                }
                for p, v in row["drivers"]
            ],
            shifts=[
                {"predictor": p, "label": predictor_label(p), "change": round(v, 4)}
                for p, v in row["shifts"]
            ],
        )
        for _, row in table.iterrows()
    ]
    with context.store().session() as session:
        run = store_forecast_run(
            session,
            context.operator(),
            model_name=model_name,
            model_params=describe(model_name),
            panel_spec=panel.spec.name,
            data_sha256=panel.sha256,
            origin_year=origin_year,
            metrics=metrics,
            rows=rows,
        )
        return run.id


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number


CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Also write the table as CSV to this file ('-': standard output)."),
]


@app.command()
def backtest(
    model: Annotated[
        list[str] | None, typer.Option(help="Model(s) to backtest (default: all).")
    ] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap draws for the intervals.")] = 1000,
    store: Annotated[
        bool, typer.Option("--store", help="Keep the backtest in the store (see `backtests`).")
    ] = False,
    csv_path: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Backtest models by the Early Warning Project's protocol, beside EWP's published forecasts."""
    from prevention_lens.risk.catalog import MODELS, backtest_models

    names = model or list(MODELS)
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        raise ValidationError(f"unknown model {unknown[0]!r}; choose from {_model_names()}")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
        task = bar.add_task("Backtesting", total=None)
        table = backtest_models(
            names,
            context.settings().require_sources(),
            n_boot=bootstrap,
            progress=lambda text: bar.update(task, description=text),
        )
    backtest_id = None
    if store:
        from prevention_lens.risk.forecasts import store_backtest

        with context.store().session() as session:
            backtest_id = store_backtest(session, context.operator(), table).id
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
    from prevention_lens.risk.forecasts import backtest_history, stored_backtest

    with context.store().session() as session:
        if number is not None:
            kept = stored_backtest(session, context.operator(), number)
            assert kept is not None
            _show_backtest(kept, csv_path, as_json)
            return
        history = backtest_history(session, context.operator())
    records = [
        {
            "number": row["id"],
            "kept": row["created_at"].strftime("%Y-%m-%d %H:%M"),
            "by": row["created_by"],
            "models": len(row["models"]),
            "default": row["default_model"],
            "auc": row["headline"]["auc"],
            "top10": row["headline"]["top10"],
            "data": row["data_sha256"][:12],
            "code": row["code_version"],
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


def _show_backtest(kept: dict[str, Any], csv_path: Path | None, as_json: bool) -> None:
    from prevention_lens.risk.forecasts import backtest_rows

    rows = backtest_rows(kept)
    if csv_path is not None:
        if str(csv_path) == "-":
            _write_csv(sys.stdout, rows)
        else:
            with csv_path.open("w", newline="", encoding="utf-8") as handle:
                _write_csv(handle, rows)
            console.print(f"Wrote {len(rows)} rows to {csv_path}.")
    if as_json:
        print_json(kept["table"] if "id" not in kept else kept)
    elif csv_path is None or str(csv_path) != "-":
        print_table(
            [
                {key: _fmt(row.get(key)) for key in ["model", *HEADLINE_FIGURES, "wall_s"]}
                for row in rows
            ],
            ["model", *HEADLINE_FIGURES, "wall_s"],
            title="EWP protocol, forecasts for 1994–2024 (95% intervals with --json or --csv)",
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
    as_json: JsonOption = False,
) -> None:
    """Forecast the next two years from the latest year's data, with intervals and drivers."""
    from prevention_lens.risk.catalog import DEFAULT_MODEL, latest_forecasts

    name = model or DEFAULT_MODEL
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
        bar.add_task(f"Fitting {name} and forecasting", total=None)
        panel, table, metrics = latest_forecasts(
            name, context.settings().require_sources(), draws=draws
        )
    origin = int(table["forecast_year"].iloc[0])
    run_id = _store_run(name, panel, origin, metrics, table) if store else None
    records = [
        {
            "rank": int(r["rank"]),
            "country": r["label"],
            "key": r["country_key"],
            "probability": round(float(r["probability"]), 4),
            "interval": f"{r['lower']:.3f}–{r['upper']:.3f}" if draws else "",
            "change": None if _number(r["change"]) is None else round(float(r["change"]), 4),
            "drivers": ", ".join(p for p, _ in r["drivers"][:3]),
        }
        for _, r in table.iterrows()
    ]
    if as_json:
        print_json({"run_id": run_id, "origin_year": origin, "model": name, "forecasts": records})
        return
    print_table(
        records[:top],
        ["rank", "country", "probability", "interval", "change", "drivers"],
        title=f"Risk of a new mass killing in {origin + 1}–{origin + 2} ({name})",
    )
    if run_id:
        console.print(f"Stored as run {run_id}; see /risk in the web app.")


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
        latest["drivers"],
        ["label", "value", "contribution"],
        title="Drivers (contribution to the log-odds; + raises risk)",
    )
    print_table(latest["shifts"], ["label", "change"], title="Moved most since last year")
