"""The typed incident record: its parts match the access policy's levels field for field, its
JSON keeps the shape the API has always had, and nothing withheld travels in it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from prevention_lens.errors import LensError, NotFoundError
from prevention_lens.incidents.drafts import SourceDraft, draft_from_mapping
from prevention_lens.incidents.record_types import (
    PUBLIC_FIELDS,
    IncidentConfidentialFields,
    IncidentRecord,
    IncidentStaffFields,
    SourceRecord,
    field_names,
    part_of,
)
from prevention_lens.incidents.records import create_incident, custody_of, get_incident
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
    project,
)
from prevention_lens.store.models import Incident
from prevention_lens.store.policies.mechanism import policy_for
from tests.incidents.sample_draft import MARKER, draft_values

ANA = Principal("ana", Role.ANALYST, 11)
CORA = Principal("cora", Role.CONTRIBUTOR, 13)


def _level(resource: str, level: Confidentiality) -> tuple[str, ...]:
    return tuple(n for n, at in policy_for(resource).fields.items() if at == level)


def test_the_parts_hold_exactly_the_policys_fields_at_each_level() -> None:
    assert _level("incident", Confidentiality.PUBLIC) == PUBLIC_FIELDS
    assert field_names(IncidentStaffFields) == _level("incident", Confidentiality.RESTRICTED)
    assert field_names(IncidentConfidentialFields) == _level(
        "incident", Confidentiality.CONFIDENTIAL
    )
    assert field_names(SourceRecord) == tuple(policy_for("incident_source").fields)
    assert set(PUBLIC_FIELDS) <= set(field_names(IncidentRecord))


def test_a_part_given_in_half_is_a_bug_not_a_silent_gap() -> None:
    with pytest.raises(LensError, match="witness_contact"):
        part_of(IncidentConfidentialFields, {"exact_place": "", "witness_identity": ""})
    assert part_of(IncidentConfidentialFields, {"title": "x"}) is None


def _stored(store: Store) -> int:
    with store.session() as session:
        draft = draft_from_mapping(
            draft_values(
                sources=(
                    SourceDraft("https://news.example.org/a", "Example News", date(2017, 8, 26)),
                    SourceDraft(f"https://{MARKER}.example.org", MARKER, confidential=True),
                )
            )
        )
        return create_incident(session, LOCAL_OPERATOR, draft).id


READERS = [ANONYMOUS, CORA, ANA, LOCAL_OPERATOR]


@pytest.mark.parametrize("reader", READERS, ids=[reader.role.label for reader in READERS])
def test_the_json_shape_is_the_policys_projection_in_its_order(
    store: Store, reader: Principal
) -> None:
    incident_id = _stored(store)
    with store.session() as session:
        record = get_incident(session, reader, incident_id)
        incident = session.get(Incident, incident_id)
        assert incident is not None
        projected = project(reader, "incident", incident)
        assert projected is not None
        shown = record.to_dict()
        extra = ["country_key", "country_name", "category_label"]
        assert list(shown) == [*projected, *extra, "sources", "attachments", "custody"]
        assert {k: shown[k] for k in projected if k != "target_groups"} == {
            k: v for k, v in projected.items() if k != "target_groups"
        }
        assert shown["target_groups"] == projected["target_groups"]
        assert (shown["country_key"], shown["country_name"]) == ("MMR", "Myanmar")
        sources = [
            project(reader, "incident_source", source)
            for source in incident.sources
            if project(reader, "incident_source", source) is not None
        ]
        assert shown["sources"] == sources
        entries = custody_of(session, reader, incident_id) if reader.role >= Role.ANALYST else []
        assert shown["custody"] == entries
    # What the policy withholds is not in the object either, not merely left out of its JSON.
    text = repr(record)
    assert (MARKER in text) == (reader.clearance >= Confidentiality.CONFIDENTIAL)
    assert (record.staff is not None) == (reader.clearance >= Confidentiality.RESTRICTED)


def test_records_are_frozen_and_missing_or_hidden_ones_are_not_found(store: Store) -> None:
    incident_id = _stored(store)
    hidden = _stored_restricted(store)
    with store.session() as session:
        record = get_incident(session, ANONYMOUS, incident_id)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.title = "changed"  # type: ignore[misc]
        for missing in (hidden, 10_000):
            with pytest.raises(NotFoundError, match=f"No incident {missing}"):
                get_incident(session, ANONYMOUS, missing)


def _stored_restricted(store: Store) -> int:
    with store.session() as session:
        draft = draft_from_mapping(draft_values(confidentiality="restricted"))
        return create_incident(session, LOCAL_OPERATOR, draft).id
