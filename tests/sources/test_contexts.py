"""Reading country-year contexts: V-Dem scores, freedom of discussion, UCDP conflict years."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.sources.contexts import (
    read_conflict_years,
    read_democracy,
    read_free_discussion,
)


def test_democracy_scores_by_country_and_year(tmp_path: Path) -> None:
    path = tmp_path / "vdem.csv"
    path.write_text(
        "country_name,country_text_id,country_id,year,v2x_polyarchy,v2x_libdem\n"
        "Myanmar,MMR,10,2023,0.083,0.03\nMyanmar,MMR,10,2024,NA,0.02\n"
    )
    scores = read_democracy(path)
    assert scores[("MMR", 2023)].polyarchy == pytest.approx(0.083)
    assert scores[("MMR", 2024)].polyarchy is None


def test_a_bad_number_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ewp.csv"
    path.write_text("COWcode,year,freediscussion\n775,2020,0.2\n775,2021,high\n")
    with pytest.raises(ValidationError) as raised:
        read_free_discussion(path)
    assert (raised.value.file, raised.value.row, raised.value.field) == (
        "ewp.csv",
        3,
        "freediscussion",
    )


def test_conflicts_count_for_every_country_they_are_located_in(tmp_path: Path) -> None:
    path = tmp_path / "acd.csv"
    path.write_text('gwno_loc,year\n"750, 770",2019\n775,2021\n')
    assert read_conflict_years(path) == {(750, 2019), (770, 2019), (775, 2021)}
