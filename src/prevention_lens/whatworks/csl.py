"""CSL-JSON export of the evidence library: what Zotero, Mendeley, Pandoc and citeproc read,
so a reader can cite entries in any citation style.

Public API::

    csl_item(entry) -> dict      one entry as a CSL-JSON item
    write_csl_json(entries) -> str
    CSL_TYPES                    the kind of work → CSL type
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from prevention_lens.whatworks.entries import make_key
from prevention_lens.whatworks.interchange import Exportable

# Reports and guidance are published by an organisation; the rest, where a venue is known,
# appear in a journal. A work with no venue is a plain "article" (a working paper, a web page).
CSL_TYPES = {
    "practitioner_report": "report",
    "guidance": "report",
    "impact_evaluation": "article-journal",
    "systematic_review": "article-journal",
    "observational_study": "article-journal",
    "case_study": "article-journal",
}


def _name(author: str) -> dict[str, str]:
    family, comma, given = author.partition(",")
    if not comma:
        return {"literal": author}
    return {"family": family.strip(), "given": given.strip()}


def csl_type(entry: Exportable) -> str:
    kind = CSL_TYPES.get(entry.kind or "", "article-journal")
    if kind == "article-journal" and not entry.venue:
        return "article"
    return kind


def csl_item(entry: Exportable) -> dict[str, Any]:
    """One entry as CSL-JSON; ``abstract`` is our own summary, never the authors' abstract."""
    item_type = csl_type(entry)
    item: dict[str, Any] = {
        "id": entry.key or make_key(entry.authors, entry.year or 0, entry.title),
        "type": item_type,
        "title": entry.title,
        "author": [_name(author) for author in entry.authors],
    }
    if entry.year is not None:
        item["issued"] = {"date-parts": [[entry.year]]}
    if entry.venue:
        item["publisher" if item_type == "report" else "container-title"] = entry.venue
    if entry.doi:
        item["DOI"] = entry.doi
    if entry.url:
        item["URL"] = entry.url
    if entry.summary:
        item["abstract"] = entry.summary
    if entry.tags:
        item["keyword"] = ", ".join(entry.tags)
    if entry.language:
        item["language"] = entry.language
    return item


def write_csl_json(entries: Sequence[Exportable]) -> str:
    """The entries as a CSL-JSON array (UTF-8, indented, a newline at the end)."""
    return json.dumps([csl_item(entry) for entry in entries], ensure_ascii=False, indent=2) + "\n"
