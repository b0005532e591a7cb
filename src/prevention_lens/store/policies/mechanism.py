"""The access policy's mechanism: roles, confidentiality levels, principals, and the functions
that apply a resource's rules (allowed, require, project, read_record(s), audit).

The rules themselves (which role each action needs, which fields each level may see) live in
one module per capability beside this one; ``store/policies/__init__.py`` registers them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from prevention_lens.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.store.models import AuditEntry


class Role(IntEnum):
    """Roles in increasing order of trust: each role can do everything the one below can."""

    PUBLIC = 0
    CONTRIBUTOR = 1
    ANALYST = 2
    ADMIN = 3

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(role.label for role in cls)
            raise ValidationError(f"unknown role {value!r}; choose one of {names}") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Confidentiality(IntEnum):
    """How far a record or field may travel."""

    PUBLIC = 0
    RESTRICTED = 1
    CONFIDENTIAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


CLEARANCE = {
    Role.PUBLIC: Confidentiality.PUBLIC,
    Role.CONTRIBUTOR: Confidentiality.PUBLIC,
    Role.ANALYST: Confidentiality.RESTRICTED,
    Role.ADMIN: Confidentiality.CONFIDENTIAL,
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a logged-in user, a token's user, the local operator, or anonymous."""

    username: str
    role: Role
    user_id: int | None = None

    @property
    def clearance(self) -> Confidentiality:
        return CLEARANCE[self.role]

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.username == LOCAL_OPERATOR.username


ANONYMOUS = Principal(username="anonymous", role=Role.PUBLIC)
# The person at the terminal running `lens`: they own the store file, so they act as admin.
LOCAL_OPERATOR = Principal(username="local-operator", role=Role.ADMIN)
# Who files a report through the public form when nobody is logged in: a contributor that no
# account can be (user names have no spaces), so its reports are restricted and owned by nobody.
PUBLIC_SUBMISSION = Principal(username="public submission", role=Role.CONTRIBUTOR)


@dataclass(frozen=True)
class ResourcePolicy:
    """The rules for one kind of record."""

    name: str
    actions: Mapping[str, Role]
    fields: Mapping[str, Confidentiality]
    owner_attribute: str | None = None
    record_level_attribute: str | None = None
    audit_reads: bool = False
    owner_actions: frozenset[str] = field(default_factory=frozenset)


# Shorthands for the rules modules' field tables.
PUBLIC, RESTRICTED, CONFIDENTIAL = (
    Confidentiality.PUBLIC,
    Confidentiality.RESTRICTED,
    Confidentiality.CONFIDENTIAL,
)

POLICIES: dict[str, ResourcePolicy] = {}


def register(policy: ResourcePolicy) -> ResourcePolicy:
    """Add a resource's rules; a second, different policy for the same name is a mistake."""
    existing = POLICIES.get(policy.name)
    if existing is not None and existing != policy:
        raise ValueError(f"access policy {policy.name!r} is registered twice")
    POLICIES[policy.name] = policy
    return policy


def policy_for(resource: str) -> ResourcePolicy:
    try:
        return POLICIES[resource]
    except KeyError:
        raise NotFoundError(f"No access policy for resource {resource!r}.") from None


def _is_owner(principal: Principal, policy: ResourcePolicy, record: object | None) -> bool:
    if record is None or policy.owner_attribute is None or principal.user_id is None:
        return False
    return bool(getattr(record, policy.owner_attribute, None) == principal.user_id)


def allowed(principal: Principal, action: str, resource: str, record: object | None = None) -> bool:
    """Whether the principal may do the action on the resource (or on this record)."""
    policy = policy_for(resource)
    needed = policy.actions.get(action)
    if needed is None:
        return False
    if principal.role >= needed:
        return True
    return action in policy.owner_actions and _is_owner(principal, policy, record)


def require(principal: Principal, action: str, resource: str, record: object | None = None) -> None:
    """Raise AuthenticationError (anonymous) or PermissionDeniedError unless allowed."""
    if allowed(principal, action, resource, record):
        return
    if not principal.is_authenticated:
        raise AuthenticationError(f"Log in to {action} {resource} records.")
    needed = policy_for(resource).actions.get(action)
    role = needed.label if needed is not None else "no role"
    raise PermissionDeniedError(
        f"{principal.username} ({principal.role.label}) may not {action} {resource} records; "
        f"this needs {role}."
    )


def record_level(policy: ResourcePolicy, record: object) -> Confidentiality:
    if policy.record_level_attribute is None:
        return Confidentiality.PUBLIC
    return Confidentiality(int(getattr(record, policy.record_level_attribute)))


def project(principal: Principal, resource: str, record: object) -> dict[str, Any] | None:
    """The record's allow-listed fields that the principal may see; None if the record is hidden."""
    policy = policy_for(resource)
    if not allowed(principal, "read", resource, record):
        return None
    clearance = principal.clearance
    # Owners see their own restricted records, but only the fields their role may see: what
    # staff later add to the record at a higher level stays with staff.
    ceiling = clearance
    if _is_owner(principal, policy, record):
        ceiling = max(clearance, Confidentiality.RESTRICTED)
    if record_level(policy, record) > ceiling:
        return None
    return {
        name: getattr(record, name) for name, level in policy.fields.items() if level <= clearance
    }


def _reads_logged(session: Session) -> dict[tuple[str, str, str | None], AuditEntry] | None:
    """The read entries written in the session's current transaction, by who, what and which
    record; None outside a transaction."""
    transaction = session.get_transaction()
    if transaction is None:
        return None
    held = session.info.get("audit_reads")
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info["audit_reads"] = held
    logged: dict[tuple[str, str, str | None], AuditEntry] = held[1]
    return logged


def _merged(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, object]:
    merged = dict(before)
    for key, value in after.items():
        old = merged.get(key)
        both_counts = isinstance(old, int) and isinstance(value, int)
        if both_counts and not isinstance(old, bool) and not isinstance(value, bool):
            merged[key] = old + value  # type: ignore[operator]
        elif key not in merged:
            merged[key] = value
    merged["reads"] = int(str(before.get("reads", 1))) + 1
    return merged


def audit(
    session: Session,
    principal: Principal,
    action: str,
    resource: str,
    record_id: object = None,
    **detail: object,
) -> None:
    """Log an action. Reads of one resource (and record) by one principal in one transaction
    are one row, however many parts of a page read it: its counts add up and ``reads`` says
    how many reads it stands for."""
    kept = {key: value for key, value in detail.items() if value is not None}
    key = (principal.username, resource, None if record_id is None else str(record_id))
    logged = _reads_logged(session) if action == "read" else None
    if logged is not None and key in logged:
        entry = logged[key]
        # A new dict, so that the JSON column sees the change.
        entry.detail = _merged(entry.detail, kept)
        return
    entry = AuditEntry(
        actor=principal.username,
        action=action,
        resource=resource,
        record_id=key[2],
        detail=kept,
    )
    session.add(entry)
    if logged is not None:
        logged[key] = entry


def read_records(
    session: Session,
    principal: Principal,
    resource: str,
    statement: Select[Any],
    owned_by: object | None = None,
) -> list[dict[str, Any]]:
    """Run a query for one resource and return only what the principal may see of it.

    Listing needs the resource's read role, or ``owned_by`` (a record standing for the
    owner's scope, e.g. a token of theirs) for owners listing their own records.
    """
    policy = policy_for(resource)
    require(principal, "read", resource, owned_by)
    rows = [
        projected
        for record in session.scalars(statement)
        if (projected := project(principal, resource, record)) is not None
    ]
    sensitive = sum(
        1 for row in rows if row.get("confidentiality", 0) >= Confidentiality.RESTRICTED
    )
    if rows and (policy.audit_reads or sensitive):
        audit(session, principal, "read", resource, count=len(rows), restricted=sensitive or None)
    return rows


def read_record(
    session: Session, principal: Principal, resource: str, record: object | None, label: str
) -> dict[str, Any]:
    """One record through the policy; a hidden record reads as not found, never as forbidden."""
    projected = None if record is None else project(principal, resource, record)
    if projected is None:
        raise NotFoundError(f"No {resource.replace('_', ' ')} {label}.")
    policy = policy_for(resource)
    if policy.audit_reads or projected.get("confidentiality", 0) >= Confidentiality.RESTRICTED:
        audit(session, principal, "read", resource, projected.get("id"))
    return projected
