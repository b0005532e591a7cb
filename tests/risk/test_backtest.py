"""Backtests: the EWP protocol on a small panel with a hand-checked answer, and on the real file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.base import BaseEstimator, ClassifierMixin

import prevention_lens
from prevention_lens.errors import ValidationError
from prevention_lens.risk.backtest import (
    FORECAST_COLUMNS,
    ewp_protocol,
    ewp_scoring,
    forecast_latest,
    read_published_foos,
    rolling_origin,
)
from prevention_lens.risk.models import FeatureLogit, replication_model
from prevention_lens.risk.panel import Panel, PanelSpec, load_packaged_panel, load_panel
from tests.conftest import sources_folder

SPEC = PanelSpec(
    unit="ccode",
    time="year",
    outcome="onset_1or2",
    event="onset",
    label="name",
    horizon=2,
    predictors=("score", "year"),
)
# Forecast scores by country and year; the spy model below forecasts exactly these.
SCORES = {
    2002: {"Chad": 0.3, "Myanmar": 0.2, "Sudan": 0.1},
    2003: {"Chad": 0.1, "Myanmar": 0.4, "Sudan": 0.2},
    2004: {"Chad": 0.2, "Myanmar": 0.1, "Sudan": 0.5},
    2005: {"Chad": 0.15, "Myanmar": 0.25, "Sudan": 0.35, "Mali": 0.05},
    2006: {"Chad": 0.6, "Myanmar": 0.3, "Sudan": 0.2, "Mali": 0.1},
}
CODES = {"Chad": 483, "Myanmar": 775, "Sudan": 625, "Mali": 432}
# Onsets: Chad 2001 and 2006, Myanmar 2003, Mali 2004 (its predictors are missing), Sudan 2005.
ONSETS = {("Chad", 2001), ("Chad", 2006), ("Myanmar", 2003), ("Mali", 2004), ("Sudan", 2005)}


def _small_panel(tmp_path: Path) -> Panel:
    lines = ["name,ccode,year,score,onset,onset_1or2"]
    for name, code in CODES.items():
        for year in range(1998, 2007):
            score = SCORES.get(year, {}).get(name, 0.05)
            shown = "NA" if name == "Mali" and 2002 <= year <= 2004 else str(score)
            onset = int((name, year) in ONSETS)
            ahead = int((name, year + 1) in ONSETS or (name, year + 2) in ONSETS)
            lines.append(f"{name},{code},{year},{shown},{onset},{ahead}")
    path = tmp_path / "small.csv"
    path.write_text("\n".join(lines) + "\n")
    return load_panel(path, SPEC)


class ScoreSpy(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Forecasts the 'score' column as the probability; remembers its last training year."""

    last_years: ClassVar[list[int]] = []

    def fit(self, X: pd.DataFrame, y: pd.Series, time: pd.Series | None = None) -> ScoreSpy:
        assert time is not None
        ScoreSpy.last_years.append(int(time.max()))
        self.classes_ = np.array([0, 1])
        self.fitted_ = True
        return self

    def decision_function(self, X: pd.DataFrame) -> Any:
        return logit(X["score"].to_numpy(float))

    def predict_proba(self, X: pd.DataFrame) -> Any:
        score = X["score"].to_numpy(float)
        return np.column_stack([1 - score, score])


@pytest.fixture
def small(tmp_path: Path) -> Panel:
    ScoreSpy.last_years.clear()
    return _small_panel(tmp_path)


def test_protocol_trains_on_years_up_to_t_and_forecasts_from_t_plus_two(small: Panel) -> None:
    run = ewp_protocol(small, ScoreSpy(), first_origin=2000, last_origin=2002, name="spy")
    assert ScoreSpy.last_years == [2000, 2001, 2002]
    table = run.forecasts
    assert list(table.columns) == list(FORECAST_COLUMNS)
    assert table["forecast_year"].tolist() == [2002] * 3 + [2003] * 3 + [2004] * 3
    by_year = table.set_index(["forecast_year", "label"])
    assert by_year.loc[(2003, "Myanmar"), "probability"] == 0.4
    assert by_year.loc[(2003, "Myanmar"), "rank"] == 1 and by_year.loc[(2003, "Chad"), "rank"] == 3
    assert by_year.loc[(2004, "Chad"), "outcome"] == 1  # Chad's onset in 2006
    assert run.protocol == "ewp" and run.model.name == "spy" and run.horizon == 2
    assert run.data_sha256 == small.sha256 and run.code_version == prevention_lens.__version__


def test_scoring_takes_the_larger_of_the_two_forecasts_covering_a_year(small: Panel) -> None:
    run = ewp_protocol(small, ScoreSpy(), first_origin=2000, last_origin=2002)
    scored = ewp_scoring(run.forecasts, small)
    assert sorted(scored["year"].unique()) == [2003, 2004, 2005, 2006]
    got = scored.assign(name=scored["unit"].map({v: k for k, v in CODES.items()}))
    got = got.set_index(["year", "name"])
    expected = {
        (2003, "Chad"): (0.3, 1, 0),
        (2003, "Myanmar"): (0.2, 2, 1),
        (2004, "Chad"): (0.3, 1, 0),
        (2004, "Myanmar"): (0.4, 1, 0),
        (2004, "Sudan"): (0.2, 2, 0),
        (2005, "Chad"): (0.2, 2, 0),
        (2005, "Myanmar"): (0.4, 1, 0),
        (2005, "Sudan"): (0.5, 1, 1),
        (2006, "Chad"): (0.2, 2, 1),
        (2006, "Myanmar"): (0.1, 3, 0),
    }
    for key, (risk, rank, event) in expected.items():
        assert tuple(got.loc[key, ["max_risk", "min_rank", "event"]]) == (risk, rank, event), key
    # Mali's 2004 onset counts although Mali could not be forecast.
    mali = got.loc[[(2004, "Mali")]]
    assert mali["max_risk"].isna().all() and mali["event"].tolist() == [1]
    assert scored["event"].sum() == 4


def test_extra_gap_drops_the_latest_training_years(small: Panel) -> None:
    ewp_protocol(small, ScoreSpy(), first_origin=2000, last_origin=2001, extra_gap=1)
    assert ScoreSpy.last_years == [1999, 2000]


def test_rolling_origin_can_limit_the_training_window(small: Panel) -> None:
    run = rolling_origin(small, ScoreSpy(), [2004], window=3)
    assert ScoreSpy.last_years == [2002] and run.protocol == "rolling"
    assert run.forecasts["last_training_year"].unique().tolist() == [2002]


def test_bad_windows_and_years_are_named(small: Panel) -> None:
    with pytest.raises(ValidationError, match="no positive cases in the training window"):
        ewp_protocol(small, ScoreSpy(), first_origin=1998, last_origin=1998)
    with pytest.raises(ValidationError, match="no complete rows for year 2009"):
        rolling_origin(small, ScoreSpy(), [2009])
    with pytest.raises(ValidationError, match="no forecast years given"):
        rolling_origin(small, ScoreSpy(), [])


def test_published_file_becomes_a_run_with_one_row_per_forecast(
    small: Panel, tmp_path: Path
) -> None:
    path = tmp_path / "foos.csv"
    path.write_text(
        '"","year","ewp_name","ccode","mk_onset","prev_year","two_years_prior","risk_prev",'
        '"rank_prev","risk_two_years_prior","rank_two_years_prior","maxrisk2","minrank2"\n'
        '"1",2004,"Chad",483,0,2003,2002,0.1,3,0.3,1,0.3,1\n'
        '"2",2005,"Chad",483,0,2004,2003,0.2,2,0.1,3,0.2,2\n'
        '"3",2004,"Mali",432,1,2003,2002,NA,NA,NA,NA,NA,NA\n'
    )
    run = read_published_foos(path, small)
    assert run.protocol == "ewp-published" and run.data_source == "foos.csv"
    rows = run.forecasts.set_index("forecast_year")
    assert rows["probability"].to_dict() == {2002: 0.3, 2003: 0.1, 2004: 0.2}
    assert rows.loc[2004, "outcome"] == 1 and rows.loc[2004, "country_key"] == "TCD"


def test_latest_forecast_has_interval_change_and_drivers(small: Panel) -> None:
    table = forecast_latest(small, FeatureLogit(["score"]), interval_draws=5, n_drivers=1)
    assert table["forecast_year"].unique().tolist() == [2006]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert (table["lower"] <= table["probability"]).all()
    assert (table["probability"] <= table["upper"]).all()
    np.testing.assert_allclose(
        table["change"], table["probability"] - table["previous_probability"]
    )
    assert all(len(pairs) == 1 and pairs[0][0] == "score" for pairs in table["drivers"])
    # The change splits into the refit and the predictors that moved, and the parts add up.
    for change, parts in zip(table["change"], table["change_parts"], strict=True):
        assert parts[0]["kind"] == "refit"
        assert sum(part["change"] for part in parts) == pytest.approx(change, abs=1e-12)
    quick = forecast_latest(small, FeatureLogit(["score"]), interval_draws=0)
    assert quick["lower"].isna().all()


@pytest.mark.shared_data
def test_published_file_round_trips_through_the_scoring_table() -> None:
    folder = sources_folder()
    panel = load_packaged_panel(sources=folder)
    path = folder / "ewp-2025" / "FOOSforecasts_3Sep2025.csv"
    scored = ewp_scoring(read_published_foos(path, panel).forecasts, panel)
    published = pd.read_csv(path).rename(columns={"ccode": "unit"})
    merged = scored.merge(published, on=["unit", "year"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 5047
    np.testing.assert_array_equal(merged["max_risk"], merged["maxrisk2"])
    np.testing.assert_array_equal(merged["min_rank"], merged["minrank2"])


@pytest.mark.shared_data
def test_one_origin_of_the_replication_matches_ewps_forecasts() -> None:
    folder = sources_folder()
    panel = load_packaged_panel(sources=folder)
    ours = rolling_origin(panel, replication_model(), [2023]).forecasts.set_index("unit")
    published = pd.read_csv(folder / "ewp-2025" / "FOOSforecasts_3Sep2025.csv")
    theirs = published[published["year"] == 2024].set_index("ccode")["risk_prev"].dropna()
    both = ours.join(theirs, how="inner")
    assert len(both) == len(theirs) > 150
    assert np.max(np.abs(both["probability"] - both["risk_prev"])) < 0.01
    assert both["probability"].corr(both["risk_prev"], method="spearman") > 0.99
