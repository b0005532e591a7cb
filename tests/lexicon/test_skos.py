"""SKOS export and import: lossless round trips through Turtle and JSON-LD, a graph that passes
the checks a reuser's SKOS tooling would run, bad input named precisely, and no network."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.content import (
    build_lexicon,
    concept_from_mapping,
    lexicon_to_data,
    mapping_from_mapping,
    shipped_lexicon,
)
from prevention_lens.lexicon.model import MAPPING_KINDS, NOTE_BASES, NOTE_KINDS, SCHEMES, Lexicon
from prevention_lens.lexicon.skos import (
    BASE,
    FORMATS,
    LENS,
    Format,
    concept_iri,
    parse,
    read_graph,
    scheme_iri,
    serialize,
    to_graph,
)


def canonical(lexicon: Lexicon) -> dict[str, Any]:
    """The lexicon's plain form with every order RDF does not keep taken away."""
    data = lexicon_to_data(lexicon)
    concepts = []
    for concept in data["concepts"]:
        for held in concept["labels"].values():
            held["alt"] = sorted(held["alt"])
        concept["labels_checked_at"] = sorted(concept["labels_checked_at"])
        concept["scope_notes"] = sorted(concept["scope_notes"], key=json.dumps)
        concept["no_term"] = sorted(concept["no_term"], key=json.dumps)
        concepts.append(concept)
    return {
        "concepts": sorted(concepts, key=lambda concept: concept["id"]),
        "mappings": sorted(data["mappings"], key=json.dumps),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_shipped_lexicon_round_trips(fmt: Format) -> None:
    lexicon = shipped_lexicon()
    parsed = parse(serialize(lexicon, fmt), fmt, file=f"lexicon.{fmt}")
    assert canonical(parsed) == canonical(lexicon)
    assert len(parsed.concepts) == len(lexicon.concepts)
    assert len(parsed.mappings) == len(lexicon.mappings)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_lexicon_always_gives_the_same_text(fmt: Format) -> None:
    lexicon = shipped_lexicon()
    assert serialize(lexicon, fmt) == serialize(lexicon, fmt)


def test_a_different_base_round_trips_and_the_default_refuses_it() -> None:
    lexicon = shipped_lexicon()
    base = "https://w3id.org/example-lexicon/"
    text = serialize(lexicon, "turtle", base=base)
    assert "<urn:prevention-lens:lexicon:" not in text
    assert canonical(parse(text, "turtle", base=base)) == canonical(lexicon)
    with pytest.raises(ValidationError, match="is not a concept IRI under urn:prevention-lens"):
        parse(text, "turtle", file="other.ttl")


# --- generated lexicons -------------------------------------------------------------------

AWKWARD = (
    'say "no"',
    "l'avenir",
    "two\nlines",
    "x\r\ny",
    "tab\there",
    '"',
    'ends with a quote"',
    '""" triple',
    "back\\slash",
    "تماسك اجتماعي",
    "လူမှုစည်းလုံးညီညွတ်မှု",
    "cohésion sociale",
    "emoji 🕊",
)
TEXT = (
    st.one_of(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=16),
        st.sampled_from(AWKWARD),
    )
    .map(str.strip)
    .filter(bool)
)
SLUG = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True),
    st.sampled_from(["cohésion-sociale", "with space", "تماسك", "a%2Fb"]),
)
URL = st.from_regex(r"https://example\.org/[a-z0-9/._-]{0,20}", fullmatch=True)


@st.composite
def concept_data(draw: st.DrawFn, concept_id: str, scheme: str) -> dict[str, Any]:
    labels: dict[str, dict[str, Any]] = {}
    for language in ("en", *draw(st.sets(st.sampled_from(["fr", "es"])))):
        preferred = draw(TEXT)
        labels[language] = {
            "pref": preferred,
            # SKOS: a label is preferred or alternative, never both.
            "alt": draw(
                st.lists(
                    TEXT.filter(lambda text, chosen=preferred: text.strip() != chosen.strip()),
                    max_size=3,
                    unique=True,
                )
            ),
        }
    definition = draw(st.none() | TEXT)
    source = None
    if definition is not None or draw(st.booleans()):
        source = {"citation": draw(TEXT), "url": draw(URL)}
    notes = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "audience": st.sampled_from(list(SCHEMES)),
                    "kind": st.sampled_from(list(NOTE_KINDS)),
                    "note": TEXT,
                    "basis": st.sampled_from(list(NOTE_BASES)),
                }
            ),
            max_size=3,
        )
    )
    return {
        "id": concept_id,
        "scheme": scheme,
        "core": draw(st.booleans()),
        "labels": labels,
        "labels_checked_at": draw(st.lists(URL, max_size=2, unique=True)),
        "definition": definition,
        "source": source,
        "scope_notes": notes,
        "note": draw(st.none() | TEXT),
    }


@st.composite
def lexicons(draw: st.DrawFn) -> Lexicon:
    slugs = draw(st.lists(SLUG, min_size=1, max_size=5, unique=True))
    items = []
    for slug in slugs:
        scheme = draw(st.sampled_from(list(SCHEMES)))
        items.append(draw(concept_data(f"{scheme}/{slug}", scheme)))
    pairs = [
        (first, second)
        for first in range(len(items))
        for second in range(first + 1, len(items))
        if items[first]["scheme"] != items[second]["scheme"]
    ]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6)) if pairs else []
    mappings = []
    for first, second in chosen:
        source, target = items[first], items[second]
        if draw(st.booleans()):
            source, target = target, source
        mappings.append(
            mapping_from_mapping(
                {
                    "source": source["id"],
                    "target": target["id"],
                    "kind": draw(st.sampled_from(list(MAPPING_KINDS))),
                    "rationale": draw(TEXT),
                }
            )
        )
    reached: dict[str, set[str]] = {item["id"]: set() for item in items}
    schemes = {item["id"]: item["scheme"] for item in items}
    for mapping in mappings:
        reached[mapping.source].add(schemes[mapping.target])
        reached[mapping.target].add(schemes[mapping.source])
    for item in items:
        open_schemes = [
            scheme
            for scheme in SCHEMES
            if scheme != item["scheme"] and scheme not in reached[item["id"]]
        ]
        # A core concept must say why each scheme it does not reach has no term.
        without = (
            open_schemes
            if item["core"]
            else draw(st.lists(st.sampled_from(open_schemes), unique=True))
            if open_schemes
            else []
        )
        item["no_term"] = [{"scheme": scheme, "rationale": draw(TEXT)} for scheme in without]
    return build_lexicon([concept_from_mapping(item) for item in items], mappings)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lexicons(), st.sampled_from(FORMATS))
def test_generated_lexicons_round_trip(lexicon: Lexicon, fmt: Format) -> None:
    parsed = parse(serialize(lexicon, fmt), fmt, file="generated")
    assert canonical(parsed) == canonical(lexicon)


# --- what a reuser's SKOS checks would find -------------------------------------------------

PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
MATCHES = "skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch"
SKOS_CHECKS = {
    "a concept is not in exactly one scheme": """
        SELECT ?c WHERE { ?c a skos:Concept . OPTIONAL { ?c skos:inScheme ?s } }
        GROUP BY ?c HAVING (COUNT(?s) != 1)""",
    "a concept's scheme is not a ConceptScheme": """
        SELECT ?c WHERE { ?c skos:inScheme ?s . FILTER NOT EXISTS { ?s a skos:ConceptScheme } }""",
    "two preferred labels in one language (SKOS S14)": """
        SELECT ?c WHERE { ?c skos:prefLabel ?a, ?b . FILTER (?a != ?b && lang(?a) = lang(?b)) }""",
    "a label is both preferred and alternative (SKOS S13)": """
        SELECT ?c WHERE { ?c skos:prefLabel ?l ; skos:altLabel ?l }""",
    "a label without a language tag": """
        SELECT ?c WHERE { ?c skos:prefLabel|skos:altLabel ?l . FILTER (lang(?l) = "") }""",
    "broadMatch and narrowMatch of one pair from one side": """
        SELECT ?a WHERE { ?a skos:broadMatch ?b ; skos:narrowMatch ?b }""",
    "exactMatch with broadMatch or relatedMatch on one pair (SKOS S46)": """
        SELECT ?a WHERE { ?a skos:exactMatch ?b . ?a skos:broadMatch|skos:relatedMatch ?b }""",
    "a concept mapped to itself": f"SELECT ?a WHERE {{ ?a {MATCHES} ?a }}",
    "a mapping inside one scheme": f"""
        SELECT ?a WHERE {{ ?a {MATCHES} ?b . ?a skos:inScheme ?s . ?b skos:inScheme ?s }}""",
    "a mapping without its inverse": """
        SELECT ?a WHERE {
          { ?a skos:broadMatch ?b FILTER NOT EXISTS { ?b skos:narrowMatch ?a } }
          UNION { ?a skos:exactMatch ?b FILTER NOT EXISTS { ?b skos:exactMatch ?a } }
          UNION { ?a skos:closeMatch ?b FILTER NOT EXISTS { ?b skos:closeMatch ?a } }
          UNION { ?a skos:relatedMatch ?b FILTER NOT EXISTS { ?b skos:relatedMatch ?a } } }""",
    "a top concept outside its scheme": """
        SELECT ?c WHERE { ?s skos:hasTopConcept ?c . FILTER NOT EXISTS { ?c skos:inScheme ?s } }""",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_graph_passes_the_checks_a_reuser_would_run(fmt: Format) -> None:
    graph = read_graph(serialize(shipped_lexicon(), fmt), fmt)
    found = {
        problem: sorted(str(row[0]) for row in graph.query(PREFIXES + query))  # type: ignore[index]
        for problem, query in SKOS_CHECKS.items()
    }
    assert {problem: rows for problem, rows in found.items() if rows} == {}


def test_generic_tools_see_schemes_top_concepts_and_notes() -> None:
    lexicon = shipped_lexicon()
    graph = to_graph(lexicon)
    for scheme, name in SCHEMES.items():
        node = scheme_iri(scheme)
        assert str(node) == f"{BASE}scheme/{scheme}"
        assert (node, SKOS.prefLabel, Literal(name, lang="en")) in graph
        top = {str(c) for c in graph.objects(node, SKOS.hasTopConcept)}
        assert top == {str(concept_iri(c.id)) for c in lexicon.in_scheme(scheme) if c.core}
    concept = next(c for c in lexicon.concepts.values() if c.scope_notes)
    plain = {str(note) for note in graph.objects(concept_iri(concept.id), SKOS.scopeNote)}
    assert len(plain) == len(concept.scope_notes)
    assert all(note.note in " ".join(plain) for note in concept.scope_notes)
    assert str(concept_iri("dev/social-cohesion")) == f"{BASE}concept/dev/social-cohesion"


# --- bad input ----------------------------------------------------------------------------

SMALL = build_lexicon(
    [
        concept_from_mapping(
            {
                "id": "dev/social-cohesion",
                "scheme": "dev",
                "labels": {"en": {"pref": "social cohesion"}, "fr": {"pref": "cohésion sociale"}},
                "scope_notes": [
                    {"audience": "sec", "kind": "misleading", "note": "Heard as order."}
                ],
            }
        ),
        concept_from_mapping(
            {"id": "pb/social-cohesion", "scheme": "pb", "labels": {"en": {"pref": "cohesion"}}}
        ),
    ],
    [
        mapping_from_mapping(
            {
                "source": "dev/social-cohesion",
                "target": "pb/social-cohesion",
                "kind": "broader",
                "rationale": "Peacebuilding's term is wider.",
            }
        )
    ],
)
DEV = concept_iri("dev/social-cohesion")
PB = concept_iri("pb/social-cohesion")


def _mapping_node(graph: Graph) -> URIRef:
    return next(iter(graph.subjects(RDF.type, LENS.Mapping)))  # type: ignore[return-value]


def _drop_english_label(graph: Graph) -> None:
    graph.remove((DEV, SKOS.prefLabel, Literal("social cohesion", lang="en")))


def _unknown_kind(graph: Graph) -> None:
    graph.set((_mapping_node(graph), LENS.kind, Literal("sideways")))


def _unknown_target(graph: Graph) -> None:
    graph.set((_mapping_node(graph), LENS.target, concept_iri("pb/nowhere")))


def _second_english_label(graph: Graph) -> None:
    graph.add((DEV, SKOS.prefLabel, Literal("cohesion", lang="en")))


def _untagged_label(graph: Graph) -> None:
    graph.add((DEV, SKOS.altLabel, Literal("cohesion")))


def _skos_mapping_without_rationale(graph: Graph) -> None:
    graph.add((DEV, SKOS.exactMatch, concept_iri("pb/other")))


def _mapping_without_its_skos_triple(graph: Graph) -> None:
    graph.remove((DEV, SKOS.broadMatch, PB))


def _plain_scope_note_edited(graph: Graph) -> None:
    graph.remove((DEV, SKOS.scopeNote, None))
    graph.add((DEV, SKOS.scopeNote, Literal("Edited in a SKOS tool.", lang="en")))


def _property_the_lexicon_cannot_hold(graph: Graph) -> None:
    graph.add((DEV, SKOS.example, Literal("an example", lang="en")))


def _top_concept_without_core(graph: Graph) -> None:
    graph.add((scheme_iri("dev"), SKOS.hasTopConcept, DEV))


def _two_schemes(graph: Graph) -> None:
    graph.add((DEV, SKOS.inScheme, scheme_iri("sec")))


def _unknown_audience(graph: Graph) -> None:
    note = next(iter(graph.objects(DEV, LENS.scopeNote)))
    graph.set((note, LENS.audience, scheme_iri("nobody")))


BAD: dict[str, tuple[Callable[[Graph], None], str, str]] = {
    "no English preferred label": (
        _drop_english_label,
        "field 'skos:prefLabel'",
        "an English preferred label is required",
    ),
    "unknown mapping kind": (_unknown_kind, "field 'lens:kind'", "unknown mapping kind 'sideways'"),
    "mapping to an unknown concept": (_unknown_target, "lexicon.ttl", "unknown concept pb/nowhere"),
    "two English preferred labels": (_second_english_label, "skos:prefLabel", "two preferred"),
    "label without language": (_untagged_label, "skos:altLabel", "no language tag"),
    "SKOS mapping without lens:Mapping": (
        _skos_mapping_without_rationale,
        "skos:exactMatch",
        "not backed by the lens:Mapping",
    ),
    "lens:Mapping without SKOS triple": (
        _mapping_without_its_skos_triple,
        "skos:broadMatch",
        "missing although",
    ),
    "plain scope note edited": (_plain_scope_note_edited, "skos:scopeNote", "not backed"),
    "unknown property": (_property_the_lexicon_cannot_hold, "skos:example", "would be lost"),
    "top concept that is not core": (_top_concept_without_core, "hasTopConcept", "lens:core"),
    "two schemes": (_two_schemes, "skos:inScheme", "2 values where one is allowed"),
    "unknown audience": (_unknown_audience, "lens:scopeNote", "unknown audience 'nobody'"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_names_file_concept_and_field(case: str) -> None:
    edit, where, problem = BAD[case]
    graph = to_graph(SMALL)
    edit(graph)
    with pytest.raises(ValidationError) as raised:
        parse(graph.serialize(format="turtle"), "turtle", file="lexicon.ttl")
    message = str(raised.value)
    assert message.startswith("lexicon.ttl")
    assert where in message
    assert problem in message
    assert "social-cohesion" in message or "nowhere" in message


def test_the_small_lexicon_itself_parses() -> None:
    assert canonical(parse(serialize(SMALL, "turtle"), "turtle")) == canonical(SMALL)


@pytest.mark.parametrize(
    ("text", "fmt", "problem"),
    [
        ("dev:x a skos:Concept", "turtle", "not valid turtle"),
        ("<urn:a> <urn:b> .", "turtle", "not valid turtle"),
        ('{"@graph": [', "json-ld", "not JSON"),
        ("[1, 2]", "json-ld", "holds no skos:Concept"),
        ("", "rdf/xml", "unknown format 'rdf/xml'"),
    ],
)
def test_malformed_text_is_a_validation_error(text: str, fmt: Any, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as raised:
        parse(text, fmt, file="broken.ttl")
    assert str(raised.value).startswith("broken.ttl")


@pytest.mark.parametrize(
    ("field", "address"),
    [("source", "https://ohchr.org/a page"), ("labels_checked_at", "ohchr.org/relative")],
)
def test_an_address_that_is_not_an_iri_is_refused_on_export(field: str, address: str) -> None:
    concept = concept_from_mapping(
        {
            "id": "hr/discrimination",
            "scheme": "hr",
            "labels": {"en": {"pref": "discrimination"}},
            "definition": "Unequal treatment.",
            "source": {
                "citation": "OHCHR",
                "url": address if field == "source" else "https://ohchr.org/",
            },
            "labels_checked_at": [address] if field == "labels_checked_at" else [],
        }
    )
    with pytest.raises(ValidationError, match=f"entry 'hr/discrimination', field '{field}'"):
        serialize(build_lexicon([concept], []), "turtle")


# --- no network -------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise AssertionError("network access during a lexicon parse")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return attempts


def test_json_ld_parses_without_the_network(no_network: list[str]) -> None:
    lexicon = shipped_lexicon()
    text = serialize(lexicon, "json-ld")
    assert json.loads(text)["@context"]["skos"] == str(SKOS)
    assert canonical(parse(text, "json-ld")) == canonical(lexicon)
    assert no_network == []


@pytest.mark.parametrize(
    "remote",
    [
        "https://example.org/context.jsonld",
        ["https://example.org/context.jsonld", {"skos": str(SKOS)}],
        {"@import": "https://example.org/context.jsonld"},
    ],
)
def test_a_remote_context_is_refused_not_fetched(no_network: list[str], remote: object) -> None:
    document = json.loads(serialize(SMALL, "json-ld"))
    document["@context"] = remote
    with pytest.raises(ValidationError, match="remote @context") as raised:
        parse(json.dumps(document), "json-ld", file="lexicon.jsonld")
    assert str(raised.value).startswith("lexicon.jsonld")
    assert no_network == []
