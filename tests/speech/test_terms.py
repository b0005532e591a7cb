"""A lexicon term as entered: TermDraft normalises and validates on creation, naming the field
and the term in every error; TermDraft.from_mapping reads YAML/JSON; TermRecord serialises."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, date, datetime
from typing import Any

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.speech import text as speech_text
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.terms import TermDraft, TermRecord, language_tag


@pytest.fixture(autouse=True, scope="module")
def _zawgyi_detector() -> None:
    # myanmartools 1.2 opens its model with a deprecated importlib call when first loaded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        speech_text._detector()


HATEFUL = TermSense("hateful", "people called spots, to be removed")


def _draft(**changes: Any) -> TermDraft:
    values: dict[str, Any] = {
        "term": "madoadoa",
        "language": "sw",
        "senses": (HATEFUL, TermSense("neutral", "spots")),
        "countries": ("Kenya",),
        "targeted_groups": ("origin",),
        "severity": 3,
    }
    values.update(changes)
    return TermDraft(**values)


def test_a_draft_is_normalised_when_created() -> None:
    draft = _draft(
        term="  Kalar   Htaing ",
        language="MY",
        senses=(TermSense("hateful", " a slur ", phrases=("kalar  htaing stool",)),),
        script_variants=("kalar htaing", "KALAR-HTAING2", "kalar-htaing2"),
        alternatives=("chair", "chair", ""),
        why_inflames="  text  ",
    )
    assert draft.term == "Kalar Htaing"
    assert draft.normalized == "kalar htaing"
    assert draft.language == "my"
    # A variant that reads as the term or an earlier variant once normalised is dropped.
    assert draft.script_variants == ("KALAR-HTAING2",)
    assert draft.alternatives == ("chair",)
    assert draft.senses[0].meaning == "a slur"
    assert draft.senses[0].phrases == ("kalar htaing stool",)
    assert draft.why_inflames == "text"


def test_burmese_typed_in_zawgyi_is_stored_in_unicode() -> None:
    zawgyi_phrase = "ကုလားထုိင္"
    draft = _draft(
        term="ကုလား",
        language="my",
        senses=(HATEFUL, TermSense("neutral", "chair", phrases=(zawgyi_phrase,))),
    )
    assert draft.senses[1].phrases == ("ကုလားထိုင်",)
    assert draft.term == "ကုလား"


@pytest.mark.parametrize(
    ("value", "tag"),
    [("MY", "my"), ("sr-latn", "sr-Latn"), ("en-gb", "en-GB"), ("en-SIMPLE", "en-simple")],
)
def test_language_codes_take_their_usual_case(value: str, tag: str) -> None:
    assert language_tag(value) == tag


BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "no letters": ({"term": "?!"}, "term", "no letters"),
    "long term": ({"term": "x" * 201}, "term", "longer than 200"),
    "language": ({"language": "Swahili language"}, "language", "not a language code"),
    "no hateful sense": (
        {"senses": (TermSense("neutral", "spots"),)},
        "senses",
        "needs a hateful sense",
    ),
    "phrase without the term": (
        {"senses": (TermSense("hateful", phrases=("remove the spots",)),)},
        "senses[1].phrases",
        "does not contain the term",
    ),
    "phrase with the term inside a word": (
        {"senses": (TermSense("hateful", phrases=("madoadoani",)),)},
        "senses[1].phrases",
        "as a whole word",
    ),
    "severity": ({"severity": 4}, "severity", "choose 1, 2 or 3"),
    "severity bool": ({"severity": True}, "severity", "choose 1, 2 or 3"),
    "group": ({"targeted_groups": ("kikuyu",)}, "targeted_groups", "unknown group"),
    "url": ({"source_url": "www.example.org"}, "source_url", "http:// or https://"),
    "dates": (
        {"first_seen": date(2022, 1, 8), "last_seen": date(2007, 12, 30)},
        "last_seen",
        "before first seen",
    ),
    "date type": ({"first_seen": "2022-01-08"}, "first_seen", "not a date"),
    "why": ({"why_inflames": "x" * 4001}, "why_inflames", "at most 4000"),
    "too many senses": ({"senses": (HATEFUL,) * 13}, "senses", "at most 12"),
    "variant": ({"script_variants": ("!!",)}, "script_variants", "no letters"),
    "example flag": ({"example": "yes"}, "example", "true or false"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_draft_names_the_field_and_the_term(case: str) -> None:
    changes, field, words = BAD[case]
    with pytest.raises(ValidationError) as caught:
        _draft(**changes)
    assert caught.value.field == field
    assert words in caught.value.problem
    if case not in ("no letters",):
        assert caught.value.entry


def test_from_mapping_reads_yaml_shaped_terms() -> None:
    draft = TermDraft.from_mapping(
        {
            "term": "icyitso",
            "language": "rw",
            "script_variants": ["ibyitso"],
            "senses": [
                {"kind": "hateful", "meaning": "Tutsi, branded as accomplices"},
                {"kind": "neutral", "meaning": "accomplice", "phrases": ["icyitso cy'umujura"]},
            ],
            "first_seen": "1990-10-01",
            "severity": 2,
            "countries": ["Rwanda"],
        }
    )
    assert draft.script_variants == ("ibyitso",)
    assert draft.first_seen == date(1990, 10, 1)
    assert [sense.kind for sense in draft.senses] == ["hateful", "neutral"]
    assert draft.senses[1].phrases == ("icyitso cy'umujura",)


@pytest.mark.parametrize(
    ("item", "field", "words"),
    [
        ({"term": "x", "language": "sw", "colour": "red"}, None, "unknown field(s) colour"),
        ({"term": "x", "senses": []}, "language", "is required"),
        ({"term": "x", "language": "sw", "senses": "hateful"}, "senses", "list of senses"),
        (
            {"term": "x", "language": "sw", "senses": [{"kind": "rude"}]},
            "senses[1].kind",
            "hateful or neutral",
        ),
        (
            {"term": "x", "language": "sw", "senses": [{"kind": "hateful", "tone": 1}]},
            "senses[1]",
            "unknown key(s) tone",
        ),
        ({"term": "x", "language": "sw", "last_seen": "May 2017"}, "last_seen", "YYYY-MM-DD"),
        ({"term": "x", "language": "sw", "countries": [{"name": "Kenya"}]}, "countries", "list"),
    ],
)
def test_from_mapping_names_what_is_wrong(
    item: dict[str, Any], field: str | None, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        TermDraft.from_mapping(item)
    assert caught.value.field == field
    assert words in caught.value.problem


def test_a_record_serialises_to_json_and_becomes_a_lexicon_term() -> None:
    record = TermRecord(
        id=7,
        term="madoadoa",
        normalized="madoadoa",
        language="sw",
        senses=(HATEFUL,),
        script_variants=(),
        countries=("KEN",),
        targeted_groups=("origin",),
        severity=3,
        why_inflames="",
        alternatives=("neighbours",),
        first_seen=date(1992, 1, 1),
        last_seen=None,
        status="published",
        origin="shipped",
        licence="",
        source_url="",
        example=False,
        notes="",
        created_at=datetime(2025, 1, 2, tzinfo=UTC),
        reviewed_at=None,
    )
    data = json.loads(json.dumps(record.to_dict()))
    assert data["senses"] == [
        {
            "kind": "hateful",
            "meaning": "people called spots, to be removed",
            "phrases": [],
            "cues": [],
            "examples": [],
        }
    ]
    assert data["first_seen"] == "1992-01-01"
    assert data["created_by"] is None
    term = record.lexicon_term()
    assert (term.term_id, term.countries, term.default_sense) == (7, ("KEN",), "hateful")
