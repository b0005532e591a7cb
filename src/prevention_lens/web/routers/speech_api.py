"""The speech-monitoring part of the JSON API: scoring text on this machine (a local stand-in
for Perspective-style scoring) and the model card, the codes the API uses, weekly trends and
surge alerts (aggregates: public) and monitored posts (analysts), through the store's
``speech_*`` policies; and what the speech pages share with it (scoring one text, the rule that
keeps the example feed apart, the staff links a reader is offered). The lexicon's routes are in
``speech_terms.py``, the assessments' in ``speech_assessments.py``.

Who spoke and exactly where are confidential: they reach admins only, and only where a
record carries them (``speech.posts`` projects them per reader).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_posts import LIMITS as POST_LIMITS
from prevention_lens.sources.speech_posts import SPEAKER_TYPES
from prevention_lens.speech.frameworks import (
    CONCLUSIONS,
    DSP_ELEMENTS,
    HALLMARKS,
    RABAT_FACTORS,
    RABAT_SCORES,
)
from prevention_lens.speech.indicators import framework_indicators
from prevention_lens.speech.lexicon import published_matcher
from prevention_lens.speech.matching import TermHit
from prevention_lens.speech.monitoring import choose_feed, speech_surges, weekly_trends
from prevention_lens.speech.posts import MAX_LIMIT, get_post, list_posts, post_group
from prevention_lens.speech.scoring import (
    ATTRIBUTES,
    LABELS,
    TARGET_GROUPS,
    PostScore,
    model_card,
    model_version,
    score_texts,
)
from prevention_lens.speech.terms import SEVERITIES, STATUSES
from prevention_lens.speech.text import normalise_post, to_unicode
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import (
    CODE_MAX_CHARS,
    CurrentPrincipal,
    DbSession,
    RecordId,
    code_query,
)
from prevention_lens.web.security import verify_csrf

router = APIRouter(prefix="/api/v1/speech", tags=["speech"], dependencies=[Depends(verify_csrf)])
# Scoring reads only the public lexicon and the shipped model and stores nothing, so a
# cross-site request gains nothing from a reader's cookie: no CSRF token needed (as reframing).
score_router = APIRouter(prefix="/api/v1/speech", tags=["speech"])

Record = dict[str, Any]
EXAMPLE_LABEL = "Example data"
# The longest text scored at once (a post's limit in imports) and the most texts per call.
MAX_SCORE_CHARS = POST_LIMITS["text"]
MAX_SCORE_TEXTS = 100
ATTRIBUTE_LABELS = {
    "identity_attack": "identity attack",
    "threat": "threat or incitement",
    "dehumanisation": "dehumanisation",
    "offensive": "offensive",
}


# --- shared with the pages ---------------------------------------------------------------------


def abilities(principal: Principal) -> dict[str, bool]:
    """Which staff links the speech pages offer this reader (the routes check again)."""
    return {
        "can_read_posts": allowed(principal, "read", "speech_post"),
        "can_assess": allowed(principal, "create", "speech_assessment"),
        "can_propose": allowed(principal, "propose", "speech_term"),
        "can_review": allowed(principal, "review", "speech_term"),
        "can_read_drafts": allowed(principal, "read_drafts", "speech_term"),
    }


def checked_group(group: str) -> str | None:
    """A targeted group's code from a filter (blank: every group)."""
    value = group.strip()
    if not value:
        return None
    if value not in TARGET_GROUPS:
        raise ValidationError(
            f"unknown targeted group {value!r}; choose from {', '.join(TARGET_GROUPS)}",
            field="group",
        )
    return value


def checked_date(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{value!r} is not a date; write YYYY-MM-DD", field=field) from None


@dataclass(frozen=True)
class ScoredText:
    """One text as the classifier and the lexicon read it: the normalised text (what the
    hits' offsets index), the classifier's score and the lexicon hits."""

    text: str
    score: PostScore
    hits: tuple[TermHit, ...]
    model_version: str
    # Whether the text was Burmese in Zawgyi, converted to Unicode before it was read.
    zawgyi_converted: bool = False

    @property
    def counted_hits(self) -> int:
        return sum(1 for hit in self.hits if hit.counts)

    @property
    def counted_group(self) -> str | None:
        """The group monitoring would count the text under (``posts.post_group``)."""
        hits = [hit.to_dict() for hit in self.hits]
        return post_group(self.score.label, self.score.targeted_group, hits)

    def pieces(self) -> list[tuple[str, TermHit | None]]:
        """The text cut at the hits, so a page can mark each one."""
        out: list[tuple[str, TermHit | None]] = []
        position = 0
        for hit in sorted(self.hits, key=lambda found: found.start):
            if hit.start < position:
                continue
            if hit.start > position:
                out.append((self.text[position : hit.start], None))
            out.append((self.text[hit.start : hit.end], hit))
            position = hit.end
        if position < len(self.text):
            out.append((self.text[position:], None))
        return out

    def to_dict(self) -> Record:
        group = self.score.targeted_group
        return {
            "text_normalised": self.text,
            **self.score.to_dict(),
            "targeted_group_label": TARGET_GROUPS.get(group) if group else None,
            "lexicon_hits": [hit.to_dict() for hit in self.hits],
            "counted_hits": self.counted_hits,
            "counted_group": self.counted_group,
        }


def score_many(
    session: Session, texts: Sequence[str], country: str | None = None
) -> list[ScoredText]:
    """Scores the texts and finds the published lexicon's terms in them; stores nothing.
    ``country`` (any name or code) leaves out terms listed only for other countries."""
    for number, text in enumerate(texts, start=1):
        where = "text" if len(texts) == 1 else f"texts[{number}]"
        if len(text) > MAX_SCORE_CHARS:
            raise ValidationError(
                f"is {len(text):,} characters; at most {MAX_SCORE_CHARS:,}", field=where
            )
        if not text.strip():
            raise ValidationError("paste the text to score", field=where)
    key = find_country(session, country).key if country else None
    normalised = [normalise_post(text) for text in texts]
    # Asked as import does (speech.posts), so that a text reads the same scored or stored.
    converted = [to_unicode(text).converted for text in texts]
    matcher = published_matcher(session)
    version = model_version()
    return [
        ScoredText(text, score, tuple(matcher.find(text, country=key)), version, zawgyi)
        for text, score, zawgyi in zip(normalised, score_texts(normalised), converted, strict=True)
    ]


def label_rule() -> str:
    """How the shipped model picks a label from its probabilities, in one sentence, with the
    weights it was fitted with (the model card's, which ship with the model)."""
    weights = model_card()["calibration"]["label_weights"]
    named = [label if weights[label] == 1 else f"{label} ×{weights[label]:g}" for label in LABELS]
    rule = f"The label is the highest of {', '.join(named)}"
    raised = [label for label in LABELS if weights[label] > 1]
    if raised:
        which = " and ".join(raised)
        verb = "is" if len(raised) == 1 else "are"
        rule += f" — {which} {verb} weighted up so that fewer {which} posts are missed"
    return rule


def score_one(session: Session, text: str, country: str | None = None) -> ScoredText:
    (scored,) = score_many(session, [text], country)
    return scored


# --- scoring -------------------------------------------------------------------------------------


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: Annotated[
        list[Annotated[str, Field(max_length=MAX_SCORE_CHARS)]],
        Field(min_length=1, max_length=MAX_SCORE_TEXTS, description="The texts to score"),
    ]
    country: Annotated[
        str, Field(max_length=CODE_MAX_CHARS, description="Where they were said (any code)")
    ] = ""


@score_router.post("/score")
def score(body: ScoreRequest, session: DbSession) -> Record:
    """Each text's label (hateful, offensive, neither) with its probabilities, the attributes
    (identity attack, threat, dehumanisation, offensive: probabilities 0..1), the targeted
    group, and the lexicon's terms found in it with the sense and whether each is a use or a
    mention. Runs on this machine; stores nothing; anyone may call it."""
    scored = score_many(session, body.texts, body.country.strip() or None)
    return {
        "model_version": scored[0].model_version,
        "results": [item.to_dict() for item in scored],
    }


@router.get("/model")
def model() -> Record:
    """The shipped classifier's card: what it was trained on, how it was evaluated and how
    well it scores, and what it is not for."""
    return {"model_version": model_version(), "card": model_card()}


@router.get("/vocabulary")
def vocabulary() -> Record:
    """The codes the speech API uses, with their labels: labels, attributes, targeted groups,
    speaker types, term severities and statuses, the Dangerous Speech Project's elements and
    hallmarks, the Rabat factors and scores, the conclusions."""
    return {
        "labels": list(LABELS),
        "attributes": {code: ATTRIBUTE_LABELS.get(code, code) for code in ATTRIBUTES},
        "targeted_groups": dict(TARGET_GROUPS),
        "speaker_types": dict(SPEAKER_TYPES),
        "severities": {str(level): text for level, text in SEVERITIES.items()},
        "term_statuses": list(STATUSES),
        "dsp_elements": {
            code: {"label": e.label, "question": e.question, "source_url": e.source_url}
            for code, e in DSP_ELEMENTS.items()
        },
        "hallmarks": {code: h._asdict() for code, h in HALLMARKS.items()},
        "rabat_factors": {code: f._asdict() for code, f in RABAT_FACTORS.items()},
        "rabat_scores": {str(score): text for score, text in RABAT_SCORES.items()},
        "conclusions": {
            code: {"label": c.label, "description": c.description}
            for code, c in CONCLUSIONS.items()
        },
    }


# --- trends and surges (aggregates: public) ------------------------------------------------------

Country = Annotated[str, code_query("Country key, name or code")]
Group = Annotated[str, code_query("A targeted group's code (origin, religion, …)")]
Since = Annotated[str, code_query("From the week containing this date, YYYY-MM-DD")]
FeedName = Annotated[
    str, code_query("real, or example (the generated feed); blank: real when there is any")
]


@router.get("/trends")
def trends(
    session: DbSession,
    principal: CurrentPrincipal,
    country: Country = "",
    group: Group = "",
    since: Since = "",
    feed: FeedName = "",
) -> Record:
    """Posts and hateful posts per country, targeted group and week, oldest week first:
    counts only, never a post. ``example`` says the numbers come from the generated example
    feed, not from monitoring."""
    points = weekly_trends(
        session,
        principal,
        country=country.strip() or None,
        group=checked_group(group),
        since=checked_date(since, "since"),
    )
    chosen = choose_feed(points, [], feed.strip())
    return {
        "example": chosen.example,
        "label": EXAMPLE_LABEL if chosen.example else None,
        "points": [point.to_dict() for point in chosen.points],
    }


@router.get("/surges")
def surges(
    session: DbSession,
    principal: CurrentPrincipal,
    country: Country = "",
    since: Since = "",
    feed: FeedName = "",
) -> Record:
    """Surge alerts, newest week first: weeks whose hateful posts against a group stand out
    against that series' own past, with the Framework of Analysis indicators they bear on."""
    found = speech_surges(
        session, principal, country=country.strip() or None, since=checked_date(since, "since")
    )
    points = weekly_trends(session, principal, country=country.strip() or None)
    chosen = choose_feed(points, found, feed.strip())
    return {
        "example": chosen.example,
        "label": EXAMPLE_LABEL if chosen.example else None,
        "indicators": {
            item.code: {"text": item.text, "unverified": item.unverified}
            for item in framework_indicators(session, principal)
        },
        "surges": [surge.to_dict() for surge in chosen.surges],
    }


# --- posts (analysts) -----------------------------------------------------------------------------


@router.get("/posts")
def posts(
    session: DbSession,
    principal: CurrentPrincipal,
    country: Country = "",
    week: Annotated[str, code_query("Posts of the week containing this date, YYYY-MM-DD")] = "",
    group: Group = "",
    label: Annotated[str, code_query("hateful, offensive or neither")] = "",
    dataset: Annotated[str, code_query("One feed's name (example: the generated one)")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Posts returned")] = 100,
) -> Record:
    """Monitored posts with their scores and lexicon hits, newest first (analysts). Who spoke
    and exactly where appear for admins only."""
    require(principal, "read", "speech_post")
    found = list_posts(
        session,
        principal,
        country=country.strip() or None,
        week=checked_date(week, "week"),
        group=checked_group(group),
        label=label.strip() or None,
        dataset=dataset.strip() or None,
        limit=limit,
    )
    return {"total": len(found), "posts": [post.to_dict() for post in found]}


@router.get("/posts/{post_id}")
def post(post_id: RecordId, session: DbSession, principal: CurrentPrincipal) -> Record:
    """One monitored post (analysts)."""
    require(principal, "read", "speech_post")
    return get_post(session, principal, post_id).to_dict()
