"""Speech monitoring beside the rest of the warning picture: surges linked to the escalation
alerts that follow them and to the Framework indicators with their scores, the hub's speech
panel, the brief's speech section (only where posts are monitored), and no post's speaker,
place or words in any brief, whoever reads below admin."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import event

from prevention_lens.briefs.brief import CountryBrief, compose_brief
from prevention_lens.briefs.hub import country_hub, links
from prevention_lens.briefs.parts import SPEECH
from prevention_lens.briefs.render import section_id, to_html, to_markdown
from prevention_lens.briefs.speech import (
    EXAMPLE_NOTICE,
    FOLLOWING_MONTHS,
    LINK_RULE,
    group_label,
    link_surges,
    linked_months,
    trend_sentences,
)
from prevention_lens.errors import SettingsError
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.monitoring import RecordAlert
from prevention_lens.incidents.records import create_incident
from prevention_lens.incidents.signals import Alert
from prevention_lens.ingest import get_format, run_import
from prevention_lens.lexicon.records import load_shipped, stored_lexicon
from prevention_lens.lexicon.reframe import reframe
from prevention_lens.risk.assessments import ScoreInput, record_assessment
from prevention_lens.settings import Settings
from prevention_lens.sources.speech_posts import EXAMPLE_DATASET
from prevention_lens.speech.assessment_records import AssessmentDraft
from prevention_lens.speech.assessments import create_assessment
from prevention_lens.speech.matching import Matcher
from prevention_lens.speech.monitoring import (
    GroupCount,
    SpeechSummary,
    SpeechSurge,
    WeekCount,
)
from prevention_lens.speech.posts import PostDraft, import_posts
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
)
from tests.briefs.brief_samples import sample_brief

# Planted where only admins may look (a post's speaker and exact place, and an assessment's)
# and in every post's words (restricted): no brief below admin may show any of them.
SPEAKER = "SPEECH-SPEAKER-3f9a"
PLACE = "SPEECH-PLACE-8c21"
WORDS = "speechwords7d4e"
MARKERS = (SPEAKER, PLACE, WORDS)
CONTRIBUTOR = Principal("cora", Role.CONTRIBUTOR, user_id=52)
ANALYST = Principal("ana", Role.ANALYST, user_id=53)
BELOW_ADMIN = (ANONYMOUS, CONTRIBUTOR, ANALYST)

QUIET_START = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)  # a Monday; 12 quiet weeks follow
SURGE_WEEK = date(2024, 8, 26)  # its Sunday is 1 September
FRAMEWORK = """
risk_factors:
  - number: 1
    kind: common
    name: "Armed conflict or other forms of instability"
    summary: "Stress on the State."
    indicators:
      - {id: "1.1", text: "An armed conflict is under way."}
  - number: 7
    kind: common
    name: "Enabling circumstances or preparatory action"
    summary: "Conditions for atrocity crimes."
    indicators:
      - {id: "7.14", unverified: true, text: "Inflammatory rhetoric or hate speech increases."}
  - number: 8
    kind: common
    name: "Triggering factors"
    summary: "Events that set off crimes."
    indicators:
      - {id: "8.7", text: "Incitement or hate propaganda aimed at particular groups."}
  - number: 13
    kind: war_crimes
    name: "Serious threats to those protected under international humanitarian law"
    summary: "Conduct endangering protected people."
    indicators:
      - {id: "13.5", text: "Conduct dehumanizing the enemy or population groups."}
      - {id: "13.7", text: "Plans or discourse threaten or incite violence."}
"""


@dataclass(frozen=True)
class Score:
    label: str
    hate_score: float
    scores: dict[str, float]
    attributes: dict[str, float]
    targeted_group: str | None


class Scorer:
    """Reads the answer off the text: "hateful" labels it, "threat" raises the threat
    attribute, "religion" names the targeted group."""

    def model_version(self) -> str:
        return "brief-test-1"

    def score_texts(self, texts: Sequence[str]) -> list[Score]:
        return [self._score(text.lower()) for text in texts]

    @staticmethod
    def _score(text: str) -> Score:
        hate = 0.9 if "hateful" in text else 0.05
        return Score(
            label="hateful" if "hateful" in text else "neither",
            hate_score=hate,
            scores={"hateful": hate, "offensive": 0.05, "neither": 1 - hate},
            attributes={
                "identity_attack": hate,
                "threat": 0.9 if "threat" in text else 0.05,
                "dehumanisation": 0.05,
                "offensive": 0.1,
            },
            targeted_group="religion" if "religion" in text else None,
        )


def _posts(
    country: str, counts: Sequence[int], text: str, prefix: str, first: datetime = QUIET_START
) -> list[PostDraft]:
    """``counts[n]`` posts in the n-th week from ``first``, each with the planted speaker,
    place and words."""
    return [
        PostDraft(
            external_id=f"{prefix}-{week}-{n}",
            posted_at=first + timedelta(weeks=week, hours=n),
            country=country,
            text=f"{text} {WORDS}",
            language="en",
            admin1="Nairobi",
            exact_place=PLACE,
            speaker_type="politician",
            speaker=SPEAKER,
            platform="forum",
        )
        for week, count in enumerate(counts)
        for n in range(count)
    ]


def plant_speech(store: Store, settings: Settings, tmp_path: Path) -> None:
    """Kenya: a public Framework assessment scoring 7.14 and 13.5; one incident a month from
    January to August 2024, then eight in September (an escalation alert); two hateful posts
    about a religion a week for twelve weeks from 3 June, then twelve threats in the week of
    26 August (a surge), and calm posts throughout. Nigeria: the example feed only. Chad:
    nothing monitored."""
    framework = tmp_path / "speech-framework.yaml"
    framework.write_text(FRAMEWORK)
    run_import(store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework)
    with store.session() as session:
        load_shipped(session)
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "KEN",
            date(2024, 7, 1),
            [ScoreInput("7.14", 2, "Rallies"), ScoreInput("13.5", 3, "Leaflets")],
            summary="Public assessment",
            confidentiality=Confidentiality.PUBLIC,
        )
        days = [f"2024-{month:02d}-15" for month in range(1, 9)]
        days += [f"2024-09-{day:02d}" for day in range(2, 10)]
        for number, day in enumerate(days):
            create_incident(
                session,
                LOCAL_OPERATOR,
                draft_from_mapping(
                    {
                        "category": "one_sided_violence",
                        "country": "KEN",
                        "title": f"Attack {number}",
                        "date_start": day,
                    }
                ),
            )
        drafts = [
            *_posts("Kenya", [2] * 12, "hateful talk about religion", "quiet"),
            *_posts(
                "Kenya",
                [12],
                "hateful threat about religion",
                "surge",
                first=QUIET_START + timedelta(weeks=12),
            ),
            *_posts("Kenya", [3] * 13, "a calm post about the weather", "calm"),
        ]
        import_posts(
            session, LOCAL_OPERATOR, drafts, dataset="watch", scorer=Scorer(), matcher=Matcher([])
        )
        import_posts(
            session,
            LOCAL_OPERATOR,
            _posts("Nigeria", [3] * 10, "hateful talk about religion", "example"),
            dataset=EXAMPLE_DATASET,
            scorer=Scorer(),
            matcher=Matcher([]),
        )
        create_assessment(
            session,
            LOCAL_OPERATOR,
            AssessmentDraft(
                title="A rally speech",
                country="Kenya",
                conclusion="possibly_dangerous",
                rationale="Threats against a religious group.",
                speaker=SPEAKER,
                exact_place=PLACE,
                message=f"The words {WORDS}",
            ),
        )


@pytest.fixture
def planted(sqlite_store: Store, settings: Settings, tmp_path: Path) -> Store:
    plant_speech(sqlite_store, settings, tmp_path)
    return sqlite_store


def _brief(
    store: Store,
    settings: Settings,
    country: str = "Kenya",
    principal: Principal = ANONYMOUS,
    audience: str = "ap",
) -> CountryBrief:
    with store.session() as session:
        return compose_brief(session, principal, settings, country, audience=audience)


# --- the link rule ------------------------------------------------------------------------


def test_a_week_links_to_its_months_and_the_following_ones() -> None:
    assert FOLLOWING_MONTHS == 2
    assert linked_months(date(2024, 3, 25)) == ("2024-03", "2024-04", "2024-05")
    # A week across two months counts from the first and runs on from the second.
    assert linked_months(date(2024, 1, 29)) == ("2024-01", "2024-02", "2024-03", "2024-04")
    assert linked_months(date(2024, 12, 30)) == ("2024-12", "2025-01", "2025-02", "2025-03")


def _surge(week: date, country: str = "KEN", group: str | None = "religion") -> SpeechSurge:
    return SpeechSurge(
        country_key=country,
        country_name="Kenya",
        targeted_group=group,
        week=week,
        observed=12,
        expected=2.0,
        log_p=-12.0,
        strength=5.2,
        indicators=("7.14", "13.7"),
        example=False,
    )


def _alert(month: str, country: str = "KEN", admin1: str | None = None) -> RecordAlert:
    alert = Alert(
        level="admin1" if admin1 else "country",
        country_key=country,
        admin1=admin1,
        series="one_sided_events",
        month=month,
        observed=9.0,
        expected=1.2,
        p_value=1e-5,
        score=5.0,
        event_ids=("1",),
    )
    return RecordAlert.of(alert, "Kenya", ())


def test_surges_link_to_the_alerts_of_their_country_that_follow_them() -> None:
    alerts = [
        _alert("2024-02"),  # before the surge: not linked
        _alert("2024-05", admin1="Rift Valley"),
        _alert("2024-03"),
        _alert("2024-06"),  # three months after: not linked
        _alert("2024-04", country="UGA"),  # another country
    ]
    (linked,) = link_surges([_surge(date(2024, 3, 25))], alerts)
    assert [a.month for a in linked.alerts] == ["2024-03", "2024-05"]
    assert linked.alerts[1].series_label.endswith("in Rift Valley")
    assert linked.alerts[0].url == "/signals?country=KEN&since=2024-03"
    assert linked.alerts[0].words() == (
        "2024-03: events of violence against civilians rose to 9 against about 1.2 expected"
    )
    assert linked.group == group_label("religion")
    assert link_surges([_surge(date(2024, 3, 25))], [])[0].alerts == ()
    assert group_label(None) == "no group identified"


def test_the_trend_compares_the_latest_weeks_with_those_before() -> None:
    weeks = tuple(
        WeekCount(date(2024, 6, 3) + timedelta(weeks=n), 10, 1 if n < 8 else 3) for n in range(12)
    )
    summary = SpeechSummary(
        country_key="KEN",
        country_name="Kenya",
        example=False,
        posts=400,
        hateful=30,
        first_week=date(2024, 1, 1),
        last_week=weeks[-1].week,
        weeks=weeks,
        groups=(GroupCount("religion", 60, 14), GroupCount(None, 60, 6), GroupCount("x", 5, 0)),
        surges=(_surge(weeks[-1].week),),
        indicators=("7.14", "13.7"),
    )
    first, change, groups, surges = trend_sentences(summary)
    assert first == (
        "400 posts monitored from the week of 2024-01-01 to the week of 2024-08-19; "
        "30 (7.5%) count as hate speech."
    )
    assert change == (
        "In the latest 4 weeks 30.0% of posts were hate speech, up from 10.0% in the 8 weeks "
        "before."
    )
    assert groups == (
        f"Hate speech in the last 12 weeks most often targeted: {group_label('religion')} "
        "(14 posts), no group identified (6 posts)."
    )
    assert surges == (
        "1 surge alert in the last 12 weeks, a warning sign of mass atrocities under Framework "
        "of Analysis indicators 7.14, 13.7."
    )
    quiet = replace(summary, weeks=weeks[:3], groups=(), surges=(), indicators=())
    assert trend_sentences(quiet)[1:] == (
        "No post of the last 3 weeks counts as hate speech.",
        "No surge alert in the last 3 weeks.",
    )


# --- the hub ------------------------------------------------------------------------------


def test_the_hub_shows_the_speech_panel_with_linked_alerts(planted: Store) -> None:
    with planted.session() as session:
        hub = country_hub(session, ANONYMOUS, "Kenya")
        chad = country_hub(session, ANONYMOUS, "Chad")
    assert hub.speech is not None and not hub.speech.example and hub.speech.alerts_read
    summary = hub.speech.summary
    assert (summary.posts, summary.hateful) == (12 * 2 + 12 + 13 * 3, 12 * 2 + 12)
    (surge,) = hub.speech.surges
    assert (surge.surge.week, surge.surge.targeted_group) == (SURGE_WEEK, "religion")
    assert surge.surge.indicators[0] == "7.14"
    assert {a.month for a in surge.alerts} == {"2024-09"}
    assert ("Speech", "/speech/KEN") in links(hub) and hub.speech.url == "/speech/KEN"
    assert chad.speech is None and "Speech" not in dict(links(chad))
    shown = json.dumps(hub.to_dict(), default=str)
    assert all(marker not in shown for marker in MARKERS)


def test_the_panel_reads_the_posts_once_whatever_their_number(planted: Store) -> None:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(planted.engine, "before_cursor_execute", count)
    try:
        with planted.session() as session:
            country_hub(session, ANONYMOUS, "Kenya")
    finally:
        event.remove(planted.engine, "before_cursor_execute", count)
    assert len([s for s in seen if "FROM speech_posts" in s]) == 1, seen


def test_the_country_page_and_api_show_the_panel_without_a_post(
    planted: Store, settings: Settings
) -> None:
    """The hub's page and JSON, as an anonymous reader gets them: the panel, its link to the
    speech page and to the alerts that followed, and nothing of any post."""
    from fastapi.testclient import TestClient

    from prevention_lens.web.app import create_app

    with TestClient(create_app(settings, planted), base_url="https://testserver") as client:
        page = client.get("/countries/KEN")
        api = client.get("/api/v1/countries/KEN/hub")
        chad = client.get("/countries/TCD")
    assert page.status_code == api.status_code == chad.status_code == 200
    assert "Hate speech trends" in page.text and 'href="/speech/KEN"' in page.text
    assert 'href="/signals?country=KEN&amp;since=2024-09"' in page.text
    assert api.json()["speech"]["url"] == "/speech/KEN"
    assert "Hate speech trends" not in chad.text and api.json()["speech"]["surges"]
    for shown in (page.text, api.text):
        for marker in MARKERS:
            assert marker.lower() not in shown.lower(), marker


def test_the_example_feed_is_labelled_as_such(planted: Store, settings: Settings) -> None:
    with planted.session() as session:
        hub = country_hub(session, ANONYMOUS, "Nigeria")
    assert hub.speech is not None and hub.speech.example
    assert hub.speech.notice == EXAMPLE_NOTICE
    brief = _brief(planted, settings, "Nigeria")
    assert brief.speech is not None and brief.speech.example
    assert EXAMPLE_NOTICE in to_markdown(brief).replace("\\", "")
    assert EXAMPLE_NOTICE in to_html(brief, charts=False)
    assert any("example feed" in figure.source for figure in brief.sources)


# --- the brief ----------------------------------------------------------------------------


def test_a_monitored_country_has_the_speech_section(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings)
    assert brief.speech is not None and SPEECH in brief.sections()
    (surge,) = brief.speech.surges
    assert surge.week == SURGE_WEEK and surge.observed == 12 and surge.expected == 2.0
    assert surge.indicators[0] == "7.14" and not surge.example
    assert surge.signals and all(signal.startswith("2024-09: ") for signal in surge.signals)
    assert brief.speech.link_rule == LINK_RULE
    scores = {i.code: i.score for i in brief.speech.indicators}
    assert scores == {
        "7.14": "moderate (2 of 3)",
        "8.7": None,
        "13.5": "severe (3 of 3)",
        "13.7": None,
    }
    assert brief.speech.assessed_on == date(2024, 7, 1)
    assert "not yet checked" in brief.speech.indicators[0].text
    assert {"Monitored posts (counted as hate speech)"} <= {f.label for f in brief.sources}

    markdown, html = to_markdown(brief), to_html(brief, charts=False)
    assert f"## {SPEECH}" in markdown and f"<h2>{SPEECH}</h2>" in html
    assert f'id="{section_id(SPEECH)}"' in html
    for text in (markdown, html):
        assert "2024-08-26" in text and "7.14" in text and "2024-09: " in text
        assert "moderate (2 of 3)" in text
        assert text.index("Warning signs") < text.index(SPEECH) < text.index("Actors and coverage")


def test_a_country_without_posts_has_no_speech_section(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings, "Chad")
    assert brief.speech is None and SPEECH not in brief.sections()
    markdown, html = to_markdown(brief), to_html(brief, charts=False)
    assert SPEECH not in markdown and SPEECH not in html and "surge" not in markdown.lower()


def test_the_trend_is_written_in_the_readers_terms(planted: Store, settings: Settings) -> None:
    plain = _brief(planted, settings)
    assert plain.speech is not None
    with planted.session() as session:
        lexicon = stored_lexicon(session)
    for audience in ("hr", "dev"):
        brief = _brief(planted, settings, audience=audience)
        assert brief.speech is not None
        expected = tuple(reframe(lexicon, s, audience).text for s in plain.speech.trend)
        assert brief.speech.trend == expected
    human_rights = _brief(planted, settings, audience="hr")
    assert human_rights.speech is not None
    assert "mass atrocities" in plain.speech.trend[-1]
    assert "gross human rights violations" in human_rights.speech.trend[-1]
    assert ("mass atrocities", "gross human rights violations") in {
        (original, term) for original, term, _why in human_rights.terms
    }


def test_readers_without_the_incident_records_see_no_links(
    planted: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prevention_lens.briefs import hub as hub_module

    monkeypatch.setattr(hub_module, "_alerts", lambda *args: None)
    brief = _brief(planted, settings)
    assert brief.speech is not None and brief.speech.surges[0].signals == ()
    assert "not open to this reader" in brief.speech.link_rule


def _pdf_text(brief: CountryBrief) -> str | None:
    from prevention_lens.briefs.pdf import brief_pdf, font_folders

    try:
        font_folders()
    except SettingsError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        return None
    reader = PdfReader(io.BytesIO(brief_pdf(brief)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_section_only_with_posts(planted: Store, settings: Settings) -> None:
    shown = _pdf_text(_brief(planted, settings))
    if shown is None:
        pytest.skip("the Noto fonts are not installed")
    assert SPEECH in shown and "2024-08-26" in shown
    assert SPEECH not in (_pdf_text(_brief(planted, settings, "Chad")) or "")


@pytest.mark.parametrize("principal", BELOW_ADMIN, ids=lambda p: p.role.label)
def test_no_speaker_place_or_words_in_any_brief_below_admin(
    planted: Store, settings: Settings, principal: Principal
) -> None:
    for country in ("Kenya", "Nigeria"):
        brief = _brief(planted, settings, country, principal)
        assert brief.speech is not None
        formats = [
            json.dumps(brief.to_dict(), ensure_ascii=False),
            to_markdown(brief),
            to_html(brief),
            _pdf_text(brief) or "",
        ]
        for shown in formats:
            for marker in MARKERS:
                assert marker.lower() not in shown.lower(), (country, marker)


def test_the_sample_speech_section_renders_escaped() -> None:
    nasty = "<b>*x*</b> [link](http://evil.example)"
    brief = sample_brief()
    assert brief.speech is not None
    surge = replace(brief.speech.surges[0], targeted_group=nasty)
    brief = replace(brief, speech=replace(brief.speech, trend=(nasty,), surges=(surge,)))
    html, markdown = to_html(brief, charts=False), to_markdown(brief)
    assert "<b>" not in html and "&lt;b&gt;" in html
    # Escaped in the trend and in the surge table's cell: never a link or a tag.
    assert markdown.count("\\[link\\](http") == 2 and " [link](" not in markdown
    assert "<b>" not in markdown
