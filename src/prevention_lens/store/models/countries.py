"""The country reference as stored: every later table keys countries by ``countries.id``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prevention_lens.store.models.base import Base


class Country(Base):
    """A state or territory, with its codes in each scheme and the dates it existed."""

    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    iso2: Mapped[str | None] = mapped_column(String(2))
    iso3: Mapped[str | None] = mapped_column(String(3), index=True)
    iso_numeric: Mapped[int | None] = mapped_column(Integer, index=True)
    cow: Mapped[int | None] = mapped_column(Integer, index=True)
    gw: Mapped[int | None] = mapped_column(Integer, index=True)
    vdem: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(40))
    subregion: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    successor_key: Mapped[str | None] = mapped_column(String(8))

    aliases: Mapped[list[CountryAlias]] = relationship(
        back_populates="country", cascade="all, delete-orphan"
    )


class CountryAlias(Base):
    """Another name of a country; ``data_import_id`` is set when an import added it."""

    __tablename__ = "country_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(160))
    normalized: Mapped[str] = mapped_column(String(160), index=True)
    data_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_imports.id", ondelete="SET NULL")
    )

    country: Mapped[Country] = relationship(back_populates="aliases")
