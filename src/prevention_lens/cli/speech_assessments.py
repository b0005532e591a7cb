"""`lens speech assess`, `assessments`, `assessment`: analysts' dangerous-speech assessments of
one speech act (the Dangerous Speech Project's elements and hallmarks, the Rabat Plan of
Action's six-part threshold test), dated, with every revision kept.

Registered on the `lens speech` group by ``register``. The assessment domain and YAML load
inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context
from prevention_lens.cli.output import console, print_json, print_record, print_table
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    pass

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _read_mapping(path: Path) -> dict[str, Any]:
    """One assessment as a mapping from a YAML or JSON file (JSON is YAML)."""
    from prevention_lens.yamlfile import read_yaml_mapping

    return read_yaml_mapping(path, holds="one assessment as a mapping (country:, title:, …)")


def _rabat_options(values: list[str]) -> dict[str, dict[str, Any]]:
    """`--rabat intent=2` or `--rabat "intent=2:calls to act"` as {factor: {score, note}}."""
    factors: dict[str, dict[str, Any]] = {}
    for value in values:
        code, sep, rest = value.partition("=")
        score, _, note = rest.partition(":")
        if not sep or not score.strip().isdigit():
            raise ValidationError(
                f"{value!r} is not FACTOR=SCORE or FACTOR=SCORE:NOTE (e.g. intent=2)",
                field="--rabat",
            )
        factors[code.strip()] = {"score": int(score), "note": note.strip()}
    return factors


def template_text() -> str:
    """A YAML sheet to fill in, listing every hallmark, Rabat factor and conclusion."""
    from prevention_lens.speech.frameworks import (
        CONCLUSIONS,
        DSP_ELEMENTS,
        HALLMARKS,
        RABAT_FACTORS,
        RABAT_SCORES,
    )

    questions = {code: element.question for code, element in DSP_ELEMENTS.items()}
    scale = ", ".join(f"{score} {label}" for score, label in RABAT_SCORES.items())
    lines = [
        "# A dangerous-speech assessment: fill it in, then `lens speech assess --from FILE`.",
        "country: ''",
        "title: ''",
        "spoken_on:          # YYYY-MM-DD",
        "post_id:            # the monitored post, if it is one (`lens speech posts list`)",
        f"message: ''         # {questions['message']}",
        f"speaker_role: ''    # {questions['speaker']}",
        "speaker: ''         # who spoke: confidential, only admins read it back",
        f"audience: ''        # {questions['audience']}",
        f"context: ''         # {questions['context']}",
        f"medium: ''          # {questions['medium']}",
        "exact_place: ''     # confidential, only admins read it back",
        "targeted_group: ''",
        "hallmarks: []       # any of:",
    ]
    lines += [f"#   {code}: {hallmark.description}" for code, hallmark in HALLMARKS.items()]
    lines.append(f"rabat:              # each factor scored {scale}; 2 or more needs a note")
    for code, factor in RABAT_FACTORS.items():
        lines.append(f"  {code}: {{score: , note: ''}}   # {factor.question}")
    lines.append("conclusion: ''      # one of:")
    lines += [f"#   {code}: {conclusion.description}" for code, conclusion in CONCLUSIONS.items()]
    lines.append("rationale: ''")
    lines.append("confidentiality: restricted   # or confidential (admins only)")
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add the assessment commands to the `lens speech` group."""
    app.command()(assess)
    app.command()(assessments)
    app.command()(assessment)


def assess(
    source: Annotated[
        Path | None,
        typer.Option("--from", help="A YAML or JSON file holding one assessment as a mapping."),
    ] = None,
    template: Annotated[
        bool, typer.Option("--template", help="Print a YAML sheet to fill in, and stop.")
    ] = False,
    update: Annotated[
        int | None,
        typer.Option("--update", help="Revise this assessment (a new revision; the old is kept)."),
    ] = None,
    note: Annotated[str, typer.Option(help="What changed and why (needed with --update).")] = "",
    country: Annotated[str | None, typer.Option(help="Country name or code.")] = None,
    title: Annotated[str | None, typer.Option(help="A short name for the speech act.")] = None,
    message: Annotated[str | None, typer.Option(help="What was said.")] = None,
    spoken_on: Annotated[str | None, typer.Option(help="When it was said (YYYY-MM-DD).")] = None,
    speaker_role: Annotated[
        str | None, typer.Option(help="The speaker's role and influence (not their name).")
    ] = None,
    speaker: Annotated[
        str | None, typer.Option(help="Who spoke (confidential: only admins read it back).")
    ] = None,
    audience: Annotated[str | None, typer.Option(help="Who heard it, and their fears.")] = None,
    speech_context: Annotated[
        str | None, typer.Option("--context", help="The social and historical context.")
    ] = None,
    medium: Annotated[str | None, typer.Option(help="How it spread.")] = None,
    exact_place: Annotated[
        str | None, typer.Option(help="Exactly where (confidential: only admins read it back).")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="The targeted group.")] = None,
    hallmarks: Annotated[
        list[str] | None,
        typer.Option("--hallmark", help="A hallmark's code (repeat); `--template` lists them."),
    ] = None,
    rabat: Annotated[
        list[str] | None,
        typer.Option(help="A Rabat factor scored 0-3, as FACTOR=SCORE[:NOTE] (repeat)."),
    ] = None,
    conclusion: Annotated[
        str | None,
        typer.Option(
            help="not_dangerous, possibly_dangerous, dangerous, incitement or undetermined."
        ),
    ] = None,
    rationale: Annotated[str | None, typer.Option(help="Why this conclusion.")] = None,
    post: Annotated[int | None, typer.Option("--post", help="The monitored post assessed.")] = None,
    on: Annotated[str | None, typer.Option(help="Date of the assessment (default today).")] = None,
    confidential: Annotated[
        bool, typer.Option("--confidential", help="Admins only (default: analysts and admins).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Record a dangerous-speech assessment (analysts) from a YAML or JSON file, options, or
    both (options win): speaker, audience, message, context, medium, hallmarks and the six
    Rabat factors, with a conclusion and why. `--update ID` revises one and keeps every earlier
    version; `--template` prints a sheet that lists the codes."""
    if template:
        typer.echo(template_text(), nl=False)
        return
    from prevention_lens.speech.assessment_records import draft_from_mapping
    from prevention_lens.speech.assessments import (
        create_assessment,
        get_assessment,
        update_assessment,
    )

    fields: dict[str, Any] = _read_mapping(source) if source is not None else {}
    given = {
        "country": country,
        "title": title,
        "message": message,
        "spoken_on": spoken_on,
        "speaker_role": speaker_role,
        "speaker": speaker,
        "audience": audience,
        "context": speech_context,
        "medium": medium,
        "exact_place": exact_place,
        "targeted_group": group,
        "hallmarks": hallmarks or None,
        "rabat": _rabat_options(rabat) if rabat else None,
        "conclusion": conclusion,
        "rationale": rationale,
        "post_id": post,
        "assessed_on": on,
        "confidentiality": "confidential" if confidential else None,
    }
    fields.update({key: value for key, value in given.items() if value is not None})
    if update is None and note:
        raise ValidationError("--note goes with --update ID", field="--note")
    if update is None and not fields:
        raise ValidationError(
            "give --from FILE or the assessment's options (`--template` prints a sheet)",
            field="--from",
        )
    where = str(source) if source is not None else None
    with context.store().session() as session:
        if update is not None:
            current = get_assessment(session, context.operator(), update)
            draft = _checked(draft_from_mapping, {**current.draft_values(), **fields}, where)
            record = update_assessment(session, context.operator(), update, draft, note=note)
        else:
            draft = _checked(draft_from_mapping, fields, where)
            record = create_assessment(session, context.operator(), draft)
    if as_json:
        print_json(record.to_dict())
        return
    verb = "Revised" if update is not None else "Recorded"
    _say(
        f"{verb} assessment {record.id} (revision {record.revision}) of {record.country_name} "
        f"({record.country_key}): {record.title!r}, {record.conclusion_label.lower()}."
    )
    summary = record.rabat_summary
    if summary.note:
        _say(f"Rabat test: {summary.note}")
    _say(f"`lens speech assessment {record.id}` shows it; --history its revisions.")


def _checked(build: Any, fields: dict[str, Any], where: str | None) -> Any:
    """The draft, with a file's name on any error in what it held."""
    try:
        return build(fields)
    except ValidationError as error:
        if where is None:
            raise
        raise ValidationError(error.problem, file=where, field=error.field) from None


def assessments(
    country: Annotated[
        str | None, typer.Argument(help="Country name or code (default: every country).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Dangerous-speech assessments, newest first (analysts)."""
    from prevention_lens.speech.assessments import list_assessments
    from prevention_lens.store.reference import find_country

    with context.store().session() as session:
        place = find_country(session, country) if country else None
        records = list_assessments(
            session, context.operator(), country=place.key if place else None
        )
    if as_json:
        print_json({"assessments": [record.to_dict() for record in records]})
        return
    if not records:
        _say(
            f"No dangerous-speech assessments{f' of {place.name}' if place else ''} yet; "
            "`lens speech assess --template` prints a sheet to fill in."
        )
        return
    rows = [
        {
            "id": record.id,
            "assessed_on": record.assessed_on,
            "country": record.country_key,
            "title": record.title,
            "targeted_group": record.targeted_group,
            "hallmarks": len(record.hallmarks),
            "rabat_met": f"{len(record.rabat_summary.met)} of 6",
            "conclusion": record.conclusion_label,
            "revision": record.revision,
            "by": record.assessed_by,
        }
        for record in records
    ]
    print_table(rows, list(rows[0]), title=f"{len(rows)} dangerous-speech assessment(s)")
    _say("`lens speech assessment ID` shows one.")


def assessment(
    assessment_id: Annotated[int, typer.Argument(help="The assessment's number.")],
    history: Annotated[
        bool, typer.Option("--history", help="Every revision, oldest first, with its note.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One assessment: the speech act and its five elements, the hallmarks found, each Rabat
    factor's score and note, and the conclusion; with --history, every revision and what it
    changed."""
    from prevention_lens.speech.assessments import assessment_history, get_assessment
    from prevention_lens.speech.frameworks import DSP_ELEMENTS, HALLMARKS, RABAT_FACTORS

    with context.store().session() as session:
        record = get_assessment(session, context.operator(), assessment_id)
        versions = assessment_history(session, context.operator(), assessment_id) if history else []
    if as_json:
        payload = record.to_dict()
        if history:
            payload["history"] = [version.to_dict() for version in versions]
        print_json(payload)
        return
    shown: dict[str, Any] = {
        "title": record.title,
        "country": f"{record.country_name} ({record.country_key})",
        "spoken_on": record.spoken_on,
        "monitored_post": record.post_id,
        "targeted_group": record.targeted_group,
        "speaker_role": record.speaker_role,
    }
    # Present only for readers cleared for confidential fields (the operator is).
    if record.speaker is not None:
        shown["speaker (confidential)"] = record.speaker
    if record.exact_place is not None:
        shown["exact_place (confidential)"] = record.exact_place
    shown |= {
        "level": record.level,
        "assessed": f"{record.assessed_on} by {record.assessed_by}",
        "revision": f"{record.revision} (updated {record.updated_at:%Y-%m-%d %H:%M})",
    }
    print_record(shown, title=f"Dangerous-speech assessment {record.id}")
    # The elements' prose as paragraphs: long answers stay readable in a log.
    for code, text in (
        ("message", record.message),
        ("audience", record.audience),
        ("context", record.context),
        ("medium", record.medium),
    ):
        if text:
            _say(f"{DSP_ELEMENTS[code].label}: {text}")
    _say(
        "Hallmarks: "
        + ("; ".join(HALLMARKS[code].label for code in record.hallmarks) or "none recorded")
    )
    rows = []
    for code, factor in RABAT_FACTORS.items():
        score = record.rabat.get(code)
        rows.append(
            {
                "factor": factor.label,
                "score": "not scored" if score is None else f"{score.score} ({score.label})",
                "note": "" if score is None else score.note,
            }
        )
    print_table(rows, ["factor", "score", "note"], title="Rabat threshold test")
    summary = record.rabat_summary
    _say(f"Conclusion: {record.conclusion_label}. {record.rationale}")
    if summary.note:
        _say(f"Rabat test: {summary.note}")
    if history:
        print_table(
            [
                {
                    "revision": version.revision,
                    "changed_at": version.changed_at,
                    "changed_by": version.changed_by,
                    "note": version.note,
                    "changed": list(version.changed),
                }
                for version in versions
            ],
            ["revision", "changed_at", "changed_by", "note", "changed"],
            title=f"{len(versions)} revision(s), oldest first",
        )
