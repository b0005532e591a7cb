"""Situation pages and API: the current category beside the suggestion, the history, the
analysts' form behind CSRF, contributors and anonymous readers cannot set, and readers below
analyst never see who set a situation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from prevention_lens.accounts import users
from prevention_lens.risk.situations import set_situation
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import CountrySituation
from prevention_lens.web import app as app_module
from prevention_lens.web.routers import pages, situations
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"
# Who set the planted situation: a name no page or answer shows a reader below analyst.
SETTER = "setter-7c1d"


@pytest.fixture
def client(
    settings: Settings, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    if situations.router not in app_module.ROUTERS:
        # Before the pages router and its catch-all section route, as web/app.py lists it.
        routers = list(app_module.ROUTERS)
        at = routers.index(pages.router)
        routers[at:at] = [situations.api_router, situations.router]
        monkeypatch.setattr(app_module, "ROUTERS", tuple(routers))
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
        users.add_user(session, LOCAL_OPERATOR, "cora", PASSWORD, Role.CONTRIBUTOR)
        users.add_user(session, LOCAL_OPERATOR, SETTER, PASSWORD, Role.ANALYST)
        set_situation(
            session,
            Principal(SETTER, Role.ANALYST, 99),
            "SDN",
            "current_crisis",
            "Killings in El Fasher",
            date(2025, 1, 1),
        )
    with TestClient(
        app_module.create_app(settings, sqlite_store), base_url="https://testserver"
    ) as test:
        yield test


def _count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(CountrySituation)) or 0)


def test_anonymous_page_shows_current_suggestion_history_and_no_form(client: TestClient) -> None:
    page = client.get("/countries/SDN/situation")
    assert page.status_code == 200
    text = page.text
    assert "Current crisis" in text and "Killings in El Fasher" in text
    assert "Suggestion" in text and "No forecast is stored for this country." in text
    assert "never set by itself" in text
    assert 'name="rationale"' not in text and SETTER not in text
    empty = client.get("/countries/MMR/situation").text
    assert "No situation category is set for Myanmar." in empty
    moved = client.get("/countries/Sudan/situation", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/countries/SDN/situation"
    assert client.get("/countries/Atlantis/situation").status_code == 404


def test_anonymous_api_never_shows_who_set_it(client: TestClient) -> None:
    answer = client.get("/api/v1/countries/Sudan/situation")
    assert answer.status_code == 200
    body = answer.json()
    assert body["country"] == "SDN" and body["current"]["category"] == "current_crisis"
    assert body["current"]["set_by"] is None
    assert [row["set_by"] for row in body["history"]] == [None]
    assert body["suggestion"]["category"] == "none" and body["suggestion"]["reasons"]
    listed = client.get("/api/v1/situations").json()
    assert [row["country_key"] for row in listed] == ["SDN"] and listed[0]["set_by"] is None
    for path in ("/situations", "/api/v1/situations", "/api/v1/countries/SDN/situation"):
        assert SETTER not in client.get(path).text


def test_an_analyst_sets_through_the_form_with_csrf(
    client: TestClient, sqlite_store: Store
) -> None:
    log_in(client, "ana", PASSWORD)
    page = client.get("/countries/MMR/situation").text
    assert 'name="rationale"' in page and 'name="csrf_token"' in page
    token = csrf_token(client, "/countries/MMR/situation")
    refused = client.post(
        "/countries/MMR/situation",
        data={"category": "imminent_risk", "rationale": "Build-up"},
        follow_redirects=False,
    )
    assert refused.status_code == 403 and _count(sqlite_store) == 1
    done = client.post(
        "/countries/MMR/situation",
        data={
            "category": "imminent_risk",
            "rationale": "Troops massing near Sittwe",
            "effective_on": "2025-05-01",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/countries/MMR/situation"
    shown = client.get("/countries/MMR/situation").text
    assert "Imminent risk" in shown and "Troops massing near Sittwe" in shown
    assert "set by ana" in shown and "2025-05-01" in shown
    bad = client.post(
        "/countries/MMR/situation",
        data={"category": "imminent_risk", "rationale": " ", "csrf_token": token},
    )
    assert bad.status_code == 422 and "rationale" in bad.text and "is required" in bad.text
    late = client.post(
        "/countries/MMR/situation",
        data={
            "category": "none",
            "rationale": "Too early",
            "effective_on": "next week",
            "csrf_token": token,
        },
    )
    assert late.status_code == 422 and "effective_on" in late.text and "Too early" in late.text
    assert _count(sqlite_store) == 2


def test_the_api_sets_for_analysts_with_the_csrf_header(
    client: TestClient, sqlite_store: Store
) -> None:
    body = {"category": "serious_concern", "rationale": "Hate speech rising"}
    # Without the token the CSRF check refuses first; with it, the reader must log in.
    assert client.post("/api/v1/countries/TCD/situation", json=body).status_code == 403
    anonymous = {"X-CSRF-Token": csrf_token(client, "/login")}
    post = client.post("/api/v1/countries/TCD/situation", json=body, headers=anonymous)
    assert post.status_code == 401
    log_in(client, "ana", PASSWORD)
    assert client.post("/api/v1/countries/TCD/situation", json=body).status_code == 403
    headers = {"X-CSRF-Token": csrf_token(client, "/countries/TCD/situation")}
    made = client.post("/api/v1/countries/Chad/situation", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["set_by"] == "ana" and made.json()["country_key"] == "TCD"
    wrong = client.post(
        "/api/v1/countries/TCD/situation",
        json=body | {"category": "emergency"},
        headers=headers,
    )
    assert wrong.status_code == 422 and "category" in wrong.json()["error"]
    history = client.get("/api/v1/countries/TCD/situation").json()["history"]
    assert [row["set_by"] for row in history] == ["ana"]
    assert _count(sqlite_store) == 2


def test_a_contributor_cannot_set(client: TestClient, sqlite_store: Store) -> None:
    log_in(client, "cora", PASSWORD)
    page = client.get("/countries/MMR/situation").text
    assert 'name="rationale"' not in page and SETTER not in page
    token = csrf_token(client, "/countries/MMR/situation")
    form = client.post(
        "/countries/MMR/situation",
        data={"category": "none", "rationale": "Mine", "csrf_token": token},
    )
    assert form.status_code == 403
    api = client.post(
        "/api/v1/countries/MMR/situation",
        json={"category": "none", "rationale": "Mine"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    assert _count(sqlite_store) == 1


def test_the_list_groups_by_category(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    headers = {"X-CSRF-Token": csrf_token(client, "/situations")}
    for country, category in (("MMR", "imminent_risk"), ("TCD", "none")):
        client.post(
            f"/api/v1/countries/{country}/situation",
            json={"category": category, "rationale": "Why"},
            headers=headers,
        )
    page = client.get("/situations").text
    assert page.index("Current crisis") < page.index("Imminent risk")
    assert '<a href="/countries/SDN/situation">Sudan</a>' in page and "Chad" not in page
    only = client.get("/situations?category=none").text
    assert "Chad" in only and "Sudan" not in only
    assert client.get("/situations?category=emergency").status_code == 422
    api = client.get("/api/v1/situations?category=imminent_risk").json()
    assert [row["country_key"] for row in api] == ["MMR"]
    assert client.get("/api/v1/situations?category=emergency").status_code == 422
