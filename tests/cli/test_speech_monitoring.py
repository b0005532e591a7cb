"""`lens speech posts`, `trends`, `surges` and `example`: monitored posts through the import
runner, weekly trends and surge alerts, re-matching after a lexicon edit, and the example feed.
Posts are scored by the keyword scorer of tests/speech. Fixtures come from test_speech.py."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from tests.cli.conftest import Lens
from tests.cli.test_speech import (
    Speech,
    _listed,
    keyword_scoring,
    speech,
    terms_file,
)
from tests.conftest import sources_folder

__all__ = ["keyword_scoring", "speech", "terms_file"]  # shared fixtures


# --- monitored posts, trends and surges -------------------------------------------------------

FIRST = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # a Monday


def _feed(path: Path, weeks: int = 12) -> Path:
    """Kenya: every week one hateful post against a religion and three ordinary ones; in the
    last week ten hateful threats. Who spoke and where exactly are in every row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "time", "country", "language", "text", "speaker", "place"])
        for week in range(weeks):
            monday = FIRST + timedelta(weeks=week)
            hateful = 10 if week == weeks - 1 else 1
            texts = ["a hateful threat against a religion"] * hateful + ["a market day"] * 3
            for number, text in enumerate(texts):
                when = (monday + timedelta(hours=number)).isoformat()
                writer.writerow(
                    [f"w{week}-{number}", when, "Kenya", "en", text, "Speaker Secret", "Plot 7"]
                )
    return path


@pytest.mark.usefixtures("keyword_scoring")
def test_posts_import_then_trends_and_a_surge_with_framework_indicators(
    speech: Speech, tmp_path: Path
) -> None:
    feed = _feed(tmp_path / "kenya.csv")
    imported = speech("posts", "import", str(feed))
    assert imported.code == 0, imported.error
    assert "57 rows read from kenya.csv" in imported.out and "57 created" in imported.out
    assert "lens speech trends" in imported.out
    trends = speech("trends", "Kenya", "--group", "religion", "--json")
    points = _listed(trends, "trends")
    assert [(point["posts"], point["hateful"]) for point in points] == [(1, 1)] * 11 + [(10, 10)]
    # Public aggregates: nothing of any post's text, speaker or place.
    assert "Secret" not in trends.out and "Plot 7" not in trends.out and "threat" not in trends.out
    table = speech("trends", "KEN")
    assert table.code == 0 and "2024-03-18" in table.out and "100%" in table.out
    surges = speech("surges", "--country", "Kenya", "--json")
    [surge] = _listed(surges, "surges")
    assert surge["week"] == "2024-03-18" and surge["observed"] == 10
    assert surge["targeted_group"] == "religion" and "7.14" in surge["indicators"]
    assert "Secret" not in surges.out
    shown = speech("surges")
    assert shown.code == 0 and "Framework indicator 7.14" in shown.out
    quiet = speech("surges", "--since", "2024-03-25")
    assert quiet.code == 0 and "No surge alerts" in quiet.out


@pytest.mark.usefixtures("keyword_scoring")
def test_posts_list_filters_and_shows_confidential_fields_to_the_operator_only_in_json(
    speech: Speech, tmp_path: Path
) -> None:
    # Two weeks: one hateful post and three others, then ten hateful and three others.
    assert speech("posts", "import", str(_feed(tmp_path / "kenya.csv", weeks=2))).code == 0
    posts = _listed(speech("posts", "list", "--label", "hateful", "--json"), "posts")
    assert len(posts) == 11 and {post["label"] for post in posts} == {"hateful"}
    assert {post["speaker"] for post in posts} == {"Speaker Secret"}  # the operator is admin
    assert len(_listed(speech("posts", "list", "--week", "2024-W02", "--json"), "posts")) == 13
    assert len(_listed(speech("posts", "list", "--week", "2024-01-03", "--json"), "posts")) == 4
    assert len(_listed(speech("posts", "list", "--limit", "5", "--json"), "posts")) == 5
    table = speech("posts", "list", "--country", "Kenya")
    assert table.code == 0 and "hateful threat" in table.out and "Secret" not in table.out
    bad = speech("posts", "list", "--week", "week two")
    assert isinstance(bad.error, ValidationError) and "--week" in str(bad.error)


@pytest.mark.usefixtures("keyword_scoring")
def test_editing_a_published_term_rematches_the_stored_posts_and_rematch_reports(
    speech: Speech, tmp_path: Path
) -> None:
    feed = tmp_path / "kenya.csv"
    feed.write_text(
        "id,time,country,language,text\n"
        "a,2024-03-04T09:00:00+00:00,Kenya,sw,hawa mende lazima waondoke\n"
        "b,2024-03-04T10:00:00+00:00,Kenya,sw,mende wengi jikoni leo\n",
        encoding="utf-8",
    )
    assert speech("posts", "import", str(feed)).code == 0
    [mende] = _listed(speech("terms", "list", "--search", "mende", "--json"), "terms")

    def senses() -> list[str]:
        posts = _listed(speech("posts", "list", "--json"), "posts")
        return sorted(hit["sense"] for post in posts for hit in post["lexicon_hits"])

    assert senses() == ["unclear", "unclear"]
    edited = speech(
        "terms", "edit", str(mende["id"]), "--add-neutral", "the insects=mende wengi jikoni"
    )
    assert edited.code == 0, edited.error
    # The post about the insects in the kitchen now reads in the neutral sense.
    assert senses() == ["neutral", "unclear"]
    again = speech("posts", "rematch", "--json")
    assert again.code == 0, again.error
    assert again.json() == {"posts": 2, "changed": 0}
    told = speech("posts", "rematch", "--dataset", "nothing-here")
    assert told.code == 0 and "Matched 0 stored post(s) again" in told.out


@pytest.mark.usefixtures("keyword_scoring")
def test_terms_sightings_and_show_say_where_monitoring_saw_a_term(
    speech: Speech, tmp_path: Path
) -> None:
    [mende] = _listed(speech("terms", "list", "--search", "mende", "--json"), "terms")
    nothing = speech("terms", "sightings", str(mende["id"]))
    assert nothing.code == 0 and "No monitored post holds this term yet" in nothing.out
    feed = tmp_path / "kenya.csv"
    feed.write_text(
        "id,time,country,language,text\n"
        "a,2024-03-04T09:00:00+00:00,Kenya,sw,hawa mende lazima waondoke\n"
        'b,2024-03-12T10:00:00+00:00,Kenya,sw,"Alisema ""mende"" kwenye redio"\n',
        encoding="utf-8",
    )
    assert speech("posts", "import", str(feed)).code == 0
    seen = speech("terms", "sightings", str(mende["id"]), "--json")
    assert seen.code == 0, seen.error
    [kenya] = seen.json()["sightings"]
    assert (kenya["country_key"], kenya["posts"], kenya["used"]) == ("KEN", 2, 1)
    assert (kenya["mentioned"], kenya["first_week"], kenya["last_used_week"]) == (
        1,
        "2024-03-04",
        "2024-03-04",
    )
    shown = speech("terms", "show", str(mende["id"]))
    assert "Seen in monitored posts" in shown.out and "KEN" in shown.out
    assert "waondoke" not in shown.out


@pytest.mark.usefixtures("keyword_scoring")
def test_example_feed_loads_once_shows_as_example_and_can_be_removed(speech: Speech) -> None:
    from prevention_lens.speech.example import example_posts

    folder = sources_folder()
    loaded = speech("example", "--sources", str(folder), "--json")
    assert loaded.code == 0, loaded.error
    assert loaded.json() == {
        "dataset": "example",
        "created": len(example_posts(folder)),
        "updated": 0,
        "unchanged": 0,
    }
    again = speech("example", "--sources", str(folder), "--json").json()
    assert again["created"] == 0 and again["unchanged"] == loaded.json()["created"]
    points = _listed(speech("trends", "Kenya", "--json"), "trends")
    assert points and all(point["example"] for point in points)
    table = speech("trends", "Kenya")
    assert "EXAMPLE" in table.out
    listed = speech("posts", "list", "--limit", "3")
    assert "example (EXAMPLE)" in listed.out and "not monitoring" in listed.out
    removed = speech("example", "--remove")
    assert removed.code == 0 and f"{loaded.json()['created']} posts" in removed.out
    assert _listed(speech("trends", "--json"), "trends") == []


def test_an_invalid_posts_file_exits_2_naming_row_and_field_and_stores_nothing(
    lens: Lens, tmp_path: Path
) -> None:
    feed = tmp_path / "posts.csv"
    feed.write_text(
        "id,time,country,language,text\n"
        "p1,2024-03-06T10:00:00+00:00,Kenya,en,a market day\n"
        "p2,yesterday,Kenya,en,a market day\n",
        encoding="utf-8",
    )
    result = lens("speech", "posts", "import", str(feed))
    assert result.code == 2
    assert "posts.csv" in result.err and "row 3" in result.err and "time" in result.err
    assert "Traceback" not in result.err
    listed = lens("speech", "posts", "list", "--json")
    assert listed.code == 0 and json.loads(listed.out) == {"posts": []}


def test_a_posts_file_lists_its_parse_problems_and_unknown_countries_in_one_run(
    lens: Lens, tmp_path: Path
) -> None:
    feed = tmp_path / "bad.csv"
    feed.write_text(
        "id,time,country,language,text\n"
        "p1,yesterday,Kenya,en,a market day\n"
        "p2,2024-03-06T10:00:00+00:00,Atlantis,en,a market day\n"
        'p3,2024-03-06T10:00:00+00:00,Kenya,en,"a quote never closed\n'
        "p4,2024-03-06T10:00:00+00:00,Kenya,en,a market day\n",
        encoding="utf-8",
    )
    result = lens("speech", "posts", "import", str(feed))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == "Error: bad.csv: 3 problems in 3 rows, nothing imported:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  - bad.csv, row 2, field 'time'",
        "  - bad.csv, row 3, field 'country'",
        "  - bad.csv, row 4, field 'text'",
    ]
    assert "unknown country 'Atlantis'" in lines[2]
    assert "a quote opened in this row (line 4) is never closed" in lines[3]


def test_invalid_filters_are_clear_errors(speech: Speech) -> None:
    group = speech("trends", "--group", "martians")
    assert isinstance(group.error, ValidationError) and "--group" in str(group.error)
    since = speech("surges", "--since", "last week")
    assert isinstance(since.error, ValidationError) and "--since" in str(since.error)
    alpha = speech("surges", "--alpha", "2")
    assert isinstance(alpha.error, ValidationError) and "--alpha" in str(alpha.error)
    empty = speech("trends")
    assert empty.code == 0 and "No monitored posts" in empty.out
