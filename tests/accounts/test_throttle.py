"""Login throttling: growing waits, lockout, per account and per client, expiring, audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from prevention_lens.accounts import throttle
from prevention_lens.errors import TooManyRequestsError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.models import AuditEntry, LoginThrottle
from prevention_lens.store.models.base import utcnow

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=utcnow().tzinfo)


@pytest.fixture
def rules(settings: Settings) -> Settings:
    return settings.replace(
        login_free_failures=3,
        login_delay_seconds=2.0,
        login_max_delay_seconds=10.0,
        login_lockout_failures=6,
        login_lockout_minutes=15,
        login_client_free_failures=5,
        login_client_lockout_failures=50,
        login_forget_minutes=60,
    )


def _fail(
    store: Store, rules: Settings, at: datetime, user: str = "amina", client: str = "a"
) -> None:
    """One attempt that turns out wrong: counted before the password is known, never forgiven."""
    with store.session() as session:
        assert throttle.check_and_count(session, rules, user, client, now=at) is None


def _wait(
    store: Store, rules: Settings, at: datetime, user: str = "amina", client: str = "a"
) -> int:
    # The refusal is returned, not raised, so that its audit entry is kept with the unit of work.
    with store.session() as session:
        refusal = throttle.check_and_count(session, rules, user, client, now=at)
    assert isinstance(refusal, TooManyRequestsError)
    return refusal.retry_after


def test_waits_grow_after_the_free_failures_then_the_account_locks(
    store: Store, rules: Settings
) -> None:
    at = T0
    for _ in range(3):
        _fail(store, rules, at)
    assert _wait(store, rules, at) == 2  # the third failure starts a 2 s wait
    at += timedelta(seconds=2)
    _fail(store, rules, at)
    assert _wait(store, rules, at + timedelta(seconds=1)) == 3  # 4 s after the fourth
    at += timedelta(seconds=4)
    _fail(store, rules, at)
    assert _wait(store, rules, at) == 8
    at += timedelta(seconds=8)
    _fail(store, rules, at)  # the sixth: locked out
    assert _wait(store, rules, at) == 15 * 60
    assert _wait(store, rules, at + timedelta(minutes=14)) == 60


def test_a_right_login_clears_the_account_but_not_the_client(store: Store, rules: Settings) -> None:
    for _ in range(3):
        _fail(store, rules, T0)
    at = T0 + timedelta(seconds=2)
    with store.session() as session:  # the right password: counted first, then forgiven
        assert throttle.check_and_count(session, rules, "amina", "a", now=at) is None
        throttle.forgive(session, rules, "amina", "a")
    _fail(store, rules, at)  # the account starts again from nothing
    with store.session() as session:
        rows = {r.scope: r.failures for r in session.scalars(select(LoginThrottle))}
    assert rows == {"account": 1, "client": 4}


def test_one_client_trying_many_accounts_is_throttled(store: Store, rules: Settings) -> None:
    for number in range(5):
        _fail(store, rules, T0, user=f"user{number}")
    assert _wait(store, rules, T0, user="someone-else") == 2
    # Another client may still try that account.
    _fail(store, rules, T0, user="someone-else", client="b")


def test_unknown_and_known_names_are_counted_alike(store: Store, rules: Settings) -> None:
    # The throttle keys on the name as typed (normalised); it never looks the account up.
    for _ in range(3):
        _fail(store, rules, T0, user=" No-Such-User ", client="x")
    assert _wait(store, rules, T0, user="no-such-user", client="y") == 2


def test_failures_are_forgotten_after_the_window(store: Store, rules: Settings) -> None:
    for _ in range(5):
        _fail(store, rules, T0 + timedelta(seconds=20 * _))
    later = T0 + timedelta(minutes=70)
    _fail(store, rules, later)
    with store.session() as session:
        row = session.scalar(select(LoginThrottle).where(LoginThrottle.scope == "account"))
        assert row is not None and row.failures == 1


def test_throttled_attempts_are_audited_with_the_name_and_address(
    store: Store, rules: Settings
) -> None:
    for _ in range(3):
        _fail(store, rules, T0)
    _wait(store, rules, T0)
    with store.session() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "login-throttled"))
        )
    assert [(e.actor, e.detail) for e in entries] == [
        ("anonymous", {"username": "amina", "client": "a", "by": "account", "retry_after": 2})
    ]
