"""Lexicon scaling: checking the same agent turns with 100, 1,000 and 10,000 forbidden entries.

Extra entries are generated, one in ten a bounded pattern. Two ways (``--mode``):

- ``taboo`` (default, realistic): each phrase splices fragments of the packaged taboos with
  other characters, so entries look like real 服务忌语 and, like them, seldom occur in polite
  agent speech;
- ``stress``: phrases of 3–6 characters drawn from the corpus's own character distribution, so
  hundreds of them do occur and every hit must be verified and reported.

The automaton scan costs per text character, not per entry: 10,000 entries should cost at most
1.3x what 100 cost. Loading (read, parse, validate, compile, build the checker and its
automaton) is measured in a fresh interpreter per load, rounds alternating over the sizes, both
cold (``SCRIPTCHECK_CACHE_DIR=off``: parsed from YAML) and warm (from the lexicon cache);
medians are printed with the ratio to 100 entries.

    python benchmarks/bench_scaling.py [--turns 50000] [--repeats 3] [--mode taboo|stress] [--load-rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from scriptcheck import Checker, load_lexicon  # noqa: E402
from scriptcheck.text.normalize import normalize_phrase  # noqa: E402

SIZES = (100, 1_000, 10_000)


def taboo_fragments() -> list[str]:
    """2–4 character pieces of the packaged taboos' example texts."""
    lexicon = load_lexicon("forbidden", verify=False)
    pieces = set()
    for entry in lexicon.entries:
        for text in entry.specs.match:
            norm = normalize_phrase(text)
            for size in (2, 3, 4):
                pieces.update(norm[i:i + size] for i in range(len(norm) - size + 1))
    return sorted(pieces)


def synthetic_lexicon(size: int, chars: list[str], weights: list[int], seed: int = 5,
                      fragments: list[str] | None = None) -> dict:
    """A valid forbidden lexicon of ``size`` generated entries."""
    rng = random.Random(seed)
    entries = []
    seen: set[str] = set()
    while len(entries) < size:
        if fragments:
            phrase = rng.choice(fragments) + "".join(rng.choices(chars, weights, k=1)) + rng.choice(fragments)
        else:
            phrase = "".join(rng.choices(chars, weights, k=rng.randint(3, 6)))
        norm = normalize_phrase(phrase)
        if len(norm) < 3 or norm in seen:
            continue
        seen.add(norm)
        entry = {"id": f"ZZ{len(entries) % 1000:03d}" if size <= 1000 else None,
                 "name": f"synthetic-{len(entries)}", "category": "synthetic",
                 "description": "generated entry", "severity": "warning"}
        if rng.random() < 0.1:
            entry["patterns"] = [f"{norm[:2]}.{{0,3}}{norm[2:]}"]
        else:
            entry["phrases"] = [phrase]
        entries.append(entry)
    for i, entry in enumerate(entries):
        # Rule codes are two letters + three digits: spread 10,000 entries over letter pairs.
        entry["id"] = f"Z{chr(65 + i // 1000)}{i % 1000:03d}"
    return {"version": 1, "name": f"synthetic-{size}", "kind": "forbidden", "entries": entries}


_LOAD = r"""
import sys, time
from pathlib import Path
from scriptcheck import Checker, load_lexicon
start = time.perf_counter()
checker = Checker([load_lexicon(Path(sys.argv[1]), verify=False)])
checker.check("预热")
checked = time.perf_counter()
checker._matcher._automaton._built()  # the automaton is built on first need: count it here
print(checked - start, time.perf_counter() - start)
"""


def load_times(paths: dict[int, Path], rounds: int, cache: Path) -> dict[str, dict[int, float]]:
    """Median load time per size, cold and warm, each in a fresh interpreter: the load itself
    (``cold``, ``warm``), the same without building the automaton (``…, no automaton``: a run
    builds it only once its texts add up, see match/automaton.py) and the whole process,
    interpreter start and imports included (``cold process``, ``warm process``: what a command
    that loads the lexicon costs)."""
    modes = ("cold", "warm", "cold process", "warm process", "cold, no automaton", "warm, no automaton")
    times: dict[str, dict[int, list[float]]] = {mode: {} for mode in modes}
    for path in paths.values():  # fill the cache first: every warm round is then warm
        subprocess.run([sys.executable, "-c", _LOAD, str(path)], env={**os.environ, "SCRIPTCHECK_CACHE_DIR": str(cache)},
                       capture_output=True, check=True)
    for _ in range(rounds):
        for size, path in paths.items():
            for mode in ("cold", "warm"):
                env = {**os.environ, "SCRIPTCHECK_CACHE_DIR": "off" if mode == "cold" else str(cache)}
                started = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", _LOAD, str(path)], env=env, capture_output=True,
                                     text=True, check=True)
                times[f"{mode} process"].setdefault(size, []).append(time.perf_counter() - started)
                checked, loaded = map(float, out.stdout.split())
                times[mode].setdefault(size, []).append(loaded)
                times[f"{mode}, no automaton"].setdefault(size, []).append(checked)
    return {mode: {size: statistics.median(v) for size, v in by_size.items()} for mode, by_size in times.items()}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", choices=["taboo", "stress"], default="taboo")
    parser.add_argument("--load-rounds", type=int, default=5)
    args = parser.parse_args()
    fragments = taboo_fragments() if args.mode == "taboo" else None
    texts = [t["text"] for d in generate(args.turns) for t in d["turns"] if t["speaker"] == "agent"]
    counts = Counter(normalize_phrase("".join(texts[:5000])))
    chars, weights = zip(*[(c, n) for c, n in counts.items() if "\u4e00" <= c <= "\u9fff"])
    checkers = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for size in SIZES:
            path = paths[size] = Path(tmp) / f"synthetic-{size}.yaml"
            path.write_text(yaml.safe_dump(synthetic_lexicon(size, list(chars), list(weights), fragments=fragments),
                                           allow_unicode=True), encoding="utf-8")
            started = time.perf_counter()
            checkers[size] = Checker([load_lexicon(path, verify=False)])
            checkers[size].check("预热")
            checkers[size]._matcher._automaton._built()
            print(f"{size:>6} entries: load + compile in this process {time.perf_counter() - started:.2f} s")
        loads = load_times(paths, args.load_rounds, Path(tmp) / "cache")
        for mode in loads:
            for size in SIZES:
                print(f"{size:>6} entries: load {mode} (fresh interpreter, median of {args.load_rounds}) "
                      f"{loads[mode][size] * 1000:7.1f} ms  ratio to 100 = {loads[mode][size] / loads[mode][100]:.1f}x")
    best = {size: float("inf") for size in SIZES}
    hits = {}
    for _ in range(args.repeats):
        for size in SIZES:  # interleaved, so drift hits every size alike
            started = time.perf_counter()
            found = sum(len(checkers[size].check(text)) for text in texts)
            best[size] = min(best[size], time.perf_counter() - started)
            hits[size] = found
    print(f"mode {args.mode}; agent turns checked: {len(texts)}")
    for size in SIZES:
        print(f"{size:>6} entries: {best[size]:.2f} s  {len(texts) / best[size]:,.0f} turns/s  "
              f"findings {hits[size]}  ratio to 100 = {best[size] / best[100]:.2f}x")


if __name__ == "__main__":
    main()
