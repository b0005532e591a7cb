"""Checking drafts: required fields, DOI forms, codes, and what publishing needs."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.entries import (
    EntryDraft,
    make_key,
    normalise_doi,
    publication_problems,
)


def _draft(**changes: object) -> EntryDraft:
    values: dict[str, object] = {
        "title": "Reducing prejudice with radio",
        "authors": ("Paluck, Elizabeth Levy",),
        "year": 2009,
    }
    values.update(changes)
    return EntryDraft(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "bare"),
    [
        ("10.1037/a0011989", "10.1037/a0011989"),
        ("https://doi.org/10.1126/Science.ABB3153", "10.1126/science.abb3153"),
        ("doi:10.1017/S0003055418000035", "10.1017/s0003055418000035"),
    ],
)
def test_dois_are_normalised_to_the_bare_lower_case_form(given: str, bare: str) -> None:
    assert normalise_doi(given) == bare


@pytest.mark.parametrize(
    "bad", ["10.12/short", "doi 10.1037/a001", "https://example.org/x", "11.1037/x"]
)
def test_a_doi_in_the_wrong_form_names_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _draft(doi=bad, key="paluck-2009").checked(file="refs.bib")
    assert raised.value.field == "doi"
    assert "refs.bib" in str(raised.value) and "paluck-2009" in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"year": None}, "year"),
        ({"year": 1850}, "year"),
        ({"authors": ()}, "authors"),
        ({"interventions": ("radio",)}, "interventions"),
        ({"outcomes": ("happiness",)}, "outcomes"),
        ({"kind": "blog"}, "kind"),
        ({"strength": 7}, "strength"),
        ({"emmie": {"effect": 9}}, "emmie"),
        ({"emmie": {"price": 1}}, "emmie"),
        ({"url": "ftp://x"}, "url"),
        ({"language": "English"}, "language"),
        ({"interventions": ("training", "training")}, "interventions"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _draft(**changes).checked(file="refs.csv", row=4)
    assert raised.value.field == field
    assert str(raised.value).startswith("refs.csv, row 4")


def test_a_key_is_made_from_author_year_and_title() -> None:
    checked = _draft(authors=("Müller, Karsten", "Schwarz, Carlo")).checked()
    assert checked.key == make_key(("Müller, Karsten",), 2009, "Reducing prejudice with radio")
    assert checked.key == "muller-2009-reducing-prejudice"


def test_a_draft_from_a_reference_manager_is_not_ready_to_publish() -> None:
    missing = publication_problems(_draft().checked())
    assert "a DOI or a stable URL" in missing
    assert "at least one intervention" in missing
    assert "a summary in our own words" in missing
    ready = _draft(
        doi="10.1037/a0011989",
        kind="impact_evaluation",
        design="randomised",
        strength=5,
        interventions=("media_development",),
        outcomes=("intergroup_behaviour",),
        summary="A year-long radio experiment in Rwanda.",
        effect="positive",
    ).checked()
    assert publication_problems(ready) == []
    # Guidance states no effect, and needs none.
    guidance = _draft(
        url="https://example.org/guide",
        kind="guidance",
        design="expert",
        strength=1,
        interventions=("training",),
        outcomes=("early_response",),
        summary="Advice.",
    ).checked()
    assert publication_problems(guidance) == []
