"""The signals' event table: one row per event and month it counts in, with month- and
year-dated events spread over the months they may fall in."""

from __future__ import annotations

import pandas as pd
import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.signal_events import _prepare


def _events(*rows: dict[str, object]) -> pd.DataFrame:
    base = {
        "country_key": "AAA",
        "admin1": None,
        "category": "one_sided_violence",
        "identity_targeted": False,
        "fatalities": 6,
    }
    return pd.DataFrame([{**base, "event_id": f"e{i}", **row} for i, row in enumerate(rows)])


def _label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def test_a_year_dated_event_counts_a_twelfth_in_each_month_of_its_year() -> None:
    prepared = _prepare(
        _events(
            {"date": "2022-01-01", "date_precision": "year"},
            {"date": "2022-12-20", "date_precision": "day"},
        )
    )
    spread = prepared[prepared["event_id"] == "e0"]
    assert [_label(int(m)) for m in spread["month"]] == [f"2022-{m:02d}" for m in range(1, 13)]
    assert spread["weight"].tolist() == pytest.approx([1 / 12] * 12)
    assert spread["imprecise"].all()
    assert prepared[prepared["event_id"] == "e1"]["weight"].tolist() == [1.0]


def test_a_month_dated_event_runs_to_its_end_date() -> None:
    prepared = _prepare(
        _events(
            {"date": "2022-03-01", "date_end": "2022-04-30", "date_precision": "month"},
            {"date": "2022-06-01", "date_precision": "day"},
        )
    )
    spread = prepared[prepared["event_id"] == "e0"]
    assert [_label(int(m)) for m in spread["month"]] == ["2022-03", "2022-04"]
    assert spread["weight"].tolist() == [0.5, 0.5]


def test_without_the_optional_columns_every_event_is_day_dated_and_unknown() -> None:
    prepared = _prepare(_events({"date": "2022-01-01"}))
    assert prepared["weight"].tolist() == [1.0]
    assert prepared["perpetrator_kind"].tolist() == ["unknown"]
    assert not prepared["imprecise"].any()


def test_a_bad_precision_or_perpetrator_names_the_row_and_column() -> None:
    with pytest.raises(ValidationError) as caught:
        _prepare(_events({"date": "2022-01-01"}, {"date": "2022-01-02", "date_precision": "x"}))
    assert (caught.value.field, caught.value.row) == ("date_precision", 2)
    with pytest.raises(ValidationError) as caught:
        _prepare(_events({"date": "2022-01-01", "perpetrator_kind": "army"}))
    assert caught.value.field == "perpetrator_kind"
