"""Assessments: only analysts and admins record them; history kept; confidentiality enforced."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from prevention_lens.errors import AuthenticationError, PermissionDeniedError, ValidationError
from prevention_lens.risk.assessments import (
    EVIDENCE_MAX_CHARS,
    ScoreInput,
    assessment_history,
    latest_by_factor,
    record_assessment,
)
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
)
from prevention_lens.store.models import AuditEntry

ANALYST = Principal("ana", Role.ANALYST, 7)
CONTRIBUTOR = Principal("cora", Role.CONTRIBUTOR, 8)
SCORES = [
    ScoreInput("1.1", 3, "Fighting in Rakhine", "https://example.org/report"),
    ScoreInput("1.2", None),
    ScoreInput("11", 2, "Village burnings"),
]


def test_analyst_records_and_history_is_kept(framework_store: Store) -> None:
    with framework_store.session() as session:
        record_assessment(session, ANALYST, "MMR", date(2024, 1, 10), SCORES[:1])
        record_assessment(session, ANALYST, "MMR", date(2025, 1, 10), SCORES, summary="Worse")
    with framework_store.session() as session:
        history = assessment_history(session, ANALYST, "MMR")
        assert [h["assessed_on"] for h in history] == [date(2025, 1, 10), date(2024, 1, 10)]
        assert history[0]["analyst"] == "ana" and history[0]["level"] == "restricted"
        latest, factors = latest_by_factor(session, ANALYST, "MMR")
        assert latest is not None and latest["summary"] == "Worse"
        assert [(f.number, f.highest, f.assessed, f.indicators) for f in factors] == [
            (1, 3, 1, 2),
            (11, 2, 1, 1),
        ]
        read = session.scalars(select(AuditEntry).where(AuditEntry.resource == "assessment"))
        assert any(entry.action == "read" for entry in read)


@pytest.mark.parametrize("who", [CONTRIBUTOR, ANONYMOUS])
def test_only_analysts_and_admins_record(framework_store: Store, who: Principal) -> None:
    error = PermissionDeniedError if who.user_id else AuthenticationError
    with pytest.raises(error), framework_store.session() as session:
        record_assessment(session, who, "MMR", date(2025, 1, 1), SCORES)


def test_restricted_assessments_are_hidden_from_the_public(framework_store: Store) -> None:
    with framework_store.session() as session:
        record_assessment(session, ANALYST, "MMR", date(2025, 1, 1), SCORES)
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "MMR",
            date(2024, 6, 1),
            SCORES[:1],
            confidentiality=Confidentiality.PUBLIC,
        )
    with framework_store.session() as session:
        public = assessment_history(session, ANONYMOUS, "MMR")
        assert [h["assessed_on"] for h in public] == [date(2024, 6, 1)]
        assert "analyst" not in public[0]
        assert public[0]["scores"][0]["evidence"] == "Fighting in Rakhine"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([ScoreInput("9.9", 1)], "unknown indicator"),
        ([ScoreInput("1.1", 1), ScoreInput("1.1", 2, "x")], "scored twice"),
        ([ScoreInput("1.1", None)], "scores no indicator"),
    ],
)
def test_bad_assessments_are_refused(
    framework_store: Store, scores: list[ScoreInput], message: str
) -> None:
    with pytest.raises(ValidationError, match=message), framework_store.session() as session:
        record_assessment(session, ANALYST, "MMR", date(2025, 1, 1), scores)


def test_score_lines_validate_themselves() -> None:
    with pytest.raises(ValidationError, match="score must be 0, 1, 2, 3"):
        ScoreInput("1.1", 4)
    with pytest.raises(ValidationError, match="needs an evidence note"):
        ScoreInput("1.1", 3)
    with pytest.raises(ValidationError, match="must be an http"):
        ScoreInput("1.1", 1, "", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="over 10,000 characters") as refused:
        ScoreInput("1.1", 1, "x" * (EVIDENCE_MAX_CHARS + 1))
    assert refused.value.field == "evidence of 1.1"


def test_an_overlong_summary_is_refused_before_anything_is_stored(framework_store: Store) -> None:
    with (
        pytest.raises(ValidationError, match="over 20,000 characters"),
        framework_store.session() as session,
    ):
        record_assessment(session, ANALYST, "MMR", date(2025, 1, 1), SCORES, summary="x" * 20_001)


def test_future_dates_are_refused(framework_store: Store) -> None:
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"), framework_store.session() as s:
        record_assessment(s, ANALYST, "MMR", tomorrow, SCORES)
