"""Monitored posts: scored and matched when imported, all or nothing, read through the policy."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from prevention_lens.speech.lexicon import (
    TermDraft,
    add_terms,
    get_term,
    review_term,
    update_term,
)
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.posts import (
    PostDraft,
    get_post,
    import_posts,
    list_posts,
    rematch_posts,
    week_of,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import AuditEntry, SpeechPost
from tests.speech.keyword_scorer import MATCHER, KeywordScorer, draft

ANALYST = Principal("ana", Role.ANALYST, 1)
ADMIN = Principal("adm", Role.ADMIN, 2)
CONTRIBUTOR = Principal("con", Role.CONTRIBUTOR, 3)
SPEAKER = "Speaker Confidential-Name"
PLACE = "Corner of Exact Street"


def _import(store: Store, drafts: list[PostDraft], scorer: KeywordScorer) -> tuple[int, int, int]:
    with store.session() as session:
        counts = import_posts(
            session, ADMIN, drafts, dataset="watch", scorer=scorer, matcher=MATCHER
        )
    return counts.created, counts.updated, counts.unchanged


def _count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(SpeechPost.id))) or 0)


def test_posts_are_normalised_scored_matched_and_dated_by_week(store: Store) -> None:
    scorer = KeywordScorer()
    drafts = [
        draft(
            "a",
            "RT @someone: hateful threat against religion, zorb! https://t.co/x &amp; more",
            when=datetime(2024, 3, 10, 23, 30, tzinfo=UTC),  # a Sunday
            admin1="Nairobi",
            exact_place=PLACE,
            speaker=SPEAKER,
            speaker_type="politician",
            platform="x",
        ),
        draft("b", "my zorb rake is in the shed"),
    ]
    assert _import(store, drafts, scorer) == (2, 0, 0)
    with store.session() as session:
        rows = {row.external_id: row for row in session.scalars(select(SpeechPost))}
        first = rows["a"]
        assert first.text_normalised == (
            "@user: hateful threat against religion, zorb! http & more"
        )
        assert first.week == date(2024, 3, 4)
        assert (first.label, first.hate_score, first.targeted_group) == ("hateful", 0.9, "religion")
        assert first.attributes["threat"] == 0.9
        assert first.model_version == "keyword-test-1"
        assert [(h["term"], h["sense"], h["use"]) for h in first.lexicon_hits] == [
            ("zorb", "unclear", "use")
        ]
        assert (first.speaker, first.exact_place, first.confidentiality) == (SPEAKER, PLACE, 1)
        assert first.country_id is not None
        # The neutral compound is found, and found neutral.
        assert [(h["sense"], h["use"]) for h in rows["b"].lexicon_hits] == [("neutral", "use")]
    assert scorer.scored == [first.text_normalised, "my zorb rake is in the shed"]


def test_a_reimport_updates_and_scores_again_only_what_changed(store: Store) -> None:
    scorer = KeywordScorer()
    posts = [draft("a", "hateful words"), draft("b", "a calm post"), draft("c", "offensive")]
    _import(store, posts, scorer)
    scorer.scored.clear()
    again = [
        draft("a", "hateful words"),
        draft("b", "a calm post", platform="tiktok"),
        draft("c", "now a calm post"),
    ]
    assert _import(store, again, scorer) == (0, 2, 1)
    assert scorer.scored == ["now a calm post"]  # only the text that changed
    with store.session() as session:
        rows = {row.external_id: row for row in session.scalars(select(SpeechPost))}
        assert (rows["b"].platform, rows["c"].label) == ("tiktok", "neither")
    # A new model scores every post again.
    newer = KeywordScorer(version="keyword-test-2")
    assert _import(store, again, newer) == (0, 3, 0)
    assert len(newer.scored) == 3
    assert _count(store) == 3


def test_a_bad_post_writes_nothing(store: Store) -> None:
    posts = [draft("a", "fine"), draft("b", "fine too", country="Atlantis")]
    with pytest.raises(ValidationError) as caught:
        _import(store, posts, KeywordScorer())
    assert caught.value.field == "country"
    assert caught.value.entry == "b"
    assert "Atlantis" in str(caught.value)
    twice = [draft("a", "one"), draft("a", "two")]
    with pytest.raises(ValidationError, match="the same id is given twice"):
        _import(store, twice, KeywordScorer())
    assert _count(store) == 0


def test_drafts_check_their_fields() -> None:
    with pytest.raises(ValidationError, match="has no UTC offset") as caught:
        draft("a", "text", when=datetime(2024, 3, 6, 12, 0))
    assert caught.value.field == "posted_at"
    with pytest.raises(ValidationError, match="unknown speaker type 'monk'"):
        draft("a", "text", speaker_type="monk")
    with pytest.raises(ValidationError, match="is required"):
        draft("a", "   ")
    assert draft("a", " text ", speaker_type="MEDIA").speaker_type == "media"


def test_week_of_is_the_monday_in_utc() -> None:
    late_sunday_in_yangon = datetime.fromisoformat("2024-03-11T02:00:00+06:30")
    assert week_of(late_sunday_in_yangon) == date(2024, 3, 4)
    assert week_of(date(2024, 3, 4)) == date(2024, 3, 4)
    with pytest.raises(ValidationError):
        week_of(datetime(2024, 3, 4))


@pytest.mark.parametrize(
    ("principal", "error"),
    [(ANONYMOUS, AuthenticationError), (CONTRIBUTOR, PermissionDeniedError)],
)
def test_only_analysts_import_and_read_posts(
    store: Store, principal: Principal, error: type[Exception]
) -> None:
    _import(store, [draft("a", "hateful words", speaker=SPEAKER)], KeywordScorer())
    with store.session() as session:
        with pytest.raises(error):
            import_posts(
                session,
                principal,
                [draft("b", "x")],
                dataset="watch",
                scorer=KeywordScorer(),
                matcher=MATCHER,
            )
        with pytest.raises(error):
            list_posts(session, principal)
        post_id = session.scalars(select(SpeechPost.id)).one()
        with pytest.raises(NotFoundError):
            get_post(session, principal, post_id)


def test_analysts_read_posts_without_speaker_or_place_and_admins_with(store: Store) -> None:
    _import(
        store,
        [draft("a", "hateful words about religion", speaker=SPEAKER, exact_place=PLACE)],
        KeywordScorer(),
    )
    with store.session() as session:
        (seen,) = list_posts(session, ANALYST)
        assert (seen.speaker, seen.exact_place) == (None, None)
        assert (seen.country_key, seen.country_name, seen.label) == ("KEN", "Kenya", "hateful")
        assert seen.text == "hateful words about religion"
        exported = json.dumps(seen.to_dict())
        assert SPEAKER not in exported and PLACE not in exported
        assert "speaker" not in seen.to_dict() and "exact_place" not in seen.to_dict()
        assert get_post(session, ANALYST, seen.id).to_dict() == seen.to_dict()
        full = get_post(session, ADMIN, seen.id)
        assert (full.speaker, full.exact_place) == (SPEAKER, PLACE)
        assert full.to_dict()["speaker"] == SPEAKER
        assert not full.example
        reads = session.scalars(
            select(AuditEntry).where(
                AuditEntry.resource == "speech_post", AuditEntry.action == "read"
            )
        ).all()
        assert {entry.actor for entry in reads} == {"ana", "adm"}


def test_list_filters(store: Store) -> None:
    posts = [
        draft("a", "hateful words about religion"),
        draft("b", "offensive words", when=datetime(2024, 3, 20, tzinfo=UTC)),
        draft("c", "a calm post", country="Myanmar"),
    ]
    _import(store, posts, KeywordScorer())
    with store.session() as session:

        def ids(**filters: object) -> list[str]:
            return [p.external_id for p in list_posts(session, ANALYST, **filters)]  # type: ignore[arg-type]

        assert ids() == ["b", "c", "a"]  # newest first; the same time: the later import first
        assert ids(country="Burma") == ["c"]
        assert ids(week=date(2024, 3, 21)) == ["b"]
        assert ids(group="religion") == ["a"]
        assert ids(label="offensive") == ["b"]
        assert ids(dataset="other") == []
        assert len(ids(limit=1)) == 1
        with pytest.raises(ValidationError, match="unknown label"):
            ids(label="toxic")
        with pytest.raises(ValidationError):
            ids(limit=0)
        with pytest.raises(NotFoundError):
            ids(country="Atlantis")


def test_posts_are_matched_against_the_published_lexicon_by_default(store: Store) -> None:
    with store.session() as session:
        draft_term = TermDraft(
            term="zorb",
            language="en",
            senses=(TermSense("hateful", "an insult for members of a faith"),),
            targeted_groups=("religion",),
        )
        (unpublished,) = add_terms(session, ADMIN, [draft_term], origin="manual")
        import_posts(
            session, ADMIN, [draft("a", "zorb go home")], dataset="watch", scorer=KeywordScorer()
        )
        assert list_posts(session, ANALYST)[0].lexicon_hits == ()
        review_term(session, ADMIN, unpublished.id, "publish")
        (post,) = list_posts(session, ANALYST)
        # A draft term is never matched; publishing it matches the stored posts again.
        assert [(h["term"], h["sense"], h["use"]) for h in post.lexicon_hits] == [
            ("zorb", "hateful", "use")
        ]


def _hits(session: Session) -> dict[str, list[tuple[str, str]]]:
    return {
        post.external_id: [(hit["term"], hit["sense"]) for hit in post.lexicon_hits]
        for post in list_posts(session, ANALYST)
    }


def test_stored_posts_follow_the_published_lexicon_as_it_changes(store: Store) -> None:
    zorb = TermDraft(
        term="zorb",
        language="en",
        senses=(TermSense("hateful", "an insult"), TermSense("neutral", "a garden tool")),
    )
    posts = [
        draft("insult", "zorb go home"),
        draft("tool", "my zorb rake is in the shed"),
        draft("market", "a market day"),  # no change to "zorb" can touch it: never re-matched
    ]
    with store.session() as session:
        (term,) = add_terms(session, ADMIN, [zorb], origin="manual", status="published")
        import_posts(session, ADMIN, posts, dataset="watch", scorer=KeywordScorer())
        assert _hits(session) == {
            "insult": [("zorb", "unclear")],
            "tool": [("zorb", "unclear")],
            "market": [],
        }
        # An admin adds the phrase that marks the harmless sense: the stored post follows.
        values = get_term(session, ADMIN, term.id).draft_values()
        values["senses"][1]["phrases"] = ["zorb rake"]
        update_term(session, ADMIN, term.id, TermDraft.from_mapping(values))
        assert _hits(session) == {
            "insult": [("zorb", "unclear")],
            "tool": [("zorb", "neutral")],
            "market": [],
        }
        review_term(session, ADMIN, term.id, "reject")  # withdrawn: no longer matched
        assert _hits(session) == {"insult": [], "tool": [], "market": []}
        details = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.resource == "speech_term")
            .order_by(AuditEntry.id)
        ).all()
        assert [(d.get("posts_rematched"), d.get("posts_changed")) for d in details] == [
            (None, None),  # created published, before any post was stored
            (2, 1),
            (2, 2),
        ]


def test_rematch_is_for_analysts_and_audited(store: Store) -> None:
    with store.session() as session:
        posts = [draft("a", "zorb go home")]
        import_posts(
            session, ADMIN, posts, dataset="watch", scorer=KeywordScorer(), matcher=MATCHER
        )
        with pytest.raises(PermissionDeniedError):
            rematch_posts(session, CONTRIBUTOR)
        counts = rematch_posts(session, ANALYST, dataset="watch", matcher=MATCHER)
        assert (counts.posts, counts.changed) == (1, 0)
        assert rematch_posts(session, ANALYST, dataset="other").posts == 0
        # Against the store's own lexicon, which has no "zorb": its hit goes.
        assert rematch_posts(session, ANALYST).changed == 1
        assert list_posts(session, ANALYST)[0].lexicon_hits == ()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rematch").order_by(AuditEntry.id)
        ).first()
        assert entry is not None and entry.actor == "ana"
        assert entry.detail["posts"] == 1


def test_a_term_listed_for_one_country_is_matched_only_in_posts_from_it(store: Store) -> None:
    # "mende" is a cockroach in Kenya's lexicon, and the name of a people in Sierra Leone.
    with store.session() as session:
        cockroach = TermDraft(
            term="mende",
            language="sw",
            senses=(TermSense("hateful", "people as cockroaches"),),
            countries=("Kenya",),
        )
        add_terms(session, ADMIN, [cockroach], origin="manual", status="published")
        posts = [
            draft("ke", "hawa mende lazima waondoke", country="Kenya"),
            draft("sl", "The Mende people held a festival", country="Sierra Leone"),
        ]
        import_posts(session, ADMIN, posts, dataset="watch", scorer=KeywordScorer())
        hits = {post.external_id: post.lexicon_hits for post in list_posts(session, ANALYST)}
    assert [hit["term"] for hit in hits["ke"]] == ["mende"]
    assert hits["sl"] == ()


def test_a_post_counted_through_the_lexicon_is_counted_under_the_terms_group(
    store: Store,
) -> None:
    # The classifier says "neither" but the post uses a term for people of an origin: trends,
    # surges and briefs must not count it as aimed at no group (madoadoa in Kenya's feed).
    spots = TermDraft(
        term="zorb",
        language="en",
        senses=(TermSense("hateful", "people of an origin as spots to remove"),),
        targeted_groups=("origin",),
    )
    posts = [
        draft("use", "remove the zorb from the valley"),
        draft("mention", 'he said "zorb" at the rally, and was arrested'),
        draft("plain", "a market day"),
    ]
    with store.session() as session:
        (term,) = add_terms(session, ADMIN, [spots], origin="manual")
        import_posts(session, ADMIN, posts, dataset="watch", scorer=KeywordScorer())
        groups = {p.external_id: p.targeted_group for p in list_posts(session, ANALYST)}
        assert groups == {"use": None, "mention": None, "plain": None}  # a draft: not matched
        review_term(session, ADMIN, term.id, "publish")  # stored posts follow the lexicon
        groups = {p.external_id: p.targeted_group for p in list_posts(session, ANALYST)}
        assert groups == {"use": "origin", "mention": None, "plain": None}
        assert [p.external_id for p in list_posts(session, ANALYST, group="origin")] == ["use"]
        # A re-import of the same text keeps it; the classifier's own group wins where it
        # labels the post hateful or offensive.
        import_posts(
            session,
            ADMIN,
            [*posts, draft("both", "hateful religion zorb")],
            dataset="watch",
            scorer=KeywordScorer(),
        )
        groups = {p.external_id: p.targeted_group for p in list_posts(session, ANALYST)}
        assert groups["use"] == "origin" and groups["both"] == "religion"
