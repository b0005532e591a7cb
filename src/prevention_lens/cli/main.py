"""The `lens` entry point: command groups, and user errors turned into one line and exit code 2."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from prevention_lens import __version__
from prevention_lens.cli import actors, countries, data, db, incidents, risk, serve, users
from prevention_lens.cli.output import errors
from prevention_lens.errors import LensError

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


def run() -> None:
    sys.exit(main())
