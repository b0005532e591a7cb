"""The country hub: every part read through the access policy, typed, linked, and fast."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select

from prevention_lens.actors.records import (
    ContactDraft,
    actor_draft_from_mapping,
    add_contact,
    create_actor,
    review_actor,
)
from prevention_lens.briefs.hub import CountryHub, HubRisk, country_hub, links
from prevention_lens.errors import UnknownCountryError
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.records import create_incident
from prevention_lens.ingest import get_format, run_import
from prevention_lens.risk.assessments import ScoreInput, record_assessment
from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
)
from prevention_lens.store.models import AuditEntry
from tests.risk.conftest import SMALL_FRAMEWORK

# Planted in every confidential place a hub could read from; no anonymous view may show it.
MARKER = "HUB-SECRET-7b2e"
ANALYST = Principal("ana", Role.ANALYST, user_id=41)


def plant_country(store: Store, settings: Settings, tmp_path: Path) -> None:
    """Myanmar with a forecast, a public and a confidential assessment, public and hidden
    incidents, and a published and a draft actor, with markers wherever confidential."""
    framework = tmp_path / "framework.yaml"
    framework.write_text(SMALL_FRAMEWORK)
    run_import(store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework)
    with store.session() as session:
        store_forecast_run(
            session,
            LOCAL_OPERATOR,
            model_name="ewp-logit",
            model_params={},
            panel_spec="ewp2025",
            data_sha256="a" * 64,
            origin_year=2024,
            metrics={},
            rows=[
                ForecastRow(
                    "MMR",
                    0.09,
                    1,
                    previous_probability=0.07,
                    drivers=(
                        {
                            "predictor": "mk_ongoing",
                            "label": "Mass killing under way",
                            "value": 1,
                            "contribution": 0.8,
                        },
                        {
                            "predictor": "pop",
                            "label": "Population",
                            "value": 3,
                            "contribution": -0.1,
                        },
                    ),
                ),
                ForecastRow("TCD", 0.01, 2),
            ],
        )
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "MMR",
            date(2024, 3, 1),
            [ScoreInput("1.1", 2, "Fighting")],
            summary="Public view of the conflict",
            confidentiality=Confidentiality.PUBLIC,
        )
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "MMR",
            date(2025, 3, 1),
            [ScoreInput("1.1", 3, f"Told by {MARKER}")],
            summary=f"Confidential view {MARKER}",
            confidentiality=Confidentiality.CONFIDENTIAL,
        )
        base = {
            "category": "one_sided_violence",
            "country": "MMR",
            "title": "Attack on a village",
            "narrative": "Houses burned at dawn.",
        }
        for day in (1, 2):
            create_incident(
                session,
                LOCAL_OPERATOR,
                draft_from_mapping(
                    base
                    | {
                        "date_start": f"2024-05-0{day}",
                        "title": f"Public attack {day}",
                        "witness_identity": MARKER,
                        "witness_contact": f"{MARKER}@example.org",
                        "exact_place": f"Behind the house of {MARKER}",
                    }
                ),
            )
        for level in ("restricted", "confidential"):
            create_incident(
                session,
                LOCAL_OPERATOR,
                draft_from_mapping(
                    base
                    | {
                        "date_start": "2024-06-01",
                        "title": f"Hidden {level} {MARKER}",
                        "confidentiality": level,
                    }
                ),
            )
        actor = {
            "kind": "civil_society",
            "levels": "local",
            "countries": "Myanmar",
            "activities": "early_warning; documentation",
            "sectors": "human_rights",
        }
        shown = create_actor(
            session, LOCAL_OPERATOR, actor_draft_from_mapping(actor | {"name": "Yangon Watch"})
        )
        review_actor(session, LOCAL_OPERATOR, shown.id, "publish")
        add_contact(
            session,
            LOCAL_OPERATOR,
            shown.id,
            ContactDraft(name=f"Contact {MARKER}", role="Director", email=f"{MARKER}@x.org"),
        )
        create_actor(
            session, LOCAL_OPERATOR, actor_draft_from_mapping(actor | {"name": f"Draft {MARKER}"})
        )


@pytest.fixture
def planted(store: Store, settings: Settings, tmp_path: Path) -> Store:
    plant_country(store, settings, tmp_path)
    return store


def test_anonymous_hub_shows_public_parts_each_linked(planted: Store) -> None:
    with planted.session() as session:
        hub = country_hub(session, ANONYMOUS, "MMR")
    assert isinstance(hub, CountryHub) and hub.key == "MMR" and hub.url == "/countries/MMR"
    assert isinstance(hub.risk, HubRisk)
    assert (hub.risk.level, hub.risk.rank, hub.risk.origin_year) == ("very high", 1, 2024)
    assert hub.risk.change == pytest.approx(0.02)
    assert [(d.label, d.raises) for d in hub.risk.drivers] == [
        ("Mass killing under way", True),
        ("Population", False),
    ]
    assert hub.assessment is not None and hub.assessment.assessed_on == date(2024, 3, 1)
    assert hub.assessment.assessed_factors == 1 and hub.assessment.level == "public"
    assert hub.incidents is not None and hub.incidents.total == 2
    assert [i.title for i in hub.incidents.latest] == ["Public attack 2", "Public attack 1"]
    assert hub.actors is not None and hub.actors.dataset == "real" and not hub.actors.is_example
    assert [a.name for a in hub.actors.names] == ["Yangon Watch"] and hub.actors.count == 1
    assert hub.coverage is not None and hub.coverage.actors == 1
    assert hub.signals is not None and hub.signals.total == 0
    assert dict(links(hub)) == {
        "Risk": "/risk/MMR",
        "Signals": "/signals?country=MMR",
        "Incidents": "/incidents?country=MMR",
        "Actors": "/actors?country=MMR",
        "Coverage gaps": "/actors/gaps",
    }


def test_anonymous_hub_leaks_nothing_confidential(planted: Store) -> None:
    with planted.session() as session:
        shown = repr(country_hub(session, ANONYMOUS, "Burma").to_dict())
    assert MARKER not in shown and MARKER.lower() not in shown


def test_staff_see_more_by_their_clearance(planted: Store) -> None:
    with planted.session() as session:
        analyst = country_hub(session, ANALYST, "mmr")
        admin = country_hub(session, LOCAL_OPERATOR, "Myanmar")
    assert analyst.incidents is not None and analyst.incidents.total == 3
    # The confidential assessment stays with admins; analysts see the latest they may.
    assert analyst.assessment is not None and analyst.assessment.assessed_on == date(2024, 3, 1)
    assert admin.incidents is not None and admin.incidents.total == 4
    assert admin.assessment is not None and admin.assessment.level == "confidential"
    assert admin.actors is not None and admin.actors.count == 2


def test_any_name_or_code_finds_the_hub_and_unknown_ones_say_so(planted: Store) -> None:
    with planted.session() as session:
        assert country_hub(session, ANONYMOUS, "Burma").key == "MMR"
        assert country_hub(session, ANONYMOUS, "cow:775").key == "MMR"
        with pytest.raises(UnknownCountryError, match="Myanmr"):
            country_hub(session, ANONYMOUS, "Myanmr")


def test_an_empty_country_has_empty_parts_not_errors(planted: Store) -> None:
    with planted.session() as session:
        hub = country_hub(session, ANONYMOUS, "Chad")
    assert hub.risk is not None and hub.risk.level == "low" and hub.risk.change is None
    assert hub.assessment is None
    assert hub.incidents is not None and hub.incidents.total == 0
    assert hub.actors is not None and hub.actors.count == 0


def test_one_audit_row_per_restricted_read(planted: Store) -> None:
    """An admin's hub reads restricted incidents and a confidential assessment: each resource
    read is logged once, never twice for one view."""
    with planted.session() as session:
        before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        country_hub(session, LOCAL_OPERATOR, "MMR")
        session.flush()
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > (before or 0), AuditEntry.action == "read")
        ).all()
    resources = sorted(row.resource for row in rows)
    assert "incident" in resources and "assessment" in resources
    assert len(resources) == len(set(resources)), resources


def _statements(store: Store, principal: Principal = ANONYMOUS, country: str = "MMR") -> list[str]:
    """Every SQL statement one hub view sends, in order."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.session() as session:
            country_hub(session, principal, country)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return seen


def _queries(store: Store) -> int:
    return len(_statements(store))


# One hub view, part by part: the country (its imported aliases, then the country with its
# predecessor and successor: 2), the risk (the newest forecast with its run: 1), the assessment
# (assessments, their scores, the Framework's factors and indicators: 4), the signals (the head
# of custody that keys the kept alerts, the records behind them: 2), the incidents (count and
# newest page: 2), the actors (the mapping and their countries: 2, read once for the actors and
# the coverage), the coverage's network ties (1) and the speech panel (the country's posts,
# counted in the store's session: 1; it cannot know without a read whether the country has
# any). 30 before the country was looked up once.
HUB_QUERIES = 15


def test_one_hub_view_sends_a_small_fixed_number_of_queries(planted: Store) -> None:
    statements = _statements(planted, country="Burma")
    assert len(statements) <= HUB_QUERIES, "\n".join(statements)


def test_one_hub_view_looks_the_country_up_once(planted: Store) -> None:
    statements = _statements(planted, country="Burma")
    aliases = [s for s in statements if "FROM country_aliases" in s]
    countries = [s for s in statements if s.startswith("SELECT countries.")]
    # Before: the aliases were read 3 times and the countries table 7 times in one view.
    assert len(aliases) == 1 and len(countries) == 1, statements


def test_staff_hub_views_add_only_their_audit_rows(planted: Store) -> None:
    """An admin's view reads the same; what it adds is the audit log's one row per resource
    (an insert, or an update of the row that this view already wrote)."""
    statements = _statements(planted, LOCAL_OPERATOR)
    reads = [s for s in statements if s.startswith("SELECT")]
    writes = [s for s in statements if not s.startswith("SELECT")]
    assert len(reads) <= HUB_QUERIES, "\n".join(reads)
    assert all("audit_log" in s for s in writes) and len(writes) <= 3, writes


def test_the_hub_queries_do_not_grow_with_the_records(planted: Store) -> None:
    before = _queries(planted)
    with planted.session() as session:
        for day in range(1, 8):
            create_incident(
                session,
                LOCAL_OPERATOR,
                draft_from_mapping(
                    {
                        "category": "one_sided_violence",
                        "country": "MMR",
                        "title": f"More {day}",
                        "date_start": f"2023-01-0{day}",
                    }
                ),
            )
            actor = create_actor(
                session,
                LOCAL_OPERATOR,
                actor_draft_from_mapping(
                    {
                        "name": f"Group {day}",
                        "kind": "civil_society",
                        "levels": "local",
                        "countries": "Myanmar",
                    }
                ),
            )
            review_actor(session, LOCAL_OPERATOR, actor.id, "publish")
    # A few per part, and none per incident or actor.
    assert _queries(planted) == before <= HUB_QUERIES
