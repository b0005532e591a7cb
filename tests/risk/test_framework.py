"""The Framework in the store: loaded idempotently, corrected by admins only, history kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import NotFoundError, PermissionDeniedError, ValidationError
from prevention_lens.ingest import get_format, run_import
from prevention_lens.risk.framework import (
    correct_indicator,
    framework_factors,
    indicator_history,
    scorable_codes,
)
from prevention_lens.settings import Settings
from prevention_lens.sources.frameworks import read_framework
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from tests.conftest import sources_folder


def test_factors_without_indicators_are_scored_as_a_whole(framework_store: Store) -> None:
    with framework_store.session() as session:
        assert scorable_codes(session) == {"1.1": 1, "1.2": 1, "11": 11}
        first = framework_factors(session)[0]
        assert [i.unverified for i in first.indicators] == [True, False]


def test_admin_correction_is_kept_across_reimports(
    framework_store: Store, settings: Settings, framework_file: Path
) -> None:
    with framework_store.session() as session:
        correct_indicator(
            session,
            LOCAL_OPERATOR,
            "1.1",
            "Armed conflict, international or not.",
            verified=True,
            note="checked against A/70/741",
        )
    report = run_import(
        framework_store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework_file
    )
    assert (report.rows_created, report.rows_updated, report.rows_unchanged) == (0, 0, 2)
    with framework_store.session() as session:
        indicator = framework_factors(session)[0].indicators[0]
        assert indicator.text == "Armed conflict, international or not."
        assert indicator.unverified is False and indicator.edited_by == "local-operator"
        history = indicator_history(session, "1.1")
        assert [r.text for r in history] == [
            "An armed conflict is under way.",
            "Armed conflict, international or not.",
        ]


def test_only_admins_correct_indicators(framework_store: Store) -> None:
    analyst = Principal("ana", Role.ANALYST, 5)
    with pytest.raises(PermissionDeniedError), framework_store.session() as session:
        correct_indicator(session, analyst, "1.1", "x", verified=True, note="")
    with pytest.raises(NotFoundError), framework_store.session() as session:
        correct_indicator(session, LOCAL_OPERATOR, "99.1", "x", verified=True, note="")


def test_unloaded_framework_says_how_to_load_it(store: Store) -> None:
    with pytest.raises(NotFoundError, match="lens data import un-framework"), store.session() as s:
        framework_factors(s)


def test_misnumbered_indicator_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "risk_factors:\n  - number: 2\n    kind: common\n    name: X\n"
        "    indicators:\n      - {id: '3.1', text: 'wrong factor'}\n"
    )
    with pytest.raises(ValidationError, match=r"bad.yaml, field 'id': indicator '3.1' of factor 2"):
        read_framework(path)


@pytest.mark.shared_data
def test_the_real_framework_file_has_fourteen_factors() -> None:
    factors, problems = read_framework(
        sources_folder() / "frameworks" / "framework_of_analysis.yaml"
    )
    assert problems == [] and [f.number for f in factors] == list(range(1, 15))
    assert all(f.indicators == () for f in factors if f.number in (11, 12, 14))
