"""Cutting texts into the units terms are matched on: words, Burmese syllables, characters of
other scripts without spaces, pictographs; and the gaps between them."""

from __future__ import annotations

from prevention_lens.speech.units import (
    contains_form,
    find_sequence,
    form_screen,
    is_word_char,
    keys,
    normalise_term,
    units,
)


def test_words_are_case_folded_and_apostrophes_split_them() -> None:
    assert keys("Straße KALAR's l’anglofou") == ("strasse", "kalar", "s", "l", "anglofou")


def test_gaps_say_what_separates_a_unit_from_the_one_before() -> None:
    cut = units("one two-three, four. Five\nsix")
    assert [(unit.key, unit.gap) for unit in cut] == [
        ("one", 0),
        ("two", 0),
        ("three", 0),
        ("four", 1),
        ("five", 2),
        ("six", 2),
    ]
    assert all(unit.spaced for unit in cut)


def test_offsets_index_the_text() -> None:
    text = "  «ကုလား» and (kalar)"
    assert [text[unit.start : unit.end] for unit in units(text)] == ["ကု", "လား", "and", "kalar"]


def test_burmese_is_cut_into_syllables() -> None:
    assert keys("ကုလားထိုင်ပေါ်မှာ") == ("ကု", "လား", "ထိုင်", "ပေါ်", "မှာ")
    # A stacked consonant and a kinzi stay with their syllable.
    assert keys("သတ္တိ") == ("သတ္တိ",)
    assert keys("မင်္ဂလာ") == ("မင်္ဂ", "လာ")
    assert not any(unit.spaced for unit in units("ကုလား"))


def test_other_scripts_without_spaces_are_cut_into_characters_with_their_marks() -> None:
    assert keys("ไทย") == ("ไ", "ท", "ย")
    assert keys("ที่") == ("ที่",)
    assert keys("仇恨") == ("仇", "恨")


def test_pictographs_are_units_with_their_modifiers_and_joins() -> None:
    assert keys("🐍🐍") == ("🐍", "🐍")
    assert keys("a👍🏽b") == ("a", "👍🏽", "b")
    assert keys("👨\u200d👩\u200d👧") == ("👨\u200d👩\u200d👧",)


def test_a_soft_hyphen_is_ignored_and_joiners_stay_in_the_word() -> None:
    assert keys("ka\u00adlar") == ("kalar",)
    assert keys("می\u200cخواهم") == ("می\u200cخواهم",)


def test_normalise_term_joins_words_with_a_space_and_burmese_syllables_together() -> None:
    assert normalise_term("  Kalar-Htaing ") == "kalar htaing"
    assert normalise_term("ကုလား ထိုင်") == "ကုလားထိုင်"
    assert normalise_term("kalar ထိုင်") == "kalar ထိုင်"
    assert normalise_term("?!") == ""


def test_a_phrase_contains_a_form_only_as_whole_units() -> None:
    assert contains_form("kalar htaing", ["ကုလား", "kalar"])
    assert contains_form("ကုလားထိုင်", ["ကုလား"])
    assert not contains_form("kalarhtaing", ["kalar"])
    assert not contains_form("kalar", [""])
    assert find_sequence(("a", "b", "c"), ("b", "c")) == 1
    assert find_sequence(("a", "b"), ("c",)) == -1


def test_word_characters_are_letters_marks_digits_and_joiners() -> None:
    assert all(is_word_char(char) for char in "aé7ကု\u200d")
    assert not any(is_word_char(char) for char in " .-'🐍")


def test_the_form_screen_passes_every_text_that_holds_a_form() -> None:
    may_hold = form_screen(["Kalar", "ကုလား", "zorb rake"])
    holding = [
        "They called us KALAR.",
        "a kalar htaing",
        "ကုလားထိုင် ဝယ်တယ်",
        "the Zorb rake",
        "ka\u00adlar in a soft-hyphen disguise",
    ]
    assert all(may_hold(text) for text in holding)
    assert not any(may_hold(text) for text in ("a market day", "zor b", "မင်္ဂလာပါ"))
    assert not form_screen([])("anything")
