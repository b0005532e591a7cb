"""Reading lexicon files: our CSV layout (senses as JSON or in hateful_/neutral_ columns), its
writer (a Hypothesis round trip), and HurtLex's TSV with its categories and licence."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prevention_lens.sources.speech_lexicon import (
    CSV_COLUMNS,
    HURTLEX_LICENCE,
    SenseRow,
    TermRow,
    hurtlex_language,
    parse_hurtlex,
    parse_terms_csv,
    read_hurtlex,
    read_terms_csv,
    write_terms_csv,
)
from tests.conftest import sources_folder


def _csv(header: list[str], *rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_a_row_with_senses_as_json() -> None:
    text = _csv(
        ["term", "language", "senses", "countries", "severity", "first_seen", "example"],
        [
            "madoadoa",
            "sw",
            '[{"kind": "hateful", "meaning": "outsiders", "phrases": ["kuondoa madoadoa"], '
            '"cues": ["remove"]}, {"kind": "neutral", "meaning": "spots"}]',
            "Kenya; Uganda",
            "3",
            "1992-01-01",
            "no",
        ],
    )
    (row,), problems = parse_terms_csv(text, file="terms.csv")
    assert problems == []
    assert row == TermRow(
        line=2,
        term="madoadoa",
        language="sw",
        senses=(
            SenseRow("hateful", "outsiders", ("kuondoa madoadoa",), ("remove",)),
            SenseRow("neutral", "spots"),
        ),
        countries=("Kenya", "Uganda"),
        severity=3,
        first_seen=date(1992, 1, 1),
    )


def test_a_row_with_the_hateful_and_neutral_columns() -> None:
    text = _csv(
        ["term", "language", "hateful_meaning", "neutral_meaning", "neutral_phrases", "example"],
        ["kalar", "my", "a slur", "chair; split pea", "kalar htaing; kalar pae", "yes"],
        ["", "", "", "", "", ""],
    )
    (row,), problems = parse_terms_csv(text, file="terms.csv")
    assert problems == []
    assert row.senses == (
        SenseRow("hateful", "a slur"),
        SenseRow("neutral", "chair; split pea", ("kalar htaing", "kalar pae")),
    )
    assert row.example is True
    assert row.severity == 2


@pytest.mark.parametrize(
    ("header", "row", "field", "words"),
    [
        (["term", "language", "senses"], ["x", "sw", "[{kind: hateful}]"], "senses", "not JSON"),
        (["term", "language", "senses"], ["x", "sw", '{"kind": "rude"}'], "senses", "kind must"),
        (["term", "language", "senses"], ["x", "sw", '"hateful"'], "senses", "JSON list"),
        (
            ["term", "language", "senses"],
            ["x", "sw", '[{"kind": "hateful", "tone": "x"}]'],
            "senses",
            "unknown key(s) tone",
        ),
        (
            ["term", "language", "senses"],
            ["x", "sw", '[{"kind": "hateful", "phrases": [1]}]'],
            "senses",
            "list of texts",
        ),
        (
            ["term", "language", "senses", "hateful_meaning"],
            ["x", "sw", '[{"kind": "hateful"}]', "a slur"],
            "senses",
            "use one or the other",
        ),
        (["term", "language", "severity"], ["x", "sw", "high"], "severity", "whole number"),
        (["term", "language", "last_seen"], ["x", "sw", "May 2017"], "last_seen", "YYYY-MM-DD"),
        (["term", "language", "example"], ["x", "sw", "maybe"], "example", "yes or no"),
    ],
)
def test_a_bad_cell_names_the_file_row_and_field(
    header: list[str], row: list[str], field: str, words: str
) -> None:
    rows, problems = parse_terms_csv(
        _csv(header, ["fine", "sw"] + [""] * (len(header) - 2), row), file="t.csv"
    )
    assert len(rows) == 1
    (problem,) = problems
    assert (problem.file, problem.row, problem.field) == ("t.csv", 3, field)
    assert words in problem.problem


def test_a_bad_header_is_reported_before_any_row() -> None:
    rows, problems = parse_terms_csv(_csv(["term", "colour", "term"], ["x", "red", "y"]), file="t")
    assert rows == []
    assert sorted((problem.field, problem.problem.split(";")[0]) for problem in problems) == [
        ("colour", "unknown column"),
        ("language", "this column is required"),
        ("term", "the column appears twice"),
    ]
    assert parse_terms_csv("", file="t")[1][0].problem.startswith("the file is empty")
    assert "no terms" in parse_terms_csv("term,language\n", file="t")[1][0].problem
    _, short = parse_terms_csv("term,language\nx\n", file="t")
    assert short[0].problem == "has 1 cells; the header has 2"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_bytes("term,language\nkal\xe1r,my\n".encode("latin-1"))
    rows, problems = read_terms_csv(path)
    assert rows == []
    assert "not UTF-8" in problems[0].problem


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30
).map(str.strip)
_ITEM = _TEXT.filter(lambda value: value != "" and ";" not in value)
# Longer texts may run over several lines.
_LONG = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n"),
    max_size=60,
).map(str.strip)
_SENSE = st.builds(
    SenseRow,
    kind=st.sampled_from(["hateful", "neutral"]),
    meaning=_LONG,
    phrases=st.lists(_ITEM, max_size=3).map(tuple),
    cues=st.lists(_ITEM, max_size=3).map(tuple),
    examples=st.lists(_ITEM, max_size=2).map(tuple),
)
_ROW = st.builds(
    TermRow,
    line=st.just(0),
    term=_ITEM,
    language=_TEXT,
    senses=st.lists(_SENSE, max_size=3).map(tuple),
    script_variants=st.lists(_ITEM, max_size=3).map(tuple),
    countries=st.lists(_ITEM, max_size=3).map(tuple),
    targeted_groups=st.lists(_ITEM, max_size=2).map(tuple),
    severity=st.integers(min_value=-5, max_value=9),
    why_inflames=_LONG,
    alternatives=st.lists(_ITEM, max_size=2).map(tuple),
    first_seen=st.none() | st.dates(),
    last_seen=st.none() | st.dates(),
    licence=_TEXT,
    source_url=_TEXT,
    example=st.booleans(),
    notes=_LONG,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=4))
def test_what_the_writer_writes_reads_back_unchanged(rows: list[TermRow]) -> None:
    text = write_terms_csv(rows)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    read, problems = parse_terms_csv(text, file="export.csv")
    assert problems == []
    assert [replace(row, line=0) for row in read] == rows


HURTLEX = (
    "id\tpos\tcategory\tstereotype\tlemma\tlevel\n"
    "EN1\tn\tps\tyes\tslurword\tconservative\n"
    "EN2\tn\tcds\tno\tgag reel\tinclusive\n"
    "EN3\tn\tom\tno\tother word\tinclusive\n"
)


def test_hurtlex_rows_carry_their_category_group_severity_and_licence() -> None:
    rows, problems = parse_hurtlex(HURTLEX, file="hurtlex_EN.tsv", language="EN")
    assert problems == []
    assert [(row.term, row.language, row.targeted_groups, row.severity) for row in rows] == [
        ("slurword", "en", ("origin",), 2),
        ("gag reel", "en", (), 1),
        ("other word", "en", ("sexual_orientation",), 1),
    ]
    assert {row.licence for row in rows} == {HURTLEX_LICENCE}
    assert rows[0].senses == (
        SenseRow("hateful", "HurtLex category: negative stereotypes, ethnic slurs"),
    )
    assert rows[0].notes == "HurtLex EN1: n, category ps, stereotype yes, level conservative"
    assert rows[0].source_url.endswith("/lexica/EN/1.2")
    assert rows[0].line == 2


def test_simple_english_lemmas_lose_their_suffix() -> None:
    text = (
        "id\tpos\tcategory\tstereotype\tlemma\tlevel\nSIMPLE1\tn\tan\tno\tmoths simple\tinclusive\n"
    )
    (row,), _ = parse_hurtlex(text, file="hurtlex_SIMPLE.tsv", language="SIMPLE")
    assert (row.term, row.language) == ("moths", "en-simple")


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("EN9\tn\txx\tno\tword\tinclusive", "category", "unknown category"),
        ("EN9\tn\tps\tmaybe\tword\tinclusive", "stereotype", "not yes or no"),
        ("EN9\tn\tps\tno\tword\twide", "level", "unknown level"),
        ("EN9\tn\tps\tno\t\tinclusive", "lemma", "empty"),
        ("EN9\tn\tps\tno", None, "has 4 cells"),
    ],
)
def test_a_bad_hurtlex_row_names_its_row_and_field(
    line: str, field: str | None, words: str
) -> None:
    rows, problems = parse_hurtlex(HURTLEX + line + "\n", file="hurtlex_EN.tsv", language="EN")
    assert len(rows) == 3
    (problem,) = problems
    assert (problem.file, problem.row, problem.field) == ("hurtlex_EN.tsv", 5, field)
    assert words in problem.problem


def test_the_hurtlex_language_comes_from_the_file_name_or_is_given(tmp_path: Path) -> None:
    assert hurtlex_language(Path("hurtlex_fr.tsv")) == "FR"
    named = tmp_path / "hurtlex_SW.tsv"
    named.write_text(HURTLEX)
    assert {row.language for row in read_hurtlex(named)[0]} == {"sw"}
    other = tmp_path / "lexicon.tsv"
    other.write_text(HURTLEX)
    rows, problems = read_hurtlex(other)
    assert rows == [] and "name it hurtlex_XX.tsv" in problems[0].problem
    assert {row.language for row in read_hurtlex(other, language="AR")[0]} == {"ar"}
    rows, problems = parse_hurtlex("id\tlemma\n", file="hurtlex_EN.tsv", language="EN")
    assert rows == [] and "HurtLex's is id, pos" in problems[0].problem


@pytest.mark.shared_data
def test_the_real_hurtlex_english_file_reads_without_a_problem() -> None:
    path = sources_folder() / "speech" / "hurtlex" / "hurtlex_EN.tsv"
    rows, problems = read_hurtlex(path)
    assert problems == []
    assert len(rows) == 8228
    assert {row.licence for row in rows} == {HURTLEX_LICENCE}


def test_every_bad_cell_of_a_row_is_reported_in_one_run() -> None:
    header = ["term", "language", "senses", "severity", "example", "first_seen"]
    text = _csv(header, ["kalar", "my", "[not json", "high", "maybe", "2024-13-01"])
    rows, problems = parse_terms_csv(text, file="terms.csv")
    assert rows == []
    assert [(p.row, p.field) for p in problems] == [
        (2, "senses"),
        (2, "severity"),
        (2, "example"),
        (2, "first_seen"),
    ]
    assert all(str(p).startswith(f"terms.csv, row 2, field '{p.field}': ") for p in problems)


def test_a_quote_never_closed_is_named_as_such() -> None:
    text = 'term,language,notes\nmende,sw,"never closed\nkalar,my,fine\n'
    rows, problems = parse_terms_csv(text, file="terms.csv")
    assert rows == []
    (problem,) = problems
    assert (problem.row, problem.field) == (2, "notes")
    assert "a quote opened in this row (line 2) is never closed" in problem.problem
    header_only = parse_terms_csv('term,"language\nmende,sw\n', file="t.csv")[1]
    assert [(p.row, "never closed" in p.problem) for p in header_only] == [(1, True)]
