"""`lens brief`: a country's brief as HTML, Markdown or PDF, public data unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.cli import context
from prevention_lens.cli.main import COMMANDS
from tests.briefs.test_brief import MARKERS, NOTE_MARKER, plant_brief_data
from tests.cli.conftest import Lens


@pytest.fixture
def planted_lens(lens: Lens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lens:
    # Until the lead registers the command in cli/main.py, the test adds it the same way.
    monkeypatch.setitem(COMMANDS, "brief", ("prevention_lens.cli.briefs", "brief"))
    assert lens("db", "upgrade").code == 0
    plant_brief_data(context.store(), context.settings(), tmp_path)
    return lens


def test_markdown_to_standard_output_holds_public_data_only(planted_lens: Lens) -> None:
    result = planted_lens("brief", "Burma", "--format", "md")
    assert result.code == 0, result.err
    assert result.out.startswith("# Myanmar: prevention brief")
    assert "## Options by R2P pillar" in result.out
    assert not any(marker in result.out for marker in MARKERS)


def test_html_to_a_file_in_an_audience_s_terms(planted_lens: Lens, tmp_path: Path) -> None:
    target = tmp_path / "out" / "mmr.html"
    result = planted_lens("brief", "MMR", "--audience", "hr", "-o", str(target))
    assert result.code == 0, result.err
    html = target.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "gross human rights violations" in html


def test_include_restricted_reads_as_the_operator(planted_lens: Lens) -> None:
    result = planted_lens("brief", "MMR", "--format", "md", "--include-restricted")
    assert result.code == 0, result.err
    assert "administrator" in result.out


def test_pdf_to_a_file(planted_lens: Lens, tmp_path: Path) -> None:
    pytest.importorskip("typst")
    target = tmp_path / "mmr.pdf"
    result = planted_lens("brief", "MMR", "--format", "pdf", "-o", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(b"%PDF")


def test_bad_arguments_are_one_clear_line(planted_lens: Lens) -> None:
    for args, words in (
        (("brief", "MMR", "--format", "docx"), "--format"),
        (("brief", "MMR", "--audience", "diplomats"), "--audience"),
        (("brief",), "name a country"),
        (("brief", "MMR", "--watchlist", "3"), "not both"),
        (("brief", "Atlantis"), "Atlantis"),
    ):
        result = planted_lens(*args)
        assert result.code == 2, (args, result.err)
        assert words in result.err and "Traceback" not in result.err
    assert NOTE_MARKER not in planted_lens("brief", "MMR", "--format", "md").out
