"""`lens speech assess` and `assessments`: dangerous-speech assessments from a file or from
options, revised, with their history. Fixtures come from test_speech.py."""

from __future__ import annotations

from pathlib import Path

import yaml

from prevention_lens.errors import NotFoundError, ValidationError
from tests.cli.test_speech import (
    Speech,
    _listed,
    speech,
    terms_file,
)

__all__ = ["speech", "terms_file"]  # shared fixtures


# --- dangerous-speech assessments -------------------------------------------------------------


def _assessment_file(tmp_path: Path, **changes: object) -> Path:
    values: dict[str, object] = {
        "country": "Myanmar",
        "title": "Radio address before the march",
        "spoken_on": "2024-02-01",
        "message": "Calls the neighbours a disease that must be cut out.",
        "speaker_role": "Regional party leader",
        "speaker": "U Secret Name",
        "audience": "Young party members, afraid for their jobs",
        "context": "Clashes in the township last month",
        "medium": "Local radio, replayed on social media",
        "exact_place": "Studio 3, Main Road",
        "targeted_group": "religion",
        "hallmarks": ["dehumanisation", "accusation_in_a_mirror"],
        "rabat": {
            "context": {"score": 3, "note": "recent clashes"},
            "speaker": {"score": 2, "note": "leader of the audience's party"},
            "intent": {"score": 1, "note": ""},
        },
        "conclusion": "dangerous",
        "rationale": "Dehumanising language from a leader to a fearful audience after clashes.",
    }
    values.update(changes)
    path = tmp_path / "assessment.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path


def test_assess_from_a_file_then_revise_and_read_the_history(
    speech: Speech, tmp_path: Path
) -> None:
    created = speech("assess", "--from", str(_assessment_file(tmp_path)), "--json")
    assert created.code == 0, created.error
    record = created.json()
    assert record["country_key"] == "MMR" and record["revision"] == 1
    assert record["speaker"] == "U Secret Name"  # the operator is admin: confidential shown
    number = str(record["id"])
    listed = speech("assessments", "Burma")
    assert listed.code == 0 and "Radio address before the march" in listed.out
    assert "Dangerous" in listed.out
    revised = speech(
        "assess",
        "--update",
        number,
        "--conclusion",
        "possibly_dangerous",
        "--note",
        "the recording is disputed",
    )
    assert revised.code == 0, revised.error
    assert "revision 2" in revised.out and "possibly dangerous" in revised.out
    shown = speech("assessment", number, "--history")
    assert shown.code == 0, shown.error
    assert "Dehumanisation; Accusation in a mirror" in shown.out
    assert "recent clashes" in shown.out and "the recording is disputed" in shown.out
    history = _listed(speech("assessment", number, "--history", "--json"), "history")
    assert [version["revision"] for version in history] == [1, 2]
    assert history[1]["changed"] == ["conclusion"]
    unnoted = speech("assess", "--update", number, "--title", "Another title")
    assert isinstance(unnoted.error, ValidationError) and "note" in str(unnoted.error)


def test_assess_names_the_file_and_field_of_a_mistake_and_template_lists_the_codes(
    speech: Speech, tmp_path: Path
) -> None:
    bad = speech("assess", "--from", str(_assessment_file(tmp_path, hallmarks=["rudeness"])))
    assert isinstance(bad.error, ValidationError)
    assert "assessment.yaml" in str(bad.error) and "hallmarks" in str(bad.error)
    unnoted = speech(
        "assess",
        "--from",
        str(_assessment_file(tmp_path, rabat={"intent": {"score": 3}})),
    )
    assert isinstance(unnoted.error, ValidationError) and "rabat intent" in str(unnoted.error)
    assert speech("assessments", "--json").json() == {"assessments": []}
    template = speech("assess", "--template")
    assert template.code == 0 and "accusation_in_a_mirror" in template.out
    sheet = yaml.safe_load(template.out)
    assert set(sheet["rabat"]) == {
        "context",
        "speaker",
        "intent",
        "content_and_form",
        "extent",
        "likelihood",
    }
    sheet.update(
        country="Kenya",
        title="Leaflet",
        conclusion="undetermined",
        rationale="Too little is known yet.",
    )
    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(sheet), encoding="utf-8")
    recorded = speech("assess", "--from", str(filled), "--json")
    assert recorded.code == 0, recorded.error
    assert recorded.json()["rabat"] == {}
    missing = speech("assessment", "9999")
    assert isinstance(missing.error, NotFoundError)


def test_assess_from_options_with_rabat_scores(speech: Speech) -> None:
    recorded = speech(
        "assess",
        "--country",
        "Kenya",
        "--title",
        "Rally speech",
        "--hallmark",
        "dehumanisation",
        "--rabat",
        "context=2:election week",
        "--rabat",
        "extent=1",
        "--conclusion",
        "possibly_dangerous",
        "--rationale",
        "Watch the next rallies.",
        "--json",
    )
    assert recorded.code == 0, recorded.error
    assert recorded.json()["rabat"] == {
        "context": {"score": 2, "note": "election week"},
        "extent": {"score": 1, "note": ""},
    }
    bad = speech("assess", "--country", "Kenya", "--rabat", "context=high")
    assert isinstance(bad.error, ValidationError) and "--rabat" in str(bad.error)
