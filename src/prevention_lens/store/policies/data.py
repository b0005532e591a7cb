"""The reference data and the store's own records: countries, imports and the audit log."""

from __future__ import annotations

from prevention_lens.countries import COLUMNS as COUNTRY_COLUMNS
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

register(
    ResourcePolicy(
        name="country",
        actions={"read": Role.PUBLIC, "update": Role.ADMIN},
        fields=dict.fromkeys(("id", *(c for c in COUNTRY_COLUMNS if c != "aliases")), _P),
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
