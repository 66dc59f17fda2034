"""Fit the tone model's n-gram stage (lexicons/models/tone_ngram.yaml; docs/tone-model.md).

Usage: SCRIPTCHECK_CACHE_DIR=off PYTHONPATH=src python benchmarks/fit_ngram.py [--write]
           [--jddc PATH] [--nested] [--exclude SOURCE ...] [--sources-of MODEL] [--nbscale [ALPHA]]

Data, grouped by WRITER/SOURCE (lines of one writer are correlated, so whole sources are held
out, never random lines):
  dev          taboo_dev.yaml `rude` + `polite` (the lexicon's development set)
  rounds-a/b/c taboo_dev.yaml `heldout`/`polite_heldout`, rounds 1-8 / 9-17 / 18-25 (one author)
  tone-r1/r2   tone_rounds.yaml rounds 1 and 2 (two more authors)
  t1, t2 …     benchmarks/data/train_t*.yaml (independent writers, one source each)
  jddc         real JD agent turns (negatives only; read from the corpus, never copied), spread
               over the folds by dialogue
Positives: the sentences of rude items (after a first fit, only each multi-sentence item's
highest-scoring sentence: the rest of a rude turn is often neutral). Negatives: every sentence of
the polite items and of the JDDC agent turns. Sentences are cut, de-quoted and normalised exactly
as at run time (lexicon.tone), then featurised by lexicon.ngram.features.

Model: logistic regression on sparse n-gram counts (numpy only: CSR arrays, Adam, L2),
weighted so rude, polite near-misses and JDDC sentences carry fixed shares of the loss.
Only n-grams seen in at least two training sentences are features; weights under ``--prune``
are dropped. ``--nbscale [ALPHA]`` (NBSVM, Wang & Manning 2012): each n-gram's L2 is divided by
its squared naive-Bayes log-count ratio r (rude rows vs the others, ALPHA-smoothed, r² clipped to
``--nb-clip``): the optimum of the same regression on the n-gram scaled by |r|, with r folded
into its weight, so the file and the run time are unchanged. A sentence is flagged when it
holds a trigger n-gram (weight >= ``trigger``) and its probability reaches ``threshold``; the
threshold is the least one at which out-of-fold scores flag at most ``--polite-fa`` of the
polite items and ``--jddc-fa`` of the JDDC turns.

Figures: leave-one-source-out. For each source, the model is fitted on the others and the
threshold chosen on their out-of-fold scores (``--nested``: a proper inner leave-one-source-out;
default: the outer out-of-fold scores of the other sources, a small leak that only touches the
threshold), and counted on the held-out source: the n-gram stage alone, the shipped detector
before (lexicons + cue stage) and after (OR the n-gram stage). ``--write`` fits on everything
and writes the YAML. numpy is needed here only, never at run time.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jddc_false_positives import DEFAULT as JDDC_DEFAULT  # noqa: E402

from scriptcheck.lexicon.ngram import BEGIN, END, YOU_HONORIFIC, YOU_PLAIN, features  # noqa: E402
from scriptcheck.lexicon.tone import load_tone, own_sentences  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
OUT = REPO / "lexicons" / "models" / "tone_ngram.yaml"
ORDERS = (1, 4)


# ---------------------------------------------------------------------------- data

class Item:
    """One text with its label, source, and what the shipped detector says of it."""

    __slots__ = ("source", "label", "text", "sents", "fold", "lex", "cue", "family")

    def __init__(self, source: str, label: int, text: str, family: str = "") -> None:
        self.source, self.label, self.text, self.family = source, label, text, family
        self.sents = _sentences(text)  # [(search, original, cue_gate, cues fired)]
        self.fold = source
        self.lex = self.cue = False


_CUE_GATE = None
_CUE_MODEL = None
ADDRESS = False  # --address: with the 你/您 features
DROP_CUES: set = set()  # cue features left out (--no-address drops the address cues too)
CUE_FEATURES: list = []


def _sentences(text: str) -> list[tuple[str, str, bool]]:
    """The sentences the run time scores: own words, not quoted or reported; normalised."""
    out = []
    for original, search in own_sentences(text):
        if search:
            gate = any(rx.search(search) for rx in _CUE_GATE) if _CUE_GATE else False
            # the cue stage's cues and mitigators that fire, as features (with --cue-features)
            fired = tuple(c.id for c, rx in CUE_FEATURES if rx.search(original if c.over == "original" else search))
            flagged = False  # by the cue stage (as lexicon.tone decides it)
            score = None  # the cue stage's score where a cue fires (None: no cue, not cue-gated)
            if gate and _CUE_MODEL is not None:
                score, cues, _ = _CUE_MODEL.score(original)
                flagged = score >= _CUE_MODEL.data.threshold and len(cues) >= _CUE_MODEL.data.min_cues
            out.append((search, original, score, fired, flagged))
    return out


# Files of negatives only in benchmarks/data (``<group>_<writer>.yaml``), each group a loss share of
# its own (--chitchat-share, --banter-share).
NEGATIVE_FILES = ("chitchat", "banter")


def _rounds_group(number: int) -> str:
    return "rounds-a" if number <= 8 else "rounds-b" if number <= 17 else "rounds-c"


def load_items(jddc: Path, exclude: set[str], customers: bool = False) -> list[Item]:
    """Every labelled item and JDDC agent turn, tagged with its source."""
    items: list[Item] = []
    dev = yaml.safe_load((DATA / "taboo_dev.yaml").read_text(encoding="utf-8"))
    items += [Item("dev", 1, i["text"], i.get("family", "")) for i in dev["rude"]]
    items += [Item("dev", 0, i["text"]) for i in dev["polite"]]
    items += [Item(_rounds_group(i["round"]), 1, i["text"]) for i in dev["heldout"]]
    items += [Item(_rounds_group(i["round"]), 0, i["text"]) for i in dev["polite_heldout"]]
    tone = yaml.safe_load((DATA / "tone_rounds.yaml").read_text(encoding="utf-8"))
    for section, label in (("heldout", 1), ("polite_heldout", 0)):
        items += [Item(f"tone-r{i.get('round', 1)}", label, i["text"], i.get("family", "")) for i in tone[section]]
    for path in sorted(DATA.glob("train_t*.yaml")):
        name = path.stem.removeprefix("train_")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, label in (("rude", 1), ("polite", 0)):
            items += [Item(name, label, i["text"], i.get("family", "")) for i in data.get(section) or []]
    for group in NEGATIVE_FILES:
        # Negatives only. Chatbot small talk: the register of a bot's template file, which
        # neither the service sets nor the JD chats show (without it the model flags translated
        # chit-chat such as 也许你应该问问你自己). Agent banter: a friendly agent's frank advice and
        # teasing of regulars, the polite near-misses the model flagged most on fresh writers.
        for path in sorted(DATA.glob(f"{group}_*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for n, entry in enumerate(data["polite"]):
                item = Item(f"{group}-{path.stem.removeprefix(group + '_')}", 0, entry["text"])
                item.fold = n  # spread over the folds like the JDDC turns
                items.append(item)
    items = [i for i in items if i.source not in exclude]
    if jddc.exists():
        with jddc.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                for turn in json.loads(line)["turns"]:
                    if turn["speaker"] == "agent" or customers:
                        # Customer turns (--customer-share): casual first-person talk that is not
                        # an agent's rude reply, which neither the agent turns nor the polite
                        # sets show (without them the model flags chit-chat and jokes).
                        item = Item("jddc" if turn["speaker"] == "agent" else "jddc-customer", 0, turn["text"])
                        item.fold = n  # set to a fold name below
                        items.append(item)
    else:
        # A fit without the real agent turns is a different model (far more of them flagged):
        # say so, as a worktree or a fresh clone without ../shared would otherwise not notice.
        print(f"warning: no JDDC corpus at {jddc}: fitting without real agent turns (--jddc PATH)", file=sys.stderr)
    return items


def sources_of(model: Path) -> set[str]:
    """The sources a model file was fitted on (its ``trained_on:`` line), so that a refit can
    fit on its data again after training sets were added (``--sources-of``)."""
    with model.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("trained_on:"):
                return set(yaml.safe_load(line)["trained_on"])
    raise SystemExit(f"{model}: no trained_on line")


def only_sources(items: list[Item], model: str | None) -> list[Item]:
    """``items`` restricted to the sources ``model`` was fitted on (all of them without one);
    a source it names that is not among the items is an error (a missing corpus or file)."""
    if model is None:
        return items
    wanted = sources_of(Path(model))
    missing = wanted - {item.source for item in items}
    if missing:
        raise SystemExit(f"{model}: fitted on sources that are not here: {', '.join(sorted(missing))}")
    return [item for item in items if item.source in wanted]


def mark_shipped(items: list[Item]) -> None:
    """Per item: flagged by the lexicons alone (``lex``), by the cue stage (``cue``)."""
    from scriptcheck import Checker
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicon
    lexicons = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    cue = load_tone(ngram=False)  # the cue stage alone
    for item in items:
        item.lex = bool(lexicons.check(item.text))
        item.cue = bool(cue.check(item.text))


# ---------------------------------------------------------------------------- model

class Design:
    """Sentences as CSR rows over a vocabulary."""

    def __init__(self, rows: list[list[str]], vocab: dict[str, int]) -> None:
        ids = [[vocab[f] for f in r if f in vocab] for r in rows]
        self.lens = np.array([len(r) for r in ids])
        self.idx = np.fromiter((j for r in ids for j in r), dtype=np.int64, count=int(self.lens.sum()))
        self.starts = np.r_[0, np.cumsum(self.lens)[:-1]]
        self.n = len(rows)

    def dot(self, w: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n)
        nz = self.lens > 0
        if self.idx.size:
            sums = np.add.reduceat(w[self.idx], self.starts[nz])
            out[nz] = sums
        return out

    def tdot(self, g: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(self.idx, weights=np.repeat(g, self.lens), minlength=size)


def _vocab(rows: list[list[str]], min_count: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        for f in set(r):
            counts[f] = counts.get(f, 0) + 1
    return {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}


def _train(rows, y, sw, vocab, l2, epochs=250, lr=0.05):
    d = Design(rows, vocab)
    size = len(vocab)
    w, b = np.zeros(size), 0.0
    m, v, mb, vb = np.zeros(size), np.zeros(size), 0.0, 0.0
    b1, b2 = 0.9, 0.999
    for t in range(1, epochs + 1):
        z = d.dot(w) + b
        p = 1 / (1 + np.exp(-z))
        g = (p - y) * sw
        gw = d.tdot(g, size) + l2 * w
        gb = g.sum()
        m = b1 * m + (1 - b1) * gw
        v = b2 * v + (1 - b2) * gw * gw
        mb = b1 * mb + (1 - b1) * gb
        vb = b2 * vb + (1 - b2) * gb * gb
        w -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + 1e-8)
        b -= lr * (mb / (1 - b1 ** t)) / (math.sqrt(vb / (1 - b2 ** t)) + 1e-8)
    return w, b


class Fitted:
    """A fitted stage: weights by feature, bias, and its gate (trigger n-grams; and, with
    ``cue_gate``, every sentence where a cue of the cue stage fires)."""

    def __init__(self, weights: dict[str, float], bias: float, triggers: list[str], cue_gate: bool,
                 cue_floor: float | None = None) -> None:
        self.weights, self.bias, self.triggers, self.cue_gate = weights, bias, triggers, cue_gate
        self.cue_floor = -math.inf if cue_floor is None else cue_floor

    def cue_gated(self, sent) -> bool:
        """Whether a cue fires in the sentence and its cue score reaches ``cue_floor``."""
        return self.cue_gate and sent[2] is not None and sent[2] >= self.cue_floor

    def sentence(self, sent) -> float:
        """The sentence's probability, or 0 when the gate does not let it through."""
        if not self.cue_gated(sent) and not any(t in sent[0] for t in self.triggers):
            return 0.0
        return 1 / (1 + math.exp(-_z(self, sent)))

    def vetted(self, item: Item, low: float) -> bool:
        """Whether a sentence the cue stage flags also reaches ``low`` (variant: the n-gram
        stage vetoes the cue stage's weakest calls)."""
        return any(s[4] and 1 / (1 + math.exp(-_z(self, s))) >= low for s in item.sents)

    def item(self, item: Item, cue_only: bool = False) -> float:
        """The item's best sentence probability (``cue_only``: only cue-gated sentences)."""
        return max((self.sentence(s) for s in item.sents if s[2] is not None or not cue_only), default=0.0)


def nb_ratio(rows: list[list[str]], y: np.ndarray, vocab: dict[str, int], alpha: float) -> np.ndarray:
    """Per feature of ``vocab``: NBSVM's log-count ratio r = log(p / |p|1) - log(q / |q|1), where
    p and q count the rude (``y`` = 1) and the other ``rows`` holding the feature, plus ``alpha``."""
    counts = np.full((2, len(vocab)), float(alpha))
    for row, label in zip(rows, y):
        ids = {vocab[f] for f in row if f in vocab}
        # binarised, as in NBSVM: a repeated character is no more evidence of tone
        counts[int(label), list(ids)] += 1
    share = counts / counts.sum(axis=1, keepdims=True)
    return np.log(share[1] / share[0])


def _l2(rows: list[list[str]], y: np.ndarray, vocab: dict[str, int], args) -> float | np.ndarray:
    """The L2 per feature: ``--l2``, or with ``--nbscale`` ``--l2`` / r² (see :func:`nb_ratio`).
    A penalty l2·(w/r)² on w is the penalty l2·v² on the weight v of the feature scaled by r
    (w = r·v): NBSVM's optimum, with w the run-time weight (the file format is unchanged)."""
    if args.nbscale is None:
        return args.l2
    r = nb_ratio(rows, y, vocab, args.nbscale)
    # the clip keeps a feature that is no evidence either way (r near 0) from being pinned to
    # zero, and a strongly one-sided n-gram from being left almost unpenalised
    return args.l2 / np.clip(r * r, *args.nb_clip)


def _triggers(items: list[Item], weights: dict[str, float], args) -> list[str]:
    """Trigger n-grams: at least 2 characters, weight >= ``--trigger``, and in at most
    ``--max-df`` of the training JDDC turns (a common n-gram would send most turns to be scored;
    the throughput budget allows a few percent)."""
    candidates = {g for g, w in weights.items() if w >= args.trigger and len(g) >= 2
                  and BEGIN not in g and END not in g and not g.startswith("<")}
    # A turn's substrings of the candidates' lengths, intersected with them: the same document
    # frequency as testing every candidate against every turn, without the candidates x turns
    # scan (NB scaling puts ten times as many n-grams over the trigger weight).
    lengths = {len(g) for g in candidates}
    df: dict[str, int] = {}
    for it in items:
        if it.source != "jddc":
            continue
        seen = set()
        for search, *_ in it.sents:
            for n in lengths:
                seen.update(search[i:i + n] for i in range(len(search) - n + 1))
        for g in seen & candidates:
            df[g] = df.get(g, 0) + 1
    return sorted(g for g in candidates if df.get(g, 0) <= args.max_df)


def fit(items: list[Item], args) -> Fitted:
    """Fit on ``items`` (two passes: the second keeps each rude item's best sentence)."""
    feats = {id(it): [_feats(s) for s in it.sents] for it in items}
    vocab = _vocab([r for it in items for r in feats[id(it)]], args.min_count)
    shares = {"rude": 0.5, "polite": args.polite_share,
              "jddc": 0.5 - args.polite_share - args.customer_share - args.chitchat_share - args.banter_share,
              "jddc-customer": args.customer_share, "chitchat": args.chitchat_share,
              "banter": args.banter_share}
    if args.sarcasm_share is not None:
        shares["rude"] = 0.5 - args.sarcasm_share
        shares["rude-sarcasm"] = args.sarcasm_share
    if min(shares.values()) < 0:
        raise SystemExit(f"loss shares must not be negative: {shares} (lower --polite-share)")
    chosen: dict[int, list[int]] = {}
    model = None
    for rnd in range(2):
        rows, y, kind = [], [], []
        for it in items:
            fs = feats[id(it)]
            if not fs:
                continue
            picks = range(len(fs))
            if it.label and rnd == 1 and len(fs) > 1:
                picks = [max(range(len(fs)), key=lambda j: _z(model, it.sents[j]))]
            group = (_rude_group(it, args) if it.label else _negative_group(it.source) or "polite")
            for j in picks:
                rows.append(fs[j])
                y.append(it.label)
                kind.append(group)
        y = np.array(y, dtype=float)
        kind = np.array(kind)
        sw = np.zeros(len(y))
        for group, share in shares.items():
            mask = kind == group
            if mask.any():
                sw[mask] = share / mask.sum()
        w, b = _train(rows, y, sw, vocab, _l2(rows, y, vocab, args), args.epochs)
        names = list(vocab)
        weights = {names[i]: float(w[i]) for i in np.flatnonzero(np.abs(w) >= args.prune)}
        # The first round's model only picks each rude item's best sentence: no gate needed.
        triggers = _triggers(items, weights, args) if rnd == 1 else []
        model = Fitted(weights, float(b), triggers, args.cue_gate, args.cue_floor)
    return model


# Rude families whose names say sarcasm, mockery, irony or shaming (writers named their families
# freely: sarcasm, mock_praise, irony_q, body_shaming ...). --sarcasm-share gives them a loss share
# of their own: the jokes at the customer's expense are the rude items banter negatives pull down.
SARCASM_FAMILY = re.compile(r"sarc|mock|iron|sham|jab")


def _rude_group(item: Item, args) -> str:
    if args.sarcasm_share is not None and SARCASM_FAMILY.search(item.family):
        return "rude-sarcasm"
    return "rude"


def _z(model: Fitted, sent) -> float:
    return model.bias + sum(model.weights.get(f, 0.0) for f in _feats(sent))


def _negative_group(source: str) -> str | None:
    """The loss group of a negatives-only source (JDDC agent or customer turns, chatbot small
    talk, agent banter); None for a labelled set, whose negatives are polite near-misses."""
    if source.startswith("jddc"):
        return source
    group = source.split("-", 1)[0]
    return group if group in NEGATIVE_FILES else None


def _feats(sent) -> list[str]:
    """A sentence's features: its n-grams and, with --cue-features, ``<cue id>`` per cue fired."""
    search, original, _, fired, _ = sent
    return features(search, original if ADDRESS else "", *ORDERS) + [f"<{c}>" for c in fired if c not in DROP_CUES]


def choose_threshold(scored: list[tuple[Item, float]], args) -> float:
    """The least probability at which the out-of-fold scores flag at most ``--polite-fa`` of the
    polite items and ``--jddc-fa`` of the JDDC turns (never below ``--min-threshold``)."""
    polite = sorted((p for it, p in scored if it.label == 0 and not _negative_group(it.source)), reverse=True)
    jddc = sorted((p for it, p in scored if it.source == "jddc"), reverse=True)
    cut = args.min_threshold
    for values, rate in ((polite, args.polite_fa), (jddc, args.jddc_fa)):
        allowed = int(rate * len(values))
        if len(values) > allowed:
            cut = max(cut, values[allowed] + 1e-6)
    return min(cut, 0.999)


# ---------------------------------------------------------------------------- evaluation

def _folds(items: list[Item]) -> list[str]:
    names = sorted({it.source for it in items if not _negative_group(it.source)})
    for it in items:
        if _negative_group(it.source):
            it.fold = names[it.fold % len(names)] if isinstance(it.fold, int) else it.fold
    return names


def _oof(items: list[Item], names: list[str], args, models: dict | None = None) -> dict[int, float]:
    """Out-of-fold item probabilities (each fold's items scored by a model fitted without it);
    the models go into ``models`` by fold name when given (the fit is deterministic, so the
    outer loop of :func:`evaluate` reuses them instead of fitting the same data again)."""
    out = {}
    for name in names:
        model = fit([it for it in items if it.fold != name], args)
        if models is not None:
            models[name] = model
        for it in items:
            if it.fold == name:
                out[id(it)] = model.item(it)
    return out


def _row(label: str, rude: list[bool], polite: list[bool], jddc: list[bool]) -> str:
    r = f"{sum(rude)}/{len(rude)} = {sum(rude) / max(len(rude), 1):.1%}" if rude else "-"
    p = f"{sum(polite)}/{len(polite)}" if polite else "-"
    j = f"{sum(jddc)}/{len(jddc)}" if jddc else "-"
    return f"  {label:28} rude {r:18} polite flagged {p:8} JDDC {j}"


def evaluate(items: list[Item], args) -> None:
    """Leave-one-source-out figures per source and in total."""
    names = _folds(items)
    print(f"== leave-one-source-out over {names} (JDDC spread over the folds)")
    models: dict = {}
    oof = _oof(items, names, args, models) if not args.nested else None
    totals: dict[str, list[list[bool]]] = {}
    for name in names:
        t0 = time.time()
        train = [it for it in items if it.fold != name]
        test = [it for it in items if it.fold == name]
        if args.nested:
            inner = _oof(train, [n for n in names if n != name], args)
            thr = choose_threshold([(it, inner[id(it)]) for it in train], args)
        else:
            thr = choose_threshold([(it, oof[id(it)]) for it in train], args)
        model = models[name] if name in models else fit(train, args)
        probs = [model.item(it) for it in test]
        gated = [model.item(it, cue_only=True) for it in test]
        print(f" held out {name} (threshold {thr:.3f}, {time.time() - t0:.0f} s)")
        variants = {
            "lexicons": [it.lex for it in test],
            "lexicons + cue stage (before)": [it.lex or it.cue for it in test],
            "n-gram stage alone": [p >= thr for p in probs],
            "n-gram in cue-gated sentences": [p >= thr for p in gated],
            "lexicons + cue + n-gram (after)": [it.lex or it.cue or p >= thr for it, p in zip(test, probs)],
            "lexicons + n-gram": [it.lex or p >= thr for it, p in zip(test, probs)],
            **{f"lex + cue vetted {low} + n-gram": [it.lex or p >= thr or model.vetted(it, low) for it, p in zip(test, probs)]
               for low in args.veto},
        }
        for label, flags in variants.items():
            rude = [f for it, f in zip(test, flags) if it.label == 1]
            polite = [f for it, f in zip(test, flags) if it.label == 0 and not _negative_group(it.source)]
            jddc = [f for it, f in zip(test, flags) if it.source == "jddc"]
            print(_row(label, rude, polite, jddc))
            acc = totals.setdefault(label, [[], [], []])
            acc[0] += rude
            acc[1] += polite
            acc[2] += jddc
        if args.sweep:
            for cut in args.sweep:
                rude = [it.lex or it.cue or p >= cut for it, p in zip(test, probs) if it.label == 1]
                alone = [p >= cut for it, p in zip(test, probs) if it.label == 1]
                polite = [it.lex or it.cue or p >= cut for it, p in zip(test, probs) if it.label == 0 and not _negative_group(it.source)]
                palone = [p >= cut for it, p in zip(test, probs) if it.label == 0 and not _negative_group(it.source)]
                jd = [p >= cut for it, p in zip(test, probs) if it.source == "jddc"]
                print(f"    at {cut}: after rude {sum(rude)}/{len(rude)} polite {sum(polite)}/{len(polite)}; "
                      f"n-gram alone rude {sum(alone)} polite {sum(palone)}; JDDC {sum(jd)}")
        if args.show:
            for it, p in zip(test, probs):
                after = it.lex or it.cue or p >= thr
                if it.label == 1 and not after:
                    print(f"    MISSED {p:.2f} {it.text}")
                if it.label == 0 and after and not (it.lex or it.cue):
                    print(f"    FALSE ALARM {p:.2f} [{it.source}] {it.text[:100]}")
    model = fit(items, args)
    jddc = [it for it in items if it.source == "jddc"]
    gated = sum(any(model.cue_gated(s) or any(t in s[0] for t in model.triggers) for s in it.sents) for it in jddc)
    print(f" gate: {len(model.triggers)} triggers; {gated}/{len(jddc)} JDDC turns hold one (scored)")
    print(" all held-out sources")
    for label, (rude, polite, jddc) in totals.items():
        print(_row(label, rude, polite, jddc))


def test_on(items: list[Item], args) -> None:
    """Fit once without the ``--test`` sources and count them at ``--min-threshold``: how the
    stage does on writers it has not seen, in one fit instead of a fit per source (for trying
    options; the shipped threshold is chosen by ``--write``)."""
    held = set(args.test)
    model = fit([it for it in items if it.source not in held], args)
    thr = args.min_threshold
    jddc = [model.item(it) for it in items if it.source == "jddc"]  # scored once for every threshold
    print(f"fitted without {sorted(held)}: {len(model.weights)} weights, {len(model.triggers)} triggers; "
          f"at {thr}: JDDC (in sample) {sum(p >= thr for p in jddc)}/{len(jddc)}")
    scores = {id(it): model.item(it) for it in items if it.source in held}
    print_held_out([it for it in items if it.source in held], scores, thr)
    if args.sweep:
        test = [it for it in items if it.source in held]
        for cut in args.sweep:
            rude = sum(scores[id(it)] >= cut or it.lex or it.cue for it in test if it.label == 1)
            polite = sum(scores[id(it)] >= cut or it.lex or it.cue for it in test if it.label == 0)
            print(f"  at {cut}: rude {rude}/{sum(it.label == 1 for it in test)} polite {polite}; "
                  f"JDDC {sum(p >= cut for p in jddc)}")


def print_held_out(items: list[Item], oof: dict, thr: float) -> None:
    """Per source, what the n-gram stage fitted without that source flags of it at ``thr`` (the
    out-of-fold scores the threshold is chosen on, so this costs nothing): how the stage does
    on a writer it has not seen. ``with lexicons``: OR the shipped lexicons and cue stage, which
    were written knowing these sources, so that column overstates a new writer's figure."""
    print("held out by source: rude flagged (n-gram alone · with lexicons) · polite flagged (n-gram alone · with lexicons)")
    totals = [0] * 6
    for source in sorted({it.source for it in items if not _negative_group(it.source)}):
        mine = [it for it in items if it.source == source]
        rude = [it for it in mine if it.label == 1]
        polite = [it for it in mine if it.label == 0]
        row = [len(rude), sum(oof[id(it)] >= thr for it in rude),
               sum(oof[id(it)] >= thr or it.lex or it.cue for it in rude),
               len(polite), sum(oof[id(it)] >= thr for it in polite),
               sum(oof[id(it)] >= thr or it.lex or it.cue for it in polite)]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"  {source:12} {row[1]:4}·{row[2]:4}/{row[0]:<4}  {row[4]:3}·{row[5]:3}/{row[3]}")
    print(f"  {'all':12} {totals[1]:4}·{totals[2]:4}/{totals[0]:<4}  {totals[4]:3}·{totals[5]:3}/{totals[3]}")


def write(items: list[Item], args) -> None:
    """Fit on everything, choose the threshold on leave-one-source-out scores, write the YAML."""
    if args.threshold is None:
        names = _folds(items)
        oof = _oof(items, names, args)
        thr = choose_threshold([(it, oof[id(it)]) for it in items], args)
        print_held_out(items, oof, thr)
        how = (f"chosen on leave-one-source-out scores: at most {args.polite_fa:.1%} of polite items and "
               f"{args.jddc_fa:.2%} of JDDC agent turns, at least {args.min_threshold}")
    else:
        # A fit per source (the out-of-fold scores) costs as many fits as there are sources; a
        # threshold chosen beforehand with --test on writers held out takes one.
        thr = args.threshold
        how = "given (--threshold), chosen with --test on writers left out of the fit"
    model = fit(items, args)
    flagged_jddc = sum(model.item(it) >= thr for it in items if it.source == "jddc")
    sources = sorted({it.source for it in items})
    counts = {s: (sum(1 for it in items if it.source == s and it.label), sum(1 for it in items if it.source == s and not it.label)) for s in sources}
    lines = [
        "# The tone model's n-gram stage (docs/tone-model.md): a logistic regression on the character",
        "# 1-4-grams of a sentence's normalised text (lexicon/ngram.py). GENERATED by",
        "#   SCRIPTCHECK_CACHE_DIR=off PYTHONPATH=src python benchmarks/fit_ngram.py --write",
        f"#   ({' '.join(args.argv)})" if args.argv else "#   (default options)",
        "# Do not edit by hand: edit the data or the options and refit.",
        "# Training data (rude, polite/negative items per source):",
        *[f"#   {s}: {r} rude, {p} negative" for s, (r, p) in counts.items()],
        f"# Threshold {how};",
        f"# fitted on everything it flags {flagged_jddc} JDDC turns.",
        "version: 1",
        "source: benchmarks/fit_ngram.py on benchmarks/data (taboo_dev, tone_rounds, train_t*, chitchat_*); JDDC agent and customer turns as negatives (read, never copied)",
        "trained_on: [" + ", ".join(sources) + "]",
        f"orders: [{ORDERS[0]}, {ORDERS[1]}]",
        f"bias: {model.bias:.4f}",
        f"threshold: {thr:.4f}",
        *([f"# A sentence of at most {args.short_length} characters (normalised) is flagged from probability "
           f"{args.short_threshold} (--short-length, --short-threshold).",
           f"short_length: {args.short_length}", f"short_threshold: {args.short_threshold:.4f}"]
          if args.short_threshold is not None else []),
        f"cue_gate: {'true' if args.cue_gate else 'false'}",
        *([f"# A cue-gated sentence is scored only when its cue score reaches {args.cue_floor} (throughput).",
           f"cue_floor: {args.cue_floor}"] if args.cue_floor is not None else []),
        f"# A sentence the cue stage flags stands only when its n-gram probability reaches {args.final_veto}.",
        f"veto: {args.final_veto}",
        *([f"# Fitted with --nbscale {args.nbscale} (naive-Bayes log-count ratios r, r² clipped to "
           f"[{args.nb_clip[0]}, {args.nb_clip[1]}]):",
           "# each weight is NBSVM's weight of the n-gram scaled by r, with r folded in."]
          if args.nbscale is not None else []),
        "# Trigger n-grams (weight >= %s, in at most %d training JDDC turns): the gate." % (args.trigger, args.max_df),
        "triggers: [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in model.triggers) + "]",
        "weights:",
    ]
    for gram, weight in sorted(model.weights.items()):
        lines.append(f"  {json.dumps(gram, ensure_ascii=False)}: {weight:.3f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {OUT}: {len(model.weights)} weights, {len(model.triggers)} triggers, threshold {thr:.4f}")


def main(argv: list[str]) -> int:
    """Cross-validated figures; ``--write`` also writes the model file."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--test", nargs="+", default=[], metavar="SOURCE",
                        help="fit once without these sources and count them (see test_on)")
    parser.add_argument("--jddc", default=str(JDDC_DEFAULT))
    parser.add_argument("--nested", action="store_true", help="inner leave-one-source-out for the threshold")
    parser.add_argument("--exclude", action="append", default=[], help="leave a source out entirely")
    parser.add_argument("--sources-of", metavar="MODEL", help="only the sources MODEL (a model file) was "
                        "fitted on (its trained_on): the same data as the shipped file after training sets were added")
    parser.add_argument("--no-cue-features", dest="cue_features", action="store_false",
                        help="n-grams only (default: the cue stage's cues and mitigators as features too)")
    parser.add_argument("--veto", type=float, nargs="*", default=[0.1, 0.3, 0.5],
                        help="variants: a cue-stage flag stands only if the n-gram probability reaches this")
    parser.add_argument("--address", dest="address", action="store_true",
                        help="with the plain-你 / 您 features (off by default: dialects and colleagues use 你 politely)")
    parser.add_argument("--cue-floor", type=float, default=-3.0,
                        help="a cue-gated sentence is scored only when its cue score reaches this")
    parser.add_argument("--final-veto", type=float, default=0.8, help="the veto written by --write")
    parser.add_argument("--sweep", type=float, nargs="*", default=[], help="also count at these thresholds")
    parser.add_argument("--show", action="store_true", help="list misses and new false alarms")
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--nbscale", type=float, nargs="?", const=1.0, default=None, metavar="ALPHA",
                        help="NBSVM: each n-gram's L2 divided by its squared log-count ratio (smoothing ALPHA, default 1)")
    parser.add_argument("--nb-clip", type=float, nargs=2, default=[0.05, 20.0], metavar=("LO", "HI"),
                        help="with --nbscale: the squared ratio clipped to [LO, HI]")
    parser.add_argument("--epochs", type=int, default=250)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--prune", type=float, default=0.05)
    parser.add_argument("--trigger", type=float, default=0.3, help="least weight of a trigger n-gram")
    parser.add_argument("--max-df", type=int, default=3, help="most training JDDC turns a trigger may occur in")
    parser.add_argument("--no-cue-gate", dest="cue_gate", action="store_false",
                        help="score only sentences with a trigger (not also those where a cue fires)")
    parser.add_argument("--polite-share", type=float, default=0.3, help="loss share of polite near-misses (JDDC: 0.5 minus it)")
    parser.add_argument("--customer-share", type=float, default=0.05,
                        help="loss share of JDDC customer turns as negatives (taken from the agent turns' share)")
    parser.add_argument("--chitchat-share", type=float, default=0.0,
                        help="loss share of chatbot small talk (benchmarks/data/chitchat_*.yaml) as negatives "
                             "(taken from the agent turns' share)")
    parser.add_argument("--banter-share", type=float, default=0.0,
                        help="loss share of agent banter and frank advice (benchmarks/data/banter_*.yaml) as "
                             "negatives (taken from the agent turns' share)")
    parser.add_argument("--sarcasm-share", type=float, default=None,
                        help="loss share of rude items of the sarcasm, mockery and shaming families (taken from "
                             "the rude half; by default they share it with the other rude items by count)")
    parser.add_argument("--polite-fa", type=float, default=0.005)
    parser.add_argument("--jddc-fa", type=float, default=0.0005)
    parser.add_argument("--orders", type=int, nargs=2, default=[1, 4], help="least and largest n")
    parser.add_argument("--min-threshold", type=float, default=0.5)
    parser.add_argument("--short-length", type=int, default=8,
                        help="with --short-threshold: the most characters of a short sentence")
    parser.add_argument("--short-threshold", type=float, default=None,
                        help="--write: short sentences are flagged from this probability (fewer n-grams: "
                             "their probabilities stay near the bias)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="--write with this threshold instead of one chosen on out-of-fold scores (one fit, not one per source)")
    args = parser.parse_args(argv)
    args.argv = [a for a in argv if a != "--write"]
    global _CUE_GATE, ORDERS, CUE_FEATURES, _CUE_MODEL, ADDRESS, DROP_CUES
    ADDRESS = args.address
    DROP_CUES = set() if args.address else {"you_plain", "you_plural", "you_honorific"}
    ORDERS = tuple(args.orders)
    if args.cue_features:
        tone = load_tone(ngram=False)
        CUE_FEATURES = [(c, re.compile(c.pattern)) for c in (*tone.data.cues, *tone.data.mitigators)]
    _CUE_MODEL = load_tone(ngram=False)
    _CUE_GATE = [re.compile(c.pattern) for c in load_tone(ngram=False).data.cues if c.over == "normalized"]
    t0 = time.time()
    items = only_sources(load_items(Path(args.jddc), set(args.exclude), args.customer_share > 0), args.sources_of)
    mark_shipped(items)
    print(f"{len(items)} items loaded in {time.time() - t0:.0f} s")
    if args.write:
        write(items, args)
    elif args.test:
        test_on(items, args)
    else:
        evaluate(items, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
