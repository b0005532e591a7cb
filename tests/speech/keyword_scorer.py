"""A classifier for the monitoring tests whose answer a test can read off the text: the label
is the first of "hateful" or "offensive" the text contains (else "neither"); "threat" and
"dehumanising" raise those attributes; "religion" or "origin" names the targeted group.
It counts how many texts it scored, so tests can see what was scored again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prevention_lens.speech.matching import LexiconTerm, Matcher, TermSense
from prevention_lens.speech.posts import PostDraft

GROUPS = ("religion", "origin")


@dataclass(frozen=True)
class KeywordScore:
    label: str
    hate_score: float
    scores: dict[str, float]
    attributes: dict[str, float]
    targeted_group: str | None
    group_scores: dict[str, float]


@dataclass
class KeywordScorer:
    version: str = "keyword-test-1"
    scored: list[str] = field(default_factory=list)

    def model_version(self) -> str:
        return self.version

    def score_texts(self, texts: Sequence[str]) -> list[KeywordScore]:
        self.scored.extend(texts)
        return [self._score(text.lower()) for text in texts]

    @staticmethod
    def _score(text: str) -> KeywordScore:
        label = next((name for name in ("hateful", "offensive") if name in text), "neither")
        hate = {"hateful": 0.9, "offensive": 0.2, "neither": 0.05}[label]
        group = next((name for name in GROUPS if name in text), None)
        return KeywordScore(
            label=label,
            hate_score=hate,
            scores={"hateful": hate, "offensive": 0.5 if label == "offensive" else 0.05},
            attributes={
                "identity_attack": hate,
                "threat": 0.9 if "threat" in text else 0.05,
                "dehumanisation": 0.9 if "dehumanising" in text else 0.05,
                "offensive": 0.5,
            },
            targeted_group=group,
            group_scores={name: (0.8 if name == group else 0.1) for name in GROUPS},
        )


# A made-up term with a hateful and a neutral sense, so tests need no real slur.
ZORB = LexiconTerm(
    term_id=1,
    term="zorb",
    language="en",
    severity=3,
    targeted_groups=("religion",),
    senses=(
        TermSense("hateful", "an insult for members of a faith"),
        TermSense("neutral", "a garden tool", phrases=("zorb rake",)),
    ),
)
MATCHER = Matcher([ZORB])


def draft(
    external_id: str,
    text: str,
    *,
    when: datetime = datetime(2024, 3, 6, 12, 0, tzinfo=UTC),
    country: str = "Kenya",
    **more: str,
) -> PostDraft:
    return PostDraft(
        external_id=external_id, posted_at=when, country=country, text=text, language="en", **more
    )


def weekly(
    first: datetime, counts: Sequence[int], text: str, *, prefix: str, country: str = "Kenya"
) -> list[PostDraft]:
    """``counts[n]`` posts of ``text`` in the n-th week from ``first``."""
    drafts = []
    for week, count in enumerate(counts):
        for n in range(count):
            when = first + timedelta(weeks=week, hours=n)
            drafts.append(draft(f"{prefix}-{week}-{n}", text, when=when, country=country))
    return drafts
