"""Prevention actors: the directory, confidential contacts, relationships and network snapshots."""

from __future__ import annotations

from prevention_lens.store.policies.mechanism import (
    PUBLIC as _P,
)
from prevention_lens.store.policies.mechanism import (
    RESTRICTED as _R,
)
from prevention_lens.store.policies.mechanism import (
    ResourcePolicy,
    Role,
    register,
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
