"""What a proposed lexicon change would change, field by field, for the admins' review page:
each field of the concept and its mappings as lines of text, old against proposed, with the
lines that go and the lines that come marked."""

from __future__ import annotations

from dataclasses import dataclass

from prevention_lens.lexicon.model import (
    LANGUAGES,
    NOTE_BASES,
    NOTE_KINDS,
    SCHEMES,
    Concept,
    ConceptMapping,
    Lexicon,
)
from prevention_lens.lexicon.records import Revision


@dataclass(frozen=True)
class DiffLine:
    text: str
    # "same", "removed" (only in the old content) or "added" (only in the proposed one).
    state: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: tuple[DiffLine, ...]
    new: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.state != "same" for line in (*self.old, *self.new))


def concept_fields(concept: Concept | None, lexicon: Lexicon) -> dict[str, list[str]]:
    """A concept's content as named fields of text lines (empty lists when it has none)."""
    if concept is None:
        return {}
    fields: dict[str, list[str]] = {"Core concept": ["yes" if concept.core else "no"]}
    for language in LANGUAGES:
        pref = concept.pref_labels.get(language)
        fields[f"Preferred label ({language})"] = [pref] if pref else []
        fields[f"Other labels ({language})"] = list(concept.alt_labels.get(language, ()))
    fields["Definition"] = [concept.definition] if concept.definition else []
    fields["Source"] = (
        [concept.source.citation, concept.source.url] if concept.source is not None else []
    )
    fields["Scope notes"] = [
        f"{SCHEMES.get(note.audience, note.audience)} · {NOTE_KINDS.get(note.kind, note.kind)}"
        f" ({NOTE_BASES.get(note.basis, note.basis)}): {note.note}"
        for note in concept.scope_notes
    ]
    fields["No term in"] = [
        f"{SCHEMES.get(scheme, scheme)}: {reason}" for scheme, reason in concept.no_term.items()
    ]
    fields["Labels checked at"] = list(concept.labels_checked_at)
    fields["Editor's note"] = [concept.note] if concept.note else []
    return fields


def mapping_lines(
    mappings: tuple[ConceptMapping, ...] | list[ConceptMapping], lexicon: Lexicon
) -> list[str]:
    lines = []
    for mapping in sorted(mappings, key=lambda m: (m.target, m.kind)):
        target = lexicon.concepts.get(mapping.target)
        label = target.label() if target is not None else "unknown concept"
        lines.append(f"{mapping.kind} → {mapping.target} ({label}): {mapping.rationale}")
    return lines


def _lines(old: list[str], new: list[str]) -> tuple[tuple[DiffLine, ...], tuple[DiffLine, ...]]:
    return (
        tuple(DiffLine(line, "same" if line in new else "removed") for line in old),
        tuple(DiffLine(line, "same" if line in old else "added") for line in new),
    )


def revision_diff(lexicon: Lexicon, revision: Revision) -> list[FieldDiff]:
    """Every field the revision would change (unchanged fields left out)."""
    current = lexicon.concepts.get(revision.concept_id)
    old = concept_fields(current, lexicon)
    new = concept_fields(revision.concept, lexicon)
    old["Mappings"] = mapping_lines(lexicon.mappings_from(revision.concept_id), lexicon)
    new["Mappings"] = mapping_lines(revision.mappings, lexicon)
    found = []
    for name in dict.fromkeys([*old, *new]):
        before, after = _lines(old.get(name, []), new.get(name, []))
        diff = FieldDiff(name, before, after)
        if diff.changed:
            found.append(diff)
    return found
