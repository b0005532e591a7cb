"""The access policy: roles in order, allow-listed fields only, owners, audit of sensitive reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from prevention_lens.errors import AuthenticationError, PermissionDeniedError, ValidationError
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    ResourcePolicy,
    Role,
    allowed,
    project,
    read_records,
    register,
    require,
)
from prevention_lens.store.models import AuditEntry, Country, User

ANALYST = Principal("ana", Role.ANALYST, user_id=2)
CONTRIBUTOR = Principal("cora", Role.CONTRIBUTOR, user_id=3)


@dataclass
class Note:
    """A made-up record kind, to test the policy mechanism on every confidentiality level."""

    id: int
    owner_id: int
    level: int
    title: str
    witness: str
    secret_hash: str


register(
    ResourcePolicy(
        name="test_note",
        actions={"read": Role.CONTRIBUTOR, "update": Role.ANALYST},
        fields={
            "id": Confidentiality.PUBLIC,
            "title": Confidentiality.PUBLIC,
            "witness": Confidentiality.CONFIDENTIAL,
        },
        owner_attribute="owner_id",
        record_level_attribute="level",
        owner_actions=frozenset({"update"}),
    )
)


def test_roles_are_ordered_and_parsed() -> None:
    assert Role.PUBLIC < Role.CONTRIBUTOR < Role.ANALYST < Role.ADMIN
    assert Role.parse(" Analyst ") is Role.ANALYST
    with pytest.raises(ValidationError, match="unknown role 'boss'"):
        Role.parse("boss")


def test_fields_outside_the_allow_list_never_leave() -> None:
    note = Note(1, owner_id=9, level=0, title="t", witness="W", secret_hash="h")
    admin_view = project(LOCAL_OPERATOR, "test_note", note)
    assert admin_view == {"id": 1, "title": "t", "witness": "W"}
    assert project(CONTRIBUTOR, "test_note", note) == {"id": 1, "title": "t"}


def test_records_above_clearance_are_hidden() -> None:
    restricted = Note(2, owner_id=9, level=1, title="r", witness="W", secret_hash="h")
    assert project(CONTRIBUTOR, "test_note", restricted) is None
    assert project(ANALYST, "test_note", restricted) == {"id": 2, "title": "r"}
    assert project(ANONYMOUS, "test_note", restricted) is None


def test_owners_may_do_owner_actions_only() -> None:
    own = Note(3, owner_id=3, level=0, title="o", witness="W", secret_hash="h")
    assert allowed(CONTRIBUTOR, "update", "test_note", own)
    assert not allowed(CONTRIBUTOR, "update", "test_note")
    assert not allowed(CONTRIBUTOR, "delete", "test_note", own)


def test_require_says_who_lacks_what() -> None:
    with pytest.raises(AuthenticationError):
        require(ANONYMOUS, "read", "user")
    with pytest.raises(PermissionDeniedError, match=r"ana \(analyst\) may not read user"):
        require(ANALYST, "read", "user")


def test_listing_users_needs_admin_and_is_audited(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(PermissionDeniedError):
            read_records(session, ANALYST, "user", select(User))
        session.add(User(username="u1", display_name="", password_hash="x", role="analyst"))
        session.flush()
        rows = read_records(session, LOCAL_OPERATOR, "user", select(User))
        assert [row["username"] for row in rows] == ["u1"]
        assert "password_hash" not in rows[0]
        entry = session.scalar(select(AuditEntry).where(AuditEntry.resource == "user"))
        assert entry is not None and entry.actor == "local-operator" and entry.action == "read"
        read_records(session, LOCAL_OPERATOR, "country", select(Country).limit(3))
        assert session.scalar(select(AuditEntry).where(AuditEntry.resource == "country")) is None


def test_countries_are_public(store: Store) -> None:
    with store.session() as session:
        rows = read_records(session, ANONYMOUS, "country", select(Country).limit(5))
    assert len(rows) == 5
    assert set(rows[0]) >= {"key", "name", "iso3", "cow", "gw"}


def test_reads_of_one_resource_in_one_unit_of_work_are_one_audit_row(store: Store) -> None:
    # A page that reads users twice (e.g. a list and a count) is one read of them in the log;
    # before, each read added its own row.
    with store.session() as session:
        session.add(User(username="u1", display_name="", password_hash="x", role="analyst"))
        session.flush()
        read_records(session, LOCAL_OPERATOR, "user", select(User))
        read_records(session, LOCAL_OPERATOR, "user", select(User))
        entries = session.scalars(select(AuditEntry).where(AuditEntry.resource == "user")).all()
        assert len(entries) == 1
        assert entries[0].detail["count"] == 2 and entries[0].detail["reads"] == 2
    with store.session() as session:
        # A new unit of work is a new read.
        read_records(session, LOCAL_OPERATOR, "user", select(User))
        entries = session.scalars(select(AuditEntry).where(AuditEntry.resource == "user")).all()
        assert len(entries) == 2 and entries[1].detail == {"count": 1}
