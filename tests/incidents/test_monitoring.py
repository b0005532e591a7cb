"""Alerts over stored records, typed: the JSON of each keeps the shape of ``Alert.to_dict()``
with the country's name and the events behind it."""

from __future__ import annotations

import dataclasses

import pytest

from prevention_lens.incidents.monitoring import AlertEvent, RecordAlert
from prevention_lens.incidents.signals import Alert

EVENT = AlertEvent(
    id=7,
    title="Attack on a village",
    date="2017-08-25",
    category="one_sided_violence",
    category_label="One-sided violence",
    admin1="Rakhine",
    fatalities=12,
    status="verified",
    date_precision="day",
    perpetrator_kind="state",
)


def _alert() -> Alert:
    return Alert(
        level="admin1",
        country_key="MMR",
        admin1="Rakhine",
        series="one_sided_events",
        month="2017-08",
        observed=11.0,
        expected=1.5,
        p_value=1e-6,
        score=6.0,
        event_ids=("7",),
        imprecise_share=0.0,
        perpetrator_kinds=("state",),
    )


def test_the_json_is_the_alerts_own_with_the_country_name_and_events() -> None:
    alert = _alert()
    shown = RecordAlert.of(alert, "Myanmar", (EVENT,))
    expected = alert.to_dict() | {
        "country_name": "Myanmar",
        "events": [dataclasses.asdict(EVENT)],
    }
    assert shown.to_dict() == expected and list(shown.to_dict()) == list(expected)
    assert (shown.place, shown.series_label) == ("MMR / Rakhine", alert.to_dict()["series_label"])
    assert shown.low_precision is False


def test_alerts_are_frozen() -> None:
    shown = RecordAlert.of(_alert(), "Myanmar", (EVENT,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.observed = 0.0  # type: ignore[misc]
