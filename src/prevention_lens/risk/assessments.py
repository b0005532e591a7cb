"""Analysts' structured assessments of a country against the Framework of Analysis.

Assessments are dated and never edited: a new one supersedes, so the history stays whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import mean
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.risk.framework import FRAMEWORK, framework_factors, scorable_codes
from prevention_lens.store.access import Confidentiality, Principal, audit, project, require
from prevention_lens.store.models import Assessment, AssessmentScore, Country

# Text limits, shared by the web form, the assessment sheet and the API.
EVIDENCE_MAX_CHARS = 10_000
SUMMARY_MAX_CHARS = 20_000
URL_MAX_CHARS = 2_000
MAX_SCORES = 500  # the Framework has 14 factors and fewer than 200 indicators


@dataclass(frozen=True)
class ScoreInput:
    """One line of an assessment: 0 absent … 3 severe, or None for not assessed."""

    code: str
    score: int | None
    evidence: str = ""
    source_url: str = ""

    def __post_init__(self) -> None:
        if self.score is not None and self.score not in (0, 1, 2, 3):
            raise ValidationError(
                f"score must be 0, 1, 2, 3 or empty (not assessed), got {self.score}",
                field=f"score of {self.code}",
            )
        if len(self.evidence) > EVIDENCE_MAX_CHARS:
            raise ValidationError(
                f"is over {EVIDENCE_MAX_CHARS:,} characters", field=f"evidence of {self.code}"
            )
        if len(self.source_url) > URL_MAX_CHARS:
            raise ValidationError(
                f"is over {URL_MAX_CHARS:,} characters", field=f"source of {self.code}"
            )
        if self.source_url:
            parts = urlsplit(self.source_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(
                    f"source link {self.source_url!r} must be an http(s) address",
                    field=f"source of {self.code}",
                )
        if self.score is not None and self.score >= 2 and not self.evidence.strip():
            raise ValidationError(
                "a score of 2 or 3 needs an evidence note", field=f"evidence of {self.code}"
            )


def _country(session: Session, country: Country | str) -> Country:
    # Callers that have looked the country up already pass its row: one lookup per request.
    if isinstance(country, Country):
        return country
    found = session.scalar(select(Country).where(Country.key == country))
    if found is None:
        raise NotFoundError(f"No country with key {country!r}.")
    return found


def record_assessment(
    session: Session,
    principal: Principal,
    country_key: Country | str,
    assessed_on: date,
    scores: Sequence[ScoreInput],
    *,
    summary: str = "",
    confidentiality: Confidentiality = Confidentiality.RESTRICTED,
) -> Assessment:
    """Store a new dated assessment (analysts and admins only)."""
    require(principal, "create", "assessment")
    if len(summary) > SUMMARY_MAX_CHARS:
        raise ValidationError(f"is over {SUMMARY_MAX_CHARS:,} characters", field="summary")
    if len(scores) > MAX_SCORES:
        raise ValidationError(f"more than {MAX_SCORES} scores", field="scores")
    known = scorable_codes(session)
    unknown = sorted({s.code for s in scores} - set(known))
    if unknown:
        raise ValidationError(
            f"unknown indicator(s) {', '.join(unknown)}; see `lens risk framework`",
            field="code",
        )
    codes = [s.code for s in scores]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError(f"indicator(s) scored twice: {', '.join(repeated)}", field="code")
    if not any(s.score is not None for s in scores):
        raise ValidationError("the assessment scores no indicator", field="score")
    if assessed_on > date.today():
        raise ValidationError(f"assessment date {assessed_on} is in the future", field="date")
    country = _country(session, country_key)
    assessment = Assessment(
        country_id=country.id,
        framework=FRAMEWORK,
        assessed_on=assessed_on,
        analyst=principal.username,
        summary=summary.strip(),
        confidentiality=int(confidentiality),
        scores=[
            AssessmentScore(
                code=s.code,
                score=s.score,
                evidence=s.evidence.strip(),
                source_url=s.source_url.strip(),
            )
            for s in scores
        ],
    )
    session.add(assessment)
    session.flush()
    audit(session, principal, "create", "assessment", assessment.id, country=country.key)
    return assessment


def _visible(
    session: Session, principal: Principal, assessment: Assessment
) -> dict[str, Any] | None:
    head = project(principal, "assessment", assessment)
    if head is None:
        return None
    head["level"] = Confidentiality(head["confidentiality"]).label
    head["scores"] = [
        projected
        for score in assessment.scores
        if (projected := project(principal, "assessment_score", score)) is not None
    ]
    return head


def assessment_history(
    session: Session, principal: Principal, country_key: Country | str
) -> list[dict[str, Any]]:
    """Every assessment of the country (a key or its row) the principal may see, newest first,
    with scores; reading restricted ones writes one audit row."""
    country = _country(session, country_key)
    rows = session.scalars(
        select(Assessment)
        .where(Assessment.country_id == country.id, Assessment.framework == FRAMEWORK)
        .options(selectinload(Assessment.scores))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    )
    history = [view for row in rows if (view := _visible(session, principal, row)) is not None]
    restricted = [h["id"] for h in history if h["confidentiality"] >= Confidentiality.RESTRICTED]
    if restricted:
        audit(session, principal, "read", "assessment", country=country.key, ids=restricted)
    return history


@dataclass(frozen=True)
class FactorSummary:
    number: int
    name: str
    kind: str
    highest: int | None
    average: float | None
    assessed: int
    indicators: int
    scores: tuple[dict[str, Any], ...]


def latest_by_factor(
    session: Session, principal: Principal, country_key: Country | str
) -> tuple[dict[str, Any] | None, list[FactorSummary]]:
    """The latest visible assessment and, factor by factor, its highest and average score."""
    history = assessment_history(session, principal, country_key)
    latest = history[0] if history else None
    return latest, factor_summaries(session, latest)


def factor_summaries(session: Session, latest: dict[str, Any] | None) -> list[FactorSummary]:
    """Factor by factor, the highest and average score of an assessment (from
    ``assessment_history``; None gives every factor unscored)."""
    by_code = {s["code"]: s for s in (latest["scores"] if latest else [])}
    summaries = []
    for factor in framework_factors(session):
        scores = tuple(by_code[c] for c in factor.scorable_codes if c in by_code)
        values = [s["score"] for s in scores if s["score"] is not None]
        summaries.append(
            FactorSummary(
                number=factor.number,
                name=factor.name,
                kind=factor.kind,
                highest=max(values) if values else None,
                average=round(mean(values), 2) if values else None,
                assessed=len(values),
                indicators=len(factor.scorable_codes),
                scores=scores,
            )
        )
    return summaries
