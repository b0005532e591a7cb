"""The web shell through its HTTP interface: pages, login, CSRF, API access rules, error pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import tokens, users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import create_app

PASSWORD = "correct horse battery"
PAGES = [
    "/",
    "/risk",
    "/incidents",
    "/actors",
    "/evidence",
    "/briefs",
    "/countries",
    "/countries/MMR",
    "/login",
]


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "admin", PASSWORD, Role.ADMIN)
        users.add_user(session, LOCAL_OPERATOR, "cora", PASSWORD, Role.CONTRIBUTOR)
    app = create_app(settings, sqlite_store)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def _csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _login(client: TestClient, username: str = "admin") -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_render_with_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<nav" in response.text and "Risk" in response.text


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/countries/resolve" in spec["paths"]


def test_login_sets_a_secure_httponly_session_and_logout_ends_it(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("lens_session=")]
    assert cookie and "HttpOnly" in cookie[0] and "Secure" in cookie[0]
    assert "samesite=lax" in cookie[0].lower()
    assert client.get("/api/v1/me").json() == {
        "username": "admin",
        "role": "admin",
        "authenticated": True,
    }
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert client.get("/api/v1/me").json()["authenticated"] is False


def test_wrong_password_is_refused_without_saying_which_part(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "admin", "password": "nope-nope-nope", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 401 and "Wrong username or password." in response.text


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_form_posts_without_a_valid_csrf_token_are_refused(
    client: TestClient, token: str | None
) -> None:
    client.get("/login")
    data = {"username": "admin", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text
    assert "lens_session" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/imports"),
        ("PATCH", "/api/v1/users/admin"),
    ],
)
def test_anonymous_calls_to_admin_routes_are_refused(
    client: TestClient, method: str, path: str
) -> None:
    body = {"username": "eve", "password": PASSWORD, "role": "admin"} if method != "GET" else None
    response = client.request(method, path, json=body)
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_contributor_cannot_reach_admin_routes(client: TestClient) -> None:
    _login(client, "cora")
    assert client.get("/api/v1/users").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_api_token_acts_as_its_user(client: TestClient, sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        token = tokens.create_api_token(session, LOCAL_OPERATOR, "admin", "script")
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/users", headers=headers).json()
    assert {row["username"] for row in listed} == {"admin", "cora"}
    assert all("password_hash" not in row for row in listed)
    created = client.post(
        "/api/v1/users",
        headers=headers,
        json={"username": "dana", "password": PASSWORD, "role": "analyst"},
    )
    assert created.status_code == 201 and created.json()["role"] == "analyst"
    duplicate = client.post(
        "/api/v1/users", headers=headers, json={"username": "dana", "password": PASSWORD}
    )
    assert duplicate.status_code == 409 and duplicate.json() == {
        "error": "User 'dana' already exists."
    }
    wrong = client.get("/api/v1/users", headers={"Authorization": "Bearer lens_wrong"})
    assert wrong.status_code == 401


def test_cookie_authenticated_api_writes_need_the_csrf_header(client: TestClient) -> None:
    _login(client)
    body = {"username": "erin", "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 403
    ok = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": _csrf(client, "/")})
    assert ok.status_code == 201


def test_admin_adds_a_user_through_the_form(client: TestClient) -> None:
    _login(client)
    response = client.post(
        "/admin/users",
        data={
            "username": "fatou",
            "password": PASSWORD,
            "role": "analyst",
            "csrf_token": _csrf(client, "/admin/users"),
        },
    )
    assert response.status_code == 200 and "fatou" in response.text
    again = client.post(
        "/admin/users",
        data={
            "username": "fatou",
            "password": PASSWORD,
            "role": "analyst",
            "csrf_token": _csrf(client, "/admin/users"),
        },
    )
    assert again.status_code == 409 and "already exists" in again.text


def test_country_api_resolves_and_suggests(client: TestClient) -> None:
    found = client.get("/api/v1/countries/resolve", params={"q": "Burma"}).json()
    assert (found["key"], found["cow"], found["iso3"]) == ("MMR", 775, "MMR")
    missing = client.get("/api/v1/countries/resolve", params={"q": "Myanmr"})
    assert missing.status_code == 404 and "Did you mean: Myanmar" in missing.json()["error"]
    assert client.get("/api/v1/countries/ZZZ").status_code == 404


def test_unknown_pages_get_a_plain_404_page(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found." in response.text


def test_restricted_pages_send_anonymous_users_to_login(client: TestClient) -> None:
    for path in ("/data", "/admin/users"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_cookies_are_secure_only_over_https(settings: Settings, sqlite_store: Store) -> None:
    def first_cookie(app_settings: Settings, **headers: str) -> str:
        app = create_app(app_settings, sqlite_store)
        with TestClient(app, base_url="http://127.0.0.1") as plain:
            return plain.get("/login", headers=headers).headers["set-cookie"]

    assert "HttpOnly" in first_cookie(settings)
    assert "Secure" not in first_cookie(settings)
    assert "Secure" in first_cookie(settings, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in first_cookie(settings.model_copy(update={"cookie_secure": "always"}))
