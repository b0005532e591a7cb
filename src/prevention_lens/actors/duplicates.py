"""Near-duplicate actors: names compared after normalising, only between actors that share a
country, so "Coast Peace Forum" in Kenya and in Colombia stay two organisations.

Two scores: the *same name* (equal once case, accents, punctuation and a leading "the" are
dropped) and a *similar name*: rapidfuzz ``token_sort_ratio`` of the names with common words
("the", "of", "organisation", "association", ...) removed, at least ``THRESHOLD`` (88 of 100).
``token_sort_ratio`` rather than ``token_set_ratio``: the latter scores a name contained in
another as identical ("Peace Forum" and "Coastal Peace Forum" would score 100).

Public API::

    THRESHOLD, name_key(name), same_name(a, b), similarity(a, b) -> float
    DuplicateIndex(rows).matches(name, country_keys) / .add(row)
    find_duplicates(session, principal, draft_or_name, country_keys, dataset) -> list[dict]
    duplicate_pairs(session, principal, dataset) -> list[dict]   # proposed merges
    DraftReview, drafts_for_review(session, principal) -> list[DraftReview]   # the review queue
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from prevention_lens.actors.records import DATASETS, ActorDraft, ActorFilter, list_actors
from prevention_lens.countries import normalize_name
from prevention_lens.store.access import Principal

THRESHOLD = 88.0
COMMON_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "assoc",
        "association",
        "de",
        "del",
        "des",
        "du",
        "el",
        "et",
        "example",
        "for",
        "in",
        "inc",
        "la",
        "le",
        "les",
        "ltd",
        "ngo",
        "of",
        "on",
        "org",
        "organisation",
        "organization",
        "the",
        "to",
        "y",
    }
)


def name_key(name: str) -> str:
    """The name's words without the common ones, for the similarity score."""
    words = normalize_name(name).split()
    kept = [word for word in words if word not in COMMON_WORDS]
    return " ".join(kept or words)


def same_name(first: str, second: str) -> bool:
    return normalize_name(first) == normalize_name(second)


def similarity(first: str, second: str) -> float:
    """0–100; 100 for the same name."""
    if same_name(first, second):
        return 100.0
    return float(fuzz.token_sort_ratio(name_key(first), name_key(second)))


class DuplicateIndex:
    """Actors (dicts with ``id``, ``name`` and ``country_keys``) grouped by country."""

    def __init__(self, rows: Iterable[Mapping[str, Any]] = ()) -> None:
        self._by_country: dict[str, list[Mapping[str, Any]]] = {}
        for row in rows:
            self.add(row)

    def add(self, row: Mapping[str, Any]) -> None:
        for key in row.get("country_keys") or ():
            self._by_country.setdefault(str(key), []).append(row)

    def matches(
        self, name: str, country_keys: Iterable[str], *, exclude: object = None
    ) -> list[dict[str, Any]]:
        """Actors sharing a country whose name scores at least THRESHOLD, best first."""
        found: dict[object, dict[str, Any]] = {}
        wanted = sorted({key.upper() for key in country_keys})
        for key in wanted:
            for row in self._by_country.get(key, ()):
                if row["id"] == exclude or row["id"] in found:
                    continue
                score = similarity(name, str(row["name"]))
                if score < THRESHOLD:
                    continue
                shared = sorted(set(wanted) & set(row.get("country_keys") or ()))
                reason = "same name" if score == 100.0 else f"similar name, score {score:.1f}"
                found[row["id"]] = {
                    "actor_id": row["id"],
                    "name": row["name"],
                    "score": round(score, 1),
                    "reason": f"{reason}, both in {', '.join(shared)}",
                    "status": row.get("status"),
                    "source": row.get("source"),
                }
        return sorted(found.values(), key=lambda match: (-match["score"], str(match["actor_id"])))


def _stored(session: Session, principal: Principal, dataset: str) -> list[dict[str, Any]]:
    rows = list_actors(session, principal, ActorFilter(dataset=dataset))
    return [row.to_dict() for row in rows if row.status != "rejected"]


def find_duplicates(
    session: Session,
    principal: Principal,
    draft_or_name: ActorDraft | str,
    country_keys: Sequence[str],
    dataset: str = "real",
    *,
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """Stored actors the principal may see that may be the same organisation, best first:
    each ``{actor_id, name, score, reason}`` (and its status and, for analysts, its source)."""
    name = draft_or_name if isinstance(draft_or_name, str) else draft_or_name.name
    index = DuplicateIndex(_stored(session, principal, dataset))
    return index.matches(name, country_keys, exclude=exclude_id)


def duplicate_pairs(
    session: Session, principal: Principal, dataset: str = "real"
) -> list[dict[str, Any]]:
    """Every pair of visible actors that may be duplicates, as a proposed merge: keep the
    published (else the older) record, fold the other into it."""
    rows = _stored(session, principal, dataset)
    index = DuplicateIndex()
    pairs = []
    for row in sorted(rows, key=lambda item: int(item["id"])):
        for match in index.matches(str(row["name"]), row.get("country_keys") or ()):
            keep_first = match["status"] == "published" or row.get("status") != "published"
            keep_id, drop_id = (match["actor_id"], row["id"])
            keep_name, drop_name = (match["name"], row["name"])
            if not keep_first:
                keep_id, drop_id, keep_name, drop_name = drop_id, keep_id, drop_name, keep_name
            pairs.append(
                {
                    "keep_id": keep_id,
                    "keep_name": keep_name,
                    "drop_id": drop_id,
                    "drop_name": drop_name,
                    "score": match["score"],
                    "reason": match["reason"],
                }
            )
        index.add(row)
    return sorted(pairs, key=lambda pair: (-pair["score"], pair["keep_id"], pair["drop_id"]))


@dataclass(frozen=True)
class DraftReview:
    """A draft waiting for review (as the reader may see it) and the actors it may duplicate."""

    actor: Mapping[str, Any]
    duplicates: tuple[Mapping[str, Any], ...]


def drafts_for_review(session: Session, principal: Principal) -> list[DraftReview]:
    """Drafts of every dataset the principal may see, oldest first, each with the stored actors
    of its dataset it may duplicate."""
    found = []
    for dataset in DATASETS:
        for draft in list_actors(session, principal, ActorFilter(dataset=dataset, status="draft")):
            duplicates = find_duplicates(
                session, principal, draft.name, draft.country_keys, dataset, exclude_id=draft.id
            )
            found.append(DraftReview(actor=draft.to_dict(), duplicates=tuple(duplicates)))
    return sorted(found, key=lambda item: (item.actor["created_at"], item.actor["id"]))
