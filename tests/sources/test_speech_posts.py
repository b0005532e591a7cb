"""Reading monitored posts from CSV and JSON Lines: every problem named by file, row and field."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prevention_lens.csvsafe import csv_safe_row
from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_posts import (
    COLUMNS,
    SPEAKER_TYPES,
    dataset_from_file,
    parse_time,
    read_countries,
    read_speech_posts,
)

HEADER = "id,time,country,admin1,place,language,speaker_type,speaker,platform,text\n"
GOOD = (
    "p1,2024-03-05T14:20:00+06:30,Myanmar,Rakhine,Sittwe market,my,politician,U Example,"
    "facebook,hello\n"
)


def _csv(tmp_path: Path, body: str, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_csv_rows_read_with_every_field(tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD + "p2,2024-03-06T01:00:00Z,mmr,,,EN,,,,second post\n")
    rows, problems = read_speech_posts(path)
    assert problems == []
    first, second = rows
    assert first.row == 2
    assert first.dataset == "feed"
    assert first.external_id == "p1"
    assert first.posted_at == datetime(2024, 3, 5, 7, 50, tzinfo=UTC)
    assert (first.country, first.admin1, first.exact_place) == (
        "Myanmar",
        "Rakhine",
        "Sittwe market",
    )
    assert (first.language, first.speaker_type, first.speaker) == ("my", "politician", "U Example")
    assert (first.platform, first.text) == ("facebook", "hello")
    # Optional cells left empty: no admin1, speaker type unknown, language in lower case.
    assert (second.admin1, second.speaker_type, second.language) == (None, "unknown", "en")


def test_jsonl_lines_read_like_rows(tmp_path: Path) -> None:
    path = tmp_path / "Feed 2024.jsonl"
    lines = [
        {
            "id": 17,
            "time": "2024-03-05T08:00:00-05:00",
            "country": "Kenya",
            "admin1": None,
            "language": "sw",
            "text": "habari",
            "dataset": "kenya-watch",
        },
        {},
        {
            "id": "b",
            "time": "2024-03-05T08:00:00+00:00",
            "country": "KEN",
            "language": "en",
            "text": "second",
            "speaker_type": "media",
        },
    ]
    path.write_text("\n".join(json.dumps(line) if line else "" for line in lines), "utf-8")
    rows, problems = read_speech_posts(path)
    assert problems == []
    assert [(r.row, r.external_id, r.dataset) for r in rows] == [
        (1, "17", "kenya-watch"),
        (3, "b", "feed-2024"),
    ]
    assert rows[0].posted_at == datetime(2024, 3, 5, 13, 0, tzinfo=UTC)
    assert rows[1].speaker_type == "media"


BAD_ROWS = {
    "naive_time": ("p9,2024-03-05T14:20:00,Myanmar,,,my,,,,text", "time", "has no UTC offset"),
    "date_only": ("p9,2024-03-05,Myanmar,,,my,,,,text", "time", "has no UTC offset"),
    "not_a_time": ("p9,yesterday,Myanmar,,,my,,,,text", "time", "is not an ISO 8601 time"),
    "no_text": ("p9,2024-03-05T14:20:00Z,Myanmar,,,my,,,,", "text", "is required"),
    "no_country": ("p9,2024-03-05T14:20:00Z,,,,my,,,,text", "country", "is required"),
    "bad_language": (
        "p9,2024-03-05T14:20:00Z,Myanmar,,,Burmese!,,,,t",
        "language",
        "language code",
    ),
    "bad_speaker": ("p9,2024-03-05T14:20:00Z,Myanmar,,,my,monk,,,text", "speaker_type", "monk"),
    "same_id": ("p1,2024-03-05T14:20:00Z,Myanmar,,,my,,,,text", "id", "also on row 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_is_named_by_file_row_and_field(case: str, tmp_path: Path) -> None:
    line, field, words = BAD_ROWS[case]
    rows, problems = read_speech_posts(_csv(tmp_path, GOOD + line + "\n"))
    assert [row.external_id for row in rows] == ["p1"]
    (problem,) = problems
    assert (problem.file, problem.row, problem.field) == ("feed.csv", 3, field)
    assert words in problem.problem
    assert str(problem).startswith(f"feed.csv, row 3, field '{field}': ")


def test_a_future_time_is_refused(tmp_path: Path) -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    _, problems = read_speech_posts(_csv(tmp_path, f"p1,{later},Myanmar,,,my,,,,text\n"))
    assert [p.field for p in problems] == ["time"]
    assert "in the future" in problems[0].problem


def test_every_bad_row_is_reported_not_only_the_first(tmp_path: Path) -> None:
    body = GOOD + "".join(f"p{n},2024-03-05,Myanmar,,,my,,,,t\n" for n in range(3, 7))
    rows, problems = read_speech_posts(_csv(tmp_path, body))
    assert len(rows) == 1
    assert [p.row for p in problems] == [3, 4, 5, 6]


def test_the_example_dataset_is_kept_for_the_generated_feed(tmp_path: Path) -> None:
    _, problems = read_speech_posts(_csv(tmp_path, GOOD, name="example.csv"))
    assert [p.field for p in problems] == ["dataset"]
    assert "example feed" in problems[0].problem


def test_jsonl_problems_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.ndjson"
    path.write_text(
        '{"id": "a", "time": "2024-01-01T00:00:00Z", "country": "Kenya", "language": "en", '
        '"text": "fine"}\n[1, 2]\n{"id": "c"\n{"id": "d", "time": "2024-01-01T00:00:00Z"}\n',
        "utf-8",
    )
    rows, problems = read_speech_posts(path)
    assert [row.external_id for row in rows] == ["a"]
    assert [(p.row, p.field) for p in problems] == [(2, None), (3, None), (4, "country")]
    assert "is not a JSON object" in str(problems[0])
    assert "is not JSON" in str(problems[1])
    assert "has no country, language, text" in str(problems[2])


def test_file_level_faults_raise(tmp_path: Path) -> None:
    missing = tmp_path / "short.csv"
    missing.write_text("id,time,text\np1,2024-01-01T00:00:00Z,x\n", "utf-8")
    with pytest.raises(ValidationError, match=r"short\.csv, row 1: missing column\(s\) country"):
        read_speech_posts(missing)
    other = tmp_path / "posts.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(ValidationError, match="neither CSV"):
        read_speech_posts(other)
    empty = _csv(tmp_path, "", name="empty.csv")
    with pytest.raises(ValidationError, match="has no posts"):
        read_speech_posts(empty)


def test_parse_time_refuses_naive_datetimes_too() -> None:
    with pytest.raises(ValidationError, match="has no UTC offset"):
        parse_time(datetime(2024, 1, 1, 12, 0))
    assert parse_time("2024-01-01T12:00:00+01:00") == datetime(2024, 1, 1, 11, 0, tzinfo=UTC)


def test_dataset_names_come_from_the_file_name() -> None:
    assert dataset_from_file(Path("Posts March 2024.csv")) == "posts-march-2024"
    assert dataset_from_file(Path("---.csv")) == "posts"


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda t: t.strip() == t and t
)


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            _TEXT,
            st.datetimes(
                min_value=datetime(2000, 1, 1),
                max_value=datetime(2030, 1, 1),
                timezones=st.just(UTC),
            ),
            st.sampled_from(sorted(SPEAKER_TYPES)),
            _TEXT,
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda row: row[0],
    )
)
def test_a_written_file_reads_back_the_same(
    tmp_path_factory: pytest.TempPathFactory,
    posts: list[tuple[str, datetime, str, str]],
) -> None:
    posts = [p for p in posts if p[1] <= datetime.now(UTC)]
    if not posts:
        return
    path = tmp_path_factory.mktemp("round") / "round.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for external_id, moment, speaker_type, text in posts:
            writer.writerow(
                csv_safe_row(
                    [
                        external_id,
                        moment.isoformat(),
                        "Kenya",
                        "",
                        "",
                        "en",
                        speaker_type,
                        "",
                        "",
                        text,
                        "round",
                    ]
                )
            )
    rows, problems = read_speech_posts(path)
    assert problems == []
    assert [(r.external_id, r.posted_at, r.speaker_type, r.text) for r in rows] == posts


def test_every_bad_field_of_a_row_is_reported_in_one_run(tmp_path: Path) -> None:
    line = "p2,2024-03-05T14:20:00,Myanmar,,,Burmese!,monk,,,\n"
    rows, problems = read_speech_posts(_csv(tmp_path, GOOD + line))
    assert [row.external_id for row in rows] == ["p1"]
    assert [(p.row, p.field) for p in problems] == [
        (3, "time"),
        (3, "language"),
        (3, "speaker_type"),
        (3, "text"),
    ]


def test_a_quote_never_closed_is_named_not_taken_for_missing_cells(tmp_path: Path) -> None:
    body = GOOD + 'p2,"2024-03-05T14:20:00Z,Myanmar,,,my,,,,text\np3,x\n'
    rows, problems = read_speech_posts(_csv(tmp_path, body))
    assert [row.external_id for row in rows] == ["p1"]
    (problem,) = problems
    assert (problem.row, problem.field) == (3, "time")
    assert "a quote opened in this row (line 3) is never closed" in problem.problem
    assert "is required" not in str(problem)


def test_jsonl_problems_say_line_not_row(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    good = {"id": "a", "time": "2024-01-01T00:00:00Z", "country": "Kenya", "language": "en"}
    path.write_text(
        "\n".join(
            [
                json.dumps({**good, "text": "fine"}),
                "{not json",
                json.dumps({**good, "text": "fine"}),
                json.dumps({**good, "id": "b", "time": "yesterday"}),
            ]
        ),
        "utf-8",
    )
    _, problems = read_speech_posts(path)
    assert [str(p).split(":")[0] for p in problems] == [
        "posts.jsonl, line 2",
        "posts.jsonl, line 3, field 'id'",
        "posts.jsonl, line 4, field 'text'",
        "posts.jsonl, line 4, field 'time'",
    ]
    assert "is also on line 1" in problems[1].problem
    assert problems[2].problem == "has no text"
    assert [(p.line, p.row) for p in problems] == [(2, 2), (3, 3), (4, 4), (4, 4)]


def test_every_row_gives_its_country_whatever_else_is_wrong(tmp_path: Path) -> None:
    body = GOOD + "p2,not a time,Atlantis,,,my,,,,text\np3,2024-03-05T14:20:00Z,,,,my,,,,t\n"
    assert read_countries(_csv(tmp_path, body)) == [(2, "Myanmar"), (3, "Atlantis")]
