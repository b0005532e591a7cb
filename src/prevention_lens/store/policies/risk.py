"""Risk: the Framework's indicators, assessments against it, forecasts and backtests."""

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
