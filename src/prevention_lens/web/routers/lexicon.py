"""Sector-lexicon pages: the concepts of the seven sector languages side by side, one concept
with its mappings drawn, the reframe box, and the forms analysts propose changes with and
admins review them in.

Concepts are public; revisions (history, proposals, notes) reach only analysts and admins,
as the store's ``lexicon_revision`` policy decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.content import concept_from_mapping, mapping_from_mapping
from prevention_lens.lexicon.model import (
    LANGUAGES,
    MAPPING_KINDS,
    NOTE_BASES,
    NOTE_KINDS,
    SCHEMES,
    Concept,
    ConceptMapping,
    Lexicon,
)
from prevention_lens.lexicon.records import (
    NOTE_MAX_CHARS,
    history,
    pending,
    propose_change,
    review_change,
    stored_lexicon,
)
from prevention_lens.lexicon.reframe import MAX_TEXT_CHARS, Reframed, reframe
from prevention_lens.store.access import Principal, allowed, read_records, require
from prevention_lens.store.models import LexiconConcept
from prevention_lens.web.deps import (
    CurrentPrincipal,
    DbSession,
    PathCode,
    RecordId,
    SearchText,
    code_query,
)
from prevention_lens.web.routers.lexicon_api import (
    SKOS_FORMATS,
    TERM_MAX_CHARS,
    TEXT_MAX_CHARS,
    URL_MAX_CHARS,
    checked_language,
    concept_in_path,
    concept_matches,
    outgoing,
)
from prevention_lens.web.routers.lexicon_diagram import STROKES, concept_diagram
from prevention_lens.web.routers.lexicon_review import revision_diff
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
KIND_WORDS = {
    "exact": "exact match",
    "close": "close match",
    "broader": "broader (the mapped concept is wider)",
    "narrower": "narrower (the mapped concept is more specific)",
    "related": "related",
}
# Blank rows the edit form offers for new scope notes and mappings.
BLANK_NOTES, BLANK_MAPPINGS = 2, 3
Language = Annotated[str, code_query("en, fr or es")]


def vocabulary() -> dict[str, Any]:
    return {
        "schemes": SCHEMES,
        "languages": LANGUAGE_NAMES,
        "mapping_kinds": KIND_WORDS,
        "note_kinds": NOTE_KINDS,
        "note_bases": NOTE_BASES,
        "skos_formats": SKOS_FORMATS,
        "strokes": STROKES,
    }


def abilities(principal: Principal) -> dict[str, bool]:
    """Which staff links the lexicon pages offer this reader (the routes check again)."""
    return {
        "can_propose": allowed(principal, "create", "lexicon_revision"),
        "can_review": allowed(principal, "publish", "lexicon_revision"),
        "can_see_history": allowed(principal, "read", "lexicon_revision"),
    }


# --- the browser of concepts -----------------------------------------------------------------


@dataclass(frozen=True)
class ShownConcept:
    concept: Concept
    label: str
    # The language the label is in: the one asked for, or English where the concept has none.
    label_language: str


def _kept(**values: object) -> dict[str, str]:
    """Query parameters worth keeping in a link: blanks, English and False left out."""
    return {
        key: "true" if value is True else str(value)
        for key, value in values.items()
        if value and value != "en"
    } or {"lang": "en"}


@router.get("/lexicon", response_class=HTMLResponse)
def browser_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    q: SearchText = "",
    lang: Language = "en",
    core: Annotated[bool, Query(description="Only core concepts")] = False,
) -> Response:
    language = checked_language(lang)
    lexicon = stored_lexicon(session)
    columns = []
    for code, name in SCHEMES.items():
        shown = [
            ShownConcept(
                concept,
                concept.label(language),
                language if language in concept.pref_labels else "en",
            )
            for concept in lexicon.in_scheme(code)
            if concept_matches(concept, q) and (concept.core or not core)
        ]
        shown.sort(key=lambda item: (not item.concept.core, item.label.casefold()))
        columns.append((code, name, shown))
    return render(
        request,
        "lexicon.html",
        {
            **vocabulary(),
            **abilities(principal),
            "columns": columns,
            "q": q,
            "lang": language,
            "core_only": core,
            "language_links": [
                (code, name, "/lexicon?" + urlencode(_kept(lang=code, q=q, core=core)))
                for code, name in LANGUAGE_NAMES.items()
            ],
            "total": sum(len(shown) for _, _, shown in columns),
            "concept_count": len(lexicon.concepts),
            "mapping_count": len(lexicon.mappings),
        },
    )


# --- the reframe box (before /lexicon/{scheme}/{slug}, which it would otherwise match) ------


@dataclass(frozen=True)
class Piece:
    """A stretch of the reframed text: unchanged, a change, or a flagged term left as it was."""

    text: str
    change: Any = None
    flags: tuple[Any, ...] = ()


def pieces(reframed: Reframed) -> list[Piece]:
    """The rewritten text cut into stretches, so each change and flag can be marked."""
    flags: dict[int, list[Any]] = {}
    for flag in reframed.flags:
        flags.setdefault(flag.start, []).append(flag)
    spans = {change.start: change for change in reframed.changes}
    starts = sorted(set(spans) | {start for start, held in flags.items() if not held[0].replaced})
    out: list[Piece] = []
    position = 0
    original = reframed.original
    for start in starts:
        change = spans.get(start)
        end = change.end if change is not None else flags[start][0].end
        if start > position:
            out.append(Piece(original[position:start]))
        if change is not None:
            out.append(Piece(change.replacement, change, tuple(flags.get(start, ()))))
        else:
            out.append(Piece(original[start:end], None, tuple(flags[start])))
        position = end
    if position < len(original):
        out.append(Piece(original[position:]))
    return out


def _reframe_page(
    request: Request,
    principal: Principal,
    lexicon: Lexicon,
    values: dict[str, str],
    *,
    result: Reframed | None = None,
    error: ValidationError | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "lexicon_reframe.html",
        {
            **vocabulary(),
            **abilities(principal),
            "values": values,
            "result": result,
            "pieces": pieces(result) if result is not None else [],
            "concepts": lexicon.concepts,
            "max_chars": MAX_TEXT_CHARS,
            "error": str(error) if error else None,
        },
        status_code=status_code,
    )


@router.get("/lexicon/reframe", response_class=HTMLResponse)
def reframe_form(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    values = {"text": "", "audience": "dev", "language": "en"}
    return _reframe_page(request, principal, stored_lexicon(session), values)


@router.post("/lexicon/reframe", response_class=HTMLResponse)
async def reframe_submit(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Rewrites the text for the audience; stores nothing, so anyone may use it."""
    form = await request.form()
    values = {name: _text(form, name) for name in ("text", "audience", "language")}
    lexicon = stored_lexicon(session)
    try:
        result = reframe(lexicon, values["text"], values["audience"], values["language"] or "en")
    except ValidationError as error:
        return _reframe_page(request, principal, lexicon, values, error=error, status_code=422)
    return _reframe_page(request, principal, lexicon, values, result=result)


# --- review by admins ------------------------------------------------------------------------


@router.get("/lexicon/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, "publish", "lexicon_revision")
    lexicon = stored_lexicon(session)
    waiting = pending(session, principal)
    rows = read_records(
        session,
        principal,
        "lexicon_concept",
        select(LexiconConcept).where(
            LexiconConcept.concept_id.in_({revision.concept_id for revision in waiting})
        ),
    )
    versions = {row["concept_id"]: row["version"] for row in rows}
    return render(
        request,
        "lexicon_review.html",
        {
            **vocabulary(),
            **abilities(principal),
            "revisions": [
                (
                    revision,
                    revision_diff(lexicon, revision),
                    versions.get(revision.concept_id) != revision.base_version,
                )
                for revision in waiting
            ],
            "concepts": lexicon.concepts,
        },
    )


@router.post("/lexicon/revisions/{revision_id}/review")
async def review(
    request: Request, session: DbSession, principal: CurrentPrincipal, revision_id: RecordId
) -> Response:
    # Checked before the revision is looked up, so nobody below admin learns whether it exists.
    require(principal, "publish", "lexicon_revision")
    form = await request.form()
    review_change(session, principal, revision_id, _text(form, "decision"), _text(form, "note"))
    return RedirectResponse("/lexicon/review", status_code=303)


# --- proposing a change ----------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [value if isinstance(value, str) else "" for value in form.getlist(name)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_values_of(concept: Concept, mappings: list[ConceptMapping]) -> dict[str, Any]:
    """A concept and the mappings it takes part in, as the edit form shows them."""
    return {
        "core": concept.core,
        "labels": {
            language: {
                "pref": concept.pref_labels.get(language, ""),
                "alt": "\n".join(concept.alt_labels.get(language, ())),
            }
            for language in LANGUAGES
        },
        "definition": concept.definition or "",
        "source_citation": concept.source.citation if concept.source else "",
        "source_url": concept.source.url if concept.source else "",
        "labels_checked_at": "\n".join(concept.labels_checked_at),
        "concept_note": concept.note or "",
        "scope_notes": [
            {"audience": n.audience, "kind": n.kind, "basis": n.basis, "note": n.note}
            for n in concept.scope_notes
        ],
        "no_term": dict(concept.no_term),
        "mappings": [
            {"target": m.target, "kind": m.kind, "rationale": m.rationale} for m in mappings
        ],
        "note": "",
    }


def form_values_from(form: FormData) -> dict[str, Any]:
    """The edit form's fields as typed (for showing again); anything else is ignored."""
    notes = zip(
        _texts(form, "scope_audience"),
        _texts(form, "scope_kind"),
        _texts(form, "scope_basis"),
        _texts(form, "scope_note"),
        strict=False,
    )
    mappings = zip(
        _texts(form, "mapping_target"),
        _texts(form, "mapping_kind"),
        _texts(form, "mapping_rationale"),
        strict=False,
    )
    return {
        "core": _text(form, "core") == "on",
        "labels": {
            language: {
                "pref": _text(form, f"label_pref_{language}"),
                "alt": _text(form, f"label_alt_{language}"),
            }
            for language in LANGUAGES
        },
        "definition": _text(form, "definition"),
        "source_citation": _text(form, "source_citation"),
        "source_url": _text(form, "source_url"),
        "labels_checked_at": _text(form, "labels_checked_at"),
        "concept_note": _text(form, "concept_note"),
        "scope_notes": [
            {"audience": a, "kind": k, "basis": b, "note": n} for a, k, b, n in notes if n.strip()
        ],
        "no_term": {
            scheme: _text(form, f"no_term_{scheme}")
            for scheme in SCHEMES
            if _text(form, f"no_term_{scheme}").strip()
        },
        "mappings": [{"target": t, "kind": k, "rationale": r} for t, k, r in mappings if t.strip()],
        "note": _text(form, "note"),
    }


def _bounded(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise ValidationError(f"at most {limit:,} characters", field=field)
    return value.strip()


def proposal_from_values(
    current: Concept, values: dict[str, Any]
) -> tuple[Concept, list[ConceptMapping]]:
    """The proposed concept and its mappings; a problem names the field (or the mapping)."""
    labels = {}
    for language, held in values["labels"].items():
        pref = _bounded(held["pref"], TERM_MAX_CHARS, f"label_pref_{language}")
        alt = [
            _bounded(line, TERM_MAX_CHARS, f"label_alt_{language}") for line in _lines(held["alt"])
        ]
        if pref or alt:
            labels[language] = {"pref": pref, "alt": alt}
    citation = _bounded(values["source_citation"], TEXT_MAX_CHARS, "source_citation")
    url = _bounded(values["source_url"], URL_MAX_CHARS, "source_url")
    content = {
        "id": current.id,
        "scheme": current.scheme,
        "core": values["core"],
        "labels": labels,
        "definition": _bounded(values["definition"], TEXT_MAX_CHARS, "definition") or None,
        "source": {"citation": citation, "url": url} if citation or url else None,
        "labels_checked_at": [
            _bounded(line, URL_MAX_CHARS, "labels_checked_at")
            for line in _lines(values["labels_checked_at"])
        ],
        "note": _bounded(values["concept_note"], TEXT_MAX_CHARS, "concept_note") or None,
        "scope_notes": [
            {**note, "note": _bounded(note["note"], TEXT_MAX_CHARS, "scope_notes")}
            for note in values["scope_notes"]
        ],
        "no_term": [
            {"scheme": scheme, "rationale": _bounded(text, TEXT_MAX_CHARS, "no_term")}
            for scheme, text in values["no_term"].items()
        ],
    }
    concept = concept_from_mapping(content)
    mappings = [
        mapping_from_mapping(
            {
                "source": current.id,
                "target": item["target"].strip(),
                "kind": item["kind"],
                "rationale": _bounded(item["rationale"], TEXT_MAX_CHARS, "mappings"),
            }
        )
        for item in values["mappings"]
    ]
    return concept, mappings


def _edit_page(
    request: Request,
    principal: Principal,
    lexicon: Lexicon,
    concept: Concept,
    values: dict[str, Any],
    *,
    error: ValidationError | None = None,
    status_code: int = 200,
) -> Response:
    targets = {
        code: sorted(
            (other for other in lexicon.in_scheme(code)), key=lambda c: c.label().casefold()
        )
        for code in SCHEMES
        if code != concept.scheme
    }
    return render(
        request,
        "lexicon_edit.html",
        {
            **vocabulary(),
            **abilities(principal),
            "concept": concept,
            "values": values,
            "targets": targets,
            "blank_notes": BLANK_NOTES,
            "blank_mappings": BLANK_MAPPINGS,
            "note_max": NOTE_MAX_CHARS,
            "error": str(error) if error else None,
            "error_field": error.field if error else None,
        },
        status_code=status_code,
    )


@router.get("/lexicon/{scheme}/{slug}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    scheme: PathCode,
    slug: PathCode,
) -> Response:
    require(principal, "create", "lexicon_revision")
    lexicon = stored_lexicon(session)
    concept = concept_in_path(lexicon, scheme, slug)
    values = form_values_of(concept, outgoing(lexicon, concept.id))
    return _edit_page(request, principal, lexicon, concept, values)


@router.post("/lexicon/{scheme}/{slug}/edit")
async def propose(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    scheme: PathCode,
    slug: PathCode,
) -> Response:
    """Stores the change as a proposed revision; an admin applies it by approving it."""
    require(principal, "create", "lexicon_revision")
    lexicon = stored_lexicon(session)
    current = concept_in_path(lexicon, scheme, slug)
    values = form_values_from(await request.form())
    try:
        concept, mappings = proposal_from_values(current, values)
        revision = propose_change(session, principal, concept, mappings, values["note"])
    except ValidationError as error:
        session.rollback()
        return _edit_page(
            request, principal, lexicon, current, values, error=error, status_code=422
        )
    return RedirectResponse(
        f"/lexicon/{current.id}?proposed={revision.id}#history", status_code=303
    )


# --- one concept -----------------------------------------------------------------------------


def _why_no_term(lexicon: Lexicon, concept: Concept, audience: str) -> str:
    """Why an audience has no term that can stand for the concept (shown where it has none)."""
    if audience in concept.no_term:
        return concept.no_term[audience]
    nearest = lexicon.nearest_for(concept.id, audience)
    if nearest:
        kinds = sorted({term.kind for term in nearest}, key=list(MAPPING_KINDS).index)
        return f"Only {' or '.join(kinds)} concepts there (see the mappings below)."
    return "The lexicon maps it to nothing there yet."


@router.get("/lexicon/{scheme}/{slug}", response_class=HTMLResponse)
def concept_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    scheme: PathCode,
    slug: PathCode,
    lang: Language = "en",
    proposed: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    language = checked_language(lang)
    lexicon = stored_lexicon(session)
    concept = concept_in_path(lexicon, scheme, slug)
    mappings = outgoing(lexicon, concept.id)
    by_scheme = []
    for code, name in SCHEMES.items():
        if code == concept.scheme:
            continue
        held = [
            (m, lexicon.concepts[m.target]) for m in mappings if m.target.startswith(f"{code}/")
        ]
        held.sort(key=lambda pair: (list(MAPPING_KINDS).index(pair[0].kind), pair[1].id))
        by_scheme.append((code, name, held, concept.no_term.get(code)))
    notes = [(code, concept.notes_for(code)) for code in SCHEMES if concept.notes_for(code)]
    terms = [
        (code, lexicon.term_for(concept.id, code), _why_no_term(lexicon, concept, code))
        for code in SCHEMES
    ]
    can_see_history = allowed(principal, "read", "lexicon_revision")
    return render(
        request,
        "lexicon_concept.html",
        {
            **vocabulary(),
            **abilities(principal),
            "concept": concept,
            "lang": language,
            "by_scheme": by_scheme,
            "notes": notes,
            "terms": terms,
            "diagram": concept_diagram(lexicon, concept, language),
            "history": history(session, principal, concept.id) if can_see_history else [],
            "proposed": proposed if can_see_history else None,
        },
    )
