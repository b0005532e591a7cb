"""The speech-posts import through the import runner: scored posts with provenance, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import ImportRejectedError, ValidationError
from prevention_lens.ingest import run_import
from prevention_lens.ingest.speech_posts import SPEECH_POSTS
from prevention_lens.settings import Settings
from prevention_lens.speech import posts as speech_posts
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import DataImport, SpeechPost
from tests.speech.keyword_scorer import MATCHER, KeywordScorer

HEADER = "id,time,country,admin1,place,language,speaker_type,speaker,platform,text\n"
ROWS = (
    "p1,2024-03-05T14:20:00+03:00,Kenya,Nairobi,Exact corner,en,politician,A Name,x,"
    "hateful words about religion\n"
    "p2,2024-03-06T09:00:00Z,Burma,,,my,,,,a calm post\n"
)


@pytest.fixture(autouse=True)
def keyword_classifier(monkeypatch: pytest.MonkeyPatch) -> KeywordScorer:
    """The import runs the keyword classifier and the test lexicon in place of the shipped
    ones, so these tests read what was stored straight off the text."""
    scorer = KeywordScorer()
    monkeypatch.setattr(speech_posts, "_default_scorer", lambda: scorer)
    monkeypatch.setattr(speech_posts, "_default_matcher", lambda session: MATCHER)
    return scorer


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        posts = session.scalar(select(func.count(SpeechPost.id)))
        imports = session.scalar(select(func.count(DataImport.id)))
    return int(posts or 0), int(imports or 0)


def _file(tmp_path: Path, body: str, name: str = "kenya-watch.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_csv_of_posts_imports_scored_with_provenance(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, HEADER + ROWS)
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path)
    assert (report.rows_read, report.rows_created, report.source_format) == (2, 2, "speech-posts")
    with store.session() as session:
        rows = {row.external_id: row for row in session.scalars(select(SpeechPost))}
        assert {row.dataset for row in rows.values()} == {"kenya-watch"}
        assert {row.import_id for row in rows.values()} == {report.import_id}
        assert (rows["p1"].label, rows["p1"].targeted_group) == ("hateful", "religion")
        assert (rows["p1"].speaker, rows["p1"].exact_place) == ("A Name", "Exact corner")
        assert rows["p2"].speaker_type == "unknown"
    again = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    changed = _file(tmp_path, HEADER + ROWS.replace("a calm post", "offensive now"))
    later = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, changed)
    assert (later.rows_created, later.rows_updated, later.rows_unchanged) == (0, 1, 1)
    with store.session() as session:
        p2 = session.scalars(select(SpeechPost).where(SpeechPost.external_id == "p2")).one()
        assert (p2.label, p2.import_id) == ("offensive", later.import_id)
    assert _counts(store) == (2, 3)


def test_jsonl_posts_join_the_dataset_they_name(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    lines = [
        {
            "id": 1,
            "time": "2024-03-05T10:00:00Z",
            "country": "KEN",
            "language": "en",
            "text": "one",
            "dataset": "feed-a",
        },
        {
            "id": 1,
            "time": "2024-03-05T10:00:00Z",
            "country": "KEN",
            "language": "en",
            "text": "one again",
            "dataset": "feed-b",
        },
    ]
    path = _file(tmp_path, "\n".join(json.dumps(line) for line in lines), "posts.jsonl")
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path)
    assert report.rows_created == 2
    with store.session() as session:
        stored = session.execute(select(SpeechPost.dataset, SpeechPost.external_id)).all()
        assert sorted(stored) == [("feed-a", "1"), ("feed-b", "1")]


def test_an_unknown_country_is_named_by_row_and_nothing_is_written(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    bad = ROWS + "p3,2024-03-06T09:00:00Z,Atlantis,,,en,,,,text\n"
    with pytest.raises(ValidationError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, _file(tmp_path, HEADER + bad))
    message = str(caught.value)
    assert "kenya-watch.csv, row 4, field 'country': unknown country 'Atlantis'" in message
    assert _counts(store) == (0, 0)


def test_invalid_rows_reject_the_file_unless_asked_to_skip_them(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    bad = ROWS + "p3,2024-03-06T09:00:00,Kenya,,,en,,,,naive time\n"
    path = _file(tmp_path, HEADER + bad)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path)
    assert "row 4, field 'time'" in str(caught.value)
    assert "has no UTC offset" in str(caught.value)
    assert _counts(store) == (0, 0)
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path, skip_invalid=True)
    assert (report.rows_read, report.rows_created, report.rows_rejected) == (3, 2, 1)
    assert _counts(store) == (2, 1)


def test_problems_of_the_file_and_unknown_countries_are_reported_in_one_run(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    bad = ROWS + "p3,2024-03-06T09:00:00,Kenya,,,en,,,,naive time\n"
    bad += "p4,2024-03-06T09:00:00Z,Atlantis,,,en,,,,text\n"
    bad += "p5,yesterday,Narnia,,,en,,,,text\n"
    path = _file(tmp_path, HEADER + bad)
    for skip_invalid in (False, True):
        with pytest.raises(ImportRejectedError) as caught:
            run_import(
                store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path, skip_invalid=skip_invalid
            )
        found = sorted((p.row, p.field) for p in caught.value.problems)
        assert found == [(4, "time"), (5, "country"), (6, "country"), (6, "time")], skip_invalid
    assert _counts(store) == (0, 0)


def test_jsonl_unknown_countries_name_the_line(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    post = {"id": "a", "time": "2024-01-01T00:00:00Z", "language": "en", "text": "t"}
    lines = [json.dumps({**post, "country": "Atlantis"}), json.dumps({**post, "id": 7})]
    path = _file(tmp_path, "\n".join(lines) + "\n", name="feed.jsonl")
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path)
    assert [str(p).split(":")[0] for p in caught.value.problems] == [
        "feed.jsonl, line 1, field 'country'",
        "feed.jsonl, line 2, field 'country'",
    ]


def test_skipped_rows_are_counted_once_however_many_problems_they_have(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    bad = ROWS + "p3,2024-03-06T09:00:00,Kenya,,,Kenyan!,monk,,,\n"
    path = _file(tmp_path, HEADER + bad)
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_POSTS, path, skip_invalid=True)
    assert (report.rows_read, report.rows_created, report.rows_rejected) == (3, 2, 1)
    assert len(report.problems) == 4
