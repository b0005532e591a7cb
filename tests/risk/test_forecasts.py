"""Stored forecasts: runs with provenance, ranked rows with change and level, history."""

from __future__ import annotations

import pytest

from prevention_lens.errors import NotFoundError, PermissionDeniedError
from prevention_lens.risk.forecasts import (
    ForecastRow,
    attach_backtest,
    country_forecast_history,
    latest_run,
    risk_level,
    run_forecasts,
    store_forecast_run,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role


def _store(store: Store, origin: int, myanmar: float) -> int:
    with store.session() as session:
        run = store_forecast_run(
            session,
            LOCAL_OPERATOR,
            model_name="m",
            model_params={"a": 1},
            panel_spec="ewp2025",
            data_sha256="f" * 64,
            origin_year=origin,
            metrics={},
            rows=[
                ForecastRow("MMR", myanmar, 1, previous_probability=0.05),
                ForecastRow("TCD", 0.01, 2),
            ],
        )
        return run.id


def test_runs_keep_provenance_and_history(store: Store) -> None:
    _store(store, 2023, 0.05)
    second = _store(store, 2024, 0.09)
    with store.session() as session:
        run = latest_run(session, ANONYMOUS)
        assert run is not None and run["id"] == second and run["code_version"]
        rows = run_forecasts(session, ANONYMOUS, second)
        assert [(r["country_key"], r["level"]) for r in rows] == [
            ("MMR", "very high"),
            ("TCD", "low"),
        ]
        assert rows[0]["change"] == pytest.approx(0.04) and rows[1]["change"] is None
        history = country_forecast_history(session, ANONYMOUS, "MMR")
        assert [h["origin_year"] for h in history] == [2024, 2023]


def test_only_analysts_store_runs(store: Store) -> None:
    with pytest.raises(PermissionDeniedError), store.session() as session:
        store_forecast_run(
            session,
            Principal("c", Role.CONTRIBUTOR, 3),
            model_name="m",
            model_params={},
            panel_spec="x",
            data_sha256="0",
            origin_year=2024,
            metrics={},
            rows=[],
        )


@pytest.mark.parametrize(
    ("probability", "level"),
    [(0.2, "very high"), (0.08, "very high"), (0.05, "high"), (0.02, "elevated"), (0.001, "low")],
)
def test_levels(probability: float, level: str) -> None:
    assert risk_level(probability) == level


def test_backtest_is_kept_with_the_latest_run(store: Store) -> None:
    with store.session() as session, pytest.raises(NotFoundError):
        attach_backtest(session, LOCAL_OPERATOR, {"models": {}})
    run_id = _store(store, 2024, 0.09)
    with store.session() as session:
        assert attach_backtest(session, LOCAL_OPERATOR, {"models": {"m": {"auc": 0.8}}}) == run_id
    with store.session() as session:
        run = latest_run(session, ANONYMOUS)
        assert run is not None and run["metrics"]["backtest"]["models"]["m"]["auc"] == 0.8
