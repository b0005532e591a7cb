"""A country brief as Markdown and as a standalone HTML document (inline CSS, no JavaScript,
charts as inline SVG), both with the same sections in the same order (``parts.SECTIONS``; the
speech section only when the country has monitored posts, ``CountryBrief.sections()``).

Every value is escaped for its format: HTML through Jinja's autoescape, Markdown by
backslash-escaping the characters that would start markup, so no stored text can add a link,
a heading or HTML to a brief.

Public API::

    to_markdown(brief) -> str
    to_html(brief, *, charts=True) -> str          # a whole document
    brief_body_html(brief, *, charts=True) -> str  # the <article>, for the app's brief page
    section_id(title) -> str                       # "Statistical risk" -> "statistical-risk"
    HTML_CONTENT_SECURITY_POLICY                   # what the standalone document needs
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from prevention_lens.briefs.parts import SECTIONS, SPEECH, BriefOption, BriefSpeech, CountryBrief
from prevention_lens.lexicon.model import SCHEMES
from prevention_lens.risk.situations import CATEGORIES
from prevention_lens.spectrum import R2P_PILLARS
from prevention_lens.store.access import Role

# The standalone document styles itself inline and loads nothing: no script, no outside source.
HTML_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
READERS = {
    Role.PUBLIC.label: "member of the public",
    Role.CONTRIBUTOR.label: "contributor",
    Role.ANALYST.label: "analyst",
    Role.ADMIN.label: "administrator",
}
STYLE = """
body { font: 11pt/1.45 "Noto Sans", "Segoe UI", Arial, sans-serif; color: #1b1b1b;
  max-width: 50rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #c8c8c8; margin: 1.2rem 0 .4rem; }
h3 { font-size: 1rem; margin: .8rem 0 .3rem; }
.brief-meta, .brief-small { color: #555; font-size: .85rem; }
.brief-summary { background: #f3f5f8; border-left: 4px solid #33557a; padding: .4rem .9rem; }
.brief-summary p { margin: .35rem 0; }
table { border-collapse: collapse; margin: .4rem 0; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .2rem .5rem; text-align: left;
  vertical-align: top; }
.brief-note { background: #fff7e0; padding: .3rem .6rem; }
.brief-harm { color: #8a1c1c; font-size: .85rem; }
.brief-military { color: #5a3b00; }
.brief-chart svg { max-width: 100%; height: auto; }
.brief-annex { page-break-before: always; }
.empty { color: #666; font-style: italic; }
@media print { body { margin: 0; max-width: none; } }
"""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")


def section_id(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _web_link(url: object) -> str | None:
    """The address when it is http(s), else None: no other scheme becomes a link."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return None
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("prevention_lens.briefs", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["web_link"] = _web_link
    return environment


def _pillar_groups(
    brief: CountryBrief,
) -> list[tuple[int, str, str, tuple[BriefOption, ...]]]:
    """(number, name, definition, options) per pillar that has options, in pillar order."""
    defined = {pillar.number: pillar for pillar in brief.pillars}
    groups = []
    for number, fallback in R2P_PILLARS.items():
        options = tuple(option for option in brief.options if option.pillar == number)
        if not options:
            continue
        pillar = defined.get(number)
        name = pillar.name if pillar else fallback
        groups.append((number, name, pillar.definition if pillar else "", options))
    return groups


def _charts() -> tuple[Callable[[CountryBrief], str | None], Callable[[CountryBrief], str | None]]:
    from prevention_lens.briefs.charts import risk_history_svg, signs_map_svg

    return risk_history_svg, signs_map_svg


def brief_body_html(brief: CountryBrief, *, charts: bool = True) -> str:
    """The brief's <article> (escaped; the charts are the only markup passed through)."""
    risk_chart = map_chart = None
    if charts:
        risk_svg, map_svg = _charts()
        drawn = risk_svg(brief)
        risk_chart = Markup(drawn) if drawn else None  # noqa: S704  (SVG drawn by vl-convert)
        drawn = map_svg(brief)
        map_chart = Markup(drawn) if drawn else None  # noqa: S704
    template = _environment().get_template("brief_body.html")
    return template.render(
        brief=brief,
        ids={title: section_id(title) for title in SECTIONS},
        speech_title=SPEECH,
        audience_name=SCHEMES.get(brief.audience, brief.audience).lower(),
        reader_words=READERS.get(brief.reader_role, brief.reader_role),
        category_labels={code: category.label for code, category in CATEGORIES.items()},
        pillars=_pillar_groups(brief),
        risk_chart=risk_chart,
        map_chart=map_chart,
    )


def to_html(brief: CountryBrief, *, charts: bool = True) -> str:
    """A standalone HTML document: inline CSS, no JavaScript, nothing loaded from elsewhere."""
    template = _environment().from_string(
        '<!doctype html>\n<html lang="{{ lang }}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{{ title }}</title>\n<style>{{ style }}</style>\n</head>\n<body>\n{{ body }}\n"
        "</body>\n</html>\n"
    )
    return template.render(
        lang=brief.language,
        title=f"{brief.name}: prevention brief",
        style=Markup(STYLE),  # noqa: S704  (our own constant)
        body=Markup(brief_body_html(brief, charts=charts)),  # noqa: S704  (escaped above)
    )


# --- Markdown -----------------------------------------------------------------------------


def md(text: object) -> str:
    """Text safe inside Markdown: characters that start markup are backslash-escaped, and a
    line break cannot start a new block."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {md(item)}" for item in items]


def _table(header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_link(url: str, label: str) -> str:
    link = _web_link(url)
    if link is None:
        return md(label)
    return f"[{md(label)}](<{link.replace('>', '%3E').replace(' ', '%20')}>)"


SPEECH_COLUMNS = (
    "Week of",
    "Targeted group",
    "Hateful posts",
    "Usual",
    "Indicators",
    "Alerts after",
)


def _speech_markdown(speech: BriefSpeech) -> list[str]:
    """The speech section's body: counts only, as in every format."""
    out = [f"*{md(speech.notice)}*", ""] if speech.notice else []
    for sentence in speech.trend:
        out.extend([md(sentence), ""])
    if speech.surges:
        example = " (example data)" if speech.example else ""
        out.extend([f"Weeks when hateful posts about a group rose above usual{example}:", ""])
        rows = [
            (
                s.week.isoformat(),
                s.targeted_group,
                s.observed,
                f"{s.expected:.1f}",
                ", ".join(s.indicators),
                "; ".join(s.signals) or "none",
            )
            for s in speech.surges
        ]
        out.extend([*_table(SPEECH_COLUMNS, rows), "", f"*{md(speech.link_rule)}*", ""])
    scored = f", scored in the assessment of {speech.assessed_on}" if speech.assessed_on else ""
    out.extend([f"UN Framework of Analysis indicators this monitoring informs{scored}:", ""])
    scores = [(f"{i.code} {i.text}", i.score or "not scored") for i in speech.indicators]
    out.extend(_table(("Indicator", "Score"), scores))
    out.extend(
        [
            "",
            "*Counts of posts only: no post's words, speaker or place. Trends by group in the "
            f"app: {md(speech.url)}*",
        ]
    )
    return out


def to_markdown(brief: CountryBrief) -> str:
    """The brief as Markdown (CommonMark with pipe tables)."""
    reader = READERS.get(brief.reader_role, brief.reader_role)
    audience = SCHEMES.get(brief.audience, brief.audience).lower()
    out = [
        f"# {md(brief.name)}: prevention brief",
        "",
        f"*Generated {brief.generated_at:%Y-%m-%d %H:%M} UTC · for {audience} readers "
        f"({brief.audience}) · data a {reader} may see*",
        "",
        *(f"> {md(sentence)}\n>" for sentence in brief.summary),
        "",
    ]

    def heading(title: str) -> None:
        out.extend(["", f"## {md(brief.heading(title))}", ""])
        note = brief.note(title)
        if note:
            out.extend([f"*{md(note)}*", ""])

    s = brief.situation
    heading("Situation")
    out.append(f"**{md(s.label)}**" + (f" · set {s.set_on.isoformat()}" if s.set_on else ""))
    if s.rationale:
        out.extend(["", md(s.rationale)])
    if s.suggestion_category:
        label = (
            CATEGORIES[s.suggestion_category].label
            if s.suggestion_category in CATEGORIES
            else s.suggestion_category
        )
        confidence = f" ({s.suggestion_confidence} confidence)" if s.suggestion_confidence else ""
        out.extend(
            [
                "",
                f"Suggested from the data: **{md(label)}**{confidence}. "
                "It advises; an analyst decides.",
                "",
            ]
        )
        out.extend(_bullets(s.suggestion_reasons))

    r = brief.risk
    heading("Statistical risk")
    if r.probability is not None:
        out.extend(
            _table(
                ("Figure", "Value", "Data"),
                [(f.label, f.value, f.as_of) for f in r.figures] + [("Level", r.level, "")],
            )
        )
        if r.change_parts:
            out.extend(["", "The change in parts:", ""])
            out.extend(
                _bullets(f"{label}: {change * 100:+.1f} points" for label, change in r.change_parts)
            )
        if r.history:
            out.extend(
                [
                    "",
                    "Forecast history (data year: probability): "
                    + md(", ".join(f"{year}: {p * 100:.1f}%" for year, p in r.history)),
                ]
            )
        out.extend(["", f"*{md(r.level_cutoffs)}*"])
    else:
        out.append(f"No stored forecast for {md(brief.name)} that this reader may see.")

    heading("Drivers")
    out.extend(_bullets(r.drivers) if r.drivers else ["No drivers: no forecast is stored."])

    heading("Framework assessment")
    a = brief.assessment
    if a is not None:
        day = a.date.isoformat() if a.date else ""
        out.extend(
            [f"Assessed {day} against the UN Framework of Analysis for Atrocity Crimes.", ""]
        )
        out.extend(
            _table(
                ("Risk factor", "Score", "Note"),
                [(f"{f.code}. {f.name}", f.score, f.note) for f in a.factors],
            )
        )
    else:
        out.append(f"No Framework assessment of {md(brief.name)} that this reader may see.")

    heading("Warning signs")
    g = brief.signs
    if g is not None:
        plural = "" if g.incidents_recent == 1 else "s"
        out.append(f"{g.incidents_recent:,} incident record{plural} in {md(g.incidents_window)}.")
        out.append("")
        out.extend(
            _bullets(g.alerts) if g.alerts else ["No escalation alerts in the records shown."]
        )
        if g.points:
            out.extend(["", "Places of the window's records (rounded to 2 decimals):", ""])
            out.extend(_table(("Latitude", "Longitude", "Records"), g.points[:12]))
    else:
        out.append("The incident records are not open to this reader.")

    if brief.speech is not None:
        heading(SPEECH)
        out.extend(_speech_markdown(brief.speech))

    heading("Actors and coverage")
    act = brief.actors
    if act is not None:
        levels = ", ".join(f"{level} {n}" for level, n in act.by_level)
        example = " (example data)" if act.example else ""
        out.append(
            f"{act.count} prevention actor{'' if act.count == 1 else 's'} mapped{example}"
            + (f": {md(levels)}" if levels else "")
            + "."
        )
        out.append("")
        out.append(
            f"Coverage gaps: {md(act.gap)}."
            if act.gap
            else "No coverage gap is named (gaps are named for countries at high risk)."
        )
    else:
        out.append("The actor mapping is not open to this reader.")

    heading("What works")
    for number, item in enumerate(brief.evidence, 1):
        strength = f" · strength {item.strength} of 5" if item.strength is not None else ""
        out.append(
            f"{number}. {_md_link(item.link, item.citation)} "
            f"(similarity {item.similarity:.2f}{strength})"
        )
        if item.reasons:
            out.append(f"   {md('; '.join(item.reasons))}")
        if item.harm:
            out.append(f"   Harm reported: {md(item.harm)}")
    if not brief.evidence and not brief.note("What works"):
        out.append("No evidence in the library that this reader may see.")

    heading("Options by R2P pillar")
    for _number, name, definition, options in _pillar_groups(brief):
        out.extend([f"### {md(name)}", ""])
        if definition:
            out.extend([f"*{md(definition)}*", ""])
        for option in options:
            military = " *(military; last resort)*" if option.military else ""
            out.append(f"- **{md(option.measure)}**{military} {md(option.why)}")
        out.append("")

    heading("Sources and data dates")
    out.extend(
        _table(
            ("Figure", "Value", "Source", "Data date"),
            [(f.label, f.value, f.source, f.as_of) for f in brief.sources],
        )
    )
    if brief.pillars:
        out.extend(["", "R2P pillars as the lexicon defines them:", ""])
        out.extend(
            f"- {md(p.name)} ({md(p.term)}): {_md_link(p.link, p.source)}" for p in brief.pillars
        )
    if brief.terms:
        out.extend(["", f"Terms changed for {audience} readers, as the lexicon maps them:", ""])
        out.extend(
            f"- “{md(original)}” → “{md(term)}”: {md(why)}" for original, term, why in brief.terms
        )
    return "\n".join(out).rstrip() + "\n"
