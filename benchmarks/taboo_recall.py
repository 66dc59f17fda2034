"""Recall of the forbidden lexicon on rude replies, false alarms on polite scripts, and the share
of real agent turns (JDDC) it flags.

Usage: python benchmarks/taboo_recall.py [--data benchmarks/data/taboo_dev.yaml] [--list]
                                         [--jddc PATH] [--lexicon FILE ...]

- rude replies (``rude:``): recall by category and by family; every miss is listed.
- polite scripts (``polite:``): every flagged one is a false alarm and is listed.
- held-out rounds (``heldout:``, ``polite_heldout:``): recall per round, false alarms.
- published lists (``published:``): recall by scope; ``general`` runs on the default lexicons,
  an industry scope (``bank``, ``hospital`` …) adds ``lexicons/packs/<scope>.yaml`` when present.
- gathered published lists (``--published``, default ``benchmarks/data/published_lists.yaml``):
  phrases of public 服务忌语 / 文明用语 pages, recall by collection and scope (a held-out
  collection marked), every miss listed, and false alarms on their recommended phrases.
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
PUBLISHED = REPO / "benchmarks" / "data" / "published_lists.yaml"


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


class _Scoped:
    """The checker for a published item's scope: the default lexicons for ``general``, plus
    ``lexicons/packs/<scope>.yaml`` for an industry scope that has a pack (built once)."""

    def __init__(self, checker: Checker, extra: list[str]) -> None:
        self._general = checker
        self._extra = extra
        self._loaded = {Path(x).resolve() for x in extra}
        self._built: dict[str, Checker] = {}

    def __call__(self, scope: str) -> Checker:
        pack = PACKS / f"{scope}.yaml"
        if scope == "general" or not pack.exists() or pack.resolve() in self._loaded:
            return self._general
        if scope not in self._built:
            self._built[scope] = _checker([*self._extra, str(pack)])
        return self._built[scope]

    @staticmethod
    def label(scope: str) -> str:
        """The scope as printed: marked when no pack serves it."""
        return scope if scope == "general" or (PACKS / f"{scope}.yaml").exists() else f"{scope} (no pack)"


def _gathered_lists(scoped: _Scoped, path: Path) -> None:
    """Recall by collection and scope on the published lists gathered from public pages
    (``rude:``), and false alarms on their recommended phrases (``polite:``). A collection
    marked ``held_out`` was measured before any of its texts was read (its note says what
    was done with it afterwards)."""
    if not path.exists():
        print(f"== gathered published lists: {path} not found; skipped")
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    held = {c["name"] for c in data.get("collections", []) if c.get("held_out")}
    print(f"== gathered published lists ({path.name}), by collection and scope")
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for item in data.get("rude", []):
        flagged = bool(scoped(item["scope"]).check(item["text"]))
        cell = table[(item["collection"], item["scope"])]
        cell[0] += flagged
        cell[1] += 1
        if not flagged:
            misses.append(item)
    for collection in sorted({c for c, _ in table}):
        mark = " (held out when first measured; see its note)" if collection in held else ""
        cells = {scope: hit_total for (c, scope), hit_total in table.items() if c == collection}
        general = cells.get("general", [0, 0])
        print(f"  {collection}{mark}: general {_rate(*general)}; "
              + ", ".join(f"{scoped.label(s)} {_rate(*ht)}" for s, ht in sorted(cells.items()) if s != "general"))
    general = [sum(ht[i] for (_, s), ht in table.items() if s == "general") for i in (0, 1)]
    print(f"  all collections: general {_rate(*general)}")
    for item in misses:
        print(f"    MISSED [{item['collection']} {item['scope']}] {item['text']}  ({item['source']})")
    polite = data.get("polite", [])
    alarms = 0
    for item in polite:
        findings = scoped(item["scope"]).check(item["text"])
        if findings:
            alarms += 1
            print(f"    FALSE ALARM [{item['collection']}] {[(f.rule, f.text) for f in findings]} {item['text']}")
    print(f"  recommended phrases flagged {alarms}/{len(polite)}")


def _rate(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.1%}" if total else "0/0"


def main(argv: list[str]) -> int:
    """Print the three figures (and the JDDC share); exit 0 always (a benchmark, not a test)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--published", default=str(PUBLISHED), help="gathered published lists (YAML)")
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
    scoped = _Scoped(checker, args.lexicon)
    by_scope: dict[str, list] = defaultdict(list)
    for item in data.get("published", []):
        by_scope[item["scope"]].append(item)
    for scope, items in sorted(by_scope.items()):
        found = [bool(scoped(scope).check(i["text"])) for i in items]
        print(f"  {scoped.label(scope):14} {_rate(sum(found), len(found))}")
        for item, ok in zip(items, found):
            if not ok:
                print(f"    MISSED {item['text']}  ({item['source']})")
    _gathered_lists(scoped, Path(args.published))

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
