"""The CLI reference page (docs/cli.md), generated from the commands themselves."""

from __future__ import annotations

from typing import Any

import typer

HEADER = (
    "# CLI reference\n\n"
    "Generated from the commands by `make docs` (scripts/cli_reference.py); a test keeps it "
    "current. Every command also answers `--help`.\n"
)


def _walk(command: Any, path: list[str], out: list[str]) -> None:
    context = typer.Context(command, info_name=" ".join(path))
    if path[1:]:
        out.append(f"\n{'#' * min(len(path), 4)} `{' '.join(path)}`\n")
        out.append("```text\n" + command.get_help(context).rstrip() + "\n```\n")
    if hasattr(command, "list_commands"):
        for name in sorted(command.list_commands(context)):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                _walk(sub, [*path, name], out)


def render_cli_reference(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    out: list[str] = [HEADER]
    context = typer.Context(root, info_name="lens", terminal_width=100, max_content_width=100)
    out.append("\n## `lens`\n")
    out.append("```text\n" + root.get_help(context).rstrip() + "\n```\n")
    _walk(root, ["lens"], out)
    return "".join(out)
