"""PDF briefs: every section found in the PDF's text, the summary within two pages, Arabic and
Burmese glyphs from Noto, a contents page for the watchlist, and escaping no text can break."""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
import typst
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from prevention_lens.briefs import pdf
from prevention_lens.briefs.parts import SECTIONS, SPEECH, BriefEvidence
from prevention_lens.briefs.pdf import (
    brief_pdf,
    brief_png_pages,
    font_folders,
    typst_str,
    typst_text,
    watchlist_pdf,
)
from prevention_lens.errors import SettingsError, ValidationError
from tests.briefs.brief_samples import ARABIC, BURMESE, sample_brief

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Markup that user text must never produce.
MARKUP = (
    "selector(heading).or(strong).or(emph).or(link).or(raw).or(list).or(enum)"
    ".or(terms).or(math.equation).or(ref).or(footnote).or(image).or(table).or(metadata)"
)


@pytest.fixture(autouse=True)
def _fonts() -> None:
    try:
        font_folders()
    except SettingsError as error:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(str(error))


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _actual_text(data: bytes) -> str:
    """The /ActualText of every span: how Typst records complex-script clusters (Burmese),
    whose glyphs alone do not give the characters back in order."""
    spans = []
    for page in PdfReader(io.BytesIO(data)).pages:
        content = page.get_contents()
        assert content is not None
        for hex_text in re.findall(rb"/ActualText<FEFF([0-9A-Fa-f]*)>", content.get_data()):
            spans.append(bytes.fromhex(hex_text.decode()).decode("utf-16-be"))
    return "".join(spans)


def _fonts_used(data: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        fonts = cast(DictionaryObject, resources["/Font"].get_object())
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_every_section_title_is_in_the_pdf_text() -> None:
    data = brief_pdf(sample_brief())
    assert data.startswith(b"%PDF-")
    text = "\n".join(_pages(data))
    for title in SECTIONS:
        assert title in text, title
    assert "Myanmar" in text and "Current crisis" in text and "9.1%" in text


def test_without_monitored_posts_the_speech_section_is_left_out() -> None:
    text = "\n".join(_pages(brief_pdf(sample_brief(speech=None))))
    assert SPEECH not in text and "Warning signs" in text and "Actors and coverage" in text


def test_the_summary_takes_at_most_two_pages_then_the_annex() -> None:
    pages = _pages(brief_pdf(sample_brief()))
    annex = next(number for number, text in enumerate(pages, 1) if "Sources and data dates" in text)
    assert annex <= 3
    assert all("Sources and data dates" not in text for text in pages[: annex - 1])


def test_audience_headings_keep_the_standard_title_beside_them() -> None:
    brief = sample_brief(headings=(("Options by R2P pillar", "Programming entry points"),))
    text = "\n".join(_pages(brief_pdf(brief)))
    assert "Programming entry points" in text and "Options by R2P pillar" in text


def test_arabic_and_burmese_render_with_noto_glyphs() -> None:
    data = brief_pdf(sample_brief())
    assert ARABIC in "".join(_pages(data))
    assert BURMESE in _actual_text(data)
    used = _fonts_used(data)
    assert any(name.startswith("NotoSansMyanmar") for name in used), used
    assert any(name.startswith("NotoNaskhArabic") for name in used), used


def test_the_same_brief_gives_the_same_pdf() -> None:
    assert brief_pdf(sample_brief()) == brief_pdf(sample_brief())


def test_only_web_addresses_become_links() -> None:
    evidence = BriefEvidence("A study", "javascript:alert(1)", 0.5, (), None, "")
    data = brief_pdf(sample_brief(evidence=(evidence,)))
    assert b"javascript" not in data
    assert "A study" in "".join(_pages(data))


def test_watchlist_has_a_contents_page_with_each_country_and_its_page() -> None:
    briefs = [sample_brief(), sample_brief("SDN", "Sudan"), sample_brief("TCD", "Chad")]
    pages = _pages(watchlist_pdf(briefs, "Quarterly watchlist"))
    contents = pages[0]
    assert "Quarterly watchlist" in contents and "Contents" in contents
    for brief in briefs:
        found = re.search(rf"{brief.name}\W*?(\d+)\s*$", contents, re.MULTILINE)
        assert found, (brief.name, contents)
        start = pages[int(found.group(1)) - 1]
        assert f"Prevention assessment summary · {brief.name}" in start
    assert sum("Sources and data dates" in text for text in pages) == len(briefs)


def test_an_empty_watchlist_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        watchlist_pdf([], "Empty")


def test_page_pictures() -> None:
    first, second = brief_png_pages(sample_brief(), pages=(1, 2))
    assert first.startswith(PNG_MAGIC) and second.startswith(PNG_MAGIC) and first != second
    with pytest.raises(ValidationError, match="pages"):
        brief_png_pages(sample_brief(), pages=(99,))


def test_missing_fonts_are_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "FONT_FOLDERS", (tmp_path / "no-fonts",))
    with pytest.raises(SettingsError, match="fonts-noto-core"):
        font_folders()


def _probe(text: str) -> tuple[list[object], str]:
    """Compile the text as markup and as a literal: what markup it made, and the literal back."""
    source = f"{typst_text(text)}\n\n#metadata({typst_str(text)}) <probe>\n".encode()
    made = json.loads(typst.query(source, MARKUP, ignore_system_fonts=True))
    value = json.loads(
        typst.query(source, "<probe>", field="value", one=True, ignore_system_fonts=True)
    )
    return made, value


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.text())
def test_escaped_text_compiles_to_itself_and_never_to_markup(text: str) -> None:
    made, value = _probe(text)
    assert value == text
    assert made == [{"func": "metadata", "value": text, "label": "<probe>"}]


@pytest.mark.parametrize(
    "text",
    [
        '= Heading *bold* _emph_ `raw` $x^2$ <label> @ref #link("https://x.org") // comment',
        '"]; #panic("injected") ["',
        '\\" #import "evil.typ"',
        "/* open comment",
        "- list\n+ enum\n/ term: x",
        '#"a".len()',
        "end\\",
        "\x00\x1b\x7f\u2028",
    ],
)
def test_markup_characters_stay_text(text: str) -> None:
    made, value = _probe(text)
    assert value == text
    assert len(made) == 1  # only the probe


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    assert typst_str("a\ud800b") == '"a\ufffdb"'
    data = brief_pdf(sample_brief(summary=("Broken \ud800 text",)))
    assert "Broken \ufffd text" in "".join(_pages(data))


def test_user_text_in_every_part_is_escaped() -> None:
    nasty = '#panic("x") = *y* ]'
    brief = sample_brief(
        name=nasty,
        summary=(nasty,),
        terms=((nasty, nasty, nasty),),
    )
    brief = replace(brief, situation=replace(brief.situation, label=nasty, rationale=nasty))
    assert brief.speech is not None
    surge = replace(brief.speech.surges[0], targeted_group=nasty, signals=(nasty,))
    brief = replace(brief, speech=replace(brief.speech, trend=(nasty,), surges=(surge,)))
    text = "".join(_pages(brief_pdf(brief)))
    # Header, title, summary, situation label and rationale, the three cells of the term, and
    # the speech section's trend, targeted group and linked alert.
    assert text.count(nasty) >= 11
