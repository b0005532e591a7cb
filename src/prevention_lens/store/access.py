"""The access policy: the one place that decides who may see or do what with every record.

Each resource declares the role each action needs and an allow-list of fields with the
confidentiality level needed to see each; fields not listed never leave the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from prevention_lens.countries import COLUMNS as COUNTRY_COLUMNS
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


_P, _R, _C = Confidentiality.PUBLIC, Confidentiality.RESTRICTED, Confidentiality.CONFIDENTIAL

POLICIES: dict[str, ResourcePolicy] = {}


def register(policy: ResourcePolicy) -> ResourcePolicy:
    POLICIES[policy.name] = policy
    return policy


register(
    ResourcePolicy(
        name="country",
        actions={"read": Role.PUBLIC, "update": Role.ADMIN},
        fields=dict.fromkeys(("id", *(c for c in COUNTRY_COLUMNS if c != "aliases")), _P),
    )
)
register(
    ResourcePolicy(
        name="user",
        actions={"read": Role.ADMIN, "create": Role.ADMIN, "update": Role.ADMIN},
        fields={
            "id": _P,
            "username": _P,
            "display_name": _P,
            "role": _P,
            "is_active": _P,
            "created_at": _P,
            "last_login_at": _P,
            # Whether two-factor login is on or demanded; never the secret itself.
            "totp_enabled_at": _P,
            "totp_required": _P,
        },
        owner_attribute="id",
        owner_actions=frozenset({"read"}),
        audit_reads=True,
    )
)
register(
    ResourcePolicy(
        name="api_token",
        actions={"read": Role.ADMIN, "create": Role.ADMIN, "update": Role.ADMIN},
        fields={"id": _P, "name": _P, "created_at": _P, "last_used_at": _P, "revoked_at": _P},
        owner_attribute="user_id",
        owner_actions=frozenset({"read", "create", "update"}),
    )
)
register(
    ResourcePolicy(
        name="data_import",
        actions={"read": Role.ANALYST, "create": Role.ANALYST},
        fields=dict.fromkeys(
            (
                "id",
                "source_format",
                "file_name",
                "sha256",
                "size_bytes",
                "rows_read",
                "rows_created",
                "rows_updated",
                "rows_unchanged",
                "imported_by",
                "started_at",
                "finished_at",
                "code_version",
            ),
            _P,
        )
        | {"file_path": _R},
    )
)
register(
    ResourcePolicy(
        name="audit_entry",
        actions={"read": Role.ADMIN},
        fields={
            "id": _P,
            "at": _P,
            "actor": _P,
            "action": _P,
            "resource": _P,
            "record_id": _P,
            "detail": _P,
        },
    )
)


register(
    ResourcePolicy(
        name="framework_indicator",
        actions={"read": Role.PUBLIC, "update": Role.ADMIN},
        fields=dict.fromkeys(
            (
                "id",
                "framework",
                "code",
                "text",
                "unverified",
                "unverified_reason",
                "edited_by",
                "updated_at",
            ),
            _P,
        ),
    )
)
register(
    ResourcePolicy(
        name="assessment",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields={
            "id": _P,
            "country_id": _P,
            "framework": _P,
            "assessed_on": _P,
            "summary": _P,
            "confidentiality": _P,
            "created_at": _P,
            "analyst": _R,
        },
        record_level_attribute="confidentiality",
    )
)
register(
    ResourcePolicy(
        name="assessment_score",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields={"code": _P, "score": _P, "evidence": _P, "source_url": _P},
        record_level_attribute="confidentiality",
    )
)
register(
    ResourcePolicy(
        name="forecast_run",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields=dict.fromkeys(
            (
                "id",
                "model_name",
                "model_params",
                "panel_spec",
                "data_sha256",
                "code_version",
                "origin_year",
                "metrics",
                "created_by",
                "created_at",
            ),
            _P,
        ),
    )
)
register(
    ResourcePolicy(
        name="backtest_run",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields=dict.fromkeys(
            (
                "id",
                "protocol",
                "panel_spec",
                "default_model",
                "models",
                "data_sha256",
                "code_version",
                "n_boot",
                "table",
                "forecast_run_id",
                "created_by",
                "created_at",
            ),
            _P,
        ),
    )
)
register(
    ResourcePolicy(
        name="country_forecast",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields=dict.fromkeys(
            (
                "id",
                "run_id",
                "country_id",
                "origin_year",
                "probability",
                "rank",
                "low",
                "high",
                "previous_probability",
                "drivers",
                "shifts",
            ),
            _P,
        ),
    )
)


# Incidents. Record-level confidentiality hides a whole record; field levels hide witnesses,
# source identities and exact places. Exact coordinates are restricted: everyone else gets
# ``public_latitude``/``public_longitude``, rounded to 2 decimals.
INCIDENT_PUBLIC_FIELDS = (
    "id",
    "dataset",
    "external_id",
    "revision",
    "status",
    "confidentiality",
    "withdrawn",
    "category",
    "ucdp_type_of_violence",
    "acled_event_type",
    "acled_sub_event_type",
    "title",
    "narrative",
    "date_start",
    "date_end",
    "date_precision",
    "country_id",
    "admin1",
    "admin2",
    "place_name",
    "public_latitude",
    "public_longitude",
    "location_precision",
    "perpetrator_kind",
    "perpetrator_name",
    "target_groups",
    "identity_targeted",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "created_at",
    "updated_at",
    "verified_at",
)
INCIDENT_RESTRICTED_FIELDS = (
    "latitude",
    "longitude",
    "withdrawn_reason",
    "import_id",
    "created_by",
    "updated_by",
    "verified_by",
)
INCIDENT_CONFIDENTIAL_FIELDS = (
    "exact_place",
    "witness_identity",
    "witness_contact",
    "source_identity",
)
register(
    ResourcePolicy(
        name="incident",
        actions={
            "read": Role.PUBLIC,
            "create": Role.CONTRIBUTOR,
            "update": Role.ANALYST,
            "review": Role.ANALYST,
            "export": Role.PUBLIC,
            "import": Role.ANALYST,
        },
        fields={
            **dict.fromkeys(INCIDENT_PUBLIC_FIELDS, _P),
            **dict.fromkeys(INCIDENT_RESTRICTED_FIELDS, _R),
            **dict.fromkeys(INCIDENT_CONFIDENTIAL_FIELDS, _C),
        },
        record_level_attribute="confidentiality",
        owner_attribute="created_by_id",
        owner_actions=frozenset({"read"}),
    )
)
register(
    ResourcePolicy(
        name="incident_source",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields={
            "id": _P,
            "incident_id": _P,
            "url": _P,
            "publisher": _P,
            "published_on": _P,
            "archived_sha256": _P,
            "archived_size": _P,
            "confidentiality": _P,
            "added_by": _R,
            "added_at": _P,
        },
        record_level_attribute="confidentiality",
        owner_attribute="created_by_id",
        owner_actions=frozenset({"read"}),
    )
)
register(
    ResourcePolicy(
        name="incident_attachment",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields={
            "id": _P,
            "incident_id": _P,
            "filename": _P,
            "media_type": _P,
            "sha256": _P,
            "size_bytes": _P,
            "description": _P,
            "confidentiality": _P,
            "added_by": _R,
            "added_at": _P,
        },
        record_level_attribute="confidentiality",
    )
)
register(
    ResourcePolicy(
        name="incident_revision",
        actions={"read": Role.ADMIN},
        fields=dict.fromkeys(
            ("id", "incident_id", "revision", "status", "snapshot", "replaced_by", "replaced_at"),
            _P,
        ),
        audit_reads=True,
    )
)
register(
    ResourcePolicy(
        name="custody_entry",
        actions={"read": Role.ANALYST, "verify": Role.ANALYST},
        fields=dict.fromkeys(
            (
                "id",
                "seq",
                "incident_id",
                "action",
                "actor",
                "at",
                "detail",
                "record_sha256",
                "previous_hash",
                "entry_hash",
            ),
            _P,
        ),
    )
)


# Prevention actors. Drafts (intake, imports) are restricted until an admin publishes them;
# contacts never reach the public.
register(
    ResourcePolicy(
        name="actor",
        actions={
            "read": Role.PUBLIC,
            "create": Role.CONTRIBUTOR,
            "update": Role.ANALYST,
            "import": Role.ANALYST,
            "publish": Role.ADMIN,
        },
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "dataset",
                    "is_example",
                    "name",
                    "kind",
                    "entity",
                    "levels",
                    "sectors",
                    "activities",
                    "r2p_pillars",
                    "stages",
                    "languages",
                    "hq_country_id",
                    "country_keys",
                    "description",
                    "contribution",
                    "website",
                    "status",
                    "merged_into_id",
                    "created_at",
                    "updated_at",
                ),
                _P,
            ),
            **dict.fromkeys(("source", "created_by", "reviewed_by", "reviewed_at"), _R),
        },
        record_level_attribute="confidentiality",
        owner_attribute="created_by_id",
        owner_actions=frozenset({"read"}),
    )
)
register(
    ResourcePolicy(
        name="actor_contact",
        actions={"read": Role.ANALYST, "create": Role.CONTRIBUTOR},
        fields=dict.fromkeys(
            ("id", "actor_id", "name", "role", "email", "phone", "note", "confidentiality"), _P
        ),
        record_level_attribute="confidentiality",
    )
)
register(
    ResourcePolicy(
        name="actor_relationship",
        actions={"read": Role.PUBLIC, "create": Role.CONTRIBUTOR, "publish": Role.ADMIN},
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "dataset",
                    "source_id",
                    "target_id",
                    "kind",
                    "directed",
                    "strength",
                    "start_date",
                    "end_date",
                    "evidence",
                    "status",
                    "created_at",
                ),
                _P,
            ),
            "created_by": _R,
        },
        record_level_attribute="confidentiality",
    )
)
register(
    ResourcePolicy(
        name="network_snapshot",
        actions={"read": Role.PUBLIC, "create": Role.ANALYST},
        fields=dict.fromkeys(("id", "dataset", "taken_at", "taken_by", "summary", "metrics"), _P),
    )
)


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


def audit(
    session: Session,
    principal: Principal,
    action: str,
    resource: str,
    record_id: object = None,
    **detail: object,
) -> None:
    session.add(
        AuditEntry(
            actor=principal.username,
            action=action,
            resource=resource,
            record_id=None if record_id is None else str(record_id),
            detail={key: value for key, value in detail.items() if value is not None},
        )
    )


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
