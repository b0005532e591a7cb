"""`lens screen`: a policy text from a file or standard input, screened as Markdown, JSON, HTML
or PDF; bad input is one clear line and exit code 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from prevention_lens.cli.main import COMMANDS
from tests.briefs.test_screening import DECREE
from tests.cli.conftest import Lens
from tests.conftest import sources_folder


@pytest.fixture
def screen_lens(lens: Lens, monkeypatch: pytest.MonkeyPatch) -> Lens:
    """The CLI with the Framework loaded (and `screen` in the command table, registered or not)."""
    monkeypatch.setitem(COMMANDS, "screen", ("prevention_lens.cli.screening", "screen"))
    monkeypatch.setenv("LENS_SOURCES", str(sources_folder()))
    assert lens("data", "import", "un-framework").code == 0
    return lens


@pytest.mark.shared_data
def test_screen_a_file_as_markdown_and_json(
    screen_lens: Lens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "decree.txt"
    policy.write_text(DECREE, encoding="utf-8")
    shown = screen_lens("screen", "--country", "Burma", "--sector", "dev", str(policy))
    assert shown.code == 0, shown.err
    assert "# Policy screening" in shown.out and "Enabling circumstances" in shown.out
    assert "Questions for the table" in shown.out
    monkeypatch.setattr("sys.stdin", io.StringIO(DECREE))
    answer = screen_lens("screen", "--country", "mmr", "--format", "json", "-")
    assert answer.code == 0, answer.err
    document = answer.json()
    assert isinstance(document, dict) and document["country_key"] == "MMR"
    assert {"7", "9"} <= {factor["code"] for factor in document["factors"]}


@pytest.mark.shared_data
def test_screen_writes_html_and_pdf_files(screen_lens: Lens, tmp_path: Path) -> None:
    policy = tmp_path / "decree.txt"
    policy.write_text(DECREE, encoding="utf-8")
    page, pdf = tmp_path / "screening.html", tmp_path / "screening.pdf"
    made = screen_lens(
        "screen", "--country", "Myanmar", "--format", "html", "-o", str(page), str(policy)
    )
    assert made.code == 0 and "Wrote the screening" in made.err
    assert page.read_text().startswith("<!doctype html>")
    made = screen_lens(
        "screen", "--country", "Myanmar", "--format", "pdf", "-o", str(pdf), str(policy)
    )
    assert made.code == 0 and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "Myanmar", "--format", "pdf", "-"), "a PDF needs a file"),
        (("--country", "Myanmar", "--format", "doc", "-"), "unknown format"),
        (("--country", "Myanmar", "--sector", "martians", "-"), "unknown sector"),
        (("--country", "Atlantis", "-"), "Unknown country 'Atlantis'"),
        (("--country", "Myanmar", "missing.txt"), "no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    screen_lens: Lens, args: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(DECREE))
    refused = screen_lens("screen", *args)
    assert refused.code == 2 and message in refused.err
    assert "Traceback" not in refused.err


@pytest.mark.shared_data
def test_an_empty_text_is_refused(screen_lens: Lens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("  \n"))
    refused = screen_lens("screen", "--country", "Myanmar", "-")
    assert refused.code == 2 and "empty" in refused.err
