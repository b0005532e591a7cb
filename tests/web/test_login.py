"""Logging in through the web: throttling with 429 and Retry-After, and two-factor login."""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from prevention_lens.accounts import two_factor, users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import AuditEntry
from prevention_lens.web.app import create_app
from prevention_lens.web.routers import account
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app_store(settings: Settings, sqlite_store: Store) -> Store:
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "admin", PASSWORD, Role.ADMIN)
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
    return sqlite_store


@pytest.fixture
def client(settings: Settings, app_store: Store) -> Iterator[TestClient]:
    # A long first wait, so that a slow machine cannot outlast it during a test; refusals
    # answered at once, so the tests run quickly.
    slow = settings.replace(login_delay_seconds=30.0, login_refusal_pause_seconds=0.0)
    with TestClient(create_app(slow, app_store), base_url="https://testserver") as test_client:
        yield test_client


def _post_login(client: TestClient, username: str, password: str) -> Any:
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client, "/login"),
        },
        follow_redirects=False,
    )


def _me(client: TestClient) -> str | None:
    answer = client.get("/api/v1/me").json()
    return answer["username"] if answer["authenticated"] else None


def test_twenty_wrong_passwords_then_the_right_one_is_refused_with_429(
    client: TestClient,
) -> None:
    statuses = [_post_login(client, "ana", "wrong password 12").status_code for _ in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    right = client.post(
        "/login",
        data={"username": "ana", "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
        follow_redirects=False,
    )
    assert right.status_code == 429
    assert 1 <= int(right.headers["retry-after"]) <= 30
    assert "Too many login attempts" in right.text
    assert "lens_session" not in right.headers.get("set-cookie", "")
    assert _me(client) is None


def test_unknown_accounts_get_the_same_answers(client: TestClient) -> None:
    def answers(name: str) -> list[tuple[int, str]]:
        seen = []
        for _ in range(7):
            response = client.post(
                "/login",
                data={
                    "username": name,
                    "password": "wrong password 12",
                    "csrf_token": csrf_token(client, "/login"),
                },
            )
            message = re.search(r'role="alert">([^<]*)<', response.text)
            seen.append((response.status_code, message.group(1) if message else ""))
        return seen

    assert answers("ana") == answers("no-such-user")


def test_failed_and_throttled_logins_are_audited_without_passwords(
    client: TestClient, app_store: Store
) -> None:
    for _ in range(6):
        _post_login(client, "ana", "secret guess 999")
    with app_store.session() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action.like("login-%"))))
    assert [e.action for e in entries] == ["login-failed"] * 5 + ["login-throttled"]
    assert entries[0].detail == {"username": "ana", "client": "testclient"}
    assert not any("secret guess" in str(e.detail) for e in entries)


def test_refusals_are_answered_after_a_pause_and_only_the_first_is_audited(
    settings: Settings, app_store: Store
) -> None:
    paused = settings.replace(login_delay_seconds=30.0, login_refusal_pause_seconds=0.3)
    with TestClient(create_app(paused, app_store), base_url="https://testserver") as client:
        for _ in range(5):
            _post_login(client, "ana", "wrong password 12")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            assert _post_login(client, "ana", "wrong password 12").status_code == 429
            timings.append(time.perf_counter() - started)
    assert min(timings) >= 0.3
    with app_store.session() as session:
        throttled = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login-throttled")
        ).all()
    # The first refusal is written; the rest of that wait is refused from memory.
    assert len(throttled) == 1


def test_the_login_route_does_not_block_the_event_loop() -> None:
    # An async route whose argon2 check runs through passwords.verify_password_off_loop.
    assert inspect.iscoroutinefunction(account.login)
    assert "verify_password_off_loop" in inspect.getsource(account.login)


def _enrol_from_the_account_page(client: TestClient) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    client.post(
        "/account/two-factor/start",
        data={"csrf_token": csrf_token(client, "/account/two-factor")},
    )
    page = client.get("/account/two-factor")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret and "otpauth://totp/" in page.text
    confirmed = client.post(
        "/account/two-factor/confirm",
        data={
            "code": pyotp.TOTP(secret.group(1)).now(),
            "csrf_token": csrf_token(client, "/account/two-factor"),
        },
    )
    assert confirmed.status_code == 200
    assert confirmed.headers["cache-control"] == "no-store"
    codes = re.findall(r'class="recovery-code">([0-9a-f]{5}-[0-9a-f]{5})<', confirmed.text)
    assert len(codes) == 10
    return secret.group(1), codes


def test_two_factor_login_asks_for_the_code_after_the_password(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    secret, codes = _enrol_from_the_account_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    first = _post_login(client, "ana", PASSWORD)
    assert first.status_code == 303 and first.headers["location"].startswith("/login/code")
    assert "lens_session" not in first.headers.get("set-cookie", "")
    assert _me(client) is None  # the password alone reaches nothing
    wrong = client.post(
        "/login/code", data={"code": "000000", "csrf_token": csrf_token(client, "/login/code")}
    )
    assert wrong.status_code == 401 and _me(client) is None
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next window's: unspent yet
    done = client.post(
        "/login/code",
        data={"code": code, "csrf_token": csrf_token(client, "/login/code")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and _me(client) == "ana"

    # A recovery code stands in for the device, once.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _post_login(client, "ana", PASSWORD)
    by_code = client.post(
        "/login/code",
        data={"code": codes[0], "csrf_token": csrf_token(client, "/login/code")},
        follow_redirects=False,
    )
    assert by_code.status_code == 303 and _me(client) == "ana"


def test_the_code_step_cannot_be_reached_without_the_password(client: TestClient) -> None:
    response = client.get("/login/code", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    posted = client.post(
        "/login/code",
        data={"code": "123456", "csrf_token": csrf_token(client, "/login")},
    )
    assert posted.status_code == 401 and _me(client) is None


def test_a_role_that_requires_two_factor_sends_users_to_enrol_before_anything(
    client: TestClient, app_store: Store
) -> None:
    with app_store.session() as session:
        two_factor.set_role_required(session, LOCAL_OPERATOR, Role.ADMIN, required=True)
    first = _post_login(client, "admin", PASSWORD)
    assert first.status_code == 303 and first.headers["location"].startswith("/login/enrol")
    assert _me(client) is None
    page = client.get("/login/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret and page.headers["cache-control"] == "no-store"
    done = client.post(
        "/login/enrol",
        data={
            "code": pyotp.TOTP(secret.group(1)).now(),
            "csrf_token": csrf_token(client, "/login/enrol"),
        },
    )
    assert done.status_code == 200 and len(re.findall(r'class="recovery-code"', done.text)) == 10
    assert _me(client) == "admin"


def test_log_in_helper_handles_a_second_step(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    secret, _ = _enrol_from_the_account_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # The current window's code was spent at enrolment; the helper takes the next one.
    log_in(client, "ana", PASSWORD, totp_secret=secret)
    assert _me(client) == "ana"


def test_new_recovery_codes_and_turning_off_need_a_current_code(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    secret, old_codes = _enrol_from_the_account_page(client)
    page = "/account/two-factor"
    wrong = client.post(
        page + "/disable", data={"code": "000000", "csrf_token": csrf_token(client, page)}
    )
    assert wrong.status_code == 422 and "Wrong code." in wrong.text
    renewed = client.post(
        page + "/recovery-codes",
        data={"code": old_codes[0], "csrf_token": csrf_token(client, page)},
    )
    new_codes = re.findall(r'class="recovery-code">([0-9a-f]{5}-[0-9a-f]{5})<', renewed.text)
    assert renewed.status_code == 200 and len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    off = client.post(
        page + "/disable",
        data={
            "code": pyotp.TOTP(secret).at(time.time() + 30),
            "csrf_token": csrf_token(client, page),
        },
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "Two-factor login is <strong>off</strong>" in client.get(page).text
