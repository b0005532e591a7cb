"""Incident records: what happened, when, where, who, how many died, on what sources and
evidence; their verification, revisions, and the hash-chained custody log.

Confidential values (witnesses, source identities, exact places) are ordinary columns here; the
access policy (``store/access.py``) decides who sees which, so every route goes through it.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

# Public views and exports show coordinates rounded to this many decimals (about 1 km).
PUBLIC_COORDINATE_DECIMALS = 2


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_COORDINATE_DECIMALS)


class Incident(Base):
    """One documented incident. ``dataset`` and ``external_id`` identify where it came from
    (``manual``, ``submission``, ``ucdp-ged``, ``acled``, ``csv:NAME``), so re-imports update."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("dataset", "external_id"),
        Index("ix_incidents_country_date", "country_id", "date_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(48), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="unverified", index=True)
    confidentiality: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    # what
    category: Mapped[str] = mapped_column(String(48), index=True)
    ucdp_type_of_violence: Mapped[int | None] = mapped_column(Integer)
    acled_event_type: Mapped[str | None] = mapped_column(String(64))
    acled_sub_event_type: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300), default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    # when
    date_start: Mapped[date] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(8), default="day")
    # where
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    admin1: Mapped[str | None] = mapped_column(String(120))
    admin2: Mapped[str | None] = mapped_column(String(120))
    place_name: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str] = mapped_column(String(16), default="country")
    exact_place: Mapped[str] = mapped_column(Text, default="")
    # who
    perpetrator_kind: Mapped[str] = mapped_column(String(16), default="unknown")
    perpetrator_name: Mapped[str] = mapped_column(String(300), default="")
    target_groups: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    identity_targeted: Mapped[bool] = mapped_column(Boolean, default=False)
    # how many
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    # confidential
    witness_identity: Mapped[str] = mapped_column(Text, default="")
    witness_contact: Mapped[str] = mapped_column(Text, default="")
    source_identity: Mapped[str] = mapped_column(Text, default="")
    # provenance
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A random value in the record's custody digest, so a digest cannot confirm a guess of a
    # confidential field. Listed in no access policy: it never leaves the store.
    digest_salt: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    sources: Mapped[list[IncidentSource]] = relationship(
        back_populates="incident", order_by="IncidentSource.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[IncidentAttachment]] = relationship(
        back_populates="incident", order_by="IncidentAttachment.id", cascade="all, delete-orphan"
    )
    # Earlier versions of the record: the custody digest covers them with the record.
    revisions: Mapped[list[IncidentRevision]] = relationship(
        order_by="IncidentRevision.revision", cascade="all, delete-orphan"
    )

    @property
    def public_latitude(self) -> float | None:
        return _rounded(self.latitude)

    @property
    def public_longitude(self) -> float | None:
        return _rounded(self.longitude)


class IncidentSource(Base):
    """A source of an incident: an open publication, or a discrete one (confidential)."""

    __tablename__ = "incident_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(String(300), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    archived_sha256: Mapped[str | None] = mapped_column(String(64))
    archived_size: Mapped[int | None] = mapped_column(BigInteger)
    own_confidentiality: Mapped[int] = mapped_column(Integer, default=0)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="sources")

    @property
    def confidentiality(self) -> int:
        """A source travels no further than its incident, nor further than itself."""
        return max(self.own_confidentiality, self.incident.confidentiality)

    @property
    def created_by_id(self) -> int | None:
        """The incident's author when they gave this source: they may read it back."""
        if self.added_by != self.incident.created_by:
            return None
        return self.incident.created_by_id


class IncidentAttachment(Base):
    """An evidence file: the original kept unchanged under its SHA-256, a working copy apart."""

    __tablename__ = "incident_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    own_confidentiality: Mapped[int] = mapped_column(Integer, default=1)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="attachments")

    @property
    def confidentiality(self) -> int:
        return max(self.own_confidentiality, self.incident.confidentiality)


class IncidentRevision(Base):
    """A record as it stood before an edit that reopened it (a verified record is locked)."""

    __tablename__ = "incident_revisions"
    __table_args__ = (UniqueConstraint("incident_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON)
    replaced_by: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustodyEntry(Base):
    """One link of the custody chain. ``entry_hash`` covers every other column and the hash of
    the entry before, so an edit, a removal or an insertion behind the application's back
    breaks the chain. ``detail`` holds field names and digests, never confidential values."""

    __tablename__ = "custody_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class RateLimitHit(Base):
    """One use of a rate-limited action (public submissions) by a hashed client key."""

    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
