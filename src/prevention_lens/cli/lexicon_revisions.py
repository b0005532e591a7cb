"""`lens lexicon propose`, `review` and `history`: changes to the sector lexicon proposed by
analysts from a YAML file, each checked against the whole lexicon, shown as a one-line diff
and applied only when an admin approves it; and every change a concept has had.

The lexicon's records and YAML load inside the commands that need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.lexicon_lookup import (
    ConceptArgument,
    JsonOption,
    published,
    resolve_concept,
    say,
)
from prevention_lens.cli.output import print_json, print_table
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.yamlfile import read_yaml_mapping

if TYPE_CHECKING:
    from prevention_lens.lexicon.model import Concept, ConceptMapping, Lexicon
    from prevention_lens.lexicon.records import Revision

# Longest piece of a definition or note shown in a review's short diff.
DIFF_CHARS = 70


def register(app: typer.Typer) -> None:
    """Add the revision commands to the `lens lexicon` group."""
    app.command()(propose)
    app.command()(review)
    app.command()(history)


def _proposal(
    lexicon: Lexicon, current: Concept, item: dict[str, Any], file: str
) -> tuple[Concept, list[ConceptMapping]]:
    """The concept and its mappings a proposal file describes; id and scheme default to the
    concept's, and without a `mappings:` key its current mappings are kept."""
    from prevention_lens.lexicon.content import concept_from_mapping, mapping_from_mapping

    given = item.get("id")
    if given is not None and given != current.id:
        raise ValidationError(
            f"the file describes {given!r}, not {current.id!r}", file=file, field="id"
        )
    concept = concept_from_mapping(
        {**item, "id": current.id, "scheme": item.get("scheme", current.scheme)}, file=file
    )
    if "mappings" not in item:
        return concept, list(lexicon.mappings_from(current.id))
    raw = item.get("mappings") or []
    if not isinstance(raw, list):
        raise ValidationError("mappings: must be a list", file=file, field="mappings")
    mappings = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise ValidationError(
                f"mapping {number} must be a mapping (target:, kind:, rationale:)",
                file=file,
                field="mappings",
            )
        mappings.append(mapping_from_mapping({"source": current.id, **entry}, file=file))
    return concept, mappings


def propose(
    concept: ConceptArgument,
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="A YAML file: the concept in the shipped file's form, plus `mappings:` read "
            "from its side (`lens lexicon show CONCEPT --json` writes one to edit).",
        ),
    ],
    note: Annotated[str, typer.Option(help="Why the change, for the reviewer.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Propose a change to a concept (analysts): checked against the whole lexicon now, applied
    when an admin approves it with `lens lexicon review`."""

    from prevention_lens.lexicon.records import propose_change

    item = read_yaml_mapping(source, holds="one concept as a mapping (labels:, definition:, …)")
    with context.store().session() as session:
        lexicon = published(session)
        current = resolve_concept(lexicon, concept)
        proposed, mappings = _proposal(lexicon, current, item, str(source))
        revision = propose_change(session, context.operator(), proposed, mappings, note)
        change = _diff(lexicon, revision)
    if as_json:
        print_json(revision.to_dict())
        return
    say(f"Proposed revision {revision.id} of {revision.concept_id}: {change or 'no change'}.")
    say(f"`lens lexicon review {revision.id} --approve` applies it (admins).")


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= DIFF_CHARS else text[: DIFF_CHARS - 1] + "…"


def _diff(lexicon: Lexicon, revision: Revision) -> str:
    """What a revision would change against the published lexicon, in one line."""
    from prevention_lens.lexicon.content import concept_to_mapping

    current = lexicon.concepts.get(revision.concept_id)
    parts: list[str] = []
    if current is None:
        parts.append("a concept no longer in the lexicon")
    else:
        before, after = concept_to_mapping(current), concept_to_mapping(revision.concept)
        for field, value in after.items():
            if before.get(field) == value:
                continue
            if isinstance(value, str) or value is None:
                parts.append(f"{field}: {_short(before.get(field))} → {_short(value)}")
            else:
                parts.append(f"{field} changed")
    held = {m.target: m for m in (lexicon.mappings_from(revision.concept_id) if current else ())}
    wanted = {mapping.target: mapping for mapping in revision.mappings}
    for target in sorted(set(held) | set(wanted)):
        old, new = held.get(target), wanted.get(target)
        if old is None and new is not None:
            parts.append(f"+{new.kind} {target}")
        elif new is None and old is not None:
            parts.append(f"-{old.kind} {target}")
        elif old is not None and new is not None and old.kind != new.kind:
            parts.append(f"{target} {old.kind} → {new.kind}")
        elif old is not None and new is not None and old.rationale != new.rationale:
            parts.append(f"{target} rationale changed")
    return "; ".join(parts)


def review(
    revision_id: Annotated[
        int | None,
        typer.Argument(help="The revision to decide on (without it: list pending)."),
    ] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Apply the change.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the change.")] = False,
    note: Annotated[str, typer.Option(help="Why, kept with the decision.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Admin review: without a revision, the proposed changes with what each would change;
    with it, approve (apply) or reject it."""
    from prevention_lens.lexicon.records import pending, review_change

    chosen = [name for name, flag in (("approve", approve), ("reject", reject)) if flag]
    if revision_id is None:
        if chosen or note:
            raise ValidationError(
                "name the revision to decide on: lens lexicon review REVISION_ID --approve",
                field="REVISION_ID",
            )
        with context.store().session() as session:
            lexicon = published(session)
            waiting = pending(session, context.operator())
            rows = [
                {
                    "revision": revision.id,
                    "concept": revision.concept_id,
                    "proposed_by": revision.proposed_by,
                    "proposed_at": revision.proposed_at,
                    "note": revision.note,
                    "changes": _diff(lexicon, revision) or "no change",
                }
                for revision in waiting
            ]
        if as_json:
            print_json({"pending": [revision.to_dict() for revision in waiting]})
            return
        if not rows:
            say("No proposed lexicon changes wait for review.")
            return
        print_table(rows, list(rows[0]), title=f"{len(rows)} proposed change(s) for review")
        say("`lens lexicon review REVISION_ID --approve` (or --reject) decides one.")
        return
    if len(chosen) != 1:
        raise ValidationError("give exactly one of --approve or --reject", field="decision")
    with context.store().session() as session:
        revision = review_change(session, context.operator(), revision_id, chosen[0], note)
    if as_json:
        print_json(revision.to_dict())
        return
    say(f"Revision {revision.id} of {revision.concept_id} is {revision.status}.")


def history(concept: ConceptArgument, as_json: JsonOption = False) -> None:
    """Every change proposed for a concept, newest first, with its review."""
    from prevention_lens.lexicon.records import history as concept_history

    with context.store().session() as session:
        lexicon = published(session)
        # A concept an import removed still has its history under its id.
        concept_id = (
            concept.strip()
            if concept.strip() not in lexicon.concepts and "/" in concept
            else resolve_concept(lexicon, concept).id
        )
        revisions = concept_history(session, context.operator(), concept_id)
    if as_json:
        print_json({"concept": concept_id, "revisions": [item.to_dict() for item in revisions]})
        return
    if not revisions:
        if concept_id not in lexicon.concepts:
            raise NotFoundError(f"No lexicon concept {concept_id!r} and no history for it.")
        say(f"{concept_id} has not been changed since it shipped.")
        return
    rows = [
        {
            "revision": item.id,
            "status": item.status,
            "proposed_by": item.proposed_by,
            "proposed_at": item.proposed_at,
            "note": item.note,
            "reviewed_by": item.reviewed_by,
            "reviewed_at": item.reviewed_at,
            "review_note": item.review_note,
        }
        for item in revisions
    ]
    print_table(rows, list(rows[0]), title=f"History of {concept_id}")
