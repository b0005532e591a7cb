"""Situation categories: analysts set them with a dated rationale, the history is kept in order,
everyone reads them, and only analysts and admins see who set them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from prevention_lens.errors import (
    AuthenticationError,
    PermissionDeniedError,
    UnknownCountryError,
    ValidationError,
)
from prevention_lens.risk.situations import (
    CATEGORIES,
    RATIONALE_MAX_CHARS,
    current_situation,
    list_situations,
    set_situation,
    situation_history,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import AuditEntry, CountrySituation

ANALYST = Principal("ana", Role.ANALYST, 7)
CONTRIBUTOR = Principal("cora", Role.CONTRIBUTOR, 8)


def test_categories_have_labels_and_definitions_gravest_first() -> None:
    assert list(CATEGORIES) == ["current_crisis", "imminent_risk", "serious_concern", "none"]
    assert [c.label for c in CATEGORIES.values()][:3] == [
        "Current crisis",
        "Imminent risk",
        "Serious concern",
    ]
    assert all(c.definition.endswith(".") for c in CATEGORIES.values())


def test_set_keeps_the_history_newest_first(store: Store) -> None:
    with store.session() as session:
        set_situation(session, ANALYST, "MMR", "serious_concern", "Tension", date(2024, 1, 5))
        set_situation(session, ANALYST, "Burma", "current crisis", "Killings", date(2025, 2, 1))
        # Recorded later but effective earlier: history, not the current judgement.
        set_situation(session, LOCAL_OPERATOR, "MMR", "imminent_risk", "Build-up", date(2024, 9, 1))
    with store.session() as session:
        history = situation_history(session, ANALYST, "MMR")
        assert [(s.category, s.effective_on) for s in history] == [
            ("current_crisis", date(2025, 2, 1)),
            ("imminent_risk", date(2024, 9, 1)),
            ("serious_concern", date(2024, 1, 5)),
        ]
        assert [s.set_by for s in history] == ["ana", "local-operator", "ana"]
        current = current_situation(session, ANALYST, "MMR")
        assert current is not None and current.label == "Current crisis"
        assert current.rationale == "Killings" and current.country_name == "Myanmar"
        assert current_situation(session, ANALYST, "TCD") is None
        assert session.scalar(select(CountrySituation).limit(1)) is not None
        logged = session.scalars(
            select(AuditEntry).where(AuditEntry.resource == "country_situation")
        ).all()
        assert [entry.action for entry in logged] == ["set", "set", "set"]
        assert logged[1].detail == {"country": "MMR", "category": "current_crisis"}


def test_same_day_judgements_are_ordered_as_recorded(store: Store) -> None:
    day = date(2025, 3, 3)
    with store.session() as session:
        set_situation(session, ANALYST, "TCD", "imminent_risk", "Morning", day)
        set_situation(session, ANALYST, "TCD", "none", "Correction in the afternoon", day)
        assert [s.rationale for s in situation_history(session, ANALYST, "TCD")] == [
            "Correction in the afternoon",
            "Morning",
        ]
        current = current_situation(session, ANALYST, "TCD")
        assert current is not None and current.category == "none"


def test_list_gives_the_current_one_per_country_gravest_first(store: Store) -> None:
    with store.session() as session:
        set_situation(session, ANALYST, "MMR", "current_crisis", "Killings", date(2024, 1, 1))
        set_situation(session, ANALYST, "MMR", "imminent_risk", "Lull", date(2025, 1, 1))
        set_situation(session, ANALYST, "SDN", "current_crisis", "El Fasher", date(2025, 1, 1))
        set_situation(session, ANALYST, "TCD", "serious_concern", "Refugees", date(2024, 1, 1))
        set_situation(session, ANALYST, "TCD", "none", "Calmer", date(2025, 6, 1))
    with store.session() as session:
        listed = list_situations(session, ANONYMOUS)
        assert [(s.country_key, s.category) for s in listed] == [
            ("SDN", "current_crisis"),
            ("MMR", "imminent_risk"),
        ]
        crises = list_situations(session, ANONYMOUS, category="current_crisis")
        assert [s.country_key for s in crises] == ["SDN"]
        assert [s.country_key for s in list_situations(session, ANONYMOUS, "none")] == ["TCD"]
        with pytest.raises(ValidationError, match="category"):
            list_situations(session, ANONYMOUS, category="emergency")


def test_readers_below_analyst_do_not_see_who_set_it(store: Store) -> None:
    with store.session() as session:
        set_situation(session, ANALYST, "MMR", "current_crisis", "Killings", date(2025, 1, 1))
    with store.session() as session:
        for reader in (ANONYMOUS, CONTRIBUTOR):
            shown = current_situation(session, reader, "MMR")
            assert shown is not None and shown.set_by is None
            assert shown.to_dict()["set_by"] is None
            assert shown.rationale == "Killings"
        shown = current_situation(session, ANALYST, "MMR")
        assert shown is not None and shown.to_dict() == {
            "country_key": "MMR",
            "country_name": "Myanmar",
            "category": "current_crisis",
            "label": "Current crisis",
            "definition": CATEGORIES["current_crisis"].definition,
            "rationale": "Killings",
            "effective_on": "2025-01-01",
            "set_at": shown.set_at.isoformat(),
            "set_by": "ana",
        }


@pytest.mark.parametrize(
    ("who", "error"),
    [(CONTRIBUTOR, PermissionDeniedError), (ANONYMOUS, AuthenticationError)],
)
def test_only_analysts_and_admins_set(store: Store, who: Principal, error: type) -> None:
    with store.session() as session:
        with pytest.raises(error):
            set_situation(session, who, "MMR", "current_crisis", "Killings")
        assert session.scalar(select(CountrySituation).limit(1)) is None


@pytest.mark.parametrize(
    ("category", "rationale", "effective_on", "field", "problem"),
    [
        ("emergency", "Why", None, "category", "must be one of current_crisis"),
        ("current_crisis", "   ", None, "rationale", "is required"),
        ("current_crisis", "x" * (RATIONALE_MAX_CHARS + 1), None, "rationale", "over the 4,000"),
        ("none", "Why", date.today() + timedelta(days=1), "effective_on", "in the future"),
        ("none", "Why\x00not", None, "rationale", "control characters"),
    ],
)
def test_errors_name_the_field(
    store: Store,
    category: str,
    rationale: str,
    effective_on: date | None,
    field: str,
    problem: str,
) -> None:
    with store.session() as session:
        with pytest.raises(ValidationError) as caught:
            set_situation(session, ANALYST, "MMR", category, rationale, effective_on)
        assert field in str(caught.value) and problem in str(caught.value)
        assert session.scalar(select(CountrySituation).limit(1)) is None


def test_the_longest_rationale_is_kept_whole_and_trimmed(store: Store) -> None:
    text = "y" * RATIONALE_MAX_CHARS
    with store.session() as session:
        shown = set_situation(session, ANALYST, "MMR", "none", f"  {text}\n")
        assert shown.rationale == text and shown.effective_on == date.today()


def test_an_unknown_country_is_named(store: Store) -> None:
    with store.session() as session, pytest.raises(UnknownCountryError):
        set_situation(session, ANALYST, "Atlantis", "none", "Why")


def test_the_store_refuses_a_category_written_around_the_domain(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    from prevention_lens.store.reference import find_country

    with store.session() as session:
        country = find_country(session, "MMR")
        session.add(
            CountrySituation(
                country_id=country.id,
                category="emergency",
                rationale="Why",
                effective_on=date(2025, 1, 1),
                set_by="mallory",
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
