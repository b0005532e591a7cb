"""The stored mapping as a network: what each role sees, the network view, champions per region,
suggestions, public snapshots with their change and an actor's figures in the latest one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from prevention_lens.actors.analysis import (
    actor_suggestions,
    network_for,
    network_view,
    regional_champions,
    snapshot_figures,
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


def test_network_view_is_typed_and_public_only(store: Store) -> None:
    ids = _mapping(store)
    with store.session() as session:
        view = network_view(session, ANONYMOUS)
    assert {node.id for node in view.nodes} == {ids["group"], ids["un"], ids["chad"]}
    # The Chad tie ended in 2020: the view draws only the ties its figures count.
    assert view.summary == {"actors": 3, "relationships": 1, "communities": 2}
    group = next(node for node in view.nodes if node.id == ids["group"])
    assert (group.level_labels, group.countries, group.is_example) == (
        ("Grassroots",),
        ("KEN",),
        False,
    )
    assert view.countries == ["KEN", "TCD"]
    assert view.to_dict()["links"] == [
        {
            "source": ids["group"],
            "target": ids["un"],
            "kind": "partnership",
            "kind_label": "Partnership",
            "strength": 2,
            "directed": False,
        }
    ]


def test_regional_champions_are_typed_and_checked(store: Store) -> None:
    ids = _mapping(store)
    with store.session() as session:
        found = regional_champions(session, ANONYMOUS)
        assert list(found) == ["Africa"]
        assert [row.actor_id for row in found["Africa"]] == [ids["group"], ids["un"]]
        with pytest.raises(ValidationError, match="no actors work in 'Atlantis'"):
            regional_champions(session, ANONYMOUS, region="Atlantis")


def test_suggestions_and_snapshot_figures(store: Store) -> None:
    ids = _mapping(store)
    with store.session() as session:
        assert snapshot_figures(session, ANONYMOUS, ids["group"], "real") is None
        suggested = actor_suggestions(session, ANONYMOUS, ids["chad"], "real")
        assert [row.id for row in suggested] == [ids["un"]]
        # A draft is not part of the network anyone sees until it is published.
        assert actor_suggestions(session, ANA, ids["draft"] + 1000, "real") == []
        take_snapshot(session, ANA)
    with store.session() as session:
        figures = snapshot_figures(session, ANONYMOUS, ids["group"], "real")
        assert figures is not None and figures.degree == 1 and figures.constraint == 1.0
        assert figures.items[0] == ("Relationships", 1)
        assert snapshot_figures(session, ANONYMOUS, ids["draft"], "real") is None
