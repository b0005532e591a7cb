"""Users: adding, duplicates, roles, disabling, and logging in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from prevention_lens.accounts import users
from prevention_lens.accounts.passwords import verify_password
from prevention_lens.errors import (
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import AuditEntry, User

PASSWORD = "correct horse battery"


def test_added_user_has_an_argon2_hash_and_an_audit_entry(store: Store) -> None:
    with store.session() as session:
        user = users.add_user(session, LOCAL_OPERATOR, "Amina", PASSWORD, Role.ANALYST)
        assert user.username == "amina"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert verify_password(user.password_hash, PASSWORD)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "create"))
        assert entry is not None and entry.detail == {"username": "amina", "role": "analyst"}


def test_duplicate_user_is_a_conflict_and_nothing_changes(store: Store) -> None:
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
    with pytest.raises(ConflictError, match="User 'amina' already exists"), store.session() as s:
        users.add_user(s, LOCAL_OPERATOR, "AMINA", PASSWORD, Role.ADMIN)
    with store.session() as session:
        assert [u.role for u in session.scalars(select(User))] == ["analyst"]


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("a", PASSWORD, "username 'a'"), ("bad name", PASSWORD, "username"), ("ok", "short", "10")],
)
def test_bad_usernames_and_short_passwords_are_refused(
    store: Store, username: str, password: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message), store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, username, password, Role.PUBLIC)


def test_only_admins_manage_users(store: Store) -> None:
    analyst = Principal("ana", Role.ANALYST, user_id=1)
    with pytest.raises(PermissionDeniedError), store.session() as session:
        users.add_user(session, analyst, "eve", PASSWORD, Role.ADMIN)


def test_set_role_is_recorded(store: Store) -> None:
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.CONTRIBUTOR)
        users.set_role(session, LOCAL_OPERATOR, "amina", Role.ADMIN)
        assert users.get_user(session, "amina").role == "admin"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "set-role"))
        assert entry is not None and entry.detail == {"previous": "contributor", "role": "admin"}
