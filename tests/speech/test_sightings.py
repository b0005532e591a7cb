"""Where monitoring has seen a term: per country, posts that used it, used it in a neutral
sense or only mentioned it, with the weeks; the example feed apart; counts only, for everyone
who may read the term."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from prevention_lens.errors import NotFoundError
from prevention_lens.speech.lexicon import TermDraft, add_terms
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.posts import import_posts
from prevention_lens.speech.sightings import term_sightings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from tests.speech.keyword_scorer import KeywordScorer, draft

ADMIN = Principal("adm", Role.ADMIN, 1)
ANALYST = Principal("ana", Role.ANALYST, 2)
ZORB = TermDraft(
    term="zorb",
    language="en",
    senses=(
        TermSense("hateful", "an insult for members of a faith"),
        TermSense("neutral", "a garden tool", phrases=("zorb rake",)),
    ),
)


def _week(day: int) -> datetime:
    return datetime(2024, 3, day, 9, tzinfo=UTC)


@pytest.fixture
def seen(store: Store) -> tuple[Store, int, int]:
    """zorb published and seen in Kenya (used twice, once harmlessly, once reported) and in
    Uganda (mentioned only), and in the example feed; a draft term seen nowhere."""
    with store.session() as session:
        (zorb,) = add_terms(session, ADMIN, [ZORB], origin="manual", status="published")
        (draft_term,) = add_terms(
            session,
            ADMIN,
            [TermDraft(term="blorp", language="en", senses=(TermSense("hateful", "x"),))],
            origin="manual",
        )
        kenya = [
            draft("k1", "zorb go home", when=_week(4)),
            draft("k2", "zorb out! And take the zorb rake too", when=_week(18)),
            draft("k3", "my zorb rake broke", when=_week(25)),
            draft("k4", 'He called them "zorb" on the radio', when=_week(11)),
            draft("k5", "a market day", when=_week(25)),
        ]
        uganda = [draft("u1", 'They called us "zorb".', when=_week(11), country="Uganda")]
        scorer = KeywordScorer()
        import_posts(session, ADMIN, [*kenya, *uganda], dataset="watch", scorer=scorer)
        import_posts(
            session, ADMIN, [draft("e1", "zorb go home")], dataset="example", scorer=scorer
        )
    return store, zorb.id, draft_term.id


def test_sightings_count_each_post_once_by_its_strongest_reading(
    seen: tuple[Store, int, int],
) -> None:
    store, zorb, _ = seen
    with store.session() as session:
        sightings = term_sightings(session, ANONYMOUS, zorb)
    assert [(s.country_key, s.example) for s in sightings] == [
        ("KEN", False),
        ("UGA", False),
        ("KEN", True),
    ]
    kenya, uganda, example = sightings
    # k2 holds a use and the harmless phrase: it counts once, as a use.
    assert (kenya.used, kenya.neutral, kenya.mentioned, kenya.posts) == (2, 1, 1, 4)
    assert (kenya.first_week, kenya.last_week) == (date(2024, 3, 4), date(2024, 3, 25))
    assert kenya.last_used_week == date(2024, 3, 18)
    assert (uganda.used, uganda.mentioned, uganda.last_used_week) == (0, 1, None)
    assert example.used == 1
    assert kenya.to_dict()["last_used_week"] == "2024-03-18" and kenya.to_dict()["posts"] == 4
    # Counts only: nothing of a post's text travels with a sighting.
    assert "market" not in repr(sightings) and "radio" not in repr(sightings)


def test_a_draft_terms_sightings_are_for_staff_and_a_missing_term_is_not_found(
    seen: tuple[Store, int, int],
) -> None:
    store, _, draft_term = seen
    with store.session() as session:
        assert term_sightings(session, ANALYST, draft_term) == []
        with pytest.raises(NotFoundError):
            term_sightings(session, ANONYMOUS, draft_term)
        with pytest.raises(NotFoundError):
            term_sightings(session, ANALYST, 987_654)
