"""Share of real agent turns (JDDC) the forbidden lexicon flags, and the list of them.

Usage: python benchmarks/jddc_false_positives.py [PATH_TO_jddc_dialogues.jsonl] [--list]

The corpus is not part of the repository (see ../shared/corpora/README.md); without it the
script says so and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

from scriptcheck import Checker

# $SCRIPTCHECK_JDDC (the corpus file, or a directory holding it), as the test suite reads it.
_JDDC = Path(os.environ.get("SCRIPTCHECK_JDDC") or Path(__file__).resolve().parents[2] / "shared" / "corpora")
DEFAULT = _JDDC / "jddc_dialogues.jsonl" if _JDDC.is_dir() else _JDDC


def flagged_agent_turns(checker, path: Path) -> tuple[int, int, Counter, list]:
    """Check every agent turn of the JDDC file at ``path``: (agent turns, turns flagged,
    findings per rule, [(dialogue id, [(rule, text)], turn text)] of the flagged ones)."""
    turns = flagged = 0
    by_rule: Counter = Counter()
    listing = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            dialogue = json.loads(line)
            for turn in dialogue["turns"]:
                if turn["speaker"] != "agent":
                    continue
                turns += 1
                findings = checker.check(turn["text"])
                if findings:
                    flagged += 1
                    by_rule.update(f.rule for f in findings)
                    listing.append((dialogue["id"], [(f.rule, f.text) for f in findings], turn["text"]))
    return turns, flagged, by_rule, listing


def main(argv: list[str]) -> int:
    """Print counts per rule and (with --list) every flagged agent turn."""
    paths = [a for a in argv if not a.startswith("--")]
    path = Path(paths[0]) if paths else DEFAULT
    if not path.exists():
        print(f"JDDC corpus not found at {path}; nothing to measure")
        return 0
    turns, flagged, by_rule, listing = flagged_agent_turns(Checker.default(), path)
    print(f"agent turns: {turns}")
    print(f"flagged:     {flagged} ({flagged / turns:.2%})")
    print("by rule:     " + ", ".join(f"{r}×{c}" for r, c in by_rule.most_common()))
    if "--list" in argv:
        for ident, hits, text in listing:
            print(f"{ident}  {hits}  {text[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
