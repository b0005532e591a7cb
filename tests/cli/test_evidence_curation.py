"""`lens evidence import`, `review` and `add`: an entry added by hand lists what it lacks and is
published by review; a small CSV imports as drafts and a bad file writes nothing; on the real
shipped entries in a temporary SQLite store. Fixtures come from test_evidence.py."""

from __future__ import annotations

from pathlib import Path

from prevention_lens.errors import ConflictError, ValidationError
from tests.cli.test_evidence import Evidence, evidence, library_file

__all__ = ["evidence", "library_file"]  # shared fixtures


def _entry_file(tmp_path: Path, text: str, name: str = "entry.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_add_then_review_lists_what_a_draft_lacks_and_publishes_it(
    evidence: Evidence, tmp_path: Path
) -> None:
    assert "No drafts wait for review" in evidence("review").out
    thin = _entry_file(
        tmp_path, "title: Listening groups and trust\nauthors: [Doe, Jane]\nyear: 2024\n"
    )
    added = evidence("add", "--from", str(thin))
    assert added.code == 0, added.error
    assert "Added entry doe-2024-listening-groups as a draft" in added.out
    drafts = evidence("review", "--json").json()["drafts"]
    assert isinstance(drafts, list) and drafts[0]["key"] == "doe-2024-listening-groups"
    assert "a DOI or a stable URL" in drafts[0]["lacks"]
    refused = evidence("review", "doe-2024-listening-groups", "--publish")
    assert isinstance(refused.error, ConflictError) and "a summary" in str(refused.error)
    both = evidence("review", "doe-2024-listening-groups", "--publish", "--reject")
    assert isinstance(both.error, ValidationError)
    complete = thin.read_text() + (
        "url: https://example.org/listening\nkind: impact_evaluation\ndesign: randomised\n"
        "strength: 5\ninterventions: [media_development]\noutcomes: [intergroup_attitudes]\n"
        "effect: positive\nsummary: Our own words on what the trial found.\n"
    )
    ready = _entry_file(tmp_path, complete.replace("Listening", "Radio listening"), "ready.yaml")
    assert evidence("add", "--from", str(ready)).code == 0
    assert "nothing: ready" in evidence("review").out
    published = evidence("review", "doe-2024-radio-listening", "--publish", "--note", "checked")
    assert published.code == 0 and "is now published" in published.out
    shown = evidence("show", "doe-2024-radio-listening", "--json").json()
    assert shown["status"] == "published" and shown["review_note"] == "checked"
    assert evidence("review", "doe-2024-radio-listening", "--unpublish").code == 0
    bad = evidence("add", "--from", str(_entry_file(tmp_path, "- title: a list\n")))
    assert isinstance(bad.error, ValidationError) and "mapping" in str(bad.error)


def test_import_a_small_csv_as_drafts_and_a_bad_file_writes_nothing(
    evidence: Evidence, tmp_path: Path
) -> None:
    good = tmp_path / "refs.csv"
    good.write_text(
        "title,authors,year,doi,countries\n"
        'Peace clubs in schools,"Roe, Ann; Poe, Ben",2022,10.1234/peace.2022,Kenya\n',
        encoding="utf-8",
    )
    imported = evidence("import", str(good))
    assert imported.code == 0, imported.error
    assert "1 created as drafts" in imported.out
    drafts = evidence("review", "--json").json()["drafts"]
    assert isinstance(drafts, list) and [draft["title"] for draft in drafts] == [
        "Peace clubs in schools"
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text('title,authors,year\nNo year here,"Roe, Ann",\n', encoding="utf-8")
    rejected = evidence("import", str(bad), "--format", "csv")
    assert isinstance(rejected.error, ValidationError) and "year" in str(rejected.error)
    assert len(evidence("review", "--json").json()["drafts"]) == 1  # type: ignore[arg-type]
    unknown = evidence("import", str(tmp_path / "refs.txt"))
    assert isinstance(unknown.error, ValidationError) and "--format" in str(unknown.error)


def test_add_from_a_file_that_is_not_text_names_it(evidence: Evidence, tmp_path: Path) -> None:
    picture = tmp_path / "scan.yaml"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xd0\xff")
    refused = evidence("add", "--from", str(picture))
    assert isinstance(refused.error, ValidationError)
    assert "scan.yaml" in str(refused.error) and "not UTF-8" in str(refused.error)
