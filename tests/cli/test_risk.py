"""`lens risk`: the framework, a template sheet, recording an assessment and reading it back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.conftest import Lens
from tests.conftest import sources_folder


@pytest.mark.shared_data
def test_template_fill_record_and_read_back(
    lens: Lens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENS_SOURCES", str(sources_folder()))
    assert lens("data", "import", "un-framework").code == 0
    listed = lens("risk", "framework", "--json").json()
    assert isinstance(listed, list) and len(listed) == 14
    template = lens("risk", "assess", "Burma", "--template")
    rows = list(csv.DictReader(io.StringIO(template.out)))
    assert rows[0]["code"] == "1.1" and {"11", "12", "14"} <= {row["code"] for row in rows}
    rows[0].update(score="3", evidence="Armed conflict in Rakhine and Shan")
    sheet = tmp_path / "sheet.csv"
    with sheet.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    recorded = lens("risk", "assess", "MMR", "--from", str(sheet), "--on", "2025-05-01", "--json")
    assert recorded.code == 0, recorded.err
    history = lens("risk", "assessments", "Myanmar", "--json").json()
    assert isinstance(history, dict)
    assert history["history"][0]["scores"] == [
        {
            "code": "1.1",
            "score": 3,
            "evidence": "Armed conflict in Rakhine and Shan",
            "source_url": "",
        }
    ]


def test_assess_without_a_sheet_is_a_clear_error(lens: Lens) -> None:
    result = lens("risk", "assess", "MMR")
    assert result.code == 2 and "give --from SHEET.csv" in result.err
