"""Assessment sheets: filled lines read back; bad scores named by file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.sources.assessment_sheets import read_assessment_sheet


def test_filled_lines_are_read_and_blank_ones_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        "code,score,evidence,source_url\n1.1,3,Fighting,https://a.org\n1.2,,,\n1.3,na,Unclear,\n"
    )
    lines = read_assessment_sheet(path)
    assert [(line.row, line.code, line.score) for line in lines] == [
        (2, "1.1", 3),
        (4, "1.3", None),
    ]


def test_bad_scores_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("code,score\n1.1,high\n1.2,2\n")
    with pytest.raises(ValidationError, match=r"sheet.csv, row 2, field 'score': 'high' is not"):
        read_assessment_sheet(path)
