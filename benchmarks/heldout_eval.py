"""The default checker on sets of rude replies and polite near-misses: flagged per file and rule.

Usage: python benchmarks/heldout_eval.py [FILE ...] [--training] [--tsv OUT] [--list]
                                         [--totals-only]

Each FILE is a YAML set in the format of ``benchmarks/data/train_t*.yaml`` (``rude:`` and
``polite:`` lists of ``{text: ...}``; ``heldout:``/``polite_heldout:`` of ``taboo_dev.yaml`` and
``tone_rounds.yaml`` count as rude and polite too). ``--training`` adds every set of
``benchmarks/data/`` the tone model and the lexicon were written from.

- per file: rude flagged / total and polite flagged / total, then the totals;
- the rules that flagged polite items and how often (``FB900`` is the tone model);
- ``--tsv OUT`` writes one line per item (file, section, index, flagged, rules), no text, so two
  builds can be compared item by item (``cut -f1-5 | diff``);
- ``--list`` prints the missed rude and the flagged polite texts; ``--totals-only`` prints
  neither texts nor per-file lines (for a held-out set read once: totals and rule ids only).

Held-out sets are kept outside the repository; this script only reads them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

from scriptcheck import Checker

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
SECTIONS = {"rude": "rude", "heldout": "rude", "polite": "polite", "polite_heldout": "polite"}


def training_sets() -> list[Path]:
    """The sets in ``benchmarks/data/`` the shipped lexicon and tone model were written from."""
    return [DATA / "taboo_dev.yaml", DATA / "tone_rounds.yaml",
            *sorted(DATA.glob("train_t*.yaml"), key=lambda p: int(p.stem[7:]))]


def items(path: Path):
    """Yield ``(section, index, label, text)`` for every item of a set file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section, label in SECTIONS.items():
        for index, item in enumerate(data.get(section) or []):
            yield section, index, label, item["text"]


def main(argv: list[str]) -> int:
    """Print the figures; exit 0 (a benchmark, not a test), 2 when no set is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--training", action="store_true", help="add every set of benchmarks/data/")
    parser.add_argument("--tsv", type=Path, help="write one line per item (no text)")
    parser.add_argument("--list", action="store_true", help="print missed rude and flagged polite texts")
    parser.add_argument("--totals-only", action="store_true", help="totals and rule ids only")
    args = parser.parse_args(argv)
    files = [*(training_sets() if args.training else []), *args.files]
    if not files:
        parser.error("give set files or --training")
    checker = Checker.default()
    totals = Counter()
    polite_rules: Counter = Counter()
    rows = []
    for path in files:
        counts = Counter()
        for section, index, label, text in items(path):
            rules = sorted({f.rule for f in checker.check(text)})
            counts[label] += 1
            counts[label + "_flagged"] += bool(rules)
            if label == "polite" and rules:
                polite_rules.update(rules)
            rows.append((path.name, section, index, label, int(bool(rules)), ",".join(rules)))
            if args.list and (label == "rude") != bool(rules):
                print(f"  {'MISSED' if label == 'rude' else 'FLAGGED ' + ','.join(rules)}  {path.name}  {text}")
        totals.update(counts)
        if not args.totals_only:
            print(f"{path.name:24} rude {counts['rude_flagged']}/{counts['rude']}"
                  f"  polite {counts['polite_flagged']}/{counts['polite']}")
    rude, polite = totals["rude"], totals["polite"]
    print(f"TOTAL rude {totals['rude_flagged']}/{rude} = {totals['rude_flagged'] / max(rude, 1):.1%}"
          f"  polite {totals['polite_flagged']}/{polite}")
    print("polite flagged by: " + (", ".join(f"{r}×{c}" for r, c in polite_rules.most_common()) or "none"))
    if args.tsv:
        args.tsv.write_text("".join("\t".join(map(str, row)) + "\n" for row in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
