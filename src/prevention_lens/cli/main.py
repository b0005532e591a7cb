"""The `lens` entry point: the table of command groups (each imported only when it runs), user
errors turned into one line (a rejected import: one line per kind of problem) and exit code 2,
and an exit that does not wait for the collector."""

from __future__ import annotations

import gc
import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from prevention_lens.cli import context
from prevention_lens.errors import ImportRejectedError, LensError, SettingsError
from prevention_lens.settings import get_settings

if TYPE_CHECKING:
    from rich.console import Console

    # Typer's own copy of Click (the classes a TyperGroup deals in).
    from typer._click import Command, Context

# Each command, in the order `lens --help` lists them: the module that defines it and the
# attribute there (a command group's Typer app, or a single command's function). A module is
# imported only when its command runs or help lists it, so that a command pays for its own
# imports and no other's (issue 11, item 3).
COMMANDS: dict[str, tuple[str, str]] = {
    "signals": ("prevention_lens.cli.incidents", "signals"),
    "serve": ("prevention_lens.cli.serve", "serve"),
    "risk": ("prevention_lens.cli.risk", "app"),
    "incidents": ("prevention_lens.cli.incidents", "app"),
    "actors": ("prevention_lens.cli.actors", "app"),
    "evidence": ("prevention_lens.cli.evidence", "app"),
    "lexicon": ("prevention_lens.cli.lexicon", "app"),
    "speech": ("prevention_lens.cli.speech", "app"),
    "situations": ("prevention_lens.cli.situations", "app"),
    "screen": ("prevention_lens.cli.screening", "screen"),
    "brief": ("prevention_lens.cli.briefs", "brief"),
    "countries": ("prevention_lens.cli.countries", "app"),
    "users": ("prevention_lens.cli.users", "app"),
    "data": ("prevention_lens.cli.data", "app"),
    "db": ("prevention_lens.cli.db", "app"),
}


class LensGroup(TyperGroup):
    """The root group: its commands come from COMMANDS, each built when first asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        others = [name for name in super().list_commands(ctx) if name not in COMMANDS]
        return [*COMMANDS, *others]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = _load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        if args and args[0] not in COMMANDS:
            # An unknown name: build every command, so that "Did you mean …?" can offer them.
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=LensGroup,
    name="lens",
    help="Prevention Lens: warn, document, map, inform and advise for atrocity prevention.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help text: the same on every terminal, so docs/cli.md can be generated and checked.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _load_command(name: str) -> Command:
    """Build command `name` as `app.add_typer(module.app, name=name)` or
    `app.command(name)(module.function)` would have, with the root app's settings."""
    module, attribute = COMMANDS[name]
    target = getattr(import_module(module), attribute)
    holder = typer.Typer(
        rich_markup_mode=app.rich_markup_mode,
        pretty_exceptions_short=app.pretty_exceptions_short,
        suggest_commands=app.suggest_commands,
        add_completion=False,
    )
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


def _show_version(value: bool) -> None:
    if value:
        from prevention_lens import __version__

        print(f"prevention-lens {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Prevention Lens: warn, document, map, inform and advise for atrocity prevention."""


def _errors() -> Console:
    # Rich loads with the first command that prints, not with `lens --version`.
    from prevention_lens.cli.output import errors

    return errors


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; user errors print one line (a rejected import
    one line per kind of problem), never a traceback."""
    try:
        result = app(args=argv, prog_name="lens", standalone_mode=False)
    except LensError as error:
        lines = error.report_lines() if isinstance(error, ImportRejectedError) else [str(error)]
        lines[0] = f"Error: {lines[0]}"
        for line in lines:
            _errors().print(line, markup=False, highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        _errors().print("Aborted.")
        return 1
    except typer.TyperException as error:
        # Usage errors (bad option, missing argument): the runner's own message and code.
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            _errors().print(f"Error: {error}", markup=False)
        return int(getattr(error, "exit_code", 2))
    return result if isinstance(result, int) else 0


# The variables OpenMP and the BLAS libraries read, once, when they load.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def cap_native_threads() -> int | None:
    """Cap the native thread pools at LENS_THREADS (default: the free cores) before any
    numerical library loads; the commands import those libraries only when they run, so the
    cap set here is the one they read. A variable the user set stands. Returns the cap, or None
    when the settings are unreadable (the command then names the bad value itself)."""
    try:
        threads = get_settings().native_threads
    except SettingsError:
        return None
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, str(threads))
    return threads


def finish() -> None:
    """Prepare the process to exit at once: close the store's connections, then exempt every
    object still alive from the garbage collector. Left to it, the interpreter's shutdown walks
    the whole heap (modules, classes, mappers: a tenth of a second or more after a command that
    read the store, issue 11, item 3), only to free memory that the process returns to the
    system when it ends anyway. `atexit` handlers still run."""
    context.close_store()
    gc.freeze()


def run() -> None:
    # Here and not in main(): main() also runs inside test processes, whose environment this
    # must not change and whose objects must stay collectable.
    cap_native_threads()
    code = main()
    finish()
    sys.exit(code)
