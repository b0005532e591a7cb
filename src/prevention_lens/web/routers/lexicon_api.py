"""The sector-lexicon part of the JSON API: schemes and concepts with their mappings, what an
audience calls a concept (the call briefs and pages make), reframing a text for an audience,
SKOS export and import, and changes proposed by analysts and reviewed by admins.

Concepts and mappings are public reference data; proposed changes, their notes and who made
them are for analysts and admins only (the store's ``lexicon_revision`` policy).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.lexicon import skos
from prevention_lens.lexicon.content import (
    concept_from_mapping,
    concept_to_mapping,
    mapping_from_mapping,
    mapping_to_mapping,
)
from prevention_lens.lexicon.model import (
    LANGUAGES,
    SCHEMES,
    Concept,
    ConceptMapping,
    Lexicon,
)
from prevention_lens.lexicon.records import (
    NOTE_MAX_CHARS,
    Revision,
    audience_term,
    history,
    pending,
    propose_change,
    replace_lexicon,
    review_change,
    stored_lexicon,
)
from prevention_lens.lexicon.reframe import MAX_TEXT_CHARS, reframe
from prevention_lens.store.access import require
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    PathCode,
    RecordId,
    SearchText,
    code_query,
)
from prevention_lens.web.security import verify_csrf

router = APIRouter(prefix="/api/v1", tags=["lexicon"], dependencies=[Depends(verify_csrf)])
# Reframing reads only the public lexicon and stores nothing, so a cross-site request gains
# nothing from a reader's cookie: it needs no CSRF token, and scripts may call it anonymously.
reframe_router = APIRouter(prefix="/api/v1", tags=["lexicon"])

Record = dict[str, Any]
# SKOS formats: (media type, file suffix).
SKOS_FORMATS: dict[skos.Format, tuple[str, str]] = {
    "turtle": ("text/turtle", ".ttl"),
    "json-ld": ("application/ld+json", ".jsonld"),
}
# A SKOS file of the whole lexicon is well under 1 MiB; a few times that leaves room to grow.
IMPORT_MAX_BYTES = 8 * 2**20
# A label, a code or a web address; a definition, citation, note or rationale.
TERM_MAX_CHARS = 300
TEXT_MAX_CHARS = 4000
URL_MAX_CHARS = 2000


def fold(text: str) -> str:
    """Text as a filter compares it: case and accents ignored (génocide finds genocide)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def concept_matches(concept: Concept, query: str) -> bool:
    """Whether any label of the concept, in any language, or its id holds the words."""
    words = fold(query).split()
    if not words:
        return True
    haystack = " ".join(
        [concept.id, *(label for language in LANGUAGES for label in concept.labels(language))]
    )
    folded = fold(haystack)
    return all(word in folded for word in words)


def checked_language(language: str) -> str:
    language = language.strip() or "en"
    if language not in LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}", field="language"
        )
    return language


def checked_scheme(scheme: str, name: str = "scheme") -> str:
    if scheme not in SCHEMES:
        raise ValidationError(
            f"unknown {name} {scheme!r}; choose from {', '.join(SCHEMES)}", field=name
        )
    return scheme


def concept_in_path(lexicon: Lexicon, scheme: str, slug: str) -> Concept:
    """The concept a URL names as scheme and slug; a 404 names what was asked for."""
    return lexicon.concept(f"{scheme}/{slug}")


def outgoing(lexicon: Lexicon, concept_id: str) -> list[ConceptMapping]:
    """Every mapping the concept takes part in, read from its side (as a change proposes them)."""
    return list(lexicon.mappings_from(concept_id))


def mapping_view(lexicon: Lexicon, mapping: ConceptMapping, language: str) -> Record:
    target = lexicon.concepts[mapping.target]
    stored = any(
        (held.source, held.target) == (mapping.source, mapping.target) for held in lexicon.mappings
    )
    return mapping_to_mapping(mapping) | {
        "target_scheme": target.scheme,
        "target_label": target.label(language),
        # Kept once per pair: "outgoing" as stored, or the inverse of the target's mapping.
        "direction": "outgoing" if stored else "incoming",
    }


def concept_summary(concept: Concept, language: str) -> Record:
    return {
        "id": concept.id,
        "scheme": concept.scheme,
        "core": concept.core,
        "label": concept.label(language),
        "labels": dict(concept.pref_labels),
        "url": f"/lexicon/{concept.id}",
    }


def concept_answer(lexicon: Lexicon, concept: Concept, language: str) -> Record:
    terms: dict[str, Record | None] = {}
    for audience in SCHEMES:
        term = lexicon.term_for(concept.id, audience)
        terms[audience] = None if term is None else term.to_dict(language)
    return {
        "concept": concept_to_mapping(concept),
        "label": concept.label(language),
        "mappings": [
            mapping_view(lexicon, mapping, language) for mapping in outgoing(lexicon, concept.id)
        ],
        "terms": terms,
    }


def no_term_message(lexicon: Lexicon, concept: Concept, audience: str, language: str) -> str:
    """Why an audience has no term for a concept, with the nearest relations it does have."""
    name = SCHEMES[audience]
    message = f"{name} ({audience}) has no term for {concept.label(language)!r} ({concept.id})"
    reason = concept.no_term.get(audience)
    if reason:
        return f"{message}: {reason}"
    nearest = lexicon.nearest_for(concept.id, audience)
    if nearest:
        related = "; ".join(
            f"{term.kind}: {term.concept.label(language)} ({term.concept.id})"
            for term in nearest[:3]
        )
        return f"{message} that can stand for it (no exact or close match); nearest: {related}."
    return f"{message}: the lexicon maps it to nothing in that scheme."


def skos_format(requested: str) -> skos.Format:
    for fmt in SKOS_FORMATS:
        if fmt == requested.strip().lower():
            return fmt
    raise ValidationError(
        f"unknown SKOS format {requested!r}; choose {' or '.join(SKOS_FORMATS)}", field="format"
    )


def skos_download(session: Session, requested: str) -> Response:
    fmt = skos_format(requested)
    media_type, suffix = SKOS_FORMATS[fmt]
    lexicon = stored_lexicon(session)
    return Response(
        skos.serialize(lexicon, fmt),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="prevention-lens-lexicon{suffix}"',
            "X-Concept-Count": str(len(lexicon.concepts)),
        },
    )


# --- proposed changes ------------------------------------------------------------------------

_Code = Annotated[str, Field(max_length=CODE_MAX_CHARS)]
_Term = Annotated[str, Field(max_length=TERM_MAX_CHARS)]
_Text = Annotated[str, Field(max_length=TEXT_MAX_CHARS)]
_Url = Annotated[str, Field(max_length=URL_MAX_CHARS)]


class LabelsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pref: _Term
    alt: list[_Term] = Field(default_factory=list, max_length=30)


class SourceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citation: _Text
    url: _Url


class ScopeNoteBody(BaseModel):
    """When the term is sensitive, misleading, counter-productive (or works well) with whom."""

    model_config = ConfigDict(extra="forbid")

    audience: _Code
    kind: _Code
    note: _Text
    basis: _Code = "practice"


class NoTermBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: _Code
    rationale: _Text


class MappingBody(BaseModel):
    """A relation read from the concept: "broader" means the target is broader."""

    model_config = ConfigDict(extra="forbid")

    target: _Code
    kind: _Code
    rationale: _Text


class ConceptContent(BaseModel):
    """A concept's content; every field left out keeps its current value."""

    model_config = ConfigDict(extra="forbid")

    core: bool | None = None
    labels: Annotated[dict[Literal["en", "fr", "es"], LabelsBody] | None, Field(max_length=3)] = (
        None
    )
    definition: _Text | None = None
    source: SourceBody | None = None
    scope_notes: Annotated[list[ScopeNoteBody] | None, Field(max_length=50)] = None
    no_term: Annotated[list[NoTermBody] | None, Field(max_length=len(SCHEMES))] = None
    labels_checked_at: Annotated[list[_Url] | None, Field(max_length=20)] = None
    note: _Text | None = None


class ProposedChange(BaseModel):
    """A change to one concept for an admin to review. ``mappings`` (when given) replace every
    mapping the concept takes part in, each read from this concept's side."""

    model_config = ConfigDict(extra="forbid")

    concept: ConceptContent = Field(default_factory=ConceptContent)
    mappings: Annotated[list[MappingBody] | None, Field(max_length=200)] = None
    note: Annotated[str, Field(max_length=NOTE_MAX_CHARS, description="Why the change")] = ""


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: Annotated[str, Field(max_length=NOTE_MAX_CHARS)] = ""


class ReframeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
    audience: Annotated[str, Field(max_length=CODE_MAX_CHARS, description="A scheme code: dev")]
    language: Annotated[str, Field(max_length=CODE_MAX_CHARS)] = "en"


def changed_concept(current: Concept, content: ConceptContent) -> Concept:
    """The current concept with the fields the body gives replaced (checked like any concept)."""
    values = concept_to_mapping(current)
    for name in content.model_fields_set:
        values[name] = content.model_dump(include={name})[name]
    return concept_from_mapping(values)


def proposed_mappings(concept_id: str, given: list[MappingBody]) -> list[ConceptMapping]:
    return [mapping_from_mapping({"source": concept_id, **item.model_dump()}) for item in given]


def revision_answer(revision: Revision, lexicon: Lexicon) -> Record:
    answer = revision.to_dict()
    answer["url"] = f"/lexicon/{revision.concept_id}"
    answer["current"] = (
        concept_to_mapping(lexicon.concepts[revision.concept_id])
        if revision.concept_id in lexicon.concepts
        else None
    )
    return answer


# --- routes ----------------------------------------------------------------------------------

Language = Annotated[str, code_query("en, fr or es (labels in that language where it has them)")]


@router.get("/lexicon/schemes")
def schemes(session: DbSession) -> Record:
    """The seven sector languages, with how many concepts (and core concepts) each holds."""
    lexicon = stored_lexicon(session)
    return {
        "schemes": [
            {
                "code": code,
                "name": name,
                "concepts": len(lexicon.in_scheme(code)),
                "core": sum(concept.core for concept in lexicon.in_scheme(code)),
            }
            for code, name in SCHEMES.items()
        ],
        "languages": list(LANGUAGES),
    }


@router.get("/lexicon/concepts")
def concepts(
    session: DbSession,
    scheme: Annotated[str, code_query("A scheme code (ap, dev, sec, hum, hr, com, pb)")] = "",
    q: SearchText = "",
    core: Annotated[bool | None, Query(description="Only core (or only other) concepts")] = None,
    language: Language = "en",
) -> Record:
    """Concepts, filtered by scheme, words in any label (any language, accents ignored) and
    whether they are core concepts."""
    language = checked_language(language)
    chosen = checked_scheme(scheme.strip()) if scheme.strip() else None
    lexicon = stored_lexicon(session)
    found = [
        concept_summary(concept, language)
        for concept in sorted(lexicon.concepts.values(), key=lambda c: c.id)
        if (chosen is None or concept.scheme == chosen)
        and (core is None or concept.core == core)
        and concept_matches(concept, q)
    ]
    return {"total": len(found), "concepts": found}


@router.get("/lexicon/term")
def term(
    session: DbSession,
    concept: Annotated[str, code_query("A concept id, like ap/genocide")],
    audience: Annotated[str, code_query("The audience's scheme code, like hr")],
    language: Language = "en",
) -> Record:
    """What an audience calls a concept: its own concept, or an exact or close match in its
    scheme. A 404 says when the audience has no such term, and why where the lexicon knows."""
    language = checked_language(language)
    checked_scheme(audience, "audience")
    found = audience_term(session, concept, audience, language)
    lexicon = stored_lexicon(session)
    asked = lexicon.concept(concept)
    if found is None:
        raise NotFoundError(no_term_message(lexicon, asked, audience, language))
    return {
        "concept": asked.id,
        "audience": audience,
        "language": language,
        "term": found.to_dict(language),
    }


@router.get("/lexicon/export")
def export(
    session: DbSession,
    format: Annotated[str, Query(max_length=20, description="turtle or json-ld")] = "turtle",
) -> Response:
    """The whole lexicon as SKOS (Turtle or JSON-LD), for anyone to reuse."""
    return skos_download(session, format)


async def _body(request: Request) -> bytes:
    """The request body, refused once it passes the import limit (even without a length)."""
    held = bytearray()
    async for chunk in request.stream():
        held += chunk
        if len(held) > IMPORT_MAX_BYTES:
            raise ValidationError(
                f"the file is over {IMPORT_MAX_BYTES // 2**20} MiB, the most an import takes",
                field="body",
            )
    return bytes(held)


def _import_format(request: Request, requested: str) -> skos.Format:
    if requested.strip():
        return skos_format(requested)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/turtle", "application/x-turtle"):
        return "turtle"
    if content_type in ("application/ld+json", "application/json"):
        return "json-ld"
    raise ValidationError(
        "say which SKOS format the body is: ?format=turtle or json-ld, or Content-Type "
        "text/turtle or application/ld+json",
        field="format",
    )


@router.post("/lexicon/import")
async def import_skos(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    format: Annotated[str, Query(max_length=20, description="turtle or json-ld")] = "",
) -> Record:
    """Replace the lexicon with a SKOS file (admins). The file is checked whole first; every
    concept that changes gets an approved revision saying it was imported."""
    require(principal, "import", "lexicon_concept")
    fmt = _import_format(request, format)
    raw = await _body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"the file is not UTF-8 text (byte {error.start})", field="body"
        ) from None
    lexicon = skos.parse(text, fmt, file="the request body")
    changed = replace_lexicon(session, principal, lexicon)
    return {
        "changed": changed,
        "concepts": len(lexicon.concepts),
        "mappings": len(lexicon.mappings),
    }


@router.get("/lexicon/revisions")
def revisions(session: DbSession, principal: CurrentPrincipal) -> Record:
    """Proposed changes waiting for an admin, oldest first (analysts and admins)."""
    require(principal, "read", "lexicon_revision")
    lexicon = stored_lexicon(session)
    found = pending(session, principal)
    return {"revisions": [revision_answer(revision, lexicon) for revision in found]}


@router.post("/lexicon/revisions/{revision_id}/review")
def review(
    revision_id: RecordId, body: Review, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Approve (and apply) or reject a proposed change (admins)."""
    # Checked before the revision is looked up, so nobody below admin learns whether it exists.
    require(principal, "publish", "lexicon_revision")
    revision = review_change(session, principal, revision_id, body.decision, body.note)
    return revision_answer(revision, stored_lexicon(session))


@router.get("/lexicon/concepts/{scheme}/{slug}")
def concept(
    scheme: PathCode, slug: PathCode, session: DbSession, language: Language = "en"
) -> Record:
    """One concept: labels, definition and source, scope notes, no-term reasons, every mapping
    it takes part in (both directions, read from its side) and each audience's term for it."""
    language = checked_language(language)
    lexicon = stored_lexicon(session)
    return concept_answer(lexicon, concept_in_path(lexicon, scheme, slug), language)


@router.get("/lexicon/concepts/{scheme}/{slug}/revisions")
def concept_history(
    scheme: PathCode, slug: PathCode, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Every change proposed for the concept, newest first (analysts and admins)."""
    require(principal, "read", "lexicon_revision")
    lexicon = stored_lexicon(session)
    found = concept_in_path(lexicon, scheme, slug)
    return {
        "revisions": [
            revision_answer(revision, lexicon) for revision in history(session, principal, found.id)
        ]
    }


@router.post("/lexicon/concepts/{scheme}/{slug}/revisions", status_code=201)
def propose(
    scheme: PathCode,
    slug: PathCode,
    body: ProposedChange,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Record:
    """Propose a change to a concept (analysts); it applies once an admin approves it."""
    require(principal, "create", "lexicon_revision")
    lexicon = stored_lexicon(session)
    current = concept_in_path(lexicon, scheme, slug)
    changed = changed_concept(current, body.concept)
    mappings = (
        outgoing(lexicon, current.id)
        if body.mappings is None
        else proposed_mappings(current.id, body.mappings)
    )
    revision = propose_change(session, principal, changed, mappings, body.note)
    return revision_answer(revision, lexicon)


@reframe_router.post("/lexicon/reframe")
def reframe_text(body: ReframeRequest, session: DbSession) -> Record:
    """The text rewritten in the audience's terms, with every change (offsets in the original
    text, the concepts and the rationale) and every term flagged as sensitive for it. Stores
    nothing; anyone may call it."""
    language = checked_language(body.language)
    audience = checked_scheme(body.audience.strip(), "audience")
    found: Record = reframe(stored_lexicon(session), body.text, audience, language).to_dict()
    return found
