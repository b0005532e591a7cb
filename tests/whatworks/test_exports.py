"""One export entry point for every format."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.bibtex import parse_bibtex
from prevention_lens.whatworks.exports import EXPORT_FORMATS, export_entries
from prevention_lens.whatworks.interchange import ImportedEntry
from prevention_lens.whatworks.packaged import packaged_drafts
from prevention_lens.whatworks.ris import parse_ris
from prevention_lens.whatworks.tables import parse_csv

Parser = Callable[..., tuple[list[ImportedEntry], list[ValidationError]]]


@pytest.mark.parametrize(
    ("fmt", "parse"), [("csv", parse_csv), ("bibtex", parse_bibtex), ("ris", parse_ris)]
)
def test_each_importable_export_reads_back(fmt: str, parse: Parser) -> None:
    drafts = list(packaged_drafts())[:5]
    text = export_entries(drafts, fmt)
    entries, problems = parse(text, file=f"x{EXPORT_FORMATS[fmt].suffix}")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


def test_csl_json_and_empty_exports() -> None:
    assert export_entries([], "csl-json") == "[]\n"
    assert export_entries([], "bibtex") == ""


def test_an_unknown_format_names_the_choices() -> None:
    with pytest.raises(ValidationError, match="unknown export format 'docx'; choose from csv"):
        export_entries([], "docx")
