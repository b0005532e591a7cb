"""Whole-word, sense-aware matching: the "kalar" case in Myanmar script, romanised and in
Zawgyi; substrings never matching; quotation and reporting read as mentions; cue words, the
default sense, country scope, pictographs and the longest match."""

from __future__ import annotations

import json
import warnings

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.speech import text as speech_text
from prevention_lens.speech.matching import LexiconTerm, Matcher, TermHit, TermSense
from prevention_lens.speech.text import ZAWGYI_THRESHOLD, zawgyi_probability

# Content warning: "kalar" is a slur; the tests need it (the Myanmar lesson is about it).
KALAR = LexiconTerm(
    term_id=1,
    term="ကုလား",
    language="my",
    script_variants=("kalar",),
    severity=2,
    targeted_groups=("religion", "origin"),
    senses=(
        TermSense("hateful", "a slur for Muslims"),
        TermSense("neutral", "chair", ("ကုလားထိုင်", "kalar htaing")),
        TermSense("neutral", "split pea", ("ကုလားပဲ", "kalar pae")),
        TermSense("neutral", "camel", ("ကုလားအုတ်", "kalar oat")),
    ),
    countries=("MMR",),
)
SPOTS = LexiconTerm(
    term_id=2,
    term="madoadoa",
    language="sw",
    senses=(
        TermSense("hateful", "outsiders to be removed", cues=("remove",)),
        TermSense("neutral", "spots", cues=("leaves", "paint")),
    ),
    countries=("KEN",),
)
ONLY_HATEFUL = LexiconTerm(3, "anglofou", "fr", ("anglofous",), senses=(TermSense("hateful"),))


@pytest.fixture(autouse=True, scope="module")
def _zawgyi_detector() -> None:
    # myanmartools 1.2 opens its model with a deprecated importlib call when first loaded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        speech_text._detector()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher([KALAR, SPOTS, ONLY_HATEFUL])


def _seen(hits: list[TermHit]) -> list[tuple[str, str, str]]:
    return [(hit.matched, hit.sense, hit.use) for hit in hits]


def test_chair_and_split_pea_in_myanmar_script_are_neutral_and_never_count(
    matcher: Matcher,
) -> None:
    (chair,) = matcher.find("ကုလားထိုင်ပေါ်မှာ ထိုင်နေတယ်။")
    assert (chair.matched, chair.sense, chair.meaning, chair.counts) == (
        "ကုလားထိုင်",
        "neutral",
        "chair",
        False,
    )
    assert (chair.start, chair.end) == (0, len("ကုလားထိုင်"))
    (pea,) = matcher.find("ကုလားပဲဟင်း ချက်တယ်")
    assert (pea.matched, pea.sense, pea.meaning, pea.counts) == (
        "ကုလားပဲ",
        "neutral",
        "split pea",
        False,
    )


def test_the_bare_term_in_myanmar_script_counts_with_a_particle_after_it(
    matcher: Matcher,
) -> None:
    # တွေ marks the plural: the term is a syllable run of its own, and no neutral compound.
    (hit,) = matcher.find("ကုလားတွေ")
    assert (hit.matched, hit.sense, hit.use, hit.counts) == ("ကုလား", "unclear", "use", True)
    assert hit.reasons == ("the term's default sense",)


def test_a_neutral_compound_inside_a_longer_word_still_takes_the_occurrence(
    matcher: Matcher,
) -> None:
    # "ငှက်ကုလားအုတ်" (bird-camel) is an ostrich: the camel phrase still covers the term.
    assert _seen(matcher.find("ငှက်ကုလားအုတ်")) == [("ကုလားအုတ်", "neutral", "use")]


def test_romanised_compounds_are_neutral_in_any_case_and_with_a_hyphen(matcher: Matcher) -> None:
    text = "We sat on a Kalar-Htaing and ate KALAR PAE!"
    hits = matcher.find(text)
    assert _seen(hits) == [("Kalar-Htaing", "neutral", "use"), ("KALAR PAE", "neutral", "use")]
    assert [text[hit.start : hit.end] for hit in hits] == ["Kalar-Htaing", "KALAR PAE"]
    assert not any(hit.counts for hit in hits)


def test_the_romanised_term_alone_counts(matcher: Matcher) -> None:
    (hit,) = matcher.find("Drive every kalar out of the township.")
    assert (hit.term, hit.matched, hit.sense, hit.counts) == ("ကုလား", "kalar", "unclear", True)
    assert hit.targeted_groups == ("religion", "origin")


def test_a_zawgyi_sentence_is_converted_before_matching(matcher: Matcher) -> None:
    # "Sitting on the chair", typed in the Zawgyi font encoding.
    zawgyi = "ကုလားထိုင္ေပၚမွာ ထိုင္ေနတယ္။"
    assert zawgyi_probability(zawgyi) > ZAWGYI_THRESHOLD
    text, hits = matcher.find_post(zawgyi)
    assert text == "ကုလားထိုင်ပေါ်မှာ ထိုင်နေတယ်။"
    assert _seen(hits) == [("ကုလားထိုင်", "neutral", "use")]


@pytest.mark.parametrize(
    "text",
    [
        "Kalaripayattu is a martial art from Kerala.",
        "The skalar product of two vectors.",
        "kalarhtaing",
        "Les anglofoustiques n'existent pas.",
    ],
)
def test_a_term_inside_a_longer_word_never_matches(matcher: Matcher, text: str) -> None:
    assert matcher.find(text) == []


def test_a_burmese_term_never_matches_part_of_a_syllable() -> None:
    # ထိ (touch) is the start of the letters of ထိုင် (sit), but not a syllable of it.
    touch = LexiconTerm(9, "ထိ", "my", senses=(TermSense("hateful"),))
    assert Matcher([touch]).find("ထိုင်နေတယ်") == []
    assert _seen(Matcher([touch]).find("ထိနေတယ်")) == [("ထိ", "hateful", "use")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('Facebook deletes posts that include the word "kalar".', "quoted"),
        ("“kalar” is what they shouted at us", "quoted"),
        ("He wrote 'kalar' on the wall.", "quoted"),
        ("They called us kalar at the market.", "after 'called us'"),
        ("I was called a kalar on the bus.", "after 'was called'"),
        ("The slur kalar is used against Muslims.", "after 'slur'"),
        ("Stop calling people kalar.", "after 'stop calling'"),
        ("kalar is a slur, not a name.", "before 'is a slur'"),
        ("ကုလားစာလုံး", "before 'စာလုံး'"),
        ("Ils nous traitent de anglofous.", "after 'nous traitent de'"),
    ],
)
def test_quoting_naming_or_reporting_a_term_is_a_mention(
    matcher: Matcher, text: str, reason: str
) -> None:
    (hit,) = matcher.find(text)
    assert hit.use == "mention"
    assert reason in hit.reasons
    assert not hit.counts


@pytest.mark.parametrize(
    "text",
    [
        "Call them kalar and drive them out.",
        "The kalar's shop must close.",
        "The word on the street: every kalar out of town now",
        'He said "enough". Every kalar must leave.',
        '"@user: every kalar must leave" so true',
        "“@user every kalar must leave”",
        '@user "every kalar must leave" 😡 http',
    ],
)
def test_using_a_term_is_not_a_mention(matcher: Matcher, text: str) -> None:
    (hit,) = matcher.find(text)
    assert hit.use == "use"
    assert hit.counts


@pytest.mark.parametrize("text", ["KALAR!!!", "...kalar?", "(kalar)", "#kalar", "kalar\n"])
def test_case_and_punctuation_around_a_term_do_not_hide_it(matcher: Matcher, text: str) -> None:
    (hit,) = matcher.find(text)
    assert hit.matched.casefold() == "kalar"


def test_punctuation_inside_a_phrase_breaks_it(matcher: Matcher) -> None:
    assert _seen(matcher.find("kalar, htaing")) == [("kalar", "unclear", "use")]


def test_cue_words_nearby_choose_the_sense(matcher: Matcher) -> None:
    assert _seen(matcher.find("You must remove all madoadoa here.")) == [
        ("madoadoa", "hateful", "use")
    ]
    assert _seen(matcher.find("The leaves had madoadoa after the rain.")) == [
        ("madoadoa", "neutral", "use")
    ]
    # The nearest cue decides; cues at the same distance leave it unclear.
    (nearest,) = matcher.find("remove the leaves with madoadoa")
    assert nearest.sense == "neutral"
    (tied,) = matcher.find("remove madoadoa paint")
    assert (tied.sense, tied.reasons) == ("unclear", ("cue words of both senses nearby",))
    # A cue in another sentence is not near.
    (apart,) = matcher.find("We remove nothing. Madoadoa.")
    assert apart.sense == "unclear"


def test_without_evidence_the_default_is_hateful_for_one_sense_and_unclear_for_both(
    matcher: Matcher,
) -> None:
    assert _seen(matcher.find("Ces anglofous encore")) == [("anglofous", "hateful", "use")]
    assert _seen(matcher.find("madoadoa")) == [("madoadoa", "unclear", "use")]
    neutral_only = LexiconTerm(4, "pea", "en", senses=(TermSense("neutral", "a legume"),))
    assert _seen(Matcher([neutral_only]).find("a pea")) == [("pea", "neutral", "use")]


def test_terms_listed_for_other_countries_are_left_out_of_a_post_with_a_country(
    matcher: Matcher,
) -> None:
    text = "remove the madoadoa"
    assert [hit.term for hit in matcher.find(text)] == ["madoadoa"]
    assert [hit.term for hit in matcher.find(text, country="KEN")] == ["madoadoa"]
    assert matcher.find(text, country="SLE") == []
    # A term with no country is looked for everywhere.
    assert [hit.term for hit in matcher.find("anglofou", country="SLE")] == ["anglofou"]


def test_only_the_listed_script_variants_are_matched() -> None:
    accomplice = LexiconTerm(5, "icyitso", "rw", ("ibyitso",), senses=(TermSense("hateful"),))
    found = Matcher([accomplice]).find("icyitso ibyitso icyitsos")
    assert [hit.matched for hit in found] == ["icyitso", "ibyitso"]
    assert {hit.term for hit in found} == {"icyitso"}


def test_the_longest_term_wins_and_pictographs_are_terms_too() -> None:
    gag = LexiconTerm(6, "gag", "en", senses=(TermSense("hateful"),))
    reel = LexiconTerm(7, "gag reel", "en", senses=(TermSense("hateful"),))
    snake = LexiconTerm(8, "🐍", "und", senses=(TermSense("hateful", "a snake"),))
    found = Matcher([gag, reel, snake]).find("a gag reel, a gag, and 🐍🐍")
    assert [(hit.term, hit.matched) for hit in found] == [
        ("gag reel", "gag reel"),
        ("gag", "gag"),
        ("🐍", "🐍"),
        ("🐍", "🐍"),
    ]


def test_a_hit_serialises_with_whether_it_counts(matcher: Matcher) -> None:
    (hit,) = matcher.find("kalar htaing")
    data = json.loads(json.dumps(hit.to_dict()))
    assert data["sense"] == "neutral"
    assert data["counts"] is False
    assert data["targeted_groups"] == ["religion", "origin"]
    assert data["reasons"] == ["in the phrase 'kalar htaing'"]


def test_a_phrase_listed_for_both_senses_is_unclear() -> None:
    both = LexiconTerm(
        10,
        "mende",
        "sw",
        senses=(
            TermSense("hateful", phrases=("mende hao",)),
            TermSense("neutral", phrases=("mende hao",)),
        ),
    )
    (hit,) = Matcher([both]).find("mende hao")
    assert hit.sense == "unclear"


def test_a_sense_kind_must_be_hateful_or_neutral() -> None:
    with pytest.raises(ValidationError, match="hateful or neutral"):
        TermSense("rude")


def test_an_empty_lexicon_or_text_finds_nothing(matcher: Matcher) -> None:
    assert Matcher([]).find("kalar") == []
    assert matcher.find("") == []
    assert matcher.find("   ...   ") == []
