"""Prevention actors: organisations, networks and people; where and how they work; their
relationships; their (confidential) contacts; and dated snapshots of network metrics.

``dataset`` keeps real mappings and the generated example mapping apart: every query filters on
it, and relationships never cross it. A record is a draft until an admin publishes it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow
from prevention_lens.store.models.countries import Country

# Published records are public; drafts and rejected records are for analysts and admins.
_LEVEL = {"published": 0, "draft": 1, "rejected": 1, "merged": 1}

actor_countries = Table(
    "actor_countries",
    Base.metadata,
    Column("actor_id", ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("country_id", ForeignKey("countries.id"), primary_key=True),
)


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (Index("ix_actors_dataset_status", "dataset", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32), default="real")
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(16), default="organisation")
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    r2p_pillars: Mapped[list[int]] = mapped_column(JSON, default=list)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    hq_country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    contribution: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    source: Mapped[str] = mapped_column(String(120), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    countries: Mapped[list[Country]] = relationship(secondary=actor_countries)
    contacts: Mapped[list[ActorContact]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorContact.id"
    )

    @property
    def confidentiality(self) -> int:
        return _LEVEL.get(self.status, 1)

    @property
    def is_example(self) -> bool:
        return self.dataset == "example"

    @property
    def country_keys(self) -> list[str]:
        return sorted(country.key for country in self.countries)


class ActorContact(Base):
    """How to reach an actor: never public; analysts and admins read it."""

    __tablename__ = "actor_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[int] = mapped_column(Integer, default=1)

    actor: Mapped[Actor] = relationship(back_populates="contacts")


class ActorRelationship(Base):
    __tablename__ = "actor_relationships"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        Index("ix_actor_relationships_target", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32), default="real")
    source_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    directed: Mapped[bool] = mapped_column(default=True)
    strength: Mapped[int] = mapped_column(Integer, default=2)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[Actor] = relationship(foreign_keys=[source_id])
    target: Mapped[Actor] = relationship(foreign_keys=[target_id])

    @property
    def confidentiality(self) -> int:
        """Public only when it and both its ends are published."""
        return max(
            _LEVEL.get(self.status, 1), self.source.confidentiality, self.target.confidentiality
        )


class NetworkSnapshot(Base):
    """Network metrics of one dataset at one time, kept so coordinators see change."""

    __tablename__ = "network_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
