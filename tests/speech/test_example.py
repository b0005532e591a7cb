"""The example monitoring feed: deterministic, labelled as an example, with one surge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import PermissionDeniedError
from prevention_lens.sources.speech_corpora import HATECHECK_TARGETS, hatecheck_cases
from prevention_lens.speech.example import (
    COUNTRIES,
    EXAMPLE_DATASET,
    FIRST_WEEK,
    SURGE,
    SURGE_POSTS,
    WEEKS,
    example_posts,
    load_example,
    remove_example,
)
from prevention_lens.speech.monitoring import speech_surges, weekly_trends
from prevention_lens.speech.posts import list_posts
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import SpeechPost
from tests.conftest import sources_folder
from tests.speech.keyword_scorer import MATCHER, KeywordScore

ANALYST = Principal("ana", Role.ANALYST, 1)


class GoldScorer:
    """Answers with HateCheck's own labels and targets: what a perfect classifier would say."""

    def __init__(self, sources: Path) -> None:
        self.gold = {case.text.strip(): case for case in hatecheck_cases(sources)}

    def model_version(self) -> str:
        return "hatecheck-gold"

    def score_texts(self, texts: Sequence[str]) -> list[KeywordScore]:
        scores = []
        for text in texts:
            case = self.gold[text]
            threat = "threat" in case.functionality
            dehumanising = "dehum" in case.functionality
            group = HATECHECK_TARGETS.get(case.target_ident or "")
            scores.append(
                KeywordScore(
                    label="hateful" if case.hateful else "neither",
                    hate_score=1.0 if case.hateful else 0.0,
                    scores={},
                    attributes={"threat": float(threat), "dehumanisation": float(dehumanising)},
                    targeted_group=group if case.hateful else None,
                    group_scores={},
                )
            )
        return scores


def test_the_feed_is_the_same_every_time_and_labelled_as_an_example() -> None:
    sources = sources_folder()
    posts = example_posts(sources)
    assert posts == example_posts(sources)
    assert {post.country for post in posts} == set(COUNTRIES)
    assert {post.platform for post in posts} == {"example"}
    assert all(post.speaker.startswith("Example speaker ") for post in posts)
    assert len({post.external_id for post in posts}) == len(posts)
    texts = {case.text.strip() for case in hatecheck_cases(sources)}
    assert all(post.text in texts for post in posts)
    weeks = Counter(
        (post.country, (post.posted_at.date() - FIRST_WEEK).days // 7) for post in posts
    )
    assert {week for _, week in weeks} == set(range(WEEKS))
    country, week, _ = SURGE
    usual = max(count for (c, w), count in weeks.items() if (c, w) != (country, week))
    assert weeks[(country, week)] >= SURGE_POSTS + 5 > usual


def test_a_perfect_classifier_finds_the_built_in_surge_and_only_it(store: Store) -> None:
    sources = sources_folder()
    with store.session() as session:
        gold = GoldScorer(sources)
        counts = load_example(session, ANALYST, sources, scorer=gold, matcher=MATCHER)
        assert counts.created == len(example_posts(sources))
        found = speech_surges(session, ANONYMOUS)
        country, week, group = SURGE
        assert [(s.country_key, s.week, s.targeted_group, s.example) for s in found] == [
            (country, FIRST_WEEK + timedelta(weeks=week), group, True)
        ]
        assert found[0].observed >= SURGE_POSTS
        # 7.14 always; the others by the share of the series' hateful posts that week that
        # threaten or dehumanise, which the gold functionalities give.
        week_cases = [
            gold.gold[post.text]
            for post in example_posts(sources)
            if post.country == country
            and post.posted_at.date() >= found[0].week
            and post.posted_at.date() < found[0].week + timedelta(weeks=1)
        ]
        hateful = [case for case in week_cases if case.hateful and case.target == group]
        dehumanising = sum("dehum" in case.functionality for case in hateful) / len(hateful)
        assert found[0].attribute_shares["dehumanisation"] == pytest.approx(dehumanising)
        assert found[0].indicators[0] == "7.14"
        assert ("13.5" in found[0].indicators) == (dehumanising >= 0.25)
        assert {p.example for p in weekly_trends(session, ANONYMOUS)} == {True}
        assert all(post.example for post in list_posts(session, ANALYST, limit=50))
        again = load_example(session, ANALYST, sources, scorer=gold, matcher=MATCHER)
        assert (again.created, again.updated) == (0, 0)


def test_only_admins_remove_the_example(store: Store) -> None:
    sources = sources_folder()
    with store.session() as session:
        load_example(session, ANALYST, sources, scorer=GoldScorer(sources), matcher=MATCHER)
        with pytest.raises(PermissionDeniedError):
            remove_example(session, ANALYST)
        assert remove_example(session, LOCAL_OPERATOR) == len(example_posts(sources))
        remaining = session.scalar(
            select(func.count(SpeechPost.id)).where(SpeechPost.dataset == EXAMPLE_DATASET)
        )
        assert remaining == 0


def test_the_shipped_classifier_finds_the_built_in_surge(sqlite_store: Store) -> None:
    sources = sources_folder()
    with sqlite_store.session() as session:
        load_example(session, LOCAL_OPERATOR, sources)
        country, week, group = SURGE
        found = [
            (s.country_key, s.week, s.targeted_group)
            for s in speech_surges(session, ANONYMOUS, country=country)
        ]
        assert (country, FIRST_WEEK + timedelta(weeks=week), group) in found
