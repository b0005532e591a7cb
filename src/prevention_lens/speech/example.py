"""The EXAMPLE monitoring feed: made-up posts for demonstrating speech monitoring, never real.

Its texts are HateCheck test cases (Röttger et al. 2021, CC BY 4.0), which the classifier is
never trained on, spread deterministically over 26 weeks in three countries, with one surge
built in: in week 23 in Kenya, 40 hateful posts against Muslims on top of the usual few.
Everything else about the posts is invented, and each post says so: it belongs to the dataset
"example", its speaker is "Example speaker N" and its platform "example". Trends, surges and
summaries keep the example feed apart from real posts and flag it (``speech/monitoring.py``).
Generating it needs the shared data folder (``speech/hatecheck-en``). Slur and profanity cases
are left out.

Public API::

    EXAMPLE_DATASET = "example"
    FIRST_WEEK, WEEKS, COUNTRIES, SURGE      # the feed's layout; SURGE = (country, week, group)
    example_posts(sources) -> list[PostDraft]
    load_example(session, principal, sources, *, scorer=None, matcher=None) -> LoadCounts
    remove_example(session, principal) -> int
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from prevention_lens.errors import ConflictError
from prevention_lens.sources.speech_corpora import HateCheckCase, hatecheck_cases
from prevention_lens.sources.speech_posts import EXAMPLE_DATASET, SPEAKER_TYPES
from prevention_lens.speech.posts import HitFinder, PostDraft, PostScorer, import_posts
from prevention_lens.store.access import Principal, audit, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import SpeechAssessment, SpeechPost

__all__ = [
    "COUNTRIES",
    "EXAMPLE_DATASET",
    "FIRST_WEEK",
    "SURGE",
    "WEEKS",
    "example_posts",
    "load_example",
    "remove_example",
]

FIRST_WEEK = date(2025, 1, 6)  # a Monday
WEEKS = 26
COUNTRIES = ("KEN", "NGA", "LKA")
# The built-in surge: the country, the week (from 0) and the targeted group the classifier is
# expected to give its posts; SURGE_POSTS hateful cases against SURGE_TARGET, on top of that
# week's usual posts. The shipped classifier labels only some hateful cases "hateful" (it
# calls many "offensive"), so the surge is large enough to stand out through it; the feed
# never depends on what a model says.
SURGE = ("KEN", 22, "religion")
SURGE_POSTS = 40
SURGE_TARGET = "Muslims"
# Posts of a usual week in one country: hateful ones, and others (neutral, counter-speech,
# quotations, negated hate).
HATEFUL_PER_WEEK = (1, 2, 2, 3)
OTHER_PER_WEEK = (5, 6, 7, 8)
# HateCheck's slur and profanity cases are left out: a demonstration needs none of them.
LEFT_OUT = frozenset(
    {"slur_h", "profanity_h", "slur_reclaimed_nh", "slur_homonym_nh", "profanity_nh"}
)
SEED = 15
_SPEAKER_TYPES = tuple(name for name in SPEAKER_TYPES if name != "unknown")


def _pools(
    cases: list[HateCheckCase],
) -> tuple[list[HateCheckCase], list[HateCheckCase], list[HateCheckCase]]:
    """The surge's cases, other hateful cases and the rest, in file order."""
    kept = [case for case in cases if case.functionality not in LEFT_OUT]
    surge = [case for case in kept if case.hateful and case.target_ident == SURGE_TARGET]
    chosen = {case.case_id for case in surge}
    hateful = [case for case in kept if case.hateful and case.case_id not in chosen]
    others = [case for case in kept if not case.hateful]
    return surge, hateful, others


def example_posts(sources: Path) -> list[PostDraft]:
    """The example feed's posts, the same on every run (seeded)."""
    surge_pool, hateful_pool, other_pool = _pools(hatecheck_cases(sources))
    rng = random.Random(SEED)
    rng.shuffle(surge_pool)
    rng.shuffle(hateful_pool)
    rng.shuffle(other_pool)
    hateful_texts = iter(hateful_pool)
    other_texts = iter(other_pool)
    posts: list[PostDraft] = []
    for week in range(WEEKS):
        monday = datetime.combine(FIRST_WEEK + timedelta(weeks=week), time(0, 0), UTC)
        for country in COUNTRIES:
            chosen = [next(hateful_texts) for _ in range(rng.choice(HATEFUL_PER_WEEK))]
            chosen += [next(other_texts) for _ in range(rng.choice(OTHER_PER_WEEK))]
            if (country, week) == SURGE[:2]:
                chosen += surge_pool[:SURGE_POSTS]
            for number, case in enumerate(chosen, start=1):
                speaker = rng.randrange(1, 60)
                posts.append(
                    PostDraft(
                        external_id=f"{country}-w{week:02d}-{number:02d}",
                        posted_at=monday + timedelta(minutes=rng.randrange(7 * 24 * 60)),
                        country=country,
                        text=case.text,
                        language="en",
                        exact_place="Example place",
                        speaker_type=_SPEAKER_TYPES[speaker % len(_SPEAKER_TYPES)],
                        speaker=f"Example speaker {speaker}",
                        platform="example",
                    )
                )
    return posts


def load_example(
    session: Session,
    principal: Principal,
    sources: Path,
    *,
    scorer: PostScorer | None = None,
    matcher: HitFinder | None = None,
) -> LoadCounts:
    """Generate the example feed and store it (scored and matched like any import) in the
    dataset "example"; running it again changes nothing unless the model or lexicon did."""
    require(principal, "import", "speech_post")
    return import_posts(
        session,
        principal,
        example_posts(sources),
        dataset=EXAMPLE_DATASET,
        scorer=scorer,
        matcher=matcher,
    )


def remove_example(session: Session, principal: Principal) -> int:
    """Delete every post of the example feed (admins); how many there were."""
    require(principal, "delete", "speech_post")
    example_ids = select(SpeechPost.id).where(SpeechPost.dataset == EXAMPLE_DATASET)
    assessed = int(
        session.scalar(
            select(func.count(SpeechAssessment.id)).where(SpeechAssessment.post_id.in_(example_ids))
        )
        or 0
    )
    if assessed:
        raise ConflictError(
            f"{assessed} assessment(s) refer to example posts; delete or detach them first."
        )
    count = int(
        session.scalar(
            select(func.count(SpeechPost.id)).where(SpeechPost.dataset == EXAMPLE_DATASET)
        )
        or 0
    )
    session.execute(delete(SpeechPost).where(SpeechPost.dataset == EXAMPLE_DATASET))
    audit(session, principal, "delete", "speech_post", dataset=EXAMPLE_DATASET, count=count)
    return count
