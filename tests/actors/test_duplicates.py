"""The review queue: drafts of both datasets, oldest first, each with the actors it may
duplicate, as the reader may see them."""

from __future__ import annotations

from prevention_lens.actors.duplicates import DraftReview, drafts_for_review
from prevention_lens.actors.records import ActorDraft, create_actor, review_actor
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR


def _draft(name: str) -> ActorDraft:
    return ActorDraft(name=name, kind="civil_society", levels=("local",), countries=("Kenya",))


def test_drafts_come_oldest_first_with_their_duplicates(store: Store) -> None:
    with store.session() as session:
        kept = create_actor(session, LOCAL_OPERATOR, _draft("Coast Peace Forum"))
        review_actor(session, LOCAL_OPERATOR, kept.id, "publish")
        first = create_actor(session, LOCAL_OPERATOR, _draft("Coast Peace Forum (CPF)"))
        second = create_actor(session, LOCAL_OPERATOR, _draft("Lake Elders"))
        example = create_actor(
            session, LOCAL_OPERATOR, _draft("Example: Hill Radio"), dataset="example"
        )
    with store.session() as session:
        queue = drafts_for_review(session, LOCAL_OPERATOR)
        assert all(isinstance(item, DraftReview) for item in queue)
        assert [item.actor["id"] for item in queue] == [first.id, second.id, example.id]
        assert [dup["actor_id"] for dup in queue[0].duplicates] == [kept.id]
        assert queue[1].duplicates == () and queue[2].actor["dataset"] == "example"
        # Anonymous readers see no drafts at all.
        assert drafts_for_review(session, ANONYMOUS) == []
