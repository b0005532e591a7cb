"""The lexicon as SKOS, in Turtle and JSON-LD, so any SKOS tool can reuse it, and back again:
one concept scheme per sector; ``lens:`` nodes keep what SKOS cannot say (docs/lexicon.md).

Identifiers live under ``urn:prevention-lens:lexicon:`` because the project controls no web
domain: a URN is a valid IRI, never resolves by accident to someone else's page and needs no
server. Pass ``base=`` (say a w3id.org address, once one is registered) to mint others.

Every fact a generic SKOS tool reads is also written in plain SKOS (prefLabel, scopeNote,
exactMatch, hasTopConcept, ...); ``parse`` reads the ``lens:`` nodes, which are lossless, and
insists that the plain SKOS view still agrees with them, so an edit made in only one of the two
fails loudly instead of vanishing. RDF keeps no order: parsing gives concepts, labels, notes and
mappings in a fixed order of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from typing import Literal as TypingLiteral
from urllib.parse import quote, unquote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SDO, SKOS, XSD
from rdflib.plugins.parsers.jsonld import to_rdf
from rdflib.term import Node

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.content import (
    build_lexicon,
    concept_from_mapping,
    mapping_from_mapping,
)
from prevention_lens.lexicon.model import (
    INVERSE,
    LANGUAGES,
    MAPPING_KINDS,
    NOTE_KINDS,
    SCHEMES,
    Concept,
    ConceptMapping,
    Lexicon,
    ScopeNote,
)

BASE = "urn:prevention-lens:lexicon:"
LENS = Namespace("urn:prevention-lens:vocab:")
Format = TypingLiteral["turtle", "json-ld"]
FORMATS: tuple[Format, ...] = ("turtle", "json-ld")

MAPPING_PROPERTIES = {kind: SKOS[name] for kind, name in MAPPING_KINDS.items()}
_KIND_OF_PROPERTY = {prop: kind for kind, prop in MAPPING_PROPERTIES.items()}
# Everything a concept node may state; anything else would be dropped by parse, so it is refused.
_CONCEPT_PROPERTIES = {
    RDF.type,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.definition,
    SKOS.scopeNote,
    SKOS.note,
    DCTERMS.source,
    LENS.core,
    LENS.scopeNote,
    LENS.labelsCheckedAt,
    LENS.noTerm,
    *MAPPING_PROPERTIES.values(),
}
# A field of the plain form (content.py) as the RDF property a Turtle editor would look for.
_FIELD_PROPERTY = {
    "id": "IRI",
    "scheme": "skos:inScheme",
    "labels": "skos:prefLabel",
    "scope_notes": "lens:scopeNote",
    "source": "dcterms:source",
    "no_term": "lens:noTerm",
    "kind": "lens:kind",
    "rationale": "lens:rationale",
}
# An absolute IRI (RFC 3987) has a scheme and none of these characters: a web address that
# breaks either rule cannot be written as an IRI node and is refused, not silently escaped.
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def scheme_iri(scheme: str, base: str = BASE) -> URIRef:
    return URIRef(f"{base}scheme/{quote(scheme, safe='-._~')}")


def concept_iri(concept_id: str, base: str = BASE) -> URIRef:
    return URIRef(f"{base}concept/{quote(concept_id, safe='/-._~')}")


def mapping_iri(mapping: ConceptMapping, base: str = BASE) -> URIRef:
    return URIRef(
        f"{base}mapping/{quote(mapping.source, safe='/-._~')}/{quote(mapping.target, safe='/-._~')}"
    )


def context(base: str = BASE) -> dict[str, str]:
    """The JSON-LD @context: prefixes only, written inline (never fetched from anywhere)."""
    return {
        "rdf": str(RDF),
        "xsd": str(XSD),
        "skos": str(SKOS),
        "dcterms": str(DCTERMS),
        "schema": str(SDO),
        "lens": str(LENS),
        "scheme": f"{base}scheme/",
        "mapping": f"{base}mapping/",
        **{scheme: f"{base}concept/{scheme}/" for scheme in SCHEMES},
    }


def scope_note_text(note: ScopeNote) -> str:
    """The scope note as one sentence for SKOS tools that know nothing of ``lens:``."""
    return f"{NOTE_KINDS[note.kind]} for {SCHEMES[note.audience]} readers: {note.note}"


def to_graph(lexicon: Lexicon, base: str = BASE) -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in context(base).items():
        graph.bind(prefix, namespace, override=True)
    for scheme, name in SCHEMES.items():
        node = scheme_iri(scheme, base)
        graph.add((node, RDF.type, SKOS.ConceptScheme))
        graph.add((node, SKOS.prefLabel, Literal(name, lang="en")))
        graph.add((node, DCTERMS.title, Literal(name, lang="en")))
    # Blank nodes get labels counted in lexicon order, so the same lexicon always serialises
    # to the same text (diffs stay readable).
    counter = iter(range(1, 10**9))
    for concept in lexicon.concepts.values():
        _add_concept(graph, concept, base, counter)
    for mapping in lexicon.mappings:
        source, target = concept_iri(mapping.source, base), concept_iri(mapping.target, base)
        node = mapping_iri(mapping, base)
        graph.add((node, RDF.type, LENS.Mapping))
        graph.add((node, LENS.source, source))
        graph.add((node, LENS.target, target))
        graph.add((node, LENS.kind, Literal(mapping.kind)))
        graph.add((node, LENS.rationale, Literal(mapping.rationale, lang="en")))
        # Both directions: SKOS tools such as Skosmos show only the triples they are given.
        graph.add((source, MAPPING_PROPERTIES[mapping.kind], target))
        graph.add((target, MAPPING_PROPERTIES[INVERSE[mapping.kind]], source))
    return graph


def _add_concept(graph: Graph, concept: Concept, base: str, counter: Iterator[int]) -> None:
    node = concept_iri(concept.id, base)
    scheme = scheme_iri(concept.scheme, base)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.inScheme, scheme))
    graph.add((node, LENS.core, Literal(concept.core)))
    if concept.core:
        graph.add((scheme, SKOS.hasTopConcept, node))
        graph.add((node, SKOS.topConceptOf, scheme))
    for language, label in concept.pref_labels.items():
        graph.add((node, SKOS.prefLabel, Literal(label, lang=language)))
    for language, labels in concept.alt_labels.items():
        for label in labels:
            graph.add((node, SKOS.altLabel, Literal(label, lang=language)))
    if concept.definition is not None:
        graph.add((node, SKOS.definition, Literal(concept.definition, lang="en")))
    if concept.source is not None:
        source = BNode(f"n{next(counter)}")
        graph.add((node, DCTERMS.source, source))
        graph.add((source, RDF.type, DCTERMS.BibliographicResource))
        graph.add((source, DCTERMS.bibliographicCitation, Literal(concept.source.citation)))
        graph.add((source, SDO.url, _web_address(concept.source.url, concept, "source")))
    for note in concept.scope_notes:
        graph.add((node, SKOS.scopeNote, Literal(scope_note_text(note), lang="en")))
        held = BNode(f"n{next(counter)}")
        graph.add((node, LENS.scopeNote, held))
        graph.add((held, RDF.type, LENS.ScopeNote))
        graph.add((held, LENS.audience, scheme_iri(note.audience, base)))
        graph.add((held, LENS.noteKind, Literal(note.kind)))
        graph.add((held, LENS.basis, Literal(note.basis)))
        graph.add((held, RDF.value, Literal(note.note, lang="en")))
    for address in concept.labels_checked_at:
        graph.add((node, LENS.labelsCheckedAt, _web_address(address, concept, "labels_checked_at")))
    if concept.note is not None:
        graph.add((node, SKOS.note, Literal(concept.note, lang="en")))
    for without, rationale in concept.no_term.items():
        gap = BNode(f"n{next(counter)}")
        graph.add((node, LENS.noTerm, gap))
        graph.add((gap, RDF.type, LENS.NoTerm))
        graph.add((gap, LENS.scheme, scheme_iri(without, base)))
        graph.add((gap, LENS.rationale, Literal(rationale, lang="en")))


def _web_address(address: str, concept: Concept, field: str) -> URIRef:
    if not _IRI_SCHEME.match(address) or _NOT_IN_IRI.search(address):
        raise ValidationError(
            f"{address!r} is not a web address that can be written as an IRI",
            field=field,
            entry=concept.id,
        )
    return URIRef(address)


def serialize(lexicon: Lexicon, fmt: Format, *, base: str = BASE) -> str:
    """The lexicon as Turtle or as JSON-LD with an inline, compact @context."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    graph = to_graph(lexicon, base)
    if fmt == "turtle":
        return graph.serialize(format="turtle")
    document = json.loads(graph.serialize(format="json-ld", context=context(base)))
    # rdflib writes nodes in store order; sorting makes the same lexicon give the same text.
    return json.dumps(_sorted_arrays(document), indent=2, ensure_ascii=False, sort_keys=True)


def _sorted_arrays(document: Any) -> Any:
    """JSON-LD arrays (none here is an @list) put in a fixed order."""
    if isinstance(document, dict):
        return {key: _sorted_arrays(value) for key, value in document.items()}
    if isinstance(document, list):
        items = [_sorted_arrays(item) for item in document]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return document


def parse(text: str, fmt: Format, *, file: str | None = None, base: str = BASE) -> Lexicon:
    """A Lexicon from Turtle or JSON-LD, checked whole; a problem names file, concept and
    property. JSON-LD that points at a remote @context is refused (nothing is fetched)."""
    return from_graph(read_graph(text, fmt, file=file), file=file, base=base)


def read_graph(text: str, fmt: Format, *, file: str | None = None) -> Graph:
    """The RDF graph of a Turtle or JSON-LD text, read without touching the network."""
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}", file=file
        )
    graph = Graph()
    try:
        if fmt == "json-ld":
            try:
                document = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValidationError(f"not JSON: {error}", file=file) from None
            _refuse_remote_contexts(document, file)
            # The parsed JSON goes straight to rdflib's JSON-LD reader: ``Graph.parse`` would
            # wrap it in the deprecated ConjunctiveGraph (a warning on every call in rdflib 7).
            to_rdf(document, graph)
        else:
            graph.parse(data=text, format="turtle")
    except ValidationError:
        raise
    # rdflib's parsers raise many types (BadSyntax, ValueError, TypeError, KeyError, ...) for
    # malformed input; each is a user's mistake here, so each becomes one clear error.
    except Exception as error:
        raise ValidationError(f"not valid {fmt}: {error}", file=file) from None
    return graph


def _refuse_remote_contexts(document: Any, file: str | None) -> None:
    if isinstance(document, list):
        for item in document:
            _refuse_remote_contexts(item, file)
        return
    if not isinstance(document, dict):
        return
    for key, value in document.items():
        if key == "@import" or (
            key == "@context"
            and (
                isinstance(value, str)
                or (isinstance(value, list) and any(isinstance(item, str) for item in value))
            )
        ):
            raise ValidationError(
                "the JSON-LD points at a remote @context, which is never fetched; "
                "write the context inline",
                file=file,
                field="@context",
            )
        _refuse_remote_contexts(value, file)


def from_graph(graph: Graph, *, file: str | None = None, base: str = BASE) -> Lexicon:
    """The Lexicon a graph holds (see ``to_graph``), checked through ``build_lexicon``."""
    reader = _Reader(graph, base, file)
    concepts = [reader.concept(node) for node in reader.concept_nodes()]
    if not concepts:
        # An empty lexicon is never what an import meant; loading one would wipe the store.
        raise ValidationError("the graph holds no skos:Concept", file=file)
    mappings = [reader.mapping(node) for node in reader.mapping_nodes()]
    mappings.sort(key=lambda mapping: (mapping.source, mapping.target))
    lexicon = build_lexicon(concepts, mappings, file=file)
    reader.check_plain_skos(lexicon)
    return lexicon


class _Reader:
    """Reads the graph one node at a time; every problem names the node it is about."""

    def __init__(self, graph: Graph, base: str, file: str | None) -> None:
        self.graph = graph
        self.base = base
        self.file = file

    def bad(self, node: Node, field: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=self.file, field=field, entry=str(node))

    def concept_id(self, node: Node, *, about: Node, field: str) -> str:
        prefix = f"{self.base}concept/"
        if not isinstance(node, URIRef) or not str(node).startswith(prefix):
            raise self.bad(about, field, f"{node} is not a concept IRI under {prefix}")
        return unquote(str(node)[len(prefix) :])

    def scheme(self, node: Node, *, about: Node, field: str) -> str:
        prefix = f"{self.base}scheme/"
        if not isinstance(node, URIRef) or not str(node).startswith(prefix):
            raise self.bad(about, field, f"{node} is not a scheme IRI under {prefix}")
        return unquote(str(node)[len(prefix) :])

    def maybe(self, node: Node, prop: URIRef, field: str) -> Node | None:
        found = list(self.graph.objects(node, prop))
        if len(found) > 1:
            raise self.bad(node, field, f"{len(found)} values where one is allowed")
        return found[0] if found else None

    def one(self, node: Node, prop: URIRef, field: str) -> Node:
        found = self.maybe(node, prop, field)
        if found is None:
            raise self.bad(node, field, "this value is required")
        return found

    def maybe_text(self, node: Node, prop: URIRef, field: str) -> str | None:
        value = self.maybe(node, prop, field)
        if value is not None and not isinstance(value, Literal):
            raise self.bad(node, field, f"{value} is not text")
        return None if value is None else str(value)

    def text(self, node: Node, prop: URIRef, field: str) -> str:
        value = self.one(node, prop, field)
        if not isinstance(value, Literal):
            raise self.bad(node, field, f"{value} is not text")
        return str(value)

    def concept_nodes(self) -> list[URIRef]:
        nodes: list[URIRef] = []
        for node in set(self.graph.subjects(RDF.type, SKOS.Concept)):
            self.concept_id(node, about=node, field="IRI")
            nodes.append(URIRef(str(node)))
        return sorted(nodes, key=str)

    def mapping_nodes(self) -> list[Node]:
        return sorted(
            set(self.graph.subjects(RDF.type, LENS.Mapping))
            | set(self.graph.subjects(LENS.source, None)),
            key=str,
        )

    def concept(self, node: URIRef) -> Concept:
        graph = self.graph
        unknown = sorted(
            _name(graph, prop) for prop in set(graph.predicates(node, None)) - _CONCEPT_PROPERTIES
        )
        if unknown:
            raise self.bad(
                node, unknown[0], "the lexicon cannot hold this property; it would be lost"
            )
        in_scheme = self.one(node, SKOS.inScheme, "skos:inScheme")
        labels: dict[str, dict[str, Any]] = {}
        for prop, key in ((SKOS.prefLabel, "pref"), (SKOS.altLabel, "alt")):
            for label in graph.objects(node, prop):
                field = _name(graph, prop)
                if not isinstance(label, Literal) or not label.language:
                    raise self.bad(node, field, f"{label!r} has no language tag")
                held = labels.setdefault(label.language.lower(), {"pref": None, "alt": []})
                if key == "alt":
                    held["alt"].append(str(label))
                elif held["pref"] is not None:
                    raise self.bad(node, field, f"two preferred labels in {label.language!r}")
                else:
                    held["pref"] = str(label)
        for held in labels.values():
            held["alt"].sort()
        item: dict[str, Any] = {
            "id": self.concept_id(node, about=node, field="IRI"),
            "scheme": self.scheme(in_scheme, about=node, field="skos:inScheme"),
            "core": self._core(node),
            "labels": dict(sorted(labels.items(), key=lambda pair: _language_order(pair[0]))),
            "labels_checked_at": sorted(str(o) for o in graph.objects(node, LENS.labelsCheckedAt)),
            "definition": self.maybe_text(node, SKOS.definition, "skos:definition"),
            "source": self._source(node),
            "scope_notes": self._scope_notes(node),
            "note": self.maybe_text(node, SKOS.note, "skos:note"),
            "no_term": self._no_term(node),
        }
        try:
            return concept_from_mapping(item, file=self.file)
        except ValidationError as error:
            field = _FIELD_PROPERTY.get(error.field or "", error.field or "IRI")
            raise self.bad(node, field, error.problem) from None

    def _core(self, node: Node) -> bool:
        value = self.maybe(node, LENS.core, "lens:core")
        if value is None:
            return False
        if not isinstance(value, Literal) or value.datatype != XSD.boolean:
            raise self.bad(node, "lens:core", f"{value!r} is not true or false")
        return bool(value.toPython())

    def _source(self, node: Node) -> dict[str, str] | None:
        source = self.maybe(node, DCTERMS.source, "dcterms:source")
        if source is None:
            return None
        return {
            "citation": self.text(source, DCTERMS.bibliographicCitation, "dcterms:source"),
            "url": str(self.one(source, SDO.url, "dcterms:source")),
        }

    def _scope_notes(self, node: Node) -> list[dict[str, str]]:
        notes = []
        for held in self.graph.objects(node, LENS.scopeNote):
            audience = self.one(held, LENS.audience, "lens:audience")
            notes.append(
                {
                    "audience": self.scheme(audience, about=node, field="lens:audience"),
                    "kind": self.text(held, LENS.noteKind, "lens:noteKind"),
                    "basis": self.text(held, LENS.basis, "lens:basis"),
                    "note": self.text(held, RDF.value, "rdf:value"),
                }
            )
        order = {scheme: rank for rank, scheme in enumerate(SCHEMES)}
        return sorted(
            notes, key=lambda n: (order.get(n["audience"], len(order)), n["kind"], n["note"])
        )

    def _no_term(self, node: Node) -> list[dict[str, str]]:
        gaps = []
        for gap in self.graph.objects(node, LENS.noTerm):
            scheme = self.one(gap, LENS.scheme, "lens:noTerm")
            gaps.append(
                {
                    "scheme": self.scheme(scheme, about=node, field="lens:noTerm"),
                    "rationale": self.text(gap, LENS.rationale, "lens:noTerm"),
                }
            )
        order = {scheme: rank for rank, scheme in enumerate(SCHEMES)}
        return sorted(gaps, key=lambda gap: order.get(gap["scheme"], len(order)))

    def mapping(self, node: Node) -> ConceptMapping:
        source = self.one(node, LENS.source, "lens:source")
        target = self.one(node, LENS.target, "lens:target")
        item = {
            "source": self.concept_id(source, about=node, field="lens:source"),
            "target": self.concept_id(target, about=node, field="lens:target"),
            "kind": self.text(node, LENS.kind, "lens:kind"),
            "rationale": self.text(node, LENS.rationale, "lens:rationale"),
        }
        try:
            return mapping_from_mapping(item, file=self.file)
        except ValidationError as error:
            field = _FIELD_PROPERTY.get(error.field or "", error.field or "lens:Mapping")
            raise ValidationError(
                error.problem, file=self.file, field=field, entry=error.entry
            ) from None

    def check_plain_skos(self, lexicon: Lexicon) -> None:
        """The plain SKOS statements must be exactly those the ``lens:`` nodes imply."""
        expected = to_graph(lexicon, self.base)
        for concept in lexicon.concepts.values():
            node = concept_iri(concept.id, self.base)
            for prop, field in (
                (SKOS.scopeNote, "skos:scopeNote"),
                (SKOS.topConceptOf, "skos:topConceptOf"),
                *((p, _name(self.graph, p)) for p in MAPPING_PROPERTIES.values()),
            ):
                self._compare(node, prop, field, expected)
            scheme = scheme_iri(concept.scheme, self.base)
            held = (scheme, SKOS.hasTopConcept, node) in self.graph
            if held != concept.core:
                raise self.bad(
                    node,
                    "skos:hasTopConcept",
                    f"the scheme {'lists' if held else 'does not list'} the concept as a top "
                    f"concept, yet lens:core is {str(concept.core).lower()}",
                )

    def _compare(self, node: URIRef, prop: URIRef, field: str, expected: Graph) -> None:
        found = set(self.graph.objects(node, prop))
        wanted = set(expected.objects(node, prop))
        source = {
            SKOS.scopeNote: "its lens:scopeNote nodes",
            SKOS.topConceptOf: "lens:core",
        }.get(prop, "the lens:Mapping nodes (which carry the rationale)")
        for extra in sorted(found - wanted, key=str):
            raise self.bad(node, field, f"{extra} is not backed by {source}; edit those")
        for missing in sorted(wanted - found, key=str):
            raise self.bad(node, field, f"{missing} is missing although {source} imply it")


def _language_order(language: str) -> tuple[int, str]:
    return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), language)


def _name(graph: Graph, prop: Node) -> str:
    """A property as a Turtle editor sees it (``skos:prefLabel``), or its whole IRI."""
    try:
        return graph.qname(URIRef(str(prop)))
    except ValueError:
        return str(prop)
