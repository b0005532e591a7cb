"""The access policy: the one place that decides who may see or do what with every record.

Each resource declares the role each action needs and an allow-list of fields with the
confidentiality level needed to see each; fields not listed never leave the store.

This module is the policy's public face and changes with neither: the mechanism lives in
``store/policies/mechanism.py`` and the rules in one module per capability under
``store/policies/`` (docs/access.md). Importing it registers every rule.
"""

from __future__ import annotations

from prevention_lens.store import policies as _policies  # noqa: F401  (registers every rule)
from prevention_lens.store.policies.incidents import (
    INCIDENT_CONFIDENTIAL_FIELDS,
    INCIDENT_PUBLIC_FIELDS,
    INCIDENT_RESTRICTED_FIELDS,
)
from prevention_lens.store.policies.mechanism import (
    ANONYMOUS,
    CLEARANCE,
    LOCAL_OPERATOR,
    POLICIES,
    PUBLIC_SUBMISSION,
    Confidentiality,
    Principal,
    ResourcePolicy,
    Role,
    allowed,
    audit,
    policy_for,
    project,
    read_record,
    read_records,
    record_level,
    register,
    require,
)

__all__ = [
    "ANONYMOUS",
    "CLEARANCE",
    "INCIDENT_CONFIDENTIAL_FIELDS",
    "INCIDENT_PUBLIC_FIELDS",
    "INCIDENT_RESTRICTED_FIELDS",
    "LOCAL_OPERATOR",
    "POLICIES",
    "PUBLIC_SUBMISSION",
    "Confidentiality",
    "Principal",
    "ResourcePolicy",
    "Role",
    "allowed",
    "audit",
    "policy_for",
    "project",
    "read_record",
    "read_records",
    "record_level",
    "register",
    "require",
]
