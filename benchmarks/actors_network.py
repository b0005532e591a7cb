"""Network analysis on a generated mapping of 10,000 actors and 50,000 relationships, timed.

Prints one JSON object: the network's size, then seconds for building it, all per-actor metrics
(betweenness exact), the local–international gap by country and by region, champions for every
region (each measured on the region's own network) and suggestions for 100 actors. Seeded; no
store. ``--actors``/``--ties`` change the size.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from prevention_lens.actors.champions import champions
from prevention_lens.actors.network import (
    build_network,
    local_international_gap,
    metrics,
    suggest_connections,
)
from prevention_lens.actors.vocabulary import ACTIVITIES, LEVEL_ORDER, SECTORS

REGIONS = ("Africa", "Americas", "Asia", "Europe", "Middle East")
# Most mapped actors work near the ground; a few are international.
LEVEL_WEIGHTS = (0.3, 0.3, 0.2, 0.1, 0.1)


def generate(
    actors: int, ties: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Actors in 100 countries of 5 regions; ties mostly within a country, some to hubs."""
    rng = np.random.default_rng(seed)
    countries = [f"C{number:02d}" for number in range(100)]
    activities, sectors = list(ACTIVITIES), list(SECTORS)
    rows = []
    for actor_id in range(1, actors + 1):
        level = int(rng.choice(len(LEVEL_ORDER), p=LEVEL_WEIGHTS))
        spread = 1 + int(rng.integers(0, 5)) if level >= 3 else 1
        rows.append(
            {
                "id": actor_id,
                "name": f"Actor {actor_id}",
                "kind": "civil_society",
                "levels": list(LEVEL_ORDER[max(0, level - 1) : level + 1]),
                "sectors": list(
                    rng.choice(sectors, size=1 + int(rng.integers(0, 2)), replace=False)
                ),
                "activities": list(
                    rng.choice(activities, size=int(rng.integers(1, 5)), replace=False)
                ),
                "country_keys": sorted(set(rng.choice(countries, size=spread).tolist())),
            }
        )
    by_country: dict[str, list[int]] = {}
    for row in rows:
        for key in row["country_keys"]:
            by_country.setdefault(key, []).append(row["id"])
    popularity = rng.pareto(1.5, size=actors) + 1
    popularity /= popularity.sum()
    seen: set[tuple[int, int]] = set()
    relationships = []
    while len(relationships) < ties:
        source = int(rng.integers(1, actors + 1))
        if rng.random() < 0.7:
            pool = by_country[str(rng.choice(rows[source - 1]["country_keys"]))]
            target = int(pool[int(rng.integers(0, len(pool)))])
        else:
            target = int(rng.choice(actors, p=popularity)) + 1
        if source == target or (source, target) in seen:
            continue
        seen.add((source, target))
        relationships.append(
            {
                "source_id": source,
                "target_id": target,
                "directed": bool(rng.random() < 0.5),
                "strength": int(rng.integers(1, 4)),
                "kind": "partnership",
            }
        )
    return rows, relationships


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    actors, relationships = generate(args.actors, args.ties, args.seed)
    regions = {f"C{number:02d}": REGIONS[number % len(REGIONS)] for number in range(100)}
    timings: dict[str, float] = {}

    started = time.perf_counter()
    network = build_network(actors, relationships, country_regions=regions)
    timings["build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    figures = metrics(network)
    timings["metrics_s"] = time.perf_counter() - started
    started = time.perf_counter()
    by_country = local_international_gap(network, "country")
    by_region = local_international_gap(network, "region")
    timings["gaps_s"] = time.perf_counter() - started
    started = time.perf_counter()
    for region in REGIONS:
        # Each region's figures come from its own network, computed here.
        champions(network, region)
    timings["champions_s"] = time.perf_counter() - started
    started = time.perf_counter()
    suggested = [suggest_connections(network, actor_id) for actor_id in range(1, 101)]
    timings["suggestions_100_s"] = time.perf_counter() - started
    print(
        json.dumps(
            {
                "actors": len(network.actors),
                "relationships": network.ties,
                "seed": args.seed,
                **{name: round(seconds, 3) for name, seconds in timings.items()},
                "total_s": round(sum(timings.values()), 3),
                "communities": len({row["community"] for row in figures.values()}),
                "max_betweenness": round(max(row["betweenness"] for row in figures.values()), 4),
                "countries": len(by_country),
                "widest_region_gap": by_region[0] if by_region else None,
                "mean_suggestions": sum(len(rows) for rows in suggested) / len(suggested),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
