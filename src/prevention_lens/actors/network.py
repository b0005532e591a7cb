"""Network analysis of an actor mapping: who brokers, who bridges levels and sectors, where local
actors are cut off from international ones, and suggested connections (champions per region,
each region measured on its own network, are in ``champions.py``).

Pure functions over plain actor and relationship dicts; no database. Public API::

    build_network(actors, relationships, *, country_regions=None) -> Network
    metrics(network, *, exact_limit=EXACT_BETWEENNESS_LIMIT, pivots=PIVOTS, seed=0)
        -> dict[actor_id, figures]   # degree, betweenness, constraint, community, brokerage
    communities(network) -> dict[actor_id, community number]
    components(network) -> list[int]; reaches_international(network) -> list[bool]  # by position
    local_international_gap(network, by="country" | "region") -> list[dict]
    ranking_figures(network, ...) -> list[figures]   # by position: what ranks champions
    suggest_connections(network, actor_id, limit=10) -> list[dict]

Choices, each documented in docs/actors.md ("Network analysis"):

* Betweenness and communities read every tie as undirected and unweighted, pairs collapsed;
  betweenness is exact up to ``exact_limit`` actors and estimated from ``pivots`` seeded source
  actors above it (Brandes–Pich), normalised by (n-1)(n-2)/2.
* Burt's constraint weighs a pair by the summed strength of all its relationships.
* Gould–Fernandez brokerage reads directed ties; an undirected tie counts in both directions.
  An actor's group is its outermost level for levels and its first sector for sectors; actors
  with no sector take no part in sector brokerage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import igraph  # type: ignore[import-untyped]
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from prevention_lens.actors.vocabulary import ACTIVITIES, LEVEL_ORDER, LEVELS, LOCAL_LEVELS
from prevention_lens.errors import NotFoundError, ValidationError

# Exact betweenness of 10,000 actors and 50,000 ties takes about 11 s on one core (see the
# benchmark); above this size it is estimated from PIVOTS source actors.
EXACT_BETWEENNESS_LIMIT = 20_000
PIVOTS = 2_000
ROLES = ("coordinator", "gatekeeper", "representative", "itinerant", "liaison")
# Suggestion weights: sharing a country matters most; each further reason adds a little.
_SAME_COUNTRY, _SAME_REGION, _OTHER_LEVEL, _LOCAL_INTERNATIONAL = 2.0, 1.0, 1.0, 1.0
_PER_ACTIVITY, _PER_PARTNER, _CAP = 0.5, 0.5, 4


@dataclass(frozen=True)
class NetworkActor:
    """One actor as the network sees it; ``regions`` are the regions of the countries it works in
    and of its headquarters country: the regions whose champions it is ranked among."""

    id: int
    name: str
    kind: str
    levels: tuple[str, ...]
    sectors: tuple[str, ...]
    activities: tuple[str, ...]
    country_keys: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def level(self) -> str | None:
        """The outermost level it works at: its group for level brokerage."""
        listed = [level for level in LEVEL_ORDER if level in self.levels]
        return listed[-1] if listed else None

    @property
    def sector(self) -> str | None:
        """Its first sector: its group for sector brokerage."""
        return self.sectors[0] if self.sectors else None

    @property
    def is_local(self) -> bool:
        return any(level in LOCAL_LEVELS for level in self.levels)

    @property
    def is_international(self) -> bool:
        return "international" in self.levels


@dataclass(frozen=True)
class Network:
    """Actors in id order and their ties: ``arcs`` (directed, 0/1, undirected ties both ways),
    ``weights`` (symmetric summed strengths) and each actor's neighbours, by position."""

    actors: tuple[NetworkActor, ...]
    ties: int
    position: Mapping[int, int] = field(repr=False)
    arcs: sparse.csr_matrix = field(repr=False)
    weights: sparse.csr_matrix = field(repr=False)
    neighbours: tuple[frozenset[int], ...] = field(repr=False)
    by_place: Mapping[str, tuple[int, ...]] = field(repr=False)

    def actor(self, actor_id: int) -> NetworkActor:
        if actor_id not in self.position:
            raise NotFoundError(f"No actor {actor_id} in this network.")
        return self.actors[self.position[actor_id]]


def _strings(row: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = row.get(name) or ()
    if isinstance(value, str):
        raise ValidationError(f"must be a list, got {value!r}", field=name)
    return tuple(str(item) for item in value)


def _actor(row: Mapping[str, Any], country_regions: Mapping[str, str]) -> NetworkActor:
    countries = _strings(row, "country_keys")
    placed = (*countries, *([str(row["hq_country_key"])] if row.get("hq_country_key") else []))
    regions = [country_regions[key] for key in placed if key in country_regions]
    if row.get("region"):
        regions.append(str(row["region"]))
    regions.extend(_strings(row, "regions"))
    return NetworkActor(
        id=int(row["id"]),
        name=str(row.get("name", "")),
        kind=str(row.get("kind", "")),
        levels=_strings(row, "levels"),
        sectors=_strings(row, "sectors"),
        activities=_strings(row, "activities"),
        country_keys=countries,
        regions=tuple(dict.fromkeys(regions)),
    )


def build_network(
    actors: Iterable[Mapping[str, Any]],
    relationships: Iterable[Mapping[str, Any]],
    *,
    country_regions: Mapping[str, str] | None = None,
) -> Network:
    """The network of these actors and the relationships among them.

    Actor dicts carry id, name, kind, levels, sectors, activities, country_keys and, optionally,
    hq_country_key, region or regions; ``country_regions`` gives the region of each country
    (those worked in and the headquarters). Relationship dicts
    carry source_id, target_id, directed (default True) and strength (default 2).
    """
    nodes = sorted((_actor(row, country_regions or {}) for row in actors), key=lambda a: a.id)
    position = {actor.id: index for index, actor in enumerate(nodes)}
    if len(position) != len(nodes):
        raise ValidationError("an actor id appears twice", field="actors")
    n = len(nodes)
    rows: list[int] = []
    cols: list[int] = []
    pair_rows: list[int] = []
    pair_cols: list[int] = []
    strengths: list[float] = []
    count = 0
    for tie in relationships:
        source, target = int(tie["source_id"]), int(tie["target_id"])
        for end in (source, target):
            if end not in position:
                raise ValidationError(f"relationship names actor {end}, not in the network")
        if source == target:
            raise ValidationError(f"actor {source} has a relationship with itself")
        a, b = position[source], position[target]
        rows.append(a)
        cols.append(b)
        if not tie.get("directed", True):
            rows.append(b)
            cols.append(a)
        strength = float(tie.get("strength", 2))
        pair_rows.extend((a, b))
        pair_cols.extend((b, a))
        strengths.extend((strength, strength))
        count += 1
    arcs = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    arcs.data[:] = 1.0  # duplicates summed on construction: a pair is tied or not
    weights = sparse.csr_matrix((strengths, (pair_rows, pair_cols)), shape=(n, n))
    both = (arcs + arcs.T).tocsr()
    neighbours = tuple(
        frozenset(both.indices[both.indptr[i] : both.indptr[i + 1]].tolist()) for i in range(n)
    )
    places: dict[str, list[int]] = {}
    for index, actor in enumerate(nodes):
        for place in dict.fromkeys((*actor.country_keys, *actor.regions)):
            places.setdefault(place, []).append(index)
    return Network(
        actors=tuple(nodes),
        ties=count,
        position=position,
        arcs=arcs,
        weights=weights,
        neighbours=neighbours,
        by_place={place: tuple(indices) for place, indices in places.items()},
    )


def _undirected(network: Network) -> Any:
    upper = sparse.triu(network.weights, k=1).tocoo()
    graph = igraph.Graph(
        n=len(network.actors), edges=list(zip(upper.row.tolist(), upper.col.tolist(), strict=True))
    )
    graph.es["weight"] = upper.data.tolist()
    return graph


def _betweenness(graph: Any, n: int, exact_limit: int, pivots: int, seed: int) -> np.ndarray:
    if n <= exact_limit or pivots >= n:
        raw = np.asarray(graph.betweenness(directed=False), dtype=float)
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=pivots, replace=False))
        found = graph.betweenness(directed=False, sources=sources.tolist(), targets=None)
        raw = np.asarray(found, dtype=float) * n / pivots
    scale = (n - 1) * (n - 2) / 2
    return raw / scale if scale > 0 else np.zeros(n)


def _constraint(weights: sparse.csr_matrix) -> np.ndarray:
    """Burt: c_i = sum over contacts j of (p_ij + sum_q p_iq p_qj)^2, p the share of i's ties."""
    totals = np.asarray(weights.sum(axis=1)).ravel()
    inverse = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    shares = sparse.diags(inverse) @ weights
    pattern = (shares != 0).astype(float)
    through = (shares @ shares).multiply(pattern)
    direct_and_indirect = sparse.csr_matrix(shares + through)
    found = np.asarray(direct_and_indirect.multiply(direct_and_indirect).sum(axis=1)).ravel()
    return np.where(totals > 0, found, np.nan)


def _brokerage(arcs: sparse.csr_matrix, groups: Sequence[str | None]) -> np.ndarray:
    """Gould–Fernandez roles per actor (columns in ROLES order): for each open two-step path
    a -> b -> c (a != c, no tie a -> c), b's role by the groups of a, b and c."""
    n = arcs.shape[0]
    names = sorted({group for group in groups if group is not None})
    column = {name: index for index, name in enumerate(names)}
    k = len(names)
    roles = np.zeros((n, len(ROLES)), dtype=np.int64)
    if k == 0 or n == 0:
        return roles
    member = [(i, column[g]) for i, g in enumerate(groups) if g is not None]
    one_hot = sparse.csr_matrix(
        (np.ones(len(member)), ([i for i, _ in member], [g for _, g in member])), shape=(n, k)
    )
    senders = (arcs.T @ one_hot).toarray()  # [b, x]: a -> b with a in group x
    receivers = (arcs @ one_hot).toarray()  # [b, y]: b -> c with c in group y
    pairs = senders[:, :, None] * receivers[:, None, :]
    mutual = (arcs.multiply(arcs.T) @ one_hot).toarray()  # a -> b -> a is no brokerage
    diagonal = np.arange(k)
    pairs[:, diagonal, diagonal] -= mutual
    for x in range(k):
        in_group = sparse.diags(one_hot[:, x].toarray().ravel())
        shared = arcs.T @ in_group @ arcs  # [b, c]: a in x with a -> b and a -> c
        pairs[:, x, :] -= (arcs.multiply(shared) @ one_hot).toarray()
    pairs = np.rint(pairs).astype(np.int64)
    known = np.array([g is not None for g in groups])
    own = np.array([column[g] if g is not None else 0 for g in groups])
    rows = np.arange(n)
    coordinator = pairs[rows, own, own]
    same_ends = np.einsum("bxx->b", pairs)
    from_own = pairs[rows, own, :].sum(axis=1)
    into_own = pairs[rows, :, own].sum(axis=1)
    total = pairs.sum(axis=(1, 2))
    gatekeeper = into_own - coordinator
    representative = from_own - coordinator
    itinerant = same_ends - coordinator
    liaison = total - coordinator - gatekeeper - representative - itinerant
    roles[:] = np.column_stack([coordinator, gatekeeper, representative, itinerant, liaison])
    roles[~known] = 0
    return roles


def _community_numbers(network: Network, graph: Any) -> list[int]:
    n = len(network.actors)
    if graph.ecount() == 0:
        membership = list(range(n))
    else:
        # Greedy modularity (Clauset–Newman–Moore) has no random step: same input, same answer.
        membership = graph.community_fastgreedy(weights="weight").as_clustering().membership
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(membership):
        groups.setdefault(label, []).append(index)
    # Numbered by size, largest first, then by lowest actor id, so numbers are stable.
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    numbers = [0] * n
    for number, members in enumerate(ordered):
        for index in members:
            numbers[index] = number
    return numbers


def communities(network: Network) -> dict[int, int]:
    """Each actor's community by greedy modularity; 0 is the largest."""
    numbers = _community_numbers(network, _undirected(network))
    return {actor.id: numbers[i] for i, actor in enumerate(network.actors)}


def _check_estimation(exact_limit: int, pivots: int) -> None:
    if exact_limit < 0 or pivots < 1:
        raise ValidationError(
            f"exact_limit must be >= 0 and pivots >= 1; got {exact_limit} and {pivots}",
            field="pivots",
        )


def ranking_figures(
    network: Network,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    pivots: int = PIVOTS,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """By position: degree, betweenness and both brokerage counts, the figures that rank
    champions; ``metrics`` adds the rest. Cheaper than ``metrics`` (no constraint, no
    communities), which matters when every region's network is measured on its own."""
    _check_estimation(exact_limit, pivots)
    n = len(network.actors)
    betweenness = _betweenness(_undirected(network), n, exact_limit, pivots, seed)
    by_level = _brokerage(network.arcs, [actor.level for actor in network.actors])
    by_sector = _brokerage(network.arcs, [actor.sector for actor in network.actors])
    return [
        {
            "degree": len(network.neighbours[i]),
            "betweenness": float(betweenness[i]),
            "brokerage_level": dict(zip(ROLES, by_level[i].tolist(), strict=True)),
            "brokerage_sector": dict(zip(ROLES, by_sector[i].tolist(), strict=True)),
        }
        for i in range(n)
    ]


def metrics(
    network: Network,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    pivots: int = PIVOTS,
    seed: int = 0,
) -> dict[int, dict[str, Any]]:
    """Per actor: degree (distinct actors tied either way), in_degree, out_degree, betweenness
    (normalised), constraint (Burt; None for an isolated actor), community, and Gould–Fernandez
    roles with levels (``brokerage_level``) and with sectors (``brokerage_sector``) as groups."""
    _check_estimation(exact_limit, pivots)
    n = len(network.actors)
    graph = _undirected(network)
    betweenness = _betweenness(graph, n, exact_limit, pivots, seed)
    constraint = _constraint(network.weights)
    numbers = _community_numbers(network, graph)
    out_degree = np.diff(network.arcs.indptr)
    in_degree = np.diff(network.arcs.tocsc().indptr)
    by_level = _brokerage(network.arcs, [actor.level for actor in network.actors])
    by_sector = _brokerage(network.arcs, [actor.sector for actor in network.actors])
    figures: dict[int, dict[str, Any]] = {}
    for i, actor in enumerate(network.actors):
        figures[actor.id] = {
            "degree": len(network.neighbours[i]),
            "in_degree": int(in_degree[i]),
            "out_degree": int(out_degree[i]),
            "betweenness": float(betweenness[i]),
            "constraint": None if np.isnan(constraint[i]) else float(constraint[i]),
            "community": numbers[i],
            "brokerage_level": dict(zip(ROLES, by_level[i].tolist(), strict=True)),
            "brokerage_sector": dict(zip(ROLES, by_sector[i].tolist(), strict=True)),
        }
    return figures


def betweenness_method(network: Network, *, exact_limit: int = EXACT_BETWEENNESS_LIMIT) -> str:
    """How ``metrics`` computes betweenness for this network, in words for summaries."""
    if len(network.actors) <= exact_limit:
        return "exact"
    return f"estimated from {PIVOTS} source actors"


def components(network: Network) -> list[int]:
    """Each actor's connected component (ties either way), by position."""
    _, labels = connected_components(network.arcs, directed=True, connection="weak")
    return [int(label) for label in labels]


def reaches_international(network: Network) -> list[bool]:
    """By position: whether the actor has a path (ties either way) to an actor working at
    international level other than itself."""
    component = components(network)
    international = Counter(
        component[i] for i, actor in enumerate(network.actors) if actor.is_international
    )
    return [
        international[component[i]] - (1 if actor.is_international else 0) > 0
        for i, actor in enumerate(network.actors)
    ]


def local_international_gap(
    network: Network, by: Literal["country", "region"] = "country"
) -> list[dict[str, Any]]:
    """Per country or region: its grassroots and local actors, how many have a path to an
    international actor (see ``reaches_international``), and the share. Widest gaps first."""
    if by not in ("country", "region"):
        raise ValidationError(f"choose country or region; got {by!r}", field="by")
    reaches = reaches_international(network)
    counts: dict[str, list[int]] = {}
    for i, actor in enumerate(network.actors):
        if not actor.is_local:
            continue
        for place in actor.country_keys if by == "country" else actor.regions:
            tally = counts.setdefault(place, [0, 0])
            tally[0] += 1
            tally[1] += reaches[i]
    rows = [
        {
            "place": place,
            "local_actors": local,
            "reaching_international": reaching,
            "share": reaching / local,
        }
        for place, (local, reaching) in counts.items()
    ]
    return sorted(rows, key=lambda row: (row["share"], -row["local_actors"], row["place"]))


def _labels(codes: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(code, code).lower() for code in codes)


def suggest_connections(network: Network, actor_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Actors this one is not yet tied to that share a country (or at least a region) and add
    something: another level or activities it lacks. Scored, best first, with reasons."""
    if limit < 1:
        raise ValidationError(f"must be at least 1; got {limit}", field="limit")
    me = network.actor(actor_id)
    mine = network.position[actor_id]
    partners = network.neighbours[mine]
    candidates = sorted(
        {i for place in (*me.country_keys, *me.regions) for i in network.by_place.get(place, ())}
        - partners
        - {mine}
    )
    rows: list[dict[str, Any]] = []
    for i in candidates:
        other = network.actors[i]
        shared = sorted(set(me.country_keys) & set(other.country_keys))
        regions = sorted(set(me.regions) & set(other.regions))
        adds = [code for code in other.activities if code not in me.activities]
        other_level = other.level is not None and other.level != me.level
        if not (shared or regions) or not (adds or other_level):
            continue
        score, reasons = 0.0, []
        if shared:
            score += _SAME_COUNTRY
            reasons.append(f"also works in {', '.join(shared)}")
        else:
            score += _SAME_REGION
            reasons.append(f"also works in {', '.join(regions)}")
        if other_level:
            score += _OTHER_LEVEL
            label = LEVELS.get(str(other.level), str(other.level)).lower()
            reasons.append(f"works at the {label} level")
            if (me.is_local and other.is_international) or (me.is_international and other.is_local):
                score += _LOCAL_INTERNATIONAL
                reasons.append("would link local and international work")
        if adds:
            score += _PER_ACTIVITY * min(len(adds), _CAP)
            reasons.append(f"does what this actor does not: {_labels(adds, ACTIVITIES)}")
        common = len(partners & network.neighbours[i])
        if common:
            score += _PER_PARTNER * min(common, _CAP)
            reasons.append(f"already works with {common} of this actor's partners")
        rows.append({"actor_id": other.id, "name": other.name, "score": score, "reasons": reasons})
    rows.sort(key=lambda row: (-row["score"], row["name"], row["actor_id"]))
    return rows[:limit]
