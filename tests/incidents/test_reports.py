"""Public reports: the narrow schema, the reference the reporter quotes, and the inbox where
staff send new reports to review or reject them in bulk."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from prevention_lens.errors import PermissionDeniedError, ValidationError
from prevention_lens.incidents.records import IncidentFilter, custody_of, list_incidents
from prevention_lens.incidents.reports import (
    SUBMISSION_DATASET,
    inbox,
    new_reference,
    report_draft,
    review_many,
    submit_report,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Confidentiality, Principal, Role
from prevention_lens.store.models import Incident

ANA = Principal("ana", Role.ANALYST, 11)
CORA = Principal("cora", Role.CONTRIBUTOR, 13)
REFERENCE = re.compile(r"R-[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}")


def _values(**changes: str) -> dict[str, str]:
    values = {
        "category": "forced_displacement",
        "date": "2024-05-01",
        "country": "SDN",
        "region": "West Darfur",
        "place": "Behind the school",
        "narrative": "Families were told to leave.",
        "contact": "+249 555 0100",
    }
    values.update(changes)
    return values


def test_references_are_random_codes_that_say_nothing_of_counts() -> None:
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    assert all(REFERENCE.fullmatch(reference) for reference in references)


def test_a_report_is_a_restricted_submission_under_its_reference(store: Store) -> None:
    with store.session() as session:
        reference = submit_report(session, ANONYMOUS, _values())
    with store.session() as session:
        stored = session.scalars(select(Incident).where(Incident.external_id == reference)).one()
        assert stored.dataset == SUBMISSION_DATASET and stored.status == "unverified"
        assert stored.confidentiality == Confidentiality.RESTRICTED
        assert (
            stored.exact_place == "Behind the school" and stored.created_by == "public submission"
        )
        # Staff find it by the reference the reporter quotes; the public finds nothing by it.
        by_reference = IncidentFilter(text=reference.lower())
        assert [row["id"] for row in list_incidents(session, ANA, by_reference).rows] == [stored.id]
        assert list_incidents(session, ANONYMOUS, by_reference).total == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "state_based_conflict"}, "category"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "May 2024"}, "date"),
        ({"country": "XXX"}, "country"),
        ({"narrative": " "}, "narrative"),
        ({"region": "x" * 121}, "region"),
    ],
)
def test_a_bad_report_names_its_field(store: Store, changes: dict[str, str], field: str) -> None:
    with store.session() as session, pytest.raises(ValidationError) as caught:
        report_draft(session, _values(**changes))
    assert caught.value.field == field


def test_the_inbox_lists_new_reports_and_bulk_review_moves_them(store: Store) -> None:
    with store.session() as session:
        references = [
            submit_report(session, ANONYMOUS, _values(narrative=f"n{i}")) for i in range(3)
        ]
    with store.session() as session:
        found = inbox(session, ANA)
        assert found.total == 3 and {e.reference for e in found.entries} == set(references)
        ids = {entry.reference: entry.id for entry in found.entries}
        with pytest.raises(PermissionDeniedError):
            inbox(session, CORA)
        with pytest.raises(ValidationError, match="say why"):
            review_many(session, ANA, [ids[references[0]]], "rejected")
        done = review_many(session, ANA, [ids[references[0]], ids[references[1]]], "rejected", "x")
        assert done.moved == (ids[references[0]], ids[references[1]]) and done.refused == ()
        again = review_many(
            session, ANA, [ids[references[0]], ids[references[2]], 999], "in_review"
        )
        assert again.moved == (ids[references[2]],)
        assert [incident_id for incident_id, _ in again.refused] == [ids[references[0]], 999]
        assert inbox(session, ANA).total == 0
        steps = [
            (entry["detail"]["to"], entry["actor"])
            for entry in custody_of(session, ANA, ids[references[0]])
            if entry["action"] == "status"
        ]
    assert steps == [("in_review", "ana"), ("rejected", "ana")]


def test_bulk_review_checks_the_action(store: Store) -> None:
    with store.session() as session, pytest.raises(ValidationError) as caught:
        review_many(session, ANA, [1], "verified")
    assert caught.value.field == "action"
