"""Incident documentation: records, their sources, evidence files, revisions and custody chain."""

from __future__ import annotations

from prevention_lens.store.policies.mechanism import (
    CONFIDENTIAL as _C,
)
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
