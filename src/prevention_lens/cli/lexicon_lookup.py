"""What the `lens lexicon` commands share: the published lexicon (or a clear error naming the
store), a concept found by its id or any of its labels, and the common options.

Public API::

    JsonOption, ConceptArgument      typer annotations
    say(text)                        a plain line on standard output
    published(session) -> Lexicon   the stored lexicon; NotFoundError when it holds none
    resolve_concept(lexicon, query) -> Concept
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console
from prevention_lens.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from prevention_lens.lexicon.model import Concept, Lexicon

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ConceptArgument = Annotated[
    str,
    typer.Argument(help="A concept id (ap/genocide) or any of its labels, in any language."),
]


def say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def published(session: Session) -> Lexicon:
    """The published lexicon, or a clear error naming the store when it holds none."""
    from prevention_lens.lexicon.records import stored_lexicon

    lexicon = stored_lexicon(session)
    if not lexicon.concepts:
        raise NotFoundError(
            f"The sector lexicon in {context.describe_store()} is empty; `lens db upgrade` "
            "loads the shipped concepts."
        )
    return lexicon


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_concept(lexicon: Lexicon, query: str) -> Concept:
    """The concept a user names: its id, or any preferred or alternative label in any language
    (case and spacing ignored). Several concepts with that label, or none, is a clear error."""
    from difflib import get_close_matches

    wanted = query.strip()
    if wanted in lexicon.concepts:
        return lexicon.concepts[wanted]
    folded = _fold(wanted)
    found: dict[str, str] = {}
    labels: dict[str, str] = {}
    for concept in lexicon.concepts.values():
        for language in concept.pref_labels:
            for label in concept.labels(language):
                labels.setdefault(_fold(label), label)
                if _fold(label) == folded:
                    found.setdefault(concept.id, f"{concept.id} ({label!r}, {language})")
    if len(found) == 1:
        return lexicon.concepts[next(iter(found))]
    if found:
        raise ValidationError(
            f"{query!r} names {len(found)} concepts: "
            f"{'; '.join(found[key] for key in sorted(found))}; give the id",
            field="CONCEPT",
        )
    near = get_close_matches(folded, [*labels, *lexicon.concepts], n=3, cutoff=0.75)
    hint = f" Did you mean: {', '.join(labels.get(item, item) for item in near)}?" if near else ""
    raise NotFoundError(
        f"No lexicon concept has the id or label {query!r}.{hint} `lens lexicon list` lists them."
    )
