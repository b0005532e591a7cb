"""The entries that ship with Prevention Lens (``whatworks/data/entries.yaml``): real, published
studies, reviews and guidance, each verified against a public record that the entry names.
``lens db upgrade`` loads them; a later version of the package updates them in place.

Their embeddings ship too (``data/embeddings.npz``, made by ``scripts/embed_library.py``), so that
a new store does not spend a quarter-minute embedding; an entry whose text or model differs from
the shipped vector is embedded on load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.store.models import LibraryEntry
from prevention_lens.store.reference import stored_reference
from prevention_lens.whatworks import embeddings
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.library import _apply, _resolve_places, embedded_text

SOURCE = "whatworks/data/entries.yaml"
PACKAGE_USER = "prevention-lens"


@lru_cache(maxsize=1)
def packaged_drafts() -> tuple[EntryDraft, ...]:
    """The shipped entries, checked; a mistake in the shipped file names the entry and field."""
    import yaml

    raw = yaml.safe_load(
        files("prevention_lens.whatworks").joinpath("data/entries.yaml").read_text()
    )
    drafts = []
    for number, item in enumerate(raw, start=1):
        drafts.append(draft_from_mapping(item, file=SOURCE, row=number))
    return tuple(drafts)


def draft_from_mapping(
    item: dict[str, Any], *, file: str | None = None, row: int | None = None
) -> EntryDraft:
    """An EntryDraft from a YAML or JSON mapping with the library's field names."""
    known = set(EntryDraft.__dataclass_fields__)
    unknown = sorted(set(item) - known)
    label = str(item.get("key") or "") or None
    if unknown:
        raise ValidationError(
            f"unknown field(s) {', '.join(unknown)}", file=file, row=row, entry=label
        )
    values = {name: item[name] for name in known if name in item and item[name] is not None}
    for name in ("authors", "interventions", "outcomes", "countries", "regions", "tags"):
        if name in values:
            values[name] = tuple(str(value) for value in values[name])
    if "verified_at" in values:
        values["verified_at"] = tuple(str(value) for value in values["verified_at"])
    if "year" in values and not isinstance(values["year"], int):
        raise ValidationError("the year must be a whole number", file=file, row=row, field="year")
    values.setdefault("title", "")
    values.setdefault("authors", ())
    values.setdefault("year", None)
    return EntryDraft(**values).checked(file=file, row=row, entry=label)


@lru_cache(maxsize=1)
def _shipped_vectors() -> dict[str, bytes]:
    """Shipped vectors by the sha256 of the text they embed, for the model in use."""
    import io

    import numpy as np

    resource = files("prevention_lens.whatworks").joinpath("data/embeddings.npz")
    if not resource.is_file():
        return {}
    with np.load(io.BytesIO(resource.read_bytes())) as held:
        if str(held["model"]) != embeddings.model_name():
            return {}
        return {
            str(digest): embeddings.to_bytes(vector)
            for digest, vector in zip(held["sha256"], held["vectors"], strict=True)
        }


@dataclass(frozen=True)
class PackagedLoad:
    created: int
    updated: int
    unchanged: int
    skipped: tuple[str, ...]


def load_packaged(session: Session) -> PackagedLoad:
    """Add or update the shipped entries (published). Entries added by users are never touched;
    a shipped entry whose DOI a user's entry already holds is skipped and named."""
    drafts = packaged_drafts()
    existing = {row.key: row for row in session.scalars(select(LibraryEntry))}
    taken_dois = {
        row.doi: row.key for row in existing.values() if row.doi and row.origin != "packaged"
    }
    created = updated = unchanged = 0
    skipped: list[str] = []
    fresh: list[LibraryEntry] = []
    now = datetime.now(UTC)
    reference = stored_reference(session)
    for number, draft in enumerate(drafts, start=1):
        key = str(draft.key)
        row = existing.get(key)
        if row is not None and row.origin != "packaged":
            skipped.append(f"{key}: a user's entry has this key")
            continue
        if draft.doi and draft.doi in taken_dois:
            skipped.append(f"{key}: DOI {draft.doi} is already entry {taken_dois[draft.doi]!r}")
            continue
        countries, regions = _resolve_places(reference, draft, {"file": SOURCE, "row": number})
        if row is None:
            row = LibraryEntry(
                created_by=PACKAGE_USER,
                status="published",
                origin="packaged",
                reviewed_by=PACKAGE_USER,
                reviewed_at=now,
                review_note="verified against the public records it names",
                embedding_model="",
                embedded_text_sha256="",
            )
            _apply(row, draft, countries, regions)
            session.add(row)
            fresh.append(row)
            created += 1
        elif _apply(row, draft, countries, regions):
            row.updated_at = now
            fresh.append(row)
            updated += 1
        else:
            unchanged += 1
    _embed_with_shipped(fresh)
    session.flush()
    return PackagedLoad(created, updated, unchanged, tuple(skipped))


def _embed_with_shipped(rows: list[LibraryEntry]) -> None:
    shipped = _shipped_vectors()
    missing = []
    for row in rows:
        digest = embeddings.text_sha256(embedded_text(row))
        if row.embedded_text_sha256 == digest and row.embedding_model == embeddings.model_name():
            continue
        if digest in shipped:
            row.embedding = shipped[digest]
            row.embedding_model = embeddings.model_name()
            row.embedded_text_sha256 = digest
        else:
            missing.append(row)
    if missing:
        vectors = embeddings.embed_passages([embedded_text(row) for row in missing])
        for row, vector in zip(missing, vectors, strict=True):
            row.embedding = embeddings.to_bytes(vector)
            row.embedding_model = embeddings.model_name()
            row.embedded_text_sha256 = embeddings.text_sha256(embedded_text(row))
