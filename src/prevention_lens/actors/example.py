"""The example mapping exercise: about 300 fictional actors and 750 relationships across six
regions, generated from a fixed seed, for the demo, tests and benchmarks.

Every name starts with "Example:", every description says it is fictional, websites and e-mail
addresses use the reserved example.org domain and phone numbers the fictional +1 555 01xx range.
It is stored under dataset "example", never mixed with real records. Three near-duplicate pairs
(the same name with an acronym added) are included on purpose, to try the duplicate review.

Public API::

    EXAMPLE_PREFIX, EXAMPLE_NOTICE, SEED, REGIONS
    ExampleMapping, generate_example(seed=SEED) -> ExampleMapping   # template-layout rows
    load_example(session, principal, mapping=None) -> dict[str, int]  # idempotent, published
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.duplicates import DuplicateIndex
from prevention_lens.actors.records import (
    DRAFT_FIELDS,
    ContactDraft,
    RelationshipDraft,
    actor_draft_from_mapping,
    add_contact,
    add_relationship,
    create_actor,
    review_actor,
)
from prevention_lens.actors.vocabulary import ACTIVITIES, KINDS
from prevention_lens.countries import reference
from prevention_lens.store.access import Principal, require
from prevention_lens.store.models import Actor, ActorRelationship
from prevention_lens.store.reference import stored_reference

EXAMPLE_PREFIX = "Example:"
EXAMPLE_NOTICE = "EXAMPLE DATA — generated, not real organisations"
SEED = 20_240_607
DATASET = "example"
REGIONS: dict[str, tuple[str, ...]] = {
    "East Africa": ("KEN", "UGA", "TZA", "ETH", "SSD"),
    "Great Lakes": ("COD", "RWA", "BDI"),
    "Sahel": ("MLI", "BFA", "NER", "TCD"),
    "South-East Asia": ("MMR", "PHL", "IDN", "THA"),
    "Western Balkans": ("BIH", "SRB", "MKD", "XKX"),
    "Latin America": ("COL", "GTM", "HND"),
}
# Countries left thin on purpose, so that coverage gaps show in the demo.
THIN = frozenset({"TCD", "XKX", "HND", "BDI"})
LANGUAGES = {
    "East Africa": ("en", "sw"),
    "Great Lakes": ("fr", "sw"),
    "Sahel": ("fr", "ar"),
    "South-East Asia": ("en", "my", "id"),
    "Western Balkans": ("bs", "sr", "sq"),
    "Latin America": ("es",),
}
ACTORS_PER_COUNTRY = 13
RELATIONSHIPS = 750
NEAR_DUPLICATES = 3

_PLACES = (
    "Coastal",
    "Highland",
    "Lakeside",
    "Riverbend",
    "Valley",
    "Northern Plains",
    "Border Towns",
    "Hill Country",
    "Delta",
    "Savannah",
    "Market Town",
    "Crossroads",
    "Eastern Districts",
    "Western Corridor",
    "Upland",
)
_THEMES = (
    "Women's Peace",
    "Youth Dialogue",
    "Human Rights",
    "Early Warning",
    "Community Mediation",
    "Memory and Justice",
    "Social Cohesion",
    "Civic Trust",
    "Displaced Persons",
    "Minority Rights",
)
_NOUNS = ("Forum", "Network", "Initiative", "Collective", "Circle", "Platform", "Alliance")
# Kind → (share of a country's actors, levels, sectors, activities to draw from, pillars).
_PROFILES: dict[
    str, tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[int, ...]]
] = {
    "grassroots_group": (
        5,
        ("grassroots", "local"),
        ("peacebuilding", "humanitarian"),
        ("community_building", "social_cohesion", "dialogue_mediation", "early_warning"),
        (1,),
    ),
    "civil_society": (
        5,
        ("local", "national"),
        ("human_rights", "peacebuilding", "justice"),
        ("documentation", "policy_advocacy", "human_rights_standards", "early_warning", "training"),
        (1, 2),
    ),
    "government": (
        1,
        ("national",),
        ("governance", "security"),
        ("protection_of_civilians",),
        (1,),
    ),
    "national_mechanism": (
        1,
        ("national",),
        ("governance",),
        ("early_warning", "normative_obligations", "policy_advocacy"),
        (1, 2),
    ),
    "parliament": (
        1,
        ("national",),
        ("governance",),
        ("normative_obligations", "accountability"),
        (1,),
    ),
    "academia": (
        1,
        ("national",),
        ("education",),
        ("early_warning", "documentation", "training"),
        (2,),
    ),
    "media": (
        2,
        ("local", "national"),
        ("media",),
        ("media_development", "identity_violence_roots"),
        (1,),
    ),
    "faith_group": (
        1,
        ("grassroots", "local"),
        ("faith",),
        ("social_cohesion", "dialogue_mediation"),
        (1,),
    ),
    "private_sector": (1, ("national",), ("development",), ("community_building",), (2,)),
}
_STAGES = {
    "community_building": "upstream",
    "identity_violence_roots": "upstream",
    "media_development": "upstream",
    "social_cohesion": "upstream",
    "human_rights_standards": "upstream",
    "normative_obligations": "upstream",
    "training": "upstream",
    "early_warning": "midstream",
    "documentation": "midstream",
    "dialogue_mediation": "midstream",
    "policy_advocacy": "midstream",
    "protection_of_civilians": "response",
    "accountability": "response",
}


@dataclass(frozen=True)
class ExampleMapping:
    """Rows in the template layout (``sources.actor_sheet``), every value a string."""

    seed: int
    actors: list[dict[str, str]]
    relationships: list[dict[str, str]]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.actors: list[dict[str, str]] = []
        self.regions: dict[str, str] = {}  # actor_ref -> region
        self.index = DuplicateIndex()
        self.names: set[str] = set()

    def _unique(self, options: Sequence[str], countries: Sequence[str]) -> str | None:
        for _ in range(40):
            name = f"{EXAMPLE_PREFIX} {self.random.choice(options)}"
            if name not in self.names and not self.index.matches(name, countries):
                return name
        return None

    def add(
        self,
        name: str,
        kind: str,
        region: str,
        countries: Sequence[str],
        *,
        levels: Sequence[str],
        sectors: Sequence[str],
        activities: Sequence[str],
        pillars: Sequence[int],
        entity: str = "organisation",
    ) -> dict[str, str]:
        ref = f"ex{len(self.actors) + 1:03d}"
        names = ", ".join(reference().by_key(key).name for key in countries)
        doing = "; ".join(ACTIVITIES[code].lower() for code in activities)
        row = {
            "actor_ref": ref,
            "name": name,
            "kind": kind,
            "entity": entity,
            "levels": "; ".join(levels),
            "sectors": "; ".join(sectors),
            "activities": "; ".join(activities),
            "r2p_pillars": "; ".join(str(p) for p in pillars),
            "stages": "; ".join(dict.fromkeys(_STAGES[code] for code in activities)),
            "languages": "; ".join(LANGUAGES.get(region, ("en",))),
            "hq_country": countries[0],
            "countries": "; ".join(countries),
            "description": (
                f"Fictional example {KINDS[kind].lower()} working in {names}. Generated for "
                "demonstrations and tests; not a real organisation."
            ),
            "contribution": f"Example contribution: {doing}.",
            "website": f"https://example.org/{ref}" if self.random.random() < 0.5 else "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "contact_role": "",
        }
        if self.random.random() < 0.25:
            row |= {
                "contact_name": f"Focal point {ref} (fictional)",
                "contact_email": f"focal.{ref}@example.org",
                "contact_phone": f"+1 555 01{self.random.randrange(100):02d}",
                "contact_role": "Programme coordinator",
            }
        self.actors.append(row)
        self.regions[ref] = region
        self.names.add(name)
        self.index.add({"id": ref, "name": name, "country_keys": list(countries)})
        return row

    def _pick(self, options: Sequence[str], low: int, high: int) -> list[str]:
        return self.random.sample(list(options), self.random.randint(low, min(high, len(options))))

    def country_actors(self, region: str, country: str) -> None:
        country_name = reference().by_key(country).name
        wanted = ACTORS_PER_COUNTRY // 3 if country in THIN else ACTORS_PER_COUNTRY
        kinds = [kind for kind, profile in _PROFILES.items() for _ in range(profile[0])]
        self.random.shuffle(kinds)
        for kind in kinds[:wanted]:
            _share, levels, sectors, activities, pillars = _PROFILES[kind]
            options = self._names(kind, country_name)
            name = self._unique(options, [country])
            if name is None:
                continue
            self.add(
                name,
                kind,
                region,
                [country],
                levels=self._pick(levels, 1, 2),
                sectors=self._pick(sectors, 1, 2),
                activities=self._pick(activities, 1, 3),
                pillars=pillars,
                entity="network"
                if name.endswith(("Network", "Alliance", "Platform"))
                else "organisation",
            )

    def _names(self, kind: str, country_name: str) -> list[str]:
        places, themes, nouns = _PLACES, _THEMES, _NOUNS
        if kind in ("grassroots_group", "civil_society"):
            return [f"{p} {t} {n}" for p in places for t in themes for n in nouns]
        if kind == "government":
            return [f"{p} Provincial Peace Office ({country_name})" for p in places]
        if kind == "national_mechanism":
            return [f"National Committee for Atrocity Prevention ({country_name})"]
        if kind == "parliament":
            return [f"Parliamentary Caucus on Prevention ({country_name})"]
        if kind == "academia":
            return [f"{p} University Centre for {t} Studies" for p in places for t in themes]
        if kind == "media":
            return [
                f"{p} {kind_}" for p in places for kind_ in ("Community Radio", "Fact-Check Desk")
            ]
        if kind == "faith_group":
            return [f"{p} Interfaith Council" for p in places]
        return [f"{p} Business Council for Peace" for p in places]

    def regional_actors(self, region: str, countries: Sequence[str]) -> None:
        for name, kind, activities in (
            (
                f"{region} Regional Peace Secretariat",
                "regional_organisation",
                ("early_warning", "dialogue_mediation", "normative_obligations"),
            ),
            (
                f"{region} Civil Society Early Warning Network",
                "civil_society",
                ("early_warning", "documentation"),
            ),
            (
                f"{region} Women Mediators Network",
                "civil_society",
                ("dialogue_mediation", "training"),
            ),
        ):
            self.add(
                f"{EXAMPLE_PREFIX} {name}",
                kind,
                region,
                list(countries),
                levels=["regional"],
                sectors=["peacebuilding"],
                activities=list(activities),
                pillars=[2],
                entity="network" if "Network" in name else "organisation",
            )

    def international_actors(self) -> None:
        every = [key for keys in REGIONS.values() for key in keys]
        for name, kind, activities in (
            ("International Prevention Fund", "donor", ("training", "policy_advocacy")),
            (
                "Global Mediation Support Unit",
                "international_organisation",
                ("dialogue_mediation",),
            ),
            ("Atrocity Prevention Learning Consortium", "academia", ("early_warning", "training")),
            ("Civic Futures Foundation", "donor", ("community_building",)),
            (
                "International Accountability Project",
                "civil_society",
                ("accountability", "documentation"),
            ),
        ):
            countries = sorted(self.random.sample(every, 8))
            self.add(
                f"{EXAMPLE_PREFIX} {name}",
                kind,
                "International",
                countries,
                levels=["international"],
                sectors=["peacebuilding", "development"] if kind == "donor" else ["peacebuilding"],
                activities=list(activities),
                pillars=[2, 3],
                entity="network" if "Consortium" in name else "organisation",
            )

    def near_duplicates(self) -> None:
        grassroots = [row for row in self.actors if row["kind"] == "grassroots_group"]
        for original in self.random.sample(grassroots, NEAR_DUPLICATES):
            words = original["name"].removeprefix(EXAMPLE_PREFIX).split()
            acronym = "".join(word[0] for word in words if word[0].isupper())
            twin = {**original, "actor_ref": f"ex{len(self.actors) + 1:03d}"}
            twin["name"] = f"{original['name']} ({acronym})"
            self.actors.append(twin)
            self.regions[twin["actor_ref"]] = self.regions[original["actor_ref"]]

    def relationships(self, count: int) -> list[dict[str, str]]:
        refs = [row["actor_ref"] for row in self.actors]
        by_ref = {row["actor_ref"]: row for row in self.actors}
        countries = {ref: set(by_ref[ref]["countries"].split("; ")) for ref in refs}
        degree = dict.fromkeys(refs, 1)
        seen: set[tuple[str, str, str]] = set()
        rows: list[dict[str, str]] = []
        while len(rows) < count:
            source = self.random.choice(refs)
            near = [r for r in refs if r != source and countries[r] & countries[source]]
            region = [r for r in refs if r != source and self.regions[r] == self.regions[source]]
            pool = near if self.random.random() < 0.7 and near else region or refs
            weights = [degree[r] for r in pool]
            target = self.random.choices(pool, weights=weights)[0]
            if target == source:
                continue
            kind = self._kind(by_ref[source], by_ref[target])
            if kind == "funding" and by_ref[source]["kind"] != "donor":
                source, target = target, source
            key = (source, target, kind)
            if key in seen or (target, source, kind) in seen:
                continue
            seen.add(key)
            degree[source] += 1
            degree[target] += 1
            year = self.random.randint(2012, 2023)
            rows.append(
                {
                    "source_ref": source,
                    "target_ref": target,
                    "kind": kind,
                    "directed": "false"
                    if kind in ("partnership", "information_sharing")
                    else "true",
                    "strength": str(self.random.choice((1, 2, 2, 3))),
                    "start_date": date(year, self.random.randint(1, 12), 1).isoformat(),
                    "end_date": "",
                    "evidence": "Example relationship, generated; not a real tie.",
                }
            )
        return rows

    def _kind(self, source: dict[str, str], target: dict[str, str]) -> str:
        if "donor" in (source["kind"], target["kind"]):
            return "funding"
        if target["entity"] == "network" and source["entity"] != "network":
            return self.random.choice(("membership", "information_sharing"))
        return self.random.choice(("partnership", "partnership", "information_sharing", "referral"))


def generate_example(seed: int = SEED) -> ExampleMapping:
    """The example mapping exercise, the same for the same seed."""
    builder = _Builder(seed)
    for region, countries in REGIONS.items():
        for country in countries:
            builder.country_actors(region, country)
        builder.regional_actors(region, countries)
    builder.international_actors()
    builder.near_duplicates()
    return ExampleMapping(seed, builder.actors, builder.relationships(RELATIONSHIPS))


def load_example(
    session: Session, principal: Principal, mapping: ExampleMapping | None = None
) -> dict[str, int]:
    """Store the example mapping, published, under dataset "example" (admins). Actors already
    there (by name) and relationships already there are left as they are."""
    require(principal, "publish", "actor")
    mapping = mapping or generate_example()
    source = f"example:seed {mapping.seed}"
    stored = {
        name: merged or actor_id
        for name, actor_id, merged in session.execute(
            select(Actor.name, Actor.id, Actor.merged_into_id).where(Actor.dataset == DATASET)
        )
    }
    countries = stored_reference(session)
    ids: dict[str, int] = {}
    counts = {"actors_created": 0, "relationships_created": 0, "unchanged": 0}
    for row in mapping.actors:
        if row["name"] in stored:
            ids[row["actor_ref"]] = stored[row["name"]]
            counts["unchanged"] += 1
            continue
        draft = actor_draft_from_mapping({k: v for k, v in row.items() if k in DRAFT_FIELDS})
        actor = create_actor(
            session, principal, draft, dataset=DATASET, source=source, reference=countries
        )
        review_actor(session, principal, actor.id, "publish")
        if row["contact_name"]:
            add_contact(
                session,
                principal,
                actor.id,
                ContactDraft(
                    name=row["contact_name"],
                    role=row["contact_role"],
                    email=row["contact_email"],
                    phone=row["contact_phone"],
                ),
            )
        ids[row["actor_ref"]] = actor.id
        counts["actors_created"] += 1
    existing = {
        (source_id, target_id, kind)
        for source_id, target_id, kind in session.execute(
            select(
                ActorRelationship.source_id, ActorRelationship.target_id, ActorRelationship.kind
            ).where(ActorRelationship.dataset == DATASET)
        )
    }
    for row in mapping.relationships:
        source_id, target_id = ids[row["source_ref"]], ids[row["target_ref"]]
        key = (source_id, target_id, row["kind"])
        if key in existing or source_id == target_id:
            counts["unchanged"] += 1
            continue
        add_relationship(
            session,
            principal,
            RelationshipDraft(
                source_id=source_id,
                target_id=target_id,
                kind=row["kind"],
                directed=row["directed"] == "true",
                strength=int(row["strength"]),
                start_date=date.fromisoformat(row["start_date"]) if row["start_date"] else None,
                evidence=row["evidence"],
            ),
            publish=True,
        )
        existing.add(key)
        counts["relationships_created"] += 1
    return counts
