"""Throughput of scoring against the floor of segmenting the same agent text with jieba.

Both run in this process on one core. Each repeat goes through the corpus in chunks (40 by
default) and times the floor and then every scorer on each chunk, so a ratio compares runs
fractions of a second apart (the machines here are shared, and their speed drifts by tens of
percent over minutes); the headline is the median of the per-repeat ratios, and the times shown
are the best of the repeats. Whether scriptcheck's hot path is compiled
(Cython, see setup.py) or pure Python is printed first.

    python benchmarks/bench_throughput.py [--turns 100000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import time
from pathlib import Path

import jieba

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from scriptcheck import Checker  # noqa: E402
from scriptcheck.text.segment import Segmenter  # noqa: E402
from scriptcheck.io.records import build_transcript  # noqa: E402


def _drain(results) -> None:
    for _ in results:
        pass


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", default="ecommerce-chat")
    parser.add_argument("--chunks", type=int, default=40, help="floor and scorers alternate chunk by chunk")
    args = parser.parse_args()

    raw = list(generate(args.turns))
    transcripts = [build_transcript(t, source="bench", line=i) for i, t in enumerate(raw)]
    turns = sum(len(t.turns) for t in transcripts)
    agent_text = [turn.text for t in transcripts for turn in t.turns if turn.speaker == "agent"]
    mb = sum(len(turn.text.encode("utf-8")) for t in transcripts for turn in t.turns) / 1e6

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    checker = Checker.from_profile(args.profile)
    checker.segment("预热")  # load the dictionary outside the timed region, as the floor does
    # Both backends by name (the default is rjieba where installed; their tokens are the same).
    backends = {checker.segmenter.backend: checker}
    other = "jieba" if checker.segmenter.backend == "rjieba" else "rjieba"
    try:
        backends[other] = Checker(checker.lexicons, profile=checker.profile, segmenter=Segmenter(other))
        backends[other].segment("预热")
    except ImportError:
        print(f"{other} not installed: skipping the {other} backend")

    # Results are dropped as they come, as `scriptcheck score` writes and forgets each report,
    # and the long-lived objects are frozen out of the collector as its batch scorer does.
    gc.freeze()
    print(f"scriptcheck hot path: {build_kind()}")
    print(f"corpus: {len(transcripts)} transcripts, {turns} turns ({len(agent_text)} agent), {mb:.1f} MB UTF-8")
    runs: dict[str, list[float]] = {"floor": [], **{name: [] for name in backends}, "check": []}
    chunks = [(chunk, [turn.text for t in chunk for turn in t.turns if turn.speaker == "agent"])
              for chunk in _chunks(transcripts, args.chunks)]
    for _ in range(args.repeats):
        totals = dict.fromkeys(runs, 0.0)
        # Interleaved chunk by chunk, so a drift in the machine's speed weighs on the floor and
        # on the scorers alike.
        for chunk, texts in chunks:
            totals["floor"] += _timed(lambda: _drain(tokenizer.lcut(text) for text in texts))
            for name, c in backends.items():
                totals[name] += _timed(lambda c=c: _drain(c.score(t) for t in chunk))
            totals["check"] += _timed(lambda: _drain(checker.check(text) for text in texts))
        for name, total in totals.items():
            runs[name].append(total)
    floor = min(runs["floor"])
    print(f"floor  jieba.lcut on agent turns: {floor:.2f} s  ({len(agent_text) / floor:,.0f} agent turns/s)")
    for name in backends:
        best = min(runs[name])
        default = " (default)" if name == checker.segmenter.backend else ""
        print(f"score  ({name} backend{default}, 1 core): {best:.2f} s  {turns / best:,.0f} turns/s  "
              f"{mb / best:.2f} MB/s  ratio floor/score = {_ratio(runs['floor'], runs[name])}")
    print(f"check  (forbidden phrases only, agent turns): {min(runs['check']):.2f} s  "
          f"ratio floor/check = {_ratio(runs['floor'], runs['check'])}")


def _chunks(items: list, count: int) -> list[list]:
    size = max(1, -(-len(items) // count))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _timed(fn) -> float:
    # CPU time of this process: on a shared virtual machine, wall time also counts the moments
    # the host runs someone else (steal), which varied by 2x between runs seconds apart.
    start = time.process_time()
    fn()
    return time.process_time() - start


def _ratio(floor: list[float], other: list[float]) -> str:
    """Median of the per-repeat ratios, with their range."""
    ratios = sorted(f / o for f, o in zip(floor, other))
    return f"{statistics.median(ratios):.2f}x (repeats {ratios[0]:.2f}–{ratios[-1]:.2f})"


def build_kind() -> str:
    """'compiled (…)' when the hot path was built with Cython, else 'pure Python'."""
    import importlib.machinery

    from scriptcheck.match import engine

    compiled = any(str(engine.__file__).endswith(suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)
    return f"compiled ({Path(engine.__file__).name})" if compiled else "pure Python"


if __name__ == "__main__":
    main()
