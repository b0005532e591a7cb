"""The stored mapping as a network: what each role sees, public snapshots with their change, and
coverage gaps beside the latest stored risk forecast."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from prevention_lens.actors.analysis import (
    coverage_gaps,
    high_risk_lacking,
    network_for,
    snapshots,
    take_snapshot,
)
from prevention_lens.actors.records import (
    ActorDraft,
    RelationshipDraft,
    add_relationship,
    create_actor,
    review_actor,
)
from prevention_lens.errors import PermissionDeniedError, ValidationError
from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role

ANA = Principal("ana", Role.ANALYST, 2)
CORA = Principal("cora", Role.CONTRIBUTOR, 3)


def _actor(
    session: Session,
    name: str,
    levels: tuple[str, ...],
    activities: tuple[str, ...],
    country: str = "Kenya",
    *,
    publish: bool = True,
) -> int:
    draft = ActorDraft(
        name=name,
        kind="civil_society",
        levels=levels,
        sectors=("peacebuilding",),
        activities=activities,
        countries=(country,),
    )
    actor = create_actor(session, LOCAL_OPERATOR, draft)
    if publish:
        review_actor(session, LOCAL_OPERATOR, actor.id, "publish")
    return actor.id


def _tie(session: Session, source: int, target: int, **options: object) -> None:
    publish = bool(options.pop("publish", True))
    draft = RelationshipDraft(source, target, "partnership", directed=False, **options)  # type: ignore[arg-type]
    add_relationship(session, LOCAL_OPERATOR, draft, publish=publish)


def _mapping(store: Store) -> dict[str, int]:
    """Kenya: a published grassroots group tied to a published international organisation, and
    a draft documentation project tied to the group. Chad: a published group with no ties."""
    with store.session() as session:
        ids = {
            "group": _actor(session, "Coast Peace Forum", ("grassroots",), ("early_warning",)),
            "un": _actor(session, "UN Office", ("national", "international"), ("accountability",)),
            "draft": _actor(
                session, "Archive Project", ("local",), ("documentation",), publish=False
            ),
            "chad": _actor(
                session,
                "Chad Watch",
                ("grassroots",),
                (
                    "early_warning",
                    "documentation",
                    "dialogue_mediation",
                    "protection_of_civilians",
                    "accountability",
                ),
                "Chad",
            ),
        }
        _tie(session, ids["group"], ids["un"])
        _tie(session, ids["draft"], ids["group"], publish=False)
        _tie(session, ids["chad"], ids["un"], end_date=date(2020, 1, 1), publish=True)
    return ids


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


def test_anonymous_users_get_the_published_network(store: Store) -> None:
    ids = _mapping(store)
    with store.session() as session:
        public = network_for(session, ANONYMOUS)
        staff = network_for(session, ANA)
        earlier = network_for(session, ANA, as_of=date(2019, 6, 1))
    assert {a.id for a in public.actors} == {ids["group"], ids["un"], ids["chad"]}
    # The Chad tie ended in 2020: gone today, there in 2019.
    assert public.ties == 1 and staff.ties == 2 and earlier.ties == 3
    assert public.actor(ids["group"]).regions == ("Africa",)


def test_snapshots_are_public_and_show_change(store: Store) -> None:
    ids = _mapping(store)
    with pytest.raises(PermissionDeniedError), store.session() as session:
        take_snapshot(session, CORA)
    with store.session() as session:
        first = take_snapshot(session, ANA)
        # Taken by an analyst, still of the published network only.
        assert first.summary["actors"] == 3 and str(ids["draft"]) not in first.metrics
        assert first.summary["local_reaching_international"] == 1
        assert first.summary["local_actors"] == 2
    with store.session() as session:
        added = _actor(session, "Lake Elders", ("local",), ("dialogue_mediation",))
        _tie(session, added, ids["group"])
        take_snapshot(session, ANA)
    with store.session() as session:
        history = snapshots(session, ANONYMOUS)
    assert [row["summary"]["actors"] for row in history["snapshots"]] == [3, 4]
    assert "metrics" not in history["snapshots"][0]
    change = history["change"]
    assert change["actors_added"] == [added] and change["actors_removed"] == []
    assert change["summary"]["ties"] == {"before": 1, "after": 2, "change": 1}
    # The group now stands between the elders and the UN office.
    assert change["betweenness_rises"][0]["actor_id"] == ids["group"]


def test_one_snapshot_has_no_change(store: Store) -> None:
    _mapping(store)
    with store.session() as session:
        take_snapshot(session, ANA)
        assert snapshots(session, ANONYMOUS)["change"] is None
        assert snapshots(session, ANONYMOUS, "example")["snapshots"] == []


def test_coverage_gaps_beside_risk(store: Store) -> None:
    _mapping(store)
    _forecast(store)
    with store.session() as session:
        public = coverage_gaps(session, ANONYMOUS)
        staff = coverage_gaps(session, ANA)
    assert [row["country_key"] for row in public] == ["MMR", "KEN", "TCD"]
    mmr, kenya, chad = public
    assert mmr["actors"] == 0 and mmr["missing"] == ["no actor mapped"]
    assert kenya["risk"]["level"] == "high" and kenya["risk"]["rank"] == 2
    assert kenya["coverage"]["early_warning"]["grassroots"] == 1
    assert kenya["coverage"]["accountability"] == {
        "grassroots": 0,
        "local": 0,
        "national": 1,
        "regional": 0,
        "international": 1,
    }
    assert kenya["missing"] == [
        "no documentation actor at any level",
        "no local dialogue and mediation actor",
        "no protection of civilians actor at any level",
    ]
    assert chad["missing"] == ["no grassroots or local actor with a path to an international one"]
    # Analysts also see the draft documentation project.
    assert staff[1]["missing"] == [
        "no local dialogue and mediation actor",
        "no protection of civilians actor at any level",
    ]
    assert [row["country_key"] for row in high_risk_lacking(public)] == ["MMR", "KEN", "TCD"]


def test_coverage_gaps_threshold_and_no_forecast(store: Store) -> None:
    _mapping(store)
    with store.session() as session:
        rows = coverage_gaps(session, ANONYMOUS)
        assert [(row["country_key"], row["risk"], row["missing"]) for row in rows] == [
            ("KEN", None, []),
            ("TCD", None, []),
        ]
    _forecast(store)
    with store.session() as session:
        rows = coverage_gaps(session, ANONYMOUS, min_level="very high")
        assert [(row["country_key"], bool(row["missing"])) for row in rows] == [
            ("MMR", True),
            ("KEN", False),
            ("TCD", False),
        ]
        with pytest.raises(ValidationError, match="min_level"):
            coverage_gaps(session, ANONYMOUS, min_level="severe")
        with pytest.raises(ValidationError, match="dataset"):
            network_for(session, ANONYMOUS, "fictional")
