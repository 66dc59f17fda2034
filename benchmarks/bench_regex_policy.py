"""Real ``re`` on the patterns the regex policy accepts: 4x the input should cost ~4x.

Complements tests/test_regex_policy.py (a deterministic step-counting model): here the real
engine is timed in CPU time, median of repeats, on adversarial inputs (the pattern's own
characters repeated, so every start position gets as far as it can). Prints the worst ratio
over every shipped lexicon pattern and a sample of random accepted patterns, and what the
refused catastrophic examples cost at a small size for contrast. Not a test: no threshold.

    python benchmarks/bench_regex_policy.py [--n 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scriptcheck.text.regex_policy import UnsafePattern, check_regex  # noqa: E402
from tests.test_regex_policy import _patterns, _shipped_patterns  # noqa: E402


def _cpu(regex: re.Pattern, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        regex.search(text)
        times.append(time.process_time() - start)
    return statistics.median(times)


def _adversarial(pattern: str, n: int) -> str:
    chars = [c for c in pattern if c.isalnum() or ord(c) > 0x2E80] or ["a"]
    base = "".join(chars)
    return (base * (n // len(base) + 1))[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--random", type=int, default=300, help="random accepted patterns to add")
    args = parser.parse_args()
    patterns = _shipped_patterns()
    strategy = _patterns()
    while len(patterns) < len(_shipped_patterns()) + args.random:
        candidate = strategy.example()
        try:
            check_regex(candidate)
        except UnsafePattern:
            continue
        patterns.append(candidate)
    worst = []
    for pattern in patterns:
        regex = re.compile(pattern, re.MULTILINE)
        short = _adversarial(pattern, args.n)
        small = _cpu(regex, short, args.repeat)
        large = _cpu(regex, short * 4, args.repeat)
        if small > 1e-5:
            worst.append((large / small, pattern))
    worst.sort(reverse=True)
    print(f"{len(patterns)} accepted patterns, n={args.n} vs 4n: median ratio "
          f"{statistics.median(r for r, _ in worst):.2f}, worst {worst[0][0]:.2f} ({worst[0][1]!r})")
    for pattern, text in (("(a|a){1,40}$", "a" * 22 + "b"), ("你(.{1,29}){1,29}c", "你" + "x" * 22)):
        start = time.process_time()
        re.search(pattern, text)
        print(f"refused {pattern!r} on {len(text)} characters: {time.process_time() - start:.2f} s CPU")


if __name__ == "__main__":
    main()
