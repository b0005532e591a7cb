"""CSV import and export of the evidence library: round trips, formula safety, bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.interchange import FIELDS
from prevention_lens.whatworks.packaged import packaged_drafts
from prevention_lens.whatworks.tables import parse_csv, read_csv, write_csv
from tests.whatworks.fixtures.drafts import batches


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_export_then_import_gives_the_same_drafts(drafts: list[EntryDraft]) -> None:
    entries, problems = parse_csv(write_csv(drafts), file="export.csv")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


def test_every_shipped_entry_round_trips() -> None:
    drafts = list(packaged_drafts())
    entries, problems = parse_csv(write_csv(drafts), file="library.csv")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


def test_the_header_is_the_library_field_names_and_formulas_are_quoted() -> None:
    draft = EntryDraft(title="=HYPERLINK(1)", authors=("-Smith, J",), year=2020).checked()
    rows = list(csv.reader(io.StringIO(write_csv([draft]))))
    assert tuple(rows[0]) == FIELDS
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["title"] == "'=HYPERLINK(1)"
    assert cells["authors"] == "'-Smith, J"


def _csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def test_lists_are_separated_by_semicolons_and_cells_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        _csv(
            "title,authors,year,interventions,emmie,language,tags",
            "A study, Smith, Jane; World Bank ,2020,dialogue_mediation;early_warning,"
            '"effect=3; mechanism=2",French,"x; y"',
        ).replace("A study, Smith, Jane; World Bank ", '"A study"," Smith, Jane; World Bank "'),
        encoding="utf-8-sig",
    )
    (entry,), problems = read_csv(path)
    assert problems == []
    draft = entry.draft
    assert draft.authors == ("Smith, Jane", "World Bank")
    assert draft.interventions == ("dialogue_mediation", "early_warning")
    assert draft.emmie == {"effect": 3, "mechanism": 2}
    assert (draft.language, draft.tags) == ("fr", ("x", "y"))


def test_every_bad_row_and_column_is_named() -> None:
    text = _csv(
        "key,title,authors,year,doi,interventions,strength",
        'one,,"Smith, J",2020,,,',
        'two,T,"Smith, J",,,,',
        'three,T,"Smith, J",2020,10/abc,,',
        'four,T,"Smith, J",2020,,prayer,',
        'five,T,"Smith, J",2020,,,strong',
        'six,T,"Smith, J",2020,10.1000/a,,',
        'seven,U,"Smith, J",2020,10.1000/A,,',
    )
    _, problems = parse_csv(text, file="mine.csv")
    found = {(problem.row, problem.entry, problem.field) for problem in problems}
    assert {
        (2, "one", "title"),
        (3, "two", "year"),
        (4, "three", "doi"),
        (5, "four", "interventions"),
        (6, "five", "strength"),
        (None, "seven", "doi"),
    } <= found
    assert str(problems[0]) == "mine.csv, row 2, entry 'one', field 'title': a title is required"


def test_unknown_and_missing_columns_are_named_together() -> None:
    entries, problems = parse_csv(_csv("title,auteurs,year", "T,X,2020"), file="m.csv")
    assert entries == []
    assert {(problem.field, problem.problem[:14]) for problem in problems} == {
        ("auteurs", "unknown column"),
        ("authors", "this column is"),
    }


def test_a_short_row_and_an_empty_file_are_problems() -> None:
    problems = parse_csv(_csv("title,authors,year", "T,X"), file="m.csv")[1]
    assert problems[0].row == 2
    assert "has 2 cells" in problems[0].problem
    assert "empty" in parse_csv("", file="m.csv")[1][0].problem
