"""The ``speech-posts`` import: monitored posts from CSV or JSON Lines, scored and matched as
they are stored, all or nothing (or, when asked, without the invalid rows).

The reader (``sources/speech_posts.py``) finds what a file has wrong on its own; the loader adds
what only the store knows (a country the reference cannot resolve), naming each row, before
anything is written. When the reader found problems, the runner asks ``check_speech_posts``
for the unknown countries of every row, so that one run names both. Posts join the dataset
their file names (``dataset`` column, else the file's name); a post already there under the
same id is updated.

Public API::

    load_speech_posts(session, rows, data_import) -> LoadCounts
    check_speech_posts(session, principal, path) -> problems   # every row's unknown country
    SPEECH_POSTS                         # the ImportFormat (registered in ingest/formats.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.ingest.library import importing_principal
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.sources.speech_posts import (
    JSONL_SUFFIXES,
    PostRow,
    read_countries,
    read_speech_posts,
)
from prevention_lens.speech.posts import PostDraft, import_posts
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport
from prevention_lens.store.reference import unresolved_countries


def _unknown_countries(
    session: Session, countries: Sequence[tuple[int, str]], file: str, *, lines: bool = False
) -> list[ValidationError]:
    """One problem for each (row, country) the reference (with imported aliases) cannot
    resolve, with the nearest names; ``lines`` names JSON Lines' lines rather than rows."""
    unknown = unresolved_countries(session, (country for _row, country in countries))
    return [
        ValidationError(
            unknown[country],
            file=file,
            field="country",
            row=None if lines else row,
            line=row if lines else None,
        )
        for row, country in countries
        if country in unknown
    ]


def _is_lines(file: str) -> bool:
    return Path(file).suffix.lower() in JSONL_SUFFIXES


def check_speech_posts(session: Session, principal: Principal, path: Path) -> list[ValidationError]:
    """The unknown countries of every row of the file, also those with other problems: the
    runner reports them with the reader's problems, so that one run names every problem."""
    if not allowed(principal, "import", "speech_post"):
        return []  # the loader refuses the principal; the reader's problems come first
    return _unknown_countries(session, read_countries(path), path.name, lines=_is_lines(path.name))


def load_speech_posts(
    session: Session, rows: Sequence[PostRow], data_import: DataImport
) -> LoadCounts:
    """Store the posts, dataset by dataset, or none of them."""
    principal = importing_principal(session, data_import)
    require(principal, "import", "speech_post")
    file = data_import.file_name
    countries = [(row.row, row.country) for row in rows]
    problems = _unknown_countries(session, countries, file, lines=_is_lines(file))
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
    check=check_speech_posts,
)
