"""Imports of source files into the store, with provenance, through a registry of formats."""

from prevention_lens.ingest.registry import ImportFormat, available_formats, get_format
from prevention_lens.ingest.runner import ImportReport, run_import

__all__ = ["ImportFormat", "ImportReport", "available_formats", "get_format", "run_import"]
