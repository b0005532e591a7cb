"""The evidence-library part of the JSON API: hybrid search with filters and facets, one entry,
the gap map, the transfer ranking for a country, the exports, new entries and their review.

Every read goes through the access policy (``whatworks.library``), so the API shows what the
pages show: drafts and who added or reviewed an entry only to analysts and admins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from prevention_lens.briefs.transfer import transfer_ranking
from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    MAX_ID,
    CurrentPrincipal,
    DbSession,
    Offset,
    PathCode,
    SearchText,
    code_query,
    country_in_path,
)
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.whatworks.entries import LIMITS, EntryDraft, publication_problems
from prevention_lens.whatworks.exports import EXPORT_FORMATS, export_entries
from prevention_lens.whatworks.gapmap import library_gap_map
from prevention_lens.whatworks.library import (
    EntryFilter,
    add_entries,
    get_entry,
    review_entry,
    update_entry,
)
from prevention_lens.whatworks.search import SearchResults, search
from prevention_lens.whatworks.vocabulary import (
    CONFLICT_PHASES,
    DESIGNS,
    EFFECTS,
    EMMIE_MAX,
    INTERVENTIONS,
    KINDS,
    ORIGINS,
    OUTCOMES,
    REGIME_TYPES,
    REGIONS,
    STATUSES,
    STRENGTHS,
)

router = APIRouter(prefix="/api/v1", tags=["evidence"], dependencies=[Depends(verify_csrf)])

Record = dict[str, Any]
# Results per request: enough for a page of a reference manager, small enough to answer fast.
MAX_LIMIT = 100
EARLIEST, LATEST = 1900, 2100


def _code(value: str, allowed_values: Collection[str], name: str) -> str | None:
    value = value.strip()
    if value and value not in allowed_values:
        choices = ", ".join(allowed_values)
        raise ValidationError(f"unknown value {value!r}; choose from {choices}", field=name)
    return value or None


def entry_filters(
    session: DbSession,
    kind: Annotated[str, code_query("Kind of work (code)")] = "",
    design: Annotated[str, code_query("Study design (code)")] = "",
    min_strength: Annotated[
        int | None, Query(ge=1, le=max(STRENGTHS), description="At least this strength (1–5)")
    ] = None,
    intervention: Annotated[str, code_query("Intervention (prevention activity code)")] = "",
    outcome: Annotated[str, code_query("Outcome (code)")] = "",
    country: Annotated[str, code_query("Studied in this country (key, name or code)")] = "",
    region: Annotated[str, code_query("Studied in this region")] = "",
    conflict_phase: Annotated[str, code_query("Conflict phase (code)")] = "",
    regime_type: Annotated[str, code_query("Regime type (code)")] = "",
    effect: Annotated[str, code_query("positive, mixed, none or negative")] = "",
    harm_only: Annotated[bool, Query(description="Only entries with a harm finding")] = False,
    language: Annotated[str, code_query("Language of the work (en, fr, ...)")] = "",
    status: Annotated[str, code_query("draft, published, rejected (analysts)")] = "",
    origin: Annotated[str, code_query("packaged, import, manual")] = "",
    year_from: Annotated[int | None, Query(ge=EARLIEST, le=LATEST)] = None,
    year_to: Annotated[int | None, Query(ge=EARLIEST, le=LATEST)] = None,
    tag: Annotated[str, code_query("A tag")] = "",
) -> EntryFilter:
    """The filters the search page, the API and the exports share; blanks mean "any"."""
    return EntryFilter(
        kind=_code(kind, KINDS, "kind"),
        design=_code(design, DESIGNS, "design"),
        min_strength=min_strength,
        intervention=_code(intervention, INTERVENTIONS, "intervention"),
        outcome=_code(outcome, OUTCOMES, "outcome"),
        country=find_country(session, country.strip()).key if country.strip() else None,
        region=_code(region, REGIONS, "region"),
        conflict_phase=_code(conflict_phase, CONFLICT_PHASES, "conflict_phase"),
        regime_type=_code(regime_type, REGIME_TYPES, "regime_type"),
        effect=_code(effect, EFFECTS, "effect"),
        harm_only=harm_only,
        language=language.strip() or None,
        status=_code(status, STATUSES, "status"),
        origin=_code(origin, ORIGINS, "origin"),
        year_from=year_from,
        year_to=year_to,
        tag=tag.strip() or None,
    )


Filters = Annotated[EntryFilter, Depends(entry_filters)]


@dataclass(frozen=True)
class Scope:
    """Entries that apply to a place: studied there, or with no place at all (global reviews,
    guidance), as the gap map of that country or region counts them."""

    country: str | None = None
    region: str | None = None
    label: str | None = None

    @property
    def is_set(self) -> bool:
        return self.country is not None or self.region is not None


def place_scope(session: Session, country: str, region: str) -> Scope:
    """The country (any name or code) or region a gap map or scoped list is for."""
    if country.strip() and region.strip():
        raise ValidationError("choose a country or a region, not both", field="region")
    if country.strip():
        found = find_country(session, country.strip())
        return Scope(country=found.key, label=found.name)
    chosen = _code(region, REGIONS, "region")
    return Scope(region=chosen, label=chosen)


def scope_filters(
    session: DbSession,
    scope_country: Annotated[
        str, code_query("Entries studied in this country or with no country (gap-map cells)")
    ] = "",
    scope_region: Annotated[
        str, code_query("Entries studied in this region or with no region (gap-map cells)")
    ] = "",
) -> Scope:
    return place_scope(session, scope_country, scope_region)


ScopeParams = Annotated[Scope, Depends(scope_filters)]
Mode = Annotated[str, code_query("hybrid (default), text or semantic")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")]


def find_entries(
    session: Session,
    principal: Principal,
    query: str,
    where: EntryFilter,
    scope: Scope,
    *,
    mode: str,
    limit: int,
    offset: int,
) -> SearchResults:
    """Search, narrowed to a place's scope when one is given (totals and facets follow it)."""
    mode = mode.strip() or "hybrid"
    if scope.is_set:
        where = replace(where, scope_country=scope.country, scope_region=scope.region)
    return search(session, principal, query, where, mode=mode, limit=limit, offset=offset)


def export_download(
    session: Session, principal: Principal, fmt: str, query: str, where: EntryFilter, scope: Scope
) -> Response:
    """The matching entries the reader may see, as a download."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}", field="format"
        )
    found = find_entries(
        session, principal, query, where, scope, mode="hybrid", limit=MAX_ID, offset=0
    )
    entries = [hit.entry for hit in found.hits]
    chosen = EXPORT_FORMATS[fmt]
    return Response(
        export_entries(entries, fmt),
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="evidence-library{chosen.suffix}"',
            "X-Record-Count": str(len(entries)),
        },
    )


# --- writing ---------------------------------------------------------------------------------


def _text(name: str, description: str | None = None) -> Any:
    return Field(default="", max_length=LIMITS[name], description=description)


_Code = Annotated[str, Field(max_length=CODE_MAX_CHARS)]
_Codes = Annotated[list[_Code], Field(default_factory=list, max_length=50)]
_Rating = Annotated[int | None, Field(default=None, ge=0, le=EMMIE_MAX)]


class EmmieRatings(BaseModel):
    """Our rating (0 none usable … 4 strong) of what the source says on each EMMIE dimension."""

    model_config = ConfigDict(extra="forbid")

    effect: _Rating
    mechanism: _Rating
    moderators: _Rating
    implementation: _Rating
    economic_cost: _Rating


class NewEntry(BaseModel):
    """An entry of the evidence library, stored as a draft that an admin publishes after
    review. Countries may be given by any name or code."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=LIMITS["title"])]
    authors: Annotated[
        list[Annotated[str, Field(max_length=LIMITS["author"])]],
        Field(max_length=200, description='"Family, Given" or an organisation'),
    ]
    year: Annotated[int, Field(ge=0, le=9999)]
    venue: str = _text("venue")
    doi: Annotated[str | None, Field(max_length=CODE_MAX_CHARS)] = None
    url: str = _text("url", "A stable web address, when there is no DOI")
    key: Annotated[str | None, Field(max_length=120)] = None
    kind: _Code | None = None
    design: _Code | None = None
    strength: Annotated[int | None, Field(ge=0, le=99, description="1 (weak) … 5")] = None
    summary: str = _text("summary", "In our own words")
    interventions: _Codes
    outcomes: _Codes
    countries: Annotated[list[_Code], Field(default_factory=list, max_length=300)]
    regions: _Codes
    conflict_phase: _Code | None = None
    regime_type: _Code | None = None
    period: str = _text("period")
    effect: _Code | None = None
    harm: str = _text("harm", "Where it made things worse, the finding")
    emmie: EmmieRatings = Field(default_factory=EmmieRatings)  # type: ignore[arg-type]
    language: Annotated[str, Field(max_length=20)] = "en"
    tags: Annotated[
        list[Annotated[str, Field(max_length=LIMITS["tag"])]],
        Field(default_factory=list, max_length=50),
    ]
    verified_at: Annotated[
        list[Annotated[str, Field(max_length=LIMITS["url"])]],
        Field(default_factory=list, max_length=20),
    ]
    verification_note: str = _text("verification_note")

    def draft(self) -> EntryDraft:
        values = self.model_dump(exclude={"emmie"})
        for name, value in values.items():
            if isinstance(value, list):
                values[name] = tuple(value)
        ratings = {
            name: value for name, value in self.emmie.model_dump().items() if value is not None
        }
        return EntryDraft(**values, emmie=ratings)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["publish", "reject", "unpublish"]
    note: Annotated[str, Field(max_length=LIMITS["verification_note"])] = ""


def entry_answer(session: Session, principal: Principal, key: str) -> Record:
    """One entry; analysts also read what it lacks before it can be published."""
    entry = get_entry(session, principal, key)
    answer: Record = {"entry": entry.to_dict()}
    if allowed(principal, "update", "library_entry"):
        answer["publication_problems"] = publication_problems(entry)
    return answer


# --- routes ----------------------------------------------------------------------------------


@router.get("/evidence")
def search_entries(
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    scope: ScopeParams,
    q: SearchText = "",
    mode: Mode = "",
    limit: Limit = 20,
    offset: Offset = 0,
) -> Record:
    """Entries ranked for the query (BM25 fused with multilingual embeddings), with a count of
    every facet's values over all the matches."""
    found = find_entries(
        session, principal, q, filters, scope, mode=mode, limit=limit, offset=offset
    )
    return found.to_dict() | {"limit": limit, "offset": offset}


@router.get("/evidence/gaps")
def gaps(
    session: DbSession,
    principal: CurrentPrincipal,
    country: Annotated[str, code_query("A country (key, name or code)")] = "",
    region: Annotated[str, code_query("A region")] = "",
) -> Record:
    """The evidence gap map: interventions × outcomes with counts, strength and gap state."""
    scope = place_scope(session, country, region)
    found = library_gap_map(session, principal, country=scope.country, region=scope.region)
    return found.to_dict()


@router.get("/evidence/transfer/{target}")
def transfer(
    request: Request,
    target: PathCode,
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    limit: Limit = 20,
) -> Record:
    """Entries ranked by how similar their contexts are to the country today, with reasons.
    The country may be named by any name or code (the filters' ``country`` is where the
    entries were studied)."""
    country = country_in_path(request, session, target)
    ranking = transfer_ranking(
        session, principal, app_settings(request), country.key, limit=limit, where=filters
    )
    answer: Record = ranking.to_dict()
    return answer


@router.get("/evidence/export")
def export(
    session: DbSession,
    principal: CurrentPrincipal,
    filters: Filters,
    scope: ScopeParams,
    format: Annotated[
        str, Query(max_length=20, description="csv, bibtex, ris or csl-json")
    ] = "csv",
    q: SearchText = "",
) -> Response:
    """The matching entries as CSV, BibTeX or RIS (Zotero, EndNote) or CSL-JSON."""
    return export_download(session, principal, format, q, filters, scope)


@router.get("/evidence/{key}")
def get_record(key: PathCode, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One entry by its key; drafts only for analysts and admins."""
    return entry_answer(session, principal, key)


@router.post("/evidence", status_code=201)
def create_record(body: NewEntry, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Add an entry as a draft (analysts and admins); an admin publishes it after review."""
    require(principal, "create", "library_entry")
    (row,) = add_entries(session, principal, [body.draft()], origin="manual")
    return entry_answer(session, principal, row.key)


@router.put("/evidence/{key}")
def update_record(
    key: PathCode, body: NewEntry, session: DbSession, principal: CurrentPrincipal
) -> Record:
    """Replace an entry's content (analysts); a published entry that changes returns to review."""
    require(principal, "update", "library_entry")
    row = update_entry(session, principal, key, body.draft())
    return entry_answer(session, principal, row.key)


@router.post("/evidence/{key}/review")
def review(key: PathCode, body: Review, session: DbSession, principal: CurrentPrincipal) -> Record:
    """Publish, reject or unpublish an entry (admins); publishing needs a complete entry."""
    # Checked before the entry is looked up, so nobody below admin learns whether a key exists.
    require(principal, "publish", "library_entry")
    review_entry(session, principal, key, body.decision, body.note)
    return entry_answer(session, principal, key)
