"""Throughput of scoring against the floor of segmenting the same agent text with jieba.

Both run in this process on one core, interleaved and repeated; the figures are the best of
the repeats and the headline is the ratio (machines here are shared and noisy).

    python benchmarks/bench_throughput.py [--turns 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import logging
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


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", default="ecommerce-chat")
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
    backends = {"jieba": checker}
    try:
        import rjieba  # noqa: F401
    except ImportError:
        print("rjieba not installed: skipping the rjieba backend")
    else:
        backends["rjieba"] = Checker(checker.lexicons, profile=checker.profile, segmenter=Segmenter("rjieba"))
        backends["rjieba"].segment("预热")

    # Results are dropped as they come, as `scriptcheck score` writes and forgets each report,
    # and the long-lived objects are frozen out of the collector as its batch scorer does.
    gc.freeze()
    floor = _best(lambda: _drain(tokenizer.lcut(text) for text in agent_text), args.repeats)
    print(f"corpus: {len(transcripts)} transcripts, {turns} turns ({len(agent_text)} agent), {mb:.1f} MB UTF-8")
    print(f"floor  jieba.lcut on agent turns: {floor:.2f} s  "
          f"({len(agent_text) / floor:,.0f} agent turns/s)")
    for name, c in backends.items():
        elapsed = _best(lambda c=c: _drain(c.score(t) for t in transcripts), args.repeats)
        print(f"score  ({name} backend, 1 core): {elapsed:.2f} s  {turns / elapsed:,.0f} turns/s  "
              f"{mb / elapsed:.2f} MB/s  ratio floor/score = {floor / elapsed:.2f}x")
    check_only = _best(lambda: _drain(checker.check(text) for text in agent_text), args.repeats)
    print(f"check  (forbidden phrases only, agent turns): {check_only:.2f} s  "
          f"ratio floor/check = {floor / check_only:.2f}x")


if __name__ == "__main__":
    main()
