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


def test_require_2fa_for_a_role_and_turn_it_off(lens: Lens) -> None:
    lens("users", "add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    required = lens("users", "require-2fa", "--role", "admin")
    assert required.code == 0 and "admin users must now use two-factor login" in required.out
    assert "1 of them (root) will enrol at their next login" in required.out
    rows = lens("users", "list", "--json").json()
    assert rows[0]["totp_enabled_at"] is None  # type: ignore[index]
    off = lens("users", "require-2fa", "--role", "admin", "--off")
    assert off.code == 0 and "no longer required" in off.out
    bad = lens("users", "require-2fa", "--role", "boss")
    assert bad.code == 2 and "unknown role 'boss'" in bad.err


def test_per_user_two_factor_enable_disable_reset(lens: Lens) -> None:
    from prevention_lens.accounts import two_factor, users
    from prevention_lens.cli import context
    from prevention_lens.store.access import LOCAL_OPERATOR

    lens("users", "add", "amina", "--password-stdin", stdin=PASSWORD)
    enabled = lens("users", "2fa", "enable", "amina")
    assert enabled.code == 0 and "amina must set up two-factor login" in enabled.out
    assert lens("users", "list", "--json").json()[0]["totp_required"] is True  # type: ignore[index]
    with context.store().session() as session:
        user = users.get_user(session, "amina")
        two_factor.begin_enrolment(session, LOCAL_OPERATOR, user)
        user.totp_enabled_at = user.created_at
    reset = lens("users", "2fa", "reset", "amina")
    assert reset.code == 0 and "amina's two-factor login was reset" in reset.out
    with context.store().session() as session:
        user = users.get_user(session, "amina")
        assert user.totp_secret is None and user.totp_required
    disabled = lens("users", "2fa", "disable", "amina")
    assert disabled.code == 0 and "no longer uses" in disabled.out
    assert lens("users", "list", "--json").json()[0]["totp_required"] is False  # type: ignore[index]
    missing = lens("users", "2fa", "reset", "nobody")
    assert missing.code == 2 and missing.err.strip() == "Error: No user 'nobody'."


def test_no_users_yet_says_how_to_add_one(lens: Lens) -> None:
    shown = " ".join(lens("users", "list").out.split())
    assert shown.startswith("No users in the store at ")
    assert "`lens users add NAME --role admin`" in shown
