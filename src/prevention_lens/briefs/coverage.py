"""Coverage gaps: each country's mapped prevention capacity (actors) beside its latest stored risk
forecast (risk), and what a country at high risk lacks. It needs two domains, so it lives here.

Public API::

    Capacity, EXPECTED_CAPACITIES         what every country at high risk should have
    CountryRisk, CountryCoverage          typed rows (frozen); ``to_dict()`` for JSON
    coverage_gaps(session, principal, dataset="real", *, min_level="high") -> list[CountryCoverage]
    country_coverage(session, principal, country, dataset="real", *, min_level="high")
        -> CountryCoverage                # one country by row, name or code; NotFoundError if none
    coverage_of(country, network, risk, *, min_level="high") -> CountryCoverage   # no query
    high_risk_lacking(rows) -> list[CountryCoverage]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.analysis import network_for
from prevention_lens.actors.network import Network, local_international_gap
from prevention_lens.actors.vocabulary import ACTIVITIES, LEVEL_ORDER, LOCAL_LEVELS
from prevention_lens.errors import ValidationError
from prevention_lens.risk.forecasts import LEVELS as RISK_LEVELS
from prevention_lens.risk.forecasts import latest_run, run_forecasts
from prevention_lens.store.access import Principal, allowed
from prevention_lens.store.models import Country
from prevention_lens.store.reference import find_country

Grid = Mapping[str, Mapping[str, int]]  # activity -> level -> actors


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


@dataclass(frozen=True)
class CountryRisk:
    """A country's place in the latest stored forecast run."""

    probability: float
    level: str
    rank: int
    run_id: int


@dataclass(frozen=True)
class CountryCoverage:
    """One country: the actors mapped there, how many of them do each activity at each level
    (an actor counts once for each level it lists), its latest risk (None without a forecast the
    reader may see) and, at the chosen risk level or above, the capacities it lacks in words."""

    country_key: str
    country_name: str
    region: str
    actors: int
    coverage: Grid
    risk: CountryRisk | None
    missing: tuple[str, ...]

    @property
    def activities_covered(self) -> int:
        """Activities with at least one actor, at any level."""
        return sum(1 for levels in self.coverage.values() if any(levels.values()))

    @property
    def local_activities(self) -> int:
        """Activities with at least one grassroots or local actor."""
        return sum(
            1
            for levels in self.coverage.values()
            if any(levels.get(level) for level in LOCAL_LEVELS)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "country_key": self.country_key,
            "country_name": self.country_name,
            "region": self.region,
            "actors": self.actors,
            "coverage": {activity: dict(levels) for activity, levels in self.coverage.items()},
            "risk": None if self.risk is None else asdict(self.risk),
            "missing": list(self.missing),
            "activities_covered": self.activities_covered,
            "local_activities": self.local_activities,
        }


def _serious(min_level: str) -> frozenset[str]:
    names = [name for name, _ in RISK_LEVELS]
    if min_level not in names:
        raise ValidationError(f"choose {', '.join(names)}; got {min_level!r}", field="min_level")
    return frozenset(names[: names.index(min_level) + 1])


def _risk_by_country(session: Session, principal: Principal) -> dict[str, CountryRisk]:
    if not allowed(principal, "read", "forecast_run"):
        return {}
    run = latest_run(session, principal)
    if run is None:
        return {}
    return {
        row["country_key"]: CountryRisk(
            probability=float(row["probability"]),
            level=str(row["level"]),
            rank=int(row["rank"]),
            run_id=int(run["id"]),
        )
        for row in run_forecasts(session, principal, run["id"])
    }


def _empty_grid() -> dict[str, dict[str, int]]:
    return {code: dict.fromkeys(LEVEL_ORDER, 0) for code in ACTIVITIES}


def _grids(network: Network) -> tuple[dict[str, int], dict[str, dict[str, dict[str, int]]]]:
    counts: dict[str, int] = {}
    grids: dict[str, dict[str, dict[str, int]]] = {}
    for actor in network.actors:
        for key in actor.country_keys:
            counts[key] = counts.get(key, 0) + 1
            grid = grids.setdefault(key, _empty_grid())
            for activity in actor.activities:
                for level in actor.levels:
                    if activity in grid and level in grid[activity]:
                        grid[activity][level] += 1
    return counts, grids


def _missing(grid: Grid, actors: int, reaching: Mapping[str, int] | None) -> tuple[str, ...]:
    if actors == 0:
        return ("no actor mapped",)
    missing = []
    for capacity in EXPECTED_CAPACITIES:
        levels = capacity.levels if capacity.levels is not None else frozenset(LEVEL_ORDER)
        if not any(grid[capacity.activity][level] for level in levels):
            missing.append(capacity.missing)
    if reaching is not None and reaching["local_actors"] and not reaching["reaching_international"]:
        missing.append("no grassroots or local actor with a path to an international one")
    return tuple(missing)


def _row(
    key: str,
    name: str,
    region: str,
    counts: Mapping[str, int],
    grids: Mapping[str, dict[str, dict[str, int]]],
    found: CountryRisk | None,
    serious: frozenset[str],
    reaching: Mapping[str, Mapping[str, int]],
) -> CountryCoverage:
    grid = grids.get(key) or _empty_grid()
    at_risk = found is not None and found.level in serious
    actors = counts.get(key, 0)
    return CountryCoverage(
        country_key=key,
        country_name=name,
        region=region,
        actors=actors,
        coverage=grid,
        risk=found,
        missing=_missing(grid, actors, reaching.get(key)) if at_risk else (),
    )


def _rows(
    session: Session,
    principal: Principal,
    dataset: str,
    min_level: str,
    keys: Iterable[str] | None,
) -> list[CountryCoverage]:
    serious = _serious(min_level)
    network = network_for(session, principal, dataset)
    risk = _risk_by_country(session, principal)
    reaching = {row["place"]: row for row in local_international_gap(network, "country")}
    places = {
        key: (name, region)
        for key, name, region in session.execute(select(Country.key, Country.name, Country.region))
    }
    counts, grids = _grids(network)
    if keys is None:
        keys = set(counts) | {key for key, found in risk.items() if found.level in serious}
    rows = [
        _row(key, *places.get(key, (key, "")), counts, grids, risk.get(key), serious, reaching)
        for key in keys
    ]
    return sorted(rows, key=_risk_order)


def coverage_of(
    country: Country, network: Network, risk: CountryRisk | None, *, min_level: str = "high"
) -> CountryCoverage:
    """One country's coverage from a network and its risk the caller has already read (the
    country hub reads both for its own parts): no query of its own."""
    reaching = {row["place"]: row for row in local_international_gap(network, "country")}
    counts, grids = _grids(network)
    return _row(
        country.key,
        country.name,
        country.region,
        counts,
        grids,
        risk,
        _serious(min_level),
        reaching,
    )


def coverage_gaps(
    session: Session, principal: Principal, dataset: str = "real", *, min_level: str = "high"
) -> list[CountryCoverage]:
    """Every country with actors mapped or with risk at ``min_level`` or above, highest risk
    first (countries without a forecast after, by key). Readers see the network and the
    forecasts the access policy gives them."""
    return _rows(session, principal, dataset, min_level, None)


def country_coverage(
    session: Session,
    principal: Principal,
    country: str | Country,
    dataset: str = "real",
    *,
    min_level: str = "high",
) -> CountryCoverage:
    """One country's coverage (its stored row, or any name or code the resolver accepts); a
    country with nothing mapped has a row with no actors. An unknown country raises
    NotFoundError."""
    key = (find_country(session, country) if isinstance(country, str) else country).key
    return _rows(session, principal, dataset, min_level, [key])[0]


def _risk_order(row: CountryCoverage) -> tuple[int, int, str]:
    risk = row.risk
    return (0 if risk else 1, risk.rank if risk else 0, row.country_key)


def high_risk_lacking(rows: Sequence[CountryCoverage]) -> list[CountryCoverage]:
    """From ``coverage_gaps``: the countries at high risk that lack something, in risk order."""
    return [row for row in rows if row.missing]
