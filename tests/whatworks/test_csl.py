"""CSL-JSON export: the structure citation processors expect."""

from __future__ import annotations

import json
from typing import Any

from prevention_lens.whatworks.csl import CSL_TYPES, csl_item, write_csl_json
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.packaged import packaged_drafts

# CSL-JSON item types (CSL 1.0.2 schema) and the keys each variable kind takes.
CSL_ITEM_TYPES = {"article", "article-journal", "book", "chapter", "report", "webpage"}
STRING_KEYS = {"id", "type", "title", "container-title", "publisher", "DOI", "URL", "abstract"}
STRING_KEYS |= {"keyword", "language"}


def _check_item(item: dict[str, Any]) -> None:
    assert {"id", "type", "title", "author", "issued"} <= set(item)
    assert item["type"] in CSL_ITEM_TYPES
    assert set(item) <= STRING_KEYS | {"author", "issued"}
    for key in STRING_KEYS & set(item):
        assert isinstance(item[key], str) and item[key], key
    for name in item["author"]:
        assert set(name) in ({"family", "given"}, {"literal"})
        assert all(isinstance(part, str) and part for part in name.values())
    (parts,) = item["issued"]["date-parts"]
    assert len(parts) == 1 and isinstance(parts[0], int)


def test_every_shipped_entry_is_a_valid_csl_item() -> None:
    items = json.loads(write_csl_json(packaged_drafts()))
    assert len(items) == len(packaged_drafts())
    for item in items:
        _check_item(item)
    assert len({item["id"] for item in items}) == len(items)


def test_fields_map_to_csl_variables() -> None:
    draft = EntryDraft(
        title="Framework of Analysis for Atrocity Crimes",
        authors=("United Nations Office on Genocide Prevention", "Straus, Scott"),
        year=2014,
        venue="United Nations",
        url="https://un.org/en/genocideprevention",
        kind="guidance",
        summary="Our own words.",
        tags=("risk factors", "UN"),
        language="en",
    ).checked()
    item = csl_item(draft)
    _check_item(item)
    assert item["type"] == "report"
    assert item["publisher"] == "United Nations"
    assert item["author"] == [
        {"literal": "United Nations Office on Genocide Prevention"},
        {"family": "Straus", "given": "Scott"},
    ]
    assert item["issued"] == {"date-parts": [[2014]]}
    assert item["abstract"] == "Our own words."
    assert item["keyword"] == "risk factors, UN"


def test_journal_work_has_a_container_title_and_doi() -> None:
    draft = EntryDraft(
        title="T", authors=("Paluck, E",), year=2009, venue="APSR", doi="10.1017/S1", kind=None
    ).checked()
    item = csl_item(draft)
    assert (item["type"], item["container-title"], item["DOI"]) == (
        "article-journal",
        "APSR",
        "10.1017/s1",
    )
    assert csl_item(EntryDraft(title="T", authors=("A",), year=2000).checked())["type"] == (
        "article"
    )
    assert set(CSL_TYPES.values()) <= CSL_ITEM_TYPES
