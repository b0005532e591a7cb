"""Managing users: add, list, change role, disable. Logging in is accounts.login (throttled)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.accounts.passwords import hash_password
from prevention_lens.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from prevention_lens.store.access import Principal, Role, audit, read_records, require
from prevention_lens.store.models import User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def _find(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def get_user(session: Session, username: str) -> User:
    user = _find(session, username)
    if user is None:
        raise NotFoundError(f"No user {username!r}.")
    return user


def add_user(
    session: Session,
    actor: Principal,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
) -> User:
    require(actor, "create", "user")
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise ValidationError(
            f"username {username!r} must be 2–64 characters of a–z, 0–9, '.', '_' or '-', "
            "starting with a letter or digit",
            field="username",
        )
    if _find(session, name) is not None:
        raise ConflictError(f"User {name!r} already exists.")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        password_hash=hash_password(password),
        role=role.label,
        is_active=True,
    )
    session.add(user)
    session.flush()
    audit(session, actor, "create", "user", user.id, username=name, role=role.label)
    return user


def list_users(session: Session, actor: Principal) -> list[dict[str, Any]]:
    return read_records(session, actor, "user", select(User).order_by(User.username))


def set_role(session: Session, actor: Principal, username: str, role: Role) -> User:
    require(actor, "update", "user")
    user = get_user(session, username)
    previous = user.role
    user.role = role.label
    audit(session, actor, "set-role", "user", user.id, previous=previous, role=role.label)
    return user


def set_active(session: Session, actor: Principal, username: str, active: bool) -> User:
    require(actor, "update", "user")
    user = get_user(session, username)
    if not active and actor.user_id == user.id:
        raise ValidationError("you cannot disable your own account", field="username")
    user.is_active = active
    audit(session, actor, "enable" if active else "disable", "user", user.id)
    return user


def set_password(session: Session, actor: Principal, username: str, password: str) -> User:
    user = get_user(session, username)
    require(actor, "update", "user", user if actor.user_id == user.id else None)
    user.password_hash = hash_password(password)
    audit(session, actor, "set-password", "user", user.id)
    return user


def principal_of(user: User) -> Principal:
    return Principal(username=user.username, role=Role.parse(user.role), user_id=user.id)
