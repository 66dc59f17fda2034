"""Fit the tone model's weights and threshold (lexicons/models/tone.yaml; docs/tone-model.md).

Usage: python benchmarks/fit_tone.py [--write] [--folds 5] [--jddc PATH] [--max-jddc 8]

Data: positives are the rude items of benchmarks/data/taboo_dev.yaml (``rude`` and ``heldout``;
of each, its sentence with the most cues); negatives are every sentence of its polite items
(``polite``, ``polite_heldout``) and of the JDDC agent turns (read from the corpus file, never
copied). benchmarks/data/tone_rounds.yaml is NOT used: it is the fresh check.

Model: logistic regression on binary cue features (numpy, projected gradient descent: cue
weights kept >= 0, mitigator weights <= 0, L2), class-balanced. The threshold is then set so
that no polite sentence and at most ``--max-jddc`` JDDC turns score at or above it. Figures are
k-fold cross-validated (items split into folds; the model and its threshold fitted on the other
folds). ``--write`` rewrites the weight and threshold numbers of tone.yaml in place.
numpy is needed here only, not at run time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jddc_false_positives import DEFAULT as JDDC_DEFAULT  # noqa: E402

from scriptcheck.lexicon.tone import ToneModel, default_tone_path, load_tone, own_sentences  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "benchmarks" / "data" / "taboo_dev.yaml"


def _features(model: ToneModel, text: str) -> list[np.ndarray]:
    """Binary feature rows, one per sentence of ``text`` that is the speaker's own words."""
    items = [*model.data.cues, *model.data.mitigators]
    regexes = [re.compile(c.pattern) for c in items]
    rows = []
    for sentence, search in own_sentences(text):
        rows.append(np.array([1.0 if rx.search(sentence if c.over == "original" else search) else 0.0
                              for c, rx in zip(items, regexes)]))
    return rows


def _load(model: ToneModel, jddc: Path):
    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    groups = []  # (label, kind, [rows]) per item
    for section, label in (("rude", 1), ("heldout", 1), ("polite", 0), ("polite_heldout", 0)):
        for item in dev.get(section, []):
            groups.append((label, "dev", _features(model, item["text"])))
    if jddc.exists():
        with jddc.open(encoding="utf-8") as fh:
            for line in fh:
                for turn in json.loads(line)["turns"]:
                    if turn["speaker"] == "agent":
                        groups.append((0, "jddc", _features(model, turn["text"])))
    return groups


def _content(model: ToneModel) -> np.ndarray:
    """Mask of the cues over normalised text: a sentence without one scores 0."""
    return np.array([c.over == "normalized" for c in model.data.cues]
                    + [False] * len(model.data.mitigators))


CONTENT: np.ndarray | None = None
# The least weight of a cue: one the data says little about still counts a little.
FLOOR = 0.0
# Per cue and mitigator, the weight kept as written (``fit: false``), NaN where fitted.
FIXED: np.ndarray | None = None


def _fit(groups, n_cues: int, n: int, l2: float = 0.01, steps: int = 6000, lr: float = 4.0) -> np.ndarray:
    xs, ys, ws = [], [], []
    for label, _, rows in groups:
        if not rows:
            continue
        rows = [r for r in rows if (r * CONTENT).any()]  # only these are ever scored
        if not rows:
            continue
        if label:  # the rude item's most cue-laden sentence
            rows = [max(rows, key=lambda r: r[:n_cues].sum())]
        for r in rows:
            xs.append(r)
            ys.append(label)
    x = np.array(xs)
    y = np.array(ys, dtype=float)
    pos, neg = y.sum(), len(y) - y.sum()
    ws = np.where(y == 1, 0.5 / pos, 0.5 / neg)
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(n + 1)
    fixed = FIXED if FIXED is not None else np.full(n, np.nan)
    keep = ~np.isnan(fixed)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ ((p - y) * ws) + l2 * np.r_[w[:-1], 0]
        w -= lr * grad
        w[:n_cues] = np.maximum(w[:n_cues], FLOOR)
        w[n_cues:n] = np.minimum(w[n_cues:n], 0)
        w[:n][keep] = fixed[keep]
    return w[:n]


def _item_scores(groups, w: np.ndarray, n_cues: int) -> np.ndarray:
    """Per item, its best sentence's score (sentences without a positive cue score 0)."""
    out = np.zeros(len(groups))
    for i, (_, _, rows) in enumerate(groups):
        best = 0.0
        for r in rows:
            if (r * CONTENT).any():
                best = max(best, float(r @ w))
        out[i] = best
    return out


def _threshold(groups, scores: np.ndarray, max_jddc: int) -> float:
    polite = [s for (label, kind, _), s in zip(groups, scores) if label == 0 and kind == "dev"]
    jddc = sorted((s for (label, kind, _), s in zip(groups, scores) if kind == "jddc"), reverse=True)
    floor = max(polite + [0.0])
    if jddc:
        floor = max(floor, jddc[min(max_jddc, len(jddc) - 1)])
    return round(floor + 0.01, 2)


def _report(name, groups, scores, thr) -> tuple[int, int, int, int, int, int]:
    rude = [s >= thr for (label, _, _), s in zip(groups, scores) if label == 1]
    polite = [s >= thr for (label, kind, _), s in zip(groups, scores) if label == 0 and kind == "dev"]
    jddc = [s >= thr for (label, kind, _), s in zip(groups, scores) if kind == "jddc"]
    print(f"  {name}: rude {sum(rude)}/{len(rude)} = {sum(rude) / max(len(rude), 1):.1%}, "
          f"polite flagged {sum(polite)}/{len(polite)}, JDDC flagged {sum(jddc)}/{len(jddc)}")
    return sum(rude), len(rude), sum(polite), len(polite), sum(jddc), len(jddc)


def _write(path: Path, names: list[str], w: np.ndarray, thr: float) -> None:
    text = path.read_text(encoding="utf-8")
    for name, value in zip(names, w):
        text, count = re.subn(rf"(\{{id: {name},[^\n]*weight: )-?[0-9.]+", rf"\g<1>{value:.2f}", text)
        assert count == 1, name
    text = re.sub(r"(?m)^threshold: [0-9.]+", f"threshold: {thr:.2f}", text)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    """Cross-validate, fit on everything, print the figures; ``--write`` updates tone.yaml."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jddc", default=str(JDDC_DEFAULT))
    parser.add_argument("--max-jddc", type=int, default=8, help="JDDC turns allowed above the threshold")
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--floor", type=float, default=0.0, help="least weight of a cue")
    args = parser.parse_args(argv)
    model = load_tone(default_tone_path())
    n_cues, n = len(model.data.cues), len(model.data.cues) + len(model.data.mitigators)
    global CONTENT, FLOOR, FIXED
    CONTENT = _content(model)
    FIXED = np.array([np.nan if c.fit else c.weight for c in (*model.data.cues, *model.data.mitigators)])
    FLOOR = args.floor
    groups = _load(model, Path(args.jddc))
    rng = np.random.default_rng(0)
    fold_of = rng.integers(0, args.folds, len(groups))
    print(f"== {args.folds}-fold cross-validation (figures on the held-out fold)")
    total = np.zeros(6, dtype=int)
    for k in range(args.folds):
        train = [g for g, f in zip(groups, fold_of) if f != k]
        test = [g for g, f in zip(groups, fold_of) if f == k]
        w = _fit(train, n_cues, n, args.l2)
        thr = _threshold(train, _item_scores(train, w, n_cues), round(args.max_jddc * (args.folds - 1) / args.folds))
        total += _report(f"fold {k}", test, _item_scores(test, w, n_cues), thr)
    print(f"  all folds: rude {total[0]}/{total[1]} = {total[0] / total[1]:.1%}, polite flagged "
          f"{total[2]}/{total[3]}, JDDC flagged {total[4]}/{total[5]} = {total[4] / max(total[5], 1):.2%}")
    print("== fitted on everything (training figures)")
    w = _fit(groups, n_cues, n, args.l2)
    scores = _item_scores(groups, w, n_cues)
    thr = _threshold(groups, scores, args.max_jddc)
    _report("all", groups, scores, thr)
    names = [c.id for c in (*model.data.cues, *model.data.mitigators)]
    print(f"  threshold {thr}")
    for name, value in sorted(zip(names, w), key=lambda p: -abs(p[1])):
        print(f"  {name:18} {value:6.2f}")
    if args.write:
        _write(default_tone_path(), names, w, thr)
        print(f"written to {default_tone_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def diagnose(l2: float = 0.01, top: int = 25) -> None:
    """Print the highest-scoring negatives and a sample of missed positives (tuning aid)."""
    model = load_tone(default_tone_path())
    items = [*model.data.cues, *model.data.mitigators]
    n_cues, n = len(model.data.cues), len(items)
    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    texts = [i["text"] for s in ("rude", "heldout", "polite", "polite_heldout") for i in dev.get(s, [])]
    with Path(JDDC_DEFAULT).open(encoding="utf-8") as fh:
        texts += [t["text"] for line in fh for t in json.loads(line)["turns"] if t["speaker"] == "agent"]
    global CONTENT, FIXED
    CONTENT = _content(model)
    FIXED = np.array([np.nan if c.fit else c.weight for c in (*model.data.cues, *model.data.mitigators)])
    groups = _load(model, Path(JDDC_DEFAULT))
    w = _fit(groups, n_cues, n, l2)
    scores = _item_scores(groups, w, n_cues)
    thr = _threshold(groups, scores, 8)
    def fired(rows):
        best = max(rows, key=lambda r: float(r @ w)) if rows else None
        return [] if best is None else [items[j].id for j in range(n) if best[j]]
    neg = sorted(((s, i) for i, ((label, _, _), s) in enumerate(zip(groups, scores)) if label == 0), reverse=True)
    print(f"threshold {thr}")
    for s, i in neg[:top]:
        print(f"NEG {s:.2f} {groups[i][1]} {fired(groups[i][2])} {texts[i][:80]}")
    missed = [i for i, ((label, _, _), s) in enumerate(zip(groups, scores)) if label == 1 and s < thr]
    for i in missed[:: max(1, len(missed) // top)]:
        print(f"MISS {scores[i]:.2f} {fired(groups[i][2])} {texts[i][:60]}")
