"""The registry of import formats: the mechanism only. Built-in formats (``ingest/formats.py``)
and plugins register the same way; ``ingest/catalog.py`` looks them up.

A plugin package registers more through the entry-point group ``prevention_lens.import_formats``.
This module imports nothing else from ``ingest/``, so every loader can use it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport

if TYPE_CHECKING:
    from prevention_lens.store.access import Principal

Reader = Callable[[Path], tuple[Sequence[Any], Sequence[ValidationError]]]
Loader = Callable[[Session, Sequence[Any], DataImport], LoadCounts]
# The loader's checks against the store (an unknown country, a term already stored), run on every
# row of a file the reader found problems in, so one run names them all; writes nothing.
RowCheck = Callable[[Session, "Principal", Path], Sequence[ValidationError]]


@dataclass(frozen=True)
class ImportFormat:
    """How to read one kind of source file and load its records into the store."""

    name: str
    title: str
    description: str
    citation: str
    default_path: str | None
    read: Reader
    load: Loader
    check: RowCheck | None = None

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").isalnum():
            raise ValueError(f"import format name {self.name!r} must be letters, digits and '-'")


_FORMATS: dict[str, ImportFormat] = {}


def register_format(import_format: ImportFormat) -> ImportFormat:
    if import_format.name in _FORMATS and _FORMATS[import_format.name] != import_format:
        raise ValueError(f"import format {import_format.name!r} is registered twice")
    _FORMATS[import_format.name] = import_format
    return import_format


def registered_formats() -> dict[str, ImportFormat]:
    """Every format registered so far, by name (a copy)."""
    return dict(_FORMATS)
