"""Country briefs: every section titled, every figure sourced and dated, the audience's terms
applied as the lexicon says, and nothing restricted in a brief made for an anonymous reader."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from prevention_lens.briefs.brief import SECTIONS, CountryBrief, compose_brief
from prevention_lens.briefs.parts import SPEECH
from prevention_lens.briefs.render import section_id, to_html, to_markdown
from prevention_lens.errors import UnknownCountryError, ValidationError
from prevention_lens.lexicon.records import load_shipped, stored_lexicon
from prevention_lens.lexicon.reframe import reframe
from prevention_lens.risk.assessments import ScoreInput, record_assessment
from prevention_lens.risk.situations import set_situation
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Confidentiality, Principal
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.library import add_entries
from prevention_lens.whatworks.packaged import load_packaged
from tests.briefs.test_hub import ANALYST, plant_country

# plant_country puts this in confidential incident fields, an actor's contact, a draft actor
# and a confidential assessment; here it also goes into a draft evidence entry and a
# restricted assessment's note.
from tests.briefs.test_hub import MARKER as HUB_MARKER

EVIDENCE_MARKER = "BRIEF-DRAFT-EVIDENCE-91c4"
NOTE_MARKER = "BRIEF-RESTRICTED-NOTE-5d08"
MARKERS = (HUB_MARKER, EVIDENCE_MARKER, NOTE_MARKER)


def plant_brief_data(store: Store, settings: Settings, tmp_path: Path) -> None:
    plant_country(store, settings, tmp_path)
    with store.session() as session:
        load_shipped(session)
        load_packaged(session)
        record_assessment(
            session,
            LOCAL_OPERATOR,
            "MMR",
            date(2024, 9, 1),
            [ScoreInput("1.1", 3, f"Source told us {NOTE_MARKER}"), ScoreInput("11", 3, "x")],
            summary=f"Restricted note {NOTE_MARKER}",
            confidentiality=Confidentiality.RESTRICTED,
        )
        add_entries(
            session,
            ANALYST,
            [
                EntryDraft(
                    title=f"Unreviewed study {EVIDENCE_MARKER}",
                    authors=("Desk, Analyst",),
                    year=2024,
                    key="desk-2024-draft",
                    summary=f"Draft summary {EVIDENCE_MARKER}",
                    interventions=("dialogue_mediation",),
                    outcomes=("communal_violence",),
                    countries=("Myanmar",),
                    period="2021-2023",
                    harm=f"Harm {EVIDENCE_MARKER}",
                )
            ],
        )
        set_situation(session, LOCAL_OPERATOR, "MMR", "imminent_risk", "Fighting is spreading.")


@pytest.fixture
def planted(sqlite_store: Store, settings: Settings, tmp_path: Path) -> Store:
    plant_brief_data(sqlite_store, settings, tmp_path)
    return sqlite_store


def _brief(
    store: Store, settings: Settings, principal: Principal = ANONYMOUS, **options: str
) -> CountryBrief:
    with store.session() as session:
        return compose_brief(session, principal, settings, "Burma", **options)


def test_every_section_is_titled_in_every_format(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings)
    markdown, html = to_markdown(brief), to_html(brief, charts=False)
    # No post is monitored in Myanmar here: every section but the speech section.
    assert brief.speech is None and brief.sections() == tuple(t for t in SECTIONS if t != SPEECH)
    for title in brief.sections():
        assert f"## {title}" in markdown
        assert f'id="{section_id(title)}"' in html and f"<h2>{title}</h2>" in html
    assert SPEECH not in markdown and SPEECH not in html
    assert "<script" not in html and "<style>" in html
    assert html.index("Situation") < html.index("Options by R2P pillar")


def test_summary_speaks_plain_words_from_the_data(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings)
    assert brief.key == "MMR" and brief.reader_role == "public"
    assert 3 <= len(brief.summary) <= 5
    assert brief.summary[0].startswith(
        "Myanmar ranks 1st of 2 countries for the risk of a new mass killing in 2025–26 (9.0%)"
    )
    assert "up 2.0 points" in brief.summary[0]
    assert "imminent risk" in brief.summary[1]
    assert brief.situation.category == "imminent_risk"
    assert brief.situation.rationale == "Fighting is spreading."
    assert brief.risk.drivers[0] == "Mass killing under way (1) raises the risk."
    assert all("mk_ongoing" not in driver for driver in brief.risk.drivers)


def test_every_figure_carries_its_source_and_data_date(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings)
    figures = brief.sources
    labels = {figure.label for figure in figures}
    assert {"Rank", "Framework assessment", "Escalation alerts"} <= labels
    assert all(figure.source and figure.as_of for figure in figures)
    risk = next(f for f in figures if f.label.startswith("Risk of a new mass killing"))
    assert "Early Warning Project" in risk.source and "data year 2024" in risk.as_of
    assessment = next(f for f in figures if f.label == "Framework assessment")
    assert assessment.as_of == "assessed 2024-03-01"
    assert set(brief.risk.figures) <= set(figures)


def test_options_follow_the_pillars_non_military_first(planted: Store, settings: Settings) -> None:
    brief = _brief(planted, settings)
    pillars = [option.pillar for option in brief.options]
    assert pillars == sorted(pillars) and set(pillars) == {1, 2, 3}
    for number in (1, 2, 3):
        flags = [o.military for o in brief.options if o.pillar == number]
        assert flags == sorted(flags)
    assert [p.number for p in brief.pillars] == [1, 2, 3]
    assert all(p.definition and p.source for p in brief.pillars)


def test_switching_audience_changes_the_terms_as_the_lexicon_says(
    planted: Store, settings: Settings
) -> None:
    plain = _brief(planted, settings)
    human_rights = _brief(planted, settings, audience="hr")
    assert any("mass atrocities" in sentence for sentence in plain.summary)
    with planted.session() as session:
        expected = reframe(stored_lexicon(session), plain.summary[-1], "hr").text
    assert human_rights.summary[-1] == expected
    assert "gross human rights violations" in human_rights.summary[-1]
    assert "mass atrocities" not in " ".join(human_rights.summary)
    assert ("mass atrocities", "gross human rights violations") in {
        (original, term) for original, term, _why in human_rights.terms
    }
    assert all(why for _o, _t, why in human_rights.terms)
    assert "gross human rights violations" in to_markdown(human_rights)


def test_unknown_audience_or_country_is_a_clear_error(planted: Store, settings: Settings) -> None:
    with pytest.raises(ValidationError, match="unknown audience 'diplomats'"):
        _brief(planted, settings, audience="diplomats")
    with planted.session() as session, pytest.raises(UnknownCountryError):
        compose_brief(session, ANONYMOUS, settings, "Atlantis")


def test_without_the_data_folder_the_evidence_section_says_so(
    planted: Store, settings: Settings
) -> None:
    brief = _brief(planted, settings.replace(sources=None))
    assert brief.evidence == ()
    assert "LENS_SOURCES" in (brief.note("What works") or "")
    assert "LENS\\_SOURCES" in to_markdown(brief)  # escaped for Markdown


def _everything(brief: CountryBrief) -> str:
    return "\n".join(
        (json.dumps(brief.to_dict(), ensure_ascii=False), to_markdown(brief), to_html(brief))
    )


def test_an_anonymous_brief_holds_no_planted_marker(planted: Store, settings: Settings) -> None:
    for audience in ("ap", "hr"):
        shown = _everything(_brief(planted, settings, audience=audience))
        for marker in MARKERS:
            assert marker not in shown and marker.lower() not in shown.lower(), marker


@pytest.mark.shared_data
def test_staff_briefs_hold_what_their_clearance_gives(planted: Store, settings: Settings) -> None:
    analyst = _everything(_brief(planted, settings, ANALYST))
    admin = _everything(_brief(planted, settings, LOCAL_OPERATOR))
    # The restricted assessment (the latest an analyst may see) reaches analysts.
    assert NOTE_MARKER in analyst and HUB_MARKER not in analyst
    # Admins see the confidential assessment, the latest of all; the draft entry is theirs too.
    assert HUB_MARKER in admin and EVIDENCE_MARKER in admin
    # Contacts and witness details are never part of a brief, whoever reads.
    assert f"{HUB_MARKER}@" not in admin


def test_the_brief_states_the_same_level_cut_offs_as_the_risk_pages() -> None:
    from prevention_lens.briefs.brief_risk import CUTOFFS
    from prevention_lens.risk.country import RISK_LEVELS

    for level in RISK_LEVELS:
        shown = f"{level.name} below {level.high:.0%}" if level.low == 0 else None
        assert (shown or f"{level.name} from {level.low:.0%}") in CUTOFFS


def test_signs_from_records_that_ended_long_ago_say_they_are_not_current(
    planted: Store, settings: Settings
) -> None:
    # The planted records end in 2024; the brief's 12-month window ends there, and a policy
    # officer must read that the months since are unobserved, not calm.
    brief = _brief(planted, settings)
    assert brief.signs is not None
    end = brief.signs.incidents_window.split("the 12 months to ", 1)[1][:10]
    behind = (date.today() - date.fromisoformat(end)).days
    assert behind > 90
    assert f"(the latest record, {behind:,} days before today: not current)" in (
        brief.signs.incidents_window
    )
    # The summary's sentence reads whole, and counts every alert rather than the few listed.
    sentence = next(s for s in brief.summary if "not current" in s)
    assert "not current)" in sentence and sentence.endswith(".")
    assert brief.signs.alerts_total >= len(brief.signs.alerts)
    if brief.signs.alerts_total:
        assert (
            f"{brief.signs.alerts_total:,} escalation alert" in sentence
            and f"the latest in {brief.signs.latest_alert}." in sentence
        )


def test_the_summary_counts_every_alert_not_the_few_listed() -> None:
    # Myanmar's brief said "3 recent escalation alerts" (the three it lists) beside 47 in all.
    from prevention_lens.briefs.brief import _summary
    from prevention_lens.briefs.parts import BriefRisk, BriefSigns, BriefSituation

    signs = BriefSigns(
        alerts=("2023-11: …", "2023-09: …", "2023-06: …"),
        incidents_recent=2087,
        incidents_window="the 12 months to 2023-12-31 (the latest record)",
        points=(),
        figures=(),
        alerts_total=47,
        latest_alert="2023-11",
    )
    risk = BriefRisk(None, None, None, None, None, None, (), (), (), "", ())
    situation = BriefSituation(None, "", "", None, None, ())
    (sentence,) = [
        s for s in _summary("Myanmar", risk, None, situation, None, signs) if "2,087" in s
    ]
    assert sentence == (
        "2,087 incident records in the 12 months to 2023-12-31 (the latest record); 47 escalation "
        "alerts in all the records, the latest in 2023-11."
    )
