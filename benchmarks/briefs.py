"""How long does a country brief take to make, as HTML and as PDF, and a watchlist pack of 30?

Reads the store in LENS_HOME (it needs stored forecasts: `lens risk forecast`). For each of a few
countries it times composing the brief, rendering HTML, and rendering the PDF (charts included),
after one warm-up brief (the first call starts vl-convert's JavaScript engine and scans the
fonts); then it times `watchlist` + `watchlist_pdf` for the top 30. Prints one JSON object with
medians over the runs, the thread caps, the CPU count and the load. Target: PDF <= 2 s a brief.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from prevention_lens.briefs.brief import compose_brief
from prevention_lens.briefs.pdf import brief_pdf, watchlist_pdf
from prevention_lens.briefs.render import to_html
from prevention_lens.briefs.watchlist import watchlist
from prevention_lens.settings import load_settings
from prevention_lens.store import open_store
from prevention_lens.store.access import ANONYMOUS

COUNTRIES = ("Myanmar", "Sudan", "Chad", "Ukraine", "Brazil")
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "RAYON_NUM_THREADS",
)


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per country (median reported)")
    parser.add_argument("--watchlist", type=int, default=30, help="countries in the pack")
    args = parser.parse_args()
    settings = load_settings()
    store = open_store(settings)
    figures: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "threads": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "runs": args.runs,
    }
    with store.session() as session:
        warm_s, _ = _timed(
            lambda: brief_pdf(compose_brief(session, ANONYMOUS, settings, "Myanmar"))
        )
        figures["first_pdf_brief_s"] = round(warm_s, 3)
        per_country: dict[str, dict[str, float]] = {}
        for country in COUNTRIES:
            compose: list[float] = []
            render_html: list[float] = []
            render_pdf: list[float] = []
            for _ in range(args.runs):
                seconds, brief = _timed(
                    partial(compose_brief, session, ANONYMOUS, settings, country)
                )
                compose.append(seconds)
                render_html.append(_timed(partial(to_html, brief))[0])
                render_pdf.append(_timed(partial(brief_pdf, brief))[0])
            per_country[country] = {
                "compose_s": round(statistics.median(compose), 3),
                "html_render_s": round(statistics.median(render_html), 3),
                "html_total_s": round(
                    statistics.median(compose) + statistics.median(render_html), 3
                ),
                "pdf_render_s": round(statistics.median(render_pdf), 3),
                "pdf_total_s": round(statistics.median(compose) + statistics.median(render_pdf), 3),
            }
        figures["per_country"] = per_country
        totals = [row["pdf_total_s"] for row in per_country.values() if row["pdf_total_s"]]
        figures["pdf_brief_median_s"] = round(statistics.median(totals), 3)
        html_totals = [row["html_total_s"] for row in per_country.values() if row["html_total_s"]]
        figures["html_brief_median_s"] = round(statistics.median(html_totals), 3)
        figures["pdf_target_met"] = figures["pdf_brief_median_s"] <= 2.0
        compose_s, briefs = _timed(lambda: watchlist(session, ANONYMOUS, settings, args.watchlist))
        pdf_s, pack = _timed(lambda: watchlist_pdf(briefs, "Watchlist"))
        figures["watchlist"] = {
            "countries": len(briefs),
            "compose_s": round(compose_s, 3),
            "pdf_s": round(pdf_s, 3),
            "total_s": round(compose_s + pdf_s, 3),
            "pdf_bytes": len(pack),
        }
    store.dispose()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
