"""The labelled hate-speech corpora the speech classifier learns from and is evaluated on, read
from the shared data folder into frozen records (content warning: the texts hold slurs).

- Davidson et al. (2017), tweets labelled hate / offensive / neither (MIT licence): training.
- MLMA, Ousidhoum et al. (2019), tweets in English, French and Arabic with hostility types, the
  targeted attribute and group (MIT licence): training.
- HateCheck, Röttger et al. (2021), functional test cases (CC BY 4.0): evaluation only.

MLMA's hostility types map to our three labels by precedence (``mlma_label``): any "hateful" →
"hateful"; otherwise any of "offensive", "abusive", "disrespectful" or "fearful" → "offensive";
only "normal" → "neither". "fearful" alone is thus "offensive": hostile, not hateful, as the MLMA
authors count every type but "normal" as toxic (their README).

Public API::

    LABELS = ("hateful", "offensive", "neither")
    TARGETS                                  # MLMA target attribute codes
    DAVIDSON, MLMA_FILES, HATECHECK          # paths inside the sources folder
    SpeechExample, HateCheckCase             # frozen records
    mlma_label(hostility) -> str
    read_davidson(path) -> list[SpeechExample]
    read_mlma(path, language) -> list[SpeechExample]
    read_hatecheck(path) -> list[HateCheckCase]
    training_examples(sources) -> list[SpeechExample]   # Davidson + MLMA en, fr, ar
    hatecheck_cases(sources) -> list[HateCheckCase]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows

LABELS = ("hateful", "offensive", "neither")
TARGETS = ("origin", "religion", "gender", "sexual_orientation", "disability", "other")
HOSTILITY = ("hateful", "offensive", "abusive", "disrespectful", "fearful", "normal")

DAVIDSON = Path("speech/davidson/data_labeled_data.csv")
MLMA_FILES = {
    language: Path(f"speech/mlma/{language}_dataset.csv") for language in ("en", "fr", "ar")
}
HATECHECK = Path("speech/hatecheck-en/test_suite_cases.csv")

_DAVIDSON_CLASSES = {"0": "hateful", "1": "offensive", "2": "neither"}
# HateCheck's seven protected groups as MLMA target attributes (trans people: gender identity).
HATECHECK_TARGETS = {
    "women": "gender",
    "trans people": "gender",
    "gay people": "sexual_orientation",
    "black people": "origin",
    "immigrants": "origin",
    "disabled people": "disability",
    "Muslims": "religion",
}


@dataclass(frozen=True)
class SpeechExample:
    """One labelled text of a training corpus, as written in the file (not yet normalised)."""

    corpus: str  # "davidson", "mlma-en", "mlma-fr", "mlma-ar"
    row: int  # the row in the file; the header is row 1
    language: str
    text: str
    label: str  # one of LABELS
    target: str | None  # MLMA's targeted attribute (TARGETS); None for Davidson
    group: str | None  # MLMA's targeted group ("women", "refugees", ...); None for Davidson

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValidationError(
                f"label {self.label!r} is not one of {', '.join(LABELS)}",
                file=self.corpus,
                row=self.row,
                field="label",
            )
        if self.target is not None and self.target not in TARGETS:
            raise ValidationError(
                f"target {self.target!r} is not one of {', '.join(TARGETS)}",
                file=self.corpus,
                row=self.row,
                field="target",
            )


@dataclass(frozen=True)
class HateCheckCase:
    """One HateCheck functional test case: evaluation only, never training."""

    row: int
    case_id: int
    functionality: str  # e.g. "threat_dir_h", "counter_quote_nh", "slur_reclaimed_nh"
    text: str
    hateful: bool  # label_gold == "hateful"
    target_ident: str | None  # one of HateCheck's seven groups, when the case names one
    target: str | None  # target_ident as an MLMA target attribute


def mlma_label(hostility: tuple[str, ...]) -> str:
    """Our label for MLMA's hostility types (see the module docstring)."""
    if "hateful" in hostility:
        return "hateful"
    if set(hostility) - {"normal"}:
        return "offensive"
    return "neither"


def _required(value: str, file: str, row: int, field: str) -> str:
    if not value:
        raise ValidationError("is empty", file=file, row=row, field=field)
    return value


def read_davidson(path: Path) -> list[SpeechExample]:
    """Davidson et al.'s tweets: class 0 hate speech, 1 offensive, 2 neither."""
    examples = []
    for row, values in read_csv_rows(path, ("class", "tweet")):
        label = _DAVIDSON_CLASSES.get(values["class"])
        if label is None:
            raise ValidationError(
                f"class {values['class']!r} is not 0, 1 or 2",
                file=path.name,
                row=row,
                field="class",
            )
        text = _required(values["tweet"], path.name, row, "tweet")
        examples.append(SpeechExample("davidson", row, "en", text, label, None, None))
    return examples


def read_mlma(path: Path, language: str) -> list[SpeechExample]:
    """MLMA's tweets of one language with our label, the target attribute and group."""
    examples = []
    columns = ("tweet", "sentiment", "target", "group")
    for row, values in read_csv_rows(path, columns):
        hostility = tuple(_required(values["sentiment"], path.name, row, "sentiment").split("_"))
        unknown = [part for part in hostility if part not in HOSTILITY]
        if unknown:
            raise ValidationError(
                f"hostility type {unknown[0]!r} is not one of {', '.join(HOSTILITY)}",
                file=path.name,
                row=row,
                field="sentiment",
            )
        target = _required(values["target"], path.name, row, "target")
        if target not in TARGETS:
            raise ValidationError(
                f"target {target!r} is not one of {', '.join(TARGETS)}",
                file=path.name,
                row=row,
                field="target",
            )
        examples.append(
            SpeechExample(
                corpus=f"mlma-{language}",
                row=row,
                language=language,
                text=_required(values["tweet"], path.name, row, "tweet"),
                label=mlma_label(hostility),
                target=target,
                group=_required(values["group"], path.name, row, "group"),
            )
        )
    return examples


def read_hatecheck(path: Path) -> list[HateCheckCase]:
    """HateCheck's test suite (test_suite_cases.csv)."""
    cases = []
    columns = ("functionality", "case_id", "test_case", "label_gold", "target_ident")
    for row, values in read_csv_rows(path, columns):
        gold = values["label_gold"]
        if gold not in ("hateful", "non-hateful"):
            raise ValidationError(
                f"label_gold {gold!r} is not 'hateful' or 'non-hateful'",
                file=path.name,
                row=row,
                field="label_gold",
            )
        if not values["case_id"].isdigit():
            raise ValidationError(
                f"case_id {values['case_id']!r} is not a whole number",
                file=path.name,
                row=row,
                field="case_id",
            )
        ident = values["target_ident"] or None
        if ident is not None and ident not in HATECHECK_TARGETS:
            raise ValidationError(
                f"target_ident {ident!r} is not one of {', '.join(HATECHECK_TARGETS)}",
                file=path.name,
                row=row,
                field="target_ident",
            )
        cases.append(
            HateCheckCase(
                row=row,
                case_id=int(values["case_id"]),
                functionality=_required(values["functionality"], path.name, row, "functionality"),
                text=_required(values["test_case"], path.name, row, "test_case"),
                hateful=gold == "hateful",
                target_ident=ident,
                target=HATECHECK_TARGETS[ident] if ident is not None else None,
            )
        )
    return cases


def training_examples(sources: Path) -> list[SpeechExample]:
    """Every training text: Davidson, then MLMA English, French and Arabic, in file order."""
    examples = read_davidson(sources / DAVIDSON)
    for language, relative in MLMA_FILES.items():
        examples.extend(read_mlma(sources / relative, language))
    return examples


def hatecheck_cases(sources: Path) -> list[HateCheckCase]:
    return read_hatecheck(sources / HATECHECK)
