"""The weekly-trends chart of the speech pages, laid out on the server (SVG, no script): one line
per targeted group of the hateful posts counted each week, with the weeks of surge alerts
marked, and the same numbers as a table (newest week first) for readers who cannot see it.

Each group has its own colour and dash pattern, so lines differ in grey and in print too.

Public API::

    trend_chart(points, labels, surge_weeks=()) -> TrendChart | None
    trend_rows(points, groups, limit) -> list[TrendRow]
    WeeklyCount (protocol: week, targeted_group, posts, hateful)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from prevention_lens.speech.scoring import NO_GROUP_LABEL

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36
# Colour and dash pattern per line, in the order groups are drawn.
STYLES = (
    ("#0b4f6c", ""),
    ("#b35c00", "8 4"),
    ("#6a3d9a", "2 3"),
    ("#1b7f3b", "12 4 2 4"),
    ("#8b1a1a", "5 6"),
    ("#4d4d4d", "1 5"),
    ("#9c6b00", "14 3"),
)
# Posts with no targeted group (or one the model does not know) are drawn under this key.
NO_GROUP = ""
WEEK = timedelta(days=7)
# More weeks than this are not drawn: the chart keeps the latest ones (about five years).
MAX_WEEKS = 260


class WeeklyCount(Protocol):
    """What the chart reads of a trend point (``speech.monitoring.TrendPoint`` has these)."""

    @property
    def week(self) -> date: ...

    @property
    def targeted_group(self) -> str | None: ...

    @property
    def posts(self) -> int: ...

    @property
    def hateful(self) -> int: ...


@dataclass(frozen=True)
class ChartLine:
    group: str
    label: str
    colour: str
    dash: str
    points: str  # "x,y x,y …" for <polyline points>
    total_hateful: int


@dataclass(frozen=True)
class ChartMark:
    """A surge alert's week on a line: where it is drawn and what its tooltip says."""

    x: float
    y: float
    colour: str
    title: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    lines: tuple[ChartLine, ...]
    marks: tuple[ChartMark, ...]
    y_ticks: tuple[tuple[float, int], ...]
    x_ticks: tuple[tuple[float, str, str], ...]  # x, week, text-anchor
    first_week: date
    last_week: date
    weeks: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


@dataclass(frozen=True)
class TrendCell:
    posts: int
    hateful: int

    @property
    def share(self) -> float | None:
        return self.hateful / self.posts if self.posts else None


@dataclass(frozen=True)
class TrendRow:
    week: date
    cells: tuple[TrendCell, ...]  # one per group, in the order of ``groups``
    posts: int
    hateful: int


def group_key(point: WeeklyCount) -> str:
    return point.targeted_group or NO_GROUP


def _totals(points: Sequence[WeeklyCount]) -> dict[tuple[str, date], tuple[int, int]]:
    """Posts and hateful posts per (group, week), summed over countries."""
    totals: dict[tuple[str, date], tuple[int, int]] = {}
    for point in points:
        key = (group_key(point), point.week)
        posts, hateful = totals.get(key, (0, 0))
        totals[key] = (posts + point.posts, hateful + point.hateful)
    return totals


def ordered_groups(points: Sequence[WeeklyCount], labels: Mapping[str, str]) -> list[str]:
    """Groups with data, most hateful posts first (ties by label), "no group" last."""
    hateful: dict[str, int] = {}
    for point in points:
        hateful[group_key(point)] = hateful.get(group_key(point), 0) + point.hateful
    return sorted(
        hateful,
        key=lambda group: (group == NO_GROUP, -hateful[group], labels.get(group, group)),
    )


def _nice_step(top: int) -> int:
    """A round tick step (1, 2, 5, 10, 20, …) giving at most five ticks up to ``top``."""
    raw = max(1.0, top / 5)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover  (the loop always returns)


def trend_chart(
    points: Sequence[WeeklyCount],
    labels: Mapping[str, str],
    surge_weeks: Collection[tuple[str, date]] = (),
) -> TrendChart | None:
    """The chart of hateful posts per group and week; None when there is nothing to draw.

    Weeks with no post of a group count as zero for it, so a line falls where posts stop.
    ``surge_weeks`` are (group, week) pairs to mark; those outside the chart are left out.
    """
    if not points:
        return None
    totals = _totals(points)
    last = max(point.week for point in points)
    first = max(min(point.week for point in points), last - WEEK * (MAX_WEEKS - 1))
    weeks = (last - first) // WEEK + 1
    groups = ordered_groups(points, labels)
    top = max(
        [hateful for (_, week), (_, hateful) in totals.items() if week >= first] + [1],
    )
    step = _nice_step(top)
    ceiling = step * math.ceil(top / step)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return round(LEFT + (plot_width * index / (weeks - 1) if weeks > 1 else plot_width / 2), 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_height * (1 - value / ceiling), 1)

    lines = []
    marks = []
    for position, group in enumerate(groups):
        colour, dash = STYLES[position % len(STYLES)]
        label = labels.get(group, group) if group else NO_GROUP_LABEL
        coordinates = []
        total = 0
        for index in range(weeks):
            week = first + WEEK * index
            hateful = totals.get((group, week), (0, 0))[1]
            total += hateful
            coordinates.append(f"{x_of(index)},{y_of(hateful)}")
            if (group, week) in surge_weeks:
                marks.append(
                    ChartMark(
                        x_of(index),
                        y_of(hateful),
                        colour,
                        f"Surge alert: {label}, week of {week.isoformat()}, {hateful} hateful",
                    )
                )
        lines.append(ChartLine(group, label, colour, dash, " ".join(coordinates), total))
    y_ticks = tuple((y_of(value), value) for value in range(0, ceiling + 1, step))
    # About six week labels, always the first and the last.
    every = max(1, math.ceil(weeks / 6))
    indices = sorted({*range(0, weeks, every), weeks - 1})
    if len(indices) > 1 and indices[-1] - indices[-2] < every / 2:
        indices.pop(-2)
    # The first and last labels align with the plot's edges, so neither is cut off.
    x_ticks = tuple(
        (
            x_of(index),
            (first + WEEK * index).isoformat(),
            "middle" if weeks == 1 or 0 < index < weeks - 1 else "start" if index == 0 else "end",
        )
        for index in indices
    )
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        lines=tuple(lines),
        marks=tuple(marks),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        first_week=first,
        last_week=last,
        weeks=weeks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )


def trend_rows(points: Sequence[WeeklyCount], groups: Sequence[str], limit: int) -> list[TrendRow]:
    """The table under the chart: the latest ``limit`` weeks with data, newest first, one cell
    (posts, hateful) per group in ``groups``."""
    totals = _totals(points)
    weeks = sorted({point.week for point in points}, reverse=True)[:limit]
    rows = []
    for week in weeks:
        cells = tuple(TrendCell(*totals.get((group, week), (0, 0))) for group in groups)
        rows.append(
            TrendRow(
                week,
                cells,
                sum(cell.posts for cell in cells),
                sum(cell.hateful for cell in cells),
            )
        )
    return rows
