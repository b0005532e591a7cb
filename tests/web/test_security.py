"""Response headers from web/security.py: restricted answers are never stored by a browser or a
proxy cache (``Cache-Control: no-store``), public anonymous pages may be."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import tokens, users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import create_app
from tests.web.forms import log_in

PASSWORD = "correct horse battery"
PAGES = ["/", "/incidents", "/incidents/export.csv", "/actors", "/actors/export.csv", "/risk"]
API = [
    "/api/v1/me",
    "/api/v1/incidents",
    "/api/v1/incidents/export.json",
    "/api/v1/actors/export.csv",
    "/api/v1/formats",
    "/api/v1/countries/MMR",
]


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
    with TestClient(create_app(settings, sqlite_store), base_url="https://testserver") as test:
        yield test


@pytest.mark.parametrize("path", [*PAGES, "/data", "/incidents/review"])
def test_pages_and_exports_for_a_logged_in_user_are_not_stored(
    client: TestClient, path: str
) -> None:
    log_in(client, "ana", PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", API)
def test_api_answers_for_a_token_are_not_stored(
    client: TestClient, sqlite_store: Store, path: str
) -> None:
    with sqlite_store.session() as session:
        token = tokens.create_api_token(session, LOCAL_OPERATOR, "ana", "script")
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", API)
def test_api_answers_for_a_login_session_are_not_stored(client: TestClient, path: str) -> None:
    log_in(client, "ana", PASSWORD)
    response = client.get(path)
    assert response.headers["cache-control"] == "no-store"


def test_errors_and_logins_are_not_stored(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    assert client.get("/incidents/12345").headers["cache-control"] == "no-store"
    fresh = TestClient(client.app, base_url="https://testserver")
    login_page = fresh.get("/login")  # sets the CSRF cookie
    assert login_page.headers["cache-control"] == "no-store"


def test_public_pages_for_anonymous_readers_may_be_cached(client: TestClient) -> None:
    client.get("/login")  # the CSRF cookie is set once; later pages carry no Set-Cookie
    for path in ("/incidents", "/api/v1/incidents", "/static/css/lens.css"):
        response = client.get(path)
        assert "no-store" not in response.headers.get("cache-control", ""), path
    assert "Cookie" in client.get("/incidents").headers["vary"]


def test_static_files_stay_cacheable_for_logged_in_users(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    response = client.get("/static/css/lens.css")
    assert "no-store" not in response.headers.get("cache-control", "")
