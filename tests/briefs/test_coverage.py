"""Coverage gaps: each country's mapped prevention capacity beside its latest stored risk
forecast, what a country at high risk lacks, and one country's row for its hub."""

from __future__ import annotations

import pytest

from prevention_lens.actors.analysis import network_for
from prevention_lens.briefs.coverage import (
    CountryCoverage,
    CountryRisk,
    country_coverage,
    coverage_gaps,
    high_risk_lacking,
)
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR
from tests.actors.test_analysis import ANA, _mapping


def _forecast(store: Store) -> None:
    with store.session() as session:
        store_forecast_run(
            session,
            LOCAL_OPERATOR,
            model_name="m",
            model_params={},
            panel_spec="ewp2025",
            data_sha256="f" * 64,
            origin_year=2024,
            metrics={},
            rows=[
                ForecastRow("MMR", 0.09, 1),
                ForecastRow("KEN", 0.05, 2),
                ForecastRow("TCD", 0.045, 3),
                ForecastRow("UGA", 0.01, 4),
            ],
        )


def test_coverage_gaps_beside_risk(store: Store) -> None:
    _mapping(store)
    _forecast(store)
    with store.session() as session:
        public = coverage_gaps(session, ANONYMOUS)
        staff = coverage_gaps(session, ANA)
    assert [row.country_key for row in public] == ["MMR", "KEN", "TCD"]
    mmr, kenya, chad = public
    assert mmr.actors == 0 and mmr.missing == ("no actor mapped",)
    assert kenya.risk is not None and (kenya.risk.level, kenya.risk.rank) == ("high", 2)
    assert kenya.coverage["early_warning"]["grassroots"] == 1
    assert kenya.coverage["accountability"] == {
        "grassroots": 0,
        "local": 0,
        "national": 1,
        "regional": 0,
        "international": 1,
    }
    assert kenya.missing == (
        "no documentation actor at any level",
        "no local dialogue and mediation actor",
        "no protection of civilians actor at any level",
    )
    assert chad.missing == ("no grassroots or local actor with a path to an international one",)
    # Analysts also see the draft documentation project.
    assert staff[1].missing == (
        "no local dialogue and mediation actor",
        "no protection of civilians actor at any level",
    )
    assert [row.country_key for row in high_risk_lacking(public)] == ["MMR", "KEN", "TCD"]


def test_coverage_gaps_threshold_and_no_forecast(store: Store) -> None:
    _mapping(store)
    with store.session() as session:
        rows = coverage_gaps(session, ANONYMOUS)
        assert [(row.country_key, row.risk, row.missing) for row in rows] == [
            ("KEN", None, ()),
            ("TCD", None, ()),
        ]
    _forecast(store)
    with store.session() as session:
        rows = coverage_gaps(session, ANONYMOUS, min_level="very high")
        assert [(row.country_key, bool(row.missing)) for row in rows] == [
            ("MMR", True),
            ("KEN", False),
            ("TCD", False),
        ]
        with pytest.raises(ValidationError, match="min_level"):
            coverage_gaps(session, ANONYMOUS, min_level="severe")
        with pytest.raises(ValidationError, match="dataset"):
            network_for(session, ANONYMOUS, "fictional")


def test_rows_are_typed_and_read_as_json(store: Store) -> None:
    _mapping(store)
    _forecast(store)
    with store.session() as session:
        kenya = coverage_gaps(session, ANONYMOUS)[1]
    assert isinstance(kenya, CountryCoverage)
    assert kenya.risk == CountryRisk(probability=0.05, level="high", rank=2, run_id=1)
    # Early warning (grassroots) and accountability (national, international): two activities,
    # one of them by a grassroots or local actor.
    assert (kenya.activities_covered, kenya.local_activities) == (2, 1)
    shown = kenya.to_dict()
    assert shown["risk"] == {"probability": 0.05, "level": "high", "rank": 2, "run_id": 1}
    assert shown["missing"][0] == "no documentation actor at any level"
    assert shown["activities_covered"] == 2 and shown["country_name"] == "Kenya"


def test_one_country_for_its_hub(store: Store) -> None:
    _mapping(store)
    _forecast(store)
    with store.session() as session:
        kenya = country_coverage(session, ANONYMOUS, "kenya")
        assert kenya.country_key == "KEN" and kenya.actors == 2
        # Nothing mapped and below the threshold: a row with no actors and nothing missing.
        uganda = country_coverage(session, ANONYMOUS, "Uganda")
        assert (uganda.actors, uganda.missing, uganda.risk is not None) == (0, (), True)
        assert country_coverage(session, ANONYMOUS, "Burma").missing == ("no actor mapped",)
        with pytest.raises(NotFoundError):
            country_coverage(session, ANONYMOUS, "Atlantis")
