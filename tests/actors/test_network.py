"""Network figures against a small network worked out by hand.

Nine actors, ids 1-9 (G = grassroots, L = local, N = national, I = international)::

    G1 -> L1 -> N1 -> I1 == I2          (-> directed, == undirected strength 3)
    G1 -- G2 -- L1 -- N2 -- I1          (-- undirected, strength 2)
    G3 -- L2                            (a component in Uganda with no international actor)

Betweenness by hand (undirected, pairs collapsed): L1 lies on every path from G1 or G2 to the
four actors beyond it (8 pairs) and on one of the two N1-N2 paths (0.5): 8.5; I1 on the five
paths to I2 and half of N1-N2: 5.5; N1 and N2 each on half of the six paths from {G1, G2, L1} to
{I1, I2}: 3. Normalised by (9-1)(9-2)/2 = 28.
"""

from __future__ import annotations

from typing import Any

import pytest

from prevention_lens.actors.network import (
    build_network,
    communities,
    local_international_gap,
    metrics,
    suggest_connections,
)
from prevention_lens.errors import NotFoundError, ValidationError

REGIONS = {"KEN": "Eastern Africa", "UGA": "Eastern Africa", "CHE": "Western Europe"}


def _actor(
    actor_id: int,
    name: str,
    levels: list[str],
    sectors: list[str],
    activities: list[str],
    countries: list[str],
) -> dict[str, Any]:
    return {
        "id": actor_id,
        "name": name,
        "kind": "civil_society",
        "levels": levels,
        "sectors": sectors,
        "activities": activities,
        "country_keys": countries,
    }


ACTORS = [
    _actor(1, "G1", ["grassroots"], ["peacebuilding"], ["community_building"], ["KEN"]),
    _actor(2, "G2", ["grassroots"], ["peacebuilding"], ["early_warning"], ["KEN", "UGA"]),
    _actor(
        3,
        "L1",
        ["grassroots", "local"],
        ["human_rights", "peacebuilding"],
        ["documentation", "dialogue_mediation"],
        ["KEN"],
    ),
    _actor(4, "N1", ["national"], ["governance"], ["policy_advocacy"], ["KEN"]),
    _actor(5, "N2", ["national"], ["security"], ["early_warning"], ["KEN"]),
    _actor(
        6,
        "I1",
        ["national", "international"],
        ["security"],
        ["early_warning", "accountability"],
        ["KEN", "CHE"],
    ),
    _actor(7, "I2", ["international"], ["development"], ["accountability"], ["CHE"]),
    _actor(8, "G3", ["grassroots"], [], ["community_building"], ["UGA"]),
    _actor(9, "L2", ["local"], ["peacebuilding"], ["documentation"], ["UGA"]),
]


def _tie(source: int, target: int, directed: bool = False, strength: int = 2) -> dict[str, Any]:
    return {
        "source_id": source,
        "target_id": target,
        "directed": directed,
        "strength": strength,
        "kind": "partnership",
    }


TIES = [
    _tie(1, 3, directed=True),
    _tie(1, 2),
    _tie(2, 3),
    _tie(3, 4, directed=True),
    _tie(3, 5),
    _tie(4, 6, directed=True),
    _tie(5, 6),
    _tie(6, 7, strength=3),
    _tie(8, 9),
]
NONE = dict.fromkeys(("coordinator", "gatekeeper", "representative", "itinerant", "liaison"), 0)


@pytest.fixture(scope="module")
def figures() -> dict[int, dict[str, Any]]:
    return metrics(build_network(ACTORS, TIES, country_regions=REGIONS))


def test_degrees_count_distinct_actors(figures: dict[int, dict[str, Any]]) -> None:
    found = {i: (f["degree"], f["in_degree"], f["out_degree"]) for i, f in figures.items()}
    assert found == {
        1: (2, 1, 2),
        2: (2, 2, 2),
        3: (4, 3, 3),
        4: (2, 1, 1),
        5: (2, 2, 2),
        6: (3, 3, 2),
        7: (1, 1, 1),
        8: (1, 1, 1),
        9: (1, 1, 1),
    }


def test_betweenness_matches_the_hand_count(figures: dict[int, dict[str, Any]]) -> None:
    expected = {1: 0, 2: 0, 3: 8.5, 4: 3, 5: 3, 6: 5.5, 7: 0, 8: 0, 9: 0}
    for actor_id, raw in expected.items():
        assert figures[actor_id]["betweenness"] == pytest.approx(raw / 28)


def test_constraint_is_burts(figures: dict[int, dict[str, Any]]) -> None:
    # G1: to L1 (1/2 + 1/2*1/2)^2 = 9/16, to G2 (1/2 + 1/2*1/4)^2 = 25/64.
    # I1: shares 2/7, 2/7, 3/7 (the tie to I2 is stronger), no contacts tied to each other.
    expected = {
        1: 61 / 64,
        2: 61 / 64,
        3: 13 / 32,
        4: 1 / 2,
        5: 1 / 2,
        6: 17 / 49,
        7: 1.0,
        8: 1.0,
        9: 1.0,
    }
    for actor_id, value in expected.items():
        assert figures[actor_id]["constraint"] == pytest.approx(value)


def test_isolated_actor_has_no_constraint() -> None:
    found = metrics(build_network(ACTORS[:2], []))
    assert found[1]["constraint"] is None and found[1]["betweenness"] == 0


def test_brokerage_with_levels_as_groups(figures: dict[int, dict[str, Any]]) -> None:
    # L1 (local): G1->L1->N1, G1->L1->N2, G2->L1->N1, G2->L1->N2, N2->L1->G2 join three levels;
    # N2->L1->N1 is itinerant; G1->L1->G2 is closed by G1->G2. I1 (outermost level
    # international): N1->I1->I2 and N2->I1->I2 gatekeeper, I2->I1->N2 representative,
    # N1->I1->N2 itinerant.
    expected = {
        1: NONE,
        2: NONE | {"gatekeeper": 1},
        3: NONE | {"liaison": 5, "itinerant": 1},
        4: NONE | {"liaison": 1},
        5: NONE | {"liaison": 2},
        6: NONE | {"gatekeeper": 2, "representative": 1, "itinerant": 1},
        7: NONE,
        8: NONE,
        9: NONE,
    }
    assert {i: f["brokerage_level"] for i, f in figures.items()} == expected


def test_brokerage_with_sectors_as_groups(figures: dict[int, dict[str, Any]]) -> None:
    # L1's first sector is human rights, so all six of its open pairs join three sectors; G3
    # names no sector and takes no part.
    expected = {
        1: NONE,
        2: NONE | {"gatekeeper": 1},
        3: NONE | {"liaison": 6},
        4: NONE | {"liaison": 1},
        5: NONE | {"gatekeeper": 1, "representative": 1},
        6: NONE | {"gatekeeper": 2, "representative": 1, "liaison": 1},
        7: NONE,
        8: NONE,
        9: NONE,
    }
    assert {i: f["brokerage_sector"] for i, f in figures.items()} == expected


def test_coordinator_and_closed_triads() -> None:
    actors = [_actor(i, f"A{i}", ["national"], ["security"], [], ["KEN"]) for i in range(1, 5)]
    ties = [_tie(1, 2, True), _tie(2, 3, True), _tie(2, 4, True), _tie(1, 4, True)]
    found = metrics(build_network(actors, ties))
    # 1->2->3 is open; 1->2->4 is closed by 1->4.
    assert found[2]["brokerage_level"] == NONE | {"coordinator": 1}
    assert found[1]["brokerage_level"] == NONE


def test_communities_are_stable_and_split_clusters() -> None:
    actors = [_actor(i, f"A{i}", ["local"], [], [], ["KEN"]) for i in range(1, 8)]
    ties = [_tie(1, 2), _tie(2, 3), _tie(1, 3), _tie(4, 5), _tie(5, 6), _tie(4, 6), _tie(3, 4)]
    network = build_network(actors, ties)
    found = communities(network)
    # Two triangles of equal size: the one with the lowest id is 0; the isolated actor is last.
    assert found == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 1, 7: 2}
    assert communities(network) == found


def test_separate_component_is_its_own_community(figures: dict[int, dict[str, Any]]) -> None:
    assert figures[8]["community"] == figures[9]["community"]
    assert figures[8]["community"] not in {figures[i]["community"] for i in range(1, 8)}


def test_local_international_gap_by_country_and_region() -> None:
    network = build_network(ACTORS, TIES, country_regions=REGIONS)
    # Kenya: G1, G2 and L1 all reach I1. Uganda: G2 does, G3 and L2 do not.
    assert local_international_gap(network, "country") == [
        {"place": "UGA", "local_actors": 3, "reaching_international": 1, "share": 1 / 3},
        {"place": "KEN", "local_actors": 3, "reaching_international": 3, "share": 1.0},
    ]
    assert local_international_gap(network, "region") == [
        {"place": "Eastern Africa", "local_actors": 5, "reaching_international": 3, "share": 0.6}
    ]


def test_an_actor_does_not_reach_itself() -> None:
    both = _actor(1, "Both", ["local", "international"], [], [], ["KEN"])
    network = build_network([both], [])
    assert local_international_gap(network)[0]["reaching_international"] == 0


def test_gap_rejects_unknown_grouping() -> None:
    with pytest.raises(ValidationError, match="country or region"):
        local_international_gap(build_network([], []), by="continent")  # type: ignore[arg-type]


def test_suggestions_for_a_cut_off_grassroots_group() -> None:
    network = build_network(ACTORS, TIES, country_regions=REGIONS)
    rows = suggest_connections(network, 8)
    # G1 adds nothing (same level, no new activity); L2 is already tied; I2 shares no region.
    assert [(row["name"], row["score"]) for row in rows] == [
        ("I1", 4.0),
        ("L1", 3.0),
        ("G2", 2.5),
        ("N1", 2.5),
        ("N2", 2.5),
    ]
    assert rows[0]["reasons"] == [
        "also works in Eastern Africa",
        "works at the international level",
        "would link local and international work",
        "does what this actor does not: assessment, forecasting and early warning, accountability",
    ]
    assert rows[2]["reasons"][0] == "also works in UGA"
    assert len(suggest_connections(network, 8, limit=2)) == 2


def test_suggestions_count_shared_partners() -> None:
    network = build_network(ACTORS, TIES, country_regions=REGIONS)
    row = next(row for row in suggest_connections(network, 1) if row["name"] == "N1")
    assert row["score"] == 4.0
    assert row["reasons"][-1] == "already works with 1 of this actor's partners"


def test_suggestions_for_an_unknown_actor() -> None:
    with pytest.raises(NotFoundError):
        suggest_connections(build_network(ACTORS, TIES), 99)


def test_ties_to_unknown_actors_fail_loudly() -> None:
    with pytest.raises(ValidationError, match="actor 99"):
        build_network(ACTORS, [_tie(1, 99)])
    with pytest.raises(ValidationError, match="itself"):
        build_network(ACTORS, [_tie(1, 1)])


def test_estimated_betweenness_is_seeded() -> None:
    network = build_network(ACTORS, TIES)
    first = metrics(network, exact_limit=0, pivots=4, seed=3)
    again = metrics(network, exact_limit=0, pivots=4, seed=3)
    assert {i: f["betweenness"] for i, f in first.items()} == {
        i: f["betweenness"] for i, f in again.items()
    }
    assert all(first[i]["betweenness"] == 0 for i in (1, 2, 7, 8, 9))


def test_metrics_reject_bad_settings() -> None:
    with pytest.raises(ValidationError, match="pivots"):
        metrics(build_network(ACTORS, TIES), pivots=0)
