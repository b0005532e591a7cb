"""`lens brief`: a country's prevention brief (HTML, Markdown or PDF) in a sector's terms, or the
watchlist pack of the countries at highest risk and in a situation category as one PDF."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console
from prevention_lens.errors import ValidationError

FORMATS = ("html", "md", "pdf")
AUDIENCES = ("ap", "dev", "sec", "hum", "hr", "com", "pb")


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    if output is None:
        if binary and sys.stdout.isatty():
            raise ValidationError(
                "a PDF is not printed to a terminal: name a file with -o FILE", field="--output"
            )
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"Wrote {output} ({len(data):,} bytes).")


def brief(
    country: Annotated[
        str | None,
        typer.Argument(help="A country name or code: Myanmar, Burma, MMR, cow:775."),
    ] = None,
    audience: Annotated[
        str,
        typer.Option(help=f"Write in this sector's terms (the lexicon): {', '.join(AUDIENCES)}."),
    ] = "ap",
    output_format: Annotated[
        str, typer.Option("--format", help="html, md or pdf (the watchlist is always pdf).")
    ] = "html",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write to this file (default: standard output)."),
    ] = None,
    watchlist: Annotated[
        int | None,
        typer.Option(
            "--watchlist",
            min=0,
            help="Instead of one country: the top N countries by risk and every country in a "
            "situation category, one PDF with a contents page.",
        ),
    ] = None,
    include_restricted: Annotated[
        bool,
        typer.Option(
            "--include-restricted",
            help="Include what the operator may read (restricted and confidential data); by "
            "default a brief holds public data only, as an anonymous reader would see it.",
        ),
    ] = False,
) -> None:
    """A prevention assessment summary of a country: situation, statistical risk, drivers,
    Framework assessment, warning signs, actors, what works and options by R2P pillar, with the
    source and date of every figure."""
    from prevention_lens.store.access import ANONYMOUS

    if output_format not in FORMATS:
        raise ValidationError(
            f"must be one of {', '.join(FORMATS)}, got {output_format!r}", field="--format"
        )
    if audience not in AUDIENCES:
        raise ValidationError(
            f"must be one of {', '.join(AUDIENCES)}, got {audience!r}", field="--audience"
        )
    if country is not None and watchlist is not None:
        raise ValidationError("name one country or give --watchlist N, not both")
    reader = context.operator() if include_restricted else ANONYMOUS
    settings = context.settings()
    if watchlist is not None:
        from prevention_lens.briefs.pdf import watchlist_pdf
        from prevention_lens.briefs.watchlist import watchlist as watchlist_briefs

        with context.store().session() as session:
            briefs = watchlist_briefs(session, reader, settings, watchlist, audience=audience)
        title = f"Watchlist {date.today().isoformat()}"
        _write(watchlist_pdf(briefs, title), output, binary=True)
        return
    if country is None:
        raise ValidationError("name a country (e.g. lens brief Myanmar), or give --watchlist N")
    from prevention_lens.briefs.brief import compose_brief

    with context.store().session() as session:
        made = compose_brief(session, reader, settings, country, audience=audience)
    if output_format == "pdf":
        from prevention_lens.briefs.pdf import brief_pdf

        _write(brief_pdf(made), output, binary=True)
        return
    from prevention_lens.briefs.render import to_html, to_markdown

    text = to_html(made) if output_format == "html" else to_markdown(made)
    _write(text.encode("utf-8"), output, binary=False)
