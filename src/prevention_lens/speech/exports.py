"""The hate-speech lexicon written out: terms already read through the ``speech_term`` policy
as our CSV layout (which imports back) or JSON, each with its licence.

Public API::

    EXPORT_FORMATS = ("csv", "json")
    export_terms(records, fmt="csv"|"json") -> str
    export_terms_csv(session, principal, *, language=None, status=None) -> str
    term_row(record, line=0) -> TermRow      a stored term in the CSV writer's shape
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_lexicon import SenseRow, TermRow, write_terms_csv
from prevention_lens.speech.lexicon import list_terms
from prevention_lens.speech.terms import TermRecord
from prevention_lens.store.access import Principal

__all__ = ["EXPORT_FORMATS", "export_terms", "export_terms_csv", "term_row"]


def term_row(record: TermRecord, line: int = 0) -> TermRow:
    """A stored term in the shape the CSV writer takes."""
    return TermRow(
        line=line,
        term=record.term,
        language=record.language,
        senses=tuple(
            SenseRow(sense.kind, sense.meaning, sense.phrases, sense.cues, sense.examples)
            for sense in record.senses
        ),
        script_variants=record.script_variants,
        countries=record.countries,
        targeted_groups=record.targeted_groups,
        severity=record.severity,
        why_inflames=record.why_inflames,
        alternatives=record.alternatives,
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        licence=record.licence,
        source_url=record.source_url,
        example=record.example,
        notes=record.notes,
    )


EXPORT_FORMATS = ("csv", "json")


def export_terms(records: Sequence[TermRecord], fmt: str = "csv") -> str:
    """Terms already read through the policy as our CSV layout (re-importable) or JSON; each
    term's licence travels with it (HurtLex's non-commercial licence included)."""
    if fmt == "csv":
        return write_terms_csv([term_row(record, number) for number, record in enumerate(records)])
    if fmt == "json":
        return json.dumps(
            {"terms": [record.to_dict() for record in records]}, ensure_ascii=False, indent=2
        )
    raise ValidationError(
        f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}", field="format"
    )


def export_terms_csv(
    session: Session,
    principal: Principal,
    *,
    language: str | None = None,
    status: str | None = None,
) -> str:
    """The terms the principal may see as our CSV layout (re-importable); each term's licence
    travels with it (HurtLex's non-commercial licence included)."""
    return export_terms(list_terms(session, principal, language=language, status=status), "csv")
