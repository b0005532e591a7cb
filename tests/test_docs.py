"""The docs hold together: every page is linked from the index and every link resolves."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"
LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")


def test_every_page_is_linked_from_the_index() -> None:
    index = (DOCS / "index.md").read_text()
    linked = set(LINK.findall(index))
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert pages - linked == set(), "add these pages to docs/index.md"


def test_every_relative_link_resolves() -> None:
    broken = []
    for page in DOCS.rglob("*.md"):
        for target in LINK.findall(page.read_text()):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(DOCS)} → {target}")
    assert broken == []


def test_every_import_format_is_documented() -> None:
    from prevention_lens.ingest import available_formats

    text = (DOCS / "data.md").read_text()
    missing = [f.name for f in available_formats() if f"`{f.name}`" not in text]
    assert missing == []
