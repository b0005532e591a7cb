"""`lens data`: formats, imports with provenance, the public-source catalogue (never downloaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.cli import context
from tests.cli.conftest import Lens
from tests.conftest import sources_folder


def test_formats_and_catalogue_are_listed(lens: Lens) -> None:
    formats = lens("data", "formats", "--json").json()
    assert isinstance(formats, list) and "country-names" in {row["name"] for row in formats}
    catalogue = lens("data", "pull", "--json").json()
    assert isinstance(catalogue, list)
    assert {"ucdp-ged", "ewp", "vdem"} <= {row["name"] for row in catalogue}
    unknown = lens("data", "pull", "gdelt")
    assert unknown.code == 2 and "Unknown public source 'gdelt'" in unknown.err


def test_import_and_history(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,iso3\nUnion of Myanmar,MMR\n")
    result = lens("data", "import", "country-names", str(path), "--json")
    assert result.code == 0, result.err
    history = lens("data", "imports", "--json").json()
    assert isinstance(history, list) and history[0]["file_name"] == "names.csv"
    assert len(history[0]["sha256"]) == 64
    assert lens("countries", "resolve", "Union of Myanmar", "--json").code == 0


def test_bad_file_names_row_and_field(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\nFine,775\nBroken,xx\n")
    result = lens("data", "import", "country-names", str(path))
    assert result.code == 2
    assert "names.csv, row 3, field 'cow': 'xx' is not a numeric COW code" in result.err
    assert lens("data", "imports", "--json").json() == []


@pytest.mark.shared_data
def test_default_file_comes_from_lens_sources(lens: Lens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_SOURCES", str(sources_folder()))
    result = lens("data", "import", "country-names", "--json")
    assert result.code == 0, result.err
    assert '"rows_rejected": 0' in result.out


def test_skip_invalid_fails_when_every_row_is_rejected(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,cow\n" + "".join(f"Bad {n},x{n}\n" for n in range(25)))
    result = lens("data", "import", "country-names", str(path), "--skip-invalid")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "all 25 row(s) are invalid, nothing imported" in lines[0]
    assert "and 24 more row(s) like it (rows 3, 4, 5, 6, …)" in lines[0]
    assert lens("data", "imports", "--json").json() == []


def test_skip_invalid_prints_one_summary_of_the_rejected_rows(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    rows = "".join(f"Bad {n},x{n}\n" for n in range(25)) + "Nameless,\nUnion of Myanmar,775\n"
    path.write_text("name,cow\n" + rows)
    result = lens("data", "import", "country-names", str(path), "--skip-invalid")
    assert result.code == 0, result.err
    assert "1 created, 0 updated, 0 unchanged, 26 rejected" in result.out
    summary = [line.strip() for line in result.out.splitlines() if "rejected:" in line]
    assert summary == [
        "rejected: cow: 25 rows (2, 3, 4, 5, 6, …): names.csv, row 2, field 'cow': 'x0' is "
        "not a numeric COW code",
        "rejected: cow: 1 row (27): names.csv, row 27, field 'cow': code is empty",
    ]
    report = lens("data", "import", "country-names", str(path), "--skip-invalid", "--json").json()
    assert isinstance(report, dict) and report["rejected"][0]["count"] == 25
    assert len(report["problems"]) == 26


def test_no_imports_yet_names_the_store_read(lens: Lens) -> None:
    shown = lens("data", "imports")
    assert shown.code == 0
    assert " ".join(shown.out.split()).startswith(
        "No imports in the store at "
        f"{context.settings().home.resolve() / 'lens.db'} (LENS_HOME environment variable) yet"
    )


TERMS_WITH_FOUR_PROBLEMS = (
    "term,language,senses,countries,targeted_groups\n"
    'mende,,"{""kind"": ""hateful"", ""phrases"": [""no such words""]}",Narnia,aliens\n'
)


def test_a_rejected_import_prints_one_problem_a_line(lens: Lens, tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text(TERMS_WITH_FOUR_PROBLEMS, encoding="utf-8")
    result = lens("data", "import", "speech-terms-csv", str(path))
    assert result.code == 2
    assert result.err.splitlines() == [
        "Error: terms.csv: 4 problems in 1 row, nothing imported:",
        "  - terms.csv, row 2, entry 'mende', field 'language': '' is not a language code; "
        "write a BCP-47 code such as my, rw, sw, fr or sr-Latn",
        "  - terms.csv, row 2, entry 'mende', field 'senses[1].phrases': the phrase "
        "'no such words' does not contain the term or one of its script variants as a whole word",
        "  - terms.csv, row 2, entry 'mende', field 'targeted_groups': unknown group(s) aliens; "
        "choose from origin, religion, gender, sexual_orientation, disability, other",
        "  - terms.csv, row 2, entry 'mende', field 'countries': unknown country 'Narnia'; "
        "did you mean Armenia, Tanzania, Lithuania?",
    ]
    assert result.out == ""


def test_a_rejected_import_with_json_prints_every_problem_as_a_list(
    lens: Lens, tmp_path: Path
) -> None:
    path = tmp_path / "terms.csv"
    path.write_text(TERMS_WITH_FOUR_PROBLEMS, encoding="utf-8")
    result = lens("data", "import", "speech-terms-csv", str(path), "--json")
    assert result.code == 2 and "4 problems in 1 row" in result.err
    rejected = result.json()
    assert isinstance(rejected, dict) and rejected["imported"] is False
    assert [problem.split(": ")[0] for problem in rejected["problems"]] == [
        "terms.csv, row 2, entry 'mende', field 'language'",
        "terms.csv, row 2, entry 'mende', field 'senses[1].phrases'",
        "terms.csv, row 2, entry 'mende', field 'targeted_groups'",
        "terms.csv, row 2, entry 'mende', field 'countries'",
    ]
    assert rejected["rejected"][0]["field"] == "language"


def test_a_long_list_of_kinds_of_problem_is_cut_short() -> None:
    from prevention_lens.errors import ValidationError
    from prevention_lens.ingest.rejections import rejected_import

    problems = [
        ValidationError("is wrong", file="f.csv", row=row, field=f"column_{row}")
        for row in range(2, 62)
    ]
    lines = rejected_import(Path("f.csv"), problems).report_lines()
    assert lines[0] == "f.csv: 60 problems in 60 rows, nothing imported:"
    assert lines[1] == "  - f.csv, row 2, field 'column_2': is wrong"
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "  … and 10 more kinds of problem"
