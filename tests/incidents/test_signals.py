"""Escalation signals: baselines from the past only, alerts with their events."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.signals import (
    COLUMNS,
    SERIES,
    Alert,
    SignalSettings,
    escalation_signals,
    monthly_series,
)
from tests.incidents.event_lists import FIGHTING, ONLY_CIVILIAN_EVENTS, Events, month_range


def _poisson_tail(mean: float, k: int) -> float:
    """P(X >= k) for a Poisson count, by hand."""
    return 1 - sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k))


def _keys(alerts: Iterable[Alert]) -> list[tuple[str | None, str, str]]:
    return [(a.admin1, a.series, a.month) for a in alerts]


def test_flat_history_then_spike_gives_one_alert_with_its_events() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    spike = events.add("2022-01", 8)
    events.add("2022-01", 2, category=FIGHTING)
    alerts = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.level, alert.country_key, alert.admin1) == ("country", "AAA", None)
    assert (alert.series, alert.month, alert.observed, alert.expected) == (
        "one_sided_events",
        "2022-01",
        8.0,
        1.0,
    )
    assert alert.event_ids == tuple(spike)
    # History of exactly one event a month has no spread: Poisson(1), P(X >= 8).
    assert alert.p_value == pytest.approx(_poisson_tail(1.0, 8), rel=1e-9)
    assert alert.score == pytest.approx(-math.log10(alert.p_value))
    assert alert.to_dict()["event_ids"] == spike
    assert alert.to_dict()["series_label"] == SERIES["one_sided_events"]


def test_every_series_alerts_only_where_its_events_are() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    spike = events.add("2022-01", 8, deaths=0.0)
    targeted = events.add("2022-01", 4, category=FIGHTING, identity=True, deaths=40.0)
    alerts = escalation_signals(events.frame())
    by_series = {a.series: a for a in alerts}
    assert set(by_series) == {
        "one_sided_events",
        "identity_targeted_events",
        "identity_targeted_fatalities",
        "all_events",
        "all_fatalities",
    }
    assert by_series["one_sided_events"].event_ids == tuple(spike)
    assert by_series["identity_targeted_events"].event_ids == tuple(targeted)
    assert by_series["all_events"].event_ids == tuple(spike + targeted)
    # A death series lists the events that had deaths.
    assert by_series["all_fatalities"].event_ids == tuple(targeted)
    assert by_series["all_fatalities"].observed == 160.0


def test_violence_against_civilians_takes_every_category_marked_so() -> None:
    events = Events()
    for category in ("sexual_violence", "forced_displacement", "riot_mob_violence", "unlisted"):
        events.add("2020-01", category=category)
    row = monthly_series(events.frame()).iloc[0]
    assert (row["one_sided_events"], row["all_events"]) == (2, 4)


def test_baseline_never_uses_the_alert_month_or_later_months() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2022-01", 8)
    before = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    events.add("2022-02", 30)
    events.flat("2022-03", "2023-06", per_month=5)
    after = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    first = [a for a in after if a.month == "2022-01"]
    assert first == before
    # The alert month's own eight events are not in its expected count.
    assert before[0].expected == 1.0


def test_baseline_is_the_trailing_window_only() -> None:
    events = Events()
    events.flat("2019-01", "2020-12", per_month=6)
    events.flat("2021-01", "2021-12", per_month=1)
    events.add("2022-01", 6)
    short = SignalSettings(baseline_months=12, series=("one_sided_events",))
    alerts = escalation_signals(events.frame(), settings=short)
    assert _keys(alerts) == [(None, "one_sided_events", "2022-01")]
    assert alerts[0].expected == 1.0
    # Over 24 months the busy year is in the window and six events are ordinary.
    assert escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS) == []


@given(
    history=st.lists(st.integers(min_value=0, max_value=6), min_size=8, max_size=30),
    future=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
)
@hypothesis_settings(max_examples=30, deadline=None)
def test_months_added_later_never_change_earlier_alerts(
    history: list[int], future: list[int]
) -> None:
    months = month_range("2015-01", "2030-12")
    events = Events()
    events.add(months[0])
    for month, count in zip(months[1:], history, strict=False):
        events.add(month, count, deaths=2.0)
    cutoff = months[len(history)]
    before = escalation_signals(events.frame())
    for month, count in zip(months[len(history) + 1 :], future, strict=False):
        events.add(month, count, deaths=5.0)
    after = [a for a in escalation_signals(events.frame()) if a.month <= cutoff]
    assert sorted(after, key=repr) == sorted(before, key=repr)


def test_months_without_events_are_zeros_from_each_places_first_event() -> None:
    events = Events()
    events.add("2020-01", admin1="North", deaths=3.0)
    events.add("2020-04", admin1="North", category=FIGHTING)
    events.add("2020-03", admin1="South", identity=True)
    events.add("2020-02", admin1=None)
    panel = monthly_series(events.frame(), level="admin1")
    rows = {(r.admin1, r.month): r for r in panel.itertuples()}
    assert sorted(rows) == [
        ("North", "2020-01"),
        ("North", "2020-02"),
        ("North", "2020-03"),
        ("North", "2020-04"),
        ("South", "2020-03"),
        ("South", "2020-04"),
    ]
    assert list(panel.columns) == ["country_key", "admin1", "month", *SERIES]
    north_jan = rows[("North", "2020-01")]
    assert (north_jan.one_sided_events, north_jan.one_sided_fatalities) == (1, 3.0)
    assert (rows[("North", "2020-02")].all_events, rows[("North", "2020-04")].all_events) == (0, 1)
    assert rows[("North", "2020-04")].one_sided_events == 0
    assert rows[("South", "2020-03")].identity_targeted_events == 1
    country = monthly_series(events.frame())
    assert list(country["month"]) == month_range("2020-01", "2020-04")
    assert list(country["all_events"]) == [1, 1, 1, 1]
    assert country["admin1"].isna().all()


def test_one_region_spelled_several_ways_is_one_place_under_its_latest_name() -> None:
    events = Events()
    events.add("2006-05", admin1="Bago division")
    events.add("2009-02", admin1="Bago  Region")
    events.add("2012-07", admin1="bago region")
    events.add("2009-03", admin1="Karen state")  # renamed: Kayin State, which stays apart
    events.add("2012-01", admin1="Kayin state")
    events.add("2012-02", admin1="Bago", country="BBB")  # the same name in another country
    panel = monthly_series(events.frame(), level="admin1")
    places = panel.groupby(["country_key", "admin1"])["all_events"].sum().to_dict()
    assert places == {
        ("AAA", "bago region"): 3,
        ("AAA", "Karen state"): 1,
        ("AAA", "Kayin state"): 1,
        ("BBB", "Bago"): 1,
    }
    bago = panel[panel["admin1"] == "bago region"]
    assert bago["month"].iloc[0] == "2006-05"  # one history, from the first spelling on


def test_a_quiet_history_needs_more_than_one_event_to_alert() -> None:
    events = Events()
    for country in ("AAA", "BBB"):
        events.add("2020-01", country=country)
    events.add("2021-01", 1, country="AAA")
    events.add("2021-01", 3, country="BBB")
    every_count = SignalSettings(min_count=1, series=("one_sided_events",))
    alerts = escalation_signals(events.frame(), settings=every_count)
    # Twelve months with one event: mean 1/12, below the floor, so Poisson(0.1): one event has
    # P = 0.095 and is no alert; three have P = 0.00015.
    assert [(a.country_key, a.month) for a in alerts] == [("BBB", "2021-01")]
    assert alerts[0].p_value == pytest.approx(_poisson_tail(0.1, 3), rel=1e-9)
    assert alerts[0].expected == pytest.approx(1 / 12)


def _negative_binomial_tail(mean: float, variance: float, k: int) -> float:
    """P(X >= k) for a negative binomial with this mean and variance, by the pmf recursion."""
    size, p = mean**2 / (variance - mean), mean / variance
    pmf, below = p**size, 0.0
    for j in range(k):
        below += pmf
        pmf *= (j + size) / (j + 1) * (1 - p)
    return 1 - below


def test_one_event_never_alerts_however_deadly_but_several_deadly_events_do() -> None:
    def deaths_alerts(*deaths: float, min_count: int = 3) -> list[Alert]:
        events = Events()
        events.flat("2020-01", "2020-12")
        for count in deaths:
            events.add("2021-01", deaths=count)
        quiet = SignalSettings(min_count=min_count, series=("one_sided_fatalities",))
        return escalation_signals(events.frame(), settings=quiet)

    assert deaths_alerts(500.0) == []
    alerts = deaths_alerts(10.0, 10.0, 10.0)
    assert _keys(alerts) == [(None, "one_sided_fatalities", "2021-01")]
    # No deaths in the history: the floors give mean 0.1 x 10 = 1 death, variance 10 x 1.
    assert alerts[0].expected == 0.0
    assert alerts[0].p_value == pytest.approx(_negative_binomial_tail(1.0, 10.0, 30), rel=1e-6)
    # Allowed to alert on one event, the floors still keep ten deaths ordinary.
    assert deaths_alerts(10.0, min_count=1) == []
    assert len(deaths_alerts(40.0, min_count=1)) == 1


def _three_places() -> pd.DataFrame:
    events = Events()
    for country in ("AAA", "BBB", "CCC"):
        events.flat("2020-01", "2021-12", country=country)
    events.add("2022-01", 5, country="AAA")
    events.add("2022-01", 12, country="BBB")
    events.add("2022-02", 8, country="CCC")
    return events.frame()


def test_alerts_come_newest_month_first_then_strongest() -> None:
    alerts = escalation_signals(_three_places(), settings=ONLY_CIVILIAN_EVENTS)
    assert [(a.month, a.country_key) for a in alerts] == [
        ("2022-02", "CCC"),
        ("2022-01", "BBB"),
        ("2022-01", "AAA"),
    ]


def test_alerts_of_all_time_are_ranked_by_score() -> None:
    alerts = escalation_signals(_three_places(), settings=ONLY_CIVILIAN_EVENTS, order="strength")
    assert [a.country_key for a in alerts] == ["BBB", "CCC", "AAA"]
    scores = [a.score for a in alerts]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 3


def test_an_unknown_order_names_the_choices() -> None:
    with pytest.raises(ValidationError, match="recent, strength") as caught:
        escalation_signals(_three_places(), order="loudest")
    assert caught.value.field == "order"


def _year_dated(end: str | None) -> pd.DataFrame:
    """A year of one event a month, plus twelve deadly events known only by their year and
    recorded, as GED does, on 1 January."""
    events = Events()
    events.flat("2020-01", "2022-12")
    optional = {"date_precision": "year"} | ({"date_end": end} if end else {})
    events.add("2022-01", 12, day=1, deaths=5.0, **optional)
    return events.frame()


@pytest.mark.parametrize("end", ["2022-12-31", None])
def test_events_known_only_by_year_make_no_january_alert(end: str | None) -> None:
    alerts = escalation_signals(_year_dated(end), settings=ONLY_CIVILIAN_EVENTS)
    assert alerts == []
    series = monthly_series(_year_dated(end))
    in_2022 = series[series["month"].str.startswith("2022")]
    # Each of the twelve counts one twelfth in each month of its year: deaths are kept whole.
    assert in_2022["one_sided_events"].tolist() == pytest.approx([2.0] * 12)
    assert in_2022["one_sided_fatalities"].sum() == pytest.approx(60.0)


def test_the_same_events_dated_to_the_day_do_alert() -> None:
    frame = _year_dated(None).assign(date_precision="day")
    alerts = escalation_signals(frame, settings=ONLY_CIVILIAN_EVENTS)
    assert [a.month for a in alerts] == ["2022-01"]
    assert not alerts[0].low_precision


def test_a_spread_stops_at_the_last_month_of_the_data() -> None:
    events = Events()
    events.flat("2020-01", "2022-03")
    events.add("2022-01", 3, day=1, date_precision="year")
    series = monthly_series(events.frame())
    assert series["month"].iloc[-1] == "2022-03"
    assert series["one_sided_events"].iloc[-3:].tolist() == pytest.approx([2.0, 2.0, 2.0])


def test_alerts_resting_on_month_dated_events_are_flagged() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2022-01", 8, day=1, date_precision="month", date_end="2022-01-31")
    events.add("2022-01", 1)
    (alert,) = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    assert alert.imprecise_share == pytest.approx(8 / 9)
    assert alert.low_precision
    assert alert.to_dict()["low_precision"] is True


def test_an_unknown_date_precision_is_refused() -> None:
    events = Events()
    events.add("2022-01", 1, date_precision="decade")
    with pytest.raises(ValidationError, match="day, week, month, year") as caught:
        monthly_series(events.frame())
    assert caught.value.field == "date_precision"


def test_alerts_name_the_kinds_of_perpetrator_behind_them() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2022-01", 5, perpetrator_kind="state")
    events.add("2022-01", 4, perpetrator_kind="non_state")
    (alert,) = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    assert alert.perpetrator_kinds == ("state", "non_state")
    assert alert.to_dict()["perpetrator_kinds"] == ["state", "non_state"]


def test_admin1_level_separates_regions() -> None:
    events = Events()
    events.flat("2020-01", "2021-12", admin1="North")
    events.flat("2020-01", "2021-12", admin1="South")
    spike = events.add("2022-01", 8, admin1="North")
    events.add("2022-01", admin1="South")
    events.add("2022-01", 5, admin1=None)
    regional = escalation_signals(events.frame(), level="admin1", settings=ONLY_CIVILIAN_EVENTS)
    assert [(a.level, a.admin1, a.month) for a in regional] == [("admin1", "North", "2022-01")]
    assert regional[0].event_ids == tuple(spike)
    assert regional[0].to_dict()["place"] == "AAA / North"
    national = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    # The country counts the events without a region too: 14 against its usual 2.
    assert [(a.admin1, a.observed, a.expected) for a in national] == [(None, 14.0, 2.0)]


def test_since_keeps_later_alerts_but_baselines_keep_their_history() -> None:
    events = Events()
    events.flat("2020-01", "2021-12")
    events.add("2021-06", 7)
    events.add("2022-01", 8)
    everything = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS)
    assert sorted(a.month for a in everything) == ["2021-06", "2022-01"]
    later = escalation_signals(events.frame(), settings=ONLY_CIVILIAN_EVENTS, since="2021-07")
    assert later == [a for a in everything if a.month == "2022-01"]


def _with(events: Events, changes: dict[tuple[int, str], object]) -> pd.DataFrame:
    """The events as a frame, with some cells (row counted from 0, column) replaced."""
    rows = [dict(row) for row in events.rows]
    for (row, column), value in changes.items():
        rows[row][column] = value
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("column", "value", "row", "message"),
    [
        ("date", "2021-02-30", 3, "'2021-02-30' is not a date"),
        ("date", None, 2, "is missing"),
        ("fatalities", -1.0, 4, "must not be negative"),
        ("fatalities", "many", 1, "'many' is not a number"),
        ("event_id", "e1", 5, "appears twice"),
        ("country_key", " ", 2, "is empty"),
        ("category", None, 3, "is empty"),
        ("identity_targeted", "yes", 2, "must be true or false"),
    ],
)
def test_bad_rows_are_named_by_row_and_field(
    column: str, value: object, row: int, message: str
) -> None:
    events = Events()
    events.flat("2020-01", "2020-06")
    frame = _with(events, {(row - 1, column): value})
    with pytest.raises(ValidationError, match=message) as caught:
        escalation_signals(frame)
    assert (caught.value.row, caught.value.field) == (row, column)
    assert f"row {row}, field {column!r}" in str(caught.value)


def test_missing_values_that_have_a_meaning_are_accepted() -> None:
    events = Events()
    events.flat("2020-01", "2020-03")
    frame = _with(
        events, {(0, "fatalities"): None, (1, "identity_targeted"): None, (2, "admin1"): "  "}
    )
    panel = monthly_series(frame, level="admin1")
    assert list(panel["month"]) == ["2020-01", "2020-02", "2020-03"]
    assert panel["all_events"].tolist() == [1, 1, 0]
    assert panel["all_fatalities"].tolist() == [0.0, 0.0, 0.0]


def test_missing_columns_and_unknown_levels_are_named() -> None:
    events = Events()
    events.flat("2020-01", "2020-03")
    with pytest.raises(ValidationError, match="missing column") as caught:
        escalation_signals(events.frame().drop(columns="fatalities"))
    assert caught.value.field == "fatalities"
    with pytest.raises(ValidationError, match="'province'") as caught:
        monthly_series(events.frame(), level="province")
    assert caught.value.field == "level"
    with pytest.raises(ValidationError, match="2021-1") as caught:
        escalation_signals(events.frame(), since="2021-1")
    assert caught.value.field == "since"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"alpha": 1.5}, "alpha", "strictly between 0 and 1, got 1.5"),
        ({"alpha": 0}, "alpha", "got 0"),
        ({"baseline_months": 1}, "baseline_months", "from 2 to 600, got 1"),
        ({"baseline_months": 12.0}, "baseline_months", "whole number"),
        ({"min_history": 30}, "min_history", "must not exceed baseline_months (24), got 30"),
        ({"min_count": True}, "min_count", "got True"),
        ({"rate_floor": 0.0}, "rate_floor", "positive"),
        ({"min_fatalities": float("nan")}, "min_fatalities", "got nan"),
        ({"deaths_per_event": 0.5}, "deaths_per_event", "at least 1, got 0.5"),
        ({"series": ("all_events", "battles")}, "series", "unknown series 'battles'"),
        ({"series": ()}, "series", "non-empty"),
    ],
)
def test_settings_are_checked_on_creation(
    changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SignalSettings(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert message in str(caught.value)


def test_an_empty_event_list_gives_no_alerts() -> None:
    empty = pd.DataFrame({name: [] for name in COLUMNS})
    assert escalation_signals(empty, level="admin1") == []
    assert monthly_series(empty).empty
