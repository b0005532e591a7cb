"""Hate and dangerous speech: the term lexicon with its senses, monitored posts and their
scores, and analysts' dangerous-speech assessments with their history.

Posts carry who said something and exactly where only in confidential columns (``speaker``,
``exact_place``); public views read aggregates (counts per country, targeted group and week)
and never a post. Assessments are never edited in place without a revision row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow

# Codes the check constraints accept; labels and definitions live in the speech domain.
TERM_STATUSES = ("draft", "published", "rejected")
SENSE_KINDS = ("hateful", "neutral")
POST_LABELS = ("hateful", "offensive", "neither")


class SpeechTerm(Base):
    """One term of the hate-speech lexicon in one language. ``example`` marks generated example
    entries, which are labelled wherever they show and never mixed with real ones."""

    __tablename__ = "speech_terms"
    __table_args__ = (
        UniqueConstraint("language", "normalized", name="language_term"),
        CheckConstraint("status IN ('draft', 'published', 'rejected')", name="status"),
        CheckConstraint("severity BETWEEN 1 AND 3", name="severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), index=True)
    script_variants: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    targeted_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    severity: Mapped[int] = mapped_column(Integer, default=2)
    why_inflames: Mapped[str] = mapped_column(Text, default="")
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # Where the term came from ("manual", "csv:NAME", "hurtlex:EN"), its licence (HurtLex is
    # CC BY-NC-SA 4.0 and says so wherever its terms show) and the record it was checked at.
    origin: Mapped[str] = mapped_column(String(64), default="manual")
    licence: Mapped[str] = mapped_column(String(120), default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    senses: Mapped[list[SpeechTermSense]] = relationship(
        back_populates="term_record",
        cascade="all, delete-orphan",
        order_by="SpeechTermSense.position",
    )


class SpeechTermSense(Base):
    """One sense of a term, hateful or neutral. ``phrases`` are the longer expressions in which
    the term takes this sense ("kalar htaing", a chair); ``cues`` are nearby words that point
    to it; ``examples`` show it in use."""

    __tablename__ = "speech_term_senses"
    __table_args__ = (CheckConstraint("kind IN ('hateful', 'neutral')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("speech_terms.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    meaning: Mapped[str] = mapped_column(Text, default="")
    phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    cues: Mapped[list[str]] = mapped_column(JSON, default=list)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)

    term_record: Mapped[SpeechTerm] = relationship(back_populates="senses")


class SpeechPost(Base):
    """One monitored post, scored when imported. ``dataset`` and ``external_id`` identify it
    so that re-imports update rather than duplicate."""

    __tablename__ = "speech_posts"
    __table_args__ = (
        UniqueConstraint("dataset", "external_id"),
        Index("ix_speech_posts_country_week", "country_id", "week"),
        CheckConstraint("label IN ('hateful', 'offensive', 'neither')", name="label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(48), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    confidentiality: Mapped[int] = mapped_column(Integer, default=1)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Monday of the post's ISO week: the unit of the trend series.
    week: Mapped[date] = mapped_column(Date)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    admin1: Mapped[str | None] = mapped_column(String(120))
    exact_place: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16))
    speaker_type: Mapped[str] = mapped_column(String(32), default="unknown")
    speaker: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    text_normalised: Mapped[str] = mapped_column(Text)
    zawgyi_converted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scores: the probability of each label, the attributes (identity_attack, threat,
    # dehumanisation, offensive: probabilities), the most likely targeted group, lexicon hits.
    label: Mapped[str] = mapped_column(String(16), default="neither")
    hate_score: Mapped[float] = mapped_column(Float, default=0.0)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    attributes: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    targeted_group: Mapped[str | None] = mapped_column(String(48), index=True)
    lexicon_hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(80), default="")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpeechAssessment(Base):
    """An analyst's dangerous-speech assessment of one speech act: the Dangerous Speech
    Project's five elements and hallmarks, and the Rabat Plan of Action's six-part threshold
    test. ``revision`` counts edits; every version is kept in ``speech_assessment_revisions``."""

    __tablename__ = "speech_assessments"
    __table_args__ = (Index("ix_speech_assessments_country", "country_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    confidentiality: Mapped[int] = mapped_column(Integer, default=1)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("speech_posts.id"))
    title: Mapped[str] = mapped_column(String(300))
    spoken_on: Mapped[date | None] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text, default="")
    speaker_role: Mapped[str] = mapped_column(String(300), default="")
    speaker: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    medium: Mapped[str] = mapped_column(Text, default="")
    exact_place: Mapped[str] = mapped_column(Text, default="")
    targeted_group: Mapped[str | None] = mapped_column(String(48))
    hallmarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {factor: {"score": 0..3, "note": str}} for the six Rabat factors.
    rabat: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    conclusion: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text, default="")
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by: Mapped[str] = mapped_column(String(64))
    assessed_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpeechAssessmentRevision(Base):
    """A whole past version of an assessment, written whenever it is created or changed."""

    __tablename__ = "speech_assessment_revisions"
    __table_args__ = (UniqueConstraint("assessment_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("speech_assessments.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
