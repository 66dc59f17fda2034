"""Recall of the forbidden lexicon on rude replies, false alarms on polite scripts, and the share
of real agent turns (JDDC) it flags.

Usage: python benchmarks/taboo_recall.py [--data benchmarks/data/taboo_dev.yaml] [--list]
                                         [--jddc PATH] [--lexicon FILE ...]

- rude replies (``rude:``): recall by category and by family; every miss is listed.
- polite scripts (``polite:``): every flagged one is a false alarm and is listed.
- held-out rounds (``heldout:``, ``polite_heldout:``): recall per round, false alarms.
- published lists (``published:``): recall by scope; ``general`` runs on the default lexicons,
  an industry scope (``bank``, ``hospital`` …) adds ``lexicons/packs/<scope>.yaml`` when present.
- JDDC: ``$SCRIPTCHECK_JDDC`` or ``--jddc``, else ``../shared/corpora/jddc_dialogues.jsonl``
  next to the repository; skipped with a message when absent (the corpus is not part of the
  repository). ``--list`` prints every flagged agent turn.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from scriptcheck import Checker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jddc_false_positives import DEFAULT as JDDC_DEFAULT, flagged_agent_turns  # noqa: E402
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicon

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data" / "taboo_dev.yaml"
PACKS = REPO / "lexicons" / "packs"


def _checker(extra: list[str]) -> Checker:
    """A checker on the default lexicons plus ``extra`` lexicon files (specs not re-run)."""
    return Checker([load_lexicon(n, verify=False) for n in (*DEFAULT_LEXICONS, *extra)])


def _jddc_path(arg: str | None) -> Path:
    return Path(arg) if arg else JDDC_DEFAULT


def _false_alarms(checker, items: list[dict]) -> int:
    """How many polite ``items`` get a finding (each one printed)."""
    alarms = 0
    for item in items:
        findings = checker.check(item["text"])
        if findings:
            alarms += 1
            print(f"  FALSE ALARM {[(f.rule, f.text) for f in findings]} {item['text']}")
    return alarms


def _rate(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.1%}" if total else "0/0"


def main(argv: list[str]) -> int:
    """Print the three figures (and the JDDC share); exit 0 always (a benchmark, not a test)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--jddc")
    parser.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (repeatable)")
    parser.add_argument("--list", action="store_true", help="list flagged JDDC turns")
    args = parser.parse_args(argv)
    data = yaml.safe_load(Path(args.data).read_text(encoding="utf-8"))
    checker = _checker(args.lexicon)

    print("== rude replies (must be flagged)")
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for item in data.get("rude", []):
        flagged = bool(checker.check(item["text"]))
        for table, key in ((by_cat, item["category"]), (by_family, item["family"])):
            table[key][0] += flagged
            table[key][1] += 1
        if not flagged:
            misses.append(item)
    for name, table in (("category", by_cat), ("family", by_family)):
        for key, (hit, total) in sorted(table.items()):
            print(f"  {name:8} {key:10} {_rate(hit, total)}")
    hit = sum(h for h, _ in by_cat.values())
    total = sum(t for _, t in by_cat.values())
    print(f"  recall   {_rate(hit, total)}")
    for item in misses:
        print(f"  MISSED [{item['category']}] {item['text']}")

    print("== polite scripts (must not be flagged)")
    polite = data.get("polite", [])
    print(f"  false alarms {_false_alarms(checker, polite)}/{len(polite)}")

    print("== held-out rounds (regression: each round was written before the patterns that catch it)")
    rounds: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item in data.get("heldout", []):
        flagged = bool(checker.check(item["text"]))
        rounds[item["round"]][0] += flagged
        rounds[item["round"]][1] += 1
        if not flagged:
            print(f"  MISSED [round {item['round']}] {item['text']}")
    for number, (hit, total) in sorted(rounds.items()):
        print(f"  round {number}  {_rate(hit, total)}")
    polite_heldout = data.get("polite_heldout", [])
    print(f"  false alarms on held-out polite items {_false_alarms(checker, polite_heldout)}/{len(polite_heldout)}")

    print("== published lists, by scope")
    by_scope: dict[str, list] = defaultdict(list)
    for item in data.get("published", []):
        by_scope[item["scope"]].append(item)
    for scope, items in sorted(by_scope.items()):
        pack = PACKS / f"{scope}.yaml"
        loaded = {Path(x).resolve() for x in args.lexicon}
        own = scope != "general" and pack.exists() and pack.resolve() not in loaded
        scoped = _checker([*args.lexicon, str(pack)]) if own else checker
        found = [bool(scoped.check(i["text"])) for i in items]
        label = scope if scope == "general" or pack.exists() else f"{scope} (no pack)"
        print(f"  {label:14} {_rate(sum(found), len(found))}")
        for item, ok in zip(items, found):
            if not ok:
                print(f"    MISSED {item['text']}  ({item['source']})")

    print("== real agent turns (JDDC)")
    path = _jddc_path(args.jddc)
    if not path.exists():
        print(f"  JDDC corpus not found at {path}; skipped (set SCRIPTCHECK_JDDC to measure)")
        return 0
    turns, flagged, rules, listing = flagged_agent_turns(checker, path)
    print(f"  flagged {flagged}/{turns} = {flagged / max(turns, 1):.2%}  "
          + ", ".join(f"{r}×{c}" for r, c in rules.most_common()))
    if args.list:
        for ident, hits, text in listing:
            print(f"  {ident}  {hits}  {text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
