"""API tokens for scripts and web login-session tokens: random, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.accounts.two_factor import needs_enrolment
from prevention_lens.accounts.users import get_user, principal_of
from prevention_lens.errors import NotFoundError
from prevention_lens.store.access import Principal, audit, read_records, require
from prevention_lens.store.models import ApiToken, LoginSession
from prevention_lens.store.models.base import utcnow

TOKEN_PREFIX = "lens_"  # noqa: S105  (a prefix that marks tokens, not a secret)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, actor: Principal, username: str, name: str) -> str:
    """A new token for the user; the plain token is returned once and never stored."""
    user = get_user(session, username)
    require(actor, "create", "api_token", ApiToken(user_id=user.id))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip() or "token", token_hash=digest(token))
    session.add(record)
    session.flush()
    audit(session, actor, "create", "api_token", record.id, username=user.username)
    return token


def list_api_tokens(session: Session, actor: Principal, username: str) -> list[dict[str, Any]]:
    user = get_user(session, username)
    statement = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return read_records(session, actor, "api_token", statement, owned_by=ApiToken(user_id=user.id))


def revoke_api_token(session: Session, actor: Principal, token_id: int) -> None:
    record = session.get(ApiToken, token_id)
    if record is None:
        raise NotFoundError(f"No API token {token_id}.")
    require(actor, "update", "api_token", record)
    record.revoked_at = utcnow()
    audit(session, actor, "revoke", "api_token", record.id)


def principal_for_api_token(session: Session, token: str) -> Principal | None:
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if record is None or record.revoked_at is not None or not record.user.is_active:
        return None
    record.last_used_at = utcnow()
    return principal_of(record.user)


def start_login_session(session: Session, principal: Principal, hours: int) -> str:
    if principal.user_id is None:
        raise NotFoundError("Only stored users can log in to the web app.")
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=principal.user_id,
            token_hash=digest(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    audit(session, principal, "login", "user", principal.user_id)
    return token


def principal_for_login_session(session: Session, token: str) -> Principal | None:
    record = session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    if record is None or not record.user.is_active:
        return None
    if record.expires_at <= utcnow():
        session.delete(record)
        return None
    if needs_enrolment(session, record.user):
        # Two-factor login became required after this session began: nothing more until the
        # user logs in again and enrols.
        return None
    return principal_of(record.user)


def end_login_session(session: Session, token: str) -> None:
    record = session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    if record is not None:
        audit(session, principal_of(record.user), "logout", "user", record.user_id)
        session.delete(record)
