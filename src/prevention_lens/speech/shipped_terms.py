"""The hate-speech terms that ship with Prevention Lens (``speech/data/terms.yaml``): a small
set of real terms whose senses and harm were checked against the public records each names.
They load as published (origin "shipped"); a later package updates them in place.

A term someone else added in the same language is never touched, nor is a shipped term an
admin has edited (its origin is then "edited"); an admin's decision on a shipped term
(rejecting it) is kept when its content is updated.

Public API::

    SOURCE, ORIGIN, PACKAGE_USER, LICENCE
    shipped_drafts() -> tuple[TermDraft, ...]        checked; a mistake names the entry and field
    load_shipped_terms(session) -> (added, updated, unchanged)
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import ValidationError
from prevention_lens.speech.lexicon import (
    MATCHERS,
    SHIPPED_ORIGIN,
    apply_draft,
    resolve_countries,
)
from prevention_lens.speech.terms import TermDraft
from prevention_lens.store.models import SpeechTerm

SOURCE = "speech/data/terms.yaml"
ORIGIN = SHIPPED_ORIGIN
PACKAGE_USER = "prevention-lens"
LICENCE = "MIT (Prevention Lens); meanings in our words, from the records named"


@lru_cache(maxsize=1)
def shipped_drafts() -> tuple[TermDraft, ...]:
    """The shipped terms, checked: each needs the address of the record it was checked
    against and a note saying what that record says."""
    import yaml

    text = files("prevention_lens.speech").joinpath("data/terms.yaml").read_text("utf-8")
    items = yaml.safe_load(text)["terms"]
    drafts = []
    for number, item in enumerate(items, start=1):
        try:
            draft = TermDraft.from_mapping(item)
        except ValidationError as error:
            raise ValidationError(
                error.problem, file=SOURCE, row=number, field=error.field, entry=error.entry
            ) from None
        for name in ("source_url", "notes"):
            if not getattr(draft, name):
                raise ValidationError(
                    "a shipped term needs the record it was checked against",
                    file=SOURCE,
                    row=number,
                    field=name,
                    entry=draft.term,
                )
        drafts.append(draft)
    return tuple(drafts)


def load_shipped_terms(session: Session) -> tuple[int, int, int]:
    """Add or update the shipped terms; (added, updated, unchanged). A term another origin
    holds in the same language counts as unchanged and is left as it is."""
    drafts = shipped_drafts()
    keys = {(draft.language, draft.normalized) for draft in drafts}
    rows = {
        (row.language, row.normalized): row
        for row in session.scalars(
            select(SpeechTerm)
            .options(selectinload(SpeechTerm.senses))
            .where(SpeechTerm.normalized.in_([normalized for _, normalized in keys]))
        )
        if (row.language, row.normalized) in keys
    }
    added = updated = unchanged = 0
    now = datetime.now(UTC)
    for draft in drafts:
        countries = resolve_countries(session, draft.countries, entry=draft.term)
        row = rows.get((draft.language, draft.normalized))
        if row is None:
            row = SpeechTerm(
                status="published",
                origin=ORIGIN,
                licence=LICENCE,
                created_by=PACKAGE_USER,
                created_at=now,
                reviewed_by=PACKAGE_USER,
                reviewed_at=now,
            )
            apply_draft(row, draft, countries)
            session.add(row)
            added += 1
        elif row.origin != ORIGIN:
            unchanged += 1
        elif apply_draft(row, draft, countries) or row.licence != LICENCE:
            row.licence = LICENCE
            # The package reviewed the new content; the matcher's fingerprint sees the change.
            row.reviewed_at = now
            updated += 1
        else:
            unchanged += 1
    session.flush()
    if added or updated:
        MATCHERS.changed()
        # Posts stored before these terms came or changed are matched against them now.
        from prevention_lens.speech.posts import match_stored_posts

        match_stored_posts(session)
    return added, updated, unchanged
