"""Speech monitoring set beside the rest of the warning picture: a country's surges of hateful
posts linked to the escalation alerts in its incident records that follow them, and to the UN
Framework of Analysis indicators on hate speech with their latest assessed scores. What the
country hub's speech panel and the brief's speech section show.

The link rule (``LINK_RULE``): a surge in the ISO week W is linked to every escalation alert of
the same country whose month is one that W falls in (a week can straddle two) or one of the
``FOLLOWING_MONTHS`` calendar months after. Incident alerts are monthly and speech surges
weekly, so the link is by month; it looks forward only, because the question a reader asks is
whether violence followed the speech. Being close in time does not show that one caused the
other, and the brief says so beside every link.

Only aggregates cross this module: counts per week and targeted group (``speech_post``'s
``read_trends``, public), never a post's text, speaker or place, whoever reads.

Public API::

    FOLLOWING_MONTHS, LINK_RULE, PANEL_SURGES, EXAMPLE_NOTICE
    LinkedAlert, LinkedSurge, SpeechPanel                       typed (frozen)
    linked_months(week) -> tuple[str, ...]                      # "YYYY-MM", oldest first
    link_surges(surges, alerts) -> tuple[LinkedSurge, ...]
    group_label(code) -> str
    speech_panel(session, principal, country, *, alerts=None) -> SpeechPanel | None
    trend_sentences(summary) -> tuple[str, ...]
    brief_speech(session, principal, panel, scores, assessment, reframe=str)
        -> BriefSpeech | None
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from prevention_lens.briefs.parts import (
    BriefAssessment,
    BriefIndicator,
    BriefSpeech,
    BriefSpeechSurge,
    Figure,
)
from prevention_lens.incidents.monitoring import RecordAlert
from prevention_lens.risk.framework import SCORE_LABELS
from prevention_lens.speech.indicators import UNVERIFIED_NOTE, framework_indicators
from prevention_lens.speech.monitoring import SpeechSummary, SpeechSurge, country_speech_summary
from prevention_lens.speech.scoring import NO_GROUP_LABEL, TARGET_GROUPS
from prevention_lens.store.access import Principal, allowed
from prevention_lens.store.models import Country

FOLLOWING_MONTHS = 2
LINK_RULE = (
    "A surge is linked to the country's escalation alerts in its incident records in the "
    f"month of its week and the {FOLLOWING_MONTHS} months after. Being close in time does not "
    "show that one caused the other."
)
PANEL_SURGES = 5  # the newest surges the hub and the brief list; the speech page lists all
RECENT_WEEKS = 4  # the trend compares the latest weeks with the weeks before them
TOP_GROUPS = 3
EXAMPLE_NOTICE = (
    "EXAMPLE DATA — posts from the generated example feed, not monitoring of real speech; "
    "no figure here describes the country."
)


def _month(day: date) -> tuple[int, int]:
    return day.year, day.month


def _add_months(month: tuple[int, int], count: int) -> tuple[int, int]:
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def linked_months(week: date) -> tuple[str, ...]:
    """The months ("YYYY-MM") whose escalation alerts a surge in the week starting ``week``
    links to: those the week falls in and the FOLLOWING_MONTHS after the last of them."""
    first, last = _month(week), _month(week + timedelta(days=6))
    months = []
    month = first
    end = _add_months(last, FOLLOWING_MONTHS)
    while month <= end:
        months.append(f"{month[0]:04d}-{month[1]:02d}")
        month = _add_months(month, 1)
    return tuple(months)


def group_label(code: str | None) -> str:
    """A targeted group in words for running text (the classifier's label, lower case first),
    "no group identified" for None."""
    if code is None:
        return NO_GROUP_LABEL
    label = TARGET_GROUPS.get(code, code.replace("_", " "))
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class LinkedAlert:
    """An escalation alert in the country's incident records that follows a surge."""

    month: str
    series_label: str
    observed: float
    expected: float
    url: str

    def words(self) -> str:
        return (
            f"{self.month}: {self.series_label.lower()} rose to {self.observed:g} against "
            f"about {self.expected:.1f} expected"
        )


@dataclass(frozen=True)
class LinkedSurge:
    """A surge of hateful posts and the escalation alerts linked to it (LINK_RULE)."""

    surge: SpeechSurge
    group: str  # the targeted group in words
    alerts: tuple[LinkedAlert, ...]  # oldest month first

    def to_dict(self) -> dict[str, Any]:
        return self.surge.to_dict() | {
            "targeted_group_label": self.group,
            "linked_alerts": [
                {
                    "month": a.month,
                    "series_label": a.series_label,
                    "observed": a.observed,
                    "expected": a.expected,
                    "url": a.url,
                }
                for a in self.alerts
            ],
        }


def link_surges(
    surges: Sequence[SpeechSurge], alerts: Sequence[RecordAlert]
) -> tuple[LinkedSurge, ...]:
    """Each surge (in the order given) with the alerts of its country in its linked months.
    Alerts are country-level or admin1-level alike: posts carry no place a reader may see, so
    a surge is linked to anything in its country."""
    linked = []
    for surge in surges:
        months = set(linked_months(surge.week))
        found = sorted(
            (
                alert
                for alert in alerts
                if alert.country_key == surge.country_key and alert.month in months
            ),
            key=lambda alert: (alert.month, -alert.score, alert.series),
        )
        linked.append(
            LinkedSurge(
                surge=surge,
                group=group_label(surge.targeted_group),
                alerts=tuple(
                    LinkedAlert(
                        month=alert.month,
                        series_label=alert.series_label
                        + (f" in {alert.admin1}" if alert.admin1 else ""),
                        observed=alert.observed,
                        expected=alert.expected,
                        url="/signals?"
                        + urlencode({"country": alert.country_key, "since": alert.month}),
                    )
                    for alert in found
                ),
            )
        )
    return tuple(linked)


@dataclass(frozen=True)
class SpeechPanel:
    """The country hub's speech part: the country's summary (its last weeks of data), its
    newest surges with their linked alerts, and the address of the country's speech page.
    ``alerts_read``: whether the reader's incident alerts were set beside the surges (False:
    the incident records are not open to them, so no surge shows a link)."""

    summary: SpeechSummary
    surges: tuple[LinkedSurge, ...]
    alerts_read: bool
    notice: str
    url: str

    @property
    def example(self) -> bool:
        return self.summary.example

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary.to_dict(),
            "surges": [surge.to_dict() for surge in self.surges],
            "alerts_read": self.alerts_read,
            "notice": self.notice,
            "url": self.url,
        }


def speech_panel(
    session: Session,
    principal: Principal,
    country: Country | str,
    *,
    alerts: Sequence[RecordAlert] | None = None,
) -> SpeechPanel | None:
    """The speech part of a country's hub; None when the country has no monitored posts or
    the reader may not see speech trends. ``alerts``: the country's escalation alerts as the
    reader may see them (None: not open to the reader), to link the surges to."""
    if not allowed(principal, "read_trends", "speech_post"):
        return None
    summary = country_speech_summary(session, principal, country)
    if summary is None:
        return None
    return SpeechPanel(
        summary=summary,
        surges=link_surges(summary.surges[:PANEL_SURGES], alerts or ()),
        alerts_read=alerts is not None,
        notice=EXAMPLE_NOTICE if summary.example else "",
        url=f"/speech/{summary.country_key}",
    )


def _share(hateful: int, posts: int) -> str:
    return f"{hateful / posts:.1%}" if posts else "none"


def trend_sentences(summary: SpeechSummary) -> tuple[str, ...]:
    """The trend in plain sentences (for the reader's sector terms: the caller reframes)."""
    plural = "" if summary.posts == 1 else "s"
    sentences = [
        f"{summary.posts:,} post{plural} monitored from the week of "
        f"{summary.first_week.isoformat()} to the week of {summary.last_week.isoformat()}; "
        f"{summary.hateful:,} ({_share(summary.hateful, summary.posts)}) count as hate speech."
    ]
    weeks = summary.weeks
    recent, before = weeks[-RECENT_WEEKS:], weeks[:-RECENT_WEEKS]
    recent_posts = sum(w.posts for w in recent)
    before_posts = sum(w.posts for w in before)
    if recent_posts and before_posts:
        recent_share = sum(w.hateful for w in recent) / recent_posts
        before_share = sum(w.hateful for w in before) / before_posts
        way = (
            "up from"
            if recent_share > before_share
            else "down from"
            if recent_share < before_share
            else "the same as"
        )
        sentences.append(
            f"In the latest {len(recent)} weeks {recent_share:.1%} of posts were hate speech, "
            f"{way} {before_share:.1%} in the {len(before)} weeks before."
        )
    targeted = [g for g in summary.groups if g.hateful][:TOP_GROUPS]
    span = f"the last {len(weeks)} week{'' if len(weeks) == 1 else 's'}"
    if targeted:
        named = ", ".join(
            f"{group_label(g.targeted_group)} ({g.hateful:,} post{'' if g.hateful == 1 else 's'})"
            for g in targeted
        )
        sentences.append(f"Hate speech in {span} most often targeted: {named}.")
    else:
        sentences.append(f"No post of {span} counts as hate speech.")
    count = len(summary.surges)
    if count:
        codes = ", ".join(summary.indicators)
        sentences.append(
            f"{count} surge alert{'' if count == 1 else 's'} in {span}, a warning sign of mass "
            f"atrocities under Framework of Analysis "
            f"indicator{'' if len(summary.indicators) == 1 else 's'} {codes}."
        )
    else:
        sentences.append(f"No surge alert in {span}.")
    return tuple(sentences)


def _score(value: int | None) -> str | None:
    return None if value is None else f"{SCORE_LABELS[value]} ({value} of 3)"


def brief_speech(
    session: Session,
    principal: Principal,
    panel: SpeechPanel | None,
    scores: Mapping[str, int | None],
    assessment: BriefAssessment | None,
    reframe: Callable[[str], str] = str,
) -> BriefSpeech | None:
    """The brief's speech section from the hub's panel (None: no monitored posts, so no
    section). ``scores``: indicator code -> score in ``assessment``, the latest Framework
    assessment the reader may see. ``reframe`` puts the prose in the reader's sector terms."""
    if panel is None:
        return None
    summary = panel.summary
    source = "Prevention Lens speech monitoring: imported posts scored by the local classifier "
    source += "and the hate-speech lexicon" + (
        " (the generated example feed)" if summary.example else ""
    )
    first, last = summary.first_week.isoformat(), summary.last_week.isoformat()
    weeks = len(summary.weeks)
    figures = (
        Figure(
            "Monitored posts (counted as hate speech)",
            f"{summary.posts:,} ({summary.hateful:,})",
            source,
            f"weeks of {first} to {last}",
        ),
        Figure(
            f"Hate speech surge alerts in the last {weeks} weeks",
            str(len(summary.surges)),
            "Prevention Lens surge test on weekly counts per targeted group",
            f"week of {last}",
        ),
    )
    return BriefSpeech(
        trend=tuple(reframe(sentence) for sentence in trend_sentences(summary)),
        surges=tuple(
            BriefSpeechSurge(
                week=linked.surge.week,
                targeted_group=linked.group,
                observed=linked.surge.observed,
                expected=linked.surge.expected,
                indicators=linked.surge.indicators,
                signals=tuple(reframe(alert.words()) for alert in linked.alerts),
                example=linked.surge.example,
            )
            for linked in panel.surges
        ),
        indicators=tuple(
            BriefIndicator(
                code=item.code,
                text=item.text + (f" ({UNVERIFIED_NOTE})" if item.unverified else ""),
                score=_score(scores.get(item.code)),
            )
            for item in framework_indicators(session, principal)
        ),
        assessed_on=None if assessment is None else assessment.date,
        link_rule=LINK_RULE
        if panel.alerts_read
        else "The incident records are not open to this reader, so no alert is linked.",
        example=summary.example,
        notice=panel.notice,
        url=panel.url,
        figures=figures,
    )
