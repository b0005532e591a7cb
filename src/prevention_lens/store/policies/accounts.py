"""Who may see and manage user accounts and API tokens: admins, and each user their own."""

from __future__ import annotations

from prevention_lens.store.policies.mechanism import (
    PUBLIC as _P,
)
from prevention_lens.store.policies.mechanism import (
    ResourcePolicy,
    Role,
    register,
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
