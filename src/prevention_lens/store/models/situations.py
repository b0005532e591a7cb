"""Situation categories: an analyst's dated judgement that a country is a current crisis, at
imminent risk, of serious concern, or none of these, with the rationale.

Rows are never edited: a new judgement is a new row, so the history stays whole. The current
situation of a country is its latest row by (``effective_on``, ``id``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow

# The codes the category column accepts; their labels and definitions are in risk/situations.py.
SITUATION_CATEGORIES = ("current_crisis", "imminent_risk", "serious_concern", "none")


class CountrySituation(Base):
    __tablename__ = "country_situations"
    __table_args__ = (
        CheckConstraint(
            "category IN ('current_crisis', 'imminent_risk', 'serious_concern', 'none')",
            name="category",
        ),
        Index("ix_country_situations_country", "country_id", "effective_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    category: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(64))
    set_by_id: Mapped[int | None] = mapped_column(Integer)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
