"""Imports of source files into the store, with provenance, through a registry of formats.

An application layer (docs/architecture.md): each format composes a source reader with the
loaders of one or more domains."""

from prevention_lens.ingest.catalog import available_formats, get_format
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.runner import ImportReport, run_import

__all__ = ["ImportFormat", "ImportReport", "available_formats", "get_format", "run_import"]
