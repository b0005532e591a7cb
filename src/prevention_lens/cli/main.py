"""The `lens` entry point: command groups, and user errors turned into one line and exit code 2."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from prevention_lens.cli import actors, countries, data, db, incidents, risk, serve, users
from prevention_lens.cli.output import errors
from prevention_lens.errors import LensError, SettingsError
from prevention_lens.settings import get_settings

app = typer.Typer(
    name="lens",
    help="Prevention Lens: warn, document, map, inform and advise for atrocity prevention.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help text: the same on every terminal, so docs/cli.md can be generated and checked.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
app.add_typer(risk.app, name="risk")
app.add_typer(incidents.app, name="incidents")
app.command("signals")(incidents.signals)
app.add_typer(actors.app, name="actors")
app.add_typer(countries.app, name="countries")
app.add_typer(users.app, name="users")
app.add_typer(data.app, name="data")
app.add_typer(db.app, name="db")
app.command("serve")(serve.serve)


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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; user errors print one line, never a traceback."""
    try:
        result = app(args=argv, prog_name="lens", standalone_mode=False)
    except LensError as error:
        errors.print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        errors.print("Aborted.")
        return 1
    except typer.TyperException as error:
        # Usage errors (bad option, missing argument): the runner's own message and code.
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            errors.print(f"Error: {error}", markup=False)
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


def run() -> None:
    # Here and not in main(): main() also runs inside test processes, whose environment this
    # must not change.
    cap_native_threads()
    sys.exit(main())
