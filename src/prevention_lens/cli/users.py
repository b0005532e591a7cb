"""`lens users`: add, list, change role, disable and enable users; manage their API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from prevention_lens.accounts import tokens, users
from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table
from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Role

app = typer.Typer(help="Manage users, roles and API tokens.")
token_app = typer.Typer(help="Create, list and revoke API tokens for scripts.")
app.add_typer(token_app, name="token")

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
    with context.store().session() as session:
        rows = users.list_users(session, context.operator())
    if as_json:
        print_json(rows)
        return
    print_table(
        rows,
        ["username", "display_name", "role", "is_active", "created_at", "last_login_at"],
        title=f"{len(rows)} users",
    )


@app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
) -> None:
    """Change a user's role."""
    chosen_role = Role.parse(role)
    with context.store().session() as session:
        user = users.set_role(session, context.operator(), username, chosen_role)
        console.print(f"{user.username} is now {user.role}.")


@app.command()
def disable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Disable a user: their logins, sessions and tokens stop working; records stay."""
    with context.store().session() as session:
        user = users.set_active(session, context.operator(), username, active=False)
        console.print(f"{user.username} is disabled.")


@app.command()
def enable(username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Enable a disabled user again."""
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
    with context.store().session() as session:
        rows = tokens.list_api_tokens(session, context.operator(), username)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["id", "name", "created_at", "last_used_at", "revoked_at"])


@token_app.command("revoke")
def revoke_token(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token."""
    with context.store().session() as session:
        tokens.revoke_api_token(session, context.operator(), token_id)
    console.print(f"Token {token_id} revoked.")
