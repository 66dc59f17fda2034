"""Fit the tone model's turn stage (lexicons/models/tone_turn.yaml; docs/tone-model.md).

Usage: SCRIPTCHECK_CACHE_DIR=off PYTHONPATH=src python benchmarks/fit_turn.py [--write]
           [--jddc PATH] [--exclude SOURCE ...] [--sources-of MODEL] [--keep K] [--c C] [--jddc-weight W]
           [--threshold P] [--trigger W] [--max-df N] [--folds N]

Needs scikit-learn and numpy (``pip install -e ".[fit]"``); the run time needs neither.

Data: the same items as benchmarks/fit_ngram.py (its load_items: the development set, the
rounds, the training writers t1, t2 …, and the real JD agent turns as negatives). A turn's
features are lexicon.turn_model.turn_features of its own sentences, exactly as at run time.

Model: TF-IDF (sublinear counts, unit length) and a logistic regression (liblinear, L2 with
``--c``), weighted: rude 1, polite near-misses ``--polite-weight``, JDDC turns
``--jddc-weight`` (real agent turns are what a false alarm costs most on). Fitted twice: once
on every feature seen in two turns, then again on the ``--keep`` features of largest weight, so
that the shipped file's unit length is computed over the same features at run time.

Without ``--write``: ``--folds``-fold cross-validation grouped by source (a writer's lines are
correlated, so whole sources are held out), printing how many items the stage alone flags
out of fold at the threshold, per label, and JDDC turns. The stage's effect inside the checker
(where it is consulted only for sentences the n-gram stage scores from ``--floor``) is
measured on the checker itself (benchmarks/RESULTS.md).

Triggers (the widened gate): the n-gram stage's n-grams (lexicons/models/tone_ngram.yaml) of at
least 2 characters weighing at least ``--trigger`` that are not its own triggers and occur in at
most ``--max-df`` of the real JD agent turns (as fit_ngram.py chooses its own).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_ngram import NEGATIVE_FILES, _negative_group, _triggers as ngram_triggers, load_items, only_sources  # noqa: E402
from jddc_false_positives import DEFAULT as JDDC_DEFAULT  # noqa: E402

from scriptcheck.lexicon.tone import own_sentences  # noqa: E402
from scriptcheck.lexicon.ngram import sigmoid  # noqa: E402
from scriptcheck.lexicon.turn_model import TurnFile, TurnModel, turn_features  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "lexicons" / "models" / "tone_turn.yaml"


def _identity(features: list[str]) -> list[str]:
    return features


def fit(docs: list[list[str]], y: np.ndarray, weights: np.ndarray, args: argparse.Namespace):
    """(vocabulary, idf, coefficients, intercept) of the two-step fit."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def one(vectorizer):
        matrix = vectorizer.fit_transform(docs)
        model = LogisticRegression(C=args.c, max_iter=3000, solver="liblinear", random_state=0)
        return vectorizer, model.fit(matrix, y, sample_weight=weights)

    vectorizer, model = one(TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True))
    keep = np.argsort(-np.abs(model.coef_[0]), kind="stable")[:args.keep]
    vocabulary = sorted(vectorizer.get_feature_names_out()[keep].tolist())
    vectorizer, model = one(TfidfVectorizer(analyzer=_identity, sublinear_tf=True, vocabulary=vocabulary))
    return vocabulary, vectorizer.idf_, model.coef_[0], float(model.intercept_[0])


def probabilities(fitted, docs: list[list[str]]) -> np.ndarray:
    """The fitted model's probability of each document, computed by the run time's own code."""
    vocabulary, idf, coef, bias = fitted
    data = TurnFile.model_construct(bias=bias, threshold=0.5, triggers=[], features={
        f: (float(i), float(w)) for f, i, w in zip(vocabulary, idf, coef)})
    model = TurnModel(data)
    return np.array([sigmoid(model.logit_of_features(doc)) for doc in docs])


def choose_triggers(items, args: argparse.Namespace) -> list[str]:
    """The widened gate's n-grams (see the module's docstring): chosen as fit_ngram.py chooses
    its own triggers, less those, and only those that occur in at least ``--useful`` training
    sentences of rude items that the n-gram stage scores at or above its threshold but its own
    gate never lets through (each trigger is a literal of the checker's automaton, and every
    literal costs start-up: 12,000 of them made a one-line lint 40% slower)."""
    import ahocorasick_rs

    from scriptcheck.lexicon.ngram import load_ngram
    stage = load_ngram(REPO / "lexicons" / "models" / "tone_ngram.yaml")
    own_triggers = set(stage.triggers)
    own = ahocorasick_rs.AhoCorasick(list(stage.triggers))
    candidates = [g for g in ngram_triggers(items, stage.data.weights, args) if g not in own_triggers]
    finder = ahocorasick_rs.AhoCorasick(candidates)
    useful: dict[str, int] = {}
    for item in items:
        if item.label != 1:
            continue
        for search, original, *_ in item.sents:
            if own.find_matches_as_indexes(search):
                continue  # the n-gram stage's own gate lets it through already
            if stage.probability(search, original) < stage.threshold_for(search):
                continue
            for gram in set(finder.find_matches_as_strings(search, overlapping=True)):
                useful[gram] = useful.get(gram, 0) + 1
    return sorted(g for g in candidates if useful.get(g, 0) >= args.useful)


def write(fitted, triggers: list[str], args: argparse.Namespace, sources: dict[str, list[int]]) -> None:
    vocabulary, idf, coef, bias = fitted
    command = " ".join(a for a in args.argv)
    lines = [
        "# The tone model's turn stage (docs/tone-model.md): a logistic regression on TF-IDF features",
        "# of a whole turn (lexicon/turn_model.py). GENERATED by",
        "#   SCRIPTCHECK_CACHE_DIR=off PYTHONPATH=src python benchmarks/fit_turn.py --write",
        f"#   ({command})",
        "# Do not edit by hand: edit the data or the options and refit.",
        "# Training data (rude, polite/negative items per source):",
        *(f"#   {s}: {r} rude, {p} negative" for s, (r, p) in sorted(sources.items())),
        "version: 1",
        f"source: {json.dumps('benchmarks/fit_turn.py ' + command, ensure_ascii=False)}",
        f"trained_on: {json.dumps(sorted(sources), ensure_ascii=False)}",
        f"bias: {bias:.6f}",
        f"threshold: {args.threshold}",
        f"# Triggers (n-gram stage weight >= {args.trigger}, in at most {args.max_df} JDDC agent turns,",
        f"# not its own triggers, letting through at least {args.useful} training rude sentences the",
        "# n-gram stage flags): the widened gate.",
        f"triggers: {json.dumps(triggers, ensure_ascii=False)}",
        "features:",
    ]
    kept = [f"  {json.dumps(f, ensure_ascii=False)}: [{i:.6g}, {w:.6g}]"
            for f, i, w in zip(vocabulary, idf, coef) if abs(w) >= 1e-6]
    OUT.write_text("\n".join(lines + kept) + "\n", encoding="utf-8")
    print(f"written {OUT}: {len(kept)} features, {len(triggers)} triggers, threshold {args.threshold}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--jddc", default=str(JDDC_DEFAULT))
    parser.add_argument("--exclude", action="append", default=[], help="leave a source out entirely")
    parser.add_argument("--sources-of", metavar="MODEL", help="only the sources MODEL (a model file) was "
                        "fitted on (its trained_on): the same data as the shipped file after training sets were added")
    parser.add_argument("--keep", type=int, default=20000, help="features kept for the second fit")
    parser.add_argument("--c", type=float, default=4.0, help="inverse L2 strength")
    parser.add_argument("--polite-weight", type=float, default=2.0)
    parser.add_argument("--jddc-weight", type=float, default=10.0)
    parser.add_argument("--chitchat-weight", type=float, default=None,
                        help="weight of a chatbot small-talk or agent-banter line (default: --polite-weight)")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--trigger", type=float, default=0.3, help="least n-gram weight of a trigger")
    parser.add_argument("--max-df", type=int, default=1, help="most JDDC agent turns a trigger may occur in")
    parser.add_argument("--useful", type=int, default=1,
                        help="least training rude sentences a trigger must let through (see choose_triggers)")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    args.argv = [a for a in argv if a != "--write"]
    t0 = time.time()
    items = only_sources(load_items(Path(args.jddc), set(args.exclude)), args.sources_of)
    docs = [turn_features([search for _, search in own_sentences(item.text)]) for item in items]
    y = np.array([item.label for item in items])
    jddc = np.array([item.source == "jddc" for item in items])
    # Chatbot small talk and agent banter: polite lines from outside the writer sets.
    outside = np.array([_negative_group(item.source) in NEGATIVE_FILES for item in items])
    outside_weight = args.polite_weight if args.chitchat_weight is None else args.chitchat_weight
    weights = np.where(y == 1, 1.0, np.where(jddc, args.jddc_weight,
                                             np.where(outside, outside_weight, args.polite_weight)))
    sources: dict[str, list[int]] = {}
    for item in items:
        sources.setdefault(item.source, [0, 0])[0 if item.label else 1] += 1
    print(f"{len(items)} items, features in {time.time() - t0:.0f} s")
    if args.write:
        write(fit(docs, y, weights, args), choose_triggers(items, args), args, sources)
        return 0
    from sklearn.model_selection import GroupKFold
    groups = [item.source if item.source != "jddc" else f"jddc{n % args.folds}" for n, item in enumerate(items)]
    oof = np.zeros(len(items))
    for train, held in GroupKFold(n_splits=args.folds).split(docs, y, groups):
        fitted = fit([docs[i] for i in train], y[train], weights[train], args)
        oof[held] = probabilities(fitted, [docs[i] for i in held])
    flagged = oof >= args.threshold
    print(f"out of fold at {args.threshold}: rude {int((flagged & (y == 1)).sum())}/{int((y == 1).sum())}, "
          f"polite {int((flagged & (y == 0) & ~jddc).sum())}/{int(((y == 0) & ~jddc).sum())}, "
          f"JDDC {int((flagged & jddc).sum())}/{int(jddc.sum())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
