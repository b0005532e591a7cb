"""The ``speech-posts`` import: monitored posts from CSV or JSON Lines, scored and matched as
they are stored, all or nothing (or, when asked, without the invalid rows).

The reader (``sources/speech_posts.py``) finds what a file has wrong on its own; the loader adds
what only the store knows (a country the reference cannot resolve), naming each row, before
anything is written. Posts join the dataset their file names (``dataset`` column, else the
file's name); a post already there under the same id is updated.

Public API::

    load_speech_posts(session, rows, data_import) -> LoadCounts
    SPEECH_POSTS                         # the ImportFormat (registered in ingest/formats.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.ingest.library import importing_principal
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.sources.speech_posts import PostRow, read_speech_posts
from prevention_lens.speech.posts import PostDraft, import_posts
from prevention_lens.store.access import require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport
from prevention_lens.store.reference import stored_reference


def _unknown_countries(
    session: Session, rows: Sequence[PostRow], file: str
) -> list[ValidationError]:
    """One problem for each row whose country the reference (with imported aliases) cannot
    resolve, with the nearest names."""
    reference = stored_reference(session)
    verdicts: dict[str, str | None] = {}
    problems = []
    for row in rows:
        if row.country not in verdicts:
            try:
                reference.resolve(row.country)
                verdicts[row.country] = None
            except NotFoundError:
                suggestions = reference.suggest(row.country, limit=3)
                hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
                verdicts[row.country] = f"unknown country {row.country!r}{hint}"
        problem = verdicts[row.country]
        if problem is not None:
            problems.append(ValidationError(problem, file=file, row=row.row, field="country"))
    return problems


def load_speech_posts(
    session: Session, rows: Sequence[PostRow], data_import: DataImport
) -> LoadCounts:
    """Store the posts, dataset by dataset, or none of them."""
    principal = importing_principal(session, data_import)
    require(principal, "import", "speech_post")
    problems = _unknown_countries(session, rows, data_import.file_name)
    if problems:
        raise rejected_import(Path(data_import.file_name), problems)
    by_dataset: dict[str, list[PostDraft]] = {}
    for row in rows:
        by_dataset.setdefault(row.dataset, []).append(
            PostDraft(
                external_id=row.external_id,
                posted_at=row.posted_at,
                country=row.country,
                text=row.text,
                language=row.language,
                admin1=row.admin1,
                exact_place=row.exact_place,
                speaker_type=row.speaker_type,
                speaker=row.speaker,
                platform=row.platform,
            )
        )
    created = updated = unchanged = 0
    for dataset, drafts in by_dataset.items():
        counts = import_posts(session, principal, drafts, dataset=dataset, import_id=data_import.id)
        created += counts.created
        updated += counts.updated
        unchanged += counts.unchanged
    return LoadCounts(created=created, updated=updated, unchanged=unchanged)


SPEECH_POSTS = ImportFormat(
    name="speech-posts",
    title="Monitored posts for hate-speech monitoring (CSV or JSON Lines)",
    description=(
        "Posts to monitor, one a row (.csv) or a line (.jsonl): id, time (ISO 8601 with its "
        "UTC offset), country, language and text, and optionally admin1, place, speaker_type, "
        "speaker, platform and dataset. Each post is scored by the speech classifier and "
        "matched against the published lexicon; who spoke and the exact place are kept "
        "confidential. Re-importing a post of the same dataset and id updates it."
    ),
    citation="Cite the organisation or platform the posts were collected from.",
    default_path=None,
    read=read_speech_posts,
    load=load_speech_posts,
)
