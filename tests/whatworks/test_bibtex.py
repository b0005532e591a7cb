"""BibTeX import and export: round trips, real reference-manager files, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from prevention_lens.whatworks.bibtex import (
    latex_to_text,
    parse_bibtex,
    parse_name,
    read_bibtex,
    text_to_latex,
    write_bibtex,
)
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.packaged import packaged_drafts
from tests.whatworks.fixtures.drafts import TEXT, batches

FIXTURES = Path(__file__).parent / "fixtures"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_export_then_import_gives_the_same_drafts(drafts: list[EntryDraft]) -> None:
    entries, problems = parse_bibtex(write_bibtex(drafts), file="export.bib")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_text_survives_latex_escaping(text: str) -> None:
    assert latex_to_text(text_to_latex(text)) == text


def test_every_shipped_entry_round_trips() -> None:
    drafts = list(packaged_drafts())
    entries, problems = parse_bibtex(write_bibtex(drafts), file="library.bib")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


def test_a_zotero_export_of_real_entries_reads() -> None:
    entries, problems = read_bibtex(FIXTURES / "zotero.bib")
    assert problems == []
    by_doi = {entry.draft.doi: entry.draft for entry in entries}
    contact = by_doi["10.1017/bpp.2018.25"]
    assert contact.authors == ("Paluck, Elizabeth Levy", "Green, Seth A.", "Green, Donald P.")
    assert (contact.year, contact.venue) == (2019, "Behavioural Public Policy")
    assert contact.tags == ("intergroup contact", "meta-analysis", "prejudice")
    review = by_doi["10.1146/annurev.psych.60.110707.163607"]
    # Case-protecting braces go; the words stay.
    assert review.title == (
        "Prejudice Reduction: What Works? A Review and Assessment of Research and Practice"
    )
    framework = next(entry.draft for entry in entries if entry.draft.doi is None)
    assert framework.authors == (
        "United Nations Office on Genocide Prevention and the Responsibility to Protect",
    )
    assert (framework.venue, framework.language, framework.year) == ("United Nations", "en", 2014)
    # Zotero's keys are not ours (capitals), so a key is made; the label stays Zotero's.
    assert entries[0].label == "paluckContactHypothesisReevaluated2019"
    assert contact.key == "paluck-2019-contact-hypothesis"
    assert all(entry.draft.kind is None and entry.draft.summary == "" for entry in entries)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Paluck, Elizabeth Levy", "Paluck, Elizabeth Levy"),
        ("Elizabeth Levy Paluck", "Paluck, Elizabeth Levy"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("{World Bank}", "World Bank"),
        (r"M{\"u}ller, J{\"o}rg", "Müller, Jörg"),
        ("Aristotle", "Aristotle"),
    ],
)
def test_names_read_as_family_comma_given(raw: str, name: str) -> None:
    assert parse_name(raw) == name


def _bib(fields: str, key: str = "entry1") -> str:
    return f"@article{{{key},\n{fields}\n}}\n"


GOOD = "author = {Smith, Jane}, title = {A study}, year = {2020},"


def test_abstract_is_the_summary_only_when_asked() -> None:
    text = _bib(GOOD + " abstract = {The authors' abstract.},")
    (plain,), _ = parse_bibtex(text, file="a.bib")
    (asked,), _ = parse_bibtex(text, file="a.bib", summary_from_abstract=True)
    assert plain.draft.summary == ""
    assert asked.draft.summary == "The authors' abstract."


def test_language_names_and_date_are_read() -> None:
    text = _bib("author = {Smith, Jane}, title = {Étude}, date = {2021-05-01}, langid = {french},")
    (entry,), problems = parse_bibtex(text, file="a.bib")
    assert problems == []
    assert (entry.draft.year, entry.draft.language) == (2021, "fr")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ("author = {Smith, Jane}, year = {2020},", "title", "title is required"),
        ("author = {Smith, Jane}, title = {A study},", "year", "year is required"),
        (GOOD + " doi = {doi 10/abc},", "doi", "is not a DOI"),
        (GOOD + " lens-interventions = {prayer},", "lens-interventions", "unknown value"),
        (GOOD + " lens-strength = {strong},", "lens-strength", "not a whole number"),
        (GOOD + " langid = {klingon},", "langid", "not a language code"),
        (GOOD + " lens-kindd = {case_study},", "lens-kindd", "unknown field"),
        ("title = {A study}, year = {2020},", "author", "at least one author"),
    ],
)
def test_bad_input_names_file_entry_and_field(fields: str, field: str, words: str) -> None:
    entries, problems = parse_bibtex(_bib(fields, "smith2020"), file="refs.bib")
    assert entries == []
    (problem,) = problems
    assert (problem.file, problem.entry, problem.field) == ("refs.bib", "smith2020", field)
    assert words in problem.problem
    assert str(problem).startswith("refs.bib, entry 'smith2020', field")


def test_every_problem_of_a_file_is_reported() -> None:
    text = (
        _bib("author = {A, B}, year = {2020},", "one")
        + _bib("author = {A, B}, title = {T},", "two")
        + _bib(GOOD + " doi = {10.1000/x},", "three")
        + _bib(
            "author = {C, D}, title = {T}, year = 2020, doi = {https://doi.org/10.1000/X},", "four"
        )
        + _bib(GOOD + " title = {Twice},", "five")
        + _bib(GOOD, "three")
        + "@article{broken, title = {unclosed\n"
    )
    _, problems = parse_bibtex(text, file="refs.bib")
    found = {(problem.entry, problem.field) for problem in problems}
    assert ("one", "title") in found
    assert ("two", "year") in found
    assert ("four", "doi") in found  # the same DOI as entry three, in another form
    assert ("three", None) in found  # the key is used twice
    assert ("five", "title") in found  # a field given twice
    assert any("not a well-formed BibTeX entry" in problem.problem for problem in problems)


def test_a_file_with_no_entries_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.bib"
    path.write_text("% nothing here\n")
    assert [str(problem) for problem in read_bibtex(path)[1]] == [
        "empty.bib: no BibTeX entries found"
    ]
