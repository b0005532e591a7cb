"""Champions per region, each region measured on its own network: the nine-actor network of
test_network.py split across two regions and worked out by hand.

Eastern Africa (Kenya, Uganda) holds every actor but I2, which works only in Switzerland; I1
works in both regions. Eastern Africa's own network drops the I1 == I2 tie, so of its eight
actors (scale (8-1)(8-2)/2 = 21): L1 lies on the six paths from {G1, G2} to {N1, N2, I1} and
on half of N1-N2: 6.5; N1 and N2 each on half the paths from {G1, G2, L1} to I1: 1.5; I1 on
half of N1-N2: 0.5. Network-wide I1 scored 5.5 / 28 = 0.196 only through its tie to I2 in
Europe, and ranked second in Eastern Africa. Western Europe's own network is I1 == I2: no
actor lies between two others there, so both score 0.
"""

from __future__ import annotations

import pytest

from prevention_lens.actors.champions import champions, region_members, region_network
from prevention_lens.actors.network import Network, build_network, metrics
from prevention_lens.errors import ValidationError
from tests.actors.test_network import ACTORS, REGIONS, TIES, _actor


def _network() -> Network:
    return build_network(ACTORS, TIES, country_regions=REGIONS)


def test_each_region_is_ranked_on_its_own_network() -> None:
    network = _network()
    east = champions(network, "Eastern Africa")
    assert [row.name for row in east] == ["L1", "N2", "N1", "I1", "G2", "G1", "G3", "L2"]
    by_name = {row.name: row.betweenness for row in east}
    assert by_name["L1"] == pytest.approx(6.5 / 21)
    assert by_name["N1"] == by_name["N2"] == pytest.approx(1.5 / 21)
    assert by_name["I1"] == pytest.approx(0.5 / 21)
    west = champions(network, "Western Europe")
    assert [(row.name, row.betweenness) for row in west] == [("I1", 0.0), ("I2", 0.0)]
    # The network-wide figures differ: the bug was to rank every region by these.
    wide = metrics(network)
    assert wide[6]["betweenness"] == pytest.approx(5.5 / 28)
    assert wide[3]["betweenness"] == pytest.approx(8.5 / 28)


def test_champions_come_with_reasons_from_the_region() -> None:
    east = champions(_network(), "Eastern Africa")
    assert east[0].rank == 1 and east[0].actor_id == 3
    assert east[0].reasons == (
        "highest betweenness in Eastern Africa's own network (0.310)",
        "links 2 grassroots or local actors to 2 national or regional ones",
        "stands between 6 pairs of unconnected actors across levels, most often as liaison",
        "stands between 6 pairs of unconnected actors across sectors",
        "tied to 4 actors in Eastern Africa",
    )
    # N2 brokers L1 -> N2 -> I1 and back across three levels; N1 only one way.
    assert east[1].reasons[0] == "2nd highest betweenness in Eastern Africa's own network (0.071)"
    assert (east[1].brokerage_across_levels, east[2].brokerage_across_levels) == (2, 1)
    # I1's tie to I2 lies outside Eastern Africa: there it is tied to N1 and N2 only.
    assert east[3].degree == 2 and east[3].reasons[-1] == "tied to 2 actors in Eastern Africa"
    assert east[0].to_dict()["reasons"][0].startswith("highest betweenness in Eastern Africa")


def test_region_network_keeps_only_ties_inside_the_region() -> None:
    network = _network()
    west = region_network(network, "Western Europe")
    assert [actor.name for actor in west.actors] == ["I1", "I2"]
    assert west.ties == 1 and west.neighbours == (frozenset({1}), frozenset({0}))
    assert len(region_members(network, "Eastern Africa")) == 8
    assert region_network(network, "Atlantis").actors == ()
    assert champions(network, "Atlantis") == []


def test_the_headquarters_country_places_an_actor_in_its_region() -> None:
    rows = [
        _actor(1, "HQ in Geneva", ["international"], [], [], ["KEN"]) | {"hq_country_key": "CHE"},
        _actor(2, "Nairobi group", ["local"], [], [], ["KEN"]),
    ]
    network = build_network(rows, [], country_regions=REGIONS)
    assert network.actor(1).regions == ("Eastern Africa", "Western Europe")
    assert region_members(network, "Western Europe") == (0,)


def test_champions_refuse_a_bad_limit() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        champions(_network(), "Eastern Africa", limit=0)
