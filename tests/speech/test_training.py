"""Training: fixed splits, the written exemplars, a reproducible head on a small fixture,
HateCheck kept to evaluation, and the shipped card matching what train() records."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from prevention_lens.embedding import DIMENSIONS
from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import sha256_of
from prevention_lens.sources.speech_corpora import DAVIDSON, HATECHECK, MLMA_FILES
from prevention_lens.speech import training
from prevention_lens.speech.training import (
    RECIPE,
    read_exemplars,
    split_of,
    train,
    training_files,
    write_model,
)
from tests.conftest import sources_folder

SHIPPED = Path(training.__file__).parent / "data"


class BagOfWords:
    """Embeddings for tests: the normalised sum of a fixed random vector per word, so texts
    sharing words lie close together. Records every text asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def vectors(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        self.asked.extend(texts)
        rows = np.zeros((len(texts), DIMENSIONS))
        for i, text in enumerate(texts):
            for word in text.lower().split():
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "big")
                rows[i] += np.random.default_rng(seed).standard_normal(DIMENSIONS)
            rows[i] /= max(np.linalg.norm(rows[i]), 1e-9)
        return rows.astype(np.float32)


HATEFUL = "those {group} are vermin and must go, post {i}"
OFFENSIVE = "shut up you stupid idiot, post {i}"
NEITHER = "lovely weather at the market today, post {i}"


def _fixture(folder: Path, *, flip_hatecheck: bool = False) -> Path:
    """A small copy of the corpora's layout: 90 Davidson rows, 45 per MLMA file, 8 HateCheck."""

    def write(relative: Path, text: str) -> None:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")

    rows = [",count,hate_speech,offensive_language,neither,class,tweet"]
    for i in range(90):
        template, klass = [(HATEFUL, 0), (OFFENSIVE, 1), (NEITHER, 2)][i % 3]
        rows.append(f'{i},3,0,0,3,{klass},"{template.format(group="people", i=i)}"')
    write(DAVIDSON, "\n".join(rows) + "\n")
    sentiments = [("hateful", "origin"), ("offensive", "gender"), ("normal", "religion")]
    for language, relative in MLMA_FILES.items():
        rows = ["HITId,tweet,sentiment,directness,annotator_sentiment,target,group"]
        for i in range(45):
            template = [HATEFUL, OFFENSIVE, NEITHER][i % 3]
            sentiment, target = sentiments[i % 3]
            text = template.format(group="migrants", i=f"{language}{i}")
            rows.append(f'{i},"{text}",{sentiment},direct,anger,{target},other')
        write(relative, "\n".join(rows) + "\n")
    gold = ("non-hateful", "hateful") if flip_hatecheck else ("hateful", "non-hateful")
    cases = [
        ("derog_dehum_h", "Immigrants are vermin.", gold[0], "immigrants"),
        ("threat_dir_h", "I will hurt those women.", gold[0], "women"),
        ("threat_norm_h", "Muslims should be hurt.", gold[0], "Muslims"),
        ("slur_h", "You are a stupid idiot.", gold[0], "women"),
        ("counter_quote_nh", 'Saying "immigrants are vermin" is vile.', gold[1], "immigrants"),
        ("counter_ref_nh", "Calling them vermin is wrong.", gold[1], "immigrants"),
        ("slur_reclaimed_nh", "We are proud and loud.", gold[1], "gay people"),
        ("ident_neutral_nh", "Women go to the market.", gold[1], "women"),
    ]
    rows = [
        ",functionality,case_id,test_case,label_gold,target_ident,direction,focus_words,"
        "focus_lemma,ref_case_id,ref_templ_id,templ_id,case_templ"
    ]
    for i, (function, text, label, ident) in enumerate(cases):
        quoted = text.replace('"', '""')
        rows.append(f'{i},{function},{i + 1},"{quoted}",{label},{ident},,,,,,{i},x')
    write(HATECHECK, "\n".join(rows) + "\n")
    return folder


def test_splits_are_fixed_by_the_text_alone() -> None:
    texts = [f"post number {i}" for i in range(2000)]
    splits = [split_of(text) for text in texts]
    assert splits == [split_of(text) for text in texts]
    shares = {name: splits.count(name) / len(texts) for name in ("train", "calibration", "test")}
    assert shares["train"] == pytest.approx(0.7, abs=0.04)
    assert shares["calibration"] == pytest.approx(0.1, abs=0.03)
    assert shares["test"] == pytest.approx(0.2, abs=0.03)


def test_the_written_exemplars_cover_several_languages_and_both_sides() -> None:
    exemplars = read_exemplars()
    assert set(exemplars.positives) == set(exemplars.near_misses) == {"threat", "dehumanisation"}
    for attribute, positives in exemplars.positives.items():
        negatives = exemplars.negatives(attribute)
        assert len(positives) >= 30 and len(negatives) >= 40
        assert set(exemplars.ordinary) | set(exemplars.hateful[attribute]) <= set(negatives)
        assert any(re.search("[\u0600-\u06ff]", text) for text in positives)  # Arabic
        assert any("é" in text for text in positives)  # French
        assert not set(positives) & set(negatives)


def test_written_hate_teaches_the_label_head_hateful_and_the_rest_neither() -> None:
    exemplars = read_exemplars()
    texts, labels = exemplars.label_rows()
    assert len(texts) == len(labels) == len(set(texts))
    by_text = dict(zip(texts, labels, strict=True))
    assert all(by_text[text] == "hateful" for text in exemplars.positives["threat"])
    assert all(by_text[text] == "hateful" for text in exemplars.hateful["dehumanisation"])
    assert all(by_text[text] == "neither" for text in exemplars.ordinary)
    assert all(by_text[text] == "neither" for text in exemplars.near_misses["threat"])


def test_malformed_exemplars_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "exemplars.yaml"
    path.write_text(
        "ordinary:\n  en: [c]\nthreat:\n  positive:\n    en: [a, b]\n  hateful: {}\n"
        "dehumanisation: {}\n"
    )
    with pytest.raises(ValidationError) as raised:
        read_exemplars(path)
    assert raised.value.field == "threat.hateful"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, training.TrainingResult]:
    sources = _fixture(tmp_path_factory.mktemp("sources"))
    return sources, train(sources, BagOfWords(), seed=3)


def test_training_learns_the_fixture_and_records_its_recipe(
    trained: tuple[Path, training.TrainingResult],
) -> None:
    sources, result = trained
    card = result.card
    assert card["recipe"] == {**RECIPE, "seed": 3}
    assert card["training_data"] == training_files(sources)
    uses = {entry["file"]: entry["use"] for entry in card["training_data"]}
    assert uses[HATECHECK.as_posix()] == "evaluation only"
    assert sum(card["splits"]["test"].values()) > 0
    davidson = card["metrics"]["test_split"]["labels"]["davidson"]
    assert davidson["macro_f1"] == 1.0
    hatecheck = card["metrics"]["hatecheck"]
    assert set(hatecheck["counter_speech"]["functionalities"]) == {
        "counter_quote_nh",
        "counter_ref_nh",
    }
    assert hatecheck["reclaimed_slurs"]["cases"] == 1


def test_training_twice_writes_the_same_files(
    trained: tuple[Path, training.TrainingResult], tmp_path: Path
) -> None:
    sources, first = trained
    second = train(sources, BagOfWords(), seed=3)
    one = write_model(first, tmp_path / "one")
    two = write_model(second, tmp_path / "two")
    assert [path.name for path in one] == ["head.npz", "model_card.json"]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes()
    card = json.loads(one[1].read_text())
    assert card["head"]["sha256"] == sha256_of(one[0])
    assert card["model_version"] == f"speech-{training.FORMAT}-{card['head']['sha256'][:12]}"


def test_hatecheck_never_shapes_the_head(tmp_path: Path) -> None:
    plain = train(_fixture(tmp_path / "a"), BagOfWords())
    flipped = train(_fixture(tmp_path / "b", flip_hatecheck=True), BagOfWords())
    heads = [
        write_model(result, tmp_path / name)[0] for result, name in ((plain, "p"), (flipped, "f"))
    ]
    assert heads[0].read_bytes() == heads[1].read_bytes()
    assert plain.card["metrics"]["hatecheck"] != flipped.card["metrics"]["hatecheck"]


def test_progress_is_reported_step_by_step(tmp_path: Path) -> None:
    messages: list[str] = []
    train(_fixture(tmp_path), BagOfWords(), progress=messages.append)
    assert messages[0] == "reading the corpora"
    assert any("label head" in message for message in messages)
    assert messages[-1].startswith("evaluating")


def test_the_shipped_head_is_small_and_matches_its_card() -> None:
    card = json.loads((SHIPPED / "model_card.json").read_text())
    head = SHIPPED / "head.npz"
    assert head.stat().st_size < 2_000_000
    assert card["head"]["sha256"] == sha256_of(head)
    assert card["recipe"] == {**RECIPE, "seed": card["recipe"]["seed"]}
    assert card["exemplars_sha256"] == sha256_of(training.EXEMPLARS)
    with np.load(head, allow_pickle=False) as stored:  # numbers only: loading runs no code
        assert all(stored[name].dtype != object for name in stored.files)


@pytest.mark.shared_data
def test_the_shipped_card_was_trained_on_the_data_here() -> None:
    sources = sources_folder()
    if not (sources / DAVIDSON).is_file():
        pytest.skip(f"the speech corpora are not under {sources}")
    card = json.loads((SHIPPED / "model_card.json").read_text())
    assert card["training_data"] == training_files(sources)
