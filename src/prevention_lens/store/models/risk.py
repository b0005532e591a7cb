"""Risk tables: the Framework of Analysis (editable, with history), analysts' dated assessments,
and stored forecasts with the backtest run that produced them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow


class FrameworkFactor(Base):
    __tablename__ = "framework_factors"
    __table_args__ = (UniqueConstraint("framework", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    unverified_reason: Mapped[str] = mapped_column(Text, default="")

    indicators: Mapped[list[FrameworkIndicator]] = relationship(
        back_populates="factor", order_by="FrameworkIndicator.position"
    )


class FrameworkIndicator(Base):
    """An indicator; its text may be corrected by an admin, each version kept as a revision."""

    __tablename__ = "framework_indicators"
    __table_args__ = (UniqueConstraint("framework", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework: Mapped[str] = mapped_column(String(32))
    factor_id: Mapped[int] = mapped_column(ForeignKey("framework_factors.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    unverified_reason: Mapped[str] = mapped_column(Text, default="")
    edited_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    factor: Mapped[FrameworkFactor] = relationship(back_populates="indicators")


class FrameworkIndicatorRevision(Base):
    __tablename__ = "framework_indicator_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("framework_indicators.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Assessment(Base):
    """One analyst's dated assessment of a country against a framework. Never edited: a later
    assessment supersedes it, so the history stays whole."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    framework: Mapped[str] = mapped_column(String(32))
    assessed_on: Mapped[date] = mapped_column(Date)
    analyst: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scores: Mapped[list[AssessmentScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentScore.id"
    )


class AssessmentScore(Base):
    """A score for one indicator (or a whole factor that lists no indicators): 0 absent … 3
    severe, or None for not assessed; with the evidence and its source."""

    __tablename__ = "assessment_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="scores")

    @property
    def confidentiality(self) -> int:
        """A score travels exactly as far as the assessment it belongs to."""
        return self.assessment.confidentiality


class ForecastRun(Base):
    """A model fitted and backtested: what it was, on which data, by which code, how it scored."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_name: Mapped[str] = mapped_column(String(64))
    model_params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    panel_spec: Mapped[str] = mapped_column(String(64))
    data_sha256: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(40))
    origin_year: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CountryForecast(Base):
    """One country's forecast from one run: probability, rank, interval, change and drivers."""

    __tablename__ = "country_forecasts"
    __table_args__ = (UniqueConstraint("run_id", "country_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    origin_year: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    previous_probability: Mapped[float | None] = mapped_column(Float)
    drivers: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    shifts: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class BacktestRecord(Base):
    """One stored backtest: which models ran by which protocol on which data and code, the
    scored table (figures with intervals, the peer row, chart curves), and the forecast run
    that was current when it was kept. Backtests are never overwritten, so history shows."""

    __tablename__ = "backtest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol: Mapped[str] = mapped_column(String(32))
    panel_spec: Mapped[str] = mapped_column(String(64))
    default_model: Mapped[str] = mapped_column(String(64))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_sha256: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(40))
    n_boot: Mapped[int | None] = mapped_column(Integer)  # bootstrap draws; None: not recorded
    table: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    forecast_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecast_runs.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
