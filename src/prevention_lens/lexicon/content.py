"""The lexicon as plain data (the shipped ``data/lexicon.yaml``, the store's JSON columns) and
back, with the checks every lexicon must pass: known schemes and kinds, no concept mapped to
itself or within its own scheme, one mapping per pair, and every core concept reaching every
other scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.model import (
    LANGUAGES,
    MAPPING_KINDS,
    NOTE_BASES,
    NOTE_KINDS,
    SCHEMES,
    Concept,
    ConceptMapping,
    Lexicon,
    ScopeNote,
    Source,
)

SHIPPED = "lexicon/data/lexicon.yaml"


def concept_from_mapping(item: Mapping[str, Any], *, file: str | None = None) -> Concept:
    """A Concept from its plain form; a problem names the concept and the field."""
    concept_id = str(item.get("id") or "")

    def bad(field: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, field=field, entry=concept_id or None)

    scheme = str(item.get("scheme") or "")
    if scheme not in SCHEMES:
        raise bad("scheme", f"unknown scheme {scheme!r}; choose from {', '.join(SCHEMES)}")
    if not concept_id.startswith(f"{scheme}/") or len(concept_id) <= len(scheme) + 1:
        raise bad("id", f"an id is the scheme and a slug, like {scheme}/social-cohesion")
    labels = item.get("labels") or {}
    pref: dict[str, str] = {}
    alt: dict[str, tuple[str, ...]] = {}
    for language, held in labels.items():
        if language not in LANGUAGES:
            raise bad(
                "labels", f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}"
            )
        text = str((held or {}).get("pref") or "").strip()
        if not text:
            raise bad("labels", f"the {language} labels have no preferred label")
        pref[language] = text
        alt[language] = tuple(str(value).strip() for value in (held.get("alt") or ()) if value)
        # SKOS: a label is preferred or alternative, never both, and said once.
        if text in alt[language] or len(set(alt[language])) != len(alt[language]):
            raise bad("labels", f"the {language} labels repeat {text!r} or an alternative label")
    if "en" not in pref:
        raise bad("labels", "an English preferred label is required")
    notes = []
    for raw in item.get("scope_notes") or ():
        note = ScopeNote(
            audience=str(raw.get("audience")),
            kind=str(raw.get("kind")),
            note=str(raw.get("note") or "").strip(),
            basis=str(raw.get("basis") or "practice"),
        )
        if note.audience not in SCHEMES:
            raise bad("scope_notes", f"unknown audience {note.audience!r}")
        if note.kind not in NOTE_KINDS:
            raise bad(
                "scope_notes", f"unknown kind {note.kind!r}; choose from {', '.join(NOTE_KINDS)}"
            )
        if note.basis not in NOTE_BASES:
            raise bad("scope_notes", f"unknown basis {note.basis!r}")
        if not note.note:
            raise bad("scope_notes", "a scope note needs its text")
        notes.append(note)
    raw_source = item.get("source")
    source = None
    if raw_source:
        source = Source(
            citation=str(raw_source.get("citation") or ""), url=str(raw_source.get("url") or "")
        )
        if not source.citation or not source.url.startswith(("http://", "https://")):
            raise bad(
                "source", "a source needs a citation and the web address where it was checked"
            )
    checked_at = [str(url) for url in item.get("labels_checked_at") or ()]
    if len(set(checked_at)) != len(checked_at):
        raise bad("labels_checked_at", "an address is listed twice")
    definition = item.get("definition")
    if definition and source is None:
        raise bad("source", "a definition needs its source")
    no_term: dict[str, str] = {}
    for raw in item.get("no_term") or ():
        scheme_without = str(raw.get("scheme"))
        if scheme_without not in SCHEMES or scheme_without == scheme:
            raise bad("no_term", f"{scheme_without!r} is not another scheme")
        if not str(raw.get("rationale") or "").strip():
            raise bad("no_term", "say why the scheme has no term")
        no_term[scheme_without] = str(raw["rationale"]).strip()
    return Concept(
        id=concept_id,
        scheme=scheme,
        core=bool(item.get("core")),
        pref_labels=pref,
        alt_labels=alt,
        definition=str(definition).strip() if definition else None,
        source=source,
        scope_notes=tuple(notes),
        labels_checked_at=tuple(checked_at),
        note=str(item["note"]).strip() if item.get("note") else None,
        no_term=no_term,
    )


def concept_to_mapping(concept: Concept) -> dict[str, Any]:
    return {
        "id": concept.id,
        "scheme": concept.scheme,
        "core": concept.core,
        "labels": {
            language: {
                "pref": concept.pref_labels[language],
                "alt": list(concept.alt_labels.get(language, ())),
            }
            for language in LANGUAGES
            if language in concept.pref_labels
        },
        "labels_checked_at": list(concept.labels_checked_at),
        "definition": concept.definition,
        "source": None
        if concept.source is None
        else {"citation": concept.source.citation, "url": concept.source.url},
        "scope_notes": [
            {"audience": note.audience, "kind": note.kind, "note": note.note, "basis": note.basis}
            for note in concept.scope_notes
        ],
        "note": concept.note,
        "no_term": [
            {"scheme": scheme, "rationale": rationale}
            for scheme, rationale in concept.no_term.items()
        ],
    }


def mapping_from_mapping(item: Mapping[str, Any], *, file: str | None = None) -> ConceptMapping:
    found = ConceptMapping(
        source=str(item.get("source") or ""),
        target=str(item.get("target") or ""),
        kind=str(item.get("kind") or ""),
        rationale=str(item.get("rationale") or "").strip(),
    )
    label = f"{found.source} → {found.target}"
    if found.kind not in MAPPING_KINDS:
        raise ValidationError(
            f"unknown mapping kind {found.kind!r}; choose from {', '.join(MAPPING_KINDS)}",
            file=file,
            field="kind",
            entry=label,
        )
    if not found.rationale:
        raise ValidationError(
            "a mapping needs its rationale", file=file, field="rationale", entry=label
        )
    return found


def mapping_to_mapping(mapping: ConceptMapping) -> dict[str, str]:
    return {
        "source": mapping.source,
        "target": mapping.target,
        "kind": mapping.kind,
        "rationale": mapping.rationale,
    }


def build_lexicon(
    concepts: Iterable[Concept], mappings: Iterable[ConceptMapping], *, file: str | None = None
) -> Lexicon:
    """A Lexicon, checked whole: the first problem raises ValidationError."""
    held: dict[str, Concept] = {}
    for concept in concepts:
        if concept.id in held:
            raise ValidationError("the same concept id is given twice", file=file, entry=concept.id)
        held[concept.id] = concept
    lexicon = Lexicon(concepts=held, mappings=tuple(mappings))
    found = problems(lexicon)
    if found:
        raise ValidationError(
            "; ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else ""),
            file=file,
        )
    return lexicon


def problems(lexicon: Lexicon) -> list[str]:
    """Everything that makes a lexicon inconsistent (empty when it is sound)."""
    found: list[str] = []
    seen: set[frozenset[str]] = set()
    for mapping in lexicon.mappings:
        where = f"mapping {mapping.source} → {mapping.target}"
        if mapping.source == mapping.target:
            found.append(f"{where}: a concept is mapped to itself")
            continue
        missing = [
            item for item in (mapping.source, mapping.target) if item not in lexicon.concepts
        ]
        if missing:
            found.append(f"{where}: unknown concept {', '.join(missing)}")
            continue
        if lexicon.concepts[mapping.source].scheme == lexicon.concepts[mapping.target].scheme:
            found.append(f"{where}: mappings join concepts of different schemes")
        pair = frozenset((mapping.source, mapping.target))
        if pair in seen:
            found.append(f"{where}: the pair is mapped twice")
        seen.add(pair)
    for concept in lexicon.concepts.values():
        reached = {
            lexicon.concepts[m.target].scheme
            for m in lexicon.mappings_from(concept.id)
            if m.target in lexicon.concepts
        }
        both = sorted(reached & set(concept.no_term))
        if both:
            found.append(f"{concept.id} maps into {', '.join(both)} yet says it has no term there")
        if not concept.core:
            continue
        lacking = [
            scheme
            for scheme in SCHEMES
            if scheme != concept.scheme and scheme not in reached and scheme not in concept.no_term
        ]
        if lacking:
            found.append(
                f"core concept {concept.id} maps into no concept of {', '.join(lacking)} "
                "and does not say why"
            )
    return found


def lexicon_from_data(data: Mapping[str, Any], *, file: str | None = None) -> Lexicon:
    concepts = [concept_from_mapping(item, file=file) for item in data.get("concepts") or ()]
    mappings = [mapping_from_mapping(item, file=file) for item in data.get("mappings") or ()]
    return build_lexicon(concepts, mappings, file=file)


def lexicon_to_data(lexicon: Lexicon) -> dict[str, Any]:
    return {
        "concepts": [concept_to_mapping(concept) for concept in lexicon.concepts.values()],
        "mappings": [mapping_to_mapping(mapping) for mapping in lexicon.mappings],
    }


@lru_cache(maxsize=1)
def shipped_lexicon() -> Lexicon:
    """The lexicon that ships with the package (checked; a mistake names concept and field)."""
    import yaml

    text = files("prevention_lens.lexicon").joinpath("data/lexicon.yaml").read_text()
    return lexicon_from_data(yaml.safe_load(text), file=SHIPPED)
