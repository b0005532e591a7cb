"""How a text is cut into the units lexicon terms are matched on: words in scripts that put
spaces between words, syllables in Burmese, characters (with their combining marks) in Thai,
Lao, Khmer, Chinese and Japanese, and pictographs (emoji are used as slurs too). Matching
whole units is what keeps "kalar" out of "Kalaripayattu" and out of a Burmese word in which
its letters are not a syllable of their own.

Public API::

    Unit                                    start, end, key (case-folded), spaced, gap
    units(text) -> list[Unit]
    keys(text) -> tuple[str, ...]           the units' keys
    normalise_term(text) -> str             "Kalar-Htaing" -> "kalar htaing"; Burmese runs together
    find_sequence(haystack, needle) -> int  where the keys of a form start in a text's keys, or -1
    contains_form(phrase, forms) -> bool    whether a phrase holds one of the forms as whole units
    form_screen(forms) -> (text -> bool)    a quick test passing every text that may hold a form
    is_word_char(char) -> bool              a letter, mark, digit or joiner
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

_APOSTROPHES = "'’"
# Between two units: these keep a phrase together; any other mark breaks it.
_SOFT = frozenset("-‐‑_\u200b\u2060\u00a0" + _APOSTROPHES)
# These end a sentence: cue windows and mention markers do not reach across them.
_SENTENCE_END = frozenset(".!?…\n\r။。！？")
# Joiners and the soft hyphen belong to the word they sit in.
_IN_WORD = frozenset("\u200c\u200d\u00ad")
_DROPPED = dict.fromkeys(map(ord, "\u00ad"))

# Scripts written without spaces between words. Burmese is cut into syllables; the others
# (no syllable rule here) into characters with their combining marks.
_MYANMAR = ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))
_UNSEGMENTED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x2FA1F),  # CJK extensions B and later
)
_ASAT, _STACKER = "\u103a", "\u1039"


def _in(ranges: tuple[tuple[int, int], ...], char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in ranges)


def is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN" or char in _IN_WORD


def _myanmar_syllable_starts(text: str, index: int) -> bool:
    """Whether a Burmese syllable starts at ``index`` (a consonant, independent vowel or digit
    not tied to the previous one by a stacker, and not closed by an asat or stacked itself)."""
    char = text[index]
    if unicodedata.category(char)[0] not in "LN":
        return False
    if index > 0 and text[index - 1] == _STACKER:
        return False
    following = text[index + 1] if index + 1 < len(text) else ""
    return following not in (_ASAT, _STACKER)


def _symbol_end(text: str, index: int) -> int:
    """Where a pictograph that starts at ``index`` ends: after its variation selectors, skin
    tones, and the pictographs joined to it by zero-width joiners."""
    end = index + 1
    while end < len(text):
        char = text[end]
        if unicodedata.category(char) in ("Mn", "Me", "Sk") or "\U0001f3fb" <= char <= "\U0001f3ff":
            end += 1
        elif (
            char == "\u200d" and end + 1 < len(text) and unicodedata.category(text[end + 1]) == "So"
        ):
            end += 2
        else:
            break
    return end


@dataclass(frozen=True)
class Unit:
    """One unit of a text: a word, a Burmese syllable, a character of a script without
    spaces, or a pictograph. ``gap`` says what separates it from the unit before: 0 nothing,
    a space or a hyphen; 1 other punctuation; 2 the end of a sentence."""

    start: int
    end: int
    key: str
    spaced: bool
    gap: int


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().translate(_DROPPED)


def units(text: str) -> list[Unit]:
    """The text cut into the units it is matched on, with their offsets."""
    found: list[Unit] = []
    gap = 0
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if unicodedata.category(char) == "So":
            # A pictograph (an emoji used as a slur): one unit with its modifiers and joins.
            end = _symbol_end(text, index)
            found.append(Unit(index, end, _fold(text[index:end]), False, gap if found else 0))
            gap = 0
            index = end
            continue
        if not is_word_char(char):
            if char in _SENTENCE_END:
                gap = 2
            elif not (char in _SOFT or char.isspace()):
                gap = max(gap, 1)
            index += 1
            continue
        end = index + 1
        spaced = False
        if _in(_MYANMAR, char):
            while (
                end < length
                and _in(_MYANMAR, text[end])
                and is_word_char(text[end])
                and not _myanmar_syllable_starts(text, end)
            ):
                end += 1
        elif _in(_UNSEGMENTED, char):
            while end < length and (
                unicodedata.category(text[end])[0] == "M" or text[end] in _IN_WORD
            ):
                end += 1
        else:
            spaced = True
            while (
                end < length
                and is_word_char(text[end])
                and not _in(_MYANMAR, text[end])
                and not _in(_UNSEGMENTED, text[end])
            ):
                end += 1
        found.append(Unit(index, end, _fold(text[index:end]), spaced, gap if found else 0))
        gap = 0
        index = end
    return found


def keys(text: str) -> tuple[str, ...]:
    return tuple(unit.key for unit in units(text))


def normalise_term(text: str) -> str:
    """How a term is compared: its units case-folded, words joined by a space and syllables of
    scripts without spaces run together ("Kalar-Htaing" -> "kalar htaing")."""
    parts: list[str] = []
    previous: Unit | None = None
    for unit in units(text):
        if previous is not None and (previous.spaced or unit.spaced):
            parts.append(" ")
        parts.append(unit.key)
        previous = unit
    return "".join(parts)


def find_sequence(haystack: Sequence[str], needle: Sequence[str]) -> int:
    width = len(needle)
    for start in range(len(haystack) - width + 1):
        if tuple(haystack[start : start + width]) == tuple(needle):
            return start
    return -1


def contains_form(phrase: str, forms: Iterable[str]) -> bool:
    """Whether the phrase holds one of the forms as whole units."""
    phrase_keys = keys(phrase)
    return any(
        (form_keys := keys(form)) and find_sequence(phrase_keys, form_keys) >= 0 for form in forms
    )


def form_screen(forms: Iterable[str]) -> Callable[[str], bool]:
    """A quick test that passes every text holding one of the forms as whole units (and some
    that do not): whether the text, case-folded, contains a form's first unit. It spares
    matching the texts a change to these forms cannot touch."""
    firsts = tuple({found[0] for form in forms if (found := keys(form))})

    def may_hold(text: str) -> bool:
        folded = _fold(text)
        return any(first in folded for first in firsts)

    return may_hold
