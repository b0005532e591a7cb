"""Hybrid search on the shipped entries: queries in other languages find English entries, and
drafts never surface for readers who may not see them."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.library import EntryFilter, add_entries
from prevention_lens.whatworks.search import fuse, search

ANALYST = Principal(username="ana", role=Role.ANALYST, user_id=2)


def _top(store: Store, query: str, mode: str = "hybrid", n: int = 3) -> list[str]:
    with store.session() as session:
        results = search(session, ANONYMOUS, query, mode=mode, limit=n)
    return [hit.entry.key for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("radio drama reconciliation after the genocide in Rwanda", "paluck-2009-rwanda-radio"),
        (
            "une émission de radio peut-elle réduire les préjugés au Rwanda",
            "paluck-2009-rwanda-radio",
        ),
        ("la Cour pénale internationale dissuade-t-elle les atrocités", "jo-2016-icc-deter"),
        ("fútbol entre cristianos y musulmanes en Irak", "mousa-2020-iraq-soccer"),
    ],
)
def test_queries_in_english_french_and_spanish_find_the_english_entry(
    sqlite_library: Store, query: str, expected: str
) -> None:
    assert expected in _top(sqlite_library, query)


def test_postgresql_full_text_and_fusion_rank_like_sqlite(library: Store) -> None:
    assert _top(library, "International Criminal Court deterrence", mode="text", n=3)[0] in {
        "jo-2016-icc-deter",
        "appel-2016-icc-shadow",
    }
    assert "paluck-2009-rwanda-radio" in _top(
        library, "une émission de radio peut-elle réduire les préjugés au Rwanda"
    )


def test_full_text_alone_misses_a_query_in_another_language_that_fusion_finds(
    sqlite_library: Store,
) -> None:
    query = "une émission de radio peut-elle réduire les préjugés au Rwanda"
    assert _top(sqlite_library, query, mode="hybrid", n=1) == ["paluck-2009-rwanda-radio"]
    assert "paluck-2009-rwanda-radio" in _top(sqlite_library, query, mode="semantic")


def test_each_hit_says_where_each_ranking_put_it(sqlite_library: Store) -> None:
    with sqlite_library.session() as session:
        results = search(session, ANONYMOUS, "peacekeeping protection of civilians", limit=5)
    assert results.total >= 5
    first = results.hits[0]
    assert first.text_rank is not None and first.semantic_rank is not None
    assert first.score == pytest.approx(1 / (60 + first.text_rank) + 1 / (60 + first.semantic_rank))
    assert sum(results.facets["kind"].values()) == results.total


def test_filters_and_facets_apply_to_search(sqlite_library: Store) -> None:
    with sqlite_library.session() as session:
        results = search(
            session, ANONYMOUS, "radio", EntryFilter(effect="negative"), mode="text", limit=50
        )
    assert results.hits
    assert all(hit.entry.effect == "negative" for hit in results.hits)
    assert results.facets["effect"] == {"negative": results.total}


def test_a_draft_is_found_by_analysts_and_never_by_the_public(store: Store) -> None:
    draft = EntryDraft(
        title="Zorblatt community circles against cattle raids",
        authors=("Desk, Analyst",),
        year=2025,
        key="desk-2025-zorblatt",
        summary="Zorblatt circles met monthly.",
    )
    with store.session() as session:
        add_entries(session, ANALYST, [draft])
    for mode in ("hybrid", "text", "semantic"):
        with store.session() as session:
            public = search(session, ANONYMOUS, "Zorblatt cattle raids", mode=mode, limit=50)
            staff = search(session, ANALYST, "Zorblatt cattle raids", mode=mode, limit=50)
        assert "desk-2025-zorblatt" not in [hit.entry.key for hit in public.hits]
        assert "draft" not in public.facets["status"]
        if mode != "semantic":
            assert staff.hits[0].entry.key == "desk-2025-zorblatt"


def test_without_a_query_every_visible_entry_is_listed_newest_first(sqlite_library: Store) -> None:
    with sqlite_library.session() as session:
        results = search(session, ANONYMOUS, "", limit=500)
    years = [hit.entry.year for hit in results.hits]
    assert results.total == len(years) >= 80
    assert years == sorted(years, reverse=True)


def test_bad_modes_and_long_queries_are_refused(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        with pytest.raises(ValidationError, match="unknown mode"):
            search(session, ANONYMOUS, "x", mode="magic")
        with pytest.raises(ValidationError, match="limit is 500"):
            search(session, ANONYMOUS, "x" * 501)


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    scores = fuse([[1, 2, 3], [3, 1]])
    assert max(scores, key=lambda item: scores[item]) == 1
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 62)
