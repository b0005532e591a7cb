"""Logging in: throttled before the password is checked, audited, then a second step if due."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from prevention_lens.accounts import login, passwords, two_factor, users
from prevention_lens.errors import AuthenticationError, TooManyRequestsError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import AuditEntry, LoginChallenge
from prevention_lens.store.models.base import utcnow

PASSWORD = "correct horse battery"


def _attempt(store: Store, settings: Settings, username: str, password: str) -> login.LoginResult:
    return login.log_in(store, settings, username, password, client="198.51.100.7")


def test_twenty_wrong_passwords_then_the_right_one_does_not_log_in(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long first wait, so that a slow machine cannot outlast it within the loop.
    settings = settings.replace(login_delay_seconds=30.0)
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
    checked = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: checked.append(p) or real(h, p))
    refusals = 0
    for _ in range(20):
        try:
            _attempt(store, settings, "amina", "wrong password 123")
        except TooManyRequestsError:
            refusals += 1
        except AuthenticationError:
            pass
    with pytest.raises(TooManyRequestsError) as refused:
        _attempt(store, settings, "amina", PASSWORD)
    assert refused.value.retry_after >= 1
    # While throttled the password is not even hashed: a refusal costs the server nothing.
    assert len(checked) == settings.login_free_failures and refusals == 20 - len(checked)


def test_an_unknown_name_gets_the_same_answers(store: Store, settings: Settings) -> None:
    answers = []
    for name in ("amina", "nobody"):
        with store.session() as session:
            if name == "amina":
                users.add_user(session, LOCAL_OPERATOR, name, PASSWORD, Role.ANALYST)
        seen = []
        for _ in range(settings.login_free_failures + 1):
            try:
                _attempt(store, settings, name, "wrong password 123")
            except (AuthenticationError, TooManyRequestsError) as error:
                seen.append((type(error).__name__, str(error)))
        answers.append(seen)
    assert answers[0] == answers[1]


def test_wrong_and_right_logins_are_audited_without_the_password(
    store: Store, settings: Settings
) -> None:
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
    with pytest.raises(AuthenticationError):
        _attempt(store, settings, "amina", "wrong password 123")
    result = _attempt(store, settings, "amina", PASSWORD)
    assert result.step == "done" and result.principal.username == "amina"
    with store.session() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "login-failed"))
        )
    assert len(entries) == 1 and entries[0].detail == {
        "username": "amina",
        "client": "198.51.100.7",
    }
    assert "wrong password" not in str(entries[0].detail)


def test_a_two_factor_login_needs_the_code_and_the_step_cannot_be_skipped(
    store: Store, settings: Settings
) -> None:
    with store.session() as session:
        user = users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
        secret = two_factor.begin_enrolment(session, LOCAL_OPERATOR, user)
        two_factor.confirm_enrolment(session, LOCAL_OPERATOR, user, pyotp.TOTP(secret).at(utcnow()))
        user.totp_last_step = None  # let the test reuse the current window
    result = _attempt(store, settings, "amina", PASSWORD)
    assert result.step == "code"
    with store.session() as session:
        token = login.start_second_step(session, settings, result.principal, "code")
        stored = session.scalar(select(LoginChallenge))
        assert stored is not None and token not in stored.token_hash
    with pytest.raises(AuthenticationError, match="Wrong code"):
        login.complete_code_step(store, settings, token, "000000", client="198.51.100.7")
    with pytest.raises(AuthenticationError, match="expired"):
        login.complete_code_step(store, settings, "forged", "000000", client="198.51.100.7")
    principal = login.complete_code_step(
        store, settings, token, pyotp.TOTP(secret).now(), client="198.51.100.7"
    )
    assert principal.username == "amina"
    with store.session() as session:
        assert session.scalar(select(LoginChallenge)) is None  # spent
        failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "login-failed"))
        assert [entry.detail for entry in failed] == [
            {"username": "amina", "client": "198.51.100.7", "step": "code"}
        ]


def test_the_password_and_the_active_flag_are_checked(store: Store, settings: Settings) -> None:
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "amina", PASSWORD, Role.ANALYST)
    principal = _attempt(store, settings, "amina", PASSWORD).principal
    assert principal.role is Role.ANALYST and principal.user_id is not None
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        _attempt(store, settings, "amina", "wrong password!")
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        _attempt(store, settings, "nobody", PASSWORD)
    with store.session() as session:
        users.set_active(session, LOCAL_OPERATOR, "amina", active=False)
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        _attempt(store, settings, "amina", PASSWORD)
