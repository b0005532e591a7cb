"""The lexicon as typed, frozen data (SKOS in Python): schemes, concepts with labels in several
languages, definitions with their sources, scope notes per audience, and mappings between
concepts of different schemes, each with its rationale.

A mapping is kept once per pair of concepts; ``Lexicon.mappings_from`` also gives the inverse
(broader ↔ narrower; exact, close and related are symmetric), so a concept sees every relation
it takes part in.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

SCHEMES = {
    "ap": "Atrocity prevention",
    "dev": "Development",
    "sec": "Security",
    "hum": "Humanitarian",
    "hr": "Human rights",
    "com": "Community",
    "pb": "Peacebuilding",
}
LANGUAGES = ("en", "fr", "es")
# SKOS mapping properties, read from the source concept: "broader" means the target is broader.
MAPPING_KINDS = {
    "exact": "exactMatch",
    "close": "closeMatch",
    "broader": "broadMatch",
    "narrower": "narrowMatch",
    "related": "relatedMatch",
}
INVERSE = {
    "exact": "exact",
    "close": "close",
    "broader": "narrower",
    "narrower": "broader",
    "related": "related",
}
# Kinds that let one term stand for another when a text is reframed, best first.
SUBSTITUTES = ("exact", "close")
NOTE_KINDS = {
    "sensitive": "Sensitive",
    "misleading": "Misleading",
    "counterproductive": "Counter-productive",
    "preferred": "Works well",
}
NOTE_BASES = {
    "report": "the Wilton Park report",
    "source": "a cited source",
    "practice": "practice",
}


@dataclass(frozen=True)
class Source:
    citation: str
    url: str


@dataclass(frozen=True)
class ScopeNote:
    """When a term is sensitive, misleading or counter-productive (or works well) with whom."""

    audience: str
    kind: str
    note: str
    basis: str


@dataclass(frozen=True)
class Concept:
    id: str
    scheme: str
    core: bool
    pref_labels: MappingType[str, str]
    alt_labels: MappingType[str, tuple[str, ...]]
    definition: str | None
    source: Source | None
    scope_notes: tuple[ScopeNote, ...] = ()
    labels_checked_at: tuple[str, ...] = ()
    note: str | None = None
    # Schemes that have no term for this concept, each with why (so a gap is a finding, not an
    # omission).
    no_term: MappingType[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    def label(self, language: str = "en") -> str:
        """The preferred label in the language, or in English where it has none."""
        return self.pref_labels.get(language) or self.pref_labels["en"]

    def labels(self, language: str = "en") -> tuple[str, ...]:
        """Every label of the concept in the language: preferred first, then alternatives."""
        preferred = self.pref_labels.get(language)
        return ((preferred,) if preferred else ()) + tuple(self.alt_labels.get(language, ()))

    def notes_for(self, audience: str) -> tuple[ScopeNote, ...]:
        return tuple(note for note in self.scope_notes if note.audience == audience)


@dataclass(frozen=True)
class ConceptMapping:
    """``source`` relates to ``target`` as ``kind`` says (read from the source: "broader" means
    the target is broader), for the reason given."""

    source: str
    target: str
    kind: str
    rationale: str

    def inverted(self) -> ConceptMapping:
        return ConceptMapping(self.target, self.source, INVERSE[self.kind], self.rationale)


@dataclass(frozen=True)
class AudienceTerm:
    """What an audience calls a concept: its own concept (the same one, or a mapped one), the
    relation that links them and why."""

    concept: Concept
    kind: str
    rationale: str

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        return {
            "concept": self.concept.id,
            "scheme": self.concept.scheme,
            "label": self.concept.label(language),
            "kind": self.kind,
            "rationale": self.rationale,
        }


@dataclass(frozen=True)
class Lexicon:
    concepts: MappingType[str, Concept]
    mappings: tuple[ConceptMapping, ...] = field(default=())

    @cached_property
    def _by_concept(self) -> dict[str, tuple[ConceptMapping, ...]]:
        found: dict[str, list[ConceptMapping]] = {}
        for mapping in self.mappings:
            found.setdefault(mapping.source, []).append(mapping)
            found.setdefault(mapping.target, []).append(mapping.inverted())
        return {key: tuple(value) for key, value in found.items()}

    def concept(self, concept_id: str) -> Concept:
        from prevention_lens.errors import NotFoundError

        try:
            return self.concepts[concept_id]
        except KeyError:
            raise NotFoundError(f"No lexicon concept {concept_id!r}.") from None

    def in_scheme(self, scheme: str) -> list[Concept]:
        return [concept for concept in self.concepts.values() if concept.scheme == scheme]

    def mappings_from(self, concept_id: str) -> tuple[ConceptMapping, ...]:
        """Every mapping the concept takes part in, read from its side."""
        return self._by_concept.get(concept_id, ())

    def term_for(self, concept_id: str, audience: str) -> AudienceTerm | None:
        """The audience's own term for a concept: the concept itself when it is in the
        audience's scheme, else its exact match there, else its close match; None when the
        audience has no term that can stand for it."""
        concept = self.concept(concept_id)
        if concept.scheme == audience:
            return AudienceTerm(concept, "exact", "the audience's own term")
        for kind in SUBSTITUTES:
            for mapping in self.mappings_from(concept_id):
                target = self.concepts[mapping.target]
                if mapping.kind == kind and target.scheme == audience:
                    return AudienceTerm(target, kind, mapping.rationale)
        return None

    def nearest_for(self, concept_id: str, audience: str) -> list[AudienceTerm]:
        """Every concept of the audience's scheme the concept maps to, closest kinds first."""
        order = {kind: rank for rank, kind in enumerate(MAPPING_KINDS)}
        found = [
            AudienceTerm(self.concepts[mapping.target], mapping.kind, mapping.rationale)
            for mapping in self.mappings_from(concept_id)
            if self.concepts[mapping.target].scheme == audience
        ]
        return sorted(found, key=lambda term: (order[term.kind], term.concept.id))
