"""Prints the CLI reference (docs/cli.md) generated from the commands; `make docs` writes it."""

from prevention_lens.cli.main import app
from prevention_lens.cli.reference import render_cli_reference

if __name__ == "__main__":
    print(render_cli_reference(app), end="")
