"""`lens speech terms`: the lexicon's commands (list, show, add, edit, review, import with
provenance, export) on a temporary SQLite store holding the shipped terms. Fixtures come from
test_speech.py. Content warning: the "kalar" tests use a slur, as the behaviour needs it."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml

from prevention_lens.errors import NotFoundError, ValidationError
from tests.cli.conftest import Outcome
from tests.cli.test_speech import (
    Speech,
    _hits,
    _listed,
    speech,
    terms_file,
)

__all__ = ["speech", "terms_file"]  # shared fixtures


# --- the term lexicon -------------------------------------------------------------------------


def _terms(outcome: Outcome, key: str = "terms") -> list[dict[str, Any]]:
    return _listed(outcome, key)


def test_terms_list_and_show_the_shipped_kalar_with_its_neutral_senses(speech: Speech) -> None:
    burmese = _terms(speech("terms", "list", "--language", "my", "--json"))
    assert [term["term"] for term in burmese] == ["ကုလား"]
    assert _terms(speech("terms", "list", "--search", "kalar", "--json")) == burmese
    by_country = _terms(speech("terms", "list", "--country", "Burma", "--json"))
    assert [term["id"] for term in by_country] == [burmese[0]["id"]]
    shown = speech("terms", "show", str(burmese[0]["id"]))
    assert shown.code == 0, shown.error
    assert "chair" in shown.out and "split pea" in shown.out and "hateful" in shown.out
    missing = speech("terms", "show", "99999")
    assert isinstance(missing.error, NotFoundError)


def test_add_then_review_publishes_a_term_the_matcher_then_finds(speech: Speech) -> None:
    added = speech(
        "terms",
        "add",
        "--term",
        "zorb",
        "--language",
        "en",
        "--hateful",
        "an insult for members of a faith",
        "--neutral",
        "a garden tool=zorb rake",
        "--group",
        "religion",
        "--country",
        "Kenya",
        "--json",
    )
    [term] = _terms(added)
    assert term["status"] == "draft" and term["countries"] == ["KEN"]
    assert _hits(speech("match", "those zorbs again", "--json")) == []  # drafts are not matched
    waiting = _terms(speech("terms", "review", "--json"), "drafts")
    assert [item["term"] for item in waiting] == ["zorb"]
    published = speech("terms", "review", str(term["id"]), "--publish", "--note", "checked")
    assert published.code == 0 and "now published" in published.out
    [hit] = _hits(speech("match", "go away, zorb", "--json"))
    assert hit["term"] == "zorb" and hit["counts"] is True
    [tool] = _hits(speech("match", "pass me the zorb rake", "--json"))
    assert tool["sense"] == "neutral" and tool["counts"] is False
    both = speech("terms", "review", str(term["id"]), "--publish", "--reject")
    assert isinstance(both.error, ValidationError)


def test_add_from_a_file_names_the_file_and_term_of_a_mistake(
    speech: Speech, tmp_path: Path
) -> None:
    good = tmp_path / "terms.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "terms": [
                    {
                        "term": "blorp",
                        "language": "en",
                        "severity": 1,
                        "senses": [{"kind": "hateful", "meaning": "a made-up insult"}],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert [
        term["term"] for term in _terms(speech("terms", "add", "--from", str(good), "--json"))
    ] == ["blorp"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "term: glorp\nlanguage: en\nseverity: 7\nsenses: [{kind: hateful, meaning: x}]\n",
        encoding="utf-8",
    )
    rejected = speech("terms", "add", "--from", str(bad))
    assert isinstance(rejected.error, ValidationError)
    assert "bad.yaml" in str(rejected.error) and "severity" in str(rejected.error)
    assert _terms(speech("terms", "list", "--search", "glorp", "--json")) == []


def test_edit_changes_a_term_in_place_from_options_or_a_shown_file(
    speech: Speech, tmp_path: Path
) -> None:
    [kalar] = _terms(speech("terms", "list", "--language", "my", "--json"))
    assert _hits(speech("match", "kalar zorbin", "--json"))[0]["sense"] != "neutral"
    edited = speech(
        "terms",
        "edit",
        str(kalar["id"]),
        "--add-neutral",
        "a made-up compound=kalar zorbin",
        "--last-seen",
        "2026-11-30",
        "--note",
        "seen on menus",
        "--json",
    )
    assert edited.code == 0, edited.error
    assert edited.json()["last_seen"] == "2026-11-30" and edited.json()["origin"] == "edited"
    [compound] = _hits(speech("match", "kalar zorbin", "--json"))
    assert (compound["sense"], compound["counts"]) == ("neutral", False)
    # `show --json`, changed and given back: the fields the lexicon keeps may stand unchanged.
    shown = speech("terms", "show", str(kalar["id"]), "--json").json()
    changed = tmp_path / "kalar.yaml"
    changed.write_text(yaml.safe_dump({**shown, "severity": 3}, allow_unicode=True), "utf-8")
    again = speech("terms", "edit", str(kalar["id"]), "--from", str(changed), "--json")
    assert again.code == 0, again.error
    assert again.json()["severity"] == 3
    published = tmp_path / "status.yaml"
    published.write_text(yaml.safe_dump({"status": "rejected"}), "utf-8")
    refused = speech("terms", "edit", str(kalar["id"]), "--from", str(published))
    assert isinstance(refused.error, ValidationError)
    assert "status.yaml" in str(refused.error) and "status" in str(refused.error)
    bad = speech("terms", "edit", str(kalar["id"]), "--first-seen", "2027-01-01")
    assert isinstance(bad.error, ValidationError) and "last_seen" in str(bad.error)
    idle = speech("terms", "edit", str(kalar["id"]))
    assert isinstance(idle.error, ValidationError) and "nothing to change" in str(idle.error)
    after = speech("terms", "show", str(kalar["id"]), "--json").json()
    assert (after["severity"], after["last_seen"], after["status"]) == (
        3,
        "2026-11-30",
        "published",
    )


def test_import_csv_through_the_runner_and_export_round_trips(
    speech: Speech, tmp_path: Path
) -> None:
    sheet = tmp_path / "lexicon.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["term", "language", "hateful_meaning", "severity", "countries"])
        writer.writerow(["snarf", "en", "a made-up insult for a group", "2", "Kenya"])
    imported = speech("terms", "import", str(sheet), "--json")
    assert imported.code == 0, imported.error
    report = imported.json()
    assert report["source_format"] == "speech-terms-csv" and report["rows_created"] == 1
    [term] = _terms(speech("terms", "list", "--search", "snarf", "--json"))
    assert term["status"] == "draft" and term["import_id"] == report["import_id"]
    exported = speech("terms", "export", "--language", "en", "--format", "csv")
    assert exported.code == 0, exported.error
    rows = list(csv.DictReader(exported.out.splitlines()))
    assert "snarf" in {row["term"] for row in rows}
    public = speech("terms", "export", "--language", "en", "--public", "--format", "json")
    assert "snarf" not in {term["term"] for term in json.loads(public.out)["terms"]}
    # Who added and reviewed terms is for staff: never in a public export.
    assert "prevention-lens" not in public.out and "local-operator" not in public.out
    wrong = speech("terms", "import", str(sheet), "--format", "xlsx")
    assert isinstance(wrong.error, ValidationError) and "--format" in str(wrong.error)


def test_hurtlex_import_keeps_and_shows_its_licence(speech: Speech, tmp_path: Path) -> None:
    tsv = tmp_path / "hurtlex_EN.tsv"
    tsv.write_text(
        "id\tpos\tcategory\tstereotype\tlemma\tlevel\nEN1\tn\tps\tno\tsnorklewump\tconservative\n",
        encoding="utf-8",
    )
    imported = speech("terms", "import", str(tsv), "--format", "hurtlex")
    assert imported.code == 0, imported.error
    [term] = _terms(speech("terms", "list", "--search", "snorklewump", "--json"))
    assert "CC BY-NC-SA 4.0" in str(term["licence"])
    shown = speech("terms", "show", str(term["id"]))
    assert "Licence: CC BY-NC-SA 4.0" in shown.out
    listed = speech("terms", "list", "--search", "snorklewump")
    assert "CC BY-NC-SA 4.0" in listed.out


def test_show_takes_a_term_as_written_and_names_the_choices_when_several_match(
    speech: Speech,
) -> None:
    (kalar,) = _terms(speech("terms", "list", "--language", "my", "--json"))
    for written in ("kalar", "KALAR", kalar["term"]):
        shown = speech("terms", "show", written, "--json")
        assert shown.code == 0, shown.error
        assert shown.json()["id"] == kalar["id"], written
    missing = speech("terms", "show", "kalar-htaing-zorb")
    assert isinstance(missing.error, NotFoundError)
    assert str(missing.error) == (
        "no term 'kalar-htaing-zorb'; `lens speech terms list --search …` searches"
    )
    added = speech(
        "terms", "add", "--term", "Kalar", "--language", "en", "--hateful", "a test entry", "--json"
    )
    [english] = _terms(added)
    several = speech("terms", "show", "kalar")
    assert isinstance(several.error, ValidationError)
    message = str(several.error)
    assert f"{kalar['id']} (my)" in message and f"{english['id']} (en)" in message
    assert "choose one by its number" in message
