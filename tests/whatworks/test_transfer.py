"""Transfer ranking on a fixed panel of contexts: order and reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from prevention_lens.whatworks.entries import Entry
from prevention_lens.whatworks.transfer import CountryContext, rank, study_year

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TARGET = CountryContext(
    "MMR", "Myanmar", 2024, "Asia", "South-eastern Asia", 0.08, 0.05, "active_conflict"
)
PANEL = {
    ("THA", 2015): CountryContext(
        "THA", "Thailand", 2015, "Asia", "South-eastern Asia", 0.10, 0.08, "active_conflict"
    ),
    ("NOR", 2015): CountryContext(
        "NOR", "Norway", 2015, "Europe", "Northern Europe", 0.91, 0.98, "no_conflict"
    ),
    ("IND", 2015): CountryContext(
        "IND", "India", 2015, "Asia", "Southern Asia", 0.55, 0.60, "post_conflict"
    ),
}


def _entry(number: int, countries: tuple[str, ...], period: str = "2015", **extra: object) -> Entry:
    values: dict[str, object] = {
        "id": number,
        "key": f"e{number}",
        "title": f"Entry {number}",
        "authors": ("A, B",),
        "year": 2019,
        "venue": "",
        "doi": None,
        "url": "https://example.org",
        "kind": "impact_evaluation",
        "design": None,
        "strength": 3,
        "summary": "",
        "interventions": (),
        "outcomes": (),
        "countries": countries,
        "regions": (),
        "conflict_phase": None,
        "regime_type": None,
        "period": period,
        "effect": None,
        "harm": "",
        "emmie": {},
        "language": "en",
        "tags": (),
        "verified_at": (),
        "verification_note": "",
        "status": "published",
        "origin": "manual",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(extra)
    return Entry(**values)  # type: ignore[arg-type]


def _context(key: str, year: int) -> CountryContext | None:
    return PANEL.get((key, year))


def test_the_most_similar_context_ranks_first_with_its_reasons() -> None:
    entries = [_entry(1, ("NOR",)), _entry(2, ("IND",)), _entry(3, ("THA",))]
    ranked = rank(TARGET, entries, _context)
    assert [item.entry.key for item in ranked] == ["e3", "e2", "e1"]
    best = ranked[0]
    assert best.reasons == (
        "same subregion (South-eastern Asia): Thailand",
        "similar electoral-democracy score 0.10 vs 0.08",
        "similar freedom-of-discussion score 0.08 vs 0.05",
        "both active armed conflict",
    )
    assert best.similarity > 0.95
    assert "another region (Europe)" in ranked[-1].reasons
    assert "different electoral-democracy score 0.91 vs 0.08" in ranked[-1].reasons


def test_a_multi_country_entry_is_judged_by_its_closest_country() -> None:
    (item,) = rank(TARGET, [_entry(1, ("NOR", "THA"))], _context)
    assert item.compared_with is not None and item.compared_with.key == "THA"


def test_the_phase_the_study_describes_overrides_the_conflict_data() -> None:
    (item,) = rank(TARGET, [_entry(1, ("THA",), conflict_phase="post_conflict")], _context)
    assert "post-conflict there, active armed conflict here" in item.reasons


def test_a_global_review_is_compared_on_what_it_says_and_ranks_below_a_close_match() -> None:
    review = _entry(1, (), period="", conflict_phase="active_conflict")
    ranked = rank(TARGET, [review, _entry(2, ("THA",))], _context)
    assert ranked[0].entry.key == "e2"
    assert "global or multi-country: no single place to compare" in ranked[1].reasons


def test_the_study_year_is_the_middle_of_its_period() -> None:
    assert study_year(_entry(1, (), period="2004-2006")) == 2005
    assert study_year(_entry(1, (), period="")) == 2016
