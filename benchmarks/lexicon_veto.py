"""What the tone model's lexicon veto clears: the default checker with and without it.

Usage: python benchmarks/lexicon_veto.py [FILE ...] [--training] [--no-jddc] [--list]

- each FILE (a set in the format of ``benchmarks/data/train_t*.yaml``; ``--training`` adds every
  set of ``benchmarks/data/``): rude and polite items flagged with the veto and without it;
- the real JDDC chats (``$SCRIPTCHECK_JDDC`` or ``../shared/corpora``; skipped when absent or with
  ``--no-jddc``): every turn, agent's and customer's, flagged with and without it — material the
  veto was not chosen on;
- ``--list`` prints each item or turn the veto clears, with the rules it drops.

The veto (``lexicon_veto`` in lexicons/models/tone.yaml, docs/tone-model.md) drops the packaged
forbidden lexicon's findings in a turn both stages of the model read as courteous.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_eval import items, training_sets  # noqa: E402
from jddc_false_positives import DEFAULT as JDDC  # noqa: E402

from scriptcheck import Checker  # noqa: E402
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons  # noqa: E402
from scriptcheck.lexicon.tone import load_tone  # noqa: E402


def _without_veto() -> Checker:
    """The default checker's lexicons and tone model, the model's lexicon veto taken out."""
    tone = load_tone()
    tone.lexicon_veto = None
    return Checker(load_lexicons(DEFAULT_LEXICONS, verify=False), tone=tone)


def _compare(texts, on: Checker, off: Checker, show: bool) -> Counter:
    """Per label of ``texts`` ((label, where, text) triples): items, flagged with and without the veto."""
    counts: Counter = Counter()
    for label, where, text in texts:
        kept = {f.rule for f in on.check(text)}
        before = {f.rule for f in off.check(text)}
        counts[label] += 1
        counts[label, "with"] += bool(kept)
        counts[label, "without"] += bool(before)
        if show and before - kept:
            print(f"  CLEARED {','.join(sorted(before - kept))}  {where}  {text}")
    return counts


def _report(title: str, counts: Counter) -> None:
    for label in sorted({key for key in counts if isinstance(key, str)}):
        print(f"{title:12} {label:9} flagged {counts[label, 'without']:>6,} → {counts[label, 'with']:>6,}"
              f" of {counts[label]:,} (without → with the veto)")


def _jddc_turns(path: Path):
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            for turn in json.loads(line)["turns"]:
                yield turn["speaker"], f"jddc:{n}", turn["text"]


def main(argv: list[str]) -> int:
    """Print the figures; exit 0 (a benchmark, not a test)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--training", action="store_true", help="add every set of benchmarks/data/")
    parser.add_argument("--no-jddc", action="store_true", help="leave the real chats out")
    parser.add_argument("--list", action="store_true", help="print what the veto clears")
    args = parser.parse_args(argv)
    on, off = Checker.default(), _without_veto()
    files = [*(training_sets() if args.training else []), *args.files]
    if files:
        texts = ((label, f"{path.name}:{section}[{index}]", text)
                 for path in files for section, index, label, text in items(path))
        _report("sets", _compare(texts, on, off, args.list))
    if args.no_jddc:
        return 0
    if not JDDC.is_file():
        print(f"JDDC chats: {JDDC} not found; skipped")
        return 0
    _report("JDDC turns", _compare(_jddc_turns(JDDC), on, off, args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
