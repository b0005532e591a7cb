"""API and login-session tokens: shown once, stored hashed, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from prevention_lens.accounts import tokens, users
from prevention_lens.errors import PermissionDeniedError
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import ApiToken, LoginSession
from prevention_lens.store.models.base import utcnow

PASSWORD = "correct horse battery"


def test_api_token_is_stored_hashed_and_can_be_revoked(store: Store) -> None:
    with store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "bot", PASSWORD, Role.ANALYST)
        token = tokens.create_api_token(session, LOCAL_OPERATOR, "bot", "nightly")
        record = session.scalar(select(ApiToken))
        assert record is not None and token not in record.token_hash
        principal = tokens.principal_for_api_token(session, token)
        assert principal is not None and principal.username == "bot"
        listed = tokens.list_api_tokens(session, LOCAL_OPERATOR, "bot")
        assert [row["name"] for row in listed] == ["nightly"]
        assert "token_hash" not in listed[0]
        tokens.revoke_api_token(session, LOCAL_OPERATOR, record.id)
        assert tokens.principal_for_api_token(session, token) is None
        assert tokens.principal_for_api_token(session, "lens_unknown") is None


def test_users_manage_their_own_tokens_but_not_others(store: Store) -> None:
    with store.session() as session:
        ana = users.principal_of(
            users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        )
        users.add_user(session, LOCAL_OPERATOR, "bob", PASSWORD, Role.ANALYST)
        tokens.create_api_token(session, ana, "ana", "mine")
        assert len(tokens.list_api_tokens(session, ana, "ana")) == 1
        with pytest.raises(PermissionDeniedError):
            tokens.create_api_token(session, ana, "bob", "theirs")
        with pytest.raises(PermissionDeniedError):
            tokens.list_api_tokens(session, ana, "bob")


def test_login_sessions_expire_and_end(store: Store) -> None:
    with store.session() as session:
        ana = users.principal_of(
            users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        )
        token = tokens.start_login_session(session, ana, hours=1)
        assert tokens.principal_for_login_session(session, token) == ana
        tokens.end_login_session(session, token)
        assert tokens.principal_for_login_session(session, token) is None
        stale = tokens.start_login_session(session, ana, hours=1)
        record = session.scalar(select(LoginSession))
        assert record is not None
        record.expires_at = utcnow() - timedelta(seconds=1)
        assert tokens.principal_for_login_session(session, stale) is None


def test_disabled_users_lose_their_sessions_and_tokens(store: Store) -> None:
    with store.session() as session:
        ana = users.principal_of(
            users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        )
        login = tokens.start_login_session(session, ana, hours=1)
        api = tokens.create_api_token(session, LOCAL_OPERATOR, "ana", "t")
        users.set_active(session, LOCAL_OPERATOR, "ana", active=False)
        assert tokens.principal_for_login_session(session, login) is None
        assert tokens.principal_for_api_token(session, api) is None
