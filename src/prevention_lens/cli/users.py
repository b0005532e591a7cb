"""`lens users`: add, list, change role, disable and enable users; their API tokens and
two-factor login."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table
from prevention_lens.errors import ValidationError

# The accounts and store modules are imported inside each command, so that `lens` starts fast
# (issue 11, item 3).

app = typer.Typer(help="Manage users, roles and API tokens.")
token_app = typer.Typer(help="Create, list and revoke API tokens for scripts.")
app.add_typer(token_app, name="token")
two_factor_app = typer.Typer(help="Demand, turn off or reset one user's two-factor login.")
app.add_typer(two_factor_app, name="2fa")

ROLE_HELP = "public, contributor, analyst or admin"
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise ValidationError(
            "no password given: use --password-stdin, or run in a terminal to be asked",
            field="password",
        )
    return password


@app.command()
def add(
    username: Annotated[str, typer.Argument(help="Login name: lower-case letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "contributor",
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user with a role and a password (asked for, or read from standard input)."""
    from prevention_lens.accounts import users
    from prevention_lens.store.access import Role

    chosen_role = Role.parse(role)
    password = _read_password(password_stdin)
    with context.store().session() as session:
        user = users.add_user(
            session, context.operator(), username, password, chosen_role, display_name
        )
        result = {"id": user.id, "username": user.username, "role": user.role}
    if as_json:
        print_json(result)
    else:
        console.print(f"Added {result['username']} ({result['role']}).")


@app.command("list")
def list_users(as_json: JsonOption = False) -> None:
    """List users with their roles and last login."""
    from prevention_lens.accounts import users

    with context.store().session() as session:
        rows = users.list_users(session, context.operator())
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            f"No users in {context.describe_store()} yet: add one with "
            "`lens users add NAME --role admin` (`make demo` adds 'admin').",
            markup=False,
            highlight=False,
        )
        return
    print_table(
        rows,
        [
            "username",
            "display_name",
            "role",
            "is_active",
            "totp_enabled_at",
            "created_at",
            "last_login_at",
        ],
        title=f"{len(rows)} users",
    )


@app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
) -> None:
    """Change a user's role."""
    from prevention_lens.accounts import users
    from prevention_lens.store.access import Role

    chosen_role = Role.parse(role)
    with context.store().session() as session:
        user = users.set_role(session, context.operator(), username, chosen_role)
        console.print(f"{user.username} is now {user.role}.")


@app.command()
def disable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Disable a user: their logins, sessions and tokens stop working; records stay."""
    from prevention_lens.accounts import users

    with context.store().session() as session:
        user = users.set_active(session, context.operator(), username, active=False)
        console.print(f"{user.username} is disabled.")


@app.command()
def enable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Enable a disabled user again."""
    from prevention_lens.accounts import users

    with context.store().session() as session:
        user = users.set_active(session, context.operator(), username, active=True)
        console.print(f"{user.username} is enabled.")


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password for a user."""
    from prevention_lens.accounts import users

    password = _read_password(password_stdin)
    with context.store().session() as session:
        user = users.set_password(session, context.operator(), username, password)
        console.print(f"Password of {user.username} changed.")


@token_app.command("create")
def create_token(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "script",
    as_json: JsonOption = False,
) -> None:
    """Create an API token; it is printed once and cannot be shown again."""
    from prevention_lens.accounts import tokens

    with context.store().session() as session:
        token = tokens.create_api_token(session, context.operator(), username, name)
    if as_json:
        print_json({"username": username, "name": name, "token": token})
    else:
        console.print("Token (shown once; send it as 'Authorization: Bearer <token>'):")
        print(token)


@token_app.command("list")
def list_tokens(
    username: Annotated[str, typer.Argument(help="The user.")], as_json: JsonOption = False
) -> None:
    """List a user's API tokens (never the tokens themselves)."""
    from prevention_lens.accounts import tokens

    with context.store().session() as session:
        rows = tokens.list_api_tokens(session, context.operator(), username)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["id", "name", "created_at", "last_used_at", "revoked_at"])


@token_app.command("revoke")
def revoke_token(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token."""
    from prevention_lens.accounts import tokens

    with context.store().session() as session:
        tokens.revoke_api_token(session, context.operator(), token_id)
    console.print(f"Token {token_id} revoked.")


@app.command("require-2fa")
def require_2fa(
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    off: Annotated[
        bool, typer.Option("--off", help="No longer require it (users keep it if they set it up).")
    ] = False,
) -> None:
    """Require two-factor login of every user with a role; those not set up enrol at next login."""
    from sqlalchemy import select

    from prevention_lens.accounts import two_factor
    from prevention_lens.store.access import Role
    from prevention_lens.store.models import User

    chosen_role = Role.parse(role)
    with context.store().session() as session:
        two_factor.set_role_required(session, context.operator(), chosen_role, not off)
        if off:
            console.print(f"Two-factor login is no longer required of {chosen_role.label} users.")
            return
        waiting = [
            user.username
            for user in session.scalars(select(User).where(User.role == chosen_role.label))
            if two_factor.needs_enrolment(session, user)
        ]
    console.print(f"{chosen_role.label} users must now use two-factor login.")
    if waiting:
        console.print(
            f"{len(waiting)} of them ({', '.join(waiting)}) will enrol at their next login; "
            "their open sessions have ended."
        )


@two_factor_app.command("enable")
def two_factor_enable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Require two-factor login of one user; they enrol at their next login."""
    from prevention_lens.accounts import two_factor, users

    with context.store().session() as session:
        user = users.get_user(session, username)
        two_factor.set_user_required(session, context.operator(), user, required=True)
        console.print(f"{user.username} must set up two-factor login at their next login.")


@two_factor_app.command("disable")
def two_factor_disable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Turn a user's two-factor login off and stop requiring it of them (not of their role)."""
    from prevention_lens.accounts import two_factor, users

    with context.store().session() as session:
        user = users.get_user(session, username)
        two_factor.disable(session, context.operator(), user)
        two_factor.set_user_required(session, context.operator(), user, required=False)
        still = two_factor.role_requires(session, user.role)
        console.print(f"{user.username} no longer uses two-factor login.")
        if still:
            console.print(
                f"Their role ({user.role}) still requires it: they will enrol at their next login."
            )


@two_factor_app.command("reset")
def two_factor_reset(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """After a lost device: remove a user's secret and recovery codes and end their sessions."""
    from prevention_lens.accounts import two_factor, users

    with context.store().session() as session:
        user = users.get_user(session, username)
        two_factor.reset(session, context.operator(), user)
        again = two_factor.is_required(session, user)
        console.print(
            f"{user.username}'s two-factor login was reset"
            + ("; they will set it up again at their next login." if again else ".")
        )
