"""Reading country-name lists: valid rows, and a problem naming file, row and field for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prevention_lens.errors import ValidationError
from prevention_lens.sources.country_names import read_country_names


def test_reads_names_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nBurma/Myanmar,775\nKyrgystan,703\n")
    rows, problems = read_country_names(path)
    assert [(r.row, r.name, r.scheme, r.code) for r in rows] == [
        (2, "Burma/Myanmar", "cow", "775"),
        (3, "Kyrgystan", "cow", "703"),
    ]
    assert problems == []


def test_bad_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("ewp_name,ccode\nGood,775\n,703\nBad,seven\n")
    rows, problems = read_country_names(path)
    assert len(rows) == 1
    assert [str(p) for p in problems] == [
        "names.csv, row 3, field 'ewp_name': name is empty",
        "names.csv, row 4, field 'ccode': 'seven' is not a numeric COW code",
    ]


def test_wrong_template_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationError, match=r"other.csv, row 1: needs a name column"):
        read_country_names(path)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
)
def test_malformed_files_never_crash(tmp_path: Path, body: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("name,cow\n" + body, encoding="utf-8")
    try:
        rows, problems = read_country_names(path)
    except ValidationError:
        return
    for row in rows:
        assert row.name and row.code.isdigit()
    assert all(isinstance(problem, ValidationError) for problem in problems)
