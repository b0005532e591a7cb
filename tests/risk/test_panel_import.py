"""The `panel` import format: a spec and its CSV validated, one row per complete country-year."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.risk.panel import file_sha256
from prevention_lens.risk.panel_import import load_panel_import, read_panel_import


def _spec(folder: Path, body: str) -> Path:
    (folder / "p.csv").write_text(body)
    spec = folder / "p.yaml"
    spec.write_text(
        "file: p.csv\nunit: iso\nunit_scheme: iso3\ntime: year\noutcome: y\nhorizon: 1\n"
        "predictors: [x]\n"
    )
    return spec


def test_complete_rows_are_read_with_the_files_checksum(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "iso,year,x,y\nMMR,2000,1.5,0\nTCD,2000,,1\nTCD,2001,0.2,\n")
    rows, problems = read_panel_import(spec)
    assert problems == []
    assert [(r.country_key, r.year) for r in rows] == [("MMR", 2000), ("TCD", 2001)]
    assert {r.panel for r in rows} == {"p"}
    assert {r.data_sha256 for r in rows} == {file_sha256(tmp_path / "p.csv")}
    assert load_panel_import(None, rows, None).created == 2  # type: ignore[arg-type]


def test_a_bad_value_names_file_row_and_column(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "iso,year,x,y\nMMR,2000,high,0\n")
    with pytest.raises(ValidationError, match=r"p\.csv.*row 2.*'x'.*'high' is not a number"):
        read_panel_import(spec)
