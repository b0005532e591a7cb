"""Shared reading of source files: CSV rows numbered as a spreadsheet shows them, and the faults
that stop a file named by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_numbered_short_rows_filled_and_blank_rows_skipped(tmp_path: Path) -> None:
    path = _file(tmp_path, 'name,cow\n Kenya ,501\n\nBurma\n"Côte d\'Ivoire, the",437\n')
    assert list(read_csv_rows(path, ("name", "cow"))) == [
        (2, {"name": "Kenya", "cow": "501"}),
        (3, {"name": "Burma", "cow": ""}),
        (4, {"name": "Côte d'Ivoire, the", "cow": "437"}),
    ]


def test_a_quote_never_closed_names_its_row_and_cell(tmp_path: Path) -> None:
    path = _file(tmp_path, 'name,cow\nKenya,501\n"Burma,775\nFrance,220\n')
    rows = read_csv_rows(path, ("name", "cow"))
    assert next(rows) == (2, {"name": "Kenya", "cow": "501"})
    with pytest.raises(ValidationError) as caught:
        next(rows)
    assert (caught.value.row, caught.value.field) == (3, "name")
    assert str(caught.value).startswith(
        "names.csv, row 3, field 'name': a quote opened in this row (line 3) is never closed"
    )


def test_too_many_cells_and_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"row 2: has 3 values for 2 columns"):
        list(read_csv_rows(_file(tmp_path, "name,cow\na,1,2\n"), ("name", "cow")))
    with pytest.raises(ValidationError, match=r"row 1: missing column\(s\) cow"):
        list(read_csv_rows(_file(tmp_path, "name\na\n"), ("name", "cow")))
