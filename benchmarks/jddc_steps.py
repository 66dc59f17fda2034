"""Step detection of the ecommerce-chat profile on the real JDDC chats.

Usage: python benchmarks/jddc_steps.py [PATH] [--sample N] [--seed S]

Prints, per step, how many dialogues it marks satisfied, the score distribution, and (with
--sample) the first/last agent turns of N random dialogues next to the verdicts, for checking
by eye. Without the corpus it says so and exits 0.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
from collections import Counter
from pathlib import Path

from scriptcheck import Checker, Transcript

# $SCRIPTCHECK_JDDC (the corpus file, or a directory holding it), as the test suite reads it.
_JDDC = Path(os.environ.get("SCRIPTCHECK_JDDC") or Path(__file__).resolve().parents[2] / "shared" / "corpora")
DEFAULT = _JDDC / "jddc_dialogues.jsonl" if _JDDC.is_dir() else _JDDC


def main(argv: list[str]) -> int:
    """Run the measurement and print it."""
    args = [a for a in argv if not a.startswith("--")]
    sample = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else 0
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    if sample:
        args = [a for a in args if a not in (str(sample), str(seed))]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        print(f"JDDC corpus not found at {path}; nothing to measure")
        return 0
    checker = Checker.from_profile("ecommerce-chat")
    satisfied: Counter = Counter()
    scores = []
    passed = 0
    rows = []
    dialogues = [json.loads(line) for line in path.open(encoding="utf-8")]
    for d in dialogues:
        t = Transcript.model_validate({"id": d["id"], "turns": d["turns"]})
        report = checker.score(t)
        scores.append(report.score)
        passed += report.passed
        for step in report.steps:
            satisfied[step.name] += step.satisfied
        rows.append((t, report))
    n = len(dialogues)
    print(f"dialogues: {n}")
    for step in ("greeting", "offer-help", "ask-anything-else", "thanks", "farewell"):
        print(f"  {step:<18} satisfied in {satisfied[step]:>4} ({satisfied[step] / n:.1%})")
    print(f"pass rate {passed / n:.1%}, mean score {statistics.mean(scores):.1f}, "
          f"median {statistics.median(scores):.1f}")
    if sample:
        for t, report in random.Random(seed).sample(rows, sample):
            agent = [x.text for x in t.turns if x.speaker == "agent"]
            verdict = " ".join(f"{s.name}={'Y' if s.satisfied else '-'}" for s in report.steps)
            print(f"\n{t.id}  {verdict}")
            for text in agent[:2]:
                print(f"   first: {text[:90]}")
            for text in agent[-3:]:
                print(f"   last:  {text[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
