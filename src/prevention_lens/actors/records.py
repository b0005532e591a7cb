"""Actor records: drafts checked field by field, creation (a draft until an admin publishes
it), review, merging duplicates, relationships, contacts, and reads through the access policy.

Public API::

    ActorDraft, actor_draft_from_mapping(values, *, file=None, row=None) -> ActorDraft
    ACTOR_MAX_CHARS, MAX_LIST_ITEMS, LIST_ITEM_MAX_CHARS, CONTACT_MAX_CHARS,
    RELATIONSHIP_EVIDENCE_MAX_CHARS          # the text limits every draft is checked against
    contact_warnings(draft) -> list[str]      # contact details typed into public fields
    create_actor(session, principal, draft, *, dataset="real", source="") -> Actor
    review_actor(session, principal, actor_id, decision) -> Actor   # publish | reject
    merge_actors(session, principal, keep_id, drop_id) -> Actor
    add_relationship(session, principal, RelationshipDraft, *, publish=False) -> ActorRelationship
    add_contact(session, principal, actor_id, ContactDraft) -> ActorContact
    list_actors(session, principal, ActorFilter) -> list[ActorRecord]     # typed (record_types)
    get_actor(session, principal, actor_id) -> ActorProfile               # typed; NotFoundError
    list_relationships(session, principal, dataset) -> list[dict]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from prevention_lens.actors.record_types import (
    ActorProfile,
    ActorRecord,
    ContactRecord,
    RelationshipRecord,
)
from prevention_lens.actors.vocabulary import (
    ACTIVITIES,
    ENTITIES,
    KINDS,
    LEVELS,
    R2P_PILLARS,
    RELATIONSHIP_KINDS,
    SECTORS,
    STAGES,
    STRENGTHS,
    check,
)
from prevention_lens.countries import CountryReference
from prevention_lens.errors import ConflictError, NotFoundError, ValidationError
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    Role,
    allowed,
    audit,
    project,
    require,
)
from prevention_lens.store.models import Actor, ActorContact, ActorRelationship, Country
from prevention_lens.store.models.base import utcnow
from prevention_lens.store.reference import stored_reference

DATASETS = ("real", "example")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+|00)\d[\d\s().-]{6,}\d")
_LIST_FIELDS = ("levels", "sectors", "activities", "stages", "languages", "countries")
# The most characters each text field may hold, from a form, the API or a sheet alike; the API's
# request models declare the same limits from these tables (docs/web.md, "Defences").
ACTOR_MAX_CHARS = {
    "name": 300,
    "kind": 100,
    "entity": 100,
    "hq_country": 200,
    "description": 10_000,
    "contribution": 10_000,
    "website": 300,
}
MAX_LIST_ITEMS = 300  # more than there are countries, levels, sectors or activities
LIST_ITEM_MAX_CHARS = 100
CONTACT_MAX_CHARS = {"name": 500, "role": 500, "email": 500, "phone": 500, "note": 500}
RELATIONSHIP_EVIDENCE_MAX_CHARS = 5_000


def _check_length(
    value: str | None, most: int, name: str, *, file: str | None = None, row: int | None = None
) -> None:
    if value is not None and len(value) > most:
        raise ValidationError(
            f"is longer than {most:,} characters ({len(value):,})", file=file, row=row, field=name
        )


@dataclass(frozen=True)
class ActorDraft:
    name: str
    kind: str
    entity: str = "organisation"
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    r2p_pillars: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    hq_country: str | None = None
    countries: tuple[str, ...] = ()
    description: str = ""
    contribution: str = ""
    website: str = ""

    def check(self, *, file: str | None = None, row: int | None = None) -> None:
        def bad(name: str, problem: str) -> ValidationError:
            return ValidationError(problem, file=file, row=row, field=name)

        # Lengths first: a later message may quote a value, and must not quote a huge one.
        for name, most in ACTOR_MAX_CHARS.items():
            _check_length(getattr(self, name), most, name, file=file, row=row)
        for name in (*_LIST_FIELDS, "r2p_pillars"):
            items = getattr(self, name)
            if len(items) > MAX_LIST_ITEMS:
                raise bad(name, f"give at most {MAX_LIST_ITEMS} values")
            for item in items:
                _check_length(str(item), LIST_ITEM_MAX_CHARS, name, file=file, row=row)
        if not self.name.strip():
            raise bad("name", "is required")
        check([self.kind], KINDS, "kind", file=file, row=row)
        check([self.entity], ENTITIES, "entity", file=file, row=row)
        if not self.levels:
            raise bad("levels", "give at least one level (grassroots … international)")
        check(self.levels, LEVELS, "levels", file=file, row=row)
        check(self.sectors, SECTORS, "sectors", file=file, row=row)
        check(self.activities, ACTIVITIES, "activities", file=file, row=row)
        check(self.r2p_pillars, R2P_PILLARS, "r2p_pillars", file=file, row=row)
        check(self.stages, STAGES, "stages", file=file, row=row)
        if not self.countries and not self.hq_country:
            raise bad("countries", "give the countries it works in, or its headquarters")


DRAFT_FIELDS = tuple(item.name for item in fields(ActorDraft))


@dataclass(frozen=True)
class ContactDraft:
    name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    note: str = ""


def _split(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    parts = re.split(r"[;|]", raw) if isinstance(raw, str) else [str(item) for item in raw]
    return tuple(part.strip() for part in parts if part and part.strip())


def actor_draft_from_mapping(
    values: Mapping[str, Any], *, file: str | None = None, row: int | None = None
) -> ActorDraft:
    """A draft from a form, a spreadsheet row or JSON; lists may be "a; b; c"."""
    unknown = sorted(set(values) - set(DRAFT_FIELDS))
    if unknown:
        raise ValidationError("is not a field of an actor", file=file, row=row, field=unknown[0])
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        if name in _LIST_FIELDS:
            items = _split(raw)
            parsed[name] = tuple(item.lower() for item in items) if name != "countries" else items
        elif name == "r2p_pillars":
            pillars = []
            for item in _split(raw):
                try:
                    pillars.append(int(item.lower().removeprefix("pillar").strip()))
                except ValueError:
                    raise ValidationError(
                        f"{item!r} is not a pillar (1, 2 or 3)", file=file, row=row, field=name
                    ) from None
            parsed[name] = tuple(pillars)
        elif name == "hq_country":
            parsed[name] = str(raw).strip() or None if raw is not None else None
        elif name in ("kind", "entity"):
            parsed[name] = str(raw or "").strip().lower().replace(" ", "_").replace("-", "_")
        else:
            parsed[name] = "" if raw is None else str(raw).strip()
    if "kind" not in parsed or not parsed["kind"]:
        raise ValidationError("is required", file=file, row=row, field="kind")
    if "entity" in parsed and not parsed["entity"]:
        parsed.pop("entity")
    draft = ActorDraft(**parsed)
    draft.check(file=file, row=row)
    return draft


def contact_warnings(draft: ActorDraft) -> list[str]:
    """Contact details typed into fields everyone reads: the caller shows these as warnings."""
    found = []
    for name in ("name", "description", "contribution"):
        text = getattr(draft, name)
        if _EMAIL.search(text):
            found.append(f"{name} holds what looks like an e-mail address; put it under contacts")
        if _PHONE.search(text):
            found.append(f"{name} holds what looks like a phone number; put it under contacts")
    return found


def _country_rows(
    session: Session, reference: CountryReference, queries: Sequence[str]
) -> list[Country]:
    keys = sorted({reference.resolve(query).key for query in queries})
    found = list(session.scalars(select(Country).where(Country.key.in_(keys))))
    if len(found) != len(keys):
        missing = sorted(set(keys) - {country.key for country in found})
        raise NotFoundError(f"Countries {', '.join(missing)} are not in the store.")
    return found


def create_actor(
    session: Session,
    principal: Principal,
    draft: ActorDraft,
    *,
    dataset: str = "real",
    source: str = "",
    reference: CountryReference | None = None,
    contacts: Sequence[ContactDraft] = (),
) -> Actor:
    """Store a new actor as a draft; an admin publishes it after review. ``contacts`` are
    stored with it (restricted), so someone describing their organisation through the public
    form can leave a way to reach them without ever reading one back."""
    require(principal, "create", "actor")
    if contacts:
        require(principal, "create", "actor_contact")
        for contact in contacts:
            _check_contact(contact)
    if dataset not in DATASETS:
        raise ValidationError(f"unknown dataset {dataset!r}", field="dataset")
    draft.check()
    reference = reference or stored_reference(session)
    queries = [*draft.countries, *([draft.hq_country] if draft.hq_country else [])]
    countries = _country_rows(session, reference, queries)
    hq = (
        None
        if not draft.hq_country
        else next(c.id for c in countries if c.key == reference.resolve(draft.hq_country).key)
    )
    actor = Actor(
        dataset=dataset,
        name=draft.name.strip(),
        kind=draft.kind,
        entity=draft.entity,
        levels=list(draft.levels),
        sectors=list(draft.sectors),
        activities=list(draft.activities),
        r2p_pillars=list(draft.r2p_pillars),
        stages=list(draft.stages),
        languages=list(draft.languages),
        hq_country_id=hq,
        description=draft.description,
        contribution=draft.contribution,
        website=draft.website,
        status="draft",
        source=source,
        created_by=principal.username,
        created_by_id=principal.user_id,
    )
    actor.countries = countries
    actor.contacts = [_contact_row(contact) for contact in contacts]
    session.add(actor)
    session.flush()
    audit(session, principal, "create", "actor", actor.id, dataset=dataset)
    return actor


def _load(session: Session, actor_id: int) -> Actor:
    actor = session.get(Actor, actor_id)
    if actor is None:
        raise NotFoundError(f"No actor {actor_id}.")
    return actor


def review_actor(session: Session, principal: Principal, actor_id: int, decision: str) -> Actor:
    """Publish or reject a draft (admins)."""
    require(principal, "publish", "actor")
    actor = _load(session, actor_id)
    if decision not in ("publish", "reject"):
        raise ValidationError("choose publish or reject", field="decision")
    if actor.status == "merged":
        raise ConflictError(f"Actor {actor_id} was merged into {actor.merged_into_id}.")
    actor.status = "published" if decision == "publish" else "rejected"
    actor.reviewed_by, actor.reviewed_at = principal.username, utcnow()
    actor.updated_at = utcnow()
    audit(session, principal, decision, "actor", actor_id)
    return actor


def merge_actors(session: Session, principal: Principal, keep_id: int, drop_id: int) -> Actor:
    """Fold a duplicate into the record kept: its countries, lists, contacts and relationships
    move over; the duplicate stays, marked merged, so nothing is lost."""
    require(principal, "publish", "actor")
    if keep_id == drop_id:
        raise ValidationError("an actor cannot be merged into itself", field="drop")
    keep, drop = _load(session, keep_id), _load(session, drop_id)
    if keep.dataset != drop.dataset:
        raise ValidationError("example and real actors are never merged", field="drop")
    for name in ("levels", "sectors", "activities", "r2p_pillars", "stages", "languages"):
        setattr(keep, name, list(dict.fromkeys([*getattr(keep, name), *getattr(drop, name)])))
    keep.countries = list({c.id: c for c in [*keep.countries, *drop.countries]}.values())
    for text in ("description", "contribution", "website"):
        if not getattr(keep, text):
            setattr(keep, text, getattr(drop, text))
    for contact in list(drop.contacts):
        contact.actor_id = keep.id
    existing = {
        (r.source_id, r.target_id, r.kind)
        for r in session.scalars(
            select(ActorRelationship).where(
                or_(ActorRelationship.source_id == keep.id, ActorRelationship.target_id == keep.id)
            )
        )
    }
    moved = session.scalars(
        select(ActorRelationship).where(
            or_(ActorRelationship.source_id == drop.id, ActorRelationship.target_id == drop.id)
        )
    )
    for relation in list(moved):
        source = keep.id if relation.source_id == drop.id else relation.source_id
        target = keep.id if relation.target_id == drop.id else relation.target_id
        if source == target or (source, target, relation.kind) in existing:
            session.delete(relation)
            continue
        relation.source_id, relation.target_id = source, target
        existing.add((source, target, relation.kind))
    drop.status, drop.merged_into_id = "merged", keep.id
    keep.updated_at = utcnow()
    session.flush()
    session.expire_all()
    audit(session, principal, "merge", "actor", keep.id, merged=drop_id)
    return _load(session, keep_id)


@dataclass(frozen=True)
class RelationshipDraft:
    source_id: int
    target_id: int
    kind: str
    directed: bool = True
    strength: int = 2
    start_date: date | None = None
    end_date: date | None = None
    evidence: str = ""


def add_relationship(
    session: Session, principal: Principal, draft: RelationshipDraft, *, publish: bool = False
) -> ActorRelationship:
    """A relationship between two actors of the same dataset; never an actor with itself."""
    require(principal, "create", "actor_relationship")
    if publish:
        require(principal, "publish", "actor_relationship")
    if draft.source_id == draft.target_id:
        raise ValidationError("an actor cannot have a relationship with itself", field="target")
    _check_length(draft.evidence, RELATIONSHIP_EVIDENCE_MAX_CHARS, "evidence")
    check([draft.kind], RELATIONSHIP_KINDS, "kind")
    check([draft.strength], STRENGTHS, "strength")
    if draft.start_date and draft.end_date and draft.end_date < draft.start_date:
        raise ValidationError("ends before it starts", field="end_date")
    source, target = _load(session, draft.source_id), _load(session, draft.target_id)
    for actor in (source, target):
        if project(principal, "actor", actor) is None:
            raise NotFoundError(f"No actor {actor.id}.")
    if source.dataset != target.dataset:
        raise ValidationError("example and real actors are never related", field="target")
    duplicate = session.scalar(
        select(ActorRelationship).where(
            ActorRelationship.source_id == source.id,
            ActorRelationship.target_id == target.id,
            ActorRelationship.kind == draft.kind,
        )
    )
    if duplicate is not None:
        raise ConflictError(
            f"{source.name} and {target.name} already have a {draft.kind} relationship."
        )
    relation = ActorRelationship(
        dataset=source.dataset,
        source_id=source.id,
        target_id=target.id,
        kind=draft.kind,
        directed=draft.directed,
        strength=draft.strength,
        start_date=draft.start_date,
        end_date=draft.end_date,
        evidence=draft.evidence,
        status="published" if publish else "draft",
        created_by=principal.username,
    )
    session.add(relation)
    session.flush()
    return relation


def add_contact(
    session: Session, principal: Principal, actor_id: int, draft: ContactDraft
) -> ActorContact:
    """A way to reach an actor: restricted, never shown to the public."""
    require(principal, "create", "actor_contact")
    actor = _load(session, actor_id)
    if project(principal, "actor", actor) is None:
        raise NotFoundError(f"No actor {actor_id}.")
    _check_contact(draft)
    contact = _contact_row(draft)
    contact.actor_id = actor.id
    session.add(contact)
    session.flush()
    return contact


def _check_contact(draft: ContactDraft) -> None:
    for name, most in CONTACT_MAX_CHARS.items():
        _check_length(getattr(draft, name), most, name)
    if not any((draft.name, draft.email, draft.phone)):
        raise ValidationError("give a name, an e-mail or a phone number", field="contact")
    if draft.email and not _EMAIL.fullmatch(draft.email):
        raise ValidationError(f"{draft.email!r} is not an e-mail address", field="email")


def _contact_row(draft: ContactDraft) -> ActorContact:
    return ActorContact(
        name=draft.name,
        role=draft.role,
        email=draft.email,
        phone=draft.phone,
        note=draft.note,
        confidentiality=int(Confidentiality.RESTRICTED),
    )


@dataclass(frozen=True)
class ActorFilter:
    dataset: str = "real"
    country: str | None = None  # a country key
    kind: str | None = None
    level: str | None = None
    sector: str | None = None
    activity: str | None = None
    status: str | None = None
    text: str | None = None
    ids: Sequence[int] | None = field(default=None)


def list_actors(
    session: Session, principal: Principal, filters: ActorFilter | None = None
) -> list[ActorRecord]:
    """The actors the principal may see, by name, each through the policy and typed."""
    require(principal, "read", "actor")
    filters = filters or ActorFilter()
    headquarters = aliased(Country)
    statement = (
        select(Actor, headquarters.key)
        .outerjoin(headquarters, Actor.hq_country_id == headquarters.id)
        .where(Actor.dataset == filters.dataset, Actor.status != "merged")
        .options(selectinload(Actor.countries))
        .order_by(Actor.name, Actor.id)
    )
    if principal.role < Role.ANALYST:
        mine = Actor.created_by_id == principal.user_id if principal.user_id else false()
        statement = statement.where(or_(Actor.status == "published", mine))
    if filters.status:
        statement = statement.where(Actor.status == filters.status)
    if filters.kind:
        statement = statement.where(Actor.kind == filters.kind)
    if filters.ids is not None:
        statement = statement.where(Actor.id.in_(list(filters.ids)))
    rows = []
    for actor, hq_key in session.execute(statement):
        if filters.country and filters.country.upper() not in actor.country_keys:
            continue
        if filters.level and filters.level not in actor.levels:
            continue
        if filters.sector and filters.sector not in actor.sectors:
            continue
        if filters.activity and filters.activity not in actor.activities:
            continue
        if filters.text and filters.text.lower() not in (
            f"{actor.name} {actor.description} {actor.contribution}".lower()
        ):
            continue
        projected = project(principal, "actor", actor)
        if projected is not None:
            rows.append(
                ActorRecord.from_projection(
                    projected, hq_country_key=hq_key, kind_label=_kind_label(actor.kind)
                )
            )
    return rows


def _kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def get_actor(session: Session, principal: Principal, actor_id: int) -> ActorProfile:
    """One actor with its relationships and, for analysts and admins, its contacts, typed. An
    actor the reader may not see raises NotFoundError, as a missing one does."""
    actor = session.get(Actor, actor_id)
    projected = None if actor is None else project(principal, "actor", actor)
    if actor is None or projected is None:
        raise NotFoundError(f"No actor {actor_id}.")
    hq_key = (
        None
        if actor.hq_country_id is None
        else session.scalar(select(Country.key).where(Country.id == actor.hq_country_id))
    )
    relations = session.scalars(
        select(ActorRelationship)
        .where(
            or_(ActorRelationship.source_id == actor_id, ActorRelationship.target_id == actor_id)
        )
        .options(selectinload(ActorRelationship.source), selectinload(ActorRelationship.target))
        .order_by(ActorRelationship.id)
    )
    relationships = []
    for relation in relations:
        shown = project(principal, "actor_relationship", relation)
        if shown is None:
            continue
        other = relation.target if relation.source_id == actor_id else relation.source
        relationships.append(
            RelationshipRecord(
                **{name: shown[name] for name in _RELATIONSHIP_FIELDS},
                # Restricted: absent from the projection below analyst.
                created_by=shown.get("created_by"),
                other_id=other.id,
                other_name=other.name,
                outgoing=relation.source_id == actor_id,
            )
        )
    contacts = (
        tuple(
            ContactRecord(**c)
            for contact in actor.contacts
            if (c := project(principal, "actor_contact", contact))
        )
        if allowed(principal, "read", "actor_contact")
        else ()
    )
    if contacts:
        audit(session, principal, "read", "actor_contact", actor_id, count=len(contacts))
    return ActorProfile(
        **ActorRecord.projected_parts(projected),
        hq_country_key=hq_key,
        kind_label=_kind_label(actor.kind),
        relationships=tuple(relationships),
        contacts=contacts,
    )


_RELATIONSHIP_FIELDS = tuple(
    name
    for name in (item.name for item in fields(RelationshipRecord))
    if name not in ("created_by", "other_id", "other_name", "outgoing")
)


def list_relationships(
    session: Session, principal: Principal, dataset: str = "real"
) -> list[dict[str, Any]]:
    """Every relationship of a dataset the principal may see (both ends visible too)."""
    require(principal, "read", "actor_relationship")
    statement = (
        select(ActorRelationship)
        .where(ActorRelationship.dataset == dataset)
        .options(selectinload(ActorRelationship.source), selectinload(ActorRelationship.target))
        .order_by(ActorRelationship.id)
    )
    if principal.role < Role.ANALYST:
        statement = statement.where(ActorRelationship.status == "published")
    return [
        shown
        for relation in session.scalars(statement)
        if (shown := project(principal, "actor_relationship", relation)) is not None
    ]
