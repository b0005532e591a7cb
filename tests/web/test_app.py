"""The web shell through its HTTP interface: pages, login, CSRF, API access rules, error pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event

from prevention_lens.accounts import tokens, users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import ROUTERS, create_app

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
    assert "Secure" in first_cookie(settings.replace(cookie_secure="always"))


# --- no enumeration: anonymous answers do not depend on what exists --------------------------


def _anonymous_with_csrf(app_client: TestClient) -> dict[str, str]:
    """What an anonymous attacker has: the CSRF cookie and its token, no session."""
    return {"X-CSRF-Token": _csrf(app_client, "/login")}


@pytest.mark.parametrize("body", [{}, {"role": "admin"}, {"is_active": False}, {"role": "x"}])
def test_patching_users_answers_the_same_whether_or_not_they_exist(
    client: TestClient, body: dict[str, object]
) -> None:
    headers = _anonymous_with_csrf(client)
    existing = client.patch("/api/v1/users/admin", json=body, headers=headers)
    missing = client.patch("/api/v1/users/nobody", json=body, headers=headers)
    assert existing.status_code == missing.status_code == 401
    assert existing.json() == missing.json()
    _login(client, "cora")
    headers = {"X-CSRF-Token": _csrf(client, "/")}
    existing = client.patch("/api/v1/users/admin", json=body, headers=headers)
    missing = client.patch("/api/v1/users/nobody", json=body, headers=headers)
    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json()


def _hidden_targets(store: Store, settings: Settings) -> dict[str, str]:
    """One record of each kind that exists but that anonymous readers may not see."""
    from prevention_lens.actors.records import actor_draft_from_mapping, create_actor
    from prevention_lens.incidents.drafts import draft_from_mapping
    from prevention_lens.incidents.evidence import add_attachment
    from prevention_lens.incidents.records import create_incident

    with store.session() as session:
        incident = create_incident(
            session,
            LOCAL_OPERATOR,
            draft_from_mapping(
                {
                    "category": "one_sided_violence",
                    "date_start": "2020-01-01",
                    "country": "MMR",
                    "title": "Hidden",
                    "confidentiality": "restricted",
                }
            ),
        )
        attachment = add_attachment(
            session,
            LOCAL_OPERATOR,
            settings.home / "evidence",
            incident.id,
            "statement.txt",
            io.BytesIO(b"statement"),
        )
        actor = create_actor(
            session,
            LOCAL_OPERATOR,
            actor_draft_from_mapping(
                {
                    "name": "Draft forum",
                    "kind": "civil_society",
                    "levels": "local",
                    "countries": "MMR",
                }
            ),
        )
        return {
            "incident_id": str(incident.id),
            "attachment_id": str(attachment["id"]),
            "actor_id": str(actor.id),
            "username": "admin",
            "number": "1",
        }


MISSING = {
    "incident_id": "987654",
    "attachment_id": "987654",
    "actor_id": "987654",
    "username": "nobody-here",
    "number": "987654",
}


def _answer(response: Any, value: str) -> tuple[int, str, str | None]:
    """Status, body (with the id or name asked for blanked out) and redirect target."""
    # Only where an id or name is quoted (after "/", a space or a quote): small ids like "1"
    # also appear elsewhere in a page.
    asked = re.compile(rf"(?<=[/ '\"]){re.escape(value)}(?![\w-])")
    location = response.headers.get("location")
    return (
        response.status_code,
        asked.sub("{target}", response.text),
        asked.sub("{target}", location) if location else None,
    )


def test_no_route_tells_anonymous_users_whether_a_hidden_record_exists(
    client: TestClient, sqlite_store: Store, settings: Settings
) -> None:
    """Every route with an id or name in its path answers an anonymous caller (who holds a
    valid CSRF token) exactly the same for a record hidden from them and for one that does
    not exist."""
    hidden = _hidden_targets(sqlite_store, settings)
    headers = _anonymous_with_csrf(client)
    checked = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            names = set(re.findall(r"{(\w+)", route.path))
            if not names or not names <= set(MISSING):
                continue
            for method in sorted(route.methods):
                answers = []
                for values in (hidden, MISSING):
                    path = re.sub(r"{(\w+)(:\w+)?}", lambda m, v=values: v[m.group(1)], route.path)
                    body = {"json": {}} if route.path.startswith("/api/") else {"data": {}}
                    response = client.request(
                        method, path, headers=headers, follow_redirects=False, **body
                    )
                    target = values[sorted(names)[0]]
                    answers.append(_answer(response, target))
                assert answers[0] == answers[1], (
                    f"{method} {route.path}: {answers[0][:1]} vs {answers[1][:1]}"
                )
                checked.append(f"{method} {route.path}")
    assert len(checked) >= 15


# --- error responses: the same headers and a readable body, never a traceback ---------------

SECRET_IN_TRACEBACK = "internal-detail-3f9a"


@pytest.fixture
def failing_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """The real app plus routes (and a middleware) that fail as a bug would, for these tests."""
    app = create_app(settings, sqlite_store)

    def boom() -> None:
        raise RuntimeError(SECRET_IN_TRACEBACK)

    app.add_api_route("/test-only/boom", boom)
    app.add_api_route("/api/v1/test-only/boom", boom)

    @app.middleware("http")
    async def failing_middleware(request: Any, call_next: Any) -> Any:
        if request.url.path.endswith("/middleware-boom"):
            raise RuntimeError(SECRET_IN_TRACEBACK)
        return await call_next(request)

    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as test:
        yield test


def _assert_security_headers(response: Any) -> None:
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/test-only/boom", "/test-only/middleware-boom"])
def test_a_500_page_is_readable_html_with_the_security_headers(
    failing_client: TestClient, path: str
) -> None:
    response = failing_client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    _assert_security_headers(response)
    assert "Something went wrong" in response.text and "<nav" in response.text
    assert SECRET_IN_TRACEBACK not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("path", ["/api/v1/test-only/boom", "/api/v1/test-only/middleware-boom"])
def test_an_api_500_is_json_with_the_security_headers(
    failing_client: TestClient, path: str
) -> None:
    response = failing_client.get(path)
    assert response.status_code == 500
    _assert_security_headers(response)
    assert response.json() == {"error": "Something went wrong on the server; it has been logged."}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/no/such/page", 404),
        ("/api/v1/no-such-route", 404),
        ("/api/v1/users", 401),
        ("/api/v1/incidents?limit=0", 422),
        ("/incidents/99999999999999999999", 422),
    ],
)
def test_every_error_response_carries_the_security_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    _assert_security_headers(response)
    if path.startswith("/api/"):
        assert set(response.json()) == {"error"}
    else:
        assert "<h1>" in response.text


def test_a_lens_error_with_retry_after_sets_the_header(
    settings: Settings, sqlite_store: Store
) -> None:
    from prevention_lens.errors import LensError

    class Slow(LensError):
        http_status = 429
        retry_after = 42.2

    app = create_app(settings, sqlite_store)

    def too_many() -> None:
        raise Slow("Too many attempts; wait a minute.")

    app.add_api_route("/api/v1/test-only/slow", too_many)
    with TestClient(app, base_url="https://testserver") as test:
        response = test.get("/api/v1/test-only/slow")
    assert response.status_code == 429 and response.headers["retry-after"] == "43"
    assert response.json() == {"error": "Too many attempts; wait a minute."}


# --- the country hub ------------------------------------------------------------------------


@pytest.fixture
def hub_client(settings: Settings, sqlite_store: Store, tmp_path: Any) -> Iterator[TestClient]:
    from tests.briefs.test_hub import plant_country

    plant_country(sqlite_store, settings, tmp_path)
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "admin", PASSWORD, Role.ADMIN)
    with TestClient(create_app(settings, sqlite_store), base_url="https://testserver") as test:
        yield test


def test_the_hub_links_every_part_to_its_page(hub_client: TestClient) -> None:
    page = hub_client.get("/countries/MMR")
    assert page.status_code == 200
    for href in (
        "/risk/MMR",
        "/signals?country=MMR",
        "/incidents?country=MMR",
        "/actors?country=MMR",
        "/actors/gaps",
    ):
        assert f'href="{href}"' in page.text, href
    assert "very high" in page.text and "Mass killing under way" in page.text
    assert "Yangon Watch" in page.text and "Public attack 2" in page.text
    assert "Assessed on 2024-03-01" in page.text


@pytest.mark.parametrize(
    ("path", "moved_to"),
    [
        ("/countries/Burma", "/countries/MMR"),
        ("/countries/mmr", "/countries/MMR"),
        ("/countries/cow:775", "/countries/MMR"),
        ("/api/v1/countries/Burma/hub", "/api/v1/countries/MMR/hub"),
        ("/api/v1/countries/burma", "/api/v1/countries/MMR"),
    ],
)
def test_country_urls_take_any_name_or_code(
    hub_client: TestClient, path: str, moved_to: str
) -> None:
    response = hub_client.get(path, follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == moved_to
    assert hub_client.get(path).status_code == 200


def test_the_country_search_goes_to_the_hub_of_a_name_it_resolves(hub_client: TestClient) -> None:
    found = hub_client.get("/countries", params={"q": "Burma"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/countries/MMR"
    # A part of a name is still a search of the list.
    listed = hub_client.get("/countries", params={"q": "myan"})
    assert listed.status_code == 200 and 'href="/countries/MMR"' in listed.text
    missing = hub_client.get("/countries/Atlantis")
    assert missing.status_code == 404 and "Unknown country" in missing.text


def test_the_hub_api_is_typed_and_linked(hub_client: TestClient) -> None:
    hub = hub_client.get("/api/v1/countries/MMR/hub").json()
    assert hub["key"] == "MMR" and hub["url"] == "/countries/MMR"
    assert hub["risk"]["level"] == "very high" and hub["risk"]["url"] == "/risk/MMR"
    assert hub["incidents"]["total"] == 2 and hub["actors"]["names"][0]["name"] == "Yangon Watch"
    assert hub["assessment"]["assessed_on"] == "2024-03-01"


@pytest.mark.parametrize("path", ["/countries/MMR", "/api/v1/countries/MMR/hub"])
def test_the_hub_shows_anonymous_readers_nothing_confidential(
    hub_client: TestClient, path: str
) -> None:
    from tests.briefs.test_hub import MARKER

    shown = hub_client.get(path).text
    assert MARKER not in shown and MARKER.lower() not in shown
    for label in ("witness", "exact_place", "contact", "E-mail"):
        assert label not in shown, label


@pytest.mark.parametrize(
    "path",
    ["/", "/countries", "/countries/MMR", "/api/v1/countries/MMR", "/api/v1/countries/MMR/hub"],
)
def test_a_page_view_writes_one_audit_row_per_restricted_read(
    hub_client: TestClient, sqlite_store: Store, path: str
) -> None:
    from sqlalchemy import select

    from prevention_lens.store.models import AuditEntry

    _login(hub_client)
    with sqlite_store.session() as session:
        before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert hub_client.get(path).status_code == 200
    with sqlite_store.session() as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.id > (before or 0), AuditEntry.action == "read")
        ).all()
    keys = [(entry.resource, entry.record_id) for entry in reads]
    assert len(keys) == len(set(keys)), keys
    if "MMR" in path and path != "/api/v1/countries/MMR":
        # The admin read restricted incidents and a confidential assessment: both are logged.
        assert {"incident", "assessment"} <= {resource for resource, _ in keys}


def test_one_country_page_view_looks_the_country_up_once(
    hub_client: TestClient, sqlite_store: Store
) -> None:
    """The page checks the country in its URL and every part of the hub reads that one
    lookup: the aliases imports added are read once, and the country with its neighbours once."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(sqlite_store.engine, "before_cursor_execute", count)
    try:
        assert hub_client.get("/countries/MMR").status_code == 200
    finally:
        event.remove(sqlite_store.engine, "before_cursor_execute", count)
    assert len([s for s in seen if "FROM country_aliases" in s]) == 1, seen
    assert len([s for s in seen if s.startswith("SELECT countries.")]) == 1, seen
