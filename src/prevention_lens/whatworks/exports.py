"""One way to export evidence-library entries in any of its formats, for the CLI and the web.

Public API::

    EXPORT_FORMATS   name → ExportFormat(media_type, suffix)
    export_entries(entries, fmt) -> str       ValidationError for an unknown format
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.bibtex import write_bibtex
from prevention_lens.whatworks.csl import write_csl_json
from prevention_lens.whatworks.interchange import Exportable
from prevention_lens.whatworks.ris import write_ris
from prevention_lens.whatworks.tables import write_csv


@dataclass(frozen=True)
class ExportFormat:
    media_type: str
    suffix: str
    write: Callable[[Sequence[Exportable]], str]


EXPORT_FORMATS = {
    "csv": ExportFormat("text/csv; charset=utf-8", ".csv", write_csv),
    "bibtex": ExportFormat("application/x-bibtex; charset=utf-8", ".bib", write_bibtex),
    "ris": ExportFormat("application/x-research-info-systems; charset=utf-8", ".ris", write_ris),
    "csl-json": ExportFormat("application/vnd.citationstyles.csl+json", ".json", write_csl_json),
}


def export_entries(entries: Sequence[Exportable], fmt: str) -> str:
    """The entries as text in ``fmt`` (csv, bibtex, ris or csl-json)."""
    export_format = EXPORT_FORMATS.get(fmt)
    if export_format is None:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}",
            field="format",
        )
    return export_format.write(entries)
