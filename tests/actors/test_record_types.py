"""The typed actor records: their fields match the access policy's, their JSON keeps the shape
the API has always had, and contacts and staff fields travel only to those cleared for them."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from prevention_lens.actors.record_types import (
    PUBLIC_FIELDS,
    ActorProfile,
    ActorRecord,
    ActorStaffFields,
    ContactRecord,
    RelationshipRecord,
)
from prevention_lens.actors.records import (
    ActorFilter,
    ContactDraft,
    RelationshipDraft,
    actor_draft_from_mapping,
    add_contact,
    add_relationship,
    create_actor,
    get_actor,
    list_actors,
    review_actor,
)
from prevention_lens.errors import NotFoundError
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
    project,
)
from prevention_lens.store.models import Actor, ActorRelationship
from prevention_lens.store.policies.mechanism import policy_for

MARKER = "SECRET-CONTACT-0a9f"
ANA = Principal("ana", Role.ANALYST, 2)
READERS = [ANONYMOUS, ANA, LOCAL_OPERATOR]


def _names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(cls))


def _level(resource: str, level: Confidentiality) -> tuple[str, ...]:
    return tuple(n for n, at in policy_for(resource).fields.items() if at == level)


def test_the_types_hold_exactly_the_policys_fields() -> None:
    assert _level("actor", Confidentiality.PUBLIC) == PUBLIC_FIELDS
    assert _names(ActorStaffFields) == _level("actor", Confidentiality.RESTRICTED)
    assert _names(ContactRecord) == tuple(policy_for("actor_contact").fields)
    relationship = tuple(policy_for("actor_relationship").fields)
    assert _names(RelationshipRecord) == (*relationship, "other_id", "other_name", "outgoing")
    assert issubclass(ActorProfile, ActorRecord)


def _mapped(store: Store) -> tuple[int, int]:
    values = {
        "kind": "civil society",
        "levels": "local",
        "countries": "Kenya",
        "hq_country": "Uganda",
        "activities": "early_warning",
    }
    with store.session() as session:
        one = create_actor(session, ANA, actor_draft_from_mapping(values | {"name": "Forum A"}))
        two = create_actor(session, ANA, actor_draft_from_mapping(values | {"name": "Forum B"}))
        for actor in (one, two):
            review_actor(session, LOCAL_OPERATOR, actor.id, "publish")
        relation = add_relationship(
            session, ANA, RelationshipDraft(one.id, two.id, "partnership"), publish=False
        )
        relation.status = "published"
        add_contact(session, ANA, one.id, ContactDraft(name=MARKER, email="desk@example.org"))
        return one.id, two.id


@pytest.mark.parametrize("reader", READERS, ids=[reader.role.label for reader in READERS])
def test_the_json_shape_is_the_policys_projection_in_its_order(
    store: Store, reader: Principal
) -> None:
    one, two = _mapped(store)
    with store.session() as session:
        [listed] = list_actors(session, reader, ActorFilter(ids=[one]))
        profile = get_actor(session, reader, one)
        actor = session.get(Actor, one)
        assert actor is not None
        projected = project(reader, "actor", actor)
        assert projected is not None
        row = listed.to_dict()
        assert list(row) == [*projected, "hq_country_key", "kind_label"]
        assert row == projected | {"hq_country_key": "UGA", "kind_label": listed.kind_label}
        shown = profile.to_dict()
        assert list(shown) == [*row, "relationships", "contacts"]
        [relation] = shown["relationships"]
        stored = session.scalars(
            select(ActorRelationship).where(ActorRelationship.source_id == one)
        ).one()
        seen = project(reader, "actor_relationship", stored)
        assert seen is not None
        assert relation == seen | {"other_id": two, "other_name": "Forum B", "outgoing": True}
    cleared = reader.role >= Role.ANALYST
    assert (listed.staff is not None) == cleared and (MARKER in repr(profile)) == cleared
    assert [c.name for c in profile.contacts] == ([MARKER] if cleared else [])


def test_actors_are_frozen_and_hidden_ones_are_not_found(store: Store) -> None:
    one, _ = _mapped(store)
    with store.session() as session:
        draft = create_actor(
            session,
            ANA,
            actor_draft_from_mapping(
                {"name": "Draft", "kind": "civil society", "levels": "local", "countries": "Kenya"}
            ),
        ).id
    with store.session() as session:
        profile = get_actor(session, ANONYMOUS, one)
        with pytest.raises(dataclasses.FrozenInstanceError):
            profile.name = "changed"  # type: ignore[misc]
        for hidden in (draft, 10_000):
            with pytest.raises(NotFoundError, match=f"No actor {hidden}"):
                get_actor(session, ANONYMOUS, hidden)
