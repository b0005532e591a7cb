"""The suggested situation: the documented rule on planted risk, signals and assessments, read
as the reader may see them; it never sets a situation by itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.briefs.situations import (
    STALE_AFTER_DAYS,
    RecordWindow,
    Suggestion,
    suggest_situation,
    window_start,
)
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.records import create_incident, set_status
from prevention_lens.ingest import get_format, run_import
from prevention_lens.risk.assessments import ScoreInput, record_assessment
from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.risk.situations import current_situation, set_situation
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Confidentiality, Principal, Role
from prevention_lens.store.models import CountrySituation
from tests.risk.conftest import SMALL_FRAMEWORK

ANALYST = Principal("ana", Role.ANALYST, 7)
TODAY = date(2017, 3, 1)  # the planted records end 2017-01-10: recent is from 2016-07-01
TWO_YEARS_ON = date(2019, 1, 10)  # the same records, read when they are two years old


@pytest.fixture
def planted(sqlite_store: Store, settings: Settings, tmp_path: Path) -> Iterator[Store]:
    framework = tmp_path / "framework.yaml"
    framework.write_text(SMALL_FRAMEWORK)
    run_import(sqlite_store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework)
    yield sqlite_store


def _forecasts(session: Session, *rows: ForecastRow) -> None:
    store_forecast_run(
        session,
        LOCAL_OPERATOR,
        model_name="ewp-logit",
        model_params={},
        panel_spec="ewp2025",
        data_sha256="a" * 64,
        origin_year=2016,
        metrics={},
        rows=list(rows),
    )


def _incidents(session: Session, country: str, *, spike_deaths: int, spike_level: str) -> None:
    """One raid a month through 2016 (one death each), then ten attacks in January 2017."""
    base = {"category": "one_sided_violence", "country": country, "narrative": "Village burned."}
    for month in range(1, 13):
        create_incident(
            session,
            LOCAL_OPERATOR,
            draft_from_mapping(
                base
                | {"date_start": f"2016-{month:02d}-10", "title": f"Raid {month}"}
                | {"fatalities_best": "1"}
            ),
        )
    for day in range(1, 11):
        create_incident(
            session,
            LOCAL_OPERATOR,
            draft_from_mapping(
                base
                | {"date_start": f"2017-01-{day:02d}", "title": f"Wave {day}"}
                | {"fatalities_best": str(spike_deaths), "confidentiality": spike_level}
            ),
        )


def _assess(session: Session, country: str, score: int) -> None:
    record_assessment(
        session,
        LOCAL_OPERATOR,
        country,
        date(2017, 2, 1),
        [ScoreInput("1.1", score, "Fighting" if score >= 2 else "")],
        confidentiality=Confidentiality.PUBLIC,
    )


def test_the_window_starts_six_whole_months_back() -> None:
    assert window_start(date(2026, 12, 7)) == date(2026, 6, 1)
    assert window_start(TODAY) == date(2016, 9, 1)
    assert window_start(date(2026, 6, 30)) == date(2025, 12, 1)


def test_a_record_window_runs_from_start_to_end_to_today() -> None:
    window = RecordWindow(date(2023, 6, 1), date(2023, 12, 31), date(2026, 12, 7))
    assert window.days_behind == 1072 and window.stale
    assert window.to_dict() == {
        "start": "2023-06-01",
        "end": "2023-12-31",
        "today": "2026-12-07",
        "days_behind": 1072,
        "stale": True,
    }
    fresh = RecordWindow(date(2026, 6, 1), date(2026, 12, 1), date(2026, 12, 7))
    assert not fresh.stale and fresh.days_behind == 6
    assert (
        RecordWindow(
            date(2026, 6, 1), date(2026, 12, 1), date(2026, 12, 1) + timedelta(STALE_AFTER_DAYS)
        ).stale
        is False
    )
    with pytest.raises(ValueError, match="start <= end <= today"):
        RecordWindow(date(2026, 6, 1), date(2026, 12, 8), date(2026, 12, 7))


def test_alerts_with_mass_killing_deaths_and_high_risk_suggest_a_current_crisis(
    planted: Store,
) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.09, 1, previous_probability=0.05))
        _incidents(session, "TCD", spike_deaths=120, spike_level="public")
        _assess(session, "TCD", 3)
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "Chad", today=TODAY)
    assert suggestion.category == "current_crisis" and suggestion.label == "Current crisis"
    assert suggestion.confidence == "high"
    why, risk, signals, assessment = suggestion.reasons
    assert "mass-killing scale" in why
    assert (
        risk.startswith(
            "Statistical risk is very high: the chance of a new mass killing in 2017–2018 is 9.0%"
        )
        and "rank 1 of 1" in risk
    )
    assert "up 4.0 percentage points" in risk
    assert "of Chad that you may see end 2017-01-10" in signals and "from 2016-07-01" in signals
    assert "1,206 deaths in violence against civilians" in signals
    assert "(latest: 2017-01" in signals and "stale" not in signals
    assert suggestion.window == RecordWindow(date(2016, 7, 1), date(2017, 1, 10), TODAY)
    assert "(2017-02-01) scores severe: 1. Armed conflict" in assessment
    assert suggestion.to_dict()["reasons"] == list(suggestion.reasons)


def test_the_suggestion_rests_on_what_the_reader_may_see(planted: Store) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.09, 1, previous_probability=0.05))
        _incidents(session, "TCD", spike_deaths=120, spike_level="restricted")
    with planted.session() as session:
        analyst = suggest_situation(session, ANALYST, "TCD", today=TODAY)
        public = suggest_situation(session, ANONYMOUS, "TCD", today=TODAY)
    assert analyst.category == "current_crisis"
    # The restricted spike is invisible to the anonymous reader: their records end with the
    # December raid, and its window holds no alert and seven deaths.
    assert public.category == "imminent_risk"
    assert public.reasons[0] == "A high statistical risk, rising."
    assert (
        "that you may see end 2016-12-10; the window is the 6 months up to then, from "
        "2016-06-01. In it: no escalation alert, and 7 deaths"
    ) in public.reasons[2]
    assert analyst.window is not None and analyst.window.end == date(2017, 1, 10)


def test_high_risk_is_imminent_when_rising_and_of_serious_concern_when_not(
    planted: Store,
) -> None:
    with planted.session() as session:
        _forecasts(
            session,
            ForecastRow("MMR", 0.05, 1, previous_probability=0.04),
            ForecastRow("SDN", 0.05, 2, previous_probability=0.049),
            ForecastRow("NER", 0.025, 3),
        )
    with planted.session() as session:
        rising = suggest_situation(session, ANONYMOUS, "MMR", today=TODAY)
        steady = suggest_situation(session, ANONYMOUS, "SDN", today=TODAY)
        elevated = suggest_situation(session, ANONYMOUS, "NER", today=TODAY)
    assert rising.category == "imminent_risk" and rising.confidence == "low"
    assert "rank 1 of 3" in rising.reasons[1]
    assert steady.category == "serious_concern"
    assert steady.reasons[0] == "Serious concern: an elevated statistical risk."
    assert elevated.category == "serious_concern"
    assert "No incident records" in elevated.reasons[2]
    assert "No Framework of Analysis assessment" in elevated.reasons[3]


def test_mass_killing_deaths_without_a_high_risk_are_an_imminent_risk(planted: Store) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.01, 1))
        _incidents(session, "TCD", spike_deaths=120, spike_level="public")
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "TCD", today=TODAY)
    assert suggestion.category == "imminent_risk"
    assert "statistical risk is not high" in suggestion.reasons[0]
    assert suggestion.confidence == "medium"  # the records support it, the forecast does not


def test_a_severe_factor_alone_is_a_serious_concern_with_low_confidence(planted: Store) -> None:
    with planted.session() as session:
        _assess(session, "MMR", 3)
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "MMR", today=TODAY)
    assert suggestion.category == "serious_concern" and suggestion.confidence == "low"
    assert suggestion.reasons[0] == "Serious concern: Framework risk factors scored high."
    assert suggestion.reasons[1] == "No forecast is stored for this country."


def test_nothing_found_suggests_none(planted: Store) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.01, 1))
        _incidents(session, "TCD", spike_deaths=0, spike_level="confidential")
        _assess(session, "TCD", 1)
        empty = suggest_situation(session, ANONYMOUS, "Myanmar", today=TODAY)
    with planted.session() as session:
        quiet = suggest_situation(session, ANONYMOUS, "TCD", today=TODAY)
    assert (quiet.category, quiet.confidence) == ("none", "high")
    assert quiet.reasons[0] == "None of the rule's conditions is met."
    assert "scores no factor moderate or more" in quiet.reasons[3]
    assert (empty.category, empty.confidence) == ("none", "low")


def test_a_suggestion_never_sets_a_situation(planted: Store) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.09, 1, previous_probability=0.05))
        _incidents(session, "TCD", spike_deaths=120, spike_level="public")
        set_situation(session, ANALYST, "TCD", "none", "Quiet so far", date(2016, 6, 1))
    with planted.session() as session:
        for reader in (ANONYMOUS, ANALYST, LOCAL_OPERATOR):
            assert suggest_situation(session, reader, "TCD", today=TODAY).category == (
                "current_crisis"
            )
        assert not [row for row in session.new if isinstance(row, CountrySituation)]
    with planted.session() as session:
        assert session.scalar(select(func.count()).select_from(CountrySituation)) == 1
        current = current_situation(session, ANALYST, "TCD")
        assert current is not None and current.category == "none"


def test_a_suggestion_is_one_of_the_categories_and_confidences() -> None:
    with pytest.raises(ValueError, match="unknown situation category"):
        Suggestion("emergency", (), "high")
    with pytest.raises(ValueError, match="confidence"):
        Suggestion("none", (), "certain")


def test_records_that_end_long_ago_are_read_where_they_end_and_called_stale(
    planted: Store,
) -> None:
    """A gap in the data is no calm: counted back from today, the window would hold none of the
    records and say "no escalation alert"; it ends where the records end instead."""
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.09, 1, previous_probability=0.05))
        _incidents(session, "TCD", spike_deaths=120, spike_level="public")
        _assess(session, "TCD", 3)
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "Chad", today=TWO_YEARS_ON)
    why, _, signals, _ = suggestion.reasons
    assert "No escalation alert" not in signals and "no escalation alert" not in signals
    assert signals.startswith(
        "The incident records of Chad that you may see end 2017-01-10; the window is the 6 months "
        "up to then, from 2016-07-01. In it: "
    )
    assert "escalation alert" in signals and "(latest: 2017-01, " in signals
    assert "1,206 deaths in violence against civilians" in signals
    assert "These records end 730 days before today (2019-01-10), so they are stale" in signals
    # The rule reads the records' own last months, and says they are not current.
    assert suggestion.category == "current_crisis"
    assert why.endswith(
        "The incident records end 2017-01-10, 730 days before today: what they show is not current."
    )
    # Stale records count as no data for confidence: two inputs, both supporting the category.
    assert suggestion.confidence == "medium"
    assert suggestion.window == RecordWindow(date(2016, 7, 1), date(2017, 1, 10), TWO_YEARS_ON)
    assert suggestion.to_dict()["window"]["stale"] is True


def test_a_quiet_end_of_stale_records_does_not_support_none(planted: Store) -> None:
    with planted.session() as session:
        _forecasts(session, ForecastRow("TCD", 0.01, 1))
        _incidents(session, "TCD", spike_deaths=0, spike_level="confidential")
        _assess(session, "TCD", 1)
    with planted.session() as session:
        fresh = suggest_situation(session, ANONYMOUS, "TCD", today=TODAY)
        stale = suggest_situation(session, ANONYMOUS, "TCD", today=TWO_YEARS_ON)
    assert (fresh.category, fresh.confidence) == ("none", "high")
    assert stale.category == "none" and stale.confidence == "medium"
    assert "end 2016-12-10" in stale.reasons[2] and "no escalation alert" in stale.reasons[2]
    assert "the absence of alerts after them is no sign of calm" in stale.reasons[2]
    assert "what they show is not current" in stale.reasons[0]


def test_the_window_never_ends_after_today(planted: Store) -> None:
    with planted.session() as session:
        _incidents(session, "TCD", spike_deaths=1, spike_level="public")
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "TCD", today=date(2016, 12, 31))
    last_day = date(2016, 12, 31)
    assert suggestion.window == RecordWindow(date(2016, 6, 1), last_day, last_day)


def test_rejected_records_do_not_end_the_window(planted: Store) -> None:
    with planted.session() as session:
        _incidents(session, "TCD", spike_deaths=1, spike_level="public")
        late = create_incident(
            session,
            LOCAL_OPERATOR,
            draft_from_mapping(
                {
                    "category": "one_sided_violence",
                    "country": "TCD",
                    "narrative": "Ruled out.",
                    "title": "Late report",
                    "date_start": "2018-06-01",
                }
            ),
        )
        set_status(session, LOCAL_OPERATOR, late.id, "in_review")
        set_status(session, ANALYST, late.id, "rejected")
    with planted.session() as session:
        suggestion = suggest_situation(session, ANONYMOUS, "TCD", today=TWO_YEARS_ON)
    assert suggestion.window is not None and suggestion.window.end == date(2017, 1, 10)
