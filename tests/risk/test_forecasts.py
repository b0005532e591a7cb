"""Stored forecasts: runs with provenance, ranked rows with change and level, history."""

from __future__ import annotations

import pytest

from prevention_lens.errors import NotFoundError, PermissionDeniedError
from prevention_lens.risk.forecasts import (
    ForecastRow,
    backtest_columns,
    backtest_history,
    backtest_record,
    backtest_records,
    backtest_rows,
    country_forecast_history,
    latest_run,
    risk_level,
    risk_table,
    run_forecasts,
    store_backtest,
    store_forecast_run,
    stored_backtest,
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


def _table(auc: float) -> dict[str, object]:
    return {
        "models": {"m": {"auc": auc, "auc_ci": [auc - 0.1, auc + 0.1], "top10": 9}},
        "peer": {"ewp_published": {"auc": 0.825}},
        "default_model": "m",
        "panel_spec": "ewp2025",
        "data_sha256": "a" * 64,
        "n_boot": 50,
    }


def test_backtests_are_kept_as_history_with_provenance(store: Store) -> None:
    with store.session() as session:
        assert stored_backtest(session, ANONYMOUS) is None
        first = store_backtest(session, LOCAL_OPERATOR, _table(0.8)).id
    run_id = _store(store, 2024, 0.09)
    with store.session() as session:
        second = store_backtest(session, LOCAL_OPERATOR, _table(0.9)).id
    with store.session() as session:
        history = backtest_history(session, ANONYMOUS)
        assert [row["id"] for row in history] == [second, first]
        assert [row["forecast_run_id"] for row in history] == [run_id, None]
        assert history[0]["headline"] == {"auc": 0.9, "average_precision": None, "top10": 9}
        latest = stored_backtest(session, ANONYMOUS)
        assert latest is not None and latest["id"] == second and latest["code_version"]
        assert latest["panel_spec"] == "ewp2025" and latest["n_boot"] == 50
        earlier = stored_backtest(session, ANONYMOUS, first)
        assert earlier is not None and earlier["table"]["models"]["m"]["auc"] == 0.8
        with pytest.raises(NotFoundError):
            stored_backtest(session, ANONYMOUS, 999)


def test_only_analysts_keep_backtests(store: Store) -> None:
    with pytest.raises(PermissionDeniedError), store.session() as session:
        store_backtest(session, Principal("c", Role.CONTRIBUTOR, 3), _table(0.8))


def test_backtest_rows_flatten_figures_and_intervals() -> None:
    rows = backtest_rows({"table": _table(0.8), "default_model": "m"})
    assert [row["model"] for row in rows] == ["m", "ewp_published"]
    assert [row["role"] for row in rows] == ["default", "peer"]
    assert rows[0]["auc_low"] == pytest.approx(0.7) and rows[0]["auc_high"] == pytest.approx(0.9)
    assert rows[1]["auc_low"] is None and rows[1]["top10"] is None
    assert list(rows[0]) == backtest_columns()


def test_typed_reads_have_one_not_found_behaviour(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(NotFoundError, match="No forecasts are stored yet"):
            risk_table(session, ANONYMOUS)
        with pytest.raises(NotFoundError, match="No backtest is stored yet"):
            backtest_record(session, ANONYMOUS)
        with pytest.raises(NotFoundError):
            backtest_record(session, ANONYMOUS, 999)
        assert backtest_records(session, ANONYMOUS) == []
    second = _store(store, 2024, 0.09)
    with store.session() as session:
        kept = store_backtest(session, LOCAL_OPERATOR, _table(0.9)).id
    with store.session() as session:
        table = risk_table(session, ANONYMOUS)
        assert table.run.id == second and table.run.origin_year == 2024
        assert [(row.country_key, row.level) for row in table.rows] == [
            ("MMR", "very high"),
            ("TCD", "low"),
        ]
        assert table.rows[0].change == pytest.approx(0.04)
        record = backtest_record(session, ANONYMOUS)
        assert record.id == kept and record.headline["auc"] == 0.9
        assert [row["model"] for row in backtest_rows(record)] == ["m", "ewp_published"]
        assert [b.id for b in backtest_records(session, ANONYMOUS)] == [kept]
