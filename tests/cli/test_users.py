"""`lens users`: add, list, set-role, disable; duplicates and bad roles are one clear line."""

from __future__ import annotations

from tests.cli.conftest import Lens

PASSWORD = "correct horse battery\n"


def test_add_list_set_role_disable(lens: Lens) -> None:
    added = lens("users", "add", "amina", "--role", "analyst", "--password-stdin", stdin=PASSWORD)
    assert added.code == 0 and "Added amina (analyst)" in added.out
    assert lens("users", "set-role", "amina", "admin").code == 0
    assert lens("users", "disable", "amina").code == 0
    rows = lens("users", "list", "--json").json()
    assert rows == [
        {**rows[0], "username": "amina", "role": "admin", "is_active": False}  # type: ignore[index]
    ]
    assert "password_hash" not in rows[0]  # type: ignore[index]


def test_duplicate_user_and_bad_role_fail_cleanly(lens: Lens) -> None:
    lens("users", "add", "amina", "--password-stdin", stdin=PASSWORD)
    duplicate = lens("users", "add", "amina", "--password-stdin", stdin=PASSWORD)
    assert duplicate.code == 2 and duplicate.err.strip() == "Error: User 'amina' already exists."
    bad = lens("users", "add", "bob", "--role", "boss", "--password-stdin", stdin=PASSWORD)
    assert bad.code == 2 and "unknown role 'boss'" in bad.err
    missing = lens("users", "set-role", "nobody", "admin")
    assert missing.code == 2 and missing.err.strip() == "Error: No user 'nobody'."


def test_password_is_required_without_a_terminal(lens: Lens) -> None:
    result = lens("users", "add", "amina", stdin="")
    assert result.code == 2 and "no password given" in result.err


def test_api_token_is_shown_once_and_listed_without_secret(lens: Lens) -> None:
    lens("users", "add", "bot", "--role", "analyst", "--password-stdin", stdin=PASSWORD)
    created = lens("users", "token", "create", "bot", "--name", "nightly", "--json").json()
    assert isinstance(created, dict) and str(created["token"]).startswith("lens_")
    listed = lens("users", "token", "list", "bot", "--json")
    assert "nightly" in listed.out and str(created["token"]) not in listed.out
