"""A country brief: the prevention assessment summary a policy officer takes into a meeting,
composed from live data with the source and date of every figure, in the reader's sector terms.

Every part is read through the access policy (the country hub, the risk, assessment, incident,
actor and library reads), so a brief made for an anonymous reader holds public data only.

Public API::

    Figure, BriefSituation, BriefRisk, BriefFactor, BriefAssessment, BriefSigns, BriefActors,
    BriefEvidence, BriefOption, BriefPillar, BriefSpeech, CountryBrief, SECTIONS  (briefs.parts)
    compose_brief(session, principal, settings, country, *, audience="ap", language="en")
        -> CountryBrief
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.actors.records import ActorFilter, list_actors
from prevention_lens.actors.vocabulary import LEVEL_ORDER, LEVELS
from prevention_lens.briefs.brief_risk import brief_risk, horizon, percent
from prevention_lens.briefs.hub import CountryHub, country_hub
from prevention_lens.briefs.options import PILLAR_CONCEPTS, choose_options
from prevention_lens.briefs.parts import (
    SECTIONS,
    BriefActors,
    BriefAssessment,
    BriefEvidence,
    BriefFactor,
    BriefOption,
    BriefPillar,
    BriefRisk,
    BriefSigns,
    BriefSituation,
    BriefSpeech,
    CountryBrief,
    Figure,
)
from prevention_lens.briefs.reframing import Reframer
from prevention_lens.briefs.situations import STALE_AFTER_DAYS, suggest_situation
from prevention_lens.briefs.speech import brief_speech
from prevention_lens.briefs.transfer import transfer_ranking
from prevention_lens.errors import NotFoundError, SettingsError, ValidationError
from prevention_lens.incidents.records import IncidentFilter, list_incidents, visible_matches
from prevention_lens.lexicon.model import LANGUAGES, SCHEMES
from prevention_lens.lexicon.records import stored_lexicon
from prevention_lens.risk.assessments import latest_by_factor
from prevention_lens.risk.country import StoredForecast
from prevention_lens.risk.framework import CITATION as FRAMEWORK_CITATION
from prevention_lens.risk.framework import SCORE_LABELS
from prevention_lens.risk.situations import CATEGORIES, current_situation
from prevention_lens.settings import Settings
from prevention_lens.spectrum import R2P_PILLARS
from prevention_lens.store.access import Principal, allowed, require
from prevention_lens.store.models import DataImport
from prevention_lens.store.reference import CountryLookup, look_up_country

__all__ = [
    "SECTIONS",
    "BriefActors",
    "BriefAssessment",
    "BriefEvidence",
    "BriefFactor",
    "BriefOption",
    "BriefPillar",
    "BriefRisk",
    "BriefSigns",
    "BriefSituation",
    "BriefSpeech",
    "CountryBrief",
    "Figure",
    "compose_brief",
]

TOP_EVIDENCE = 5
SIGNS_WINDOW_DAYS = 365
LATEST_ALERTS = 3
NOTE_MAX_CHARS = 160
DATASET_NAMES = {
    "ucdp-ged": "UCDP Georeferenced Event Dataset",
    "acled": "ACLED",
    "manual": "Prevention Lens incident records",
}


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _short(text: str, limit: int = NOTE_MAX_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Situation ----------------------------------------------------------------------------


def _situation(session: Session, principal: Principal, lookup: CountryLookup) -> BriefSituation:
    current = (
        current_situation(session, principal, lookup.country)
        if allowed(principal, "read", "country_situation")
        else None
    )
    suggestion = suggest_situation(session, principal, lookup.country)
    return BriefSituation(
        category=None if current is None else current.category,
        label="No category set" if current is None else current.label,
        rationale="" if current is None else current.rationale,
        set_on=None if current is None else current.effective_on,
        suggestion_category=suggestion.category,
        suggestion_reasons=tuple(suggestion.reasons),
        suggestion_confidence=suggestion.confidence,
    )


# --- Framework assessment -----------------------------------------------------------------


def _assessment(
    session: Session, principal: Principal, lookup: CountryLookup
) -> tuple[BriefAssessment | None, dict[int, int | None], Figure | None, dict[str, int | None]]:
    """The section, each factor's highest score, its figure, and each indicator's score."""
    if not allowed(principal, "read", "assessment"):
        return None, {}, None, {}
    try:
        latest, summaries = latest_by_factor(session, principal, lookup.country)
    except NotFoundError:  # the Framework is not loaded
        return None, {}, None, {}
    if latest is None:
        return None, {}, None, {}
    factors = []
    for summary in summaries:
        if summary.highest is None:
            continue
        top = max(
            (s for s in summary.scores if s.get("score") is not None),
            key=lambda s: int(s["score"]),
        )
        factors.append(
            BriefFactor(
                code=str(summary.number),
                name=summary.name,
                score=f"{SCORE_LABELS[summary.highest]} ({summary.highest} of 3)",
                note=_short(str(top.get("evidence") or "")),
            )
        )
    day: date = latest["assessed_on"]
    scored = {s.number: s.highest for s in summaries}
    figure = Figure(
        "Framework assessment",
        f"{len(factors)} of {len(summaries)} risk factors scored",
        FRAMEWORK_CITATION,
        f"assessed {day.isoformat()}",
    )
    codes = {s["code"]: s.get("score") for summary in summaries for s in summary.scores}
    return BriefAssessment(date=day, factors=tuple(factors)), scored, figure, codes


# --- Warning signs ------------------------------------------------------------------------


def _dataset_source(session: Session, principal: Principal, dataset: str) -> str:
    name = DATASET_NAMES.get(dataset, f"incident records ({dataset})")
    if not allowed(principal, "read", "data_import"):
        return name
    found = session.scalars(
        select(DataImport)
        .where(DataImport.source_format == dataset)
        .order_by(DataImport.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return name
    return f"{name} (file {found.file_name}, imported {found.finished_at:%Y-%m-%d})"


def _signs(session: Session, principal: Principal, key: str, hub: CountryHub) -> BriefSigns | None:
    if not allowed(principal, "read", "incident"):
        return None
    require(principal, "read", "incident")
    everything = visible_matches(session, principal, IncidentFilter(country=key)).subquery()
    end = session.scalar(select(func.max(everything.c.date_start)))
    if end is None:
        return BriefSigns(
            alerts=_alerts(hub),
            incidents_recent=0,
            incidents_window="no dated incident records",
            points=(),
            figures=_alert_figures(hub),
            **_alert_totals(hub),
        )
    start = end - timedelta(days=SIGNS_WINDOW_DAYS)
    # Read through the policy (projected rows, audited there): the map gets the public,
    # rounded coordinates only, whoever reads.
    rows = list_incidents(
        session, principal, IncidentFilter(country=key, date_from=start, date_to=end, limit=None)
    ).rows
    places: dict[tuple[float, float], int] = {}
    datasets: dict[str, int] = {}
    for row in rows:
        dataset = str(row.get("dataset") or "manual")
        datasets[dataset] = datasets.get(dataset, 0) + 1
        latitude, longitude = row.get("public_latitude"), row.get("public_longitude")
        if latitude is not None and longitude is not None:
            place = (float(latitude), float(longitude))
            places[place] = places.get(place, 0) + 1
    total = len(rows)
    window = f"the 12 months to {end.isoformat()} (the latest record)"
    behind = (date.today() - end).days
    if behind > STALE_AFTER_DAYS:
        # A quiet end of old records is no sign of calm now (as the situation suggestion says).
        window = (
            f"the 12 months to {end.isoformat()} (the latest record, {behind:,} days before "
            "today: not current)"
        )
    sources = "; ".join(
        _dataset_source(session, principal, name)
        for name in sorted(datasets, key=lambda name: -datasets[name])
    )
    figures = (
        Figure(f"Incident records in {window}", f"{total:,}", sources or "none", end.isoformat()),
        *_alert_figures(hub),
    )
    return BriefSigns(
        alerts=_alerts(hub),
        incidents_recent=total,
        incidents_window=window,
        points=tuple((lat, lon, count) for (lat, lon), count in sorted(places.items())),
        figures=figures,
        **_alert_totals(hub),
    )


def _alerts(hub: CountryHub) -> tuple[str, ...]:
    if hub.signals is None:
        return ()
    return tuple(
        f"{alert.month}: {alert.series_label.lower()} rose to {alert.observed:g} against about "
        f"{alert.expected:.1f} expected."
        for alert in hub.signals.latest[:LATEST_ALERTS]
    )


def _alert_totals(hub: CountryHub) -> dict[str, Any]:
    if hub.signals is None:
        return {}
    latest = hub.signals.latest[0].month if hub.signals.latest else ""
    return {"alerts_total": hub.signals.total, "latest_alert": latest}


def _alert_figures(hub: CountryHub) -> tuple[Figure, ...]:
    if hub.signals is None:
        return ()
    as_of = hub.signals.latest[0].month if hub.signals.latest else "no alert"
    return (
        Figure(
            "Escalation alerts",
            str(hub.signals.total),
            "Prevention Lens escalation signals over the incident records shown",
            as_of,
        ),
    )


# --- Actors, evidence ---------------------------------------------------------------------


def _actors(session: Session, principal: Principal, hub: CountryHub) -> BriefActors | None:
    if hub.actors is None:
        return None
    rows = list_actors(session, principal, ActorFilter(dataset=hub.actors.dataset, country=hub.key))
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for row in rows:
        for level in row.levels:
            if level in counts:
                counts[level] += 1
    missing = hub.coverage.missing if hub.coverage is not None else ()
    return BriefActors(
        count=hub.actors.count,
        by_level=tuple((LEVELS[level], n) for level, n in counts.items() if n),
        gap="; ".join(missing) if missing else None,
        example=hub.actors.is_example,
    )


def _evidence(
    session: Session, principal: Principal, settings: Settings, key: str
) -> tuple[tuple[BriefEvidence, ...], str | None, tuple[Figure, ...]]:
    if not allowed(principal, "read", "library_entry"):
        return (), "The evidence library is not open to this reader.", ()
    try:
        ranking = transfer_ranking(session, principal, settings, key, limit=TOP_EVIDENCE)
    except SettingsError:
        return (
            (),
            "LENS_SOURCES is not set, so the country's context (V-Dem, UCDP/PRIO) is unknown "
            "and the evidence cannot be ranked for it.",
            (),
        )
    except NotFoundError:
        return (), "No context data for this country, so the evidence cannot be ranked.", ()
    items = tuple(
        BriefEvidence(
            citation=item.entry.citation,
            link=item.entry.link,
            similarity=round(item.similarity, 3),
            reasons=item.reasons,
            strength=item.entry.strength,
            harm=item.entry.harm,
        )
        for item in ranking.items
    )
    target = ranking.target
    year = str(target.year)
    vdem, ewp_vdem, conflicts = ranking.sources
    figures = tuple(
        Figure(label, value, source, year)
        for label, value, source in (
            ("Electoral-democracy score (V-Dem, 0–1)", target.polyarchy, vdem),
            ("Freedom of discussion (V-Dem, 0–1)", target.free_discussion, ewp_vdem),
            ("Conflict phase", target.conflict_phase, conflicts),
        )
        if value is not None
        for value in [f"{value:.2f}" if isinstance(value, float) else str(value).replace("_", " ")]
    )
    return items, None, figures


def _pillars(session: Session, reframer: Reframer) -> tuple[BriefPillar, ...]:
    lexicon = reframer.lexicon
    pillars = []
    for number, concept_id in PILLAR_CONCEPTS.items():
        try:
            concept = lexicon.concept(concept_id)
        except NotFoundError:
            continue  # the lexicon is not loaded: the pillars go without definitions
        term = lexicon.term_for(concept_id, reframer.audience)
        pillars.append(
            BriefPillar(
                number=number,
                name=reframer(R2P_PILLARS[number]),
                term=(term.concept if term is not None else concept).label(reframer.language),
                definition=concept.definition or "",
                source=concept.source.citation if concept.source else "",
                link=concept.source.url if concept.source else "",
            )
        )
    return tuple(pillars)


# --- Summary ------------------------------------------------------------------------------


def _summary(
    name: str,
    risk: BriefRisk,
    latest: StoredForecast | None,
    situation: BriefSituation,
    assessment: BriefAssessment | None,
    signs: BriefSigns | None,
) -> tuple[str, ...]:
    sentences = []
    if latest is not None and risk.probability is not None:
        interval = (
            f", interval {risk.interval[0] * 100:.1f}–{risk.interval[1] * 100:.1f}%"
            if risk.interval
            else ""
        )
        change = ""
        if risk.change is not None:
            way = "up" if risk.change > 0 else "down" if risk.change < 0 else "unchanged"
            change = (
                ", unchanged since the previous forecast"
                if way == "unchanged"
                else f", {way} {abs(risk.change) * 100:.1f} points since the previous forecast"
            )
        sentences.append(
            f"{name} ranks {_ordinal(risk.rank or 0)} of {risk.ranked} countries for the risk "
            f"of a new mass killing in {horizon(latest.origin_year)} "
            f"({percent(risk.probability)}{interval}){change}; its level is {risk.level}."
        )
    else:
        sentences.append(f"No statistical forecast of {name} is stored that this reader may see.")
    if situation.category is not None and situation.set_on is not None:
        sentence = (
            f"Analysts class the situation as {situation.label.lower()} "
            f"(since {situation.set_on.isoformat()})"
        )
    else:
        sentence = "No situation category is set"
    if situation.suggestion_category and situation.suggestion_category != situation.category:
        label = CATEGORIES[situation.suggestion_category].label.lower()
        sentence += f"; the data suggest {label}"
    sentences.append(sentence + ".")
    if assessment is not None and assessment.date is not None:
        high = [f.name for f in assessment.factors if f.score.startswith(("severe", "moderate"))]
        named = f", notably {', '.join(high[:2])}" if high else ""
        sentences.append(
            f"The latest Framework of Analysis assessment ({assessment.date.isoformat()}) rates "
            f"{len(high)} of {len(assessment.factors)} scored risk factors moderate or severe"
            f"{named}."
        )
    if signs is not None and signs.incidents_recent:
        # All the alerts, not the few listed: "3 recent alerts" read as a count of 47.
        alerts = signs.alerts_total
        alert_words = (
            f"; {alerts:,} escalation alert{'s' if alerts != 1 else ''} in all the records, the "
            f"latest in {signs.latest_alert}"
            if alerts
            else ""
        )
        records = "record" if signs.incidents_recent == 1 else "records"
        sentences.append(
            f"{signs.incidents_recent:,} incident {records} in {signs.incidents_window}"
            f"{alert_words}."
        )
    sentences.append(
        "The options below aim to lower the risk of mass atrocities, non-military measures first."
    )
    return tuple(sentences[:5])


# --- The brief ----------------------------------------------------------------------------


def _unique(figures: Sequence[Figure]) -> tuple[Figure, ...]:
    seen: dict[tuple[str, str], Figure] = {}
    for figure in figures:
        seen.setdefault((figure.label, figure.value), figure)
    return tuple(seen.values())


def compose_brief(
    session: Session,
    principal: Principal,
    settings: Settings,
    country: str | CountryLookup,
    *,
    audience: str = "ap",
    language: str = "en",
) -> CountryBrief:
    """The brief of a country (any name or code, or a lookup) as ``principal`` may read it, in
    ``audience``'s terms (a lexicon scheme: ap, dev, sec, hum, hr, com, pb)."""
    if audience not in SCHEMES:
        raise ValidationError(
            f"unknown audience {audience!r}; choose from {', '.join(SCHEMES)}", field="audience"
        )
    if language not in LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}", field="language"
        )
    lookup = look_up_country(session, country) if isinstance(country, str) else country
    hub = country_hub(session, principal, lookup)
    risk, latest = brief_risk(session, principal, lookup)
    situation = _situation(session, principal, lookup)
    assessment, scored, assessment_figure, codes = _assessment(session, principal, lookup)
    signs = _signs(session, principal, hub.key, hub)
    actors = _actors(session, principal, hub)
    evidence, evidence_note, context_figures = _evidence(session, principal, settings, hub.key)
    options = choose_options(
        scored,
        alerts=bool(signs and signs.alerts),
        missing=hub.coverage.missing if hub.coverage else (),
        level=risk.level,
    )
    summary = _summary(hub.name, risk, latest, situation, assessment, signs)
    notes = []
    if evidence_note:
        notes.append(("What works", evidence_note))
    if actors is not None and actors.example:
        notes.append(("Actors and coverage", hub.actors.notice if hub.actors else ""))

    reframer = Reframer(stored_lexicon(session), audience, language)
    speech = brief_speech(session, principal, hub.speech, codes, assessment, reframer)
    brief = CountryBrief(
        key=hub.key,
        name=hub.name,
        audience=audience,
        language=language,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        reader_role=principal.role.label,
        summary=reframer.all(summary),
        situation=replace(
            situation,
            rationale=reframer(situation.rationale),
            suggestion_reasons=reframer.all(situation.suggestion_reasons),
        ),
        risk=replace(risk, drivers=reframer.all(risk.drivers)),
        assessment=assessment,
        signs=None if signs is None else replace(signs, alerts=reframer.all(signs.alerts)),
        speech=speech,
        actors=actors,
        evidence=tuple(replace(item, reasons=reframer.all(item.reasons)) for item in evidence),
        options=tuple(
            replace(option, measure=reframer(option.measure), why=reframer(option.why))
            for option in options
        ),
        sources=_unique(
            [
                *risk.figures,
                *([assessment_figure] if assessment_figure else []),
                *(signs.figures if signs else ()),
                *(speech.figures if speech else ()),
                *context_figures,
            ]
        ),
        terms=(),
        headings=tuple((title, reframer.heading(title)) for title in SECTIONS),
        notes=tuple((section, reframer(note)) for section, note in notes),
        pillars=_pillars(session, reframer),
    )
    return replace(brief, terms=reframer.terms())
