"""Transfer on the real shared data: Myanmar today against the shipped library."""

from __future__ import annotations

import pytest

from prevention_lens.briefs.transfer import transfer_ranking
from prevention_lens.errors import SettingsError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS
from prevention_lens.whatworks.packaged import load_packaged
from tests.conftest import sources_folder


@pytest.mark.shared_data
def test_myanmar_is_compared_on_real_contexts_with_reasons(
    sqlite_store: Store, settings: Settings
) -> None:
    sources_folder()
    with sqlite_store.session() as session:
        load_packaged(session)
        ranking = transfer_ranking(session, ANONYMOUS, settings, "Burma", limit=10)
    target = ranking.target
    assert (target.key, target.region) == ("MMR", "Asia")
    assert target.polyarchy is not None and target.polyarchy < 0.3
    assert target.conflict_phase == "active_conflict"
    assert len(ranking.items) == 10
    similarities = [item.similarity for item in ranking.items]
    assert similarities == sorted(similarities, reverse=True)
    top = ranking.items[0]
    assert top.compared_with is not None and top.compared_with.region == "Asia"
    assert any("electoral-democracy score" in reason for reason in top.reasons)
    assert ranking.to_dict()["sources"]


def test_transfer_without_the_data_folder_says_what_to_set(
    sqlite_store: Store, settings: Settings
) -> None:
    without = settings.replace(sources=None)
    with sqlite_store.session() as session, pytest.raises(SettingsError, match="LENS_SOURCES"):
        transfer_ranking(session, ANONYMOUS, without, "Myanmar")
