"""Throttling of wrong logins per account name and per client address, kept in the store.

Every attempt counts as a failure before its password is checked, so a burst of parallel guesses
cannot slip through before the first is counted; a right login is then forgiven. Once a refusal
has been written to the audit log, each worker remembers the wait in memory and refuses further
tries during it without touching the store, so a flood of refused logins costs almost nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from prevention_lens.errors import TooManyRequestsError
from prevention_lens.settings import Settings
from prevention_lens.store.access import ANONYMOUS, audit
from prevention_lens.store.models import LoginThrottle
from prevention_lens.store.models.base import utcnow

ACCOUNT = "account"
CLIENT = "client"
KEY_LENGTH = 128
MESSAGE = "Too many login attempts."
REMEMBERED = 10_000  # waits one worker keeps in memory at most

# (store URL, scope, key) -> until when that account or address must wait, in this worker.
_waits: dict[tuple[str, str, str], datetime] = {}
_waits_lock = threading.Lock()


@dataclass(frozen=True)
class Rule:
    """When failures start to cost a wait, how the wait grows, and when it becomes a lockout."""

    free_failures: int
    lockout_failures: int
    delay_seconds: float
    max_delay_seconds: float
    lockout: timedelta

    def wait_after(self, failures: int) -> timedelta | None:
        if failures >= self.lockout_failures:
            return self.lockout
        if failures >= self.free_failures:
            doublings = min(failures - self.free_failures, 40)
            seconds = min(self.max_delay_seconds, self.delay_seconds * 2**doublings)
            return timedelta(seconds=seconds)
        return None


def rules(settings: Settings) -> dict[str, Rule]:
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    delay, longest = settings.login_delay_seconds, settings.login_max_delay_seconds
    return {
        ACCOUNT: Rule(
            settings.login_free_failures, settings.login_lockout_failures, delay, longest, lockout
        ),
        CLIENT: Rule(
            settings.login_client_free_failures,
            settings.login_client_lockout_failures,
            delay,
            longest,
            lockout,
        ),
    }


def keys_for(username: str, client: str | None) -> dict[str, str]:
    # The name as typed, never looked up: unknown names are throttled like real ones, so the
    # answers cannot tell which accounts exist.
    return {
        ACCOUNT: username.strip().lower()[:KEY_LENGTH],
        CLIENT: (client or "unknown")[:KEY_LENGTH],
    }


def _forget_stale(session: Session, settings: Settings, now: datetime) -> None:
    cutoff = now - timedelta(minutes=settings.login_forget_minutes)
    stale = (
        select(LoginThrottle.id)
        .where(LoginThrottle.last_failure_at < cutoff)
        .where(or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now))
        # Rows another login holds are left for next time rather than waited for (no deadlock).
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(stale)))


def _lock_rows(session: Session, keys: dict[str, str], now: datetime) -> dict[str, LoginThrottle]:
    """The rows of these keys, created when missing and locked until the unit of work ends."""
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    # On SQLite the insert also takes the write lock, so no other worker reads a count that
    # this attempt is about to raise; on PostgreSQL the rows are locked FOR UPDATE below.
    for scope in sorted(keys):
        session.execute(
            insert(LoginThrottle)
            .values(scope=scope, key=keys[scope], failures=0, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=["scope", "key"])
        )
    statement = (
        select(LoginThrottle)
        .where(
            or_(*(and_(LoginThrottle.scope == s, LoginThrottle.key == k) for s, k in keys.items()))
        )
        .order_by(LoginThrottle.scope)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.scope: row for row in session.scalars(statement)}


def remembered_refusal(
    store_url: str, username: str, client: str | None, now: datetime | None = None
) -> TooManyRequestsError | None:
    """A refusal from this worker's memory of audited waits, with no store access; or None."""
    now = now or utcnow()
    keys = keys_for(username, client)
    with _waits_lock:
        until = max(
            (_waits.get((store_url, scope, key), now) for scope, key in keys.items()),
            default=now,
        )
    if until <= now:
        return None
    return TooManyRequestsError(MESSAGE, retry_after=(until - now).total_seconds())


def _remember(store_url: str, scope: str, key: str, until: datetime, now: datetime) -> None:
    with _waits_lock:
        if len(_waits) >= REMEMBERED:
            for stale in [k for k, v in _waits.items() if v <= now]:
                del _waits[stale]
            if len(_waits) >= REMEMBERED:  # all current: forget the soonest to end
                del _waits[min(_waits, key=_waits.__getitem__)]
        _waits[(store_url, scope, key)] = until


def check_and_count(
    session: Session,
    settings: Settings,
    username: str,
    client: str | None,
    now: datetime | None = None,
) -> TooManyRequestsError | None:
    """Count one login attempt, or refuse it while its account or client must wait.

    The refusal is returned, not raised, so the caller keeps its audit entry in the unit of work
    and answers 429 without checking the password.
    """
    now = now or utcnow()
    keys = keys_for(username, client)
    _forget_stale(session, settings, now)
    rows = _lock_rows(session, keys, now)
    waits = sorted(
        (row.blocked_until, scope)
        for scope, row in rows.items()
        if row.blocked_until is not None and row.blocked_until > now
    )
    if waits:
        until, scope = waits[-1]
        refusal = TooManyRequestsError(MESSAGE, retry_after=(until - now).total_seconds())
        audit(
            session,
            ANONYMOUS,
            "login-throttled",
            "user",
            username=keys[ACCOUNT][:64],
            client=keys[CLIENT],
            by=scope,
            retry_after=refusal.retry_after,
        )
        # Further tries during this wait are refused from memory: one audit entry per wait
        # and worker, so a flood cannot fill the audit log either.
        store_url = session.get_bind().engine.url.render_as_string(hide_password=True)
        _remember(store_url, scope, keys[scope], until, utcnow())
        return refusal
    forget = timedelta(minutes=settings.login_forget_minutes)
    for scope, row in rows.items():
        if row.last_failure_at <= now - forget:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = rules(settings)[scope].wait_after(row.failures)
        row.blocked_until = now + wait if wait is not None else None
    return None


def forgive(session: Session, settings: Settings, username: str, client: str | None) -> None:
    """A right login: its account starts again from nothing; its address loses this attempt."""
    keys = keys_for(username, client)
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.scope == ACCOUNT, LoginThrottle.key == keys[ACCOUNT]
        )
    )
    row = session.scalar(
        select(LoginThrottle).where(
            LoginThrottle.scope == CLIENT, LoginThrottle.key == keys[CLIENT]
        )
    )
    if row is not None:
        # Not reset: an attacker with one real account must not clear their address's count
        # between guesses at others.
        row.failures = max(0, row.failures - 1)
        if rules(settings)[CLIENT].wait_after(row.failures) is None:
            row.blocked_until = None
