"""Risk pages: the ranked map of forecasts, a country's risk page, the backtest page, and the
analysts' assessment form.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from prevention_lens.csvsafe import csv_safe_record
from prevention_lens.errors import LensError, NotFoundError, ValidationError
from prevention_lens.risk.assessments import (
    ScoreInput,
    assessment_history,
    latest_by_factor,
    record_assessment,
)
from prevention_lens.risk.forecasts import (
    LEVELS,
    backtest_columns,
    backtest_history,
    backtest_rows,
    country_forecast_history,
    latest_run,
    run_forecasts,
    stored_backtest,
)
from prevention_lens.risk.framework import CITATION, SCORE_LABELS, framework_factors
from prevention_lens.store.access import Confidentiality, allowed, read_record, require
from prevention_lens.store.models import Country
from prevention_lens.web.deps import MAX_ID, CurrentPrincipal, DbSession, PathCode, code_query
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(prefix="/risk", dependencies=[Depends(verify_csrf)], include_in_schema=False)

CSV_COLUMNS = (
    "rank",
    "country_key",
    "country_name",
    "region",
    "probability",
    "low",
    "high",
    "previous_probability",
    "change",
    "level",
)


@router.get("", response_class=HTMLResponse)
def risk_map(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    region: Annotated[str, code_query("A region's name")] = "",
    level: Annotated[str, code_query("A risk level")] = "",
    format: Annotated[str, code_query("html or csv")] = "html",
) -> Response:
    run = latest_run(session, principal)
    rows = run_forecasts(session, principal, run["id"]) if run else []
    shown = [
        row
        for row in rows
        if (not region or row["region"] == region) and (not level or row["level"] == level)
    ]
    if format == "csv":
        name = f"risk-{run['origin_year'] + 1}-{run['origin_year'] + 2}.csv" if run else "risk.csv"
        return _csv(shown, CSV_COLUMNS, name)
    values = {row["country_key"]: row["probability"] for row in rows}
    return render(
        request,
        "risk.html",
        {
            "run": run,
            "rows": shown,
            "values_json": json.dumps(values),
            "regions": sorted({row["region"] for row in rows}),
            "region": region,
            "levels": [name for name, _ in LEVELS],
            "level": level,
        },
    )


@router.get("/backtest", response_class=HTMLResponse)
def backtest_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    number: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    format: Annotated[str, code_query("html or csv")] = "html",
) -> Response:
    kept = stored_backtest(session, principal, number)
    rows = backtest_rows(kept) if kept else []
    if format == "csv":
        if kept is None:
            raise NotFoundError("No backtest is stored yet.")
        return _csv(rows, backtest_columns(), f"backtest-{kept['id']}.csv")
    curves = kept["table"].get("curves") if kept else None
    return render(
        request,
        "risk_backtest.html",
        {
            "backtest": kept,
            "rows": rows,
            "history": backtest_history(session, principal),
            "curves_json": json.dumps(curves) if curves else "",
        },
    )


def _csv(rows: list[dict[str, Any]], columns: Sequence[str], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(csv_safe_record(row) for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _country(session: DbSession, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    record = session.scalar(select(Country).where(Country.key == key.upper()))
    return read_record(session, principal, "country", record, repr(key))


@router.get("/{key}", response_class=HTMLResponse)
def country_risk(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    country = _country(session, principal, key)
    forecasts = country_forecast_history(session, principal, country["key"])
    try:
        latest, factors = latest_by_factor(session, principal, country["key"])
        history = assessment_history(session, principal, country["key"])
    except NotFoundError:
        latest, factors, history = None, [], []
    return render(
        request,
        "risk_country.html",
        {
            "country": country,
            "forecasts": forecasts,
            "latest": latest,
            "factors": factors,
            "history": history,
            "score_labels": SCORE_LABELS,
            "citation": CITATION,
            "can_assess": allowed(principal, "create", "assessment"),
        },
    )


def _assess_form(
    request: Request,
    session: DbSession,
    country: dict[str, Any],
    error: str | None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "risk_assess.html",
        {
            "country": country,
            "factors": framework_factors(session),
            "error": error,
            "today": date.today().isoformat(),
            "score_labels": SCORE_LABELS,
            "citation": CITATION,
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/{key}/assess", response_class=HTMLResponse)
def assess_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "create", "assessment")
    return _assess_form(request, session, _country(session, principal, key), None)


@router.post("/{key}/assess")
async def assess(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "create", "assessment")
    country = _country(session, principal, key)
    form = await request.form()
    values = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    try:
        scores = []
        for factor in framework_factors(session):
            for code in factor.scorable_codes:
                raw = values.get(f"score-{code}", "")
                if raw == "" and not values.get(f"evidence-{code}", "").strip():
                    continue
                scores.append(
                    ScoreInput(
                        code,
                        None if raw == "" else int(raw),
                        values.get(f"evidence-{code}", ""),
                        values.get(f"source-{code}", ""),
                    )
                )
        try:
            day = date.fromisoformat(values.get("assessed_on", ""))
        except ValueError:
            raise ValidationError("give the date of the assessment", field="date") from None
        level = (
            Confidentiality.PUBLIC if values.get("public") == "yes" else Confidentiality.RESTRICTED
        )
        record_assessment(
            session,
            principal,
            country["key"],
            day,
            scores,
            summary=values.get("summary", ""),
            confidentiality=level,
        )
    except (LensError, ValueError) as error:
        session.rollback()
        return _assess_form(request, session, country, str(error), 422, values)
    return RedirectResponse(f"/risk/{country['key']}", status_code=303)
