"""Helpers for driving the app's forms through a TestClient: the CSRF token and logging in."""

from __future__ import annotations

import re
import time

import pyotp
from fastapi.testclient import TestClient


def csrf_token(client: TestClient, path: str) -> str:
    """The CSRF token the form on ``path`` carries."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(
    client: TestClient, username: str, password: str, totp_secret: str | None = None
) -> None:
    """Log in through the login form; the client keeps the session cookie.

    With ``totp_secret``, answer the two-factor step with the next window's code (the current
    one may have been spent at enrolment; the app accepts its neighbours).
    """
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client, "/login"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    if totp_secret is None:
        return
    assert response.headers["location"].startswith("/login/code")
    response = client.post(
        "/login/code",
        data={
            "code": pyotp.TOTP(totp_secret).at(time.time() + 30),
            "csrf_token": csrf_token(client, "/login/code"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
