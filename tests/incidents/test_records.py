"""Incident records: the verification workflow, revisions of locked records, and what each
role reads of confidential records and fields."""

from __future__ import annotations

from datetime import date

import pytest

from prevention_lens.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import SourceDraft, draft_from_mapping
from prevention_lens.incidents.records import (
    IncidentFilter,
    create_incident,
    get_incident,
    list_incidents,
    review_queue,
    revisions_of,
    set_status,
    update_incident,
)
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
)
from prevention_lens.store.models import Incident
from tests.incidents.sample_draft import MARKER, draft_values

ANA = Principal("ana", Role.ANALYST, 11)
BEN = Principal("ben", Role.ANALYST, 12)
CORA = Principal("cora", Role.CONTRIBUTOR, 13)
ADMIN = Principal("ada", Role.ADMIN, 14)


def _create(store: Store, principal: Principal = LOCAL_OPERATOR, **changes: object) -> int:
    with store.session() as session:
        draft = draft_from_mapping(draft_values(**changes))
        return create_incident(session, principal, draft).id


def test_workflow_records_who_and_when_and_forbids_reviewing_ones_own(store: Store) -> None:
    incident_id = _create(store, ANA)
    with store.session() as session, pytest.raises(ValidationError, match="can go to in_review"):
        set_status(session, BEN, incident_id, "verified")
    with store.session() as session:
        set_status(session, ANA, incident_id, "in_review")
    with store.session() as session, pytest.raises(PermissionDeniedError, match="someone else"):
        set_status(session, ANA, incident_id, "verified")
    with store.session() as session, pytest.raises(PermissionDeniedError):
        set_status(session, CORA, incident_id, "verified")
    with store.session() as session:
        set_status(session, BEN, incident_id, "verified", note="two independent sources")
    with store.session() as session:
        record = get_incident(session, ADMIN, incident_id)
        assert record.staff is not None
        assert record.status == "verified" and record.staff.verified_by == "ben"
        assert record.verified_at is not None
        steps = [(e.action, e.detail.get("to")) for e in record.custody]
        assert steps == [("create", None), ("status", "in_review"), ("status", "verified")]
        assert record.custody[-1].actor == "ben"


def test_editing_a_verified_record_makes_a_revision_back_in_review(store: Store) -> None:
    incident_id = _create(store, ANA)
    with store.session() as session:
        set_status(session, ANA, incident_id, "in_review")
        set_status(session, BEN, incident_id, "verified")
    with store.session() as session:
        update_incident(session, BEN, incident_id, {"fatalities_best": 14})
    with store.session() as session:
        record = get_incident(session, ADMIN, incident_id)
        assert (record.revision, record.status, record.fatalities_best) == (
            2,
            "in_review",
            14,
        )
        assert record.staff is not None and record.staff.verified_by is None
        kept = revisions_of(session, ADMIN, incident_id)
        assert [(r["revision"], r["status"]) for r in kept] == [(1, "verified")]
        assert kept[0]["snapshot"]["fatalities_best"] == 12
        # Ben edited it last and Ana created it: neither verifies the new revision.
        for author in (ANA, BEN):
            with pytest.raises(PermissionDeniedError):
                set_status(session, author, incident_id, "verified")
        set_status(session, ADMIN, incident_id, "verified")
    with store.session() as session, pytest.raises(PermissionDeniedError):
        revisions_of(session, ANA, incident_id)


def test_revisions_made_in_one_session_are_sealed_and_keep_no_salt(store: Store) -> None:
    incident_id = _create(store, ANA)
    with store.session() as session:
        set_status(session, ANA, incident_id, "in_review")
        for fatalities in (13, 14):  # each edit of the verified record sends it back to review
            set_status(session, BEN, incident_id, "verified")
            loaded = session.get(Incident, incident_id)
            assert loaded is not None and len(loaded.revisions) == fatalities - 13
            update_incident(session, ADMIN, incident_id, {"fatalities_best": fatalities})
    with store.session() as session:
        # The custody entry of each edit covers the revision it made, though the record's
        # revisions were already loaded when the second one was added.
        assert custody.verify(session).intact
        kept = revisions_of(session, ADMIN, incident_id)
    assert [r["snapshot"]["fatalities_best"] for r in kept] == [12, 13]
    # The digest's salt never leaves the store, not even to admins reading old versions.
    assert all("digest_salt" not in r["snapshot"] for r in kept)


def test_an_unchanged_edit_keeps_the_record_verified(store: Store) -> None:
    incident_id = _create(store, ANA)
    with store.session() as session:
        set_status(session, ANA, incident_id, "in_review")
        set_status(session, BEN, incident_id, "verified")
        update_incident(session, BEN, incident_id, {"title": "Attack on a village"})
        assert get_incident(session, BEN, incident_id).revision == 1


def test_confidential_fields_and_exact_places_reach_only_the_cleared(store: Store) -> None:
    incident_id = _create(store)
    with store.session() as session:
        public = get_incident(session, ANONYMOUS, incident_id)
        assert MARKER not in repr(public)
        assert (public.public_latitude, public.public_longitude) == (20.12, 92.88)
        # Withheld parts are None in the record and absent from its JSON shape.
        assert public.staff is None and public.confidential is None
        assert "latitude" not in public.to_dict() and "witness_identity" not in public.to_dict()
        assert MARKER not in repr(public.to_dict())
        analyst = get_incident(session, ANA, incident_id)
        assert analyst.staff is not None and analyst.staff.latitude == 20.123456
        assert analyst.confidential is None and MARKER not in repr(analyst.to_dict())
        admin = get_incident(session, ADMIN, incident_id)
        assert admin.confidential is not None and admin.confidential.witness_identity == MARKER
        assert admin.to_dict()["witness_identity"] == MARKER


def test_restricted_records_are_hidden_and_search_never_reads_confidential_fields(
    store: Store,
) -> None:
    hidden = _create(store, title=f"Restricted {MARKER}", confidentiality="restricted")
    shown = _create(store, title="Public record")
    with store.session() as session:
        rows = list_incidents(session, ANONYMOUS).rows
        assert [row["id"] for row in rows] == [shown]
        with pytest.raises(NotFoundError):
            get_incident(session, CORA, hidden)
        assert list_incidents(session, ANONYMOUS, IncidentFilter(text=MARKER)).total == 0
        # Both hold the marker in their witness fields; search reads public fields only, so
        # even an admin's search finds only the record whose title holds it.
        found = list_incidents(session, ADMIN, IncidentFilter(text=MARKER.lower())).rows
        assert [row["id"] for row in found] == [hidden]


def test_contributors_submissions_are_restricted_and_readable_by_their_owner(
    store: Store,
) -> None:
    incident_id = _create(store, CORA, confidentiality="public")
    with store.session() as session:
        assert list_incidents(session, ANONYMOUS).total == 0
        own = get_incident(session, CORA, incident_id)
        assert own.confidentiality == Confidentiality.RESTRICTED and MARKER not in repr(own)
        assert list_incidents(session, Principal("dan", Role.CONTRIBUTOR, 99)).total == 0
        with pytest.raises(PermissionDeniedError):
            update_incident(session, CORA, incident_id, {"title": "x"})
        queue = review_queue(session, ANA)
        assert [row["id"] for row in queue] == [incident_id]


def test_anonymous_visitors_cannot_create_records_except_through_the_submission_form(
    store: Store,
) -> None:
    with store.session() as session, pytest.raises(AuthenticationError):
        create_incident(session, ANONYMOUS, draft_from_mapping(draft_values()))


def test_sources_keep_their_own_confidentiality(store: Store) -> None:
    with store.session() as session:
        draft = draft_from_mapping(
            draft_values(
                sources=(
                    SourceDraft("https://news.example.org/a", "Example News", date(2017, 8, 26)),
                    SourceDraft(f"https://{MARKER}.example.org", MARKER, confidential=True),
                )
            )
        )
        incident_id = create_incident(session, LOCAL_OPERATOR, draft).id
    with store.session() as session:
        public = get_incident(session, ANONYMOUS, incident_id)
        assert [s.publisher for s in public.sources] == ["Example News"]
        # Who added a source is restricted: None for the public, absent from the JSON.
        assert public.sources[0].added_by is None
        assert "added_by" not in public.to_dict()["sources"][0]
        assert MARKER not in repr(public)
        admin = get_incident(session, ADMIN, incident_id)
        assert len(admin.sources) == 2 and all(s.added_by for s in admin.sources)


def test_owners_totals_count_only_what_they_can_read(store: Store) -> None:
    raised = _create(store, CORA)
    restricted = _create(store, CORA)
    with store.session() as session:
        update_incident(session, ADMIN, raised, {"confidentiality": "confidential"})
    with store.session() as session:
        page = list_incidents(session, CORA)
        assert page.total == 1 and [row["id"] for row in page.rows] == [restricted]


def test_refusals_do_not_reveal_whether_a_hidden_record_exists(store: Store) -> None:
    hidden = _create(store, confidentiality="confidential")
    with store.session() as session:
        for missing in (hidden, 9999):
            with pytest.raises(PermissionDeniedError):
                update_incident(session, CORA, missing, {"title": "x"})
            with pytest.raises(AuthenticationError):
                update_incident(session, ANONYMOUS, missing, {"title": "x"})
            with pytest.raises(NotFoundError):
                set_status(session, CORA, missing, "in_review")


def test_owners_do_not_see_what_staff_add_to_their_record(store: Store) -> None:
    incident_id = _create(store, CORA, latitude="", longitude="")
    with store.session() as session:
        update_incident(session, ANA, incident_id, {"latitude": 20.111111, "longitude": 92.2})
    with store.session() as session:
        own = get_incident(session, CORA, incident_id)
        assert own.staff is None
        assert "latitude" not in own.to_dict() and "updated_by" not in own.to_dict()
        assert own.public_latitude == 20.11


def test_contributors_cannot_file_confidential_records_either(store: Store) -> None:
    incident_id = _create(store, CORA, confidentiality="confidential")
    with store.session() as session:
        own = get_incident(session, CORA, incident_id)
        assert own.confidentiality == Confidentiality.RESTRICTED


def test_a_reviewers_note_is_bounded(store: Store) -> None:
    incident_id = _create(store, ANA)
    with store.session() as session, pytest.raises(ValidationError, match="note is over"):
        set_status(session, ANA, incident_id, "in_review", note="x" * 2001)
