"""The weekly-trends chart laid out on the server: one line per targeted group, weeks without
posts drawn as zero, the highest count at the top of the scale, surge weeks marked, and the
table of the same numbers newest week first."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from prevention_lens.web.routers.speech_chart import (
    HEIGHT,
    MAX_WEEKS,
    NO_GROUP,
    NO_GROUP_LABEL,
    STYLES,
    ordered_groups,
    trend_chart,
    trend_rows,
)

LABELS = {"religion": "religion", "origin": "national or ethnic origin", NO_GROUP: NO_GROUP_LABEL}
MONDAY = date(2024, 1, 1)


@dataclass(frozen=True)
class Point:
    week: date
    targeted_group: str | None
    posts: int
    hateful: int


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def ys(points: str) -> list[float]:
    return [float(pair.split(",")[1]) for pair in points.split()]


def xs(points: str) -> list[float]:
    return [float(pair.split(",")[0]) for pair in points.split()]


def test_nothing_to_draw_gives_no_chart_and_no_rows() -> None:
    assert trend_chart([], LABELS) is None
    assert trend_rows([], ["religion"], 10) == []


def test_one_line_per_group_most_hateful_first_and_no_group_last() -> None:
    points = [
        Point(week(0), None, 9, 9),
        Point(week(0), "origin", 4, 1),
        Point(week(0), "religion", 5, 3),
        Point(week(1), "religion", 5, 2),
    ]
    assert ordered_groups(points, LABELS) == ["religion", "origin", NO_GROUP]
    chart = trend_chart(points, LABELS)
    assert chart is not None
    assert [line.group for line in chart.lines] == ["religion", "origin", NO_GROUP]
    assert [line.label for line in chart.lines] == [
        "religion",
        "national or ethnic origin",
        NO_GROUP_LABEL,
    ]
    assert [line.total_hateful for line in chart.lines] == [5, 1, 9]
    # Each line has its own colour and dash, so they differ without colour too.
    assert len({(line.colour, line.dash) for line in chart.lines}) == 3
    assert chart.lines[0].colour == STYLES[0][0]


def test_weeks_without_posts_are_zero_and_the_scale_reaches_the_highest_count() -> None:
    points = [
        Point(week(0), "religion", 4, 2),
        Point(week(3), "religion", 12, 12),  # weeks 1 and 2 have no post of the group
        Point(week(3), "origin", 3, 1),
    ]
    chart = trend_chart(points, LABELS)
    assert chart is not None
    assert chart.weeks == 4
    assert (chart.first_week, chart.last_week) == (week(0), week(3))
    religion = chart.lines[0]
    heights = ys(religion.points)
    assert len(heights) == 4
    bottom, top = chart.plot_bottom, chart.plot_top
    assert heights[1] == heights[2] == bottom  # zero
    assert heights[3] < heights[0] < bottom
    # The scale's top tick is at least the highest count, in round steps.
    values = [value for _, value in chart.y_ticks]
    assert values[0] == 0 and values[-1] >= 12
    steps = {b - a for a, b in itertools.pairwise(values)}
    assert len(steps) == 1
    assert min(y for y, _ in chart.y_ticks) >= top
    # x grows with the week and spans the plot.
    positions = xs(religion.points)
    assert positions == sorted(positions)
    assert positions[0] == chart.plot_left and positions[-1] == chart.plot_right
    assert chart.height == HEIGHT


def test_surge_weeks_are_marked_on_their_group_line() -> None:
    points = [Point(week(n), "religion", 5, 12 if n == 5 else 2) for n in range(6)]
    points.append(Point(week(5), "origin", 2, 1))
    chart = trend_chart(points, LABELS, {("religion", week(5)), ("origin", week(40))})
    assert chart is not None
    (mark,) = chart.marks
    religion = chart.lines[0]
    assert (mark.x, mark.y) == (xs(religion.points)[5], ys(religion.points)[5])
    assert mark.colour == religion.colour
    assert "religion" in mark.title and week(5).isoformat() in mark.title and "12" in mark.title


def test_counts_of_several_countries_add_up_per_group_and_week() -> None:
    points = [
        Point(week(0), "religion", 5, 2),
        Point(week(0), "religion", 7, 3),  # another country, same group and week
        Point(week(1), "religion", 1, 0),
    ]
    chart = trend_chart(points, LABELS)
    assert chart is not None
    assert chart.lines[0].total_hateful == 5
    rows = trend_rows(points, ["religion"], 10)
    assert [(row.week, row.posts, row.hateful) for row in rows] == [
        (week(1), 1, 0),
        (week(0), 12, 5),
    ]
    assert rows[1].cells[0].share == 5 / 12


def test_the_table_lists_the_latest_weeks_newest_first_with_a_cell_per_group() -> None:
    points = [Point(week(n), "religion", 3, 1) for n in range(10)]
    points.append(Point(week(9), "origin", 4, 4))
    rows = trend_rows(points, ["origin", "religion"], 3)
    assert [row.week for row in rows] == [week(9), week(8), week(7)]
    first = rows[0]
    assert [(cell.posts, cell.hateful) for cell in first.cells] == [(4, 4), (3, 1)]
    assert (first.posts, first.hateful) == (7, 5)
    assert rows[1].cells[0].posts == 0 and rows[1].cells[0].share is None


def test_a_long_series_draws_only_its_latest_weeks() -> None:
    points = [Point(week(n), "religion", 1, 1) for n in range(MAX_WEEKS + 40)]
    chart = trend_chart(points, LABELS)
    assert chart is not None
    assert chart.weeks == MAX_WEEKS
    assert chart.first_week == week(40)
    assert len(chart.lines[0].points.split()) == MAX_WEEKS
    labels = [label for _, label, _ in chart.x_ticks]
    assert labels[0] == week(40).isoformat() and labels[-1] == week(MAX_WEEKS + 39).isoformat()
    assert 2 <= len(labels) <= 8
    anchors = [anchor for _, _, anchor in chart.x_ticks]
    assert anchors[0] == "start" and anchors[-1] == "end"  # neither label runs off the chart
    assert set(anchors[1:-1]) == {"middle"}


def test_a_single_week_is_drawn_in_the_middle() -> None:
    chart = trend_chart([Point(week(0), "religion", 2, 1)], LABELS)
    assert chart is not None
    (x,) = xs(chart.lines[0].points)
    assert x == (chart.plot_left + chart.plot_right) / 2
    assert chart.x_ticks == ((x, week(0).isoformat(), "middle"),)
