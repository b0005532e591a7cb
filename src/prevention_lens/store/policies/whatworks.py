"""The evidence library: published entries are public; drafts and rejected entries, and who
added and reviewed an entry, are for analysts and admins; admins publish."""

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

# Every field of an entry that a reader of a published entry may see.
PUBLIC_FIELDS = (
    "id",
    "key",
    "title",
    "authors",
    "year",
    "venue",
    "doi",
    "url",
    "kind",
    "design",
    "strength",
    "summary",
    "interventions",
    "outcomes",
    "countries",
    "regions",
    "conflict_phase",
    "regime_type",
    "period",
    "effect",
    "harm",
    "emmie",
    "language",
    "tags",
    "verified_at",
    "verification_note",
    "status",
    "origin",
    "created_at",
    "updated_at",
)
STAFF_FIELDS = ("created_by", "reviewed_by", "reviewed_at", "review_note", "import_id")

register(
    ResourcePolicy(
        name="library_entry",
        actions={
            "read": Role.PUBLIC,
            "create": Role.ANALYST,
            "update": Role.ANALYST,
            "import": Role.ANALYST,
            "publish": Role.ADMIN,
        },
        fields={**dict.fromkeys(PUBLIC_FIELDS, _P), **dict.fromkeys(STAFF_FIELDS, _R)},
        record_level_attribute="confidentiality",
    )
)
