"""The gap map's counts and gap kinds (3ie: absolute gaps apart from synthesis gaps)."""

from __future__ import annotations

from datetime import UTC, datetime

from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS
from prevention_lens.whatworks.entries import Entry
from prevention_lens.whatworks.gapmap import gap_map, library_gap_map
from prevention_lens.whatworks.vocabulary import INTERVENTIONS, OUTCOMES

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _entry(
    number: int,
    kind: str,
    interventions: tuple[str, ...],
    outcomes: tuple[str, ...],
    strength: int = 3,
    harm: str = "",
    countries: tuple[str, ...] = (),
) -> Entry:
    return Entry(
        id=number, key=f"e{number}", title=f"Entry {number}", authors=("A, B",), year=2020,
        venue="", doi=None, url="https://example.org", kind=kind, design=None, strength=strength,
        summary="", interventions=interventions, outcomes=outcomes, countries=countries,
        regions=(), conflict_phase=None, regime_type=None, period="", effect=None, harm=harm,
        emmie={}, language="en", tags=(), verified_at=(), verification_note="",
        status="published", origin="manual", created_at=NOW, updated_at=NOW,
    )  # fmt: skip


ENTRIES = [
    _entry(1, "impact_evaluation", ("media_development",), ("intergroup_attitudes",), 5),
    _entry(
        2, "impact_evaluation", ("media_development",), ("intergroup_attitudes",), 4, "backlash"
    ),
    _entry(3, "observational_study", ("media_development", "training"), ("hate_speech",), 3),
    _entry(4, "systematic_review", ("social_cohesion",), ("intergroup_attitudes",), 5),
    _entry(5, "impact_evaluation", ("social_cohesion",), ("intergroup_attitudes",), 5),
    _entry(6, "guidance", ("early_warning",), ("early_response",), 1),
]


def test_cells_count_entries_and_tell_gap_kinds_apart() -> None:
    gaps = gap_map(ENTRIES)
    assert len(gaps.cells) == len(INTERVENTIONS) * len(OUTCOMES)
    media = gaps.cell("media_development", "intergroup_attitudes")
    assert (media.count, media.studies, media.reviews, media.strongest, media.harms) == (
        2,
        2,
        0,
        5,
        1,
    )
    assert media.mean_strength == 4.5
    assert media.state == "synthesis_gap"
    assert gaps.cell("social_cohesion", "intergroup_attitudes").state == "synthesised"
    assert gaps.cell("training", "hate_speech").state == "thin"
    guidance = gaps.cell("early_warning", "early_response")
    assert (guidance.count, guidance.studies, guidance.other, guidance.state) == (
        1,
        0,
        1,
        "absolute_gap",
    )
    assert gaps.cell("accountability", "wellbeing").state == "absolute_gap"
    counts = gaps.state_counts()
    assert sum(counts.values()) == len(gaps.cells)
    assert (counts["synthesis_gap"], counts["synthesised"], counts["thin"]) == (1, 1, 2)


def test_the_gap_map_of_the_shipped_library_links_each_cell_to_its_entries(
    sqlite_library: Store,
) -> None:
    with sqlite_library.session() as session:
        everywhere = library_gap_map(session, ANONYMOUS)
        rwanda = library_gap_map(session, ANONYMOUS, country="RWA")
    assert everywhere.entries >= 80
    assert sum(cell.count for cell in everywhere.cells) >= everywhere.entries
    assert rwanda.entries < everywhere.entries
    cell = everywhere.cell("media_development", "intergroup_behaviour")
    assert cell.count >= 1
    assert cell.to_dict()["entry_ids"] == list(cell.entry_ids)
