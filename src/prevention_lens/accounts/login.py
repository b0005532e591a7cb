"""Logging in: the throttle first, then the password, then a code or enrolment when due.

These steps take the store, not a session: each commits its count and audit entries itself, even
when it then refuses, and the password step is split around the slow hash so that an interface
can run the hash off its event loop with the count already visible to every other worker.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from prevention_lens.accounts import passwords, throttle, two_factor
from prevention_lens.accounts.tokens import digest
from prevention_lens.accounts.users import principal_of
from prevention_lens.errors import AuthenticationError, LensError, ValidationError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, audit
from prevention_lens.store.models import LoginChallenge, User
from prevention_lens.store.models.base import utcnow

WRONG_PASSWORD = "Wrong username or password."  # noqa: S105  (a message, not a secret)
CODE_TRIES = 5  # wrong codes before the second step closes and the password is asked again


@dataclass(frozen=True)
class PasswordAttempt:
    """What the password check needs, gathered before it: the stored hash (or a dummy)."""

    username: str
    client: str | None
    user_id: int | None
    stored_hash: str


@dataclass(frozen=True)
class LoginResult:
    """The right password's principal and what they must still do: nothing, a code, or enrol."""

    principal: Principal
    step: two_factor.Step


def begin(store: Store, settings: Settings, username: str, client: str | None) -> PasswordAttempt:
    """Count the attempt, or raise TooManyRequestsError (audited) without any hashing."""
    remembered = throttle.remembered_refusal(_store_key(store), username, client)
    if remembered is not None:
        raise remembered
    with store.session() as session:
        refusal = throttle.check_and_count(session, settings, username, client)
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        # Unknown names are checked against a dummy hash, so both answers take as long.
        attempt = PasswordAttempt(
            username,
            client,
            user.id if user is not None else None,
            user.password_hash if user is not None else passwords.DUMMY_HASH,
        )
    if refusal is not None:
        raise refusal
    return attempt


def _store_key(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=True)


def finish(
    store: Store, settings: Settings, attempt: PasswordAttempt, password_ok: bool
) -> LoginResult:
    """The result of a checked password; AuthenticationError (audited) when it was wrong."""
    with store.session() as session:
        user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
        if user is None or not password_ok or not user.is_active:
            _audit_failure(session, attempt.username, attempt.client, "password")
            result = None
        else:
            throttle.forgive(session, settings, attempt.username, attempt.client)
            step = two_factor.next_step(session, user)
            if step == "done":
                user.last_login_at = utcnow()
            result = LoginResult(principal_of(user), step)
    if result is None:
        raise AuthenticationError(WRONG_PASSWORD)
    return result


def log_in(
    store: Store, settings: Settings, username: str, password: str, client: str | None
) -> LoginResult:
    """The whole password step in one call, hashing in this thread (for scripts and tests)."""
    attempt = begin(store, settings, username, client)
    ok = passwords.verify_password(attempt.stored_hash, password)
    return finish(store, settings, attempt, ok)


def _audit_failure(session: Session, username: str, client: str | None, step: str) -> None:
    # The name as typed (cut short) and the address; never what was typed as the password.
    audit(
        session,
        ANONYMOUS,
        "login-failed",
        "user",
        username=username.strip().lower()[:64],
        client=client,
        step=None if step == "password" else step,
    )


# --- the second step ------------------------------------------------------------------------


def start_second_step(
    session: Session, settings: Settings, principal: Principal, purpose: Literal["code", "enrol"]
) -> str:
    """A short-lived token (for a cookie) that stands for "the password was right"."""
    if principal.user_id is None:
        raise AuthenticationError("Only stored users can log in to the web app.")
    session.execute(delete(LoginChallenge).where(LoginChallenge.expires_at <= utcnow()))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginChallenge(
            user_id=principal.user_id,
            token_hash=digest(token),
            purpose=purpose,
            failures=0,
            expires_at=utcnow() + timedelta(minutes=settings.login_code_minutes),
        )
    )
    return token


def open_second_step(session: Session, token: str, purpose: str) -> LoginChallenge:
    """The open step this token stands for, or AuthenticationError: log in again."""
    challenge = session.scalar(
        select(LoginChallenge).where(LoginChallenge.token_hash == digest(token))
    )
    if (
        challenge is None
        or challenge.purpose != purpose
        or challenge.expires_at <= utcnow()
        or not challenge.user.is_active
    ):
        raise AuthenticationError("This login step has expired: log in again.")
    return challenge


def complete_code_step(
    store: Store, settings: Settings, token: str, code: str, client: str | None
) -> Principal:
    """The principal when ``code`` (TOTP or recovery) is right; throttled like passwords."""
    outcome: Principal | LensError
    with store.session() as session:
        challenge = open_second_step(session, token, "code")
        user = challenge.user
        refusal = throttle.check_and_count(session, settings, user.username, client)
        used = None if refusal is not None else two_factor.verify_code(session, user, code)
        if refusal is not None:
            outcome = refusal
        elif used is None:
            _audit_failure(session, user.username, client, "code")
            challenge.failures += 1
            if challenge.failures >= CODE_TRIES:
                session.delete(challenge)
            outcome = AuthenticationError("Wrong code.")
        else:
            throttle.forgive(session, settings, user.username, client)
            session.delete(challenge)
            user.last_login_at = utcnow()
            if used == "recovery":
                audit(session, principal_of(user), "2fa-recovery-code-used", "user", user.id)
            outcome = principal_of(user)
    if isinstance(outcome, LensError):
        raise outcome
    return outcome


def enrolment_secret(session: Session, token: str) -> tuple[User, str]:
    """The user of an open enrolment step and their new secret (made once per step)."""
    challenge = open_second_step(session, token, "enrol")
    user = challenge.user
    # Made at the first visit and kept, so reloading the page shows the same secret.
    secret = user.totp_secret or two_factor.begin_enrolment(session, principal_of(user), user)
    return user, secret


def complete_enrolment_step(
    store: Store, settings: Settings, token: str, code: str, client: str | None
) -> tuple[Principal, list[str]]:
    """Enrol with the first code; the principal and the recovery codes to show once."""
    outcome: tuple[Principal, list[str]] | LensError
    with store.session() as session:
        challenge = open_second_step(session, token, "enrol")
        user = challenge.user
        refusal = throttle.check_and_count(session, settings, user.username, client)
        if refusal is not None:
            outcome = refusal
        else:
            try:
                codes = two_factor.confirm_enrolment(session, principal_of(user), user, code)
            except ValidationError as wrong:
                _audit_failure(session, user.username, client, "enrol")
                outcome = wrong
            else:
                throttle.forgive(session, settings, user.username, client)
                session.delete(challenge)
                user.last_login_at = utcnow()
                outcome = (principal_of(user), codes)
    if isinstance(outcome, LensError):
        raise outcome
    return outcome
