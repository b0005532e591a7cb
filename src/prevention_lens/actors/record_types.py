"""The typed actor records that ``records.list_actors`` and ``records.get_actor`` return: what
one reader may see of an actor, its relationships and contacts, as frozen dataclasses.

Fields the access policy withholds are never in the object: the restricted ones (the source it
came from, who entered and reviewed it) sit in ``staff``, None below analyst; a relationship's
``created_by`` (restricted) is None when withheld and never None otherwise. Contacts are read by
analysts and admins only; anyone else gets none. ``to_dict()`` gives the API's JSON shape, in
which withheld fields are absent.

Public API::

    ActorRecord, ActorStaffFields, ActorProfile, RelationshipRecord, ContactRecord
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from prevention_lens.errors import LensError


def _names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


# The public fields, in the policy's order (the API's JSON keeps it).
PUBLIC_FIELDS = (
    "id",
    "dataset",
    "is_example",
    "name",
    "kind",
    "entity",
    "levels",
    "sectors",
    "activities",
    "r2p_pillars",
    "stages",
    "languages",
    "hq_country_id",
    "country_keys",
    "description",
    "contribution",
    "website",
    "status",
    "merged_into_id",
    "created_at",
    "updated_at",
)
_LISTS = ("levels", "sectors", "activities", "r2p_pillars", "stages", "languages", "country_keys")


@dataclass(frozen=True)
class ActorStaffFields:
    """An actor's restricted fields: analysts and admins only."""

    source: str
    created_by: str
    reviewed_by: str | None
    reviewed_at: datetime | None


@dataclass(frozen=True)
class ActorRecord:
    """One actor as a reader may see it; ``staff`` is None below analyst."""

    id: int
    dataset: str
    is_example: bool
    name: str
    kind: str
    entity: str
    levels: tuple[str, ...]
    sectors: tuple[str, ...]
    activities: tuple[str, ...]
    r2p_pillars: tuple[int, ...]
    stages: tuple[str, ...]
    languages: tuple[str, ...]
    hq_country_id: int | None
    country_keys: tuple[str, ...]
    description: str
    contribution: str
    website: str
    status: str
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime
    staff: ActorStaffFields | None
    hq_country_key: str | None
    kind_label: str

    @staticmethod
    def projected_parts(row: Mapping[str, Any]) -> dict[str, Any]:
        """The public fields and ``staff`` from the policy's projection of an actor."""
        public = {name: row[name] for name in PUBLIC_FIELDS}
        for name in _LISTS:
            public[name] = tuple(public[name] or ())
        staff_names = _names(ActorStaffFields)
        given = [name for name in staff_names if name in row]
        if given and len(given) != len(staff_names):
            raise LensError("ActorStaffFields and the actor policy disagree")
        staff = ActorStaffFields(**{n: row[n] for n in staff_names}) if given else None
        return public | {"staff": staff}

    @classmethod
    def from_projection(
        cls, row: Mapping[str, Any], *, hq_country_key: str | None, kind_label: str
    ) -> ActorRecord:
        return cls(**cls.projected_parts(row), hq_country_key=hq_country_key, kind_label=kind_label)

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON shape: the policy's fields in its order (withheld ones absent), then
        the headquarters' country key and the kind in words."""
        shown: dict[str, Any] = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        for name in _LISTS:
            shown[name] = list(shown[name])
        if self.staff is not None:
            shown |= {name: getattr(self.staff, name) for name in _names(ActorStaffFields)}
        return shown | {"hq_country_key": self.hq_country_key, "kind_label": self.kind_label}


@dataclass(frozen=True)
class RelationshipRecord:
    """A relationship seen from one actor: ``other_*`` is the actor at the other end and
    ``outgoing`` whether this actor is its source. ``created_by`` is None when withheld."""

    id: int
    dataset: str
    source_id: int
    target_id: int
    kind: str
    directed: bool
    strength: int
    start_date: date | None
    end_date: date | None
    evidence: str
    status: str
    created_at: datetime
    created_by: str | None
    other_id: int
    other_name: str
    outgoing: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in _names(RelationshipRecord)
            if not (name == "created_by" and self.created_by is None)
        }


@dataclass(frozen=True)
class ContactRecord:
    """A way to reach an actor (analysts and admins only)."""

    id: int
    actor_id: int
    name: str
    role: str
    email: str
    phone: str
    note: str
    confidentiality: int

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _names(ContactRecord)}


@dataclass(frozen=True)
class ActorProfile(ActorRecord):
    """One actor with its relationships and, for analysts and admins, its contacts."""

    relationships: tuple[RelationshipRecord, ...]
    contacts: tuple[ContactRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        return super().to_dict() | {
            "relationships": [relation.to_dict() for relation in self.relationships],
            "contacts": [contact.to_dict() for contact in self.contacts],
        }
