"""Hybrid search of the evidence library: BM25 full text (SQLite FTS5, or PostgreSQL full text
on a server) fused by reciprocal rank fusion with semantic search on stored multilingual
embeddings, so that a query in French, Spanish, Arabic or Burmese finds English entries.

Only the query is embedded per search; entries' vectors are read from the store once and kept
in memory until the library changes (``library_version``).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Principal
from prevention_lens.store.models import LibraryEntry
from prevention_lens.whatworks import embeddings
from prevention_lens.whatworks.entries import Entry
from prevention_lens.whatworks.library import EntryFilter, library_version, list_entries

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODES = ("hybrid", "text", "semantic")
# Reciprocal rank fusion's constant: the usual 60 (Cormack, Clarke & Büttcher, SIGIR 2009).
RRF_K = 60
# How deep each ranking goes before fusion.
DEPTH = 100
# Below this cosine similarity a semantic match is noise for multilingual-e5-small, whose
# scores bunch between 0.7 and 0.9; it only orders results, it never adds a result on its own.
SEMANTIC_FLOOR = 0.78
# A full-text match holding less than this share of the query's words adds nothing to fusion.
MIN_SHARE = 0.3
QUERY_MAX_CHARS = 500
_WORD = re.compile(r"\w+", re.UNICODE)
# Fields a reader facets on, with how to read the values off an entry.
FACETS = (
    "kind",
    "design",
    "strength",
    "interventions",
    "outcomes",
    "regions",
    "countries",
    "conflict_phase",
    "regime_type",
    "effect",
    "language",
    "status",
)


@dataclass(frozen=True)
class Hit:
    """One result: the entry, its fused score and where each ranking placed it (1-based)."""

    entry: Entry
    score: float
    text_rank: int | None
    semantic_rank: int | None
    similarity: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.to_dict(),
            "score": round(self.score, 6),
            "text_rank": self.text_rank,
            "semantic_rank": self.semantic_rank,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: dict(counts) for name, counts in self.facets.items()},
        }


# Function words of the languages readers search in most, left out of full-text queries: in
# a French query "la" or "les" would otherwise match English entries by chance ("La Ferrara").
STOP_WORDS = frozenset(
    """
    a an and are as at be by can do does for from has have how in into is it its of on or
    that the their them there these this to was what when where which who why will with
    au aux avec ce ces dans de des du elle en est et il ils la le les leur mais ne ou par pas
    pour qu que qui se sont sur un une
    al como con del el es las lo los más ni no para pero por sin su sus una y
    """.split()  # noqa: SIM905  (a word list reads better as prose)
)
# Word stems for matching a query against an entry's own words: the first letters, accents off.
STEM = 5


def _terms(query: str) -> list[str]:
    words = [word.lower() for word in _WORD.findall(query)]
    return [word for word in words if len(word) > 1 and word not in STOP_WORDS][:32]


def _stem(word: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    return (plain or word.lower())[:STEM]


def coverage(terms: Sequence[str], entry: Entry) -> float:
    """The share of the query's words whose stems the entry's own words contain."""
    if not terms:
        return 0.0
    text = " ".join((entry.title, entry.summary, entry.venue, *entry.tags, *entry.authors))
    stems = {_stem(word) for word in _WORD.findall(text)}
    return sum(1 for term in terms if _stem(term) in stems) / len(terms)


def text_ranking(session: Session, query: str, limit: int = DEPTH) -> list[int]:
    """Entry ids by BM25 (SQLite FTS5) or ts_rank_cd (PostgreSQL), best first; any word may
    match, and the ranking rewards entries that match more of them, and rarer ones."""
    terms = _terms(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        expression = " OR ".join('"' + term.replace('"', "") + '"' for term in terms)
        rows = session.execute(
            text(
                "SELECT rowid FROM library_fts WHERE library_fts MATCH :expression "
                "ORDER BY bm25(library_fts, 4.0, 1.0) LIMIT :limit"
            ),
            {"expression": expression, "limit": limit},
        )
        return [int(row[0]) for row in rows]
    # PostgreSQL: OR of the stemmed words; words that are stop words drop out of the tsquery.
    expression = " | ".join(re.sub(r"[^\w]", "", term) for term in terms if term)
    rows = session.execute(
        text(
            "SELECT id FROM library_entries, to_tsquery('english', :expression) AS query "
            "WHERE to_tsvector('english'::regconfig, title || ' ' || search_text) @@ query "
            "ORDER BY ts_rank_cd(to_tsvector('english'::regconfig, title || ' ' || search_text), "
            "query, 1) DESC, id LIMIT :limit"
        ),
        {"expression": expression, "limit": limit},
    )
    return [int(row[0]) for row in rows]


class _VectorCache:
    """Entries' stored vectors as one matrix per store, rebuilt when the library changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[tuple[int, str], list[int], Any]] = {}

    def matrix(self, session: Session) -> tuple[list[int], npt.NDArray[np.float32]]:
        import numpy as np

        bind = session.get_bind()
        store = str(bind.engine.url)
        version = library_version(session)
        with self._lock:
            held = self._held.get(store)
            if held is not None and held[0] == version:
                return held[1], held[2]
        rows = session.execute(
            select(LibraryEntry.id, LibraryEntry.embedding).where(
                LibraryEntry.embedding.is_not(None)
            )
        ).all()
        rows = [row for row in rows if row[1] is not None]
        ids = [int(row[0]) for row in rows]
        matrix = (
            np.vstack([embeddings.from_bytes(row[1]) for row in rows if row[1] is not None])
            if rows
            else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        )
        with self._lock:
            self._held[store] = (version, ids, matrix)
        return ids, matrix

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


VECTORS = _VectorCache()


def semantic_ranking(session: Session, query: str, limit: int = DEPTH) -> list[tuple[int, float]]:
    """(entry id, cosine similarity) by similarity to the query, best first."""
    import numpy as np

    ids, matrix = VECTORS.matrix(session)
    if not ids or not query.strip():
        return []
    scores = matrix @ embeddings.embed_query(query)
    depth = min(limit, len(ids))
    top = np.argpartition(-scores, depth - 1)[:depth]
    ordered = top[np.argsort(-scores[top], kind="stable")]
    return [(ids[index], float(scores[index])) for index in ordered]


def fuse(
    rankings: Sequence[Sequence[int]],
    k: int = RRF_K,
    weights: Sequence[Mapping[int, float] | None] | None = None,
) -> dict[int, float]:
    """Reciprocal rank fusion: each ranking adds 1 / (k + rank) to the ids it holds, times the
    item's weight in that ranking where weights are given."""
    scores: dict[int, float] = {}
    for position, ranking in enumerate(rankings):
        weight = weights[position] if weights is not None else None
        for rank, item in enumerate(ranking, start=1):
            share = 1.0 if weight is None else weight.get(item, 0.0)
            scores[item] = scores.get(item, 0.0) + share / (k + rank)
    return scores


def facet_counts(entries: Sequence[Entry]) -> dict[str, dict[str, int]]:
    """For each facet, how many of the entries carry each value (most common first)."""
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        counter: Counter[str] = Counter()
        for entry in entries:
            value = getattr(entry, name)
            values = value if isinstance(value, tuple) else (value,)
            counter.update(str(item) for item in values if item is not None and item != "")
        out[name] = dict(counter.most_common())
    return out


def search(
    session: Session,
    principal: Principal,
    query: str = "",
    where: EntryFilter | None = None,
    *,
    mode: str = "hybrid",
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Entries the principal may see that match the filter, ranked for the query.

    Without a query: every matching entry, newest first. With one: ``text`` ranks by BM25 only,
    ``semantic`` by embedding similarity only, ``hybrid`` (the default) fuses the two.
    """
    if mode not in MODES:
        raise ValidationError(
            f"unknown mode {mode!r}; choose from {', '.join(MODES)}", field="mode"
        )
    query = query.strip()
    if len(query) > QUERY_MAX_CHARS:
        raise ValidationError(
            f"the query is {len(query)} characters; the limit is {QUERY_MAX_CHARS}", field="q"
        )
    visible = {entry.id: entry for entry in list_entries(session, principal, where)}
    if not query:
        ordered = list(visible.values())
        listed = tuple(
            Hit(entry, 0.0, None, None, None) for entry in ordered[offset : offset + limit]
        )
        return SearchResults(query, mode, len(ordered), listed, facet_counts(ordered))
    text_ids: list[int] = []
    semantic: list[tuple[int, float]] = []
    if mode in ("hybrid", "text"):
        text_ids = [item for item in text_ranking(session, query, DEPTH * 3) if item in visible]
        text_ids = text_ids[:DEPTH]
    if mode in ("hybrid", "semantic"):
        semantic = [
            pair for pair in semantic_ranking(session, query, DEPTH * 3) if pair[0] in visible
        ][:DEPTH]
    similarity = dict(semantic)
    text_rank = {item: rank for rank, item in enumerate(text_ids, start=1)}
    semantic_rank = {item: rank for rank, (item, _score) in enumerate(semantic, start=1)}
    if mode == "text":
        scores = fuse([text_ids])
    elif mode == "semantic":
        scores = fuse([[item for item, score in semantic if score >= SEMANTIC_FLOOR]])
    else:
        # A full-text match counts in proportion to the share of the query's words it holds:
        # an English entry that shares one stray word with a French query ranks on meaning.
        terms = _terms(query)
        share = {item: coverage(terms, visible[item]) for item in text_ids}
        share = {item: value if value >= MIN_SHARE else 0.0 for item, value in share.items()}
        scores = fuse([text_ids, [item for item, _ in semantic]], weights=[share, None])
        # A semantic-only candidate below the floor orders nothing useful: keep it out.
        scores = {
            item: score
            for item, score in scores.items()
            if score > 0 and (item in text_rank or similarity.get(item, 0.0) >= SEMANTIC_FLOOR)
        }
    ranked = sorted(scores, key=lambda item: (-scores[item], item))
    matched = [visible[item] for item in ranked]
    hits = tuple(
        Hit(
            entry=visible[item],
            score=scores[item],
            text_rank=text_rank.get(item),
            semantic_rank=semantic_rank.get(item),
            similarity=similarity.get(item),
        )
        for item in ranked[offset : offset + limit]
    )
    return SearchResults(query, mode, len(ranked), hits, facet_counts(matched))
