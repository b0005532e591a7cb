"""The watchlist pack: the top N by stored risk, then every country in a situation category."""

from __future__ import annotations

from datetime import date

import pytest

from prevention_lens.briefs.watchlist import watchlist, watchlist_countries
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.risk.situations import set_situation
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR


def _forecast(store: Store, ranked: list[str]) -> None:
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
            rows=[ForecastRow(key, 0.1 / rank, rank) for rank, key in enumerate(ranked, start=1)],
        )


def _situations(store: Store, categories: dict[str, str]) -> None:
    with store.session() as session:
        for key, category in categories.items():
            set_situation(session, LOCAL_OPERATOR, key, category, "Reason", date(2026, 11, 1))


def test_top_n_by_risk_then_the_situations_gravest_first(store: Store) -> None:
    _forecast(store, ["MMR", "SDN", "TCD", "ETH"])
    _situations(
        store,
        {"SDN": "imminent_risk", "NGA": "serious_concern", "UKR": "current_crisis", "TCD": "none"},
    )
    with store.session() as session:
        entries = watchlist_countries(session, ANONYMOUS, 2)
    assert [(e.country_key, e.rank, e.situation) for e in entries] == [
        ("MMR", 1, None),
        ("SDN", 2, "Imminent risk"),
        ("UKR", None, "Current crisis"),
        ("NGA", None, "Serious concern"),
    ]  # TCD is ranked 3rd and its category is "none": not in the pack
    assert entries[1].reason == "rank 2 by statistical risk; situation: Imminent risk"
    with store.session() as session:
        only_situations = watchlist_countries(session, ANONYMOUS, 0)
    assert [e.country_key for e in only_situations] == ["UKR", "SDN", "NGA"]


def test_without_forecasts_the_pack_holds_the_situations(sqlite_store: Store) -> None:
    _situations(sqlite_store, {"SDN": "imminent_risk"})
    with sqlite_store.session() as session:
        assert [e.country_key for e in watchlist_countries(session, ANONYMOUS, 30)] == ["SDN"]


def test_an_empty_pack_says_what_to_do(sqlite_store: Store) -> None:
    with sqlite_store.session() as session, pytest.raises(NotFoundError, match="risk forecast"):
        watchlist_countries(session, ANONYMOUS, 30)


@pytest.mark.parametrize("n", [-1, 201, 2.5, True, "3"])
def test_n_must_be_a_whole_number_in_range(sqlite_store: Store, n: object) -> None:
    with sqlite_store.session() as session, pytest.raises(ValidationError, match="n"):
        watchlist_countries(session, ANONYMOUS, n)  # type: ignore[arg-type]


def test_watchlist_makes_a_brief_per_country_in_order(
    sqlite_store: Store, settings: Settings
) -> None:
    _forecast(sqlite_store, ["MMR", "SDN", "TCD"])
    _situations(sqlite_store, {"UKR": "current_crisis"})
    with sqlite_store.session() as session:
        briefs = watchlist(session, ANONYMOUS, settings, 2, audience="dev")
    assert [brief.key for brief in briefs] == ["MMR", "SDN", "UKR"]
    assert {brief.audience for brief in briefs} == {"dev"}
    assert briefs[0].risk.rank == 1 and briefs[2].situation.category == "current_crisis"
