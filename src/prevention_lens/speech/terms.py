"""A lexicon term as people enter it and as it is read back: ``TermDraft`` validates and
normalises a term on creation (every error names the field and the term), ``TermRecord`` is a
stored term as a reader may see it.

Public API::

    TARGETED_GROUPS, SEVERITIES, STATUSES, LIMITS, COUNTS
    language_tag(value) -> str           "MY" -> "my", "sr-latn" -> "sr-Latn"; ValidationError
    TermDraft                            frozen; .normalized, .lexicon_term(), from_mapping(item)
    TermRecord                           frozen; .to_dict(), .lexicon_term(), .draft_values()
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.speech.matching import LexiconTerm, TermSense, contains_form, normalise_term
from prevention_lens.speech.text import to_unicode

# The classifier's targeted groups (MLMA's targets), so that lexicon and scores compare.
# The groups a term, a post or an assessment targets; the classifier's heads use the same codes,
# and every page, command and brief the same labels (speech.scoring.TARGET_GROUPS is this).
TARGETED_GROUPS = {
    "origin": "Origin (ethnicity, nationality, race)",
    "religion": "Religion",
    "gender": "Gender",
    "sexual_orientation": "Sexual orientation",
    "disability": "Disability",
    "other": "Other",
}
# What they all say of a post whose target no one identified.
NO_GROUP_LABEL = "no group identified"
SEVERITIES = {
    1: "offensive: insults or demeans",
    2: "hateful: a slur for a group",
    3: "dehumanising or inciting: has been used to call for or justify violence",
}
STATUSES = ("draft", "published", "rejected")

# Lengths the store's columns and the pages showing a term can hold.
LIMITS = {
    "term": 200,
    "script_variant": 200,
    "why_inflames": 4000,
    "alternative": 200,
    "licence": 120,
    "source_url": 2000,
    "notes": 4000,
    "meaning": 1000,
    "phrase": 200,
    "cue": 100,
    "example": 1000,
}
COUNTS = {
    "script_variants": 30,
    "countries": 60,
    "alternatives": 20,
    "senses": 12,
    "phrases": 50,
    "cues": 30,
    "examples": 20,
}
# BCP-47 as lexicons use it: language, optional script, optional region, variants ("my",
# "sr-Latn", "en-GB", "en-simple").
_LANGUAGE = re.compile(
    r"(?P<language>[a-z]{2,3})(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-[a-z\d]{5,8})*)",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_SPACES = re.compile(r"\s+")


def language_tag(value: str) -> str:
    """The language code in its usual case ("MY" -> "my", "sr-latn" -> "sr-Latn")."""
    matched = _LANGUAGE.fullmatch(value.strip())
    if matched is None:
        raise ValidationError(
            f"{value!r} is not a language code; write a BCP-47 code such as my, rw, sw, fr or "
            "sr-Latn",
            field="language",
        )
    parts = [matched["language"].lower()]
    if matched["script"]:
        parts.append(matched["script"].title())
    if matched["region"]:
        parts.append(matched["region"].upper())
    parts.extend(part.lower() for part in matched["variants"].split("-") if part)
    return "-".join(parts)


def _clean(value: str, *, collapse: bool = False) -> str:
    """Text as stored: NFC, Burmese in Zawgyi converted to Unicode, spaces trimmed (and runs
    of spaces collapsed in names of things)."""
    text = unicodedata.normalize("NFC", value).strip()
    text = to_unicode(text).text
    return _SPACES.sub(" ", text) if collapse else text


def _texts(
    values: Iterable[str], *, name: str, limit: str, most: int, entry: str
) -> tuple[str, ...]:
    kept: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValidationError(f"{value!r} is not a text", field=name, entry=entry)
        text = _clean(value, collapse=True)
        if len(text) > LIMITS[limit]:
            raise ValidationError(
                f"{text[:40]!r}… is longer than {LIMITS[limit]} characters", field=name, entry=entry
            )
        if text and text not in kept:
            kept.append(text)
    if len(kept) > most:
        raise ValidationError(f"has {len(kept)} items; at most {most}", field=name, entry=entry)
    return tuple(kept)


def _long_text(value: str, *, name: str, entry: str) -> str:
    text = _clean(value)
    if len(text) > LIMITS[name]:
        raise ValidationError(
            f"is {len(text)} characters; at most {LIMITS[name]}", field=name, entry=entry
        )
    return text


@dataclass(frozen=True)
class TermDraft:
    """A term to add: validated and normalised when created. ``countries`` are names or codes
    (resolved when stored); ``script_variants`` are the other spellings, scripts and
    inflections it matches as (nothing else is matched); every phrase of a sense must contain
    the term or one of them."""

    term: str
    language: str
    senses: tuple[TermSense, ...]
    script_variants: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    targeted_groups: tuple[str, ...] = ()
    severity: int = 2
    why_inflames: str = ""
    alternatives: tuple[str, ...] = ()
    first_seen: date | None = None
    last_seen: date | None = None
    licence: str = ""
    source_url: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        term = _clean(str(self.term), collapse=True)
        label = term[:60] or None
        if not term or not normalise_term(term):
            raise ValidationError("the term has no letters", field="term", entry=label)
        if max(len(term), len(normalise_term(term))) > LIMITS["term"]:
            raise ValidationError(
                f"is longer than {LIMITS['term']} characters", field="term", entry=label
            )
        entry = str(label)
        try:
            language = language_tag(str(self.language))
        except ValidationError as error:
            raise ValidationError(error.problem, field="language", entry=entry) from None
        # Variants that read as the term, or as an earlier variant, once normalised add nothing.
        seen = {normalise_term(term)}
        kept_variants = []
        for variant in _texts(
            self.script_variants,
            name="script_variants",
            limit="script_variant",
            most=COUNTS["script_variants"],
            entry=entry,
        ):
            key = normalise_term(variant)
            if not key:
                raise ValidationError(
                    f"{variant!r} has no letters", field="script_variants", entry=entry
                )
            if key not in seen:
                seen.add(key)
                kept_variants.append(variant)
        variants = tuple(kept_variants)
        senses = self._checked_senses((term, *variants), entry)
        groups = _texts(
            self.targeted_groups, name="targeted_groups", limit="cue", most=10, entry=entry
        )
        unknown = [group for group in groups if group not in TARGETED_GROUPS]
        if unknown:
            raise ValidationError(
                f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(TARGETED_GROUPS)}",
                field="targeted_groups",
                entry=entry,
            )
        if isinstance(self.severity, bool) or self.severity not in SEVERITIES:
            raise ValidationError(
                f"{self.severity!r} is not a severity; choose 1, 2 or 3",
                field="severity",
                entry=entry,
            )
        for name in ("first_seen", "last_seen"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
                raise ValidationError(f"{value!r} is not a date", field=name, entry=entry)
        if self.first_seen and self.last_seen and self.first_seen > self.last_seen:
            raise ValidationError(
                f"last seen {self.last_seen} is before first seen {self.first_seen}",
                field="last_seen",
                entry=entry,
            )
        source_url = _long_text(self.source_url, name="source_url", entry=entry)
        if source_url and not _URL.fullmatch(source_url):
            raise ValidationError(
                "must be an http:// or https:// address", field="source_url", entry=entry
            )
        if not isinstance(self.example, bool):
            raise ValidationError("must be true or false", field="example", entry=entry)
        values: dict[str, Any] = {
            "term": term,
            "language": language,
            "senses": senses,
            "script_variants": variants,
            "countries": _texts(
                self.countries,
                name="countries",
                limit="alternative",
                most=COUNTS["countries"],
                entry=entry,
            ),
            "targeted_groups": groups,
            "why_inflames": _long_text(self.why_inflames, name="why_inflames", entry=entry),
            "alternatives": _texts(
                self.alternatives,
                name="alternatives",
                limit="alternative",
                most=COUNTS["alternatives"],
                entry=entry,
            ),
            "licence": _long_text(self.licence, name="licence", entry=entry),
            "source_url": source_url,
            "notes": _long_text(self.notes, name="notes", entry=entry),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _checked_senses(self, forms: tuple[str, ...], entry: str) -> tuple[TermSense, ...]:
        senses = tuple(self.senses)
        if len(senses) > COUNTS["senses"]:
            raise ValidationError(
                f"has {len(senses)} senses; at most {COUNTS['senses']}", field="senses", entry=entry
            )
        checked = []
        for number, sense in enumerate(senses, start=1):
            if not isinstance(sense, TermSense):
                raise ValidationError(f"sense {number} is not a sense", field="senses", entry=entry)
            where = f"senses[{number}]"
            phrases = _texts(
                sense.phrases,
                name=f"{where}.phrases",
                limit="phrase",
                most=COUNTS["phrases"],
                entry=entry,
            )
            for phrase in phrases:
                if not contains_form(phrase, forms):
                    raise ValidationError(
                        f"the phrase {phrase!r} does not contain the term or one of its script "
                        "variants as a whole word",
                        field=f"{where}.phrases",
                        entry=entry,
                    )
            checked.append(
                TermSense(
                    kind=sense.kind,
                    meaning=_long_text(sense.meaning, name="meaning", entry=entry),
                    phrases=phrases,
                    cues=_texts(
                        sense.cues,
                        name=f"{where}.cues",
                        limit="cue",
                        most=COUNTS["cues"],
                        entry=entry,
                    ),
                    examples=tuple(
                        _long_text(example, name="example", entry=entry)
                        for example in sense.examples
                        if example.strip()
                    )[: COUNTS["examples"] + 1],
                )
            )
            if len(checked[-1].examples) > COUNTS["examples"]:
                raise ValidationError(
                    f"has more than {COUNTS['examples']} examples",
                    field=f"{where}.examples",
                    entry=entry,
                )
        if not any(sense.kind == "hateful" for sense in checked):
            raise ValidationError(
                "needs a hateful sense: say what the term means when it is used to hurt",
                field="senses",
                entry=entry,
            )
        return tuple(checked)

    @property
    def normalized(self) -> str:
        return normalise_term(self.term)

    def lexicon_term(self, term_id: int | None = None) -> LexiconTerm:
        """The draft as the matcher takes it, to try a term before storing it (its countries
        as written: names until the store resolves them to keys)."""
        return LexiconTerm(
            term_id=term_id,
            term=self.term,
            language=self.language,
            script_variants=self.script_variants,
            severity=self.severity,
            targeted_groups=self.targeted_groups,
            senses=self.senses,
            countries=self.countries,
        )

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> TermDraft:
        """A draft from a YAML or JSON mapping with the draft's field names; senses as a list
        of mappings (kind, meaning, phrases, cues, examples), dates as YYYY-MM-DD."""
        label = str(item.get("term") or "")[:60] or None
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(item) - known)
        if unknown:
            raise ValidationError(
                f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(sorted(known))}",
                entry=label,
            )
        values: dict[str, Any] = {name: item[name] for name in known if item.get(name) is not None}
        for name in ("term", "language"):
            if not str(values.get(name) or "").strip():
                raise ValidationError("is required", field=name, entry=label)
        for name in ("script_variants", "countries", "targeted_groups", "alternatives"):
            values[name] = _listed(values.get(name, ()), name, label)
        for name in ("first_seen", "last_seen"):
            if isinstance(values.get(name), str):
                try:
                    values[name] = date.fromisoformat(values[name])
                except ValueError:
                    raise ValidationError(
                        f"{values[name]!r} is not a date; write YYYY-MM-DD", field=name, entry=label
                    ) from None
        senses = values.get("senses", ())
        if not isinstance(senses, list | tuple):
            raise ValidationError("must be a list of senses", field="senses", entry=label)
        built = []
        for number, sense in enumerate(senses, start=1):
            where = f"senses[{number}]"
            if not isinstance(sense, Mapping):
                raise ValidationError("is not a mapping", field=where, entry=label)
            extra = sorted(set(sense) - {"kind", "meaning", "phrases", "cues", "examples"})
            if extra:
                raise ValidationError(
                    f"unknown key(s) {', '.join(extra)}; a sense has kind, meaning, phrases, "
                    "cues, examples",
                    field=where,
                    entry=label,
                )
            try:
                built.append(
                    TermSense(
                        kind=str(sense.get("kind") or ""),
                        meaning=str(sense.get("meaning") or ""),
                        phrases=_listed(sense.get("phrases") or (), f"{where}.phrases", label),
                        cues=_listed(sense.get("cues") or (), f"{where}.cues", label),
                        examples=_listed(sense.get("examples") or (), f"{where}.examples", label),
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    error.problem,
                    field=error.field if error.entry else f"{where}.kind",
                    entry=label,
                ) from None
        values["senses"] = tuple(built)
        return cls(**values)


def _listed(value: Any, name: str, label: str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, str | int | float) for item in value
    ):
        raise ValidationError("must be a list of texts", field=name, entry=label)
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class TermRecord:
    """A stored term as the principal may see it: who created and reviewed it, and the import
    it came from, are None for readers below the analyst role."""

    id: int
    term: str
    normalized: str
    language: str
    senses: tuple[TermSense, ...]
    script_variants: tuple[str, ...]
    countries: tuple[str, ...]
    targeted_groups: tuple[str, ...]
    severity: int
    why_inflames: str
    alternatives: tuple[str, ...]
    first_seen: date | None
    last_seen: date | None
    status: str
    origin: str
    licence: str
    source_url: str
    example: bool
    notes: str
    created_at: datetime | None
    reviewed_at: datetime | None
    import_id: int | None = None
    created_by: str | None = None
    reviewed_by: str | None = None

    def lexicon_term(self) -> LexiconTerm:
        return LexiconTerm(
            term_id=self.id,
            term=self.term,
            language=self.language,
            script_variants=self.script_variants,
            severity=self.severity,
            targeted_groups=self.targeted_groups,
            senses=self.senses,
            countries=self.countries,
        )

    def draft_values(self) -> dict[str, Any]:
        """The term's content as ``TermDraft.from_mapping`` takes it, to start an edit from."""
        values = {
            item.name: getattr(self, item.name)
            for item in fields(TermDraft)
            if item.name != "senses"
        }
        values["senses"] = [sense.to_dict() for sense in self.senses]
        return values

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, lists as lists."""
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "senses":
                value = [sense.to_dict() for sense in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, date | datetime):
                value = value.isoformat()
            values[item.name] = value
        return values
