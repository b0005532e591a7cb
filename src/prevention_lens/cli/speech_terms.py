"""`lens speech terms`: the hate-speech term lexicon — list, show a term with its hateful and
neutral senses and where monitoring saw it, add terms for review, edit a term in place, admin
review, import CSV or HurtLex files with provenance, and export.

The lexicon domain, the store and YAML load inside the commands that need them.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from prevention_lens.speech.lexicon import TermRecord
    from prevention_lens.store.access import Principal

app = typer.Typer(
    help="The hate-speech term lexicon: terms with their hateful and neutral senses, targeted "
    "groups, why they inflame and what to say instead; drafts are reviewed by an admin."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
# `--format` of `lens speech terms import`, and the ingest format each one runs.
IMPORT_FORMATS = {"csv": "speech-terms-csv", "hurtlex": "speech-hurtlex"}


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _senses(record: TermRecord) -> str:
    return "; ".join(f"{sense.kind}: {sense.meaning}" for sense in record.senses)


def _row(record: TermRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "term": record.term,
        "language": record.language,
        "status": record.status,
        "severity": record.severity,
        "targeted_groups": list(record.targeted_groups),
        "countries": list(record.countries),
        "senses": ", ".join(
            f"{count} {kind}" for kind, count in Counter(s.kind for s in record.senses).items()
        ),
        "origin": record.origin,
    }


@app.command("list")
def list_command(
    language: Annotated[str | None, typer.Option(help="Language code (en, fr, my, …).")] = None,
    status: Annotated[
        str | None, typer.Option(help="draft, published or rejected (default: all you may see).")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Terms used in this country.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Words in the term, its variants or its meanings.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Lexicon terms with their language, status, severity, targeted groups and senses."""
    from prevention_lens.speech.lexicon import list_terms

    with context.store().session() as session:
        records = list_terms(
            session,
            context.operator(),
            language=language,
            status=status,
            country=country,
            query=search,
        )
    if as_json:
        print_json({"terms": [record.to_dict() for record in records]})
        return
    if not records:
        _say(
            "No lexicon terms match these filters. `lens speech terms import FILE` imports a "
            "lexicon; `lens speech terms add` adds a term."
        )
        return
    rows = [_row(record) for record in records]
    print_table(rows, list(rows[0]), title=f"{len(rows)} lexicon term(s)")
    licences = Counter(record.licence for record in records if record.licence)
    for licence, count in sorted(licences.items()):
        _say(f"Licence of {count} of these terms: {licence}")


def _term_named(session: Session, principal: Principal, given: str) -> TermRecord:
    """The term a number or a text names: a text is the term or one of its variants, written
    any way the lexicon compares terms ("Kalar-Htaing" is "kalar htaing")."""
    from prevention_lens.errors import NotFoundError
    from prevention_lens.speech.lexicon import get_term, list_terms
    from prevention_lens.speech.units import normalise_term

    text = given.strip()
    if text.isascii() and text.isdigit():
        return get_term(session, principal, int(text))
    wanted = normalise_term(text)
    found = [
        record
        for record in (list_terms(session, principal, query=text) if wanted else [])
        if wanted in (record.normalized, *map(normalise_term, record.script_variants))
    ]
    if not found:
        raise NotFoundError(f"no term {text!r}; `lens speech terms list --search …` searches")
    if len(found) > 1:
        choices = ", ".join(f"{record.id} ({record.language})" for record in found)
        raise ValidationError(
            f"{len(found)} terms are written {text!r}: {choices}; choose one by its number, "
            f"e.g. `lens speech terms show {found[0].id}`"
        )
    return found[0]


@app.command()
def show(
    term: Annotated[
        str,
        typer.Argument(
            help="The term's number (`lens speech terms list`), or the term or a variant as "
            "written."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """One term: variants, countries, targeted groups, severity, why it inflames, alternatives,
    first and last seen, origin and licence, and each sense with its phrases, cues and examples."""
    with context.store().session() as session:
        record = _term_named(session, context.operator(), term)
    if as_json:
        print_json(record.to_dict())
        return
    from prevention_lens.speech.lexicon import SEVERITIES

    # Short fields as a record; prose as paragraphs, which stay readable in a log.
    print_record(
        {
            "term": record.term,
            "language": record.language,
            "status": record.status,
            "severity": f"{record.severity} ({SEVERITIES.get(record.severity, '')})",
            "also_written": list(record.script_variants),
            "countries": list(record.countries),
            "targeted_groups": list(record.targeted_groups),
            "instead_say": list(record.alternatives),
            "first_seen": record.first_seen,
            "last_seen": record.last_seen,
            "origin": record.origin,
            "import": record.import_id,
            "created": _by(record.created_at, record.created_by),
            "reviewed": _by(record.reviewed_at, record.reviewed_by),
            "example": "yes: a made-up example term" if record.example else "",
        },
        title=f"Lexicon term {record.id}",
    )
    rows = [
        {
            "sense": sense.kind,
            "meaning": sense.meaning,
            "phrases": list(sense.phrases),
            "cues": list(sense.cues),
            "examples": list(sense.examples),
        }
        for sense in record.senses
    ]
    if rows:
        print_table(rows, list(rows[0]), title="Senses (phrases: where the term has that sense)")
    for label, text in (
        ("Why it inflames", record.why_inflames),
        ("Source", record.source_url),
        ("Notes", record.notes),
        ("Licence", record.licence),
    ):
        if text:
            _say(f"{label}: {text}")
    _print_sightings(record.id)


def _print_sightings(term_id: int) -> None:
    from prevention_lens.speech.sightings import term_sightings

    with context.store().session() as session:
        found = term_sightings(session, context.operator(), term_id)
    if not found:
        _say("No monitored post holds this term yet.")
        return
    rows = [
        {
            "country": sighting.country_key + (" (example data)" if sighting.example else ""),
            "used": sighting.used,
            "harmless_sense": sighting.neutral,
            "mentioned": sighting.mentioned,
            "first_seen": sighting.first_week,
            "last_used": sighting.last_used_week or "",
        }
        for sighting in found
    ]
    print_table(rows, list(rows[0]), title="Seen in monitored posts (weeks of)")


@app.command()
def sightings(
    term_id: Annotated[int, typer.Argument(help="The term's number (`lens speech terms list`).")],
    as_json: JsonOption = False,
) -> None:
    """Where monitoring has seen the term: per country, the stored posts that used it to hurt,
    used it in a harmless sense or only mentioned it, with the first week and the last use.
    Counts only."""
    if as_json:
        from prevention_lens.speech.sightings import term_sightings

        with context.store().session() as session:
            found = term_sightings(session, context.operator(), term_id)
        print_json({"term_id": term_id, "sightings": [item.to_dict() for item in found]})
        return
    _print_sightings(term_id)


def _by(when: object, who: str | None) -> str:
    moment = when.strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else ""
    return " by ".join(part for part in (moment, who or "") if part)


def _read_terms(path: Path) -> list[dict[str, Any]]:
    """Terms as mappings from a YAML or JSON file: one mapping, a list, or `terms:` a list."""
    from prevention_lens.yamlfile import read_yaml

    content = read_yaml(path)
    if isinstance(content, dict) and isinstance(content.get("terms"), list):
        content = content["terms"]
    items = content if isinstance(content, list) else [content]
    if not items or not all(isinstance(item, dict) for item in items):
        raise ValidationError(
            "the file must hold a term as a mapping (term:, language:, senses:, …) or a list "
            "of them",
            file=str(path),
        )
    return [{str(key): value for key, value in item.items()} for item in items]


@app.command()
def add(
    source: Annotated[
        Path | None,
        typer.Option("--from", help="A YAML or JSON file: one term as a mapping, or a list."),
    ] = None,
    term: Annotated[str | None, typer.Option(help="The term as written.")] = None,
    language: Annotated[str | None, typer.Option(help="Its language code (en, my, …).")] = None,
    hateful: Annotated[
        str | None, typer.Option(help="What the term means in its hateful sense.")
    ] = None,
    neutral: Annotated[
        list[str] | None,
        typer.Option(
            help="A neutral sense as MEANING=PHRASE[,PHRASE] (repeat), e.g. 'chair=kalar htaing'."
        ),
    ] = None,
    variant: Annotated[
        list[str] | None, typer.Option(help="Another spelling or script (repeat).")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="A country it is used in (repeat).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="A group it targets (repeat).")
    ] = None,
    severity: Annotated[int | None, typer.Option(min=1, max=3, help="1 mild … 3 severe.")] = None,
    why: Annotated[str | None, typer.Option(help="Why it inflames.")] = None,
    alternative: Annotated[
        list[str] | None, typer.Option(help="A word to use instead (repeat).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add terms as drafts for admin review, from a YAML or JSON file or from options."""
    from prevention_lens.speech.lexicon import TermDraft, add_terms

    if source is not None:
        if term is not None:
            raise ValidationError("give --from FILE or --term, not both", field="--term")
        items = _read_terms(source)
    elif term is not None:
        items = [
            _from_options(
                term,
                language,
                hateful,
                neutral or [],
                variant,
                country,
                group,
                severity,
                why,
                alternative,
            )
        ]
    else:
        raise ValidationError("give --from FILE or --term TERM --language XX", field="--term")
    where = str(source) if source is not None else None
    drafts = []
    for number, item in enumerate(items, start=1):
        try:
            drafts.append(TermDraft.from_mapping(item))
        except ValidationError as error:
            if where is None:
                raise
            raise ValidationError(
                error.problem,
                file=where,
                entry=error.entry or f"term {number}",
                field=error.field,
            ) from None
    with context.store().session() as session:
        records = add_terms(session, context.operator(), drafts, origin="manual", file=where)
    if as_json:
        print_json({"terms": [record.to_dict() for record in records]})
        return
    for record in records:
        _say(f"Added term {record.id} ({record.term}, {record.language}) as a {record.status}.")
    _say("`lens speech terms review ID --publish` publishes one (admins).")


def _from_options(
    term: str,
    language: str | None,
    hateful: str | None,
    neutral: list[str],
    variants: list[str] | None,
    countries: list[str] | None,
    groups: list[str] | None,
    severity: int | None,
    why: str | None,
    alternatives: list[str] | None,
) -> dict[str, Any]:
    senses: list[dict[str, Any]] = []
    if hateful:
        senses.append({"kind": "hateful", "meaning": hateful})
    senses.extend(_neutral_sense(value, "--neutral") for value in neutral)
    item: dict[str, Any] = {
        "term": term,
        "language": language,
        "senses": senses,
        "script_variants": variants or [],
        "countries": countries or [],
        "targeted_groups": groups or [],
        "why_inflames": why or "",
        "alternatives": alternatives or [],
    }
    if severity is not None:
        item["severity"] = severity
    return item


@app.command()
def review(
    term_id: Annotated[
        int | None, typer.Argument(help="The term to decide on (without it: list the drafts).")
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the term.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the term.")] = False,
    note: Annotated[str, typer.Option(help="Why, kept with the decision.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Admin review: without ID, the drafts waiting; with it, publish (the matcher uses it from
    then on) or reject it."""
    from prevention_lens.speech.lexicon import list_terms, review_term

    chosen = [name for name, flag in (("publish", publish), ("reject", reject)) if flag]
    if term_id is None:
        if chosen or note:
            raise ValidationError(
                "name the term to decide on: lens speech terms review ID --publish", field="ID"
            )
        with context.store().session() as session:
            drafts = list_terms(session, context.operator(), status="draft")
        if as_json:
            print_json({"drafts": [record.to_dict() for record in drafts]})
            return
        if not drafts:
            _say("No draft terms wait for review.")
            return
        rows = [_row(record) | {"senses": _senses(record)} for record in drafts]
        print_table(rows, list(rows[0]), title=f"{len(rows)} draft term(s) for review")
        _say("`lens speech terms review ID --publish` (or --reject) decides one.")
        return
    if len(chosen) != 1:
        raise ValidationError("give exactly one of --publish or --reject", field="decision")
    with context.store().session() as session:
        record = review_term(session, context.operator(), term_id, chosen[0], note)
    if as_json:
        print_json(record.to_dict())
        return
    _say(f"Term {record.id} ({record.term}, {record.language}) is now {record.status}.")


@app.command()
def edit(
    term_id: Annotated[int, typer.Argument(help="The term's number (`lens speech terms list`).")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A YAML or JSON mapping of the fields to change (`show ID --json` gives them).",
        ),
    ] = None,
    term: Annotated[str | None, typer.Option(help="The term as written.")] = None,
    language: Annotated[str | None, typer.Option(help="Its language code.")] = None,
    add_neutral: Annotated[
        list[str] | None,
        typer.Option(help="Add a neutral sense as MEANING=PHRASE[,PHRASE] (repeat)."),
    ] = None,
    variant: Annotated[
        list[str] | None, typer.Option(help="The other spellings and scripts (repeat; replaces).")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="The countries it is used in (repeat; replaces).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="The groups it targets (repeat; replaces).")
    ] = None,
    severity: Annotated[int | None, typer.Option(min=1, max=3, help="1 mild … 3 severe.")] = None,
    why: Annotated[str | None, typer.Option(help="Why it inflames.")] = None,
    alternative: Annotated[
        list[str] | None, typer.Option(help="The words to use instead (repeat; replaces).")
    ] = None,
    first_seen: Annotated[str | None, typer.Option(help="First seen, YYYY-MM-DD.")] = None,
    last_seen: Annotated[str | None, typer.Option(help="Last seen, YYYY-MM-DD.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Where it is documented.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes kept with the term.")] = None,
    note: Annotated[str, typer.Option(help="Why you changed it, for the audit log.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Change a term in place, keeping its status: analysts edit drafts, admins any term (a
    published term's new content is matched at once). Fields not given keep their values."""
    from prevention_lens.speech.lexicon import TermDraft, get_term, update_term

    options: dict[str, Any] = {
        "term": term,
        "language": language,
        "script_variants": variant,
        "countries": country,
        "targeted_groups": group,
        "severity": severity,
        "why_inflames": why,
        "alternatives": alternative,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "source_url": source_url,
        "notes": notes,
    }
    changes = {name: value for name, value in options.items() if value is not None}
    where = str(source) if source is not None else None
    with context.store().session() as session:
        principal = context.operator()
        current = get_term(session, principal, term_id)
        values = current.draft_values()
        if source is not None:
            values.update(_edits_from_file(source, current))
        values.update(changes)
        for value in add_neutral or []:
            values["senses"] = [*values["senses"], _neutral_sense(value, "--add-neutral")]
        if values == current.draft_values():
            raise ValidationError(
                "nothing to change: give --from FILE or the fields to change (see --help)"
            )
        try:
            draft = TermDraft.from_mapping(values)
        except ValidationError as error:
            raise ValidationError(
                error.problem, file=where, field=error.field, entry=error.entry
            ) from None
        record = update_term(session, principal, term_id, draft, note=note)
    if as_json:
        print_json(record.to_dict())
        return
    _say(f"Term {record.id} ({record.term}, {record.language}) is updated; it is {record.status}.")


# Fields a stored term has that an edit cannot change (`show --json` prints them too).
_KEPT = (
    *("id", "normalized", "status", "origin", "example", "import_id"),
    *("created_at", "created_by", "reviewed_at", "reviewed_by"),
)


def _edits_from_file(path: Path, current: TermRecord) -> dict[str, Any]:
    """The fields a file changes. What the lexicon keeps itself (id, status, who created it) may
    stand in the file as `show --json` printed it, but not changed."""
    items = _read_terms(path)
    if len(items) != 1:
        raise ValidationError(f"holds {len(items)} terms; give one to edit", file=str(path))
    (item,) = items
    stored = current.to_dict()
    for name in _KEPT:
        if name in item and item.pop(name) != stored[name]:
            how = "`lens speech terms review`" if name == "status" else "the lexicon"
            raise ValidationError(
                f"cannot be changed by an edit (it is kept by {how})",
                file=str(path),
                field=name,
                entry=current.term,
            )
    return item


def _neutral_sense(value: str, option: str) -> dict[str, Any]:
    meaning, sep, phrases = value.partition("=")
    if not sep or not meaning.strip():
        raise ValidationError(
            f"{value!r} is not MEANING=PHRASE[,PHRASE] (e.g. 'chair=kalar htaing')",
            field=option,
        )
    return {
        "kind": "neutral",
        "meaning": meaning.strip(),
        "phrases": [phrase.strip() for phrase in phrases.split(",") if phrase.strip()],
    }


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A lexicon CSV, or a HurtLex TSV (hurtlex_XX.tsv).")],
    fmt: Annotated[str, typer.Option("--format", help="csv or hurtlex.")] = "csv",
    as_json: JsonOption = False,
) -> None:
    """Import terms as drafts for admin review, with provenance (file, checksum, import); a
    file with a bad row writes nothing. HurtLex's language comes from its file name, and its
    licence (CC BY-NC-SA 4.0, non-commercial) is kept on every term and shown with it."""
    from prevention_lens.cli.data import import_file

    if fmt not in IMPORT_FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}; choose from {', '.join(IMPORT_FORMATS)}", field="--format"
        )
    import_file(IMPORT_FORMATS[fmt], path, skip_invalid=False, as_json=as_json)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv (imports back) or json.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    public: Annotated[
        bool, typer.Option(help="Only what an anonymous reader may see (published terms).")
    ] = False,
) -> None:
    """Export terms through the access policy: CSV in the import's columns, or JSON."""
    from prevention_lens.speech.exports import EXPORT_FORMATS, export_terms
    from prevention_lens.speech.lexicon import list_terms
    from prevention_lens.store.access import ANONYMOUS

    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}", field="--format"
        )
    with context.store().session() as session:
        records = list_terms(
            session, ANONYMOUS if public else context.operator(), language=language
        )
    content = export_terms(records, fmt)
    if output is None:
        sys.stdout.write(content)
        return
    output.write_text(content, encoding="utf-8")
    _say(f"Wrote {len(records)} term(s) to {output} ({fmt}).")
