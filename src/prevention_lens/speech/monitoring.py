"""Speech monitoring's public face: weekly counts of posts and hateful posts per country and
targeted group, surge alerts on them against each series' own past (``prevention_lens.surges``,
the test behind incident signals), the UN Framework of Analysis indicators each surge bears on
(their wording and triggers are in ``speech.indicators``), and a country's summary for the hub
and the briefs. Aggregates only: never a post's text, speaker or place
(``docs/speech-monitoring.md``).

Public API::

    counts_as_hateful(label, lexicon_hits) -> bool
    TrendPoint, weekly_trends(session, principal, *, country=None, group=None, since=None,
                              dataset=None) -> list[TrendPoint]
    SurgeSettings(baseline_weeks=26, min_history=8, alpha=0.01, min_count=5, rate_floor=0.5,
                  attribute_level=0.5, indicator_share=0.25)
    SpeechSurge, speech_surges(session, principal, *, country=None, since=None,
                               settings=None) -> list[SpeechSurge]
    FEEDS, Feed, choose_feed(points, surges, feed="") -> Feed   # real, or else the example
    WeekCount, GroupCount, SpeechSummary,
    country_speech_summary(session, principal, country_key, *, weeks=12,
                           settings=None) -> SpeechSummary | None

Posts of the generated example feed (dataset "example") form series of their own, flagged
``example``: they are never added to real posts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens import surges
from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_posts import EXAMPLE_DATASET, check_dataset
from prevention_lens.speech.indicators import FRAMEWORK_INDICATORS, INDICATOR_ATTRIBUTES
from prevention_lens.speech.posts import counting_hit, week_of
from prevention_lens.store.access import Principal, require
from prevention_lens.store.models import Country, SpeechPost
from prevention_lens.store.reference import find_country


def counts_as_hateful(label: str, lexicon_hits: Iterable[Mapping[str, Any]]) -> bool:
    """A post counts as hateful when the classifier labels it so, or when it uses a lexicon
    term in a sense that is not neutral (a use, not a report or discussion of the term)."""
    return label == "hateful" or any(counting_hit(hit) for hit in lexicon_hits)


# The attributes behind the indicators, each once: the weekly panel counts posts high on them.
_ATTRIBUTES = tuple(dict.fromkeys(INDICATOR_ATTRIBUTES.values()))


# --- settings --------------------------------------------------------------------------------


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


_RULES: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("baseline_weeks", lambda v: _is_whole(v) and 2 <= v <= 520, "a whole number from 2 to 520"),
    ("min_history", lambda v: _is_whole(v) and v >= 2, "a whole number, at least 2"),
    ("alpha", lambda v: _is_number(v) and 0 < v < 1, "a number strictly between 0 and 1"),
    ("min_count", lambda v: _is_whole(v) and v >= 1, "a whole number, at least 1"),
    ("rate_floor", lambda v: _is_number(v) and v > 0, "a positive number"),
    ("attribute_level", lambda v: _is_number(v) and 0 < v <= 1, "a number above 0, at most 1"),
    ("indicator_share", lambda v: _is_number(v) and 0 < v <= 1, "a number above 0, at most 1"),
)


@dataclass(frozen=True)
class SurgeSettings:
    """How a week of hateful posts is judged against its series' past
    (docs/speech-monitoring.md explains each)."""

    baseline_weeks: int = 26  # trailing weeks the baseline is fitted on
    min_history: int = 8  # weeks a series needs before it can alert
    alpha: float = 0.01  # alert when P(X >= observed) under the baseline is below this
    min_count: int = 5  # and at least this many hateful posts that week
    rate_floor: float = 0.5  # the baseline mean never goes below this many posts a week
    attribute_level: float = 0.5  # a post scores "high" on an attribute at this probability
    indicator_share: float = 0.25  # share of the week's hateful posts high on an attribute

    def __post_init__(self) -> None:
        for name, rule, wanted in _RULES:
            value = getattr(self, name)
            if not rule(value):
                raise ValidationError(f"must be {wanted}, got {value!r}", field=name)
        if self.min_history > self.baseline_weeks:
            raise ValidationError(
                f"must not exceed baseline_weeks ({self.baseline_weeks}), got {self.min_history}",
                field="min_history",
            )


# --- the weekly panel ------------------------------------------------------------------------

_KEYS = ["example", "country_id", "group"]
_NO_GROUP = ""  # posts without an identified targeted group, in the frame (None outside it)


def _week_number(day: date) -> int:
    # 1 January of year 1 was a Monday, so Mondays are ordinals 1, 8, 15, ...
    return (day.toordinal() - 1) // 7


def _monday(number: int) -> date:
    return date.fromordinal(number * 7 + 1)


def _posts(
    session: Session, country_id: int | None, dataset: str | None, level: float
) -> pd.DataFrame:
    """One row per post in scope: its series and week, whether it counts as hateful, and
    (hateful ones) whether each attribute is high. Read inside the domain, never returned."""
    statement = select(
        SpeechPost.dataset,
        SpeechPost.country_id,
        SpeechPost.targeted_group,
        SpeechPost.week,
        SpeechPost.label,
        SpeechPost.attributes,
        SpeechPost.lexicon_hits,
    )
    if country_id is not None:
        statement = statement.where(SpeechPost.country_id == country_id)
    if dataset is not None:
        statement = statement.where(SpeechPost.dataset == dataset)
    records = []
    for row in session.execute(statement):
        hateful = counts_as_hateful(row.label, row.lexicon_hits or ())
        attributes = row.attributes or {}
        records.append(
            (
                row.dataset == EXAMPLE_DATASET,
                row.country_id,
                row.targeted_group or _NO_GROUP,
                _week_number(row.week),
                1,
                int(hateful),
                *(int(hateful and attributes.get(name, 0.0) >= level) for name in _ATTRIBUTES),
            )
        )
    columns = [*_KEYS, "week", "posts", "hateful", *(f"high:{name}" for name in _ATTRIBUTES)]
    return pd.DataFrame.from_records(records, columns=columns)


def _panel(posts: pd.DataFrame) -> pd.DataFrame:
    """Series x week counts, zero-filled from the country's first monitored week (in its
    block: real posts, or the example feed) to the block's last week. A group's weeks before
    its first post are zeros, not unknown: the country was monitored and none was found.
    ``series`` numbers the series and ``position`` counts weeks since the series began, as
    ``surges.score_series`` reads them."""
    counts = [column for column in posts.columns if column not in (*_KEYS, "week")]
    if posts.empty:
        return pd.DataFrame(columns=["series", *_KEYS, "week", "position", *counts])
    sums = posts.groupby([*_KEYS, "week"], sort=True)[counts].sum()
    flat = sums.reset_index()
    keys = flat.groupby(_KEYS, sort=True)["week"].min().index
    country_start = flat.groupby(["example", "country_id"])["week"].min()
    country = pd.MultiIndex.from_arrays(
        [keys.get_level_values("example"), keys.get_level_values("country_id")]
    )
    starts = country_start.reindex(country).to_numpy()
    ends = flat.groupby("example")["week"].max().reindex(keys.get_level_values("example"))
    lengths = (ends.to_numpy() - starts + 1).astype(np.int64)
    series = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(int(lengths.sum())) - offsets
    week = np.repeat(starts, lengths) + position
    panel = keys.to_frame(index=False).iloc[series].reset_index(drop=True)
    panel.insert(0, "series", series)
    panel["week"] = week
    panel["position"] = position
    full = pd.MultiIndex.from_arrays([panel[key] for key in _KEYS] + [panel["week"]])
    filled = sums.reindex(full, fill_value=0).to_numpy()
    for index, name in enumerate(counts):
        panel[name] = filled[:, index].astype(np.int64)
    return panel


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(zip(frame.columns, values, strict=True)) for values in frame.to_numpy(object)]


def _country_id(session: Session, country: str | None) -> int | None:
    return None if country is None else find_country(session, country).id


def _countries(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = {int(value) for value in ids}
    if not wanted:
        return {}
    rows = session.execute(
        select(Country.id, Country.key, Country.name).where(Country.id.in_(wanted))
    )
    return {row.id: (row.key, row.name) for row in rows}


def _since(since: date | None) -> int | None:
    if since is None:
        return None
    if not isinstance(since, date):
        raise ValidationError(f"must be a date, got {since!r}", field="since")
    return _week_number(week_of(since))


# --- trends ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One country, targeted group (None: no group identified) and week: how many posts were
    monitored and how many of them count as hateful."""

    country_key: str
    targeted_group: str | None
    week: date
    posts: int
    hateful: int
    share: float  # hateful / posts; 0 in a week without posts
    country_name: str = ""
    example: bool = False  # from the generated example feed, not real monitoring

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["week"] = self.week.isoformat()
        return data


def _check_dataset_filter(principal: Principal, dataset: str | None) -> str | None:
    """Which feeds there are is staff knowledge; the public may ask for the example only."""
    if dataset is None:
        return None
    name = check_dataset(dataset)
    if name != EXAMPLE_DATASET:
        require(principal, "read", "speech_post")
    return name


def weekly_trends(
    session: Session,
    principal: Principal,
    *,
    country: str | None = None,
    group: str | None = None,
    since: date | None = None,
    dataset: str | None = None,
) -> list[TrendPoint]:
    """Weekly counts per country and targeted group, oldest week first, weeks without posts
    as zeros within each series' span. ``group`` keeps one targeted group, ``since`` the weeks
    from the one containing that date, ``dataset`` one feed (other than the example: staff)."""
    require(principal, "read_trends", "speech_post")
    dataset = _check_dataset_filter(principal, dataset)
    first = _since(since)
    panel = _panel(_posts(session, _country_id(session, country), dataset, 1.0))
    if group is not None:
        panel = panel[panel["group"] == group]
    if first is not None:
        panel = panel[panel["week"] >= first]
    names = _countries(session, panel["country_id"].unique())
    points = [
        TrendPoint(
            country_key=names[int(row["country_id"])][0],
            targeted_group=str(row["group"]) or None,
            week=_monday(int(row["week"])),
            posts=int(row["posts"]),
            hateful=int(row["hateful"]),
            share=int(row["hateful"]) / int(row["posts"]) if row["posts"] else 0.0,
            country_name=names[int(row["country_id"])][1],
            example=bool(row["example"]),
        )
        for row in _records(panel)
    ]
    points.sort(key=lambda p: (p.week, p.example, p.country_key, p.targeted_group or ""))
    return points


# --- surges ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechSurge:
    """A week in which a country's hateful posts against one targeted group stand out against
    that series' own past, and the Framework indicators it bears on."""

    country_key: str
    country_name: str
    targeted_group: str | None
    week: date
    observed: int  # hateful posts that week
    expected: float  # the trailing baseline's mean (before the floor)
    log_p: float  # log P(X >= observed) under the baseline
    strength: float  # -log10 p, capped at surges.SCORE_CAP
    indicators: tuple[str, ...]
    example: bool
    posts: int = 0  # every monitored post of the series that week
    # Per attribute behind an indicator: the share of the week's hateful posts scoring high.
    attribute_shares: Mapping[str, float] = field(default_factory=dict)

    @property
    def p_value(self) -> float:
        return math.exp(self.log_p)

    @property
    def month(self) -> str:
        """The month of the week's Monday ("YYYY-MM"), to set beside incident signals."""
        return self.week.strftime("%Y-%m")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["week"] = self.week.isoformat()
        data["indicators"] = list(self.indicators)
        data["attribute_shares"] = dict(self.attribute_shares)
        data["p_value"] = self.p_value
        data["month"] = self.month
        return data


def _indicators(shares: Mapping[str, float], settings: SurgeSettings) -> tuple[str, ...]:
    found = ["7.14"]
    for code, attribute in INDICATOR_ATTRIBUTES.items():
        if shares.get(attribute, 0.0) >= settings.indicator_share:
            found.append(code)
    return tuple(code for code in FRAMEWORK_INDICATORS if code in found)


def _surges(
    session: Session,
    panel: pd.DataFrame,
    settings: SurgeSettings,
    names: dict[int, tuple[str, str]] | None = None,
) -> list[SpeechSurge]:
    if panel.empty:
        return []
    hateful = panel["hateful"].to_numpy(dtype=float)
    scores = surges.score_series(
        hateful,
        panel["series"].to_numpy(),
        panel["position"].to_numpy(),
        periods=settings.baseline_weeks,
        min_history=settings.min_history,
        rate_floor=settings.rate_floor,
        eligible=hateful >= settings.min_count,
    ).surges(settings.alpha)
    rows = panel.iloc[scores.rows]
    if names is None:
        names = _countries(session, rows["country_id"].unique())
    found = []
    for row, expected, log_p in zip(_records(rows), scores.expected, scores.log_p, strict=True):
        observed = int(row["hateful"])
        shares = {name: int(row[f"high:{name}"]) / observed for name in _ATTRIBUTES}
        key, name = names[int(row["country_id"])]
        found.append(
            SpeechSurge(
                country_key=key,
                country_name=name,
                targeted_group=str(row["group"]) or None,
                week=_monday(int(row["week"])),
                observed=observed,
                expected=float(expected),
                log_p=float(log_p),
                strength=surges.strength(float(log_p)),
                indicators=_indicators(shares, settings),
                example=bool(row["example"]),
                posts=int(row["posts"]),
                attribute_shares=shares,
            )
        )
    found.sort(
        key=lambda s: (-s.week.toordinal(), -s.strength, s.country_key, s.targeted_group or "")
    )
    return found


def speech_surges(
    session: Session,
    principal: Principal,
    *,
    country: str | None = None,
    since: date | None = None,
    settings: SurgeSettings | None = None,
) -> list[SpeechSurge]:
    """Every week, country and targeted group whose hateful posts stand out against the
    series' own trailing weeks, newest week first (then the strongest). ``since`` keeps
    surges from the week containing that date on; baselines still use the weeks before."""
    require(principal, "read_trends", "speech_post")
    settings = settings or SurgeSettings()
    first = _since(since)
    posts = _posts(session, _country_id(session, country), None, settings.attribute_level)
    found = _surges(session, _panel(posts), settings)
    if first is not None:
        found = [surge for surge in found if _week_number(surge.week) >= first]
    return found


# --- which feed a view shows ------------------------------------------------------------------

FEEDS = ("", "real", "example")


@dataclass(frozen=True)
class Feed:
    """What a trends view shows: real monitoring, or (only when asked, or when nothing real
    is in scope) the generated example feed, never the two mixed."""

    points: list[TrendPoint]
    surges: list[SpeechSurge]
    example: bool
    has_real: bool
    has_example: bool


def choose_feed(
    points: Sequence[TrendPoint], surges: Sequence[SpeechSurge], feed: str = ""
) -> Feed:
    """Real data when there is any in the points given (or "real" is asked for), else the
    example feed. Pages, commands and briefs all choose by this rule over what they show."""
    if feed not in FEEDS:
        raise ValidationError(f"unknown feed {feed!r}; choose real or example", field="feed")
    has_real = any(not point.example for point in points)
    has_example = any(point.example for point in points)
    example = feed == "example" or (feed == "" and not has_real and has_example)
    return Feed(
        points=[point for point in points if point.example == example],
        surges=[surge for surge in surges if surge.example == example],
        example=example,
        has_real=has_real,
        has_example=has_example,
    )


# --- a country's summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    week: date
    posts: int
    hateful: int

    @property
    def share(self) -> float:
        return self.hateful / self.posts if self.posts else 0.0


@dataclass(frozen=True)
class GroupCount:
    targeted_group: str | None
    posts: int
    hateful: int


@dataclass(frozen=True)
class SpeechSummary:
    """What the country hub and the briefs show of speech monitoring in one country: the last
    weeks' counts (all groups together), the groups targeted in them, the surges among them
    and the Framework indicators those bear on. ``example``: built from the example feed,
    because the country has no real posts."""

    country_key: str
    country_name: str
    example: bool
    posts: int  # every monitored post of the country (all weeks)
    hateful: int
    first_week: date
    last_week: date
    weeks: tuple[WeekCount, ...]  # the last weeks, oldest first
    groups: tuple[GroupCount, ...]  # over those weeks, most hateful posts first
    surges: tuple[SpeechSurge, ...]  # in those weeks, newest first
    indicators: tuple[str, ...]  # borne on by those surges, in FRAMEWORK_INDICATORS order

    def to_dict(self) -> dict[str, Any]:
        return {
            "country_key": self.country_key,
            "country_name": self.country_name,
            "example": self.example,
            "posts": self.posts,
            "hateful": self.hateful,
            "first_week": self.first_week.isoformat(),
            "last_week": self.last_week.isoformat(),
            "weeks": [
                {
                    "week": w.week.isoformat(),
                    "posts": w.posts,
                    "hateful": w.hateful,
                    "share": w.share,
                }
                for w in self.weeks
            ],
            "groups": [asdict(group) for group in self.groups],
            "surges": [surge.to_dict() for surge in self.surges],
            "indicators": list(self.indicators),
        }


def country_speech_summary(
    session: Session,
    principal: Principal,
    country_key: Country | str,
    *,
    weeks: int = 12,
    settings: SurgeSettings | None = None,
) -> SpeechSummary | None:
    """The country's speech monitoring over its last ``weeks`` weeks of data; None when no
    post of the country is stored. Real posts when there are any, else the example feed's.
    ``country_key`` may be the country's row, which a page has already looked up."""
    require(principal, "read_trends", "speech_post")
    if not _is_whole(weeks) or not 1 <= weeks <= 520:
        raise ValidationError(f"must be a whole number from 1 to 520, got {weeks!r}", field="weeks")
    settings = settings or SurgeSettings()
    country = (
        country_key if isinstance(country_key, Country) else find_country(session, country_key)
    )
    posts = _posts(session, country.id, None, settings.attribute_level)
    if posts.empty:
        return None
    example = bool(posts["example"].all())
    posts = posts[posts["example"] == example]
    panel = _panel(posts)
    last = int(panel["week"].max())
    recent = panel[panel["week"] > last - weeks]
    by_week = _records(recent.groupby("week", as_index=False)[["posts", "hateful"]].sum())
    by_group = _records(recent.groupby("group", as_index=False)[["posts", "hateful"]].sum())
    named = {country.id: (country.key, country.name)}
    found = [
        s for s in _surges(session, panel, settings, named) if _week_number(s.week) > last - weeks
    ]
    borne = {code for surge in found for code in surge.indicators}
    return SpeechSummary(
        country_key=country.key,
        country_name=country.name,
        example=example,
        posts=int(posts["posts"].sum()),
        hateful=int(posts["hateful"].sum()),
        first_week=_monday(int(panel["week"].min())),
        last_week=_monday(last),
        weeks=tuple(
            WeekCount(_monday(int(row["week"])), int(row["posts"]), int(row["hateful"]))
            for row in by_week
        ),
        groups=tuple(
            sorted(
                (
                    GroupCount(str(row["group"]) or None, int(row["posts"]), int(row["hateful"]))
                    for row in by_group
                ),
                key=lambda g: (-g.hateful, -g.posts, g.targeted_group or ""),
            )
        ),
        surges=tuple(found),
        indicators=tuple(code for code in FRAMEWORK_INDICATORS if code in borne),
    )
