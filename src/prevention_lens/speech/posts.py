"""Monitored posts: imported all or nothing, normalised, scored by the speech classifier and
matched against the published lexicon, then read back through the ``speech_post`` policy
(analysts read posts; who spoke and exactly where are for admins only).

Public API::

    SPEAKER_TYPES, EXAMPLE_DATASET            # from sources/speech_posts.py
    PostDraft                                 # validated on creation
    PostRecord                                # frozen, .to_dict(), .example
    PostScorer, HitFinder                     # what import_posts scores and matches with
    week_of(moment) -> date                   # Monday of the ISO week, in UTC
    counting_hit(hit) -> bool                 # a use of a term in a sense that is not neutral
    post_group(label, classifier_group, hits) -> str | None   # the group monitoring counts
    import_posts(session, principal, drafts, *, dataset, import_id=None, scorer=None,
                 matcher=None) -> LoadCounts
    list_posts(session, principal, *, country=None, week=None, group=None, label=None,
               dataset=None, limit=100) -> list[PostRecord]
    get_post(session, principal, post_id) -> PostRecord
    RematchCounts; rematch_posts(session, principal, *, dataset=None, matcher=None)
    match_stored_posts(session, *, dataset=None, matcher=None, changed_terms=None)
                                              the same, without an access check (lexicon)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.sources.speech_posts import (
    EXAMPLE_DATASET,
    LIMITS,
    SPEAKER_TYPES,
    check_dataset,
    check_language,
    check_speaker_type,
    check_text,
    parse_time,
)
from prevention_lens.speech.text import normalise_post, to_unicode
from prevention_lens.speech.units import form_screen
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    audit,
    read_record,
    read_records,
    require,
)
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import Country, SpeechPost
from prevention_lens.store.models.speech import POST_LABELS
from prevention_lens.store.reference import country_ids_by_key, find_country, stored_reference

__all__ = [
    "EXAMPLE_DATASET",
    "SPEAKER_TYPES",
    "HitFinder",
    "PostDraft",
    "PostRecord",
    "PostScorer",
    "RematchCounts",
    "counting_hit",
    "get_post",
    "import_posts",
    "list_posts",
    "match_stored_posts",
    "post_group",
    "rematch_posts",
    "week_of",
]

# Posts are restricted records: analysts read them, the public only their aggregates.
POST_CONFIDENTIALITY = Confidentiality.RESTRICTED
MAX_LIMIT = 1000
# Posts scored per call to the classifier, so a large import never holds every vector at once.
SCORE_BATCH = 512
# Rows looked up per query when matching a batch against stored posts (well under the
# database's limit on bound parameters).
LOOKUP_BATCH = 400


def counting_hit(hit: Mapping[str, Any]) -> bool:
    """Whether a lexicon hit counts toward monitoring: a use of the term (not a report or
    discussion of it) in a sense that is not neutral."""
    return hit.get("sense") != "neutral" and hit.get("use") == "use"


def post_group(
    label: str, classifier_group: str | None, hits: Sequence[Mapping[str, Any]]
) -> str | None:
    """The targeted group monitoring counts a post under: the classifier's when it labels the
    post hateful or offensive; otherwise the group named by the most severe lexicon term the
    post uses (madoadoa: origin), so a post counted through the lexicon is not counted as
    aimed at no group. None when neither says."""
    if label != "neither":
        return classifier_group
    named = [hit for hit in hits if counting_hit(hit) and hit.get("targeted_groups")]
    if not named:
        return None
    top = max(named, key=lambda hit: int(hit.get("severity") or 0))  # the first of equals
    return str(top["targeted_groups"][0])


class ScoredPost(Protocol):
    """What import_posts reads of a classifier score (speech.scoring.PostScore)."""

    @property
    def label(self) -> str: ...
    @property
    def hate_score(self) -> float: ...
    @property
    def scores(self) -> Mapping[str, float]: ...
    @property
    def attributes(self) -> Mapping[str, float]: ...
    @property
    def targeted_group(self) -> str | None: ...


class PostScorer(Protocol):
    """The classifier: ``prevention_lens.speech.scoring`` itself, unless a caller passes
    another (a retrained model under evaluation)."""

    def score_texts(self, texts: Sequence[str]) -> Sequence[ScoredPost]: ...
    def model_version(self) -> str: ...


class TermHitLike(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class HitFinder(Protocol):
    """The lexicon matcher: ``speech.lexicon.published_matcher(session)`` unless given."""

    def find(self, text: str, *, country: str | None = None) -> Sequence[TermHitLike]: ...


def week_of(moment: datetime | date) -> date:
    """The Monday of the ISO week the moment falls in, in UTC: the unit of every trend."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValidationError("a naive time has no week; give its UTC offset")
        day = moment.astimezone(UTC).date()
    else:
        day = moment
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class PostDraft:
    """One post to import, checked on creation with the rules of the import file
    (``sources/speech_posts.py``): ``posted_at`` must carry its UTC offset."""

    external_id: str
    posted_at: datetime
    country: str
    text: str
    language: str
    admin1: str | None = None
    exact_place: str = ""
    speaker_type: str = "unknown"
    speaker: str = ""
    platform: str = ""

    def __post_init__(self) -> None:
        values = {
            "external_id": check_text(
                self.external_id, "external_id", LIMITS["external_id"], required=True
            ),
            "posted_at": parse_time(self.posted_at, "posted_at"),
            "country": check_text(self.country, "country", 200, required=True),
            "text": check_text(self.text, "text", LIMITS["text"], required=True),
            "language": check_language(self.language),
            "admin1": check_text(self.admin1, "admin1", LIMITS["admin1"]) or None,
            "exact_place": check_text(self.exact_place, "exact_place", LIMITS["exact_place"]),
            "speaker_type": check_speaker_type(self.speaker_type),
            "speaker": check_text(self.speaker, "speaker", LIMITS["speaker"]),
            "platform": check_text(self.platform, "platform", LIMITS["platform"]),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class PostRecord:
    """A stored post as the principal may see it: ``speaker`` and ``exact_place`` are None
    unless they are cleared for confidential fields (admins)."""

    id: int
    dataset: str
    external_id: str
    posted_at: datetime
    week: date
    country_key: str
    country_name: str
    admin1: str | None
    language: str
    speaker_type: str
    platform: str
    text: str
    text_normalised: str
    zawgyi_converted: bool
    label: str
    hate_score: float
    scores: dict[str, float]
    attributes: dict[str, float]
    targeted_group: str | None
    lexicon_hits: tuple[dict[str, Any], ...]
    model_version: str
    import_id: int | None
    speaker: str | None = None
    exact_place: str | None = None

    @property
    def example(self) -> bool:
        """Whether the post belongs to the generated example feed (not real monitoring)."""
        return self.dataset == EXAMPLE_DATASET

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; confidential fields appear only when the reader may see them."""
        data: dict[str, Any] = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("speaker", "exact_place")
        }
        data["posted_at"] = self.posted_at.isoformat()
        data["week"] = self.week.isoformat()
        data["lexicon_hits"] = [dict(hit) for hit in self.lexicon_hits]
        data["speaker_type_label"] = SPEAKER_TYPES.get(self.speaker_type, self.speaker_type)
        data["example"] = self.example
        for name in ("speaker", "exact_place"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


def _record(projected: dict[str, Any], countries: Mapping[int, tuple[str, str]]) -> PostRecord:
    key, name = countries[projected["country_id"]]
    return PostRecord(
        id=projected["id"],
        dataset=projected["dataset"],
        external_id=projected["external_id"],
        posted_at=projected["posted_at"],
        week=projected["week"],
        country_key=key,
        country_name=name,
        admin1=projected["admin1"],
        language=projected["language"],
        speaker_type=projected["speaker_type"],
        platform=projected["platform"],
        text=projected["text"],
        text_normalised=projected["text_normalised"],
        zawgyi_converted=bool(projected["zawgyi_converted"]),
        label=projected["label"],
        hate_score=float(projected["hate_score"]),
        scores=dict(projected["scores"] or {}),
        attributes=dict(projected["attributes"] or {}),
        targeted_group=projected["targeted_group"],
        lexicon_hits=tuple(dict(hit) for hit in projected["lexicon_hits"] or ()),
        model_version=projected["model_version"],
        import_id=projected["import_id"],
        speaker=projected.get("speaker"),
        exact_place=projected.get("exact_place"),
    )


def _country_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(select(Country.id, Country.key, Country.name).where(Country.id.in_(ids)))
    return {row.id: (row.key, row.name) for row in rows}


# --- import ---------------------------------------------------------------------------------


def _default_scorer() -> PostScorer:
    from prevention_lens.speech import scoring

    return scoring


def _default_matcher(session: Session) -> HitFinder:
    from prevention_lens.speech.lexicon import published_matcher

    return published_matcher(session)


def _country_ids(session: Session, drafts: Sequence[PostDraft]) -> dict[str, tuple[int, str]]:
    """Each draft's country (as written) -> stored country id and key; every unknown one
    raises."""
    reference = stored_reference(session)
    ids = country_ids_by_key(session)
    resolved: dict[str, tuple[int, str]] = {}
    for draft in drafts:
        if draft.country in resolved:
            continue
        try:
            key = reference.resolve(draft.country).key
        except NotFoundError:
            raise ValidationError(
                reference.unknown(draft.country), field="country", entry=draft.external_id
            ) from None
        if key not in ids:
            raise NotFoundError(f"Country {key} is not in the store; run `lens db upgrade`.")
        resolved[draft.country] = (ids[key], key)
    return resolved


def _stored(session: Session, dataset: str, external_ids: Sequence[str]) -> dict[str, SpeechPost]:
    found: dict[str, SpeechPost] = {}
    for start in range(0, len(external_ids), LOOKUP_BATCH):
        chunk = external_ids[start : start + LOOKUP_BATCH]
        rows = session.scalars(
            select(SpeechPost).where(
                SpeechPost.dataset == dataset, SpeechPost.external_id.in_(chunk)
            )
        )
        found.update({row.external_id: row for row in rows})
    return found


def _scores(scorer: PostScorer, texts: Sequence[str]) -> list[ScoredPost]:
    scored: list[ScoredPost] = []
    for start in range(0, len(texts), SCORE_BATCH):
        batch = texts[start : start + SCORE_BATCH]
        results = list(scorer.score_texts(batch))
        if len(results) != len(batch):
            raise ValueError(f"the scorer returned {len(results)} scores for {len(batch)} texts")
        scored.extend(results)
    for result in scored:
        if result.label not in POST_LABELS:
            raise ValueError(f"the scorer returned an unknown label {result.label!r}")
    return scored


def _values(
    draft: PostDraft, country_id: int, normalised: str, hits: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "posted_at": draft.posted_at,
        "week": week_of(draft.posted_at),
        "country_id": country_id,
        "admin1": draft.admin1,
        "exact_place": draft.exact_place,
        "language": draft.language,
        "speaker_type": draft.speaker_type,
        "speaker": draft.speaker,
        "platform": draft.platform,
        "text": draft.text,
        "text_normalised": normalised,
        "zawgyi_converted": to_unicode(draft.text).converted,
        "lexicon_hits": hits,
    }


def _score_values(
    score: ScoredPost, version: str, hits: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    return {
        "label": score.label,
        "hate_score": float(score.hate_score),
        "scores": {name: float(value) for name, value in score.scores.items()},
        "attributes": {name: float(value) for name, value in score.attributes.items()},
        "targeted_group": post_group(score.label, score.targeted_group, hits),
        "model_version": version,
    }


def import_posts(
    session: Session,
    principal: Principal,
    drafts: Sequence[PostDraft],
    *,
    dataset: str,
    import_id: int | None = None,
    scorer: PostScorer | None = None,
    matcher: HitFinder | None = None,
) -> LoadCounts:
    """Store the drafts in ``dataset``, all or none. A post already in the dataset (same
    ``external_id``) is updated; it is scored again only when its normalised text or the
    model changed, and matched again against the lexicon as published now."""
    require(principal, "import", "speech_post")
    dataset = check_dataset(dataset)
    seen: set[str] = set()
    for draft in drafts:
        if draft.external_id in seen:
            raise ValidationError(
                "the same id is given twice", field="external_id", entry=draft.external_id
            )
        seen.add(draft.external_id)
    if not drafts:
        return LoadCounts()
    countries = _country_ids(session, drafts)
    scorer = scorer or _default_scorer()
    matcher = matcher or _default_matcher(session)
    version = scorer.model_version()
    stored = _stored(session, dataset, [draft.external_id for draft in drafts])
    normalised = [normalise_post(draft.text) for draft in drafts]
    stale = [
        index
        for index, draft in enumerate(drafts)
        if (row := stored.get(draft.external_id)) is None
        or row.text_normalised != normalised[index]
        or row.model_version != version
    ]
    fresh = dict(zip(stale, _scores(scorer, [normalised[i] for i in stale]), strict=True))
    created = updated = unchanged = 0
    for index, draft in enumerate(drafts):
        country_id, country_key = countries[draft.country]
        # Terms listed for other countries only are not looked for ("mende": Kenya only).
        hits = [hit.to_dict() for hit in matcher.find(normalised[index], country=country_key)]
        values = _values(draft, country_id, normalised[index], hits)
        row = stored.get(draft.external_id)
        if index in fresh:
            values.update(_score_values(fresh[index], version, hits))
        elif row is not None:
            values["targeted_group"] = post_group(row.label, row.targeted_group, hits)
        if row is None:
            session.add(
                SpeechPost(
                    dataset=dataset,
                    external_id=draft.external_id,
                    confidentiality=int(POST_CONFIDENTIALITY),
                    import_id=import_id,
                    **values,
                )
            )
            created += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            unchanged += 1
            continue
        for name, value in changed.items():
            setattr(row, name, value)
        row.import_id = import_id
        updated += 1
    session.flush()
    audit(
        session,
        principal,
        "import",
        "speech_post",
        dataset=dataset,
        import_id=import_id,
        created=created,
        updated=updated,
        unchanged=unchanged,
    )
    return LoadCounts(created=created, updated=updated, unchanged=unchanged)


# --- matching again ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RematchCounts:
    """How many stored posts were matched again, and how many of them changed hits."""

    posts: int = 0
    changed: int = 0


def match_stored_posts(
    session: Session,
    *,
    dataset: str | None = None,
    matcher: HitFinder | None = None,
    changed_terms: Mapping[int, Sequence[str]] | None = None,
) -> RematchCounts:
    """Match the stored posts (of one dataset, or all) again against the lexicon as published
    now, each within its country; the scores stay. ``changed_terms`` (term id -> its forms as
    written now) limits the work to what a change to those terms can touch: posts holding a
    hit of one of them or a text that may hold one of their forms. No access check: for the
    lexicon's writers, which check their own (``rematch_posts`` is the one for users)."""
    matcher = matcher or _default_matcher(session)
    statement = select(
        SpeechPost.id,
        SpeechPost.text_normalised,
        SpeechPost.lexicon_hits,
        SpeechPost.label,
        SpeechPost.targeted_group,
        Country.key,
    ).join(Country, Country.id == SpeechPost.country_id)
    if dataset is not None:
        statement = statement.where(SpeechPost.dataset == check_dataset(dataset))
    touched = set(changed_terms or ())
    may_hold = form_screen(form for forms in (changed_terms or {}).values() for form in forms)
    posts = 0
    changes: list[dict[str, Any]] = []
    for row in session.execute(statement.order_by(SpeechPost.id)):
        if changed_terms is not None and not (
            any(hit.get("term_id") in touched for hit in row.lexicon_hits or ())
            or may_hold(row.text_normalised)
        ):
            continue
        posts += 1
        hits = [hit.to_dict() for hit in matcher.find(row.text_normalised, country=row.key)]
        group = post_group(row.label, row.targeted_group, hits)
        if hits != list(row.lexicon_hits or ()) or group != row.targeted_group:
            changes.append({"id": row.id, "lexicon_hits": hits, "targeted_group": group})
    for start in range(0, len(changes), LOOKUP_BATCH):
        session.execute(update(SpeechPost), changes[start : start + LOOKUP_BATCH])
    session.flush()
    return RematchCounts(posts=posts, changed=len(changes))


def rematch_posts(
    session: Session,
    principal: Principal,
    *,
    dataset: str | None = None,
    matcher: HitFinder | None = None,
) -> RematchCounts:
    """Match the stored posts again against the lexicon as published now (analysts), so that
    trends and surges count what it says today. Publishing, withdrawing or editing a
    published term does this by itself; this is for a matcher or country list changed
    otherwise. Audited with the counts."""
    require(principal, "import", "speech_post")
    counts = match_stored_posts(session, dataset=dataset, matcher=matcher)
    audit(
        session,
        principal,
        "rematch",
        "speech_post",
        dataset=dataset,
        posts=counts.posts,
        changed=counts.changed,
    )
    return counts


# --- reading --------------------------------------------------------------------------------


def list_posts(
    session: Session,
    principal: Principal,
    *,
    country: str | None = None,
    week: date | None = None,
    group: str | None = None,
    label: str | None = None,
    dataset: str | None = None,
    limit: int = 100,
) -> list[PostRecord]:
    """The newest posts first that match every filter given: a country (any name or code),
    the week containing ``week``, a targeted group, a label, a dataset. Analysts only."""
    require(principal, "read", "speech_post")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    statement = select(SpeechPost)
    if country is not None:
        statement = statement.where(SpeechPost.country_id == find_country(session, country).id)
    if week is not None:
        statement = statement.where(SpeechPost.week == week_of(week))
    if group is not None:
        statement = statement.where(SpeechPost.targeted_group == group)
    if label is not None:
        if label not in POST_LABELS:
            raise ValidationError(
                f"unknown label {label!r}; choose from {', '.join(POST_LABELS)}", field="label"
            )
        statement = statement.where(SpeechPost.label == label)
    if dataset is not None:
        statement = statement.where(SpeechPost.dataset == check_dataset(dataset))
    statement = statement.order_by(SpeechPost.posted_at.desc(), SpeechPost.id.desc()).limit(limit)
    rows = read_records(session, principal, "speech_post", statement)
    countries = _country_names(session, {row["country_id"] for row in rows})
    return [_record(row, countries) for row in rows]


def get_post(session: Session, principal: Principal, post_id: int) -> PostRecord:
    """One post as the principal may see it; a post they may not read is not found."""
    row = session.get(SpeechPost, post_id) if isinstance(post_id, int) else None
    projected = read_record(session, principal, "speech_post", row, f"#{post_id}")
    return _record(projected, _country_names(session, {projected["country_id"]}))
