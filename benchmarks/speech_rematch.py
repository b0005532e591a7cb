"""Stored posts matched again when the lexicon changes: Davidson tweets stored as monitored posts
against the shipped terms and HurtLex English, all published.

Prints one JSON object: ``posts`` and ``published_terms``; ``import_s`` (import with matching,
under a constant stand-in classifier so that only matching and storing are timed);
``rematch_all_s`` and ``rematch_posts_per_s`` (``lens speech posts rematch``); and for an edit
of a published term (a neutral sense added), of the term found in the most posts and of one
found in few, the seconds the edit took with its re-matching and how many posts it re-matched
and changed. Needs LENS_SOURCES (default ../shared/data beside the checkout); ``--posts N``
(default 10,000), ``--database-url`` for another store (default: SQLite in a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from prevention_lens.ingest import get_format, run_import
from prevention_lens.settings import Settings, load_settings
from prevention_lens.sources.speech_corpora import read_davidson
from prevention_lens.speech.lexicon import MATCHERS, get_term, update_term
from prevention_lens.speech.posts import PostDraft, import_posts, rematch_posts
from prevention_lens.speech.shipped_terms import load_shipped_terms
from prevention_lens.speech.terms import TermDraft
from prevention_lens.store import Store, open_store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import AuditEntry, SpeechPost, SpeechTerm

FIRST = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class _Score:
    label: str = "neither"
    hate_score: float = 0.0
    scores: dict[str, float] = field(default_factory=lambda: {"neither": 1.0})
    attributes: dict[str, float] = field(default_factory=dict)
    targeted_group: str | None = None


class ConstantScorer:
    """Every post "neither": the benchmark times matching and storing, not the classifier."""

    def score_texts(self, texts: Sequence[str]) -> list[_Score]:
        return [_Score() for _ in texts]

    def model_version(self) -> str:
        return "constant"


def publish_everything(store: Store) -> int:
    with store.session() as session:
        session.execute(
            update(SpeechTerm).values(status="published", reviewed_at=datetime.now(UTC))
        )
        MATCHERS.changed()
        return len(session.scalars(select(SpeechTerm.id)).all())


def timed_edit(store: Store, term_id: int) -> dict[str, Any]:
    """Add a neutral sense to a published term, as an admin would, and time it."""
    with store.session() as session:
        values = get_term(session, LOCAL_OPERATOR, term_id).draft_values()
        values["senses"] = [*values["senses"], {"kind": "neutral", "meaning": "benchmark"}]
        draft = TermDraft.from_mapping(values)
        started = time.perf_counter()
        record = update_term(session, LOCAL_OPERATOR, term_id, draft, note="benchmark")
        seconds = time.perf_counter() - started
        detail = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.resource == "speech_term", AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
        ).first()
    detail = detail or {}
    return {
        "term": record.term,
        "seconds": round(seconds, 2),
        "posts_rematched": detail.get("posts_rematched"),
        "posts_changed": detail.get("posts_changed"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="an empty store to use")
    args = parser.parse_args()
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    tweets = read_davidson(sources / "speech" / "davidson" / "data_labeled_data.csv")
    drafts = [
        PostDraft(
            external_id=f"d{number}",
            posted_at=FIRST + timedelta(hours=number),
            country="United States",
            language="en",
            text=example.text,
        )
        for number, example in enumerate(tweets[: args.posts])
    ]
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), sources=sources, database_url=args.database_url)
        store = open_store(settings)
        with store.session() as session:
            load_shipped_terms(session)
        run_import(
            store,
            settings,
            LOCAL_OPERATOR,
            get_format("speech-hurtlex"),
            sources / "speech" / "hurtlex" / "hurtlex_EN.tsv",
        )
        terms = publish_everything(store)

        started = time.perf_counter()
        with store.session() as session:
            import_posts(
                session, LOCAL_OPERATOR, drafts, dataset="benchmark", scorer=ConstantScorer()
            )
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        with store.session() as session:
            counts = rematch_posts(session, LOCAL_OPERATOR)
        rematch_s = time.perf_counter() - started

        with store.session() as session:
            found = Counter(
                hit["term_id"]
                for hits in session.scalars(select(SpeechPost.lexicon_hits))
                for hit in {item["term_id"]: item for item in hits or ()}.values()
            )
        common, _ = found.most_common(1)[0]
        rare = min(found, key=lambda term_id: (found[term_id], term_id))
        result = {
            "posts": len(drafts),
            "published_terms": terms,
            "term_sightings": sum(found.values()),  # (term, post) pairs
            "import_s": round(import_s, 2),
            "rematch_all_s": round(rematch_s, 2),
            "rematch_posts_per_s": round(counts.posts / rematch_s, 1),
            "rematch_changed": counts.changed,
            "edit_common_term": timed_edit(store, common) | {"posts_with_it": found[common]},
            "edit_rare_term": timed_edit(store, rare) | {"posts_with_it": found[rare]},
            "database": store.engine.url.get_backend_name(),
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
        store.dispose()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
