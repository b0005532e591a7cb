"""The sector lexicon: concepts of each sector's scheme, the mappings between schemes, and the
history of every change (proposed by analysts, approved or rejected by admins).

A concept's content is kept whole as JSON (labels, definition and source, scope notes), in the
form of ``lexicon/data/lexicon.yaml``; the columns beside it are what queries select on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow


class LexiconConcept(Base):
    __tablename__ = "lexicon_concepts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept_id: Mapped[str] = mapped_column(String(120), unique=True)
    scheme: Mapped[str] = mapped_column(String(16))
    core: Mapped[bool] = mapped_column(Boolean, default=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # "packaged" until an admin approves a change; a newer package then leaves it alone.
    origin: Mapped[str] = mapped_column(String(16), default="packaged")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LexiconMapping(Base):
    """One mapping per pair of concepts, read from ``source`` (as in the shipped file)."""

    __tablename__ = "lexicon_mappings"
    __table_args__ = (
        UniqueConstraint("source", "target"),
        Index("ix_lexicon_mappings_target", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="packaged")


class LexiconRevision(Base):
    """A proposed change to one concept and the mappings it takes part in, and its review."""

    __tablename__ = "lexicon_revisions"
    __table_args__ = (Index("ix_lexicon_revisions_concept", "concept_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    base_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    mappings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_by_id: Mapped[int | None] = mapped_column(Integer)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")
