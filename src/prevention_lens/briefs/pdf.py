"""Country briefs as PDF (and page pictures) typeset with Typst: an A4 summary of about two pages
and an annex, charts as PNG images, Noto fonts so every script's names render.

User text never becomes Typst markup: every value goes into the source as a Typst string literal
(``typst_text``), so no character can start a heading, a link, a function call or a comment.
The Typst compiler ships inside the ``typst`` wheel; the fonts come from the system
(Debian ``fonts-noto-core``, installed by scripts/install-system-deps.sh).

Public API::

    brief_pdf(brief) -> bytes
    watchlist_pdf(briefs, title) -> bytes            # contents page, then one brief after another
    brief_png_pages(brief, pages=(1,), ppi=110) -> list[bytes]
    typst_str(text) -> str;  typst_text(text) -> str  # the escaping: a literal; the same in markup
    font_folders() -> tuple[Path, ...]
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

import typst

from prevention_lens.briefs.charts import risk_history_png, signs_map_png
from prevention_lens.briefs.parts import SPEECH, BriefEvidence, CountryBrief
from prevention_lens.errors import SettingsError, ValidationError

# Where Noto lives on Debian/Ubuntu (fonts-noto-core), Fedora and Arch, and a user's own folder.
FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/noto"),
    Path("/usr/share/fonts/google-noto"),
    Path.home() / ".local" / "share" / "fonts" / "noto",
)
# Latin first; then the scripts of country and place names the reference and sources hold.
# Typst falls back along this list glyph by glyph.
FONTS = (
    "Noto Sans",
    "Noto Naskh Arabic",
    "Noto Sans Myanmar",
    "Noto Sans Ethiopic",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Thai",
    "Noto Sans Khmer",
    "Noto Sans Lao",
    "Noto Sans Hebrew",
    "Noto Sans Georgian",
    "Noto Sans Armenian",
    "Noto Sans Sinhala",
    "Noto Sans Tamil",
    "Noto Sans Gurmukhi",
    "Noto Serif Tibetan",
    "Noto Sans Mongolian",
    "Noto Sans Symbols",
    "Noto Sans Symbols2",
)
ACCENT, MUTED = "#b2182b", "#666666"
PILLAR_NAMES = {
    1: "Pillar 1: the State's own responsibility to protect",
    2: "Pillar 2: international assistance and capacity-building",
    3: "Pillar 3: timely and decisive collective response",
}
CHANGE_SHOWN = 0.05  # points: a smaller part of the change shows as +0.0
CHANGE_PARTS = 4
SUMMARY_EVIDENCE = 3  # studies shown in the summary; the annex lists the rest
LINK_SCHEMES = ("https://", "http://")


# --- escaping ----------------------------------------------------------------------------------


def typst_str(text: str) -> str:
    """``text`` as a Typst string literal: only ``\\`` and ``"`` and control characters are
    escaped, and a lone surrogate (not text) becomes U+FFFD."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029):
            out.append(f"\\u{{{code:x}}}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def typst_text(text: str) -> str:
    """``text`` for a place in markup: an embedded string expression, ended by ``;`` so that
    whatever markup follows cannot continue it (``.field``, ``(args)``, ``[body]``)."""
    return f"#{typst_str(text)};"


def _join(parts: Iterable[str]) -> str:
    return "\n".join(parts)


# --- fonts -------------------------------------------------------------------------------------


def font_folders() -> tuple[Path, ...]:
    """The Noto folders found on this machine; SettingsError when there is none."""
    found = tuple(folder for folder in FONT_FOLDERS if (folder / "NotoSans-Regular.ttf").is_file())
    if not found:
        searched = ", ".join(str(folder) for folder in FONT_FOLDERS)
        raise SettingsError(
            f"The Noto fonts for PDF briefs were not found (searched {searched}): install "
            "them with scripts/install-system-deps.sh (Debian: apt-get install fonts-noto-core)."
        )
    return found


@lru_cache(maxsize=1)
def _fonts() -> typst.Fonts:
    # Built once: scanning the font folders costs more than typesetting a brief.
    return typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=True,
        font_paths=[str(folder) for folder in font_folders()],
    )


# --- the document ------------------------------------------------------------------------------


def _preamble(title: str) -> str:
    fonts = ", ".join(typst_str(name) for name in FONTS)
    return _join(
        (
            f'#set document(title: {typst_str(title)}, author: "Prevention Lens")',
            f'#set text(font: ({fonts}), size: 9pt, lang: "en")',
            "#set par(leading: 0.5em, spacing: 0.75em)",
            "#set table(stroke: 0.4pt + luma(200), inset: 3pt)",
            "#show heading.where(level: 1): set text(size: 17pt)",
            "#show heading.where(level: 2): it => block(above: 0.9em, below: 0.45em,"
            f' text(size: 10.5pt, fill: rgb("{ACCENT}"), it.body))',
            "#show heading.where(level: 3): set text(size: 9.5pt)",
            '#show link: set text(fill: rgb("#1f4e9a"))',
        )
    )


def _page_rule(brief: CountryBrief) -> str:
    header = typst_text(f"Prevention assessment summary · {brief.name}")
    made = brief.generated_at.strftime("%d %B %Y, %H:%M %Z").strip().rstrip(",")
    footer = typst_text(
        f"Generated {made} from live data for a {brief.reader_role} reader · "
        f"terms for audience {brief.audience}"
    )
    return (
        f'#set page(paper: "a4", margin: (x: 17mm, top: 18mm, bottom: 17mm),'
        f' header: text(size: 7.5pt, fill: rgb("{MUTED}"))[{header}],'
        f' footer: text(size: 7.5pt, fill: rgb("{MUTED}"))[{footer} #h(1fr)'
        ' #context counter(page).display("1 / 1", both: true)])'
    )


def _heading(brief: CountryBrief, section: str, level: int = 2) -> str:
    shown = brief.heading(section)
    marks = "=" * level
    if shown == section:
        return f"{marks} {typst_text(section)}"
    # The audience's heading, with the standard title beside it so any reader can find it.
    return (
        f'{marks} {typst_text(shown)} #text(size: 8pt, fill: rgb("{MUTED}"),'
        f' weight: "regular")[({typst_text(section)})]'
    )


def _note(brief: CountryBrief, section: str) -> str:
    note = brief.note(section)
    if not note:
        return ""
    return f'#text(size: 8pt, fill: rgb("{MUTED}"), style: "italic")[{typst_text(note)}]\n'


def _muted(text: str) -> str:
    return f'#text(fill: rgb("{MUTED}"))[{typst_text(text)}]'


def _bullets(items: Iterable[str]) -> str:
    return _join(f"- {typst_text(item)}" for item in items)


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _link(url: str, label: str) -> str:
    # Only web addresses become PDF links; anything else is shown as text.
    if url.startswith(LINK_SCHEMES):
        return f"#link({typst_str(url)})[{typst_text(label)}]"
    return typst_text(label)


def _sentences(parts: Iterable[str]) -> str:
    """Clauses joined as sentences, each ended once."""
    return " ".join(
        part if part.rstrip().endswith((".", "!", "?")) else f"{part}." for part in parts
    )


def _situation(brief: CountryBrief) -> str:
    s = brief.situation
    lines = [_heading(brief, "Situation"), _note(brief, "Situation")]
    set_on = f" (set {s.set_on.isoformat()})" if s.set_on else ""
    lines.append(f"*{typst_text(s.label)}*{typst_text(set_on)} {typst_text(s.rationale)}")
    if s.suggestion_category:
        suggestion = s.suggestion_category.replace("_", " ")
        said = _sentences((f"The model suggests {suggestion}", *s.suggestion_reasons))
        lines.append(f"\n{_muted(f'{said} It advises; an analyst decides.')}")
    return _join(lines)


def _change_parts(parts: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """The parts of the change that round to at least 0.1 points, largest first."""
    shown = [(label, value) for label, value in parts if abs(value) * 100 >= CHANGE_SHOWN]
    return sorted(shown, key=lambda part: -abs(part[1]))[:CHANGE_PARTS]


def _risk_text(brief: CountryBrief) -> str:
    r = brief.risk
    if r.probability is None:
        return typst_text("No forecast is stored for this country.")
    parts = [f"*{typst_text((r.level or '').capitalize())}*: {typst_text(_percent(r.probability))}"]
    if r.rank is not None:
        of = f" of {r.ranked}" if r.ranked else ""
        parts.append(typst_text(f", rank {r.rank}{of}"))
    if r.interval is not None:
        parts.append(typst_text(f"; interval {_percent(r.interval[0])}–{_percent(r.interval[1])}"))
    text = "".join(parts)
    if r.change is not None:
        text += " \\\n" + typst_text(
            f"Change since the previous forecast: {r.change * 100:+.1f} points"
        )
        shown = _change_parts(r.change_parts)
        if shown:
            text += "\n" + _bullets(f"{label}: {value * 100:+.1f} points" for label, value in shown)
    text += "\n\n" + _muted("Sources and how to read the levels: see the annex.")
    return text


def _side_by_side(left: str, image: str | None, width: str = "46%") -> str:
    if image is None:
        return left
    return (
        f"#grid(columns: (1fr, {width}), column-gutter: 10pt,\n[\n{left}\n],\n"
        f"image({typst_str(image)}, width: 100%))"
    )


def _risk(brief: CountryBrief, chart: str | None) -> str:
    return _join(
        (
            _heading(brief, "Statistical risk"),
            _note(brief, "Statistical risk"),
            _side_by_side(_risk_text(brief), chart),
        )
    )


def _drivers(brief: CountryBrief) -> str:
    drivers = brief.risk.drivers
    body = _bullets(drivers) if drivers else typst_text("No drivers are stored with the forecast.")
    return _join((_heading(brief, "Drivers"), _note(brief, "Drivers"), body))


def _assessment(brief: CountryBrief) -> str:
    a = brief.assessment
    lines = [_heading(brief, "Framework assessment"), _note(brief, "Framework assessment")]
    if a is None or not a.factors:
        lines.append(typst_text("No Framework of Analysis assessment is open to this reader."))
        return _join(lines)
    if a.date is not None:
        lines.append(_muted(f"Assessed {a.date.isoformat()}") + "\n")
    cells = ", ".join(
        f"[{typst_text(f.code)}], [{typst_text(f.name)}], [*{typst_text(f.score)}*], "
        f"[{typst_text(f.note)}]"
        for f in a.factors
    )
    lines.append(f"#table(columns: (auto, 1.3fr, auto, 2fr), {cells})")
    return _join(lines)


def _signs(brief: CountryBrief, chart: str | None) -> str:
    s = brief.signs
    head = [_heading(brief, "Warning signs"), _note(brief, "Warning signs")]
    if s is None:
        return _join((*head, typst_text("No warning signs are open to this reader.")))
    body = [typst_text(f"Incident records in {s.incidents_window}: {s.incidents_recent:,}")]
    if s.alerts:
        body.append(_bullets(s.alerts))
    else:
        body.append("\n" + typst_text("No escalation alerts."))
    if not s.points:
        body.append("\n" + _muted("No warning sign has a place the reader may see."))
    return _join((*head, _side_by_side(_join(body), chart, "42%")))


def _speech(brief: CountryBrief) -> str:
    """Aggregates only, as in every format: counts per week and group, never a post."""
    sp = brief.speech
    if sp is None:  # not typeset: the section shows only with monitored posts
        return ""
    lines = [_heading(brief, SPEECH), _note(brief, SPEECH)]
    if sp.notice:
        lines.append(f"*{typst_text(sp.notice)}*\n")
    lines.append(typst_text(" ".join(sp.trend)) + "\n")
    if sp.surges:
        header = "[*Week of*], [*Group*], [*Posts*], [*Usual*], [*Indicators*], [*Alerts after*]"
        rows = ", ".join(
            ", ".join(
                f"[{typst_text(cell)}]"
                for cell in (
                    s.week.isoformat(),
                    s.targeted_group,
                    str(s.observed),
                    f"{s.expected:.1f}",
                    ", ".join(s.indicators),
                    "; ".join(s.signals) or "none",
                )
            )
            for s in sp.surges
        )
        lines.append(f"#table(columns: (auto, auto, auto, auto, auto, 1fr), {header}, {rows})")
        lines.append(_muted(sp.link_rule))
    scored = ", ".join(f"{i.code} {i.score or 'not scored'}" for i in sp.indicators)
    when = f" (assessment of {sp.assessed_on.isoformat()})" if sp.assessed_on else ""
    lines.append("\n" + _muted(f"Framework of Analysis indicators{when}: {scored}."))
    return _join(lines)


def _actors(brief: CountryBrief) -> str:
    a = brief.actors
    lines = [_heading(brief, "Actors and coverage"), _note(brief, "Actors and coverage")]
    if a is None:
        lines.append(typst_text("No actor mapping is open to this reader."))
        return _join(lines)
    levels = ", ".join(f"{level} {count}" for level, count in a.by_level)
    text = f"{a.count} prevention actors mapped" + (f" ({levels})" if levels else "") + "."
    if a.example:
        text += " These come from the generated example mapping, not from a survey."
    lines.append(typst_text(text))
    if a.gap:
        lines.append(f"\n*{typst_text('Coverage gap:')}* {typst_text(a.gap)}")
    return _join(lines)


def _evidence_item(e: BriefEvidence) -> str:
    strength = f"strength {e.strength}/5, " if e.strength is not None else ""
    detail = f"{strength}similarity {e.similarity:.2f}"
    if e.harm:
        detail += f"; harm: {e.harm}"
    item = f"- {_link(e.link, e.citation)} {_muted(f'({detail})')}"
    if e.reasons:
        item += f" \\\n  {typst_text('; '.join(e.reasons))}"
    return item


def _evidence(brief: CountryBrief) -> str:
    lines = [_heading(brief, "What works"), _note(brief, "What works")]
    if not brief.evidence:
        lines.append(typst_text("No study in the library matches this country's situation yet."))
        return _join(lines)
    lines.extend(_evidence_item(e) for e in brief.evidence[:SUMMARY_EVIDENCE])
    if len(brief.evidence) > SUMMARY_EVIDENCE:
        lines.append(_muted(f"{len(brief.evidence) - SUMMARY_EVIDENCE} more in the annex."))
    return _join(lines)


def _pillar_names(brief: CountryBrief) -> dict[int, str]:
    names = dict(PILLAR_NAMES)
    for pillar in brief.pillars:
        named = pillar.name.startswith("Pillar")
        names[pillar.number] = pillar.name if named else f"Pillar {pillar.number}: {pillar.name}"
    return names


def _options(brief: CountryBrief) -> str:
    lines = [_heading(brief, "Options by R2P pillar"), _note(brief, "Options by R2P pillar")]
    if not brief.options:
        lines.append(typst_text("No options were chosen for this brief."))
        return _join(lines)
    names = _pillar_names(brief)
    for number in sorted({option.pillar for option in brief.options}):
        lines.append(f"\n*{typst_text(names.get(number, f'Pillar {number}'))}*")
        for option in (o for o in brief.options if o.pillar == number):
            flag = " " + _muted("(military)") if option.military else ""
            lines.append(f"- {typst_text(option.measure)}{flag} {_muted(option.why)}")
    return _join(lines)


def _sources(brief: CountryBrief) -> str:
    lines = [_heading(brief, "Sources and data dates"), _note(brief, "Sources and data dates")]
    figures = list(
        dict.fromkeys(
            (*brief.risk.figures, *(brief.signs.figures if brief.signs else ()), *brief.sources)
        )
    )
    if figures:
        rows = ", ".join(
            f"[{typst_text(f.label)}], [{typst_text(f.value)}], [{typst_text(f.source)}], "
            f"[{typst_text(f.as_of)}]"
            for f in figures
        )
        header = "[*Figure*], [*Value*], [*Source*], [*Data as of*]"
        lines.append(f"#table(columns: (1.2fr, auto, 2fr, auto), {header}, {rows})")
    else:
        lines.append(typst_text("This brief shows no figure."))
    return _join(lines)


def _annex(brief: CountryBrief) -> str:
    lines = ["#pagebreak(weak: true)", f"== {typst_text('Annex')}", _sources(brief)]
    if brief.risk.level_cutoffs:
        lines.append(f"=== {typst_text('How to read the risk levels')}")
        lines.append(typst_text(brief.risk.level_cutoffs))
    if brief.terms:
        lines.append(f"=== {typst_text(f'Terms used for the {brief.audience} audience')}")
        rows = ", ".join(
            f"[{typst_text(original)}], [{typst_text(term)}], [{typst_text(why)}]"
            for original, term, why in brief.terms
        )
        header = "[*Term*], [*Written as*], [*Why*]"
        lines.append(f"#table(columns: (auto, auto, 1fr), {header}, {rows})")
    if len(brief.evidence) > SUMMARY_EVIDENCE:
        lines.append(f"=== {typst_text('More evidence of what works')}")
        lines.extend(_evidence_item(e) for e in brief.evidence[SUMMARY_EVIDENCE:])
    return _join(lines)


def _brief_body(brief: CountryBrief, risk_chart: str | None, map_chart: str | None) -> str:
    """One brief: the summary sections in ``brief.sections()`` order, then the annex (its last
    section)."""
    summary = _bullets(brief.summary) if brief.summary else ""
    made = brief.generated_at.date().isoformat()
    parts = {
        "Situation": _situation(brief),
        "Statistical risk": _risk(brief, risk_chart),
        "Drivers": _drivers(brief),
        "Framework assessment": _assessment(brief),
        "Warning signs": _signs(brief, map_chart),
        SPEECH: _speech(brief),
        "Actors and coverage": _actors(brief),
        "What works": _evidence(brief),
        "Options by R2P pillar": _options(brief),
        "Sources and data dates": _annex(brief),
    }
    if brief.speech is None:
        del parts[SPEECH]
    if tuple(parts) != brief.sections():  # a section added to SECTIONS must be typeset here too
        raise RuntimeError(f"the PDF sections {tuple(parts)} differ from {brief.sections()}")
    return _join(
        (
            _page_rule(brief),
            f"= {typst_text(brief.name)}",
            _muted(f"Prevention assessment summary, {made}"),
            f"#block(fill: luma(245), inset: 7pt, radius: 2pt, width: 100%)[\n{summary}\n]",
            *parts.values(),
        )
    )


def _charts(brief: CountryBrief, folder: Path, prefix: str) -> tuple[str | None, str | None]:
    names: list[str | None] = []
    for kind, png in (("risk", risk_history_png(brief)), ("map", signs_map_png(brief))):
        if png is None:
            names.append(None)
            continue
        name = f"{prefix}-{kind}.png"
        (folder / name).write_bytes(png)
        names.append(name)
    return names[0], names[1]


def _compile(
    source: str, folder: Path, fmt: Literal["pdf", "png"], ppi: float | None, made: datetime
) -> bytes | list[bytes]:
    main = folder / "main.typ"
    main.write_text(source, encoding="utf-8")
    # Typst returns a list of pages for a multi-page PNG, though its stubs say bytes.
    result: bytes | list[bytes] = typst.compile(
        str(main),
        root=str(folder),
        font_paths=_fonts(),
        ignore_system_fonts=True,
        format=fmt,
        ppi=ppi,
        # The PDF's creation date is the brief's: the same brief gives the same bytes.
        timestamp=made,
    )
    return result


def _one_brief(
    brief: CountryBrief, fmt: Literal["pdf", "png"], ppi: float | None = None
) -> bytes | list[bytes]:
    with tempfile.TemporaryDirectory(prefix="lens-brief-") as name:
        folder = Path(name)
        risk_chart, map_chart = _charts(brief, folder, "c0")
        source = _join(
            (
                _preamble(f"{brief.name}: prevention assessment summary"),
                _brief_body(brief, risk_chart, map_chart),
            )
        )
        return _compile(source, folder, fmt, ppi, brief.generated_at)


def brief_pdf(brief: CountryBrief) -> bytes:
    """The brief as an A4 PDF: the summary, then the annex."""
    result = _one_brief(brief, "pdf")
    if not isinstance(result, bytes):
        raise RuntimeError("Typst returned pages where one PDF was expected")
    return result


def brief_png_pages(
    brief: CountryBrief, pages: Sequence[int] = (1,), ppi: float = 110.0
) -> list[bytes]:
    """Pictures of the brief's pages (numbered from 1), e.g. for documentation."""
    result = _one_brief(brief, "png", ppi)
    images = [result] if isinstance(result, bytes) else list(result)
    wrong = [page for page in pages if not 1 <= page <= len(images)]
    if wrong:
        raise ValidationError(f"the brief has pages 1 to {len(images)}, got {wrong}", field="pages")
    return [images[page - 1] for page in pages]


def watchlist_pdf(briefs: Sequence[CountryBrief], title: str) -> bytes:
    """One PDF: a contents page listing each country and the page its brief starts on, then
    the briefs in the order given."""
    if not briefs:
        raise ValidationError("needs at least one country brief", field="briefs")
    made = max(brief.generated_at for brief in briefs)
    with tempfile.TemporaryDirectory(prefix="lens-watchlist-") as name:
        folder = Path(name)
        bodies = []
        for number, brief in enumerate(briefs):
            risk_chart, map_chart = _charts(brief, folder, f"c{number}")
            bodies.append(_brief_body(brief, risk_chart, map_chart))
        contents = _join(
            (
                '#set page(paper: "a4", margin: (x: 17mm, y: 18mm))',
                f'#text(size: 20pt, weight: "bold")[{typst_text(title)}]\n',
                _muted(
                    f"{len(briefs)} country briefs generated {made.date().isoformat()} from "
                    f"live data for a {briefs[0].reader_role} reader"
                ),
                "#v(8pt)",
                "#outline(title: [Contents], target: heading.where(level: 1), depth: 1)",
            )
        )
        source = _join((_preamble(title), contents, *bodies))
        result = _compile(source, folder, "pdf", None, made)
    if not isinstance(result, bytes):
        raise RuntimeError("Typst returned pages where one PDF was expected")
    return result
