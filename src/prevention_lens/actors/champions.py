"""Champions per region: each region's actors ranked on the region's own network, with the
reasons for each place in plain sentences.

Public API::

    region_members(network, region) -> tuple[int, ...]       # positions, in id order
    region_network(network, region) -> Network               # the subgraph those actors induce
    Champion                                                  # one ranked actor (frozen)
    champions(network, region, *, limit=10, ...) -> list[Champion]

A region's actors are those with the region among their ``regions``: the regions of the
countries they work in and of their headquarters country (see ``build_network``). Every figure
(betweenness, brokerage, degree, the neighbours named in the reasons) is computed on the
subgraph those actors induce, so ties to actors outside the region count for nothing there and
an actor working in several regions gets a separate place, and separate figures, in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from prevention_lens.actors.network import (
    EXACT_BETWEENNESS_LIMIT,
    PIVOTS,
    ROLES,
    Network,
    ranking_figures,
)
from prevention_lens.errors import ValidationError


@dataclass(frozen=True)
class Champion:
    """One actor's place among its region's champions; figures are on the region's network."""

    rank: int
    actor_id: int
    name: str
    level: str | None
    betweenness: float
    brokerage_across_levels: int
    degree: int
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["reasons"] = list(self.reasons)
        return row


def region_members(network: Network, region: str) -> tuple[int, ...]:
    """Positions of the actors working in ``region``, in id order."""
    return tuple(i for i in network.by_place.get(region, ()) if region in network.actors[i].regions)


def region_network(network: Network, region: str) -> Network:
    """The region's own network: its actors and only the ties among them."""
    members = region_members(network, region)
    index = np.asarray(members, dtype=np.int64)
    arcs = network.arcs[index][:, index].tocsr()
    weights = network.weights[index][:, index].tocsr()
    actors = tuple(network.actors[i] for i in members)
    local = {old: new for new, old in enumerate(members)}
    neighbours = tuple(
        frozenset(local[j] for j in network.neighbours[i] if j in local) for i in members
    )
    places: dict[str, list[int]] = {}
    for new, actor in enumerate(actors):
        for place in dict.fromkeys((*actor.country_keys, *actor.regions)):
            places.setdefault(place, []).append(new)
    return Network(
        actors=actors,
        # Relationships are not kept one by one, so the region counts its tied pairs instead.
        ties=_tied_pairs(arcs),
        position={actor.id: new for new, actor in enumerate(actors)},
        arcs=arcs,
        weights=weights,
        neighbours=neighbours,
        by_place={place: tuple(found) for place, found in places.items()},
    )


def _tied_pairs(arcs: Any) -> int:
    """How many unordered pairs of actors are tied, either way."""
    return int((arcs + arcs.T).nnz // 2)


def _ordinal(rank: int) -> str:
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def _cross(roles: Mapping[str, int]) -> int:
    return sum(count for role, count in roles.items() if role != "coordinator")


def _reasons(
    region: str, rank: int, sub: Network, i: int, found: Mapping[str, Any]
) -> tuple[str, ...]:
    place = "highest" if rank == 1 else f"{_ordinal(rank)} highest"
    reasons = [f"{place} betweenness in {region}'s own network ({found['betweenness']:.3f})"]
    around = [sub.actors[j] for j in sub.neighbours[i]]
    local = sum(other.is_local for other in around)
    international = sum(other.is_international for other in around)
    outward = sum(other.level in ("national", "regional") for other in around)
    if local and international:
        reasons.append(
            f"links {local} grassroots or local actors to {international} international ones"
        )
    elif local and outward:
        reasons.append(
            f"links {local} grassroots or local actors to {outward} national or regional ones"
        )
    cross_level = _cross(found["brokerage_level"])
    if cross_level:
        role = max(ROLES[1:], key=lambda name: (found["brokerage_level"][name], name))
        reasons.append(
            f"stands between {cross_level} pairs of unconnected actors across levels, "
            f"most often as {role}"
        )
    cross_sector = _cross(found["brokerage_sector"])
    if cross_sector:
        reasons.append(f"stands between {cross_sector} pairs of unconnected actors across sectors")
    reasons.append(f"tied to {found['degree']} actors in {region}")
    return tuple(reasons)


def champions(
    network: Network,
    region: str,
    *,
    limit: int = 10,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    pivots: int = PIVOTS,
    seed: int = 0,
) -> list[Champion]:
    """The actors tied within the region, ranked by betweenness, then brokerage across levels,
    then degree, all on the region's own network, each with the reasons for its place."""
    if limit < 1:
        raise ValidationError(f"must be at least 1; got {limit}", field="limit")
    sub = region_network(network, region)
    figures = ranking_figures(sub, exact_limit=exact_limit, pivots=pivots, seed=seed)
    tied = [i for i in range(len(sub.actors)) if sub.neighbours[i]]

    def key(i: int) -> tuple[float, int, int, str, int]:
        found, actor = figures[i], sub.actors[i]
        cross = _cross(found["brokerage_level"])
        return (-found["betweenness"], -cross, -found["degree"], actor.name, actor.id)

    rows = []
    for rank, i in enumerate(sorted(tied, key=key)[:limit], start=1):
        actor, found = sub.actors[i], figures[i]
        rows.append(
            Champion(
                rank=rank,
                actor_id=actor.id,
                name=actor.name,
                level=actor.level,
                betweenness=found["betweenness"],
                brokerage_across_levels=_cross(found["brokerage_level"]),
                degree=found["degree"],
                reasons=_reasons(region, rank, sub, i, found),
            )
        )
    return rows
