"""Two-factor login: enrolment, codes in the ±30 s window used once, recovery codes, demands."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from prevention_lens.accounts import tokens, two_factor, users
from prevention_lens.errors import PermissionDeniedError, ValidationError
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import RecoveryCode, User
from prevention_lens.store.models.base import utcnow

PASSWORD = "correct horse battery"


def _enrolled(
    store: Store, username: str = "amina", role: Role = Role.ANALYST
) -> tuple[str, list[str]]:
    with store.session() as session:
        user = users.add_user(session, LOCAL_OPERATOR, username, PASSWORD, role)
        me = users.principal_of(user)
        secret = two_factor.begin_enrolment(session, me, user)
        assert secret in two_factor.provisioning_uri(user) and "Prevention%20Lens" in (
            two_factor.provisioning_uri(user)
        )
        # The first code proves the device works; it is then spent.
        first = pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30))
        codes = two_factor.confirm_enrolment(session, me, user, first)
    return secret, codes


def test_enrolment_gives_ten_recovery_codes_stored_hashed(store: Store) -> None:
    secret, codes = _enrolled(store)
    assert len(codes) == 10 and len(set(codes)) == 10
    with store.session() as session:
        stored = list(session.scalars(select(RecoveryCode.code_hash)))
        assert len(stored) == 10 and not any(code in h for code in codes for h in stored)
        listed = users.list_users(session, LOCAL_OPERATOR)
    assert secret not in str(listed) and "totp_secret" not in listed[0]
    assert listed[0]["totp_enabled_at"] is not None


def test_a_wrong_first_code_does_not_enrol(store: Store) -> None:
    with store.session() as session:
        user = users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
        two_factor.begin_enrolment(session, users.principal_of(user), user)
        with pytest.raises(ValidationError, match="field 'code'"):
            two_factor.confirm_enrolment(session, users.principal_of(user), user, "000000")
        assert user.totp_enabled_at is None


def test_codes_of_the_neighbouring_windows_pass_once_and_others_fail(store: Store) -> None:
    secret, _ = _enrolled(store)
    totp, now = pyotp.TOTP(secret), utcnow()
    with store.session() as session:
        user = users.get_user(session, "amina")
        assert two_factor.verify_code(session, user, totp.at(now), now) == "totp"
        assert two_factor.verify_code(session, user, totp.at(now), now) is None  # reused
        assert two_factor.verify_code(session, user, totp.at(now + timedelta(seconds=30)), now)
        assert (
            two_factor.verify_code(session, user, totp.at(now - timedelta(seconds=90)), now) is None
        )
        assert (
            two_factor.verify_code(session, user, totp.at(now + timedelta(seconds=90)), now) is None
        )


def test_a_recovery_code_works_once(store: Store) -> None:
    _, codes = _enrolled(store)
    with store.session() as session:
        user = users.get_user(session, "amina")
        assert two_factor.verify_code(session, user, codes[3].upper(), utcnow()) == "recovery"
        assert two_factor.verify_code(session, user, codes[3], utcnow()) is None
        assert two_factor.verify_code(session, user, "not-a-code", utcnow()) is None


def test_a_role_demand_sends_unenrolled_users_to_enrolment_and_ends_their_sessions(
    store: Store,
) -> None:
    with store.session() as session:
        admin = users.add_user(session, LOCAL_OPERATOR, "root", PASSWORD, Role.ADMIN)
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        cookie = tokens.start_login_session(session, users.principal_of(admin), hours=1)
        assert two_factor.next_step(session, admin) == "done"
        two_factor.set_role_required(session, LOCAL_OPERATOR, Role.ADMIN, required=True)
        assert two_factor.next_step(session, admin) == "enrol"
        assert two_factor.next_step(session, users.get_user(session, "ana")) == "done"
        # A session opened before the demand no longer reaches anything.
        assert tokens.principal_for_login_session(session, cookie) is None
        two_factor.set_role_required(session, LOCAL_OPERATOR, Role.ADMIN, required=False)
        assert two_factor.next_step(session, admin) == "done"


def test_enrolled_users_are_asked_for_a_code(store: Store) -> None:
    _enrolled(store)
    with store.session() as session:
        assert two_factor.next_step(session, users.get_user(session, "amina")) == "code"


def test_users_cannot_turn_off_what_their_role_demands_but_an_admin_can_reset(
    store: Store,
) -> None:
    _enrolled(store, "root", Role.ADMIN)
    with store.session() as session:
        two_factor.set_role_required(session, LOCAL_OPERATOR, Role.ADMIN, required=True)
        user = users.get_user(session, "root")
        with pytest.raises(PermissionDeniedError, match="requires two-factor"):
            two_factor.disable(session, users.principal_of(user), user)
        two_factor.reset(session, LOCAL_OPERATOR, user)
        assert user.totp_secret is None and user.totp_enabled_at is None
        assert session.scalars(select(RecoveryCode)).all() == []
        assert two_factor.next_step(session, user) == "enrol"


def test_other_users_cannot_change_someone_elses_two_factor(store: Store) -> None:
    _enrolled(store)
    with store.session() as session:
        other = users.add_user(session, LOCAL_OPERATOR, "bob", PASSWORD, Role.ANALYST)
        amina = session.scalar(select(User).where(User.username == "amina"))
        assert amina is not None
        with pytest.raises(PermissionDeniedError):
            two_factor.reset(session, users.principal_of(other), amina)
