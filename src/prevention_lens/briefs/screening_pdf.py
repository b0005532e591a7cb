"""A policy screening as a PDF annex, typeset by Typst (the ``typst`` package, compiler bundled).

The screening goes into the template as JSON (``sys.inputs``), never as markup, so nothing in a
pasted text can change the document. Fonts: Debian's Noto (``fonts-noto-core``) where installed,
else the fonts Typst bundles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prevention_lens.briefs.screening import Screening
from prevention_lens.briefs.screening_render import SECTIONS, TITLE
from prevention_lens.errors import LensError

FONT_FOLDERS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))

TEMPLATE = """
#let d = json(bytes(sys.inputs.screening))
#set document(title: d.title)
#set page(paper: "a4", margin: (x: 2cm, y: 1.8cm), numbering: "1")
#set text(font: ("Noto Sans", "Libertinus Serif"), size: 9.5pt, lang: "en")
#set par(justify: false)
#show heading.where(level: 1): set text(size: 15pt)
#show heading.where(level: 2): set text(size: 11.5pt)

= #d.title
#text(fill: luma(90))[#d.heading]

== #d.sections.at(0)
#if d.factors.len() == 0 [No risk factor reached the threshold.]
#for f in d.factors [
  #block(breakable: true, above: 0.9em)[
    *#f.code. #f.name* #h(0.4em) #box(inset: 2pt, fill: luma(235))[#f.direction] \\
    #text(size: 8.5pt, fill: luma(80))[#f.meta]
    #list(..f.reasons.map(r => [#r]))
  ]
]

== #d.sections.at(1)
*#d.confidence*: #d.confidence_reason

== #d.sections.at(2)
#enum(..d.questions.map(q => [#q]))

== #d.sections.at(3)
#block(fill: luma(243), inset: 6pt, width: 100%)[#d.caveat]
"""


def _document(screening: Screening) -> dict[str, object]:
    return {
        "title": TITLE,
        "heading": f"{screening.country_name} · for {screening.sector_name} readers",
        "sections": list(SECTIONS),
        "factors": [
            {
                "code": factor.code,
                "name": factor.name,
                "direction": factor.direction,
                "meta": f"Similarity {factor.similarity:.3f}; strength {factor.strength:.1f} "
                f"(threshold {screening.threshold:.1f}). Closest indicators: "
                + "; ".join(f"{item.code} ({item.similarity:.3f})" for item in factor.indicators)
                + ".",
                "reasons": list(factor.reasons),
            }
            for factor in screening.factors
        ],
        "confidence": screening.confidence,
        "confidence_reason": screening.confidence_reason,
        "questions": [
            question.text + (f" (factor {question.factor})" if question.factor else "")
            for question in screening.questions
        ],
        "caveat": screening.caveat,
    }


def screening_pdf(screening: Screening) -> bytes:
    """The screening as PDF bytes."""
    import typst

    fonts = [str(folder) for folder in FONT_FOLDERS if folder.is_dir()]
    # The stubs tie the font paths' type to the source's; the source is bytes (a str would be
    # read as a file name), the font folders are paths.
    compile_pdf: Any = typst.compile
    try:
        pdf = compile_pdf(
            TEMPLATE.encode(),
            format="pdf",
            font_paths=fonts,
            sys_inputs={"screening": json.dumps(_document(screening), ensure_ascii=False)},
        )
    except RuntimeError as error:  # Typst reports a template or font failure this way
        raise LensError(f"the screening PDF could not be typeset: {error}") from error
    if not isinstance(pdf, bytes):
        raise LensError("the screening PDF could not be typeset: Typst returned no document")
    return pdf
