"""Speech-monitoring pages: the overview (surge alerts newest first, weekly trends by targeted
group drawn and tabled, countries with posts), one country's trends, alerts and (for analysts)
latest scored posts, and the score form, which scores pasted text on this machine.

The public sees aggregates only: trends and alerts come from ``speech.monitoring``, which needs
just the ``read_trends`` action; posts are read through ``speech.posts`` under the store's
``speech_post`` policy, so who spoke and exactly where reach admins alone. The generated
example feed is never mixed with real posts, and is labelled wherever it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import UnknownCountryError, ValidationError
from prevention_lens.sources.speech_posts import EXAMPLE_DATASET, SPEAKER_TYPES
from prevention_lens.speech.indicators import (
    UNVERIFIED_NOTE,
    framework_indicators,
    indicator_triggers,
)
from prevention_lens.speech.monitoring import (
    Feed,
    SpeechSurge,
    SurgeSettings,
    TrendPoint,
    choose_feed,
    speech_surges,
    weekly_trends,
)
from prevention_lens.speech.posts import PostRecord, list_posts
from prevention_lens.speech.scoring import ATTRIBUTES, LABELS, NO_GROUP_LABEL, TARGET_GROUPS
from prevention_lens.store.access import Confidentiality, Principal, allowed, read_records
from prevention_lens.store.models import Country
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    CurrentPrincipal,
    DbSession,
    PathCode,
    code_query,
    country_lookup_in_path,
)
from prevention_lens.web.routers.speech_api import (
    ATTRIBUTE_LABELS,
    EXAMPLE_LABEL,
    MAX_SCORE_CHARS,
    ScoredText,
    abilities,
    checked_date,
    checked_group,
    label_rule,
    score_one,
)
from prevention_lens.web.routers.speech_chart import (
    NO_GROUP,
    TrendChart,
    TrendRow,
    ordered_groups,
    trend_chart,
    trend_rows,
)
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# Weeks the tables list (the chart draws every week); alerts and posts a page shows.
TABLE_WEEKS = 26
SHOWN_SURGES = 50
SHOWN_POSTS = 50
# Posts read to find the newest real ones when the example feed is stored beside them.
POSTS_SCANNED = 500
Group = Annotated[str, code_query("A targeted group's code (origin, religion, …)")]
FeedName = Annotated[str, code_query("real or example; blank: real when there is any")]


def vocabulary(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "groups": TARGET_GROUPS,
        "no_group": NO_GROUP_LABEL,
        "labels": LABELS,
        "attributes": ATTRIBUTES,
        "attribute_labels": ATTRIBUTE_LABELS,
        "speaker_types": SPEAKER_TYPES,
        "indicators": {item.code: item for item in framework_indicators(session, principal)},
        "indicator_triggers": indicator_triggers(),
        "unverified_note": UNVERIFIED_NOTE,
        "indicator_share": SurgeSettings().indicator_share,
        "example_label": EXAMPLE_LABEL,
    }


@dataclass(frozen=True)
class TrendView:
    """Everything the trends part of a page draws: the chart, the table and its groups.
    ``column_labels`` are the table's headers: a group's name without its gloss in brackets
    ("Origin", not "Origin (ethnicity, nationality, race)"), so that a table of every group
    fits a laptop's width; the chart's legend and each header's title give the whole label."""

    chart: TrendChart | None
    rows: list[TrendRow]
    groups: list[str]
    group_labels: dict[str, str]
    column_labels: dict[str, str]


def trend_view(points: Sequence[TrendPoint], surges: Sequence[SpeechSurge]) -> TrendView:
    labels = dict(TARGET_GROUPS)
    labels[NO_GROUP] = NO_GROUP_LABEL
    groups = ordered_groups(points, labels)
    marked = {(surge.targeted_group or NO_GROUP, surge.week) for surge in surges}
    return TrendView(
        chart=trend_chart(points, labels, marked),
        rows=trend_rows(points, groups, TABLE_WEEKS),
        groups=groups,
        group_labels=labels,
        column_labels={code: label.split(" (")[0] for code, label in labels.items()},
    )


def newest_first(surges: Sequence[SpeechSurge], group: str | None) -> list[SpeechSurge]:
    kept = [surge for surge in surges if group is None or surge.targeted_group == group]
    return sorted(kept, key=lambda s: (s.week, s.strength), reverse=True)


@dataclass(frozen=True)
class CountryRow:
    key: str
    name: str
    posts: int
    hateful: int
    last_week: date
    surges: int


def country_rows(points: Sequence[TrendPoint], surges: Sequence[SpeechSurge]) -> list[CountryRow]:
    """Countries with posts, most hateful posts first."""
    totals: dict[str, list[Any]] = {}
    for point in points:
        held = totals.setdefault(point.country_key, [point.country_name, 0, 0, point.week])
        held[1] += point.posts
        held[2] += point.hateful
        held[3] = max(held[3], point.week)
    alerts: dict[str, int] = {}
    for surge in surges:
        alerts[surge.country_key] = alerts.get(surge.country_key, 0) + 1
    rows = [
        CountryRow(key, name, posts, hateful, last, alerts.get(key, 0))
        for key, (name, posts, hateful, last) in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row.hateful, row.name))


def _countries(session: Session, principal: Principal) -> list[dict[str, Any]]:
    return read_records(
        session,
        principal,
        "country",
        select(Country).where(Country.end_date.is_(None)).order_by(Country.name),
    )


def countries_with_posts(points: Sequence[TrendPoint], selected: str = "") -> dict[str, str]:
    """The countries a trends filter offers, by name: those with posts in ``points`` (what the
    reader may see), and the value now chosen even when it names none (it stays in the form)."""
    found = {point.country_key: point.country_name for point in points}
    if selected and selected not in found:
        found[selected] = selected
    return dict(sorted(found.items(), key=lambda item: item[1].casefold()))


def _feed(
    session: Session,
    principal: Principal,
    feed: str,
    *,
    country: str | None = None,
    group: str | None = None,
    since: date | None = None,
) -> Feed:
    points = weekly_trends(session, principal, country=country, group=group, since=since)
    surges = speech_surges(session, principal, country=country, since=since)
    chosen = choose_feed(points, surges, feed)
    return Feed(
        points=chosen.points,
        surges=newest_first(chosen.surges, group),
        example=chosen.example,
        has_real=chosen.has_real,
        has_example=chosen.has_example,
    )


# --- the overview ----------------------------------------------------------------------------


@router.get("/speech", response_class=HTMLResponse)
def overview(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    country: Annotated[str, code_query("Country key, name or code")] = "",
    group: Group = "",
    since: Annotated[str, code_query("Weeks from this date on, YYYY-MM-DD")] = "",
    feed: FeedName = "",
) -> Response:
    error, status = None, 200
    if country.strip():
        # The filter form names a country: its own page is the place for it.
        try:
            found = find_country(session, country.strip())
        except UnknownCountryError as problem:
            error, status = str(problem), 404
        else:
            suffix = f"?feed={feed}" if feed.strip() == "example" else ""
            return RedirectResponse(f"/speech/{found.key}{suffix}", status_code=303)
    chosen: Feed | None = None
    if error is None:
        try:
            chosen = _feed(
                session,
                principal,
                feed.strip(),
                group=checked_group(group),
                since=checked_date(since, "since"),
            )
        except ValidationError as problem:
            error, status = str(problem), 422
    shown = chosen or Feed([], [], False, False, False)
    if chosen is not None and not (group.strip() or since.strip()):
        every = chosen.points
    else:
        # Unfiltered, so that the countries offered do not shrink with the other filters.
        every = weekly_trends(session, principal)
        if chosen is not None:
            every = [point for point in every if point.example == chosen.example]
    return render(
        request,
        "speech.html",
        {
            **vocabulary(session, principal),
            **abilities(principal),
            "feed": shown,
            "trends": trend_view(shown.points, shown.surges),
            "surges": shown.surges[:SHOWN_SURGES],
            "country_rows": country_rows(shown.points, shown.surges),
            "countries": countries_with_posts(every, country.strip()),
            "country": country.strip(),
            "group": group.strip(),
            "since": since.strip(),
            "feed_name": feed.strip(),
            "error": error,
        },
        status_code=status,
    )


# --- the score form (before /speech/{country}, which it would otherwise match) --------------


def _score_page(
    request: Request,
    session: Session,
    principal: Principal,
    values: dict[str, str],
    *,
    result: ScoredText | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "speech_score.html",
        {
            **vocabulary(session, principal),
            **abilities(principal),
            "values": values,
            "result": result,
            "label_rule": label_rule() if result else "",
            "pieces": result.pieces() if result else [],
            "error": error,
            "max_chars": MAX_SCORE_CHARS,
            "countries": _countries(session, principal),
        },
        status_code=status_code,
    )


@router.get("/speech/score", response_class=HTMLResponse)
def score_form(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    return _score_page(request, session, principal, {"text": "", "country": ""})


@router.post("/speech/score", response_class=HTMLResponse)
async def score_submit(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Scores the pasted text; stores nothing, so anyone may use it."""
    form = await request.form()
    values = {}
    for name in ("text", "country"):
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    try:
        result = score_one(session, values["text"], values["country"].strip() or None)
    except (ValidationError, UnknownCountryError) as error:
        return _score_page(request, session, principal, values, error=str(error), status_code=422)
    return _score_page(request, session, principal, values, result=result)


# --- one country -----------------------------------------------------------------------------


def latest_posts(
    session: Session, principal: Principal, country: str, group: str | None, example: bool
) -> list[PostRecord]:
    """The newest posts of the feed shown (analysts): the example feed's, or real ones."""
    if example:
        return list_posts(
            session,
            principal,
            country=country,
            group=group,
            dataset=EXAMPLE_DATASET,
            limit=SHOWN_POSTS,
        )
    found = list_posts(session, principal, country=country, group=group, limit=POSTS_SCANNED)
    return [post for post in found if not post.example][:SHOWN_POSTS]


@router.get("/speech/{country}", response_class=HTMLResponse)
def country_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    country: PathCode,
    group: Group = "",
    feed: FeedName = "",
) -> Response:
    found = country_lookup_in_path(request, session, country).country
    error: str | None = None
    chosen_group: str | None = None
    # As on the overview, a bad filter is shown beside the form, which keeps what was typed.
    try:
        chosen_group = checked_group(group)
        chosen = _feed(session, principal, feed.strip(), country=found.key, group=chosen_group)
    except ValidationError as problem:
        error = str(problem)
        chosen = Feed([], [], False, False, False)
    posts: list[PostRecord] = []
    if error is None and allowed(principal, "read", "speech_post"):
        posts = latest_posts(session, principal, found.key, chosen_group, chosen.example)
    return render(
        request,
        "speech_country.html",
        {
            **vocabulary(session, principal),
            **abilities(principal),
            "country": found,
            "feed": chosen,
            "feed_name": feed.strip(),
            "trends": trend_view(chosen.points, chosen.surges),
            "surges": chosen.surges[:SHOWN_SURGES],
            "posts": posts,
            "shown_posts": SHOWN_POSTS,
            "sees_confidential": principal.clearance >= Confidentiality.CONFIDENTIAL,
            "group": group.strip(),
            "totals": (
                sum(point.posts for point in chosen.points),
                sum(point.hateful for point in chosen.points),
            ),
            "error": error,
        },
        status_code=422 if error else 200,
    )
