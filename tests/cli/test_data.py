"""`lens data`: formats, imports with provenance, the public-source catalogue (never downloaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Lens
from tests.conftest import sources_folder


def test_formats_and_catalogue_are_listed(lens: Lens) -> None:
    formats = lens("data", "formats", "--json").json()
    assert isinstance(formats, list) and "country-names" in {row["name"] for row in formats}
    catalogue = lens("data", "pull", "--json").json()
    assert isinstance(catalogue, list)
    assert {"ucdp-ged", "ewp", "vdem"} <= {row["name"] for row in catalogue}
    unknown = lens("data", "pull", "gdelt")
    assert unknown.code == 2 and "Unknown public source 'gdelt'" in unknown.err


def test_import_and_history(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,iso3\nUnion of Myanmar,MMR\n")
    result = lens("data", "import", "country-names", str(path), "--json")
    assert result.code == 0, result.err
    history = lens("data", "imports", "--json").json()
    assert isinstance(history, list) and history[0]["file_name"] == "names.csv"
    assert len(history[0]["sha256"]) == 64
    assert lens("countries", "resolve", "Union of Myanmar", "--json").code == 0


def test_bad_file_names_row_and_field(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nFine,775\nBroken,xx\n")
    result = lens("data", "import", "country-names", str(path))
    assert result.code == 2
    assert "names.csv, row 3, field 'cow': 'xx' is not a numeric COW code" in result.err
    assert lens("data", "imports", "--json").json() == []


@pytest.mark.shared_data
def test_default_file_comes_from_lens_sources(lens: Lens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_SOURCES", str(sources_folder()))
    result = lens("data", "import", "country-names", "--json")
    assert result.code == 0, result.err
    assert '"rows_rejected": 0' in result.out
