"""The sector lexicon: concepts and mappings are public reference data anyone may reuse;
proposed changes and their review are for analysts and admins; admins approve them."""

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
        name="lexicon_concept",
        actions={"read": Role.PUBLIC, "import": Role.ADMIN},
        fields=dict.fromkeys(
            (
                "id",
                "concept_id",
                "scheme",
                "core",
                "content",
                "origin",
                "version",
                "updated_by",
                "updated_at",
            ),
            _P,
        ),
    )
)
register(
    ResourcePolicy(
        name="lexicon_mapping",
        actions={"read": Role.PUBLIC},
        fields=dict.fromkeys(("id", "source", "target", "kind", "rationale", "origin"), _P),
    )
)
register(
    ResourcePolicy(
        name="lexicon_revision",
        actions={"read": Role.ANALYST, "create": Role.ANALYST, "publish": Role.ADMIN},
        fields=dict.fromkeys(
            (
                "id",
                "concept_id",
                "status",
                "base_version",
                "content",
                "mappings",
                "note",
                "proposed_by",
                "proposed_at",
                "reviewed_by",
                "reviewed_at",
                "review_note",
            ),
            _P,
        ),
        audit_reads=False,
    )
)
