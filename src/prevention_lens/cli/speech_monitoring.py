"""`lens speech posts`, `example`, `trends`, `surges`: monitored posts (imported through the
ingest runner with provenance, listed for analysts), the labelled example feed, weekly counts
by country and targeted group, and surge alerts with the UN Framework indicators they bear on.

Registered on the `lens speech` group by ``register``. The monitoring domain (pandas, scipy)
and the store load inside the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_table, progress
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from prevention_lens.speech.monitoring import Feed, SpeechSurge, TrendPoint

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CountryOption = Annotated[
    str | None, typer.Option("--country", help="Country name or code (Myanmar, MMR, cow:775).")
]
GroupOption = Annotated[
    str | None,
    typer.Option(
        "--group",
        help="Targeted group: origin, religion, gender, sexual_orientation, disability or other.",
    ),
]
DatasetOption = Annotated[
    str | None, typer.Option(help="Only this feed (the import's dataset; 'example').")
]
SinceOption = Annotated[
    str | None, typer.Option(help="From the week containing this date (YYYY-MM-DD).")
]
# Longest piece of a text shown in a table cell; --json has the whole text.
TEXT_CHARS = 80

posts_app = typer.Typer(
    help="Monitored posts: import a feed (each post scored and matched as it loads), list them, "
    "match them again against the lexicon."
)


def register(app: typer.Typer) -> None:
    """Add the monitoring commands to the `lens speech` group."""
    app.add_typer(posts_app, name="posts")
    app.command()(example)
    app.command()(trends)
    app.command()(surges)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def short(text: str, limit: int = TEXT_CHARS) -> str:
    """A text on one line, cut to ``limit`` characters for a table cell."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def group_label(code: str | None) -> str:
    """A targeted group's code in words ("origin" → its label); empty for none."""
    from prevention_lens.speech.scoring import NO_GROUP_LABEL, TARGET_GROUPS

    return TARGET_GROUPS.get(code, code) if code else NO_GROUP_LABEL


def _group(code: str | None) -> str | None:
    from prevention_lens.speech.scoring import TARGET_GROUPS

    if code is not None and code not in TARGET_GROUPS:
        raise ValidationError(
            f"unknown targeted group {code!r}; choose from {', '.join(TARGET_GROUPS)}",
            field="--group",
        )
    return code


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date like 2024-03-31", field=option) from None


def _week(value: str | None) -> date | None:
    """The Monday of the week an option names: a date in it (2024-03-06) or 2024-W10."""
    if not value:
        return None
    try:
        if "-W" in value.upper():
            year, week = value.upper().split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a week: give a date in it (2024-03-06) or 2024-W10", field="--week"
        ) from None
    return day - timedelta(days=day.weekday())


@posts_app.command("import")
def import_posts(
    path: Annotated[Path, typer.Argument(help="A CSV (.csv) or JSON Lines (.jsonl) file.")],
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Import the valid rows and summarise the rest; fails when no row is valid "
            "(default: all or nothing)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import posts (id, time, country, language, text; optionally admin1, place, speaker_type,
    speaker, platform, dataset) with provenance: each is normalised, scored and matched against
    the published lexicon as it loads. Re-importing updates, never duplicates; a file with a
    bad row writes nothing and names the row and field."""
    from prevention_lens.cli.data import import_file

    import_file("speech-posts", path, skip_invalid=skip_invalid, as_json=as_json)
    if not as_json:
        _say(
            "`lens speech posts list` shows the posts; `lens speech trends` and `lens speech "
            "surges` the weekly counts and alerts."
        )


@posts_app.command()
def rematch(
    dataset: Annotated[
        str | None, typer.Option(help="Only this feed (default: every stored post).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Match the stored posts again against the lexicon as published now, each within its
    country; scores stay. Publishing, withdrawing or editing a published term already does
    this; run it after changing the lexicon some other way."""
    from prevention_lens.speech.posts import rematch_posts

    with context.store().session() as session:
        counts = rematch_posts(session, context.operator(), dataset=dataset)
    if as_json:
        print_json({"posts": counts.posts, "changed": counts.changed})
        return
    _say(f"Matched {counts.posts} stored post(s) again: {counts.changed} changed their hits.")


@posts_app.command("list")
def list_posts(
    country: CountryOption = None,
    week: Annotated[
        str | None, typer.Option(help="One week: a date in it (2024-03-06) or 2024-W10.")
    ] = None,
    group: GroupOption = None,
    label: Annotated[
        str | None, typer.Option(help="Only posts labelled hateful, offensive or neither.")
    ] = None,
    dataset: DatasetOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Monitored posts, newest first, with their label, hate score, targeted group and lexicon
    hits (analysts; the terminal acts as the store's admin, so --json also holds who spoke and
    exactly where, which are confidential)."""
    from prevention_lens.speech.posts import list_posts as read_posts

    with context.store().session() as session:
        posts = read_posts(
            session,
            context.operator(),
            country=country,
            week=_week(week),
            group=_group(group),
            label=label,
            dataset=dataset,
            limit=limit,
        )
    if as_json:
        print_json({"posts": [post.to_dict() for post in posts]})
        return
    if not posts:
        _say(
            f"No posts match these filters in {context.describe_store()}. `lens speech posts "
            "import FILE` imports a feed; `lens speech example` loads the example feed."
        )
        return
    rows = [
        {
            "id": post.id,
            "posted": post.posted_at,
            "country": post.country_key,
            "language": post.language,
            "speaker_type": post.speaker_type,
            "platform": post.platform,
            "label": post.label,
            "hate": f"{post.hate_score:.2f}",
            "targeted_group": group_label(post.targeted_group),
            "lexicon": _hits(post.lexicon_hits),
            "text": short(post.text),
            "dataset": f"{post.dataset} (EXAMPLE)" if post.example else post.dataset,
        }
        for post in posts
    ]
    print_table(rows, list(rows[0]), title=f"{len(rows)} post(s), newest first")
    if any(post.example for post in posts):
        _say("EXAMPLE posts are generated from corpus texts to show the tools, not monitoring.")


def _hits(hits: tuple[dict[str, Any], ...]) -> str:
    """Stored lexicon hits as "term (sense, use)"; * marks those that count toward monitoring."""
    return "; ".join(
        f"{hit.get('matched', hit.get('term'))} ({hit.get('sense')}, {hit.get('use')})"
        + (" *" if hit.get("counts") else "")
        for hit in hits
    )


def example(
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources", help="The data folder holding speech/hatecheck-en (default: LENS_SOURCES)."
        ),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Delete the example feed instead (admins).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load the EXAMPLE feed (dataset 'example'): made-up posts whose texts are HateCheck test
    cases, over 26 weeks in three countries with one surge built in, labelled as an example
    wherever they show and never mixed with real posts; for trying trends and surge alerts
    before real posts are imported. Loading it again changes nothing."""
    from prevention_lens.speech.example import load_example, remove_example

    if remove:
        with context.store().session() as session:
            removed = remove_example(session, context.operator())
        if as_json:
            print_json({"removed": removed})
        else:
            _say(f"Removed the example feed: {removed} posts.")
        return
    folder = sources if sources is not None else context.settings().require_sources()
    with progress("Scoring the example feed"), context.store().session() as session:
        counts = load_example(session, context.operator(), folder)
    if as_json:
        print_json({"dataset": "example", **asdict(counts)})
        return
    _say(
        f"EXAMPLE feed (dataset 'example'): {counts.created} posts created, {counts.updated} "
        f"updated, {counts.unchanged} unchanged. Made-up posts for trying the tools, not "
        "monitoring; `lens speech example --remove` deletes them."
    )
    _say("`lens speech trends` and `lens speech surges` show it, marked EXAMPLE.")


FeedOption = Annotated[
    str,
    typer.Option(
        "--feed",
        help="real or example (default: real monitoring when there is any, else the example "
        "feed; never the two mixed, as on the web pages).",
    ),
]


def _feed_note(chosen: Feed) -> None:
    if chosen.example:
        _say("EXAMPLE DATA: the generated example feed, not monitoring of real speech.")
    elif chosen.has_example:
        _say("The example feed is left out; `--feed example` shows it.")


def _choose(points: Sequence[TrendPoint], surges: Sequence[SpeechSurge], feed: str) -> Feed:
    """The web pages' rule (``monitoring.choose_feed``), its errors naming the option."""
    from prevention_lens.speech.monitoring import choose_feed

    try:
        return choose_feed(points, surges, feed.strip())
    except ValidationError as error:
        raise ValidationError(error.problem, field="--feed") from None


def trends(
    country: Annotated[
        str | None, typer.Argument(help="Country name or code (default: every country).")
    ] = None,
    group: GroupOption = None,
    since: SinceOption = None,
    dataset: DatasetOption = None,
    feed: FeedOption = "",
    as_json: JsonOption = False,
) -> None:
    """Weekly counts of monitored posts by country and targeted group: how many, how many count
    as hateful (labelled hateful, or using a lexicon term in a hateful sense), and their share.
    Aggregates only, as the public sees them."""
    from prevention_lens.speech.monitoring import weekly_trends

    with context.store().session() as session:
        found = weekly_trends(
            session,
            context.operator(),
            country=country,
            group=_group(group),
            since=_day(since, "--since"),
            dataset=dataset,
        )
    chosen = _choose(found, [], feed)
    points = chosen.points
    if as_json:
        print_json({"example": chosen.example, "trends": [point.to_dict() for point in points]})
        return
    if not points:
        narrowed = " for these filters" if country or group or since or dataset else ""
        real = " real" if chosen.has_example and not chosen.example else ""
        _say(
            f"No{real} monitored posts{narrowed} in {context.describe_store()}; `lens speech "
            "posts import FILE` imports a feed."
        )
        _feed_note(chosen)
        return
    rows = [
        {
            "week": point.week,
            "country": point.country_key,
            "targeted_group": group_label(point.targeted_group),
            "posts": point.posts,
            "hateful": point.hateful,
            "share": f"{point.share:.0%}",
            "feed": "EXAMPLE" if point.example else "",
        }
        for point in points
    ]
    print_table(rows, list(rows[0]), title=f"Weekly speech trends ({len(rows)} rows, oldest first)")
    _feed_note(chosen)


def surges(
    country: CountryOption = None,
    since: SinceOption = None,
    alpha: Annotated[
        float | None, typer.Option(help="Alert below this chance under the baseline (0.01).")
    ] = None,
    min_count: Annotated[
        int | None, typer.Option(help="Least hateful posts in a week to alert (5).")
    ] = None,
    baseline_weeks: Annotated[
        int | None, typer.Option(help="Trailing weeks the baseline is fitted on (26).")
    ] = None,
    feed: FeedOption = "",
    as_json: JsonOption = False,
) -> None:
    """Surge alerts: weeks in which hateful posts against a group in a country rose far above
    that series' own trailing baseline (the test behind incident signals), newest first, each
    with the UN Framework of Analysis indicators it bears on."""
    from prevention_lens.speech.indicators import UNVERIFIED_NOTE, framework_indicators
    from prevention_lens.speech.monitoring import SurgeSettings, speech_surges, weekly_trends

    asked: dict[str, Any] = {
        name: value
        for name, value in (
            ("alpha", alpha),
            ("min_count", min_count),
            ("baseline_weeks", baseline_weeks),
        )
        if value is not None
    }
    try:
        settings = SurgeSettings(**asked)
    except ValidationError as error:
        raise ValidationError(
            error.problem, field=f"--{error.field or ''}".replace("_", "-")
        ) from None
    with context.store().session() as session:
        found = speech_surges(
            session,
            context.operator(),
            country=country,
            since=_day(since, "--since"),
            settings=settings,
        )
        # Which feed is shown depends on the posts in scope, not only on the surges.
        points = weekly_trends(session, context.operator(), country=country)
        wording = framework_indicators(session, context.operator())
    chosen = _choose(points, found, feed)
    alerts = chosen.surges
    if as_json:
        print_json(
            {
                "example": chosen.example,
                "surges": [alert.to_dict() for alert in alerts],
                "framework_indicators": {
                    item.code: {"text": item.text, "unverified": item.unverified}
                    for item in wording
                },
            }
        )
        return
    if not alerts:
        _say(
            "No surge alerts: no week's hateful posts stood out against their series' past "
            "(a series needs some weeks of posts first; `lens speech trends` shows them)."
        )
        _feed_note(chosen)
        return
    rows = [
        {
            "week": alert.week,
            "country": f"{alert.country_name} ({alert.country_key})",
            "targeted_group": group_label(alert.targeted_group),
            "hateful": alert.observed,
            "expected": f"{alert.expected:.1f}",
            "of_posts": alert.posts,
            "p": f"{alert.p_value:.1e}",
            "indicators": list(alert.indicators),
            "feed": "EXAMPLE" if alert.example else "",
        }
        for alert in alerts
    ]
    print_table(rows, list(rows[0]), title=f"{len(rows)} speech surge alert(s), newest first")
    _feed_note(chosen)
    shown = {code for alert in alerts for code in alert.indicators}
    for item in wording:
        if item.code in shown:
            checked = f" ({UNVERIFIED_NOTE})" if item.unverified else ""
            _say(f"Framework indicator {item.code}: {item.text}{checked}")
    _say("`lens signals --country C` shows the incident signals to set beside them (by month).")
