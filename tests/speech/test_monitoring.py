"""Weekly trends, surge alerts and country summaries: aggregates only, open to the public."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from prevention_lens.errors import AuthenticationError, ValidationError
from prevention_lens.sources.frameworks import read_framework
from prevention_lens.speech.indicators import (
    FRAMEWORK,
    FRAMEWORK_INDICATORS,
    UNVERIFIED_INDICATORS,
    framework_indicators,
)
from prevention_lens.speech.monitoring import (
    SurgeSettings,
    country_speech_summary,
    counts_as_hateful,
    speech_surges,
    weekly_trends,
)
from prevention_lens.speech.posts import PostDraft, import_posts
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import FrameworkFactor, FrameworkIndicator
from tests.conftest import sources_folder
from tests.speech.keyword_scorer import MATCHER, KeywordScorer, draft, weekly

ANALYST = Principal("ana", Role.ANALYST, 1)
FIRST = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # a Monday
SPEAKER = "Speaker Confidential-Name"
PLACE = "Corner of Exact Street"


def _load(session: Session, drafts: list[PostDraft], dataset: str = "watch") -> None:
    import_posts(
        session, LOCAL_OPERATOR, drafts, dataset=dataset, scorer=KeywordScorer(), matcher=MATCHER
    )


def _surge_feed() -> list[PostDraft]:
    """Kenya: two hateful posts against a religion a week for twelve weeks, then twelve (with
    threats) in week 13; Myanmar: a flat three a week against an origin."""
    quiet = weekly(FIRST, [2] * 12, "hateful talk about religion", prefix="k")
    surge = weekly(
        datetime(2024, 3, 25, 9, 0, tzinfo=UTC),
        [12],
        "hateful threat about religion",
        prefix="s",
    )
    flat = weekly(FIRST, [3] * 13, "hateful talk about origin", prefix="m", country="Myanmar")
    calm = weekly(FIRST, [1] * 13, "a calm post", prefix="c")
    return [*quiet, *surge, *flat, *calm]


def test_a_surge_week_alerts_with_its_indicators_and_a_flat_series_does_not(store: Store) -> None:
    with store.session() as session:
        _load(session, _surge_feed())
        found = speech_surges(session, ANONYMOUS, settings=SurgeSettings(min_history=8))
    (surge,) = found
    assert (surge.country_key, surge.country_name, surge.targeted_group) == (
        "KEN",
        "Kenya",
        "religion",
    )
    assert surge.week == date(2024, 3, 25)
    assert (surge.observed, surge.expected, surge.posts) == (12, 2.0, 12)
    poisson = 1 - sum(math.exp(-2) * 2**j / math.factorial(j) for j in range(12))
    assert surge.p_value == pytest.approx(poisson, rel=1e-9)
    assert surge.strength == pytest.approx(-math.log10(poisson))
    # Every post of the week threatens: 7.14 always, 8.7 and 13.7 for the threats; no 13.5.
    assert surge.indicators == ("7.14", "8.7", "13.7")
    assert surge.attribute_shares == {"threat": 1.0, "dehumanisation": 0.0}
    assert not surge.example
    assert surge.to_dict()["month"] == "2024-03"


def test_surges_respect_min_count_since_and_country(store: Store) -> None:
    with store.session() as session:
        _load(session, _surge_feed())
        assert speech_surges(session, ANONYMOUS, settings=SurgeSettings(min_count=13)) == []
        assert speech_surges(session, ANONYMOUS, since=date(2024, 3, 26)) != []  # same week
        assert speech_surges(session, ANONYMOUS, since=date(2024, 4, 1)) == []
        assert speech_surges(session, ANONYMOUS, country="Myanmar") == []
        assert len(speech_surges(session, ANONYMOUS, country="ken")) == 1


def test_lexicon_uses_count_as_hateful_and_mentions_do_not() -> None:
    assert counts_as_hateful("hateful", [])
    assert not counts_as_hateful("offensive", [])
    use = {"sense": "unclear", "use": "use"}
    assert counts_as_hateful("neither", [use])
    assert not counts_as_hateful("neither", [{"sense": "unclear", "use": "mention"}])
    assert not counts_as_hateful("neither", [{"sense": "neutral", "use": "use"}])


def test_weekly_trends_are_public_counts_with_empty_weeks_filled(store: Store) -> None:
    drafts = [
        draft("a", "hateful post about religion", when=FIRST, speaker=SPEAKER, exact_place=PLACE),
        # A lexicon use counts as hateful, under the group its term names.
        draft("b", "a calm post with zorb", when=FIRST),
        draft("c", "the word zorb is a slur", when=FIRST),  # a mention: does not
        draft("d", "hateful post about religion", when=datetime(2024, 1, 17, tzinfo=UTC)),
    ]
    with store.session() as session:
        _load(session, drafts)
        points = weekly_trends(session, ANONYMOUS)
        assert [(p.targeted_group, p.week, p.posts, p.hateful) for p in points] == [
            (None, date(2024, 1, 1), 1, 0),
            ("religion", date(2024, 1, 1), 2, 2),
            (None, date(2024, 1, 8), 0, 0),
            ("religion", date(2024, 1, 8), 0, 0),
            (None, date(2024, 1, 15), 0, 0),  # every series runs to the data's last week
            ("religion", date(2024, 1, 15), 1, 1),
        ]
        assert points[0].share == 0.0 and points[1].share == 1.0
        exported = json.dumps([p.to_dict() for p in points])
        for secret in (SPEAKER, PLACE, "hateful post", "zorb", "watch"):
            assert secret not in exported
        assert set(points[0].to_dict()) == {
            "country_key",
            "country_name",
            "targeted_group",
            "week",
            "posts",
            "hateful",
            "share",
            "example",
        }
        assert [
            p.week
            for p in weekly_trends(session, ANONYMOUS, group="religion", since=date(2024, 1, 10))
        ] == [
            date(2024, 1, 8),
            date(2024, 1, 15),
        ]
        assert weekly_trends(session, ANONYMOUS, country="Myanmar") == []


def test_the_example_feed_stays_apart_and_only_staff_filter_by_feed(store: Store) -> None:
    with store.session() as session:
        _load(session, [draft("a", "hateful post about religion", when=FIRST)])
        _load(session, [draft("a", "hateful post about religion", when=FIRST)], "example")
        points = weekly_trends(session, ANONYMOUS)
        assert [(p.example, p.posts) for p in points] == [(False, 1), (True, 1)]
        assert [p.example for p in weekly_trends(session, ANONYMOUS, dataset="example")] == [True]
        with pytest.raises(AuthenticationError):
            weekly_trends(session, ANONYMOUS, dataset="watch")
        assert [p.example for p in weekly_trends(session, ANALYST, dataset="watch")] == [False]


def test_a_country_summary_shows_recent_weeks_groups_surges_and_indicators(store: Store) -> None:
    with store.session() as session:
        assert country_speech_summary(session, ANONYMOUS, "Kenya") is None
        _load(session, _surge_feed())
        summary = country_speech_summary(session, ANONYMOUS, "KEN", weeks=4)
        assert summary is not None
        assert (summary.country_key, summary.example) == ("KEN", False)
        assert (summary.posts, summary.hateful) == (24 + 12 + 13, 36)
        assert (summary.first_week, summary.last_week) == (date(2024, 1, 1), date(2024, 3, 25))
        assert [(w.week, w.posts, w.hateful) for w in summary.weeks] == [
            (date(2024, 3, 4), 3, 2),
            (date(2024, 3, 11), 3, 2),
            (date(2024, 3, 18), 3, 2),
            (date(2024, 3, 25), 13, 12),
        ]
        assert [(g.targeted_group, g.hateful) for g in summary.groups] == [
            ("religion", 18),
            (None, 0),
        ]
        assert [s.week for s in summary.surges] == [date(2024, 3, 25)]
        assert summary.indicators == ("7.14", "8.7", "13.7")
        assert json.loads(json.dumps(summary.to_dict()))["indicators"] == ["7.14", "8.7", "13.7"]
        with pytest.raises(ValidationError):
            country_speech_summary(session, ANONYMOUS, "KEN", weeks=0)


def test_a_country_with_only_example_posts_is_summarised_as_an_example(store: Store) -> None:
    with store.session() as session:
        _load(session, [draft("a", "hateful post about religion", when=FIRST)], "example")
        summary = country_speech_summary(session, ANONYMOUS, "Kenya")
        assert summary is not None and summary.example
        _load(session, [draft("b", "a calm post", when=FIRST)])
        real = country_speech_summary(session, ANONYMOUS, "Kenya")
        assert real is not None and not real.example and real.hateful == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("baseline_weeks", 1),
        ("alpha", 1.5),
        ("min_count", 0),
        ("rate_floor", 0.0),
        ("indicator_share", 2),
        ("min_history", 40),
    ],
)
def test_settings_name_the_bad_value(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        SurgeSettings(**{name: value})  # type: ignore[arg-type]
    assert caught.value.field == name
    assert repr(value) in str(caught.value)


def test_indicator_wording_comes_from_the_store_when_loaded(store: Store) -> None:
    with store.session() as session:
        packaged = framework_indicators(session, ANONYMOUS)
        assert [(i.code, i.source) for i in packaged] == [
            ("7.14", "packaged"),
            ("8.7", "packaged"),
            ("13.5", "packaged"),
            ("13.7", "packaged"),
        ]
        assert [i.code for i in packaged if i.unverified] == ["7.14"]
        factor = FrameworkFactor(framework=FRAMEWORK, number=8, kind="common", name="Triggers")
        session.add(factor)
        session.flush()
        session.add(
            FrameworkIndicator(
                framework=FRAMEWORK,
                factor_id=factor.id,
                code="8.7",
                position=7,
                text="Corrected wording.",
                edited_by="adm",
            )
        )
        session.flush()
        stored = {i.code: i for i in framework_indicators(session, ANONYMOUS)}
        assert (stored["8.7"].text, stored["8.7"].source) == ("Corrected wording.", "store")
        assert stored["7.14"].source == "packaged"


def test_the_packaged_wording_is_the_framework_files() -> None:
    path = sources_folder() / "frameworks" / "framework_of_analysis.yaml"
    factors, _ = read_framework(Path(path))
    indicators = {i.code: i for factor in factors for i in factor.indicators}
    for code, text in FRAMEWORK_INDICATORS.items():
        assert indicators[code].text == text
    assert {code for code in FRAMEWORK_INDICATORS if indicators[code].unverified} == set(
        UNVERIFIED_INDICATORS
    )


def test_indicators_sharing_a_trigger_are_explained_together() -> None:
    # 8.7 and 13.7 both rest on "threat": a page that explained each on its own repeated the
    # same condition twice, as if they were two findings.
    from prevention_lens.speech.indicators import indicator_triggers

    assert indicator_triggers() == [("threat", ("8.7", "13.7")), ("dehumanisation", ("13.5",))]
