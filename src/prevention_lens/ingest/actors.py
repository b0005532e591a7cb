"""The ``actor-sheet`` import: an actor mapping in the template layout (CSV pair or XLSX),
checked whole in ``read``, loaded as drafts for admin review, all or nothing.

Duplicates: an actor with the *same name* as an earlier row or a stored actor sharing a country
is an error (a re-import of the same file counts as unchanged); a *similar name* (see
``actors.duplicates``) is imported as a draft and reported as a proposed merge. Contact details
typed into public fields are warnings, never errors.

Public API::

    ActorRow, RelationshipRow, read_actor_sheet(path) -> (records, problems)
    load_actor_sheet(session, records, data_import, *, notes=None) -> LoadCounts
    ActorImport, import_actor_sheet(store, settings, principal, path, *, skip_invalid)
    template_readme() -> [(column, what to write)]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.duplicates import DuplicateIndex, same_name
from prevention_lens.actors.example import EXAMPLE_PREFIX
from prevention_lens.actors.records import (
    DRAFT_FIELDS,
    ActorDraft,
    ActorFilter,
    ContactDraft,
    RelationshipDraft,
    actor_draft_from_mapping,
    add_contact,
    add_relationship,
    contact_warnings,
    create_actor,
    list_actors,
)
from prevention_lens.actors.vocabulary import (
    ACTIVITIES,
    ENTITIES,
    KINDS,
    LEVELS,
    R2P_PILLARS,
    RELATIONSHIP_KINDS,
    SECTORS,
    STAGES,
    STRENGTHS,
)
from prevention_lens.countries import reference
from prevention_lens.errors import LensError, UnknownCountryError, ValidationError
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.ingest.runner import ImportReport, run_import
from prevention_lens.settings import Settings
from prevention_lens.sources.actor_sheet import SheetRow, parse_actor_sheet
from prevention_lens.store import Store
from prevention_lens.store.access import Principal, Role, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import ActorRelationship, DataImport
from prevention_lens.store.reference import stored_reference

FORMAT_NAME = "actor-sheet"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_UNDIRECTED = frozenset({"partnership", "information_sharing"})
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
_LIMITS = {"website": 300, "contact_name": 200, "contact_email": 200, "contact_role": 200}
_LIMITS |= {"contact_phone": 64, "actor_ref": 120}
_SOURCE_LIMIT = 120


@dataclass(frozen=True)
class ActorRow:
    """A checked actor: its row, its ``actor_ref``, the draft, a contact and warnings."""

    file: str
    row: int
    ref: str
    draft: ActorDraft
    contact: ContactDraft | None = None
    warnings: tuple[str, ...] = ()
    similar_refs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class RelationshipRow:
    file: str
    row: int
    source_ref: str
    target_ref: str
    kind: str
    directed: bool
    strength: int
    start_date: date | None
    end_date: date | None
    evidence: str


Record = ActorRow | RelationshipRow


def _bad(row: SheetRow, column: str | None, problem: str) -> ValidationError:
    return ValidationError(problem, file=row.file, row=row.row, field=column)


def _country(row: SheetRow, column: str, query: str) -> str:
    try:
        return reference().resolve(query).key
    except UnknownCountryError:
        raise _bad(row, column, reference().unknown(query)) from None
    except LensError as error:
        raise _bad(row, column, str(error)) from None


def _actor(row: SheetRow) -> ActorRow:
    cells = row.cells
    ref = cells.get("actor_ref", "")
    if not ref:
        raise _bad(row, "actor_ref", "is required: a short name the relationships sheet uses")
    for column, limit in _LIMITS.items():
        if len(cells.get(column, "")) > limit:
            raise _bad(row, column, f"is longer than {limit} characters")
    if cells.get("name", "").casefold().startswith(EXAMPLE_PREFIX.casefold()):
        raise _bad(
            row,
            "name",
            f"names starting {EXAMPLE_PREFIX!r} belong to the example mapping "
            "(`lens actors example`), never to real records",
        )
    values: dict[str, Any] = {name: cells[name] for name in DRAFT_FIELDS if name in cells}
    countries = [part.strip() for part in re.split(r"[;|]", cells.get("countries", ""))]
    values["countries"] = tuple(_country(row, "countries", c) for c in countries if c)
    if cells.get("hq_country"):
        values["hq_country"] = _country(row, "hq_country", cells["hq_country"])
    draft = actor_draft_from_mapping(values, file=row.file, row=row.row)
    contact = None
    if any(cells.get(f"contact_{part}") for part in ("name", "email", "phone", "role")):
        email = cells.get("contact_email", "")
        if email and not _EMAIL.fullmatch(email):
            raise _bad(row, "contact_email", f"{email!r} is not an e-mail address")
        if not any(cells.get(f"contact_{part}") for part in ("name", "email", "phone")):
            raise _bad(row, "contact_name", "a contact needs a name, an e-mail or a phone number")
        contact = ContactDraft(
            name=cells.get("contact_name", ""),
            role=cells.get("contact_role", ""),
            email=email,
            phone=cells.get("contact_phone", ""),
        )
    warnings = tuple(f"{row.file}, row {row.row}: {warning}" for warning in contact_warnings(draft))
    return ActorRow(row.file, row.row, ref, draft, contact, warnings)


def _flag(row: SheetRow, column: str, raw: str, default: bool) -> bool:
    if not raw:
        return default
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise _bad(row, column, f"{raw!r} is not true or false")


def _day(row: SheetRow, column: str) -> date | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise _bad(row, column, f"{raw!r} is not a date like 2021-06-30") from None


def _strength(row: SheetRow) -> int:
    raw = row.cells.get("strength", "").strip().lower()
    if not raw:
        return 2
    by_label = {label.lower(): code for code, label in STRENGTHS.items()}
    if raw in by_label:
        return by_label[raw]
    if raw.isascii() and raw.isdigit() and int(raw) in STRENGTHS:
        return int(raw)
    raise _bad(row, "strength", f"{raw!r} is not 1, 2 or 3 (weak, moderate, strong)")


def _relationship(row: SheetRow, actors: dict[str, ActorRow], invalid: dict[str, int]) -> Any:
    cells = row.cells
    for column in ("source_ref", "target_ref"):
        ref = cells.get(column, "")
        if not ref:
            raise _bad(row, column, "is required")
        if ref in invalid:
            raise _bad(row, column, f"names {ref!r}, whose actor row {invalid[ref]} is invalid")
        if ref not in actors:
            raise _bad(row, column, f"names {ref!r}, which no row of the actors sheet has")
    if cells["source_ref"] == cells["target_ref"]:
        raise _bad(row, "target_ref", "an actor cannot have a relationship with itself")
    kind = cells.get("kind", "").lower().replace(" ", "_")
    if kind not in RELATIONSHIP_KINDS:
        raise _bad(
            row, "kind", f"unknown value {kind!r}; choose from {', '.join(RELATIONSHIP_KINDS)}"
        )
    start, end = _day(row, "start_date"), _day(row, "end_date")
    if start and end and end < start:
        raise _bad(row, "end_date", "ends before it starts")
    return RelationshipRow(
        file=row.file,
        row=row.row,
        source_ref=cells["source_ref"],
        target_ref=cells["target_ref"],
        kind=kind,
        directed=_flag(row, "directed", cells.get("directed", ""), kind not in _UNDIRECTED),
        strength=_strength(row),
        start_date=start,
        end_date=end,
        evidence=cells.get("evidence", ""),
    )


def read_actor_sheet(path: Path) -> tuple[list[Record], list[ValidationError]]:
    """Every row checked: countries, vocabulary, refs, self-relationships and duplicates."""
    sheet = parse_actor_sheet(path)
    problems = list(sheet.problems)
    actors: dict[str, ActorRow] = {}
    invalid: dict[str, int] = {}
    index = DuplicateIndex()
    for row in sheet.actors:
        try:
            actor = _actor(row)
            if actor.ref in actors:
                raise _bad(row, "actor_ref", f"repeats row {actors[actor.ref].row}'s {actor.ref!r}")
            keys = (*actor.draft.countries, *filter(None, [actor.draft.hq_country]))
            matches = index.matches(actor.draft.name, keys)
            same = [match for match in matches if match["score"] == 100.0]
            if same:
                earlier = actors[str(same[0]["actor_id"])]
                raise _bad(
                    row,
                    "name",
                    f"the same organisation as row {earlier.row} ({same[0]['reason']})",
                )
            similar = tuple((str(m["actor_id"]), float(m["score"])) for m in matches)
            actors[actor.ref] = replace(actor, similar_refs=similar)
            index.add({"id": actor.ref, "name": actor.draft.name, "country_keys": keys})
        except ValidationError as problem:
            problems.append(problem)
            if row.cells.get("actor_ref"):
                invalid.setdefault(row.cells["actor_ref"], row.row)
    relationships: list[RelationshipRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in sheet.relationships:
        try:
            relation = _relationship(row, actors, invalid)
            key = (relation.source_ref, relation.target_ref, relation.kind)
            if key in seen:
                raise _bad(row, "kind", f"repeats the relationship of row {seen[key]}")
            seen[key] = row.row
            relationships.append(relation)
        except ValidationError as problem:
            problems.append(problem)
    records: list[Record] = [*actors.values(), *relationships]
    return records, problems


@dataclass
class ImportNotes:
    """What a load reports beyond its counts: warnings and proposed merges."""

    warnings: list[str] = field(default_factory=list)
    proposed_merges: list[dict[str, Any]] = field(default_factory=list)


def _source(file_name: str) -> str:
    return f"import:{file_name}"[:_SOURCE_LIMIT]


def load_actor_sheet(
    session: Session,
    records: Sequence[Record],
    data_import: DataImport,
    *,
    notes: ImportNotes | None = None,
) -> LoadCounts:
    """Create drafts, contacts and relationships; a same-name actor already stored (from
    another source) rejects the file; rows this file imported before count as unchanged."""
    notes = notes if notes is not None else ImportNotes()
    # The runner has already required the analyst role to run an import.
    principal = Principal(data_import.imported_by, Role.ANALYST)
    require(principal, "import", "actor")
    source = _source(data_import.file_name)
    countries = stored_reference(session)
    index = DuplicateIndex(
        row.to_dict()
        for row in list_actors(session, principal, ActorFilter(dataset="real"))
        if row.status != "rejected"
    )
    ids: dict[str, int] = {}
    created: set[str] = set()
    names = {record.ref: record.draft.name for record in records if isinstance(record, ActorRow)}
    counts = {"created": 0, "unchanged": 0}
    problems: list[ValidationError] = []
    actors = [record for record in records if isinstance(record, ActorRow)]
    for record in actors:
        keys = (*record.draft.countries, *filter(None, [record.draft.hq_country]))
        matches = index.matches(record.draft.name, keys)
        same = [m for m in matches if same_name(str(m["name"]), record.draft.name)]
        if same and all(m["source"] == source for m in same):
            ids[record.ref] = int(same[0]["actor_id"])
            counts["unchanged"] += 1
            continue
        if same:
            problems.append(
                ValidationError(
                    f"is already stored as actor {same[0]['actor_id']} ({same[0]['reason']}); "
                    "remove the row, or merge the records after import",
                    file=record.file,
                    row=record.row,
                    field="name",
                )
            )
            continue
        try:
            actor = create_actor(
                session, principal, record.draft, source=source, reference=countries
            )
            if record.contact is not None:
                add_contact(session, principal, actor.id, record.contact)
        except LensError as error:
            problem = error.problem if isinstance(error, ValidationError) else str(error)
            problems.append(ValidationError(problem, file=record.file, row=record.row))
            continue
        ids[record.ref] = actor.id
        created.add(record.ref)
        counts["created"] += 1
        notes.warnings.extend(record.warnings)
        for match in matches:
            notes.proposed_merges.append(
                {
                    "keep_id": match["actor_id"],
                    "keep_name": match["name"],
                    "drop_id": actor.id,
                    "drop_name": actor.name,
                    "score": match["score"],
                    "reason": f"row {record.row} {match['reason']}",
                }
            )
    for record in actors:
        for other_ref, score in record.similar_refs:
            if record.ref in created and other_ref in ids:
                notes.proposed_merges.append(
                    {
                        "keep_id": ids[other_ref],
                        "keep_name": names[other_ref],
                        "drop_id": ids[record.ref],
                        "drop_name": names[record.ref],
                        "score": score,
                        "reason": f"row {record.row} has a similar name (score {score:.1f}) to "
                        f"actor_ref {other_ref!r} in the same file",
                    }
                )
    if problems:
        raise rejected_import(Path(data_import.file_path), problems)
    for relation in (record for record in records if isinstance(record, RelationshipRow)):
        source_id, target_id = ids[relation.source_ref], ids[relation.target_ref]
        existing = session.scalar(
            select(ActorRelationship.id).where(
                ActorRelationship.source_id == source_id,
                ActorRelationship.target_id == target_id,
                ActorRelationship.kind == relation.kind,
            )
        )
        if existing is not None:
            counts["unchanged"] += 1
            continue
        try:
            add_relationship(
                session,
                principal,
                RelationshipDraft(
                    source_id=source_id,
                    target_id=target_id,
                    kind=relation.kind,
                    directed=relation.directed,
                    strength=relation.strength,
                    start_date=relation.start_date,
                    end_date=relation.end_date,
                    evidence=relation.evidence,
                ),
            )
        except LensError as error:
            problem = error.problem if isinstance(error, ValidationError) else str(error)
            problems.append(ValidationError(problem, file=relation.file, row=relation.row))
            continue
        counts["created"] += 1
    if problems:
        raise rejected_import(Path(data_import.file_path), problems)
    return LoadCounts(created=counts["created"], unchanged=counts["unchanged"])


# Defined beside its loader (ingest/formats.py registers it), so this module never looks
# formats up through the module that imports it.
ACTOR_SHEET_FORMAT = ImportFormat(
    name=FORMAT_NAME,
    title="Actor mapping sheet (CSV or XLSX template)",
    description=(
        "Prevention actors and their relationships in the template of `lens actors "
        "template`: NAME.csv with NAME.relationships.csv beside it, or one XLSX with sheets "
        "actors and relationships. Stored as drafts for admin review; same-name duplicates "
        "are errors, similar names are proposed merges."
    ),
    citation="Cite the mapping exercise and the organisation that ran it.",
    default_path=None,
    read=read_actor_sheet,
    load=load_actor_sheet,
)


@dataclass(frozen=True)
class ActorImport:
    """The runner's report, with the warnings and proposed merges the import found."""

    report: ImportReport
    warnings: tuple[str, ...]
    proposed_merges: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "warnings": list(self.warnings),
            "proposed_merges": list(self.proposed_merges),
        }


def import_actor_sheet(
    store: Store,
    settings: Settings,
    principal: Principal,
    path: Path,
    *,
    skip_invalid: bool = False,
) -> ActorImport:
    """Run the ``actor-sheet`` import and keep what its load noticed."""
    notes = ImportNotes()

    def load(session: Session, records: Sequence[Any], data_import: DataImport) -> LoadCounts:
        return load_actor_sheet(session, records, data_import, notes=notes)

    import_format = replace(ACTOR_SHEET_FORMAT, load=load)
    report = run_import(store, settings, principal, import_format, path, skip_invalid=skip_invalid)
    return ActorImport(report, tuple(notes.warnings), tuple(notes.proposed_merges))


def template_readme() -> list[tuple[str, str]]:
    """One line per template column: what it holds and the codes it accepts."""

    def codes(table: dict[Any, str]) -> str:
        return ", ".join(str(code) for code in table)

    return [
        ("actor_ref", "required; a short unique name for the row, used by the relationships sheet"),
        ("name", "required; the organisation's, network's or person's name (public)"),
        ("kind", f"required; one of {codes(KINDS)}"),
        ("entity", f"one of {codes(ENTITIES)} (default organisation)"),
        ("levels", f"required; one or more of {codes(LEVELS)}, separated by ';'"),
        ("sectors", f"any of {codes(SECTORS)}"),
        ("activities", f"any of {codes(ACTIVITIES)}"),
        ("r2p_pillars", f"any of {codes(R2P_PILLARS)}"),
        ("stages", f"any of {codes(STAGES)}"),
        ("languages", "language codes such as en; fr; sw"),
        ("hq_country", "a country name or code (ISO2/ISO3)"),
        ("countries", "required unless hq_country is given; country names or codes, ';'"),
        ("description", "public; no contact details here"),
        ("contribution", "public; what it contributes to prevention"),
        ("website", "public"),
        ("contact_name", "confidential: analysts and admins only"),
        ("contact_email", "confidential"),
        ("contact_phone", "confidential"),
        ("contact_role", "confidential"),
        ("source_ref", "relationships: the actor_ref of one end"),
        ("target_ref", "relationships: the actor_ref of the other end (never the same)"),
        ("kind (relationships)", f"one of {codes(RELATIONSHIP_KINDS)}"),
        ("directed", "true or false (default: false for partnership and information_sharing)"),
        ("strength", "1 weak, 2 moderate (default), 3 strong"),
        ("start_date, end_date", "YYYY-MM-DD"),
        ("evidence", "how the relationship is known"),
    ]
