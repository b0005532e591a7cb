"""A policy screening as a document: Markdown and a self-contained HTML page (no script, no outside
file), each with the factors touched and why, the confidence, the questions for the table and
the caveat. The PDF annex is ``briefs/screening_pdf.py``.
"""

from __future__ import annotations

from html import escape

from prevention_lens.briefs.screening import Screening

TITLE = "Policy screening: the prevention lens"
SECTIONS = ("Risk factors touched", "Confidence", "Questions for the table", "Caveat")


def _heading(screening: Screening) -> str:
    return f"{screening.country_name} · for {screening.sector_name} readers"


def screening_markdown(screening: Screening) -> str:
    lines = [f"# {TITLE}", "", f"**{_heading(screening)}**", ""]
    lines += [f"## {SECTIONS[0]}", ""]
    if not screening.factors:
        lines += ["No risk factor reached the threshold.", ""]
    for factor in screening.factors:
        lines += [
            f"### {factor.code}. {factor.name} — {factor.direction}",
            "",
            f"Similarity {factor.similarity:.3f}; strength {factor.strength:.1f} "
            f"(threshold {screening.threshold:.1f}). Closest indicators: "
            + "; ".join(f"{item.code} ({item.similarity:.3f})" for item in factor.indicators)
            + ".",
            "",
            *(f"- {_md(reason)}" for reason in factor.reasons),
            "",
        ]
    if screening.terms:
        lines += [
            "Lexicon terms in the text: "
            + "; ".join(
                f"{_md(term.found)} ({term.concept_id}"
                + (
                    f"; {screening.sector_name}: {_md(term.sector_term)}"
                    if term.sector_term
                    else ""
                )
                + ")"
                for term in screening.terms
            )
            + ".",
            "",
        ]
    lines += [
        f"## {SECTIONS[1]}",
        "",
        f"**{screening.confidence}**: {_md(screening.confidence_reason)}",
        "",
        f"## {SECTIONS[2]}",
        "",
    ]
    lines += [
        f"{number}. {_md(question.text)}"
        + (f" *(factor {question.factor})*" if question.factor else "")
        for number, question in enumerate(screening.questions, start=1)
    ]
    lines += ["", f"## {SECTIONS[3]}", "", _md(screening.caveat), ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, links or HTML from the pasted text)."""
    out = text
    for char in "\\`*_[]<>#|":
        out = out.replace(char, "\\" + char)
    return out


_STYLE = (
    "body{font-family:'Noto Sans',system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.45;color:#1b1b1b}h1{font-size:1.5rem}h2{font-size:1.2rem;"
    "border-bottom:1px solid #ccc;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.25rem}"
    ".direction{font-weight:normal;font-size:.9rem;padding:.1rem .4rem;border-radius:.3rem;"
    "background:#eee}.aggravate{background:#fde2e1}.mitigate{background:#e1f3e4}"
    ".meta{color:#555;font-size:.9rem}.caveat{background:#f6f6f6;padding:.75rem}"
)


def screening_html(screening: Screening) -> str:
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(TITLE)} · {escape(screening.country_name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f'<h1>{escape(TITLE)}</h1><p class="meta">{escape(_heading(screening))}</p>',
        screening_fragment(screening),
        "</body></html>",
    ]
    return "".join(parts)


def screening_fragment(screening: Screening) -> str:
    """The body of the HTML page: the sections, without the page around them."""
    parts = [f"<h2>{SECTIONS[0]}</h2>"]
    if not screening.factors:
        parts.append("<p>No risk factor reached the threshold.</p>")
    for factor in screening.factors:
        css = {"may aggravate": "aggravate", "may mitigate": "mitigate"}.get(factor.direction, "")
        parts.append(
            f'<section class="factor" data-factor="{escape(factor.code)}">'
            f"<h3>{escape(factor.code)}. {escape(factor.name)} "
            f'<span class="direction {css}">{escape(factor.direction)}</span></h3>'
            f'<p class="meta">Similarity {factor.similarity:.3f}; strength '
            f"{factor.strength:.1f} (threshold {screening.threshold:.1f}). Closest indicators: "
            + "; ".join(
                f'<span title="{escape(item.text)}">{escape(item.code)}</span> '
                f"({item.similarity:.3f})"
                for item in factor.indicators
            )
            + ".</p><ul>"
            + "".join(f"<li>{escape(reason)}</li>" for reason in factor.reasons)
            + "</ul></section>"
        )
    if screening.terms:
        parts.append(
            "<p>Lexicon terms in the text: "
            + "; ".join(
                f"{escape(term.found)} ({escape(term.concept_id)}"
                + (
                    f"; {escape(screening.sector_name)}: {escape(term.sector_term)}"
                    if term.sector_term
                    else ""
                )
                + ")"
                for term in screening.terms
            )
            + ".</p>"
        )
    parts.append(
        f"<h2>{SECTIONS[1]}</h2><p><strong>{escape(screening.confidence)}</strong>: "
        f"{escape(screening.confidence_reason)}</p><h2>{SECTIONS[2]}</h2><ol>"
    )
    parts += [
        f"<li>{escape(question.text)}"
        + (
            f' <span class="meta">(factor {escape(question.factor)})</span>'
            if question.factor
            else ""
        )
        + "</li>"
        for question in screening.questions
    ]
    parts.append(f'</ol><h2>{SECTIONS[3]}</h2><p class="caveat">{escape(screening.caveat)}</p>')
    return "".join(parts)
