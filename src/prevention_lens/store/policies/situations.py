"""Situation categories: the category, its rationale and dates are public (R2P Monitor publishes
its own); who set it is for analysts and admins; only they set one."""

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

register(
    ResourcePolicy(
        name="country_situation",
        actions={"read": Role.PUBLIC, "set": Role.ANALYST},
        fields={
            "id": _P,
            "country_id": _P,
            "category": _P,
            "rationale": _P,
            "effective_on": _P,
            "set_at": _P,
            "set_by": _R,
        },
    )
)
