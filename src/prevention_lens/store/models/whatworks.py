"""The evidence library of what works: published studies, reviews, evaluations and guidance,
each with its context, its strength and a stored embedding for cross-language search.

An entry is a draft until an admin publishes it; drafts and rejected entries are for analysts
and admins. The full-text index is a separate, backend-specific structure (an FTS5 table on
SQLite, an expression index on PostgreSQL) created by the migration, not a mapped table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow

# The full-text index (not mapped): the SQLite FTS5 table and its shadow tables, or the
# PostgreSQL expression index. The schema check leaves them out of its comparison.
FULLTEXT_TABLE = "library_fts"
FULLTEXT_INDEX = "ix_library_entries_fulltext"

# Published entries are public; drafts and rejected ones are for analysts and admins.
_LEVEL = {"published": 0, "draft": 1, "rejected": 1}


class LibraryEntry(Base):
    __tablename__ = "library_entries"
    __table_args__ = (Index("ix_library_entries_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int] = mapped_column(Integer)
    venue: Mapped[str] = mapped_column(String(300), default="")
    # Lower-case, bare ("10.1037/a0011989"); unique where present.
    doi: Mapped[str | None] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str | None] = mapped_column(String(32))
    design: Mapped[str | None] = mapped_column(String(32))
    strength: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    interventions: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    conflict_phase: Mapped[str | None] = mapped_column(String(32))
    regime_type: Mapped[str | None] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(40), default="")
    effect: Mapped[str | None] = mapped_column(String(16))
    harm: Mapped[str] = mapped_column(Text, default="")
    emmie: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(16), default="en")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified_at: Mapped[list[str]] = mapped_column(JSON, default=list)
    verification_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    import_id: Mapped[int | None] = mapped_column(Integer)
    # The embedding of the entry's text (float32, unit length) and what produced it: computed
    # once when the text changes, never per query.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str] = mapped_column(String(80), default="")
    embedded_text_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # What full-text search reads besides the title: authors, venue, summary, tags and the
    # labels of the entry's codes, kept by the domain whenever the entry changes.
    search_text: Mapped[str] = mapped_column(Text, default="")

    @property
    def confidentiality(self) -> int:
        return _LEVEL.get(self.status, 1)

    @property
    def is_generated(self) -> bool:
        return self.origin == "generated"
