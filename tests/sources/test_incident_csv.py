"""The incident CSV reader (UCDP GED, ACLED, mapped CSVs): a quote that is never closed is named
as such, with its row and line, instead of as a row with too few values."""

from __future__ import annotations

from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.incident_csv import read_table


def test_an_unclosed_quote_is_named_with_its_row_and_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        'id,date,notes\n1,2024-01-02,"a market attack"\n'
        '2,2024-01-03,"an open quote\n3,2024-01-04,x\n',
        encoding="utf-8",
    )
    problems: list[ValidationError] = []
    table = read_table(path, ("id", "date"), problems)
    assert [row for row, _values in table.rows] == [2]
    (problem,) = problems
    assert (problem.file, problem.row, problem.field) == ("events.csv", 3, "notes")
    assert "a quote opened in this row (line 3) is never closed" in str(problem)
