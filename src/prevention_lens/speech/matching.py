"""Finding lexicon terms in a post: whole words in context, never substrings, with the sense
each occurrence takes and whether the post uses the term or only mentions it.

The Myanmar lesson: blocking "kalar" in 2017 also blocked "kalar htaing" (a chair) and "kalar
pae" (split pea). So a text is cut into units first (``speech.units``: words, Burmese
syllables, characters of other scripts without spaces, pictographs). A term matches whole
units only, and the longest match starting at a unit wins, so a neutral phrase listed with
the term ("ကုလားထိုင်", a chair) takes the occurrence before the bare term can.

The sense of an occurrence: a phrase of one of the term's senses that contains it, else the
term's cue words nearby (the nearest decides), else the term's default (hateful when it has
only hateful senses, "unclear" when it has both). Its use: "mention" when it is quoted, named
as a word ("the word X", "X is a slur"), or reported as what someone was called ("they called
us X"); otherwise "use". A hit counts toward monitoring only when its sense is not neutral and
it is used.

Public API::

    SENSE_KINDS, HIT_SENSES, USES
    TermSense, LexiconTerm, TermHit               frozen; TermHit.counts, TermHit.to_dict()
    Matcher(terms).find(text, *, country=None) -> list[TermHit]   text as normalise_post gives it
    Matcher(terms).find_post(raw, *, country=None) -> (normalised text, hits)
    Unit, units, normalise_term, contains_form    re-exported from speech.units
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.speech.text import normalise_post
from prevention_lens.speech.units import (
    Unit,
    contains_form,
    is_word_char,
    normalise_term,
    units,
)
from prevention_lens.speech.units import (
    keys as unit_keys,
)

__all__ = [
    "HIT_SENSES",
    "MENTION_AFTER",
    "MENTION_BEFORE",
    "SENSE_KINDS",
    "USES",
    "LexiconTerm",
    "Matcher",
    "TermHit",
    "TermSense",
    "Unit",
    "contains_form",
    "normalise_term",
    "units",
]

SENSE_KINDS = ("hateful", "neutral")
HIT_SENSES = ("hateful", "neutral", "unclear")
USES = ("use", "mention")

# How far (in units) cue words may sit from an occurrence, and mention markers before it.
CUE_WINDOW = 6
MARKER_GAP = 2
# A quotation longer than this is taken as an unbalanced quote mark, not a quotation.
MAX_QUOTE_CHARS = 400

# Words that name what follows as a word rather than use it, or report it as what someone was
# called. Matched as units, case-folded, up to MARKER_GAP units before the occurrence.
MENTION_BEFORE: tuple[tuple[str, ...], ...] = (
    # English
    ("word",),
    ("words",),
    ("term",),
    ("terms",),
    ("slur",),
    ("slurs",),
    ("epithet",),
    ("epithets",),
    ("insult",),
    ("insults",),
    ("called", "us"),
    ("called", "me"),
    ("call", "us"),
    ("call", "me"),
    ("calls", "us"),
    ("calls", "me"),
    ("calling", "us"),
    ("calling", "me"),
    ("am", "called"),
    ("is", "called"),
    ("are", "called"),
    ("was", "called"),
    ("were", "called"),
    ("been", "called"),
    ("being", "called"),
    ("get", "called"),
    ("got", "called"),
    ("stop", "calling"),
    ("stop", "saying"),
    ("do", "not", "call"),
    ("don", "t", "call"),
    ("dont", "call"),
    # French
    ("mot",),
    ("mots",),
    ("terme",),
    ("termes",),
    ("insulte",),
    ("injure",),
    ("traité", "de"),
    ("traités", "de"),
    ("traitée", "de"),
    ("traitées", "de"),
    ("nous", "traite", "de"),
    ("nous", "traitent", "de"),
    ("me", "traite", "de"),
    ("me", "traitent", "de"),
    # Spanish, German, Swahili, Kinyarwanda: "word", "term", "insult"
    ("palabra",),
    ("palabras",),
    ("término",),
    ("insulto",),
    ("wort",),
    ("begriff",),
    ("schimpfwort",),
    ("neno",),
    ("maneno",),
    ("ijambo",),
)
# ...and right after it (Burmese puts the noun after: "ကုလားစာလုံး", the word kalar).
MENTION_AFTER: tuple[tuple[str, ...], ...] = (
    ("is", "a", "slur"),
    ("is", "an", "insult"),
    ("is", "a", "word"),
    ("is", "offensive"),
    ("is", "derogatory"),
    ("is", "a", "derogatory"),
    ("is", "racist"),
    ("is", "a", "racist"),
    ("is", "hate", "speech"),
    ("means",),
    ("est", "une", "insulte"),
    ("est", "un", "terme"),
    ("veut", "dire"),
    ("signifie",),
    ("စာလုံး",),
    ("စကားလုံး",),
    ("ဆိုတဲ့", "စာလုံး"),
    ("ဆိုတဲ့", "စကားလုံး"),
    ("ဆိုတဲ့", "အသုံးအနှုန်း"),
    ("ဆိုတဲ့", "အသုံးအနှုံး"),
)

# Opening quote mark -> closing marks. Straight quotes are paired separately.
_QUOTE_PAIRS = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "‹": "›",
    "「": "」",
    "『": "』",
    "‘": "’",
    "‚": "‘’",
}


@dataclass(frozen=True)
class TermSense:
    """One sense of a term. ``phrases`` are longer expressions in which the term has this sense
    ("kalar htaing", a chair); ``cues`` are words near it that point to this sense."""

    kind: str
    meaning: str = ""
    phrases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SENSE_KINDS:
            raise ValidationError(
                f"a sense is {' or '.join(SENSE_KINDS)}, not {self.kind!r}", field="kind"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "meaning": self.meaning,
            "phrases": list(self.phrases),
            "cues": list(self.cues),
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class LexiconTerm:
    """A term as the matcher needs it: its forms (the term and its script variants, which
    are also the only inflections it matches), its senses and what a hit reports."""

    term_id: int | None
    term: str
    language: str
    script_variants: tuple[str, ...] = ()
    severity: int = 2
    targeted_groups: tuple[str, ...] = ()
    senses: tuple[TermSense, ...] = ()
    # Country keys where the term is used; a post from elsewhere is not searched for it.
    countries: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.script_variants)

    @property
    def default_sense(self) -> str:
        kinds = {sense.kind for sense in self.senses}
        if kinds == {"neutral"}:
            return "neutral"
        return "unclear" if kinds == {"hateful", "neutral"} else "hateful"


@dataclass(frozen=True)
class TermHit:
    """One occurrence of a term. ``start``/``end`` index the text given to ``find``;
    ``meaning`` is the chosen sense's and ``reasons`` say why the sense and use were chosen."""

    term_id: int | None
    term: str
    language: str
    start: int
    end: int
    matched: str
    sense: str
    use: str
    severity: int
    targeted_groups: tuple[str, ...]
    meaning: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether the hit counts toward monitoring: a use, in a sense that is not neutral."""
        return self.sense != "neutral" and self.use == "use"

    def to_dict(self) -> dict[str, Any]:
        return {
            "term_id": self.term_id,
            "term": self.term,
            "language": self.language,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "sense": self.sense,
            "use": self.use,
            "severity": self.severity,
            "targeted_groups": list(self.targeted_groups),
            "meaning": self.meaning,
            "reasons": list(self.reasons),
            "counts": self.counts,
        }


@dataclass(frozen=True)
class _Entry:
    term: int
    sense: int | None  # None: a form of the term; else the sense whose phrase this is
    text: str


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every quotation: typographic pairs, and straight quotes that open
    before a word and close after one ("x's" is an apostrophe, not a quote). A quotation that
    opens with a handle ("@user: ...") or is all the post says is a repost, which spreads the
    words rather than reporting them, so it is not one."""
    spans: list[tuple[int, int]] = []
    open_at: list[tuple[int, str]] = []
    length = len(text)
    for index, char in enumerate(text):
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < length else " "
        if char in "'’" and is_word_char(before) and is_word_char(after):
            continue  # an apostrophe inside a word
        closing = next(
            (
                position
                for position in range(len(open_at) - 1, -1, -1)
                if char in open_at[position][1]
            ),
            None,
        )
        if closing is not None and (char not in "'" or not is_word_char(after)):
            start, _ = open_at[closing]
            del open_at[closing:]
            if index - start <= MAX_QUOTE_CHARS and not _is_repost(text, start, index + 1):
                spans.append((start, index + 1))
            continue
        if char in _QUOTE_PAIRS:
            open_at.append((index, _QUOTE_PAIRS[char]))
        elif char == '"':
            open_at.append((index, '"'))
        elif char == "'" and not is_word_char(before) and is_word_char(after):
            open_at.append((index, "'"))
    return spans


_REPOST = re.compile(r"\s*@\w+")
_NOT_COMMENT = re.compile(r"@\w+|\bhttp\b")


def _is_repost(text: str, start: int, end: int) -> bool:
    """Whether the quotation text[start:end] opens with a handle, or has no words around it
    but handles and links."""
    if _REPOST.match(text, start + 1):
        return True
    around = _NOT_COMMENT.sub(" ", f"{text[:start]} {text[end:]}")
    return not any(is_word_char(char) for char in around)


class Matcher:
    """Finds the terms in texts; build it once for many texts (it indexes every form)."""

    def __init__(self, terms: Sequence[LexiconTerm]) -> None:
        self.terms = tuple(terms)
        self._root = _Node()
        self._cues: list[list[tuple[str, tuple[str, ...]]]] = []
        for number, term in enumerate(self.terms):
            for form in term.forms:
                self._insert(unit_keys(form), _Entry(number, None, form))
            cues: list[tuple[str, tuple[str, ...]]] = []
            for sense_number, sense in enumerate(term.senses):
                for phrase in sense.phrases:
                    self._insert(unit_keys(phrase), _Entry(number, sense_number, phrase))
                cues.extend((sense.kind, keys) for cue in sense.cues if (keys := unit_keys(cue)))
            self._cues.append(cues)
        self._before = [(unit_keys(" ".join(words)), " ".join(words)) for words in MENTION_BEFORE]
        self._after = [(unit_keys(" ".join(words)), " ".join(words)) for words in MENTION_AFTER]

    def _insert(self, keys: tuple[str, ...], entry: _Entry) -> None:
        if not keys:
            return
        node = self._root
        for key in keys:
            node = node.children.setdefault(key, _Node())
        node.entries.append(entry)

    def find(self, text: str, *, country: str | None = None) -> list[TermHit]:
        """Every term in the text (already normalised with ``normalise_post``), leftmost
        first; at each unit the longest form or phrase wins. Given the post's country key,
        terms listed for other countries only are left out ("mende" is a cockroach in Kenya
        and a people in Sierra Leone)."""
        cut = units(text)
        quotes: list[tuple[int, int]] | None = None
        hits: list[TermHit] = []
        index = 0
        while index < len(cut):
            end, entries = self._longest(cut, index, country)
            if not entries:
                index += 1
                continue
            if quotes is None:
                quotes = _quoted_spans(text)
            by_term: dict[int, list[_Entry]] = {}
            for entry in entries:
                by_term.setdefault(entry.term, []).append(entry)
            for term_number, group in by_term.items():
                hits.append(self._hit(text, cut, index, end, term_number, group, quotes))
            index = end
        return hits

    def find_post(self, raw: str, *, country: str | None = None) -> tuple[str, list[TermHit]]:
        """The post normalised (entities, Zawgyi, links, handles) and the hits in it; the
        hits' offsets index the normalised text."""
        text = normalise_post(raw)
        return text, self.find(text, country=country)

    def _allowed(self, entry: _Entry, country: str | None) -> bool:
        places = self.terms[entry.term].countries
        return country is None or not places or country in places

    def _longest(
        self, cut: Sequence[Unit], start: int, country: str | None
    ) -> tuple[int, list[_Entry]]:
        node = self._root
        best_end, best_entries = start, []
        position = start
        while position < len(cut):
            if position > start and cut[position].gap:
                break
            child = node.children.get(cut[position].key)
            if child is None:
                break
            node = child
            position += 1
            entries = [entry for entry in node.entries if self._allowed(entry, country)]
            if entries:
                best_end, best_entries = position, entries
        return best_end, best_entries

    def _hit(
        self,
        text: str,
        cut: Sequence[Unit],
        start: int,
        end: int,
        term_number: int,
        entries: Sequence[_Entry],
        quotes: Sequence[tuple[int, int]],
    ) -> TermHit:
        term = self.terms[term_number]
        sense, meaning, reasons = self._sense(term, term_number, cut, start, end, entries)
        use, why = self._use(cut, start, end, quotes)
        first, last = cut[start].start, cut[end - 1].end
        return TermHit(
            term_id=term.term_id,
            term=term.term,
            language=term.language,
            start=first,
            end=last,
            matched=text[first:last],
            sense=sense,
            use=use,
            severity=term.severity,
            targeted_groups=term.targeted_groups,
            meaning=meaning,
            reasons=(*reasons, *why),
        )

    def _sense(
        self,
        term: LexiconTerm,
        term_number: int,
        cut: Sequence[Unit],
        start: int,
        end: int,
        entries: Sequence[_Entry],
    ) -> tuple[str, str, tuple[str, ...]]:
        phrases = [
            (entry, term.senses[entry.sense]) for entry in entries if entry.sense is not None
        ]
        if phrases:
            senses = [sense for _, sense in phrases]
            kinds = {sense.kind for sense in senses}
            reason = f"in the phrase {phrases[0][0].text!r}"
            if len(kinds) > 1:
                return "unclear", "", (f"{reason}, listed for both senses",)
            return senses[0].kind, senses[0].meaning, (reason,)
        nearest: dict[str, tuple[int, tuple[str, ...]]] = {}
        for kind, keys in self._cues[term_number]:
            distance = _distance(cut, start, end, keys)
            if distance is not None and (kind not in nearest or distance < nearest[kind][0]):
                nearest[kind] = (distance, keys)
        if nearest:
            ranked = sorted(nearest.items(), key=lambda item: item[1][0])
            if len(ranked) > 1 and ranked[0][1][0] == ranked[1][1][0]:
                return "unclear", "", ("cue words of both senses nearby",)
            kind, (_, keys) = ranked[0]
            meaning = next((sense.meaning for sense in term.senses if sense.kind == kind), "")
            return kind, meaning, (f"cue {' '.join(keys)!r} nearby",)
        default = term.default_sense
        meaning = ""
        if default != "unclear":
            meaning = next((sense.meaning for sense in term.senses if sense.kind == default), "")
        return default, meaning, ("the term's default sense",)

    def _use(
        self, cut: Sequence[Unit], start: int, end: int, quotes: Sequence[tuple[int, int]]
    ) -> tuple[str, tuple[str, ...]]:
        first, last = cut[start].start, cut[end - 1].end
        if any(open_at <= first and last <= close for open_at, close in quotes):
            return "mention", ("quoted",)
        for marker, label in self._before:
            for gap in range(MARKER_GAP + 1):
                begin = start - gap - len(marker)
                if begin < 0 or any(unit.gap == 2 for unit in cut[begin + 1 : start + 1]):
                    continue
                if tuple(unit.key for unit in cut[begin : begin + len(marker)]) == marker:
                    return "mention", (f"after {label!r}",)
        for marker, label in self._after:
            window = cut[end : end + len(marker)]
            keys = tuple(unit.key for unit in window)
            if keys == marker and window[0].gap < 2:
                return "mention", (f"before {label!r}",)
        return "use", ()


def _distance(cut: Sequence[Unit], start: int, end: int, keys: tuple[str, ...]) -> int | None:
    """Units between the occurrence (cut[start:end]) and the nearest place the cue's keys
    appear within CUE_WINDOW units in the same sentence; None if they do not."""
    best: int | None = None
    width = len(keys)
    low = start
    while low > 0 and start - low < CUE_WINDOW + width and cut[low].gap < 2:
        low -= 1
    high = end
    while high < len(cut) and high - end < CUE_WINDOW + width:
        if cut[high].gap == 2:
            break
        high += 1
    for begin in range(low, high - width + 1):
        if start - width < begin < end:
            continue
        if tuple(unit.key for unit in cut[begin : begin + width]) != keys:
            continue
        distance = start - (begin + width) if begin < start else begin - end
        if best is None or distance < best:
            best = distance
    return best
