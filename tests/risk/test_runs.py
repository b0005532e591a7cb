"""A forecast run from panel to store, the one the CLI, the web app and the briefs call."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.risk.country import country_risk
from prevention_lens.risk.runs import choose_panel, forecast_run
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR
from prevention_lens.store.reference import find_country
from tests.risk.synthetic import ISO3, write_panel


def test_a_run_is_stored_and_its_changes_explained(store: Store, tmp_path: Path) -> None:
    panel = choose_panel(None, write_panel(tmp_path))
    result = forecast_run(store.session, LOCAL_OPERATOR, panel, "ewp_replication", draws=0)
    assert result.run_id is not None and result.panel_spec == "tiny"
    assert result.origin_year == 2012 and len(result.countries) == len(ISO3)
    assert [c.rank for c in result.countries] == sorted(c.rank for c in result.countries)
    # No label column in the panel: names come from the country reference.
    assert {c.country for c in result.countries} >= {"Myanmar", "Chad"}
    assert result.change_method.startswith("Shapley values")
    with store.session() as session:
        risk = country_risk(session, ANONYMOUS, find_country(session, "Burma"))
    latest = risk.latest
    assert latest is not None and latest.run_id == result.run_id
    assert latest.parts[0].kind == "refit"
    assert latest.change is not None
    assert sum(p.change for p in latest.parts) == pytest.approx(latest.change, abs=1e-12)
    assert risk.track is None  # no backtest stored


def test_without_storing_nothing_is_kept(store: Store, tmp_path: Path) -> None:
    panel = choose_panel(None, write_panel(tmp_path))
    result = forecast_run(
        store.session, LOCAL_OPERATOR, panel, "boosted_trees", draws=0, store=False
    )
    assert result.run_id is None
    with store.session() as session:
        assert country_risk(session, ANONYMOUS, find_country(session, "MMR")).latest is None


def test_a_model_the_panel_cannot_feed_is_named(store: Store, tmp_path: Path) -> None:
    panel = choose_panel(None, write_panel(tmp_path))
    with pytest.raises(ValidationError, match="'battle_deaths_logit' needs columns"):
        forecast_run(store.session, LOCAL_OPERATOR, panel, "battle_deaths_logit")
