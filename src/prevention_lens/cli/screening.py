"""`lens screen`: screen a proposed policy, programme or decision for atrocity risk (the prevention
lens): the Framework risk factors it may aggravate or mitigate, why, how sure, and the questions
to put at the table, as Markdown, HTML, PDF or JSON.

The screening, the embedding model and Typst are imported inside the command, so that
`lens --version` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import errors, print_json
from prevention_lens.errors import ValidationError

FORMATS = ("md", "html", "pdf", "json")


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise ValidationError(f"no such file: {source}", field="FILE")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"{source} is not UTF-8 text", field="FILE") from None


def screen(
    source: Annotated[
        str, typer.Argument(metavar="FILE", help="The text to screen, or - for standard input.")
    ],
    country: Annotated[
        str, typer.Option("--country", help="The country it is for: any name, alias or code.")
    ],
    sector: Annotated[
        str,
        typer.Option("--sector", help="The reader's sector: ap, dev, sec, hum, hr, com or pb."),
    ] = "ap",
    fmt: Annotated[
        str, typer.Option("--format", help="md, html, pdf or json (default md).")
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (default: standard output; pdf needs it)."),
    ] = None,
) -> None:
    """Screen a proposed policy, programme or decision (at most 20,000 characters) against the
    Framework of Analysis: the risk factors it may aggravate or mitigate, with reasons, a
    confidence and questions for the table. It advises; it decides nothing."""
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}", field="--format"
        )
    if fmt == "pdf" and output is None:
        raise ValidationError("a PDF needs a file: give -o FILE.pdf", field="--output")
    from prevention_lens.briefs.screening import screen as screen_text

    text = _read_text(source)
    with context.store().session() as session:
        screening = screen_text(session, country, sector, text)
    if fmt == "json":
        if output is None:
            print_json(screening.to_dict())
            return
        import json

        output.write_text(
            json.dumps(screening.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    elif fmt == "pdf":
        from prevention_lens.briefs.screening_pdf import screening_pdf

        if output is None:  # checked above, before the screening ran
            raise ValidationError("a PDF needs a file: give -o FILE.pdf", field="--output")
        output.write_bytes(screening_pdf(screening))
    else:
        from prevention_lens.briefs.screening_render import screening_html, screening_markdown

        document = screening_markdown(screening) if fmt == "md" else screening_html(screening)
        if output is None:
            sys.stdout.write(document if document.endswith("\n") else document + "\n")
            return
        output.write_text(document, encoding="utf-8")
    touched = len(screening.factors)
    errors.print(
        f"Wrote the screening to {output}: {touched} risk factor{'s' if touched != 1 else ''} "
        f"touched, confidence {screening.confidence}.",
        markup=False,
        highlight=False,
    )
