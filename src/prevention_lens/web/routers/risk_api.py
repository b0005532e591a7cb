"""The risk part of the JSON API: forecasts, a country's risk, the framework, assessments."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from prevention_lens.errors import NotFoundError
from prevention_lens.risk.assessments import (
    EVIDENCE_MAX_CHARS,
    MAX_SCORES,
    SUMMARY_MAX_CHARS,
    URL_MAX_CHARS,
    ScoreInput,
    assessment_history,
    record_assessment,
)
from prevention_lens.risk.forecasts import (
    backtest_history,
    country_forecast_history,
    latest_run,
    run_forecasts,
    stored_backtest,
)
from prevention_lens.risk.framework import framework_factors
from prevention_lens.store.access import Confidentiality
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import CODE_MAX_CHARS, CurrentPrincipal, DbSession, PathCode, RecordId
from prevention_lens.web.security import verify_csrf

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], dependencies=[Depends(verify_csrf)])


class Score(BaseModel):
    code: str = Field(
        max_length=20,
        description="Indicator id, e.g. 7.3 (or a factor number without indicators)",
    )
    score: int | None = Field(
        ge=0, le=3, description="0 absent, 1 low, 2 moderate, 3 severe; null: not assessed"
    )
    evidence: str = Field(default="", max_length=EVIDENCE_MAX_CHARS)
    source_url: str = Field(default="", max_length=URL_MAX_CHARS)


class NewAssessment(BaseModel):
    country: str = Field(max_length=CODE_MAX_CHARS, description="Country name or code")
    assessed_on: date
    summary: str = Field(default="", max_length=SUMMARY_MAX_CHARS)
    public: bool = False
    scores: list[Score] = Field(max_length=MAX_SCORES)


@router.get("/forecasts")
def forecasts(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """The latest run's forecasts for every country, ranked."""
    run = latest_run(session, principal)
    rows = run_forecasts(session, principal, run["id"]) if run else []
    return {"run": run, "forecasts": rows}


@router.get("/backtests")
def backtests(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """Stored backtests, newest first: provenance and the default model's headline figures."""
    return [
        {key: value for key, value in row.items() if key != "table"}
        for row in backtest_history(session, principal)
    ]


@router.get("/backtests/latest")
def latest_backtest(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """The newest stored backtest with its whole scored table (figures, intervals, curves)."""
    kept = stored_backtest(session, principal)
    if kept is None:
        raise NotFoundError("No backtest is stored yet.")
    return kept


@router.get("/backtests/{number}")
def backtest(number: RecordId, session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """One stored backtest with its whole scored table (figures, intervals, curves)."""
    kept = stored_backtest(session, principal, number)
    assert kept is not None
    return kept


@router.get("/countries/{country}")
def country_risk(
    country: PathCode, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """A country's forecasts across runs and the Framework assessments the caller may see."""
    found = find_country(session, country)
    return {
        "country": found.key,
        "forecasts": country_forecast_history(session, principal, found.key),
        "assessments": assessment_history(session, principal, found),
    }


@router.get("/framework")
def framework(session: DbSession) -> list[dict[str, Any]]:
    """The 14 risk factors of the UN Framework of Analysis and their indicators."""
    return [
        f.__dict__ | {"indicators": [i.__dict__ for i in f.indicators]}
        for f in framework_factors(session)
    ]


@router.post("/assessments", status_code=201)
def add_assessment(
    body: NewAssessment, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Record an assessment (analysts and admins)."""
    found = find_country(session, body.country)
    assessment = record_assessment(
        session,
        principal,
        found,
        body.assessed_on,
        [ScoreInput(s.code, s.score, s.evidence, s.source_url) for s in body.scores],
        summary=body.summary,
        confidentiality=Confidentiality.PUBLIC if body.public else Confidentiality.RESTRICTED,
    )
    return {"id": assessment.id, "country": found.key}
