"""Risk pages and API: forecasts map and CSV, country page, assessment form, and no leak of
restricted assessments to anonymous users or contributors by any route."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from prevention_lens.accounts import users
from prevention_lens.ingest import get_format, run_import
from prevention_lens.risk.assessments import ScoreInput, record_assessment
from prevention_lens.risk.forecasts import ForecastRow, store_backtest, store_forecast_run
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import AuditEntry
from prevention_lens.web.app import create_app
from tests.risk.conftest import SMALL_FRAMEWORK

PASSWORD = "correct horse battery"
MARKER = "SECRET-WITNESS-7f3a"
ROUTES = [
    "/",
    "/risk",
    "/risk/MMR",
    "/risk/backtest",
    "/risk/backtest?number=1",
    "/risk/backtest?format=csv",
    "/risk?format=csv",
    "/countries/MMR",
    "/api/v1/risk/forecasts",
    "/api/v1/risk/backtests",
    "/api/v1/risk/backtests/latest",
    "/api/v1/risk/countries/MMR",
    "/api/v1/risk/countries/Burma",
    "/risk/NOWHERE",
    "/api/v1/audit",
]


@pytest.fixture
def client(settings: Settings, sqlite_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    framework = tmp_path / "framework.yaml"
    framework.write_text(SMALL_FRAMEWORK)
    run_import(sqlite_store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework)
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        users.add_user(session, LOCAL_OPERATOR, "cora", PASSWORD, Role.CONTRIBUTOR)
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "MMR",
            date(2025, 3, 1),
            [ScoreInput("1.1", 3, f"Told by {MARKER}", f"https://example.org/{MARKER}")],
            summary=f"Restricted view of {MARKER}",
        )
        store_forecast_run(
            session,
            LOCAL_OPERATOR,
            model_name="test-model",
            model_params={"depth": 2},
            panel_spec="ewp2025",
            data_sha256="0" * 64,
            origin_year=2024,
            metrics={},
            rows=[
                ForecastRow(
                    "MMR",
                    0.10,
                    1,
                    0.06,
                    0.15,
                    0.12,
                    drivers=[
                        {"predictor": "battledeaths.log2", "value": 11.2, "contribution": 0.8}
                    ],
                    shifts=PARTS,
                ),
                ForecastRow("TCD", 0.05, 2),
            ],
        )
        for auc in (0.85, 0.9):
            store_backtest(session, LOCAL_OPERATOR, _backtest_table(auc))
    with TestClient(create_app(settings, sqlite_store), base_url="https://testserver") as test:
        yield test


# The change from 12% to 10% in parts, as `lens risk forecast` stores them: they sum to -0.02.
PARTS = [
    {"kind": "refit", "predictor": "model refit", "label": "Model refitted", "change": -0.005},
    {
        "kind": "data",
        "predictor": "popsize.log2",
        "label": "Population",
        "before": "about 54 million people",
        "after": "about 55 million people",
        "change": -0.016,
    },
    {
        "kind": "data",
        "predictor": "time trend",
        "label": "Time trend (the calendar year)",
        "before": "2023",
        "after": "2024",
        "change": 0.001,
    },
]


def _backtest_table(auc: float) -> dict[str, object]:
    figures = {
        "auc": auc,
        "auc_ci": [auc - 0.03, auc + 0.03],
        "average_precision": 0.1,
        "brier": 0.01,
        "log_loss": 0.05,
        "top10": 15,
        "top20": 22,
        "top30": 30,
        "mean_forecast": 0.015,
        "observed_rate": 0.014,
        "wall_s": 3.5,
    }
    return {
        "models": {"test-model": figures},
        "peer": {"ewp_published": figures | {"auc": 0.825, "auc_ci": [0.79, 0.86]}},
        "default_model": "test-model",
        "panel_spec": "ewp2025",
        "data_sha256": "0" * 64,
        "n_boot": 200,
        "curves": {
            "test-model": {
                "reliability": [{"mean_forecast": 0.01, "observed_rate": 0.02, "count": 9}],
                "catch": [1, 2, 2],
                "onsets": 3,
            }
        },
        "country_history": {
            "model": "test-model",
            "horizon": 2,
            "countries": {
                "MMR": {
                    "years": [2014, 2015, 2016],
                    "probability": [0.05, 0.061, 0.09],
                    "rank": [7.0, 5.0, 2.0],
                    "onsets": [2016],
                }
            },
        },
    }


def _login(client: TestClient, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize("who", [None, "cora"])
def test_restricted_assessment_never_leaks(client: TestClient, who: str | None) -> None:
    if who:
        _login(client, who)
    for route in ROUTES:
        response = client.get(route)
        assert MARKER not in response.text, f"{route} shows the restricted assessment"


def test_analysts_see_the_restricted_assessment(client: TestClient) -> None:
    _login(client, "ana")
    assert MARKER in client.get("/risk/MMR").text
    assert MARKER in client.get("/api/v1/risk/countries/MMR").text


def test_risk_map_ranks_and_filters_and_downloads(client: TestClient) -> None:
    page = client.get("/risk")
    assert page.status_code == 200
    assert page.text.index("Myanmar") < page.text.index("Chad")
    assert '"MMR": 0.1' in page.text
    csv_text = client.get("/risk", params={"format": "csv", "level": "very high"}).text
    assert csv_text.splitlines()[0].startswith("rank,country_key,country_name")
    assert [line.split(",")[1] for line in csv_text.splitlines()[1:]] == ["MMR"]


def test_country_page_shows_forecast_drivers_and_change(client: TestClient) -> None:
    text = client.get("/risk/MMR").text
    assert "10.0% chance" in text and "-2.0 points" in text and "battledeaths.log2" in text
    assert "No Framework assessment of this country is on record that you may see" in text


def test_country_page_explains_the_change_part_by_part(client: TestClient) -> None:
    text = client.get("/risk/MMR").text
    # The parts are shown in points, with readable values, and they add up to the change.
    assert "-2.0 points since the forecast from 2023" in text
    assert "Model refitted" in text and "-0.5" in text
    assert (
        "about 54 million people" in text and "about 55 million people" in text and "-1.6" in text
    )
    assert "Time trend (the calendar year)" in text and "+0.1" in text
    # Where the levels' cut-offs come from, and the forecasts of past years with onsets marked.
    assert "four times" in text and "very high" in text
    assert "6.1%" in text and "onset" in text
    assert 'href="/countries/MMR"' in text


def test_country_urls_take_any_name_and_redirect_to_the_key(client: TestClient) -> None:
    for path, target in (("/risk/Burma", "/risk/MMR"), ("/risk/burma/assess", "/risk/MMR/assess")):
        if path.endswith("assess"):
            _login(client, "ana")
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 307, path
        assert response.headers["location"].endswith(target)
    assert client.get("/risk/NOWHERE").status_code == 404


def test_one_audit_row_per_restricted_read(client: TestClient, sqlite_store: Store) -> None:
    _login(client, "ana")

    def reads() -> int:
        with sqlite_store.session() as session:
            return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all())

    for route in ("/risk/MMR", "/api/v1/risk/countries/MMR"):
        before = reads()
        assert MARKER in client.get(route).text
        assert reads() - before == 1, route


def test_assessment_form_records_for_analysts_only(client: TestClient) -> None:
    assert client.get("/risk/MMR/assess", follow_redirects=False).status_code == 303
    _login(client, "ana")
    form = client.get("/risk/MMR/assess")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert form.status_code == 200 and token
    bad = client.post(
        "/risk/MMR/assess",
        data={
            "csrf_token": token.group(1),
            "assessed_on": "2025-04-01",
            "score-1.1": "3",
        },
    )
    assert bad.status_code == 422 and "needs an evidence note" in bad.text
    good = client.post(
        "/risk/MMR/assess",
        data={
            "csrf_token": token.group(1),
            "assessed_on": "2025-04-01",
            "score-1.1": "2",
            "evidence-1.1": "Clashes in Shan",
            "score-11": "1",
            "public": "yes",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    history = client.get("/api/v1/risk/countries/MMR").json()["assessments"]
    assert [h["assessed_on"] for h in history] == ["2025-04-01", "2025-03-01"]


def test_contributors_cannot_post_assessments_by_api(client: TestClient) -> None:
    _login(client, "cora")
    body = {"country": "MMR", "assessed_on": "2025-01-01", "scores": [{"code": "1.1", "score": 1}]}
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/").text)
    assert token
    response = client.post(
        "/api/v1/risk/assessments", json=body, headers={"X-CSRF-Token": token.group(1)}
    )
    assert response.status_code == 403


def test_backtest_page_shows_the_latest_table_and_the_history(client: TestClient) -> None:
    text = client.get("/risk/backtest").text
    shown = text.split('id="backtest-history"')[0]
    assert "test-model" in shown and "0.900" in shown and "0.850" not in shown
    assert '<script type="application/json" id="backtest-curves">' in text
    assert '"catch": [1, 2, 2]' in text
    history = text.split('id="backtest-history"')[1]
    assert history.index('number=2"') < history.index('number=1"')
    earlier = client.get("/risk/backtest?number=1").text
    assert "0.850" in earlier.split('id="backtest-history"')[0]
    assert client.get("/risk/backtest?number=99").status_code == 404


def test_backtest_csv_has_every_figure_with_its_interval(client: TestClient) -> None:
    response = client.get("/risk/backtest?number=1&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="backtest-1.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["model"], row["role"]) for row in rows] == [
        ("test-model", "default"),
        ("ewp_published", "peer"),
    ]
    assert rows[0]["auc"] == "0.85" and rows[0]["auc_low"] == str(0.85 - 0.03)
    assert rows[1]["auc_high"] == "0.86" and rows[1]["top20"] == "22"
    assert rows[0]["brier_low"] == ""


def test_backtest_api_lists_and_shows(client: TestClient) -> None:
    listed = client.get("/api/v1/risk/backtests").json()
    assert [row["id"] for row in listed] == [2, 1]
    assert listed[0]["headline"]["auc"] == 0.9 and "table" not in listed[0]
    one = client.get("/api/v1/risk/backtests/1").json()
    assert one["table"]["models"]["test-model"]["auc"] == 0.85 and one["n_boot"] == 200
    assert client.get("/api/v1/risk/backtests/latest").json()["id"] == 2
    assert client.get("/api/v1/risk/backtests/7").status_code == 404
