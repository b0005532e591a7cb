"""Policy screening, the "prevention lens": which of the Framework of Analysis's 14 risk factors a
proposed policy, programme or decision may aggravate or mitigate, why, how sure, and what to ask.

Method (docs/briefs.md, "Policy screening"):

1. The text (at most 20,000 characters) is split into sentences (at . ! ? ; and line breaks;
   fragments of fewer than three words are dropped).
2. Sentences and the Framework's indicators (as stored; a factor without indicators stands for
   itself by its summary) are embedded with multilingual-e5-small (``whatworks.embeddings``).
   Indicator vectors are computed once per indicator text (cached in memory by SHA-256), never
   per screening.
3. A sentence's *strength* for an indicator is how far its cosine similarity stands above the
   similarity of ordinary policy sentences (``BACKGROUND_SENTENCES``) to that indicator, in
   standard deviations: raw cosines from this model crowd between 0.75 and 0.87 for any pair.
   A sentence that holds one of the factor's anchor words gets ``ANCHOR_BONUS`` more.
4. A factor is touched when its best sentence's strength reaches ``THRESHOLD``; the threshold
   is calibrated on the hand-written examples in tests/briefs/data/screening_calibration.yaml.
5. Direction comes from cue words in the matched sentences and their neighbours: only
   aggravating cues → "may aggravate", only mitigating → "may mitigate", both or neither →
   "unclear". Lexicon concepts named in those sentences are reported as reasons, with the term
   the reader's sector uses.
6. Confidence comes from the margin between the touched factors' strength and the threshold,
   and from the length of the text.

It advises; it decides nothing (``CAVEAT``).

Public API::

    screen(session, country, sector, text) -> Screening      # ValidationError, NotFoundError
    Screening, ScreenedFactor, IndicatorMatch, LexiconTerm, Question    frozen, to_dict()
    clear_vector_cache()
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from prevention_lens.briefs.screening_questions import (
    AGGRAVATING_CUES,
    BACKGROUND_SENTENCES,
    FACTOR_GUIDES,
    MITIGATING_CUES,
    STANDING_QUESTIONS,
)
from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.model import LANGUAGES, SCHEMES, Lexicon
from prevention_lens.lexicon.records import stored_lexicon
from prevention_lens.risk.framework import Factor, framework_factors
from prevention_lens.store.reference import find_country
from prevention_lens.whatworks.embeddings import embed_passages

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

MAX_TEXT_CHARS = 20_000
# Standard deviations above ordinary policy text at which a factor counts as touched.
THRESHOLD = 4.5
# Added to a sentence's strength for a factor when it holds one of the factor's anchor words.
ANCHOR_BONUS = 1.5
# A sentence touches the factors within this much of its strongest one.
WITHIN = 1.0
# Margins above the threshold for medium and high confidence; texts shorter than this hold too
# little to be sure of.
MEDIUM_MARGIN = 0.75
HIGH_MARGIN = 2.0
SHORT_TEXT_CHARS = 300
MIN_WORDS = 3
# Sentences kept as reasons per factor, and indicators listed per factor.
REASON_SENTENCES = 2
LISTED_INDICATORS = 3
DIRECTIONS = ("may aggravate", "may mitigate", "unclear")
CONFIDENCES = ("low", "medium", "high")
CAVEAT = (
    "This screening advises; it decides nothing. It compares the wording of the text with "
    "paraphrased Framework of Analysis indicators (some not yet checked against the UN text) "
    "using a small multilingual language model and word lists, so it can miss a risk the text "
    "implies and see one it does not hold; cue words are English only. Use it to prepare "
    "questions, and ask people who know the country and the communities concerned."
)

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_ABBREVIATION = re.compile(
    r"(?<![^\W_])(?:No|Nos|Art|Arts|Sec|para|paras|e\.g|i\.e|etc|cf|Mr|Mrs|Ms|Dr|St|vs)\.$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")


@dataclass(frozen=True)
class IndicatorMatch:
    code: str
    text: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScreenedFactor:
    """A risk factor the text touches: its best indicator similarity (cosine), its strength
    (standard deviations above ordinary policy text, anchor bonus included), the indicators it
    is closest to, and the reasons in words."""

    code: str
    name: str
    direction: str
    similarity: float
    strength: float
    indicators: tuple[IndicatorMatch, ...]
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValidationError(
                f"direction must be one of {', '.join(DIRECTIONS)}; got {self.direction!r}",
                field="direction",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "direction": self.direction,
            "similarity": self.similarity,
            "strength": self.strength,
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class LexiconTerm:
    """A lexicon concept named in the text, and what the reader's sector calls it."""

    found: str
    concept_id: str
    label: str
    sector_term: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Question:
    """A question to put at the table: for one risk factor, or standing (factor None)."""

    factor: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Screening:
    country_key: str
    country_name: str
    sector: str
    factors: tuple[ScreenedFactor, ...]
    confidence: str
    confidence_reason: str
    questions: tuple[Question, ...]
    caveat: str
    terms: tuple[LexiconTerm, ...] = ()
    sentences: int = 0
    characters: int = 0
    threshold: float = THRESHOLD

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCES:
            raise ValidationError(
                f"confidence must be one of {', '.join(CONFIDENCES)}; got {self.confidence!r}",
                field="confidence",
            )

    @property
    def sector_name(self) -> str:
        return SCHEMES[self.sector]

    def to_dict(self) -> dict[str, Any]:
        return {
            "country_key": self.country_key,
            "country_name": self.country_name,
            "sector": self.sector,
            "sector_name": self.sector_name,
            "factors": [factor.to_dict() for factor in self.factors],
            "confidence": self.confidence,
            "confidence_reason": self.confidence_reason,
            "questions": [question.to_dict() for question in self.questions],
            "caveat": self.caveat,
            "terms": [term.to_dict() for term in self.terms],
            "sentences": self.sentences,
            "characters": self.characters,
            "threshold": self.threshold,
        }


# --- vectors: each indicator and background text embedded once ----------------------------

_VECTORS: dict[str, Vectors] = {}


def clear_vector_cache() -> None:
    _VECTORS.clear()


def _cached_vectors(texts: Sequence[str]) -> Vectors:
    """Vectors for texts that recur (indicators, background), embedded once per text."""
    import numpy as np

    keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    missing = sorted(
        {key: text for key, text in zip(keys, texts, strict=True) if key not in _VECTORS}.items()
    )
    if missing:
        fresh = embed_passages([text for _, text in missing])
        for (key, _), vector in zip(missing, fresh, strict=True):
            _VECTORS[key] = vector
    return np.vstack([_VECTORS[key] for key in keys])


# --- the text -------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """The text's sentences, bullets and numbering stripped, fragments under three words
    dropped; a full stop after a common abbreviation (No., Art., e.g.) ends no sentence."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if pieces and _ABBREVIATION.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    found = []
    for piece in pieces:
        sentence = _BULLET.sub("", " ".join(piece.split()))
        if len(sentence.split()) >= MIN_WORDS:
            found.append(sentence)
    return found


def _stem_pattern(stems: Sequence[str]) -> re.Pattern[str]:
    words = sorted(
        {re.escape(stem).replace(r"\ ", r"\s+") for stem in stems}, key=len, reverse=True
    )
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(words)})[\w-]*", re.IGNORECASE)


_AGGRAVATING = _stem_pattern(AGGRAVATING_CUES)
_MITIGATING = _stem_pattern(MITIGATING_CUES)
_ANCHORS = {number: _stem_pattern(guide.anchors) for number, guide in FACTOR_GUIDES.items()}


def _words(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    if pattern is None:
        return []
    seen: dict[str, None] = {}
    for found in pattern.finditer(text):
        seen.setdefault(" ".join(found.group(0).lower().split()), None)
    return list(seen)


# --- screening ------------------------------------------------------------------------------


def check_text(text: str) -> str:
    if not text.strip():
        raise ValidationError("the text to screen is empty", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"the text to screen is {len(text):,} characters; at most {MAX_TEXT_CHARS:,} are "
            "screened at once (split it into parts)",
            field="text",
        )
    return text


def check_sector(sector: str) -> str:
    sector = sector.strip()
    if sector not in SCHEMES:
        choices = ", ".join(f"{code} ({name})" for code, name in SCHEMES.items())
        raise ValidationError(f"unknown sector {sector!r}; choose from {choices}", field="sector")
    return sector


@dataclass(frozen=True)
class _Target:
    factor: Factor
    code: str
    text: str
    unverified: bool


def _targets(factors: Sequence[Factor]) -> list[_Target]:
    targets: list[_Target] = []
    for factor in factors:
        if factor.indicators:
            targets.extend(
                _Target(factor, indicator.code, indicator.text, indicator.unverified)
                for indicator in factor.indicators
            )
        else:
            # No indicators stored (11, 12 and 14 in the shipped file): the factor's summary
            # stands for it.
            text = factor.summary or factor.name
            targets.append(_Target(factor, str(factor.number), text, factor.unverified))
    return targets


def screen(session: Session, country: str, sector: str, text: str) -> Screening:
    """Screen a proposed policy, programme or decision for a country, for a reader of a sector.

    Reads only public reference data (the country reference, the Framework, the lexicon) and
    stores nothing, so it needs no principal."""
    import numpy as np

    sector = check_sector(sector)
    text = check_text(text)
    sentences = split_sentences(text)
    if not sentences:
        raise ValidationError(
            f"the text holds no sentence of {MIN_WORDS} words or more to screen", field="text"
        )
    found_country = find_country(session, country)
    factors = framework_factors(session)
    targets = _targets(factors)

    indicator_vectors = _cached_vectors([target.text for target in targets])
    background = _cached_vectors(BACKGROUND_SENTENCES) @ indicator_vectors.T
    mean, spread = background.mean(axis=0), background.std(axis=0) + 1e-6
    sentence_vectors = embed_passages(sentences)
    cosine = sentence_vectors @ indicator_vectors.T  # sentences × indicators
    strength = (cosine - mean) / spread

    # Each sentence's strength per factor (its best indicator, plus the anchor bonus); a
    # sentence touches the factors that reach the threshold and come within WITHIN of the
    # sentence's best factor, so one risk-laden sentence does not touch every factor at once.
    columns = {
        factor.number: [index for index, target in enumerate(targets) if target.factor is factor]
        for factor in factors
    }
    per_factor = np.column_stack(
        [
            strength[:, columns[factor.number]].max(axis=1)
            + np.array(
                [
                    ANCHOR_BONUS if _words(_ANCHORS.get(factor.number), sentence) else 0.0
                    for sentence in sentences
                ]
            )
            for factor in factors
        ]
    )
    sentence_best = per_factor.max(axis=1)
    touching = (per_factor >= THRESHOLD) & (per_factor >= sentence_best[:, None] - WITHIN)
    lexicon = stored_lexicon(session)
    screened: list[ScreenedFactor] = []
    for position, factor in enumerate(factors):
        rows = [int(row) for row in np.argsort(-per_factor[:, position]) if touching[row, position]]
        if not rows:
            continue
        screened.append(
            _screened(
                factor,
                [targets[index] for index in columns[factor.number]],
                sentences,
                rows[:REASON_SENTENCES],
                cosine[:, columns[factor.number]],
                strength[:, columns[factor.number]],
                float(per_factor[rows[0], position]),
                lexicon,
                sector,
            )
        )
    best_overall = float(sentence_best.max())
    screened.sort(key=lambda item: -item.strength)
    confidence, reason = _confidence(screened, best_overall, len(text), len(sentences))
    return Screening(
        country_key=found_country.key,
        country_name=found_country.name,
        sector=sector,
        factors=tuple(screened),
        confidence=confidence,
        confidence_reason=reason,
        questions=_questions(screened),
        caveat=CAVEAT,
        terms=tuple(_lexicon_terms(lexicon, text, sector)),
        sentences=len(sentences),
        characters=len(text),
    )


def _screened(
    factor: Factor,
    targets: list[_Target],
    sentences: list[str],
    matched: list[int],
    cosine: Vectors,
    strength: Vectors,
    best_strength: float,
    lexicon: Lexicon,
    sector: str,
) -> ScreenedFactor:
    import numpy as np

    top_row = matched[0]
    order = np.argsort(-strength[top_row])[:LISTED_INDICATORS]
    indicators = tuple(
        IndicatorMatch(
            targets[column].code, targets[column].text, round(float(cosine[top_row, column]), 3)
        )
        for column in order
    )
    reasons: list[str] = []
    for row in matched:
        column = int(np.argmax(strength[row]))
        target = targets[column]
        reasons.append(
            f'The text says "{sentences[row]}", close to indicator {target.code} '
            f'("{target.text}"): similarity {cosine[row, column]:.3f}, '
            f"{strength[row, column]:.1f} standard deviations above ordinary policy text."
            + (
                " That indicator's wording is not yet checked against the UN text."
                if target.unverified
                else ""
            )
        )
    near = " ".join(
        sentences[index]
        for index in sorted({i for row in matched for i in (row - 1, row, row + 1)})
        if 0 <= index < len(sentences)
    )
    here = " ".join(sentences[row] for row in matched)
    anchors = _words(_ANCHORS.get(factor.number), here)
    if anchors:
        reasons.append(f"Words tying it to this factor: {', '.join(anchors)}.")
    aggravating, mitigating = _words(_AGGRAVATING, near), _words(_MITIGATING, near)
    if aggravating:
        reasons.append(f"Cue words near it that may aggravate: {', '.join(aggravating)}.")
    if mitigating:
        reasons.append(f"Cue words near it that may mitigate: {', '.join(mitigating)}.")
    if aggravating and not mitigating:
        direction = "may aggravate"
    elif mitigating and not aggravating:
        direction = "may mitigate"
    else:
        direction = "unclear"
        reasons.append(
            "Direction unclear: "
            + ("cue words point both ways." if aggravating else "no cue word near it.")
        )
    for term in _lexicon_terms(lexicon, here, sector):
        in_sector = (
            f'; in {SCHEMES[sector]} terms, "{term.sector_term}"'
            if term.sector_term and term.sector_term.casefold() != term.found.casefold()
            else ""
        )
        reasons.append(f'Lexicon term "{term.found}" ({term.concept_id}{in_sector}).')
    return ScreenedFactor(
        code=str(factor.number),
        name=factor.name,
        direction=direction,
        similarity=round(float(cosine[top_row].max()), 3),
        strength=round(best_strength, 2),
        indicators=indicators,
        reasons=tuple(reasons),
    )


def _confidence(
    screened: list[ScreenedFactor], best: float, characters: int, sentences: int
) -> tuple[str, str]:
    short = characters < SHORT_TEXT_CHARS or sentences < 2
    length = f"{characters:,} characters in {sentences} sentence{'s' if sentences != 1 else ''}"
    if not screened:
        gap = THRESHOLD - best
        if short or gap < MEDIUM_MARGIN:
            return "low", (
                f"No factor reached the threshold ({THRESHOLD:.1f}), but "
                + ("the text is short" if short else f"the closest came within {gap:.1f}")
                + f" ({length}); finding nothing is not finding no risk."
            )
        return "medium", (
            f"No factor came within {gap:.1f} of the threshold ({THRESHOLD:.1f}) in {length}; "
            "finding nothing is not finding no risk."
        )
    margin = max(factor.strength for factor in screened) - THRESHOLD
    if short:
        return "low", f"The text is short ({length}): too little to be sure of."
    if margin >= HIGH_MARGIN:
        level = "high"
    elif margin >= MEDIUM_MARGIN:
        level = "medium"
    else:
        level = "low"
    return level, (
        f"The strongest factor stands {margin:.1f} above the threshold ({THRESHOLD:.1f}) "
        f"in {length}."
    )


def _questions(screened: list[ScreenedFactor]) -> tuple[Question, ...]:
    """One or two questions per touched factor, strongest factor first, then the standing
    questions."""
    questions: list[Question] = []
    for factor in screened:
        guide = FACTOR_GUIDES.get(int(factor.code))
        if guide is not None:
            questions.extend(Question(factor.code, text) for text in guide.questions[:2])
    return (*questions, *(Question(None, text) for text in STANDING_QUESTIONS))


_LABEL_PATTERNS: dict[str, re.Pattern[str]] = {}


def _label_pattern(label: str) -> re.Pattern[str]:
    pattern = _LABEL_PATTERNS.get(label)
    if pattern is None:
        words = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", label.strip()))
        acronym = sum(char.isupper() for char in label) >= 2 and " " not in label
        pattern = re.compile(
            rf"(?<![^\W_]){words}(?:e?s)?(?![^\W_])", 0 if acronym else re.IGNORECASE
        )
        _LABEL_PATTERNS[label] = pattern
    return pattern


def _lexicon_terms(lexicon: Lexicon, text: str, sector: str) -> list[LexiconTerm]:
    """Lexicon concepts named in the text (any language's labels), longest label first and
    never overlapping, with the sector's own term where it has one."""
    spans: list[tuple[int, int, str, str]] = []
    for concept in lexicon.concepts.values():
        labels = {label for language in LANGUAGES for label in concept.labels(language)}
        for label in labels:
            if len(label) < 3:
                continue
            for found in _label_pattern(label).finditer(text):
                spans.append((found.start(), found.end(), concept.id, found.group(0)))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0]), span[2]))
    taken: list[tuple[int, int]] = []
    terms: dict[str, LexiconTerm] = {}
    for start, end, concept_id, written in spans:
        if any(start < stop and begin < end for begin, stop in taken):
            continue
        taken.append((start, end))
        if concept_id in terms:
            continue
        audience = lexicon.term_for(concept_id, sector)
        terms[concept_id] = LexiconTerm(
            found=" ".join(written.split()),
            concept_id=concept_id,
            label=lexicon.concepts[concept_id].label(),
            sector_term=audience.concept.label() if audience is not None else None,
        )
    return list(terms.values())
