"""Reading the hate-speech corpora: Davidson's classes, MLMA's hostility types mapped to our
labels, HateCheck's cases; bad values name the file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_corpora import (
    DAVIDSON,
    HATECHECK,
    MLMA_FILES,
    hatecheck_cases,
    mlma_label,
    read_davidson,
    read_hatecheck,
    read_mlma,
    training_examples,
)
from tests.conftest import sources_folder

DAVIDSON_HEADER = ",count,hate_speech,offensive_language,neither,class,tweet\n"
MLMA_HEADER = "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n"
HATECHECK_HEADER = (
    ",functionality,case_id,test_case,label_gold,target_ident,direction,focus_words,"
    "focus_lemma,ref_case_id,ref_templ_id,templ_id,case_templ\n"
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_davidson_classes_become_our_labels(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "d.csv",
        DAVIDSON_HEADER
        + "0,3,2,1,0,0,they are all vermin\n1,3,0,3,0,1,shut up you fool\n"
        + '2,3,0,0,3,2,"nice day, see you"\n',
    )
    examples = read_davidson(path)
    assert [e.label for e in examples] == ["hateful", "offensive", "neither"]
    assert examples[2].text == "nice day, see you"
    assert (examples[0].corpus, examples[0].row, examples[0].language) == ("davidson", 2, "en")
    assert examples[0].target is None and examples[0].group is None


def test_a_bad_davidson_class_names_file_row_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", DAVIDSON_HEADER + "0,3,0,0,3,2,fine\n1,3,0,0,3,7,odd\n")
    with pytest.raises(ValidationError) as raised:
        read_davidson(path)
    assert (raised.value.file, raised.value.row, raised.value.field) == ("d.csv", 3, "class")
    assert "'7'" in str(raised.value)


@pytest.mark.parametrize(
    ("sentiment", "label"),
    [
        ("hateful", "hateful"),
        ("hateful_normal", "hateful"),
        ("fearful_abusive_offensive_hateful_disrespectful", "hateful"),
        ("offensive", "offensive"),
        ("abusive_disrespectful", "offensive"),
        ("offensive_normal", "offensive"),
        ("fearful", "offensive"),
        ("normal", "neither"),
    ],
)
def test_mlma_hostility_types_map_by_precedence(sentiment: str, label: str) -> None:
    assert mlma_label(tuple(sentiment.split("_"))) == label


def test_mlma_rows_keep_target_and_group(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "fr_dataset.csv",
        MLMA_HEADER + "1,ce sont des rats,hateful_normal,direct,anger,origin,arabs\n"
        "2,bonne journée,normal,indirect,indifference,other,other\n",
    )
    first, second = read_mlma(path, "fr")
    assert (first.corpus, first.language, first.label) == ("mlma-fr", "fr", "hateful")
    assert (first.target, first.group) == ("origin", "arabs")
    assert second.label == "neither"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("1,texte,hateful_angry,direct,anger,origin,arabs\n", "sentiment"),
        ("1,texte,hateful,direct,anger,planet,arabs\n", "target"),
        ("1,,hateful,direct,anger,origin,arabs\n", "tweet"),
    ],
)
def test_a_bad_mlma_value_names_file_row_and_field(tmp_path: Path, row: str, field: str) -> None:
    path = _write(tmp_path / "fr_dataset.csv", MLMA_HEADER + row)
    with pytest.raises(ValidationError) as raised:
        read_mlma(path, "fr")
    assert (raised.value.file, raised.value.row, raised.value.field) == ("fr_dataset.csv", 2, field)


def test_hatecheck_cases_with_their_gold_label_and_target(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "cases.csv",
        HATECHECK_HEADER
        + '0,counter_quote_nh,7,"Saying ""I hate them"" is wrong.",non-hateful,Muslims,,,,,,1,x\n'
        + "1,threat_dir_h,8,I will hurt them.,hateful,immigrants,general,,,,,2,x\n"
        + "2,target_obj_nh,9,I hate rainy days.,non-hateful,,,,,,,3,x\n",
    )
    quote, threat, other = read_hatecheck(path)
    assert (quote.functionality, quote.hateful, quote.target) == (
        "counter_quote_nh",
        False,
        "religion",
    )
    assert quote.text == 'Saying "I hate them" is wrong.'
    assert (threat.case_id, threat.hateful, threat.target) == (8, True, "origin")
    assert other.target_ident is None and other.target is None


def test_a_bad_gold_label_names_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "cases.csv",
        HATECHECK_HEADER + "0,slur_h,1,text,maybe,women,,,,,,1,x\n",
    )
    with pytest.raises(ValidationError) as raised:
        read_hatecheck(path)
    assert (raised.value.row, raised.value.field) == (2, "label_gold")


def test_training_examples_read_every_corpus_in_order(tmp_path: Path) -> None:
    _write(tmp_path / DAVIDSON, DAVIDSON_HEADER + "0,3,0,0,3,2,hello\n")
    for language, relative in MLMA_FILES.items():
        _write(
            tmp_path / relative, MLMA_HEADER + f"1,{language} text,normal,direct,x,other,other\n"
        )
    corpora = [example.corpus for example in training_examples(tmp_path)]
    assert corpora == ["davidson", "mlma-en", "mlma-fr", "mlma-ar"]


def test_a_missing_corpus_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        training_examples(tmp_path)


@pytest.mark.shared_data
def test_the_real_corpora_read_whole() -> None:
    sources = sources_folder()
    if not (sources / DAVIDSON).is_file() or not (sources / HATECHECK).is_file():
        pytest.skip(f"the speech corpora are not under {sources}")
    examples = training_examples(sources)
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.corpus] = counts.get(example.corpus, 0) + 1
    assert counts == {"davidson": 24783, "mlma-en": 5647, "mlma-fr": 4014, "mlma-ar": 3353}
    davidson_hate = sum(1 for e in examples if e.corpus == "davidson" and e.label == "hateful")
    assert davidson_hate == 1430
    cases = hatecheck_cases(sources)
    assert len(cases) == 3728
    assert sum(case.hateful for case in cases) == 2563
