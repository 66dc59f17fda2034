"""Per-transcript CPU of the three library stages of `scriptcheck score`, in one process.

Reads a JSON Lines file (e.g. the corpus `bench_process.py` writes, or `corpus.py` output),
warms the scorer up on the first 300 records, freezes the long-lived objects out of the
collector and turns it off (as the batch scorer keeps it out of the way), then times, over
every record, `Record.validated()` (JSON parse + validation), `ProfileScorer.score()` and
`Report.model_dump_json()`; prints the minimum over repeats of each, in µs per transcript.

A figure of one build only: on a shared machine compare two builds by running this
alternately, several times each (the minimum is the least disturbed repeat).

    python benchmarks/bench_stages.py FILE [--profile ecommerce-chat] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

from scriptcheck.io.records import Record
from scriptcheck.scoring.engine import ProfileScorer


def main() -> None:
    """Time the stages and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--profile", default="ecommerce-chat")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    scorer = ProfileScorer.load(args.profile)
    for n, line in enumerate(lines[:300]):
        scorer.score(Record(args.file, n, raw=line).validated().transcript).model_dump_json()
    gc.collect()
    gc.freeze()
    gc.disable()
    best = [float("inf")] * 3
    for _ in range(args.repeats):
        t0 = time.process_time()
        records = [Record(args.file, n, raw=line).validated() for n, line in enumerate(lines)]
        t1 = time.process_time()
        reports = [scorer.score(r.transcript) for r in records]
        t2 = time.process_time()
        dumped = [r.model_dump_json() for r in reports]
        t3 = time.process_time()
        for k, seconds in enumerate((t1 - t0, t2 - t1, t3 - t2)):
            best[k] = min(best[k], 1e6 * seconds / len(lines))
        del records, reports, dumped
        gc.collect()
    print(f"{len(lines)} transcripts, µs each (min of {args.repeats}): parse+validate {best[0]:.1f}, "
          f"score {best[1]:.1f}, report JSON {best[2]:.1f}  ({sys.prefix})")


if __name__ == "__main__":
    main()
