"""Reframe a text for one audience: every sector term the audience does not use becomes the
audience's own term (exact or close matches only), and terms that are sensitive, misleading or
counter-productive for that audience are flagged, with the note that says why.

Matching is by whole terms: case-insensitive (acronyms such as ``R2P`` or ``PoC`` keep their
case), hyphen and space interchangeable, straight and curly apostrophes alike, the longest term
first, never inside a longer word (letters, digits and a hyphen or apostrophe between them join
words) and, in English, with the plural (-s, -es, -ies) and possessive ('s) of the last word.
Text inside quotations (straight or curly double quotes, guillemets, curly single quotes) is
never changed, though terms there are still flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.model import (
    LANGUAGES,
    NOTE_BASES,
    SCHEMES,
    SUBSTITUTES,
    Concept,
    Lexicon,
)

MAX_TEXT_CHARS = 20_000
# Note kinds that earn a flag; "preferred" notes say a term works well, which needs no warning.
FLAG_KINDS = ("sensitive", "misleading", "counterproductive")

_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019\u02bc"
_LETTER_OR_DIGIT = r"[^\W_]"
_SEPARATOR = rf"(?:\s*[{_HYPHENS}]\s*|\s+)"
_SPLIT_LABEL = re.compile(rf"\s+|[{_HYPHENS}]")
_SPLIT_MATCH = re.compile(rf"\s*[{_HYPHENS}]\s*|\s+")
# Words left in lower case when a term is written in Title Case.
# fmt: off
_MINOR_WORDS = frozenset((
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "the", "to", "with",
))
# fmt: on
_IRREGULAR_PLURALS = {
    "analysis": "analyses",
    "child": "children",
    "crisis": "crises",
    "criterion": "criteria",
    "man": "men",
    "person": "people",
    "phenomenon": "phenomena",
    "woman": "women",
}
# Capitalised nouns that make a capitalised term part of a proper name (the Atrocities
# Prevention Board, the Office on Genocide Prevention), which is never renamed.
# fmt: off
_NAME_NOUNS = frozenset((
    "Act", "Agency", "Alliance", "Award", "Board", "Centre", "Center", "Coalition", "Commission",
    "Committee", "Convention", "Council", "Day", "Department", "Directorate", "Division",
    "Force", "Forum", "Foundation", "Fund", "Group", "Initiative", "Institute", "Ministry",
    "Network", "Office", "Partnership", "Programme", "Program", "Project", "Secretariat",
    "Summit", "Treaty", "Unit",
))
# fmt: on
_NEXT_WORD = re.compile(r"[ \t]+([^\W_][\w'’-]*)")
_NAME_BEFORE = re.compile(
    rf"(?<![^\W_])(?:{'|'.join(sorted(_NAME_NOUNS))})[ \t]+(?:on|of|for|against)[ \t]+"
    r"(?:the[ \t]+)?$"
)
# Opening mark → closing mark of a quotation.
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u2018": "\u2019"}


@dataclass(frozen=True)
class Change:
    """One term rewritten: ``start``/``end`` are offsets in the original text."""

    start: int
    end: int
    original_text: str
    replacement: str
    concept_id: str
    target_id: str
    kind: str
    rationale: str


@dataclass(frozen=True)
class Flag:
    """A term whose concept has a scope note of a flagged kind for the audience (one flag per
    note); ``replaced`` says whether the term was rewritten."""

    start: int
    end: int
    term: str
    concept_id: str
    kind: str
    note: str
    basis: str
    replaced: bool


@dataclass(frozen=True)
class Reframed:
    text: str
    original: str
    audience: str
    changes: tuple[Change, ...]
    flags: tuple[Flag, ...]
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "original": self.original,
            "audience": self.audience,
            "language": self.language,
            "changes": [asdict(change) for change in self.changes],
            "flags": [asdict(flag) for flag in self.flags],
        }


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    concept: Concept
    label: str
    plural: bool
    possessive: str
    quoted: bool


def reframe(lexicon: Lexicon, text: str, audience: str, language: str = "en") -> Reframed:
    """The text rewritten in the audience's terms, with every change and every flag."""
    if audience not in SCHEMES:
        raise ValidationError(
            f"unknown audience {audience!r}; choose from {', '.join(SCHEMES)}", field="audience"
        )
    if language not in LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}",
            field="language",
        )
    if not isinstance(text, str):
        raise ValidationError(f"expected text, got {type(text).__name__}", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"the text has {len(text):,} characters; at most {MAX_TEXT_CHARS:,} can be reframed",
            field="text",
        )
    changes: list[Change] = []
    flags: list[Flag] = []
    for match in _matches(lexicon, text, audience, language):
        kept = match.quoted or (language == "en" and _in_a_name(text, match))
        change = None if kept else _change_for(lexicon, text, match, audience, language)
        if change is not None:
            changes.append(change)
        for note in match.concept.notes_for(audience):
            if note.kind in FLAG_KINDS:
                flags.append(
                    Flag(
                        start=match.start,
                        end=match.end,
                        term=text[match.start : match.end],
                        concept_id=match.concept.id,
                        kind=note.kind,
                        note=note.note,
                        basis=note.basis,
                        replaced=change is not None,
                    )
                )
    rewritten = text
    # Right to left, so the offsets of the changes still to apply stay valid.
    for change in reversed(changes):
        rewritten = rewritten[: change.start] + change.replacement + rewritten[change.end :]
    return Reframed(rewritten, text, audience, tuple(changes), tuple(flags), language)


def reframe_summary(reframed: Reframed) -> str:
    """The changes and flags of a reframing as plain text, one per line, for a terminal."""
    name = SCHEMES.get(reframed.audience, reframed.audience)
    lines = [
        f"Reframed for {name} ({reframed.audience}): "
        f"{_count(len(reframed.changes), 'change')}, {_count(len(reframed.flags), 'flag')}."
    ]
    if reframed.changes:
        lines.append("Changes:")
        for change in reframed.changes:
            lines.append(
                f"  {_position(reframed.original, change.start)}: "
                f"{change.original_text!r} -> {change.replacement!r} "
                f"({change.concept_id} -> {change.target_id}, {change.kind} match): "
                f"{change.rationale}"
            )
    if reframed.flags:
        lines.append("Flags:")
        for flag in reframed.flags:
            state = "replaced" if flag.replaced else "kept"
            basis = NOTE_BASES.get(flag.basis, flag.basis)
            lines.append(
                f"  {_position(reframed.original, flag.start)}: {flag.term!r} "
                f"({flag.concept_id}, {state}) is {flag.kind}: {flag.note} [basis: {basis}]"
            )
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


# --- finding terms -------------------------------------------------------------------------


def _matches(lexicon: Lexicon, text: str, audience: str, language: str) -> list[_Match]:
    """Every term in the text, leftmost first and the longest at a position, none overlapping.

    Terms of the audience's own scheme are found too: they are never rewritten, but they keep
    a shorter foreign term from matching inside them and they are flagged where a note says so.
    """
    quotations = _quotations(text)
    candidates: list[tuple[int, int, int, str, _Match]] = []
    for concept in lexicon.concepts.values():
        seen: set[str] = set()
        for rank, label in enumerate(concept.labels(language)):
            if label.casefold() in seen:
                continue
            seen.add(label.casefold())
            for found in _label_pattern(label, language).finditer(text):
                start, end = found.span()
                match = _Match(
                    start=start,
                    end=end,
                    concept=concept,
                    label=label,
                    plural=bool(found.groupdict().get("plural")),
                    possessive=found.groupdict().get("poss") or "",
                    quoted=any(
                        open_at < end and start < close_at for open_at, close_at in quotations
                    ),
                )
                own = 0 if concept.scheme == audience else 1
                # Longest first; on the very same span the audience's own term, then a preferred
                # label, then the concept id, so the outcome never depends on dict order.
                candidates.append(
                    (start, -(end - start), own * 2 + min(rank, 1), concept.id, match)
                )
    candidates.sort(key=lambda item: item[:4])
    chosen: list[_Match] = []
    reached = 0
    for start, _, _, _, match in candidates:
        if start >= reached:
            chosen.append(match)
            reached = match.end
    return chosen


def _label_pattern(label: str, language: str) -> re.Pattern[str]:
    words = [word for word in _SPLIT_LABEL.split(label.strip()) if word]
    parts = [_word_pattern(word) for word in words]
    ending = ""
    # Inflections are English (French and Spanish plurals touch more than the last word).
    if language == "en" and words[-1][-1].isalpha():
        parts[-1] = _inflected_pattern(words[-1])
        ending = rf"(?P<poss>[{_APOSTROPHES}][sS])?"
    # A hyphen or apostrophe joins words only between letters or digits; French elides
    # articles with an apostrophe (l'incitation), so there it does not join.
    joiners = _HYPHENS if language == "fr" else _HYPHENS + _APOSTROPHES
    before = rf"(?<!{_LETTER_OR_DIGIT})(?<!{_LETTER_OR_DIGIT}[{joiners}])"
    after = rf"(?!{_LETTER_OR_DIGIT})(?![{_HYPHENS}{_APOSTROPHES}]{_LETTER_OR_DIGIT})"
    return _compile(before + _SEPARATOR.join(parts) + ending + after)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern, re.IGNORECASE)
    return compiled


def _is_acronym_word(word: str) -> bool:
    """An acronym (R2P, PoC, RtoP, HRDs) keeps its case: two capitals, or a capital inside."""
    letters = [char for char in word if char.isalpha()]
    capitals = sum(char.isupper() for char in letters)
    return capitals >= 2 or any(char.isupper() for char in letters[1:])


def _word_pattern(word: str) -> str:
    pattern = "".join(
        f"[{_APOSTROPHES}]" if char in _APOSTROPHES else re.escape(char) for char in word
    )
    if _is_acronym_word(word):
        upper = re.escape(word.upper())
        return f"(?-i:{pattern}|{upper})" if upper != pattern else f"(?-i:{pattern})"
    return pattern


def _inflected_pattern(word: str) -> str:
    lower = word.lower()
    if len(word) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return _word_pattern(word[:-1]) + "(?:y|(?P<plural>ies))"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return _word_pattern(word) + "(?P<plural>es)?"
    return _word_pattern(word) + "(?P<plural>s)?"


def _in_a_name(text: str, match: _Match) -> bool:
    """Whether a capitalised term is part of the name of a body, a law or a day."""
    words = [word for word in _SPLIT_MATCH.split(text[match.start : match.end]) if word]
    if not all(word[:1].isupper() or word.lower() in _MINOR_WORDS for word in words):
        return False
    if _NAME_BEFORE.search(text, max(0, match.start - 60), match.start):
        return True
    # A few more capitalised words may come before the noun (Atrocities Prevention Board).
    position = match.end
    for _ in range(4):
        found = _NEXT_WORD.match(text, position)
        if found is None or not found.group(1)[:1].isupper():
            return False
        if found.group(1) in _NAME_NOUNS:
            return True
        position = found.end()
    return False


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans (opening mark to closing mark, inclusive) of quotations. A quotation left open
    runs to the end of its paragraph, as in the convention for quotations of several
    paragraphs; a right single quote between letters is an apostrophe (don’t), not a close."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        opening = _next_opening(text, position)
        if opening is None:
            return spans
        closing_mark = _QUOTES[text[opening]]
        paragraph_end = text.find("\n\n", opening)
        limit = len(text) if paragraph_end < 0 else paragraph_end
        close_at = limit
        for index in range(opening + 1, limit):
            if text[index] == closing_mark and not _is_apostrophe(text, index):
                close_at = index + 1
                break
        spans.append((opening, close_at))
        position = close_at


def _next_opening(text: str, position: int) -> int | None:
    for index in range(position, len(text)):
        if text[index] in _QUOTES:
            return index
    return None


def _is_apostrophe(text: str, index: int) -> bool:
    if text[index] != "\u2019":
        return False
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before.isalnum() and after.isalnum()


# --- rewriting terms -----------------------------------------------------------------------


def _change_for(
    lexicon: Lexicon, text: str, match: _Match, audience: str, language: str
) -> Change | None:
    term = lexicon.term_for(match.concept.id, audience)
    if term is None or term.concept.id == match.concept.id or term.kind not in SUBSTITUTES:
        return None
    replacement = term.concept.pref_labels.get(language)
    if not replacement:
        # Never put an English term into a French or Spanish text.
        return None
    if match.plural:
        replacement = _pluralise(replacement)
    style = _case_style(text[match.start : match.end - len(match.possessive)], match.label)
    replacement = _apply_case(replacement, style) + match.possessive
    return Change(
        start=match.start,
        end=match.end,
        original_text=text[match.start : match.end],
        replacement=replacement,
        concept_id=match.concept.id,
        target_id=term.concept.id,
        kind=term.kind,
        rationale=term.rationale,
    )


def _pluralise(term: str) -> str:
    head, _, last = term.rpartition(" ")
    if not last[-1:].isalpha():
        return term
    lower = last.lower()
    if lower in _IRREGULAR_PLURALS:
        plural = _IRREGULAR_PLURALS[lower]
        plural = plural.upper() if last.isupper() else last[0] + plural[1:]
    elif lower.endswith("s") and not lower.endswith("ss"):
        plural = last  # already plural (rights, violations, HRDs)
    elif _is_acronym_word(last):
        plural = last + "s"
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def _case_style(matched: str, label: str) -> str:
    """How the matched text is cased against the label: "own" (as the label has it),
    "upper", "title" (every word capitalised) or "capital" (first letter only)."""
    words = [word for word in _SPLIT_MATCH.split(matched) if word]
    label_words = [word for word in _SPLIT_LABEL.split(label) if word]
    if len(words) == len(label_words) and all(
        _same_case(word, label_word) for word, label_word in zip(words, label_words, strict=True)
    ):
        return "own"
    letters = [char for char in matched if char.isalpha()]
    if len(letters) >= 2 and all(char.isupper() for char in letters):
        return "upper"
    if len(words) >= 2 and all(
        word[:1].isupper() or (index and word.lower() in _MINOR_WORDS)
        for index, word in enumerate(words)
    ):
        return "title"
    if matched[:1].isupper() and not label[:1].isupper():
        return "capital"
    return "own"


def _same_case(word: str, label_word: str) -> bool:
    """Whether the word has the label word's case letter by letter (an inflection aside)."""
    return all(
        char == label_char
        for char, label_char in zip(word, label_word, strict=False)
        if char.lower() == label_char.lower()
    )


def _apply_case(term: str, style: str) -> str:
    if style == "upper":
        return term.upper()
    if style == "title":
        return "".join(_title_words(term))
    if style == "capital":
        return term[:1].upper() + term[1:]
    return term


def _title_words(term: str) -> Iterator[str]:
    # Split keeping separators, so hyphenated words are capitalised on both sides.
    pieces = re.split(rf"(\s+|[{_HYPHENS}])", term)
    for index, piece in enumerate(pieces):
        keep = index % 2 or not piece or (index and piece.lower() in _MINOR_WORDS)
        if keep:
            yield piece
        else:
            yield piece[:1].upper() + piece[1:]
