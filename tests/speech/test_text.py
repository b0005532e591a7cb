"""How a post is made ready for matching and scoring: entities, Zawgyi, links and handles."""

from __future__ import annotations

import pytest

from prevention_lens.speech.text import (
    ZAWGYI_THRESHOLD,
    normalise_post,
    to_unicode,
    zawgyi_probability,
)

# "Welcome" (ကြိုဆိုပါတယ်) in Unicode and as the same keystrokes encoded in Zawgyi, where the
# medial ra and the vowel e are typed before the consonant they follow in Unicode.
WELCOME_UNICODE = "ကြိုဆိုပါတယ်"
WELCOME_ZAWGYI = "ၾကိဳဆိုပါတယ္"
# "Sit on the chair" (the kalar compound that must never read as the slur), in both encodings.
CHAIR_UNICODE = "ကုလားထိုင်ပေါ်မှာ ထိုင်ပါ"
CHAIR_ZAWGYI = "ကုလားထိုင္ေပၚမွာ ထိုင္ပါ"


@pytest.mark.parametrize(
    ("zawgyi", "unicode"), [(WELCOME_ZAWGYI, WELCOME_UNICODE), (CHAIR_ZAWGYI, CHAIR_UNICODE)]
)
def test_zawgyi_is_detected_and_converted_to_unicode(zawgyi: str, unicode: str) -> None:
    assert zawgyi_probability(zawgyi) >= ZAWGYI_THRESHOLD
    converted = to_unicode(zawgyi)
    assert converted.converted
    assert converted.text == unicode
    assert normalise_post(zawgyi) == unicode


@pytest.mark.parametrize("text", [WELCOME_UNICODE, CHAIR_UNICODE])
def test_unicode_burmese_is_left_as_it_is(text: str) -> None:
    assert zawgyi_probability(text) < ZAWGYI_THRESHOLD
    assert to_unicode(text).converted is False
    assert normalise_post(text) == text


def test_text_without_myanmar_letters_is_never_run_through_the_detector() -> None:
    assert zawgyi_probability("Welcome, friends") == 0.0
    assert to_unicode("Welcome, friends").text == "Welcome, friends"


def test_tweets_lose_entities_links_handles_and_retweet_marks() -> None:
    raw = "!!! RT @mayasolovely: You shouldn&amp;#8217;t go   there http://t.co/xyz &amp; www.x.org"
    assert normalise_post(raw) == "@user: You shouldn’t go there http & http"


def test_an_address_inside_a_word_is_not_taken_for_a_handle() -> None:
    assert normalise_post("write to team@example.org") == "write to team@example.org"
