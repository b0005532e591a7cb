"""`lens lexicon`: schemes, list, show (by id or any label), an audience's term, reframing a
paragraph and the SKOS round trip through the store, each on the shipped lexicon in a temporary
SQLite store (proposed changes and review: test_lexicon_revisions.py).

The command group is run through its own Typer app (the root `lens` registers it by name)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prevention_lens.cli.lexicon import app
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.lexicon.content import shipped_lexicon
from prevention_lens.lexicon.records import load_shipped
from tests.cli.conftest import Outcome, group_runner, seeded_store

# A paragraph on the report's themes: two terms with a close match in human-rights language,
# one of them again inside a quotation (never rewritten), a term with only a related one
# (marginalisation: kept), and terms with notes for that audience.
PARAGRAPH = (
    "Atrocity prevention starts with upstream prevention. Where mass atrocities were committed, "
    "early warning must lead to early action; the marginalisation of minorities and talk of "
    '"mass atrocities" in the past are warning signs. Hate speech needs answers that protect '
    "civic space.\n"
)


Lexicon = Callable[..., Outcome]


@pytest.fixture(scope="module")
def lexicon_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store holding the shipped lexicon, built once and copied for each test."""
    return seeded_store(tmp_path_factory.mktemp("lexicon"), load_shipped)


@pytest.fixture
def lens_lexicon(
    lexicon_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Lexicon]:
    yield from group_runner(app, lexicon_file, tmp_path, monkeypatch)


def test_schemes_count_the_shipped_concepts(lens_lexicon: Lexicon) -> None:
    payload = lens_lexicon("schemes", "--json").json()
    counts = {row["scheme"]: row["concepts"] for row in payload["schemes"]}  # type: ignore[attr-defined]
    shipped = shipped_lexicon()
    assert counts == {
        scheme: len(shipped.in_scheme(scheme))
        for scheme in ("ap", "dev", "sec", "hum", "hr", "com", "pb")
    }
    assert sum(counts.values()) == 74 and payload["mappings"] == len(shipped.mappings)
    shown = lens_lexicon("schemes")
    assert shown.code == 0 and "Human rights" in shown.out and "74 concepts" in shown.out


def test_list_filters_by_scheme_core_and_language(lens_lexicon: Lexicon) -> None:
    rights = lens_lexicon("list", "--scheme", "hr", "--json").json()["concepts"]
    assert isinstance(rights, list)
    assert {row["id"] for row in rights} == {
        concept.id for concept in shipped_lexicon().in_scheme("hr")
    }
    core = lens_lexicon("list", "--core", "--json").json()["concepts"]
    assert isinstance(core, list) and core and all(row["core"] for row in core)
    assert "ap/genocide" in {row["id"] for row in core}
    french = lens_lexicon("list", "--scheme", "ap", "--language", "fr")
    assert french.code == 0, french.error
    assert "génocide" in french.out
    # A concept with no French label shows its English one and says so.
    assert "protection of populations; no fr label" in french.out
    wrong = lens_lexicon("list", "--scheme", "legal")
    assert isinstance(wrong.error, ValidationError) and "unknown scheme 'legal'" in str(wrong.error)
    assert isinstance(lens_lexicon("list", "--language", "de").error, ValidationError)


def test_show_finds_a_concept_by_id_or_by_any_label_in_any_language(
    lens_lexicon: Lexicon,
) -> None:
    by_id = lens_lexicon("show", "ap/genocide")
    assert by_id.code == 0, by_id.error
    assert by_id.out.startswith("ap/genocide: genocide\nAtrocity prevention · core concept")
    assert "Convention on the Prevention and Punishment of the Crime of Genocide" in by_id.out
    assert "hr/gross-human-rights-violations" in by_id.out and "broader" in by_id.out
    # The French label, in another case, names the same concept.
    assert lens_lexicon("show", "GÉNOCIDE").out == by_id.out
    assert lens_lexicon("show", "  Crime of   genocide ").out == by_id.out
    document = lens_lexicon("show", "ap/genocide", "--json").json()
    assert document["id"] == "ap/genocide" and document["scheme"] == "ap"
    mappings = document["mappings"]
    assert isinstance(mappings, list)
    assert all(mapping["source"] == "ap/genocide" for mapping in mappings)
    gaps = lens_lexicon("show", "ap/mass-atrocity-crimes")
    assert "No Development term: Development and peacebuilding have no umbrella term" in gaps.out


def test_an_unknown_concept_is_not_found_with_suggestions(lens_lexicon: Lexicon) -> None:
    missing = lens_lexicon("show", "no such concept")
    assert isinstance(missing.error, NotFoundError)
    assert "No lexicon concept has the id or label 'no such concept'" in str(missing.error)
    typo = lens_lexicon("show", "genocde")
    assert isinstance(typo.error, NotFoundError) and "Did you mean: genocide" in str(typo.error)
    assert isinstance(lens_lexicon("term", "ap/nothing", "--audience", "hr").error, NotFoundError)


def test_term_gives_the_audience_word_or_says_why_there_is_none(lens_lexicon: Lexicon) -> None:
    close = lens_lexicon("term", "mass atrocities", "--audience", "hr")
    assert close.code == 0, close.error
    assert close.out.startswith(
        "Human rights: gross human rights violations (hr/gross-human-rights-violations)"
    )
    assert "close match for ap/mass-atrocity-crimes" in close.out
    # Its scope note for that audience comes with it.
    assert "Misleading with Human rights: 'Mass' is not a legal element" in close.out
    payload = lens_lexicon("term", "ap/mass-atrocity-crimes", "--audience", "hr", "--json").json()
    assert payload["term"] == {
        "concept": "hr/gross-human-rights-violations",
        "scheme": "hr",
        "label": "gross human rights violations",
        "kind": "close",
        "rationale": shipped_lexicon().term_for("ap/mass-atrocity-crimes", "hr").rationale,  # type: ignore[union-attr]
    }
    none = lens_lexicon("term", "ap/mass-atrocity-crimes", "--audience", "dev")
    assert none.code == 0, none.error
    assert "Development has no term that can stand for ap/mass-atrocity-crimes" in none.out
    assert "Why: Development and peacebuilding have no umbrella term for the four crimes" in (
        none.out
    )
    nearest = lens_lexicon("term", "ap/genocide", "--audience", "hr", "--json").json()
    assert nearest["term"] is None and nearest["no_term"] is None
    assert {"concept": "hr/gross-human-rights-violations", "kind": "broader"}.items() <= (
        nearest["nearest"][0].items()  # type: ignore[index]
    )
    own = lens_lexicon("term", "génocide", "--audience", "ap", "--language", "fr")
    assert own.out.startswith("Atrocity prevention: génocide (ap/genocide)")
    wrong = lens_lexicon("term", "ap/genocide", "--audience", "legal")
    assert isinstance(wrong.error, ValidationError) and "unknown scheme 'legal'" in str(wrong.error)


def test_reframe_rewrites_a_paragraph_for_human_rights_and_lists_changes_on_stderr(
    lens_lexicon: Lexicon, tmp_path: Path
) -> None:
    source = tmp_path / "paragraph.txt"
    source.write_text(PARAGRAPH, encoding="utf-8")
    done = lens_lexicon("reframe", "--audience", "hr", str(source))
    assert done.code == 0, done.error
    assert done.out == (
        "Atrocity prevention starts with prevention of human rights violations. Where gross "
        "human rights violations were committed, early warning must lead to early action; the "
        'marginalisation of minorities and talk of "mass atrocities" in the past are warning '
        "signs. Hate speech needs answers that protect civic space.\n"
    )
    lines = done.err.splitlines()
    assert lines[0] == "Reframed for Human rights (hr): 2 changes, 4 flags."
    assert (
        "line 1, column 33: 'upstream prevention' -> 'prevention of human rights violations' "
        "(ap/upstream-prevention -> hr/prevention-of-violations, close match)" in done.err
    )
    assert (
        "line 1, column 60: 'mass atrocities' -> 'gross human rights violations' "
        "(ap/mass-atrocity-crimes -> hr/gross-human-rights-violations, close match)" in done.err
    )
    # The quoted term is flagged, never rewritten; the sensitive term with no substitute too.
    assert "'mass atrocities' (ap/mass-atrocity-crimes, kept) is misleading" in done.err
    assert "'Atrocity prevention' (ap/atrocity-prevention, kept) is sensitive" in done.err
    # From standard input, as JSON, and to a file.
    piped = lens_lexicon("reframe", "--audience", "hr", "--json", "-", stdin=PARAGRAPH).json()
    assert piped["text"] == done.out and piped["audience"] == "hr"
    changes = piped["changes"]
    assert isinstance(changes, list) and [change["target_id"] for change in changes] == [
        "hr/prevention-of-violations",
        "hr/gross-human-rights-violations",
    ]
    written = tmp_path / "reframed.txt"
    saved = lens_lexicon("reframe", "--audience", "hr", str(source), "-o", str(written))
    assert saved.code == 0 and saved.out == ""
    assert written.read_text(encoding="utf-8") == done.out
    assert f"Wrote the reframed text to {written}." in saved.err


def test_reframe_errors_for_an_unknown_audience_or_a_missing_file(
    lens_lexicon: Lexicon, tmp_path: Path
) -> None:
    wrong = lens_lexicon("reframe", "--audience", "legal", "-", stdin="genocide")
    assert isinstance(wrong.error, ValidationError) and "--audience" in str(wrong.error)
    missing = lens_lexicon("reframe", "--audience", "hr", str(tmp_path / "absent.txt"))
    assert isinstance(missing.error, ValidationError) and "file does not exist" in str(
        missing.error
    )


@pytest.mark.parametrize(("fmt", "suffix"), [("turtle", ".ttl"), ("json-ld", ".jsonld")])
def test_export_and_import_leave_every_concept_shown_the_same(
    lens_lexicon: Lexicon, tmp_path: Path, fmt: str, suffix: str
) -> None:
    ids = sorted(shipped_lexicon().concepts)
    before = {concept: lens_lexicon("show", concept).out for concept in ids}
    before_json = {concept: lens_lexicon("show", concept, "--json").out for concept in ids[:10]}
    exported = tmp_path / f"lexicon{suffix}"
    wrote = lens_lexicon("export", "--format", fmt, "-o", str(exported))
    assert wrote.code == 0, wrote.error
    assert f"Wrote 74 concepts and {len(shipped_lexicon().mappings)} mappings" in wrote.out
    streamed = lens_lexicon("export", "--format", fmt)
    assert streamed.out == exported.read_text(encoding="utf-8")
    imported = lens_lexicon("import", str(exported))  # --format auto, from the suffix
    assert imported.code == 0, imported.error
    assert f"Imported 74 concepts and {len(shipped_lexicon().mappings)} mappings" in imported.out
    assert "0 added, 0 removed" in imported.out
    after = {concept: lens_lexicon("show", concept).out for concept in ids}
    assert after == before
    assert {concept: lens_lexicon("show", concept, "--json").out for concept in ids[:10]} == (
        before_json
    )


def test_a_bad_import_changes_nothing(lens_lexicon: Lexicon, tmp_path: Path) -> None:
    exported = tmp_path / "lexicon.ttl"
    assert lens_lexicon("export", "-o", str(exported)).code == 0
    before = lens_lexicon("show", "ap/genocide").out
    text = exported.read_text(encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    # Cut off in the middle of a statement.
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    failed = lens_lexicon("import", str(broken))
    assert isinstance(failed.error, ValidationError) and str(broken) in str(failed.error)
    unknown = tmp_path / "lexicon.txt"
    unknown.write_text("not skos", encoding="utf-8")
    refused = lens_lexicon("import", str(unknown))
    assert isinstance(refused.error, ValidationError) and "give --format" in str(refused.error)
    assert isinstance(
        lens_lexicon("import", str(exported), "--format", "rdfxml").error, ValidationError
    )
    assert lens_lexicon("show", "ap/genocide").out == before
    assert lens_lexicon("history", "ap/genocide").out.startswith("ap/genocide has not been changed")


def test_the_command_group_imports_no_store_yaml_or_rdflib() -> None:
    """`lens --version` and the other groups stay fast: the lexicon loads in its commands."""
    code = (
        "import sys, prevention_lens.cli.lexicon; "
        "heavy = ('sqlalchemy', 'yaml', 'rdflib', 'prevention_lens.lexicon.records'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
