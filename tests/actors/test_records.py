"""Actor records: drafts name bad fields, review before publication, merging duplicates,
relationships within one dataset, and contacts that never reach the public."""

from __future__ import annotations

import pytest

from prevention_lens.actors.records import (
    ACTOR_MAX_CHARS,
    CONTACT_MAX_CHARS,
    LIST_ITEM_MAX_CHARS,
    MAX_LIST_ITEMS,
    RELATIONSHIP_EVIDENCE_MAX_CHARS,
    ActorFilter,
    ContactDraft,
    RelationshipDraft,
    actor_draft_from_mapping,
    add_contact,
    add_relationship,
    contact_warnings,
    create_actor,
    get_actor,
    list_actors,
    list_relationships,
    merge_actors,
    review_actor,
)
from prevention_lens.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnknownCountryError,
    ValidationError,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role

MARKER = "SECRET-CONTACT-77e1"
ANA = Principal("ana", Role.ANALYST, 2)
CORA = Principal("cora", Role.CONTRIBUTOR, 3)


def _values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Coast Peace Forum",
        "kind": "civil society",
        "levels": "grassroots; local",
        "countries": "Kenya",
        "activities": "early_warning; dialogue_mediation",
        "sectors": "peacebuilding",
        "r2p_pillars": "1; 2",
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"kind": "club"}, "kind", "unknown value 'club'"),
        ({"levels": ""}, "levels", "at least one level"),
        ({"activities": "knitting"}, "activities", "unknown value 'knitting'"),
        ({"r2p_pillars": "four"}, "r2p_pillars", "not a pillar"),
        ({"countries": "", "hq_country": ""}, "countries", "give the countries"),
        ({"mission": "x"}, "mission", "is not a field"),
        ({"name": " "}, "name", "is required"),
    ],
)
def test_a_bad_draft_names_row_and_field(
    changes: dict[str, object], field: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        actor_draft_from_mapping(_values(**changes), file="map.csv", row=4)
    assert caught.value.field == field and problem in str(caught.value)
    assert "map.csv, row 4" in str(caught.value)


def test_contact_details_in_public_fields_are_warned() -> None:
    draft = actor_draft_from_mapping(_values(description="Call +254 700 123 456 or a@b.org"))
    warnings = contact_warnings(draft)
    assert len(warnings) == 2 and all(w.startswith("description") for w in warnings)
    assert contact_warnings(actor_draft_from_mapping(_values())) == []


def test_drafts_are_hidden_until_an_admin_publishes(store: Store) -> None:
    with store.session() as session:
        actor_id = create_actor(session, CORA, actor_draft_from_mapping(_values())).id
    with store.session() as session:
        assert list_actors(session, ANONYMOUS) == []
        assert [row.id for row in list_actors(session, CORA)] == [actor_id]
        with pytest.raises(PermissionDeniedError):
            review_actor(session, ANA, actor_id, "publish")
        review_actor(session, LOCAL_OPERATOR, actor_id, "publish")
    with store.session() as session:
        [row] = list_actors(session, ANONYMOUS, ActorFilter(country="KEN", level="local"))
        assert row.country_keys == ("KEN",) and row.kind_label.startswith("Civil")
        assert row.staff is None and "created_by" not in row.to_dict()
        assert list_actors(session, ANONYMOUS, ActorFilter(dataset="example")) == []


def test_unknown_countries_suggest_matches(store: Store) -> None:
    with store.session() as session, pytest.raises(UnknownCountryError) as caught:
        create_actor(session, ANA, actor_draft_from_mapping(_values(countries="Kenia")))
    assert "Kenya" in caught.value.suggestions


def test_relationships_refuse_self_ties_duplicates_and_mixed_datasets(store: Store) -> None:
    with store.session() as session:
        one = create_actor(session, ANA, actor_draft_from_mapping(_values())).id
        two = create_actor(session, ANA, actor_draft_from_mapping(_values(name="AU desk"))).id
        example = create_actor(
            session, ANA, actor_draft_from_mapping(_values(name="Example: X")), dataset="example"
        ).id
        with pytest.raises(ValidationError, match="with itself"):
            add_relationship(session, ANA, RelationshipDraft(one, one, "partnership"))
        with pytest.raises(ValidationError, match="never related"):
            add_relationship(session, ANA, RelationshipDraft(one, example, "partnership"))
        add_relationship(session, ANA, RelationshipDraft(one, two, "funding"))
        with pytest.raises(ConflictError):
            add_relationship(session, ANA, RelationshipDraft(one, two, "funding"))
        with pytest.raises(PermissionDeniedError):
            add_relationship(session, ANA, RelationshipDraft(two, one, "referral"), publish=True)
    with store.session() as session:
        assert list_relationships(session, ANONYMOUS) == []
        assert len(list_relationships(session, ANA)) == 1


def test_contacts_reach_analysts_only(store: Store) -> None:
    with store.session() as session:
        actor = create_actor(session, ANA, actor_draft_from_mapping(_values()))
        add_contact(session, ANA, actor.id, ContactDraft(name=MARKER, email="desk@example.org"))
        review_actor(session, LOCAL_OPERATOR, actor.id, "publish")
        with pytest.raises(ValidationError, match="not an e-mail"):
            add_contact(session, ANA, actor.id, ContactDraft(email="nobody"))
    with store.session() as session:
        for reader in (ANONYMOUS, CORA):
            shown = get_actor(session, reader, actor.id)
            assert shown.contacts == () and MARKER not in repr(shown.to_dict())
        assert get_actor(session, ANA, actor.id).contacts[0].name == MARKER


def test_merging_moves_everything_and_keeps_the_duplicate(store: Store) -> None:
    with store.session() as session:
        keep = create_actor(session, ANA, actor_draft_from_mapping(_values())).id
        drop = create_actor(
            session,
            ANA,
            actor_draft_from_mapping(
                _values(
                    name="Coast Peace Forum (CPF)",
                    countries="Kenya; Tanzania",
                    activities="training",
                )
            ),
        ).id
        other = create_actor(session, ANA, actor_draft_from_mapping(_values(name="UN desk"))).id
        add_relationship(session, ANA, RelationshipDraft(drop, other, "partnership"))
        add_relationship(session, ANA, RelationshipDraft(drop, keep, "referral"))
        add_contact(session, ANA, drop, ContactDraft(name="Desk"))
    with store.session() as session:
        merged = merge_actors(session, LOCAL_OPERATOR, keep, drop)
        assert merged.country_keys == ["KEN", "TZA"]
        assert merged.activities == ["early_warning", "dialogue_mediation", "training"]
        kept = get_actor(session, LOCAL_OPERATOR, keep)
        assert [(r.other_id, r.kind) for r in kept.relationships] == [(other, "partnership")]
        assert [c.name for c in kept.contacts] == ["Desk"]
        dropped = get_actor(session, LOCAL_OPERATOR, drop)
        assert dropped.status == "merged" and dropped.merged_into_id == keep
        assert drop not in [row.id for row in list_actors(session, LOCAL_OPERATOR)]
        with pytest.raises(NotFoundError):
            merge_actors(session, LOCAL_OPERATOR, keep, 999)
        with pytest.raises(ConflictError):
            review_actor(session, LOCAL_OPERATOR, drop, "publish")


@pytest.mark.parametrize("field", sorted(ACTOR_MAX_CHARS))
def test_every_actor_text_field_has_a_maximum_named_in_the_error(field: str) -> None:
    most = ACTOR_MAX_CHARS[field]
    with pytest.raises(ValidationError) as caught:
        actor_draft_from_mapping(_values(**{field: "x" * (most + 1)}), file="map.csv", row=4)
    assert caught.value.field == field and f"longer than {most:,} characters" in str(caught.value)
    assert "xxxx" not in str(caught.value)


def test_list_fields_are_bounded_in_count_and_item_length() -> None:
    with pytest.raises(ValidationError, match=f"at most {MAX_LIST_ITEMS}"):
        actor_draft_from_mapping(_values(languages=[f"l{n}" for n in range(MAX_LIST_ITEMS + 1)]))
    with pytest.raises(ValidationError, match="longer than"):
        actor_draft_from_mapping(_values(languages=["x" * (LIST_ITEM_MAX_CHARS + 1)]))


@pytest.mark.parametrize("field", sorted(CONTACT_MAX_CHARS))
def test_contact_fields_are_bounded(sqlite_store: Store, field: str) -> None:
    most = CONTACT_MAX_CHARS[field]
    values = {
        "name": "Ana",
        field: "a" * most + "@example.org" if field == "email" else "a" * (most + 1),
    }
    with sqlite_store.session() as session:
        actor = create_actor(session, LOCAL_OPERATOR, actor_draft_from_mapping(_values()))
        with pytest.raises(ValidationError) as caught:
            add_contact(session, LOCAL_OPERATOR, actor.id, ContactDraft(**values))
    assert caught.value.field == field


def test_relationship_evidence_is_bounded(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        one = create_actor(session, LOCAL_OPERATOR, actor_draft_from_mapping(_values()))
        two = create_actor(
            session, LOCAL_OPERATOR, actor_draft_from_mapping(_values(name="Other Forum"))
        )
        draft = RelationshipDraft(
            one.id, two.id, "partnership", evidence="e" * (RELATIONSHIP_EVIDENCE_MAX_CHARS + 1)
        )
        with pytest.raises(ValidationError) as caught:
            add_relationship(session, LOCAL_OPERATOR, draft)
    assert caught.value.field == "evidence"
