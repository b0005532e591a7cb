"""Alert episodes and the backtest: merged alert months, the lead and the alerts elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.episodes import alert_episodes, backtest_peak
from prevention_lens.incidents.signals import escalation_signals, monthly_series
from tests.conftest import sources_folder
from tests.incidents.event_lists import FIGHTING, ONLY_CIVILIAN_EVENTS, Events


def test_alert_episodes_merge_consecutive_months_of_one_place_and_series() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2022-01", 8)
    events.add("2022-02", 12)
    events.add("2022-06", 40)
    alerts = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    episodes = alert_episodes(alerts)
    spans = sorted((e.first_month, e.last_month, len(e.alerts)) for e in episodes)
    assert spans == [("2022-01", "2022-02", 2), ("2022-06", "2022-06", 1)]
    assert episodes[0].peak_score == max(a.score for a in alerts)
    assert len(alert_episodes(alerts, max_gap_months=4)) == 1
    with pytest.raises(ValidationError, match="max_gap_months"):
        alert_episodes(alerts, max_gap_months=0)


def _ramp() -> Events:
    """East ramps up to a peak in 2021-04; West alerts once and nothing follows; North alerts,
    then 30 civilians are killed there in one month."""
    events = Events()
    for region in ("East", "West", "North"):
        events.flat("2019-01", "2021-12", admin1=region)
    events.add("2021-01", 1, admin1="East")  # 2 events: below min_count
    events.add("2021-02", 4, admin1="East")  # 5 against ~1.04: the first alert
    events.add("2021-03", 7, admin1="East")
    events.add("2021-04", 19, admin1="East", deaths=15.0)  # 20 events, 285 deaths: the peak
    events.add("2020-06", 9, admin1="West", category=FIGHTING)
    events.add("2020-03", 5, admin1="North")
    events.add("2020-05", 3, admin1="North", deaths=10.0)
    return events


def test_backtest_peak_gives_the_lead_and_the_alerts_that_led_to_nothing() -> None:
    result = backtest_peak(_ramp().frame(), country_key="AAA", admin1="East", peak_month="2021-04")
    assert result["peak_one_sided_fatalities"] == 285.0
    assert result["first_alert"] == "2021-02"
    assert result["first_alert_series"] == ["all_events", "one_sided_events"]
    assert result["lead_months"] == 2
    assert result["alert_at_peak"] is True
    # West's fighting alerts once on all_events and nothing follows; North alerts on events in
    # March and on deaths in May, when 30 civilians are killed: not a false alarm.
    assert result["alerts_elsewhere_by_series"] == {
        "one_sided_events": 1,
        "one_sided_fatalities": 1,
        "all_events": 2,
        "all_fatalities": 1,
    }
    assert result["false_alarms_by_series"] == {"all_events": 1}
    assert (result["false_alarms"], result["false_alarm_episodes"]) == (1, 1)
    assert result["unresolved_alerts"] == 0
    # East: two series alert in February and in March, four at the peak.
    assert result["alerts_before_peak"] == 4
    assert result["alerts_total"] == result["alerts_elsewhere"] + 8


def test_backtest_counts_recent_alerts_apart_as_unresolved() -> None:
    events = _ramp()
    events.add("2021-11", 9, admin1="West")
    result = backtest_peak(events.frame(), country_key="AAA", admin1="East", peak_month="2021-04")
    assert (result["false_alarms"], result["unresolved_alerts"]) == (1, 2)


def test_backtest_counts_a_later_episode_at_the_place_as_elsewhere() -> None:
    events = _ramp()
    events.add("2021-10", 40, admin1="East")
    result = backtest_peak(events.frame(), country_key="AAA", admin1="East", peak_month="2021-04")
    assert (result["alerts_elsewhere"], result["alerts_before_peak"]) == (7, 4)
    assert result["unresolved_alerts"] == 2


def test_backtest_without_an_earlier_alert_says_so() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2022-01", 8)
    result = backtest_peak(events.frame(), country_key="AAA", admin1=None, peak_month="2022-01")
    assert (result["first_alert"], result["lead_months"], result["alert_at_peak"]) == (
        None,
        None,
        True,
    )
    with pytest.raises(ValidationError, match="no events at AAA / Nowhere"):
        backtest_peak(events.frame(), country_key="AAA", admin1="Nowhere", peak_month="2022-01")
    with pytest.raises(ValidationError, match="peak_month"):
        backtest_peak(events.frame(), country_key="AAA", admin1=None, peak_month="2022-13")


@pytest.mark.shared_data
def test_ged_myanmar_alerts_before_the_2017_rakhine_peak() -> None:
    folder = sources_folder() / "ucdp" / "ged"
    ged = pd.concat(
        [
            pd.read_csv(folder / "ged_myanmar_1989-2022.csv"),
            pd.read_csv(folder / "ged_myanmar_2023.csv"),
        ],
        ignore_index=True,
    )
    kinds = {1: "state_based_conflict", 2: "non_state_conflict", 3: "one_sided_violence"}
    events = pd.DataFrame(
        {
            "event_id": ged["id"].astype(str),
            "date": ged["date_start"],
            "country_key": "MMR",
            "admin1": ged["adm_1"],
            "category": ged["type_of_violence"].map(kinds),
            "identity_targeted": False,  # GED has no such field
            "fatalities": ged["best"],
        }
    )
    panel = monthly_series(events, level="admin1")
    rakhine = panel[
        (panel["admin1"] == "Rakhine state") & panel["month"].between("2016-01", "2018-12")
    ]
    peak = str(rakhine["month"].to_numpy()[rakhine["one_sided_fatalities"].to_numpy().argmax()])
    assert peak == "2017-08"
    result = backtest_peak(events, country_key="MMR", admin1="Rakhine state", peak_month=peak)
    assert result["first_alert"] == "2016-10"
    assert result["lead_months"] == 10
    assert "one_sided_events" in result["first_alert_series"]
