"""Risk pages: the ranked map of forecasts, a country's risk page, the backtest page, and the
analysts' assessment form.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prevention_lens.csvsafe import csv_safe_record
from prevention_lens.errors import LensError, NotFoundError, ValidationError
from prevention_lens.risk.assessments import (
    ScoreInput,
    assessment_history,
    factor_summaries,
    record_assessment,
)
from prevention_lens.risk.country import LEVEL_REASON, RISK_LEVELS, country_risk
from prevention_lens.risk.forecasts import (
    LEVELS,
    backtest_columns,
    backtest_record,
    backtest_records,
    backtest_rows,
    risk_table,
)
from prevention_lens.risk.framework import CITATION, SCORE_LABELS, framework_factors
from prevention_lens.store.access import Confidentiality, allowed, require
from prevention_lens.store.models import Country
from prevention_lens.web.deps import (
    MAX_ID,
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
    country_in_path,
)
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
    try:
        table = risk_table(session, principal)
    except NotFoundError:
        table = None  # no run stored yet: the page says how to make one
    rows = table.rows if table else ()
    shown = [
        row
        for row in rows
        if (not region or row.region == region) and (not level or row.level == level)
    ]
    if format == "csv":
        origin = table.run.origin_year if table else None
        name = f"risk-{origin + 1}-{origin + 2}.csv" if origin is not None else "risk.csv"
        return _csv([asdict(row) for row in shown], CSV_COLUMNS, name)
    values = {row.country_key: row.probability for row in rows}
    return render(
        request,
        "risk.html",
        {
            "run": table.run if table else None,
            "rows": shown,
            "values_json": json.dumps(values),
            "regions": sorted({row.region for row in rows}),
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
    try:
        kept = backtest_record(session, principal, number)
    except NotFoundError:
        if number is not None or format == "csv":
            raise
        kept = None  # none stored yet: the page says how to keep one
    rows = backtest_rows(kept) if kept else []
    if format == "csv" and kept is not None:
        return _csv(rows, backtest_columns(), f"backtest-{kept.id}.csv")
    curves = kept.table.get("curves") if kept else None
    return render(
        request,
        "risk_backtest.html",
        {
            "backtest": kept,
            "rows": rows,
            "history": backtest_records(session, principal),
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


@router.get("/{key}", response_class=HTMLResponse)
def country_risk_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    # One lookup and one read of each kind per view: the assessment history is read once (one
    # audit row when it holds restricted assessments) and the factor table derives from it.
    country = country_in_path(request, session, key)
    risk = country_risk(session, principal, country)
    history = assessment_history(session, principal, country)
    latest = history[0] if history else None
    return render(
        request,
        "risk_country.html",
        {
            "country": country,
            "risk": risk,
            "latest": latest,
            "factors": factor_summaries(session, latest) if latest else [],
            "history": history,
            "levels": RISK_LEVELS,
            "level_reason": LEVEL_REASON,
            "score_labels": SCORE_LABELS,
            "citation": CITATION,
            "can_assess": allowed(principal, "create", "assessment"),
        },
    )


def _assess_form(
    request: Request,
    session: DbSession,
    country: Country,
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
    return _assess_form(request, session, country_in_path(request, session, key), None)


@router.post("/{key}/assess")
async def assess(
    request: Request, session: DbSession, principal: CurrentPrincipal, key: PathCode
) -> Response:
    require(principal, "create", "assessment")
    country = country_in_path(request, session, key)
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
            country,
            day,
            scores,
            summary=values.get("summary", ""),
            confidentiality=level,
        )
    except (LensError, ValueError) as error:
        session.rollback()
        return _assess_form(request, session, country, str(error), 422, values)
    return RedirectResponse(f"/risk/{country.key}", status_code=303)
