"""`lens lexicon`: the sector lexicon — browse schemes and concepts, ask what an audience calls a
concept, reframe a text for an audience, SKOS export and import, and proposed changes with review.

Only typer and the CLI's own helpers load at import: the lexicon, the store, YAML and rdflib are
imported inside the command that needs them, so that `lens --version` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context, lexicon_revisions
from prevention_lens.cli.lexicon_lookup import (
    ConceptArgument,
    JsonOption,
    published,
    resolve_concept,
    say,
)
from prevention_lens.cli.output import errors, print_json, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from prevention_lens.lexicon.model import Concept, ConceptMapping, Lexicon
    from prevention_lens.lexicon.reframe import Reframed
    from prevention_lens.lexicon.skos import Format

app = typer.Typer(
    help="The sector lexicon: one concept in the words of atrocity prevention, development, "
    "security, humanitarian, human rights, community and peacebuilding work."
)
LanguageOption = Annotated[str, typer.Option("--language", help="en, fr or es.")]
AudienceOption = Annotated[
    str,
    typer.Option("--audience", help="The sector to speak to: ap, dev, sec, hum, hr, com or pb."),
]

SKOS_FORMATS: tuple[Format, ...] = ("turtle", "json-ld")
# What `--format auto` reads off a file's name.
SUFFIXES: dict[str, Format] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}


def _tell(text: str) -> None:
    """A line for people on standard error, so that standard output stays the text itself."""
    errors.print(text, markup=False, highlight=False)


def _check_language(language: str) -> str:
    from prevention_lens.lexicon.model import LANGUAGES

    if language not in LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}",
            field="--language",
        )
    return language


def _check_scheme(scheme: str, option: str) -> str:
    from prevention_lens.lexicon.model import SCHEMES

    if scheme not in SCHEMES:
        choices = ", ".join(f"{code} ({name})" for code, name in SCHEMES.items())
        raise ValidationError(f"unknown scheme {scheme!r}; choose from {choices}", field=option)
    return scheme


def _ordered(lexicon: Lexicon, concept_id: str) -> list[ConceptMapping]:
    """The concept's mappings read from its side, closest kinds first, then by concept: the
    same order however the store happens to hold them."""
    from prevention_lens.lexicon.model import MAPPING_KINDS

    rank = {kind: number for number, kind in enumerate(MAPPING_KINDS)}
    return sorted(
        lexicon.mappings_from(concept_id), key=lambda mapping: (rank[mapping.kind], mapping.target)
    )


def concept_document(lexicon: Lexicon, concept: Concept) -> dict[str, Any]:
    """A concept in the shipped file's form with its mappings read from its side: what `show
    --json` prints and what `propose --from` reads back (JSON is YAML)."""
    from prevention_lens.lexicon.content import concept_to_mapping, mapping_to_mapping
    from prevention_lens.lexicon.model import SCHEMES

    document = concept_to_mapping(concept)
    # SKOS keeps no order, so a concept reads the same before and after an export and import
    # only in one canonical order (the one skos.parse gives).
    rank = {scheme: number for number, scheme in enumerate(SCHEMES)}
    for held in document["labels"].values():
        held["alt"] = sorted(held["alt"])
    document["labels_checked_at"] = sorted(document["labels_checked_at"])
    document["scope_notes"] = sorted(
        document["scope_notes"], key=lambda n: (rank[n["audience"]], n["kind"], n["note"])
    )
    document["no_term"] = sorted(document["no_term"], key=lambda gap: rank[gap["scheme"]])
    document["mappings"] = [mapping_to_mapping(item) for item in _ordered(lexicon, concept.id)]
    return document


@app.command()
def schemes(as_json: JsonOption = False) -> None:
    """The concept schemes (one per sector language) and how many concepts each holds."""
    from prevention_lens.lexicon.model import SCHEMES

    with context.store().session() as session:
        lexicon = published(session)
    rows = [
        {
            "scheme": code,
            "name": name,
            "concepts": len(lexicon.in_scheme(code)),
            "core": sum(concept.core for concept in lexicon.in_scheme(code)),
        }
        for code, name in SCHEMES.items()
    ]
    if as_json:
        print_json({"schemes": rows, "mappings": len(lexicon.mappings)})
        return
    print_table(rows, list(rows[0]), title=f"{len(lexicon.concepts)} concepts in 7 schemes")
    say(
        f"{len(lexicon.mappings)} mappings join them; "
        "`lens lexicon list --scheme dev` lists a scheme's concepts."
    )


@app.command("list")
def list_command(
    scheme: Annotated[
        str | None,
        typer.Option("--scheme", help="Only this scheme: ap, dev, sec, hum, hr, com, pb."),
    ] = None,
    core: Annotated[
        bool, typer.Option("--core", help="Only the core concepts every scheme must cover.")
    ] = False,
    language: LanguageOption = "en",
    as_json: JsonOption = False,
) -> None:
    """Concepts with their labels in a language, by scheme."""
    from prevention_lens.lexicon.model import SCHEMES

    _check_language(language)
    if scheme is not None:
        _check_scheme(scheme, "--scheme")
    with context.store().session() as session:
        lexicon = published(session)
    order = list(SCHEMES)
    concepts = sorted(
        (
            concept
            for concept in lexicon.concepts.values()
            if (scheme is None or concept.scheme == scheme) and (concept.core or not core)
        ),
        key=lambda concept: (order.index(concept.scheme), concept.id),
    )
    rows = [
        {
            "id": concept.id,
            "scheme": concept.scheme,
            "core": concept.core,
            "label": concept.pref_labels.get(language),
            "alt_labels": list(concept.alt_labels.get(language, ())),
            "label_en": concept.pref_labels["en"],
            "mappings": len(lexicon.mappings_from(concept.id)),
        }
        for concept in concepts
    ]
    if as_json:
        print_json({"language": language, "concepts": rows})
        return
    if not rows:
        say("No concepts match these filters.")
        return
    table = [
        {
            "id": concept.id,
            "core": "core" if concept.core else "",
            "label": concept.pref_labels.get(language)
            or f"({concept.pref_labels['en']}; no {language} label)",
            "also": "; ".join(concept.alt_labels.get(language, ())),
            "mappings": len(lexicon.mappings_from(concept.id)),
        }
        for concept in concepts
    ]
    where = SCHEMES[scheme] if scheme else "all schemes"
    missing = sum(1 for row in rows if row["label"] is None)
    print_table(
        table,
        list(table[0]),
        title=f"{len(rows)} {'core ' if core else ''}concepts in {where} ({language})",
    )
    if missing:
        say(f"{missing} have no {language} label yet; their English label is shown.")


@app.command()
def show(concept: ConceptArgument, as_json: JsonOption = False) -> None:
    """One concept: labels in every language, definition and source, scope notes by audience,
    its mappings into other schemes with their rationale, and where a scheme has no term."""
    from prevention_lens.lexicon.model import NOTE_BASES, NOTE_KINDS, SCHEMES

    with context.store().session() as session:
        lexicon = published(session)
    found = resolve_concept(lexicon, concept)
    document = concept_document(lexicon, found)
    if as_json:
        print_json(document)
        return
    say(f"{found.id}: {found.label()}")
    say(f"{SCHEMES[found.scheme]}{' · core concept' if found.core else ''}")
    say("")
    for language, held in document["labels"].items():
        also = "; ".join(held["alt"])
        say(f"  {language}: {held['pref']}" + (f" (also: {also})" if also else ""))
    if document["labels_checked_at"]:
        say(f"  labels checked at: {', '.join(document['labels_checked_at'])}")
    say("")
    say(found.definition or "(no agreed definition; see the note)")
    if found.source is not None:
        say(f"Source: {found.source.citation}")
        say(f"Checked at: {found.source.url}")
    if found.note:
        say(f"Note: {found.note}")
    if document["scope_notes"]:
        say("")
        print_table(
            [
                {
                    "audience": f"{SCHEMES[note['audience']]} ({note['audience']})",
                    "kind": NOTE_KINDS[note["kind"]],
                    "note": note["note"],
                    "basis": NOTE_BASES[note["basis"]],
                }
                for note in document["scope_notes"]
            ],
            ["audience", "kind", "note", "basis"],
            title="Scope notes: how the term lands with each audience",
        )
    if document["mappings"]:
        say("")
        print_table(
            [
                {
                    "kind": mapping["kind"],
                    "concept": mapping["target"],
                    "label": lexicon.concepts[mapping["target"]].label(),
                    "rationale": mapping["rationale"],
                }
                for mapping in document["mappings"]
            ],
            ["kind", "concept", "label", "rationale"],
            title=f"Mappings, read from {found.id} ('broader': the other concept is broader)",
        )
    for gap in document["no_term"]:
        say(f"No {SCHEMES[gap['scheme']]} term: {gap['rationale']}")


@app.command()
def term(
    concept: ConceptArgument,
    audience: AudienceOption,
    language: LanguageOption = "en",
    as_json: JsonOption = False,
) -> None:
    """What an audience calls a concept (its own concept, or an exact or close match in its
    scheme); when it has none, why, and the nearest concepts it does have."""
    from prevention_lens.lexicon.model import NOTE_KINDS, SCHEMES
    from prevention_lens.lexicon.records import audience_term

    _check_scheme(audience, "--audience")
    _check_language(language)
    with context.store().session() as session:
        lexicon = published(session)
        found = resolve_concept(lexicon, concept)
        answer = audience_term(session, found.id, audience, language)
    nearest = [] if answer is not None else lexicon.nearest_for(found.id, audience)
    notes = found.notes_for(audience)
    no_term = found.no_term.get(audience) if answer is None else None
    if as_json:
        print_json(
            {
                "concept": found.id,
                "audience": audience,
                "language": language,
                "term": None if answer is None else answer.to_dict(language),
                "no_term": no_term,
                "nearest": [item.to_dict(language) for item in nearest],
                "scope_notes": [
                    {"kind": note.kind, "note": note.note, "basis": note.basis} for note in notes
                ],
            }
        )
        return
    name = SCHEMES[audience]
    if answer is not None:
        own = answer.concept.id == found.id
        say(f"{name}: {answer.concept.label(language)} ({answer.concept.id})")
        if not own:
            say(f"{answer.kind} match for {found.id}: {answer.rationale}")
    else:
        say(f"{name} has no term that can stand for {found.id} ({found.label(language)}).")
        if no_term:
            say(f"Why: {no_term}")
        for item in nearest:
            say(
                f"Nearest: {item.concept.label(language)} ({item.concept.id}), {item.kind}: "
                f"{item.rationale}"
            )
        if not no_term and not nearest:
            say("No mapping joins it to that scheme.")
    for note in notes:
        say(f"{NOTE_KINDS[note.kind]} with {name}: {note.note}")


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    file = Path(path)
    if not file.is_file():
        raise ValidationError("file does not exist", file=path)
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError("not UTF-8 text", file=path) from None


@app.command()
def reframe(
    source: Annotated[
        str, typer.Argument(help="The text file to reframe, or - for standard input.")
    ],
    audience: AudienceOption,
    language: LanguageOption = "en",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the reframed text here (default: standard output)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rewrite a text's terms in the audience's words (whole terms and their inflections, case
    kept, quotations untouched); every change and every term sensitive for the audience is
    listed on standard error."""
    from prevention_lens.lexicon.reframe import reframe as reframe_text

    _check_scheme(audience, "--audience")
    _check_language(language)
    text = _read_text(source)
    with context.store().session() as session:
        lexicon = published(session)
    result = reframe_text(lexicon, text, audience, language=language)
    if output is not None:
        output.write_text(result.text, encoding="utf-8")
    if as_json:
        print_json(result.to_dict())
        return
    if output is None:
        sys.stdout.write(result.text)
        if result.text and not result.text.endswith("\n"):
            sys.stdout.write("\n")
    _report_reframe(result, output)


def _report_reframe(result: Reframed, output: Path | None) -> None:
    """The changes and flags of a reframed text, for people, on standard error."""
    from prevention_lens.lexicon.reframe import reframe_summary

    if output is not None:
        _tell(f"Wrote the reframed text to {output}.")
    _tell(reframe_summary(result))


def _known_format(fmt: str, *, auto: bool = False) -> Format:
    for known in SKOS_FORMATS:
        if fmt == known:
            return known
    choices = ", ".join(("auto", *SKOS_FORMATS) if auto else SKOS_FORMATS)
    raise ValidationError(f"unknown format {fmt!r}; choose from {choices}", field="--format")


def _skos_format(path: Path, text: str, fmt: str) -> Format:
    if fmt != "auto":
        return _known_format(fmt, auto=True)
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "["):
        return "json-ld"
    if start in ("@", "<", "#") or text.lstrip().upper().startswith("PREFIX"):
        return "turtle"
    raise ValidationError(
        "cannot tell the format from the file's name (.ttl, .jsonld) or its start; "
        "give --format turtle or json-ld",
        file=str(path),
    )


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="turtle or json-ld.")] = "turtle",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
) -> None:
    """The whole lexicon as SKOS (Turtle or JSON-LD), for anyone to reuse; `lens lexicon
    import` reads it back."""
    chosen = _known_format(fmt)
    from prevention_lens.lexicon.skos import serialize

    with context.store().session() as session:
        lexicon = published(session)
    content = serialize(lexicon, chosen)
    if output is None:
        sys.stdout.write(content)
        return
    output.write_text(content, encoding="utf-8")
    say(
        f"Wrote {len(lexicon.concepts)} concepts and {len(lexicon.mappings)} mappings to "
        f"{output} ({fmt})."
    )


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A SKOS file (Turtle or JSON-LD).")],
    fmt: Annotated[
        str, typer.Option("--format", help="auto (from the name or start), turtle or json-ld.")
    ] = "auto",
) -> None:
    """Replace the stored lexicon with a SKOS file (admins): the whole file is checked first
    and nothing changes unless all of it is sound; each changed concept's history records it."""
    from prevention_lens.lexicon.records import replace_lexicon, stored_lexicon
    from prevention_lens.lexicon.skos import parse

    text = _read_text(str(path))
    chosen = _skos_format(path, text, fmt)
    imported = parse(text, chosen, file=str(path))
    with context.store().session() as session:
        before = set(stored_lexicon(session).concepts)
        changed = replace_lexicon(session, context.operator(), imported)
    added = sorted(set(imported.concepts) - before)
    removed = sorted(before - set(imported.concepts))
    say(
        f"Imported {len(imported.concepts)} concepts and {len(imported.mappings)} mappings from "
        f"{path.name} ({chosen}): {changed} concepts changed, {len(added)} added, "
        f"{len(removed)} removed."
    )
    if added:
        say(f"Added: {', '.join(added)}")
    if removed:
        say(f"Removed: {', '.join(removed)}")


lexicon_revisions.register(app)
