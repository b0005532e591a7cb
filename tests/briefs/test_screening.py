"""Policy screening against the shipped Framework of Analysis: the hand-written calibration texts
touch the factors they should, with reasons and direction; a benign text mitigates or stays
unsure; bad input is refused clearly; indicator vectors are computed once; renderers show
every section and never let pasted text become markup."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from prevention_lens.briefs import screening as screening_module
from prevention_lens.briefs.screening import (
    MAX_TEXT_CHARS,
    THRESHOLD,
    ScreenedFactor,
    Screening,
    screen,
    split_sentences,
)
from prevention_lens.briefs.screening_pdf import screening_pdf
from prevention_lens.briefs.screening_questions import BACKGROUND_SENTENCES
from prevention_lens.briefs.screening_render import SECTIONS, screening_html, screening_markdown
from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.ingest import get_format, run_import
from prevention_lens.lexicon.records import load_shipped
from prevention_lens.settings import load_settings
from prevention_lens.store import Store, open_store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.whatworks.embeddings import embed_passages
from tests.conftest import sources_folder

CALIBRATION = Path(__file__).parent / "data" / "screening_calibration.yaml"
EXAMPLES: list[dict[str, Any]] = yaml.safe_load(CALIBRATION.read_text())["examples"]
DECREE = next(example["text"] for example in EXAMPLES if example["name"] == "decree")


def framework_store(folder: Path, home: Path) -> Store:
    settings = load_settings(
        home=home, database_url=None, secret_key="screening-test-secret-key-0123456789abcdef"
    )
    store = open_store(settings)
    framework = folder / "frameworks" / "framework_of_analysis.yaml"
    run_import(store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework)
    with store.session() as session:
        load_shipped(session)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with the shipped Framework and lexicon (skipped without the shared data)."""
    opened = framework_store(sources_folder(), tmp_path_factory.mktemp("screening") / "home")
    yield opened
    opened.dispose()


def screened(store: Store, text: str, sector: str = "dev", country: str = "Myanmar") -> Screening:
    with store.session() as session:
        return screen(session, country, sector, text)


def by_code(result: Screening) -> dict[str, ScreenedFactor]:
    return {factor.code: factor for factor in result.factors}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["name"] for example in EXAMPLES])
def test_each_calibration_text_touches_the_factors_it_should(
    store: Store, example: dict[str, Any]
) -> None:
    result = screened(store, example["text"])
    found = by_code(result)
    for code, direction in example["touches"].items():
        assert code in found, f"{example['name']}: factor {code} not touched ({sorted(found)})"
        if direction is not None:
            assert found[code].direction == direction
        assert found[code].strength >= THRESHOLD
    if example.get("not_touches") == "all":
        assert result.factors == ()
    if example.get("benign"):
        assert result.confidence == "low" or all(
            factor.direction == "may mitigate" for factor in result.factors
        )


def test_the_sample_decree_names_its_factors_with_reasons(store: Store) -> None:
    result = screened(store, DECREE)
    assert (result.country_key, result.country_name) == ("MMR", "Myanmar")
    enabling, discrimination = by_code(result)["7"], by_code(result)["9"]
    assert enabling.name == "Enabling circumstances or preparatory action"
    assert discrimination.direction == "may aggravate"
    # Reasons quote the sentence that matched, name the indicator and the cue words.
    assert any(
        "minority languages" in reason or "foreigners" in reason
        for reason in discrimination.reasons
    )
    assert any(
        reason.startswith("Cue words near it that may aggravate") for reason in enabling.reasons
    )
    assert all(0 < item.similarity <= 1 for item in enabling.indicators)
    assert {item.code.split(".")[0] for item in enabling.indicators} == {"7"}
    # One or two questions per touched factor, then the three standing questions.
    for factor in result.factors:
        assert 1 <= sum(question.factor == factor.code for question in result.questions) <= 2
    assert [question.factor for question in result.questions[-3:]] == [None, None, None]
    assert "decides nothing" in result.caveat
    # The lexicon term in the text is reported, with what the sector calls it.
    assert any(term.concept_id == "dev/social-cohesion" for term in result.terms)


def test_the_sector_changes_the_terms_reported_not_the_factors(store: Store) -> None:
    dialogue = next(example["text"] for example in EXAMPLES if example["name"] == "dialogue")
    for_dev, for_hr = screened(store, dialogue, "dev"), screened(store, dialogue, "hr")
    assert [f.code for f in for_dev.factors] == [f.code for f in for_hr.factors]
    assert for_dev.sector == "dev" and for_hr.sector_name == "Human rights"


@pytest.mark.parametrize(
    ("text", "sector", "country", "message"),
    [
        ("   \n ", "dev", "Myanmar", "empty"),
        ("x " * (MAX_TEXT_CHARS // 2 + 1), "dev", "Myanmar", "at most 20,000"),
        ("Too short.", "dev", "Myanmar", "no sentence"),
        (DECREE, "martians", "Myanmar", "unknown sector"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    store: Store, text: str, sector: str, country: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        screened(store, text, sector, country)


def test_an_unknown_country_is_named(store: Store) -> None:
    with pytest.raises(NotFoundError, match="Atlantis"):
        screened(store, DECREE, country="Atlantis")


def test_without_the_framework_it_says_how_to_load_it(sqlite_store: Store) -> None:
    with (
        pytest.raises(NotFoundError, match="lens data import un-framework"),
        sqlite_store.session() as s,
    ):
        screen(s, "Myanmar", "dev", DECREE)


def test_indicator_vectors_are_computed_once_not_per_screening(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = embed_passages
    batches: list[Sequence[str]] = []

    def counting(texts: Sequence[str], batch: int = 16) -> Any:
        batches.append(list(texts))
        return real(texts, batch)

    monkeypatch.setattr(screening_module, "embed_passages", counting)
    screening_module.clear_vector_cache()
    first = screened(store, DECREE)
    second = screened(store, DECREE)
    embedded = [text for batch in batches for text in batch]
    # The first screening embeds every indicator and background sentence once, in one batch
    # each, plus its own sentences; the second embeds only its sentences.
    assert len(batches) == 2 + 1 + 1
    sentences = split_sentences(DECREE)
    assert batches[-1] == sentences and batches[2] == sentences
    cached = [*batches[0], *batches[1]]
    assert len(cached) == len(set(cached)) == len(embedded) - 2 * len(sentences)
    assert set(BACKGROUND_SENTENCES) <= set(cached)
    assert "Militias or paramilitary groups are created or given more support." in cached
    assert first == second


def test_sentences_are_split_at_ends_and_lines_not_at_abbreviations() -> None:
    text = (
        "Decree No. 14 on order. Art. 2 bans gatherings; a curfew applies.\n- Item one is here\nok"
    )
    assert split_sentences(text) == [
        "Decree No. 14 on order.",
        "Art. 2 bans gatherings;",
        "a curfew applies.",
        "Item one is here",
    ]


def test_markdown_and_html_show_every_section_and_escape_pasted_text(store: Store) -> None:
    planted = DECREE + "\nThe <script>alert(1)</script> militia **shall** be armed with rifles."
    result = screened(store, planted)
    markdown, html = screening_markdown(result), screening_html(result)
    for section in SECTIONS:
        assert f"## {section}" in markdown and f"<h2>{section}</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\\*\\*shall\\*\\*" in markdown and "\\<script\\>" in markdown


def test_the_pdf_annex_holds_every_section(store: Store) -> None:
    from pypdf import PdfReader

    result = screened(store, DECREE + '\nThe #militia "shall" use $arms$ [now] @once.')
    pdf = screening_pdf(result)
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    for section in SECTIONS:
        assert section in flat
    assert "Enabling circumstances" in flat
