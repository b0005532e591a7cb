"""RIS import and export: round trips, a reference manager's file, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.packaged import packaged_drafts
from prevention_lens.whatworks.ris import parse_ris, read_ris, write_ris
from tests.whatworks.fixtures.drafts import batches


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_export_then_import_gives_the_same_drafts(drafts: list[EntryDraft]) -> None:
    entries, problems = parse_ris(write_ris(drafts), file="export.ris")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


def test_every_shipped_entry_round_trips() -> None:
    drafts = list(packaged_drafts())
    entries, problems = parse_ris(write_ris(drafts), file="library.ris")
    assert problems == []
    assert [entry.draft for entry in entries] == drafts


ENDNOTE = """TY  - JOUR
T1  - The contact hypothesis re-evaluated
A1  - Paluck, Elizabeth Levy
A1  - Green, Seth A.
A1  - Green, Donald P.
Y1  - 2019///
JF  - Behavioural Public Policy
DO  - https://doi.org/10.1017/bpp.2018.25
AB  - The authors' abstract.
KW  - prejudice; contact
LA  - English
N1  - Read for the team meeting.
ER  -
"""


def test_an_endnote_style_record_reads(tmp_path: Path) -> None:
    path = tmp_path / "endnote.ris"
    path.write_bytes(ENDNOTE.replace("\n", "\r\n").encode("utf-8-sig"))
    (entry,), problems = read_ris(path)
    assert problems == []
    draft = entry.draft
    assert draft.title == "The contact hypothesis re-evaluated"
    assert draft.authors == ("Paluck, Elizabeth Levy", "Green, Seth A.", "Green, Donald P.")
    assert (draft.year, draft.venue, draft.doi, draft.language) == (
        2019,
        "Behavioural Public Policy",
        "10.1017/bpp.2018.25",
        "en",
    )
    assert draft.tags == ("prejudice; contact",)  # one KW line is one tag
    assert draft.summary == ""  # an abstract is not our summary
    assert entry.label == "record 1"
    (asked,), _ = parse_ris(ENDNOTE, file="e.ris", summary_from_abstract=True)
    assert asked.draft.summary == "The authors' abstract."


GOOD = "AU  - Smith, Jane\nTI  - A study\nPY  - 2020\n"


def _ris(lines: str, ref_id: str = "smith2020") -> str:
    return f"TY  - JOUR\nID  - {ref_id}\n{lines}ER  - \n\n"


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ("AU  - Smith, Jane\nPY  - 2020\n", "TI", "title is required"),
        ("AU  - Smith, Jane\nTI  - A study\n", "PY", "year is required"),
        (GOOD + "DO  - 10.12/abc\n", "DO", "is not a DOI"),
        (GOOD + "N1  - lens-interventions: prayer\n", "N1 lens-interventions", "unknown value"),
        (GOOD + "N1  - lens-outcome: hate_speech\n", "N1 lens-outcome", "unknown note field"),
        (GOOD + "LA  - Klingon\n", "LA", "not a language code"),
    ],
)
def test_bad_input_names_file_entry_and_field(lines: str, field: str, words: str) -> None:
    entries, problems = parse_ris(_ris(lines), file="refs.ris")
    assert entries == []
    (problem,) = problems
    assert (problem.file, problem.entry, problem.field) == ("refs.ris", "smith2020", field)
    assert words in problem.problem


def test_every_problem_is_reported_and_records_without_id_are_numbered() -> None:
    text = (
        _ris("AU  - A, B\nPY  - 2020\n", "one")
        + "TY  - JOUR\nAU  - A, B\nTI  - T\nER  - \n"
        + _ris(GOOD + "DO  - 10.1000/x\n", "three")
        + _ris("AU  - C, D\nTI  - Other\nPY  - 2021\nDO  - doi:10.1000/X\n", "four")
        + "TY  - JOUR\nTI  - cut short\n"
    )
    _, problems = parse_ris(text, file="refs.ris")
    found = {(problem.entry, problem.field) for problem in problems}
    assert ("one", "TI") in found
    assert ("record 2", "PY") in found
    assert ("four", "doi") in found  # the DOI of entry three, written another way
    assert any("no end line" in problem.problem for problem in problems)


def test_a_file_without_records_is_a_problem() -> None:
    assert parse_ris("not RIS at all\n", file="x.ris")[1][0].problem.startswith("no RIS records")
