"""The stored actor mapping as a network: built through the access policy, drawn for the network
view, ranked for champions per region, and kept as dated snapshots so change shows.

Public API::

    network_for(session, principal, dataset="real", *, as_of=None) -> Network
    network_of(session, principal, dataset, actors, *, as_of=None, country_regions=None)
        -> Network                                          # over actors already read
    network_view(session, principal, dataset="real") -> NetworkView         # typed, frozen
    regional_champions(session, principal, dataset, *, region=None, limit=5)
        -> dict[region, list[Champion]]                    # each on the region's own network
    take_snapshot(session, principal, dataset="real") -> NetworkSnapshot     # analysts
    snapshots(session, principal, dataset="real") -> {"snapshots": [...], "change": {...} | None}
    actor_suggestions(session, principal, actor_id, dataset) -> list[Suggestion]
    snapshot_figures(session, principal, actor_id, dataset) -> ActorFigures | None

Coverage gaps (actors beside risk) need two domains and live in ``briefs/coverage.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.champions import Champion, champions
from prevention_lens.actors.network import (
    Network,
    betweenness_method,
    build_network,
    components,
    local_international_gap,
    metrics,
    reaches_international,
    suggest_connections,
)
from prevention_lens.actors.record_types import ActorRecord
from prevention_lens.actors.records import DATASETS, ActorFilter, list_actors, list_relationships
from prevention_lens.actors.vocabulary import KINDS, LEVELS, RELATIONSHIP_KINDS, SECTORS
from prevention_lens.errors import ValidationError
from prevention_lens.store.access import ANONYMOUS, Principal, audit, read_records, require
from prevention_lens.store.models import Country, NetworkSnapshot

# Summary figures compared between the last two snapshots.
_COMPARED = (
    "actors",
    "ties",
    "components",
    "communities",
    "local_actors",
    "local_reaching_international",
    "local_international_share",
)


def _check_dataset(dataset: str) -> None:
    if dataset not in DATASETS:
        raise ValidationError(f"choose {' or '.join(DATASETS)}; got {dataset!r}", field="dataset")


def _current(row: Mapping[str, Any], day: date) -> bool:
    start, end = row.get("start_date"), row.get("end_date")
    return (start is None or start <= day) and (end is None or end >= day)


def _country_regions(session: Session) -> dict[str, str]:
    rows = session.execute(select(Country.key, Country.region))
    return {str(key): str(region) for key, region in rows}


def network_for(
    session: Session, principal: Principal, dataset: str = "real", *, as_of: date | None = None
) -> Network:
    """The network the principal may see: anonymous users get the published one only. Rejected
    records are left out, and so are relationships not current on ``as_of`` (default today)."""
    _check_dataset(dataset)
    actors = list_actors(session, principal, ActorFilter(dataset=dataset))
    return network_of(session, principal, dataset, actors, as_of=as_of)


def network_of(
    session: Session,
    principal: Principal,
    dataset: str,
    actors: Sequence[ActorRecord],
    *,
    as_of: date | None = None,
    country_regions: Mapping[str, str] | None = None,
) -> Network:
    """``network_for`` over actors the caller has already read with ``list_actors`` (the whole
    dataset, unfiltered), so that a page that lists them too reads them once. Pass
    ``country_regions`` when already known, to spare reading them from the store."""
    _check_dataset(dataset)
    day = as_of or date.today()
    rows = [actor.to_dict() for actor in actors if actor.status != "rejected"]
    ties = _ties(session, principal, dataset, {row["id"] for row in rows}, day)
    regions = _country_regions(session) if country_regions is None else country_regions
    return build_network(rows, ties, country_regions=regions)


def _ties(
    session: Session, principal: Principal, dataset: str, visible: set[int], day: date
) -> list[dict[str, Any]]:
    """The relationships the network holds: seen by the reader, not rejected, current on the
    day, between actors in it."""
    return [
        row
        for row in list_relationships(session, principal, dataset)
        if row.get("status") != "rejected"
        and row["source_id"] in visible
        and row["target_id"] in visible
        and _current(row, day)
    ]


def _summary(network: Network, figures: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    n = len(network.actors)
    reaches = reaches_international(network)
    local = [i for i, actor in enumerate(network.actors) if actor.is_local]
    reaching = sum(reaches[i] for i in local)
    return {
        "actors": n,
        "ties": network.ties,
        "components": len(set(components(network))),
        "communities": len({row["community"] for row in figures.values()}),
        "density": network.arcs.nnz / (n * (n - 1)) if n > 1 else 0.0,
        "betweenness": betweenness_method(network),
        "local_actors": len(local),
        "local_reaching_international": reaching,
        "local_international_share": reaching / len(local) if local else None,
        "gap_by_region": local_international_gap(network, "region"),
        "gap_by_country": local_international_gap(network, "country"),
    }


def take_snapshot(session: Session, principal: Principal, dataset: str = "real") -> NetworkSnapshot:
    """Compute and keep today's figures. Snapshots are public, so they are always taken of the
    published network, whoever takes them."""
    require(principal, "create", "network_snapshot")
    network = network_for(session, ANONYMOUS, dataset)
    figures = metrics(network)
    for actor in network.actors:
        figures[actor.id] = {"name": actor.name, "level": actor.level, **figures[actor.id]}
    snapshot = NetworkSnapshot(
        dataset=dataset,
        taken_by=principal.username,
        summary=_summary(network, figures),
        metrics={str(actor_id): row for actor_id, row in figures.items()},
    )
    session.add(snapshot)
    session.flush()
    audit(session, principal, "create", "network_snapshot", snapshot.id, dataset=dataset)
    return snapshot


def _change(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    summary = {}
    for key in _COMPARED:
        old, new = before["summary"].get(key), after["summary"].get(key)
        difference = (
            new - old if isinstance(old, int | float) and isinstance(new, int | float) else None
        )
        summary[key] = {"before": old, "after": new, "change": difference}
    old_figures, new_figures = before["metrics"], after["metrics"]
    moves = [
        {
            "actor_id": int(actor_id),
            "name": new_figures[actor_id].get("name", ""),
            "before": old_figures[actor_id]["betweenness"],
            "after": new_figures[actor_id]["betweenness"],
            "change": new_figures[actor_id]["betweenness"] - old_figures[actor_id]["betweenness"],
        }
        for actor_id in sorted(set(old_figures) & set(new_figures), key=int)
    ]
    return {
        "from": before["id"],
        "to": after["id"],
        "summary": summary,
        "actors_added": sorted(int(i) for i in set(new_figures) - set(old_figures)),
        "actors_removed": sorted(int(i) for i in set(old_figures) - set(new_figures)),
        "betweenness_rises": sorted(
            (m for m in moves if m["change"] > 0), key=lambda m: (-m["change"], m["actor_id"])
        )[:5],
        "betweenness_falls": sorted(
            (m for m in moves if m["change"] < 0), key=lambda m: (m["change"], m["actor_id"])
        )[:5],
    }


def snapshots(session: Session, principal: Principal, dataset: str = "real") -> dict[str, Any]:
    """Every snapshot of a dataset, oldest first (summaries only), and what changed between the
    last two: summary figures, actors added and removed, biggest moves in betweenness."""
    _check_dataset(dataset)
    rows = read_records(
        session,
        principal,
        "network_snapshot",
        select(NetworkSnapshot)
        .where(NetworkSnapshot.dataset == dataset)
        .order_by(NetworkSnapshot.taken_at, NetworkSnapshot.id),
    )
    change = _change(rows[-2], rows[-1]) if len(rows) >= 2 else None
    history = [{key: value for key, value in row.items() if key != "metrics"} for row in rows]
    return {"snapshots": history, "change": change}


REGIONAL_NOTE = (
    "Each region's figures are computed on the region's own network: its actors (those working "
    "in, or based in, one of its countries) and only the ties among them."
)


def regional_champions(
    session: Session,
    principal: Principal,
    dataset: str = "real",
    *,
    region: str | None = None,
    limit: int = 5,
) -> dict[str, list[Champion]]:
    """For each region (or one), its champions, ranked on the region's own network (see
    ``champions.py``) by betweenness, then brokerage across levels, then degree, each with the
    reasons for its place. Regions with no tied actors are left out."""
    network = network_for(session, principal, dataset)
    regions = sorted({name for actor in network.actors for name in actor.regions})
    if region is not None:
        if region not in regions:
            known = ", ".join(regions) or "none"
            raise ValidationError(f"no actors work in {region!r}; regions: {known}", field="region")
        regions = [region]
    found = {name: champions(network, name, limit=limit) for name in regions}
    return {name: rows for name, rows in found.items() if rows}


@dataclass(frozen=True)
class NetworkNode:
    """One actor as the network view draws it, with its figures in the whole network."""

    id: int
    name: str
    kind: str
    kind_label: str
    levels: tuple[str, ...]
    level: str | None
    level_labels: tuple[str, ...]
    sectors: tuple[str, ...]
    sector_labels: tuple[str, ...]
    countries: tuple[str, ...]
    is_example: bool
    degree: int
    betweenness: float
    community: int


@dataclass(frozen=True)
class NetworkLink:
    """One relationship as the network view draws it."""

    source: int
    target: int
    kind: str
    kind_label: str
    strength: int
    directed: bool


@dataclass(frozen=True)
class NetworkView:
    """What the network view draws: the actors and relationships the reader may see."""

    dataset: str
    nodes: tuple[NetworkNode, ...]
    links: tuple[NetworkLink, ...]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "actors": len(self.nodes),
            "relationships": len(self.links),
            "communities": len({node.community for node in self.nodes}),
        }

    @property
    def countries(self) -> list[str]:
        return sorted({key for node in self.nodes for key in node.countries})

    @property
    def communities(self) -> list[int]:
        return sorted({node.community for node in self.nodes})

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "nodes": [asdict(node) for node in self.nodes],
            "links": [asdict(link) for link in self.links],
        }


def _labels(codes: Sequence[str], names: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(names.get(code, code) for code in codes)


def network_view(session: Session, principal: Principal, dataset: str = "real") -> NetworkView:
    """The network the reader may see today, each actor with its degree, betweenness (rounded
    to four places, for drawing) and community in that network; the links are the
    relationships those figures count (not rejected, not ended)."""
    network = network_for(session, principal, dataset)
    figures = metrics(network) if network.actors else {}
    nodes = tuple(
        NetworkNode(
            id=actor.id,
            name=actor.name,
            kind=actor.kind,
            kind_label=KINDS.get(actor.kind, actor.kind),
            levels=actor.levels,
            level=actor.level,
            level_labels=_labels(actor.levels, LEVELS),
            sectors=actor.sectors,
            sector_labels=_labels(actor.sectors, SECTORS),
            countries=actor.country_keys,
            is_example=dataset == "example",
            degree=int(figures[actor.id]["degree"]),
            betweenness=round(float(figures[actor.id]["betweenness"]), 4),
            community=int(figures[actor.id]["community"]),
        )
        for actor in network.actors
    )
    links = tuple(
        NetworkLink(
            source=int(relation["source_id"]),
            target=int(relation["target_id"]),
            kind=str(relation["kind"]),
            kind_label=RELATIONSHIP_KINDS.get(relation["kind"], relation["kind"]),
            strength=int(relation["strength"]),
            directed=bool(relation["directed"]),
        )
        # The same relationships the figures were computed on: no rejected or ended ones.
        for relation in _ties(session, principal, dataset, set(network.position), date.today())
    )
    return NetworkView(dataset=dataset, nodes=nodes, links=links)


@dataclass(frozen=True)
class Suggestion:
    """An actor another could work with, and why."""

    id: int
    name: str
    score: float
    reasons: tuple[str, ...]


def actor_suggestions(
    session: Session, principal: Principal, actor_id: int, dataset: str, *, limit: int = 10
) -> list[Suggestion]:
    """Actors the given one could work with, best first; none for an actor outside the network
    the reader sees (a draft is not part of the network until it is published)."""
    network = network_for(session, principal, dataset)
    if actor_id not in network.position:
        return []
    return [
        Suggestion(
            id=int(row["actor_id"]),
            name=str(row["name"]),
            score=float(row["score"]),
            reasons=tuple(row["reasons"]),
        )
        for row in suggest_connections(network, actor_id, limit=limit)
    ]


@dataclass(frozen=True)
class ActorFigures:
    """One actor's figures in the latest network snapshot of its dataset."""

    taken_at: datetime
    degree: int
    betweenness: float
    constraint: float | None  # None: not tied
    community: int

    @property
    def caption(self) -> str:
        return f"From the network snapshot of {self.taken_at:%Y-%m-%d}"

    @property
    def items(self) -> list[tuple[str, object]]:
        """The figures as the profile lists them."""
        constraint = "not tied" if self.constraint is None else f"{self.constraint:.3f}"
        return [
            ("Relationships", self.degree),
            ("Betweenness (brokerage)", f"{self.betweenness:.3f}"),
            ("Constraint", constraint),
            ("Community", self.community),
        ]


def snapshot_figures(
    session: Session, principal: Principal, actor_id: int, dataset: str
) -> ActorFigures | None:
    """The actor's figures in the latest snapshot of the dataset; None when no snapshot was
    taken or the actor was not in it."""
    statement = (
        select(NetworkSnapshot)
        .where(NetworkSnapshot.dataset == dataset)
        .order_by(NetworkSnapshot.taken_at.desc(), NetworkSnapshot.id.desc())
        .limit(1)
    )
    latest = read_records(session, principal, "network_snapshot", statement)
    if not latest:
        return None
    figures = latest[0]["metrics"].get(str(actor_id))
    if not figures:
        return None
    constraint = figures.get("constraint")
    return ActorFigures(
        taken_at=latest[0]["taken_at"],
        degree=int(figures.get("degree") or 0),
        betweenness=float(figures.get("betweenness") or 0),
        constraint=None if constraint is None else float(constraint),
        community=int(figures.get("community") or 0),
    )
