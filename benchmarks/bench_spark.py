"""Spark engine: local[1] vs local[2] (speed-up) and Spark local[1] vs the local engine with
``--jobs 1`` (overhead), on the same generated corpus; then what 10⁸ turns would take.

    python benchmarks/bench_spark.py [--turns 200000] [--repeats 2]

The local engine is the whole ``scriptcheck score --jobs 1`` command on the corpus as JSONL
(start-up, reading, scoring, writing the JSONL reports); Spark scores the same corpus as nested
Parquet (read and cached before the clock starts) with ``score_dataframe`` and writes to Spark's
``noop`` sink — so the "overhead" ratio compares Spark's scoring path with the whole local
command, not like for like. Each Spark figure is the best of ``--repeats`` jobs after one warm-up job (the
first job also starts the Python workers); session start-up is reported on its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402


def _write_corpus(folder: Path, turns: int) -> tuple[Path, Path, int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl = folder / "corpus.jsonl"
    rows = []
    with jsonl.open("w", encoding="utf-8") as fh:
        for transcript in generate(turns, seed=5):
            fh.write(json.dumps(transcript, ensure_ascii=False) + "\n")
            rows.append({"id": transcript["id"], "agent_id": transcript["agent_id"],
                         "turns": [{"speaker": t["speaker"], "text": t["text"]} for t in transcript["turns"]]})
    parquet = folder / "corpus.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=2048)
    return jsonl, parquet, len(rows), sum(len(r["turns"]) for r in rows)


def _local(jsonl: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scriptcheck", "score", "--jobs", "1", "-q", "--format", "jsonl",
                    "-o", str(out), str(jsonl)], check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _spark(parquet: Path, master: str, repeats: int, partitions: int) -> tuple[float, float]:
    from scriptcheck.integrations.spark import score_dataframe, spark_session

    start = time.perf_counter()
    spark = spark_session(master, app=f"bench-{master}")
    startup = time.perf_counter() - start
    df = spark.read.parquet(str(parquet)).repartition(partitions).cache()
    df.count()
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        score_dataframe(df, profile="ecommerce-chat").write.mode("overwrite").format("noop").save()
        times.append(time.perf_counter() - start)
    spark.stop()
    return startup, min(times[1:])


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl, parquet, transcripts, turns = _write_corpus(folder, args.turns)
        print(f"corpus: {transcripts:,} transcripts, {turns:,} turns")
        local = min(_local(jsonl, folder / "out.jsonl") for _ in range(args.repeats))
        print(f"local engine, score --jobs 1 (whole command): {local:.2f} s  {turns / local:,.0f} turns/s")
        startup1, one = _spark(parquet, "local[1]", args.repeats, 4)
        print(f"spark local[1]: {one:.2f} s  {turns / one:,.0f} turns/s  (session start {startup1:.1f} s)")
        startup2, two = _spark(parquet, "local[2]", args.repeats, 4)
        print(f"spark local[2]: {two:.2f} s  {turns / two:,.0f} turns/s  (session start {startup2:.1f} s)")
        print(f"speed-up local[2] / local[1]: {one / two:.2f}x")
        print(f"overhead spark local[1] / local engine --jobs 1: {one / local:.2f}x")
        per_core = turns / one
        efficiency = min(1.0, (one / two) / 2)
        print(f"per executor core: {per_core:,.0f} turns/s; scaling efficiency at 2 cores: {efficiency:.0%}")
        for cores in (8, 32, 128):
            minutes = 1e8 / (per_core * cores * efficiency) / 60
            print(f"expected for 1e8 turns on {cores:>3} executor cores: {minutes:6.1f} min "
                  f"(scoring only; reading the lake and writing the reports come on top)")


if __name__ == "__main__":
    main()
