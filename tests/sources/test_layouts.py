"""Guessing a CSV's layout from its header, and the error for missing columns that uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.sources.layouts import guess_layout, missing_columns_error
from tests.incidents.test_importers import FIXTURES, GED_HEADER


def _header(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()[0].split(",")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_header("acled_synthetic_current.csv"), "acled-current"),
        (_header("acled_synthetic_legacy.csv"), "acled-legacy"),
        (_header("acled_synthetic_deleted.csv"), "acled-deleted"),
        (GED_HEADER, "ucdp-ged"),
        (
            [
                "WEEK",
                "REGION",
                "COUNTRY",
                "ADMIN1",
                "EVENT_TYPE",
                "SUB_EVENT_TYPE",
                "EVENTS",
                "FATALITIES",
            ],
            "acled-aggregated",
        ),
        (_header("incidents_synthetic_desk.csv"), None),
        (["a", "b"], None),
    ],
)
def test_each_known_layout_is_recognised(header: list[str], expected: str | None) -> None:
    layout = guess_layout(header)
    assert (layout.name if layout else None) == expected


def test_aggregated_acled_data_is_named_as_not_importable(tmp_path: Path) -> None:
    header = ["WEEK", "REGION", "COUNTRY", "ADMIN1", "EVENT_TYPE", "EVENTS", "FATALITIES"]
    message = str(missing_columns_error(tmp_path / "weekly.csv", header, ["actor1"], "acled"))
    assert "ACLED's aggregated counts" in message
    assert "they cannot become incident records" in message


def test_a_file_with_a_mapping_beside_it_is_called_a_csv_of_incidents(tmp_path: Path) -> None:
    (tmp_path / "desk.mapping.yaml").write_text("dataset: desk\n", encoding="utf-8")
    error = missing_columns_error(tmp_path / "desk.csv", ["report_no"], ["event_date"], "acled")
    assert "desk.csv has a mapping file beside it, so it is a CSV of incidents" in str(error)
    assert "`lens incidents import incident-csv desk.csv`" in str(error)


def test_a_long_header_is_shortened_in_the_message(tmp_path: Path) -> None:
    error = missing_columns_error(tmp_path / "ged.csv", GED_HEADER, ["best"], "ucdp-ged")
    assert f"… ({len(GED_HEADER)} columns)" in str(error)
    assert "import it with" not in str(error)  # it is already the right importer
