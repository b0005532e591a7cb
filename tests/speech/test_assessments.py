"""Dangerous-speech assessments: the checked form, dated records with every version kept, and
what each role reads of them (a speaker's identity and exact place never reach an analyst,
in records or in history; anonymous readers and contributors get nothing)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from prevention_lens.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    UnknownCountryError,
    ValidationError,
)
from prevention_lens.speech.assessment_records import (
    AssessmentDraft,
    AssessmentRecord,
    draft_from_mapping,
)
from prevention_lens.speech.assessments import (
    assessment_history,
    create_assessment,
    get_assessment,
    list_assessments,
    update_assessment,
)
from prevention_lens.speech.frameworks import RabatScore
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, Principal, Role
from prevention_lens.store.models import AuditEntry, Country, SpeechAssessmentRevision, SpeechPost

ANA = Principal("ana", Role.ANALYST, 21)
BEN = Principal("ben", Role.ANALYST, 22)
CORA = Principal("cora", Role.CONTRIBUTOR, 23)
ADMIN = Principal("ada", Role.ADMIN, 24)
SPEAKER = "SPEAKER-MARKER U Wirathu-like monk"
PLACE = "PLACE-MARKER monastery hall, Mandalay"


def _form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Sermon calling a minority 'invaders'",
        "country": "Burma",
        "conclusion": "dangerous",
        "rationale": "An influential monk; an aggrieved audience; earlier riots in the town.",
        "spoken_on": "2024-03-01",
        "message": "They are breeding to replace us and will attack our daughters.",
        "speaker_role": "senior monk with a national following",
        "speaker": SPEAKER,
        "audience": "about 2,000 followers, many displaced by earlier clashes",
        "context": "communal riots in the same township a year before",
        "medium": "sermon, then shared as video on Facebook",
        "exact_place": PLACE,
        "targeted_group": "religion",
        "hallmarks": "accusation_in_a_mirror, attack_on_women_and_girls",
        "rabat": {
            "speaker": {"score": "3", "note": "revered religious figure"},
            "intent": {"score": 1, "note": ""},
            "extent": {"score": "", "note": "not known yet"},
        },
    }
    values.update(changes)
    return values


def _draft(**changes: Any) -> AssessmentDraft:
    return draft_from_mapping(_form(**changes))


def _create(store: Store, principal: Principal = ADMIN, **changes: Any) -> int:
    with store.session() as session:
        return create_assessment(session, principal, _draft(**changes)).id


def _everything(*items: Any) -> str:
    """All a reader was handed, as one text, to search for what must not be there."""
    parts = []
    for item in items:
        parts.append(repr(item))
        if hasattr(item, "to_dict"):
            parts.append(json.dumps(item.to_dict(), default=str))
    return "\n".join(parts)


# --- records and history ----------------------------------------------------------------


def test_an_assessment_is_stored_dated_and_read_back(store: Store) -> None:
    assessment_id = _create(store, ADMIN)
    with store.session() as session:
        record = get_assessment(session, ADMIN, assessment_id)
    assert isinstance(record, AssessmentRecord)
    assert (record.country_key, record.country_name) == ("MMR", "Myanmar")
    assert record.revision == 1 and record.assessed_on == date.today()
    assert record.assessed_by == "ada" and record.level == "restricted"
    assert record.speaker == SPEAKER and record.exact_place == PLACE
    assert record.hallmarks == ("accusation_in_a_mirror", "attack_on_women_and_girls")
    assert record.rabat["speaker"] == RabatScore(3, "revered religious figure")
    assert record.conclusion_label == "Dangerous"
    data = record.to_dict()
    assert data["spoken_on"] == "2024-03-01"
    assert data["rabat"]["intent"] == {"score": 1, "note": ""}
    assert data["rabat_summary"]["met"] == ["speaker"]
    assert data["rabat_summary"]["unscored"] == [
        "context",
        "content_and_form",
        "extent",
        "likelihood",
    ]


def test_an_edit_is_a_new_revision_and_every_version_is_kept(store: Store) -> None:
    assessment_id = _create(store, ANA)
    with store.session() as session:
        draft = _draft(conclusion="possibly_dangerous", rationale="The audience was small.")
        record = update_assessment(session, BEN, assessment_id, draft, note="audience re-checked")
        assert record.revision == 2 and record.conclusion == "possibly_dangerous"
        # The author stays; who changed it is in the history.
        assert record.assessed_by == "ana"
    with store.session() as session:
        unchanged = update_assessment(
            session,
            BEN,
            assessment_id,
            _draft(conclusion="possibly_dangerous", rationale="The audience was small."),
            note="no change",
        )
        assert unchanged.revision == 2
    with store.session() as session:
        history = assessment_history(session, ADMIN, assessment_id)
        kept = session.scalars(select(SpeechAssessmentRevision.revision)).all()
    assert sorted(kept) == [1, 2]
    assert [(v.revision, v.changed_by, v.note) for v in history] == [
        (1, "ana", "created"),
        (2, "ben", "audience re-checked"),
    ]
    assert history[0].values["conclusion"] == "dangerous"
    assert history[1].values["conclusion"] == "possibly_dangerous"
    assert history[1].changed == ("conclusion", "rationale")
    assert history[0].to_dict()["values"]["spoken_on"] == "2024-03-01"


def test_an_edit_needs_a_note_and_an_existing_record(store: Store) -> None:
    assessment_id = _create(store, ANA)
    with store.session() as session, pytest.raises(ValidationError, match="what changed"):
        update_assessment(session, ANA, assessment_id, _draft(), note=" ")
    with store.session() as session, pytest.raises(NotFoundError):
        update_assessment(session, ANA, assessment_id + 100, _draft(), note="x")


def test_assessments_list_by_country_and_post(store: Store) -> None:
    with store.session() as session:
        myanmar = session.scalar(select(Country).where(Country.key == "MMR"))
        assert myanmar is not None
        posted = datetime(2024, 3, 2, 9, tzinfo=UTC)
        post = SpeechPost(
            dataset="test",
            external_id="p1",
            posted_at=posted,
            week=date(2024, 2, 26),
            country_id=myanmar.id,
            language="my",
            text="post text",
            text_normalised="post text",
        )
        session.add(post)
        session.flush()
        post_id = post.id
    first = _create(store, ANA, post_id=str(post_id))
    second = _create(store, ANA, country="Kenya", title="Radio call-in show")
    with store.session() as session:
        assert [r.id for r in list_assessments(session, ANA, country="KEN")] == [second]
        assert [r.id for r in list_assessments(session, ANA, post_id=post_id)] == [first]
        assert {r.id for r in list_assessments(session, ANA)} == {first, second}
        with pytest.raises(UnknownCountryError):
            list_assessments(session, ANA, country="Atlantis")
    with store.session() as session, pytest.raises(ValidationError, match="not from Kenya"):
        create_assessment(session, ANA, _draft(country="Kenya", post_id=post_id))
    with store.session() as session, pytest.raises(NotFoundError, match="No speech post"):
        create_assessment(session, ANA, _draft(post_id=post_id + 100))


# --- privacy ----------------------------------------------------------------------------


def test_an_analyst_never_reads_the_speaker_or_exact_place(store: Store) -> None:
    assessment_id = _create(store, ANA)
    with store.session() as session:
        update_assessment(session, ANA, assessment_id, _draft(medium="radio"), note="medium")
    with store.session() as session:
        record = get_assessment(session, BEN, assessment_id)
        listed = list_assessments(session, BEN)
        history = assessment_history(session, BEN, assessment_id)
    assert record.speaker is None and record.exact_place is None
    assert "speaker" not in record.to_dict() and "exact_place" not in record.to_dict()
    for version in history:
        assert "speaker" not in version.values and "exact_place" not in version.values
    seen = _everything(record, *listed, *history)
    assert SPEAKER not in seen and PLACE not in seen and "MARKER" not in seen
    # What the analyst may see is all there.
    assert record.speaker_role == "senior monk with a national following"
    assert history[1].changed == ("medium",)
    with store.session() as session:
        admin_history = assessment_history(session, ADMIN, assessment_id)
    assert [v.values["speaker"] for v in admin_history] == [SPEAKER, SPEAKER]
    assert admin_history[0].values["exact_place"] == PLACE


def test_an_analysts_edit_keeps_the_confidential_fields_it_could_not_see(store: Store) -> None:
    assessment_id = _create(store, ADMIN)
    with store.session() as session:
        seen = get_assessment(session, ANA, assessment_id).to_dict()
        # The analyst resubmits what they were shown: no speaker, no exact place.
        form = {k: v for k, v in _form().items() if k not in ("speaker", "exact_place")}
        form["rationale"] = "Re-read with the audience figures."
        update_assessment(session, ANA, assessment_id, draft_from_mapping(form), note="re-read")
        assert "speaker" not in seen
    with store.session() as session:
        record = get_assessment(session, ADMIN, assessment_id)
    assert record.speaker == SPEAKER and record.exact_place == PLACE and record.revision == 2
    # An analyst may still record a newly learnt identity, which they then cannot read back.
    with store.session() as session:
        written = update_assessment(
            session, ANA, assessment_id, _draft(speaker="NEW-MARKER"), note="named"
        )
        assert written.speaker is None
    with store.session() as session:
        assert get_assessment(session, ADMIN, assessment_id).speaker == "NEW-MARKER"


def test_anonymous_readers_and_contributors_get_nothing(store: Store) -> None:
    assessment_id = _create(store, ANA)
    with store.session() as session:
        with pytest.raises(AuthenticationError):
            create_assessment(session, ANONYMOUS, _draft())
        with pytest.raises(PermissionDeniedError):
            create_assessment(session, CORA, _draft())
        with pytest.raises(AuthenticationError):
            list_assessments(session, ANONYMOUS)
        with pytest.raises(PermissionDeniedError):
            list_assessments(session, CORA)
        for principal in (ANONYMOUS, CORA):
            with pytest.raises(NotFoundError):
                get_assessment(session, principal, assessment_id)
            with pytest.raises(NotFoundError):
                assessment_history(session, principal, assessment_id)
        with pytest.raises(PermissionDeniedError):
            update_assessment(session, CORA, assessment_id, _draft(), note="x")
    with store.session() as session:
        assert get_assessment(session, ANA, assessment_id).revision == 1


def test_a_confidential_assessment_is_hidden_from_analysts(store: Store) -> None:
    with store.session() as session, pytest.raises(ValidationError, match="could not read"):
        create_assessment(session, ANA, _draft(confidentiality="confidential"))
    hidden = _create(store, ADMIN, confidentiality="confidential", title="Hidden one")
    shown = _create(store, ADMIN)
    with store.session() as session:
        assert [r.id for r in list_assessments(session, ANA)] == [shown]
        with pytest.raises(NotFoundError):
            get_assessment(session, ANA, hidden)
        with pytest.raises(NotFoundError):
            assessment_history(session, ANA, hidden)
        with pytest.raises(NotFoundError):
            update_assessment(session, ANA, hidden, _draft(), note="x")
        assert {r.id for r in list_assessments(session, ADMIN)} == {hidden, shown}


def test_history_hides_versions_that_were_above_the_readers_clearance(store: Store) -> None:
    assessment_id = _create(store, ADMIN, confidentiality="confidential", title="First, secret")
    with store.session() as session:
        update_assessment(
            session, ADMIN, assessment_id, _draft(title="Now shared with analysts"), note="share"
        )
    with store.session() as session:
        history = assessment_history(session, ANA, assessment_id)
    assert [v.revision for v in history] == [2]
    assert history[0].changed == ()
    assert "First, secret" not in _everything(*history)


def test_reads_are_audited_without_the_confidential_values(store: Store) -> None:
    assessment_id = _create(store, ANA)
    with store.session() as session:
        get_assessment(session, BEN, assessment_id)
        assessment_history(session, BEN, assessment_id)
    with store.session() as session:
        list_assessments(session, BEN)
    with store.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.resource == "speech_assessment")
        ).all()
    actions = [(e.actor, e.action, e.record_id) for e in entries]
    assert ("ana", "create", str(assessment_id)) in actions
    assert ("ben", "read", str(assessment_id)) in actions
    assert ("ben", "read", None) in actions  # the list
    assert SPEAKER not in json.dumps([e.detail for e in entries], default=str)


def test_hallmark_order_does_not_make_an_edit(store: Store) -> None:
    assessment_id = _create(store, ANA)
    reordered = _draft(hallmarks=["attack_on_women_and_girls", "accusation_in_a_mirror"])
    with store.session() as session:
        assert update_assessment(session, ANA, assessment_id, reordered, note="same").revision == 1
