"""One row per import of a source file: which file, its checksum, its counts, who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prevention_lens.store.models.base import Base, UTCDateTime, utcnow


class DataImport(Base):
    __tablename__ = "data_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_format: Mapped[str] = mapped_column(String(64), index=True)
    file_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_created: Mapped[int] = mapped_column(Integer)
    rows_updated: Mapped[int] = mapped_column(Integer)
    rows_unchanged: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    code_version: Mapped[str] = mapped_column(String(40))
