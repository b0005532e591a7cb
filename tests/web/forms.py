"""Helpers for driving the app's forms through a TestClient: the CSRF token and logging in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def csrf_token(client: TestClient, path: str) -> str:
    """The CSRF token the form on ``path`` carries."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str) -> None:
    """Log in through the login form; the client keeps the session cookie."""
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
