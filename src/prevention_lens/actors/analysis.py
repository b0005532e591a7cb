"""The stored actor mapping as a network: built through the access policy, kept as dated
snapshots so change shows, and set beside each country's stored risk forecast as gaps.

Public API::

    network_for(session, principal, dataset="real", *, as_of=None) -> Network
    take_snapshot(session, principal, dataset="real") -> NetworkSnapshot     # analysts
    snapshots(session, principal, dataset="real") -> {"snapshots": [...], "change": {...} | None}
    coverage_gaps(session, principal, dataset="real", *, min_level="high") -> list[dict]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.network import (
    Network,
    betweenness_method,
    build_network,
    champions,
    components,
    local_international_gap,
    metrics,
    reaches_international,
)
from prevention_lens.actors.records import DATASETS, ActorFilter, list_actors, list_relationships
from prevention_lens.actors.vocabulary import ACTIVITIES, LEVEL_ORDER, LOCAL_LEVELS
from prevention_lens.errors import ValidationError
from prevention_lens.risk.forecasts import LEVELS as RISK_LEVELS
from prevention_lens.risk.forecasts import latest_run, run_forecasts
from prevention_lens.store.access import ANONYMOUS, Principal, allowed, audit, read_records, require
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


@dataclass(frozen=True)
class Capacity:
    """A capacity every country at high risk should have: an activity at some levels."""

    activity: str
    levels: frozenset[str] | None  # None: any level
    words: str  # the activity as the sentence names it

    def __post_init__(self) -> None:
        if self.activity not in ACTIVITIES:
            raise ValidationError(f"unknown activity {self.activity!r}", field="activity")

    @property
    def missing(self) -> str:
        if self.levels is None:
            return f"no {self.words} actor at any level"
        return f"no local {self.words} actor"


EXPECTED_CAPACITIES = (
    Capacity("early_warning", LOCAL_LEVELS, "early-warning"),
    Capacity("early_warning", None, "early-warning"),
    Capacity("documentation", None, "documentation"),
    Capacity("dialogue_mediation", LOCAL_LEVELS, "dialogue and mediation"),
    Capacity("protection_of_civilians", None, "protection of civilians"),
    Capacity("accountability", None, "accountability"),
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
    day = as_of or date.today()
    actors = [
        row
        for row in list_actors(session, principal, ActorFilter(dataset=dataset))
        if row.get("status") != "rejected"
    ]
    visible = {row["id"] for row in actors}
    ties = [
        row
        for row in list_relationships(session, principal, dataset)
        if row.get("status") != "rejected"
        and row["source_id"] in visible
        and row["target_id"] in visible
        and _current(row, day)
    ]
    return build_network(actors, ties, country_regions=_country_regions(session))


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


def _risk_by_country(session: Session, principal: Principal) -> dict[str, dict[str, Any]]:
    if not allowed(principal, "read", "forecast_run"):
        return {}
    run = latest_run(session, principal)
    if run is None:
        return {}
    return {
        row["country_key"]: {
            "probability": row["probability"],
            "level": row["level"],
            "rank": row["rank"],
            "run_id": run["id"],
        }
        for row in run_forecasts(session, principal, run["id"])
    }


def _missing(
    coverage: Mapping[str, Mapping[str, int]], actors: int, reaching: Mapping[str, int] | None
) -> list[str]:
    if actors == 0:
        return ["no actor mapped"]
    missing = []
    for capacity in EXPECTED_CAPACITIES:
        levels = capacity.levels if capacity.levels is not None else frozenset(LEVEL_ORDER)
        if not any(coverage[capacity.activity][level] for level in levels):
            missing.append(capacity.missing)
    if reaching is not None and reaching["local_actors"] and not reaching["reaching_international"]:
        missing.append("no grassroots or local actor with a path to an international one")
    return missing


def coverage_gaps(
    session: Session, principal: Principal, dataset: str = "real", *, min_level: str = "high"
) -> list[dict[str, Any]]:
    """Per country: actors mapped, activities × levels counts, the latest stored risk forecast
    (None without one), and, at ``min_level`` risk or above, the missing capacities in words.

    Countries appear when they have actors or their risk is at ``min_level`` or above; highest
    risk first, then by key. An actor counts once for each country and each level it lists.
    """
    names = [name for name, _ in RISK_LEVELS]
    if min_level not in names:
        raise ValidationError(f"choose {', '.join(names)}; got {min_level!r}", field="min_level")
    serious = set(names[: names.index(min_level) + 1])
    network = network_for(session, principal, dataset)
    risk = _risk_by_country(session, principal)
    reaching = {row["place"]: row for row in local_international_gap(network, "country")}
    places = {
        key: (name, region)
        for key, name, region in session.execute(select(Country.key, Country.name, Country.region))
    }
    counts: dict[str, int] = {}
    coverage: dict[str, dict[str, dict[str, int]]] = {}
    for actor in network.actors:
        for key in actor.country_keys:
            counts[key] = counts.get(key, 0) + 1
            grid = coverage.setdefault(
                key, {code: dict.fromkeys(LEVEL_ORDER, 0) for code in ACTIVITIES}
            )
            for activity in actor.activities:
                for level in actor.levels:
                    if activity in grid and level in grid[activity]:
                        grid[activity][level] += 1
    keys = set(counts) | {key for key, found in risk.items() if found["level"] in serious}
    rows = []
    for key in keys:
        grid = coverage.get(key) or {code: dict.fromkeys(LEVEL_ORDER, 0) for code in ACTIVITIES}
        found = risk.get(key)
        at_risk = found is not None and found["level"] in serious
        name, region = places.get(key, (key, ""))
        rows.append(
            {
                "country_key": key,
                "country_name": name,
                "region": region,
                "actors": counts.get(key, 0),
                "coverage": grid,
                "risk": found,
                "missing": _missing(grid, counts.get(key, 0), reaching.get(key)) if at_risk else [],
            }
        )
    return sorted(rows, key=_risk_order)


def _risk_order(row: Mapping[str, Any]) -> tuple[int, int, str]:
    risk = row["risk"]
    return (0 if risk else 1, risk["rank"] if risk else 0, row["country_key"])


def high_risk_lacking(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """From ``coverage_gaps``: the countries at high risk that lack something, in risk order."""
    return [
        {
            "country_key": row["country_key"],
            "country_name": row["country_name"],
            "risk": row["risk"],
            "missing": row["missing"],
        }
        for row in rows
        if row["missing"]
    ]


def regional_champions(
    session: Session,
    principal: Principal,
    dataset: str = "real",
    *,
    region: str | None = None,
    limit: int = 5,
) -> dict[str, list[dict[str, Any]]]:
    """For each region (or one), its champions: the tied actors ranked by betweenness, then
    brokerage across levels, then degree, each with the reasons for its place."""
    network = network_for(session, principal, dataset)
    figures = metrics(network)
    regions = sorted({name for actor in network.actors for name in actor.regions})
    if region is not None:
        if region not in regions:
            known = ", ".join(regions) or "none"
            raise ValidationError(f"no actors work in {region!r}; regions: {known}", field="region")
        regions = [region]
    found = {name: champions(network, name, figures=figures, limit=limit) for name in regions}
    return {name: rows for name, rows in found.items() if rows}
