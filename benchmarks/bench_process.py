"""The whole `scriptcheck score` command against the floor process, in CPU time.

The floor process is the least any checker built on jieba must do: start Python, read the same
JSON Lines file, parse every record and `jieba.lcut` every agent turn. The score process is
`scriptcheck score FILE --format jsonl -o OUT -q --jobs N`: start-up, reading, validating,
scoring, serialising and writing every report. Both run as fresh processes, alternating round by
round, and each is timed by the CPU it and its children used (user + system), which a shared
machine disturbs far less than wall time. The figure is the median over rounds of
floor CPU / score CPU ("score is N x cheaper than the floor").

`--parallel` also runs `--jobs 2` and `--jobs auto` (the default) against `--jobs 1` in wall time,
since that is what a second core buys.

`--sweep` instead times `--jobs 1`, `--jobs 2` and the default on small to medium batches
(wall time, alternating, median of rounds): more jobs must never be slower.

    python benchmarks/bench_process.py [--transcripts 20000] [--rounds 3] [--parallel]
    python benchmarks/bench_process.py --sweep 100,600,1100,2000,5000 [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

FLOOR = r"""
import json, sys
import jieba
jieba.initialize()
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        for turn in json.loads(line)["turns"]:
            if turn["speaker"] == "agent":
                jieba.lcut(turn["text"])
"""

WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


def measure(args: list[str]) -> dict:
    """Run one command in a fresh wrapper process; its wall and CPU seconds, peak RSS, exit code."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"command failed ({result['code']}): {' '.join(args)}")
    return result


def write_corpus(path: Path, transcripts: int) -> int:
    """Write about ``transcripts`` resampled real chats; returns the number of turns."""
    turns = 0
    with path.open("w", encoding="utf-8") as fh:
        for n, transcript in enumerate(generate(10**9, seed=7)):
            if n == transcripts:
                break
            fh.write(json.dumps(transcript, ensure_ascii=False) + "\n")
            turns += len(transcript["turns"])
    return turns


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="ecommerce-chat")
    parser.add_argument("--parallel", action="store_true", help="also time --jobs 2 and the default")
    parser.add_argument("--sweep", default=None, metavar="N,N,…", help="batch sizes (transcripts) to sweep")
    args = parser.parse_args()
    exe = shutil.which("scriptcheck")
    command = [exe] if exe else [sys.executable, "-m", "scriptcheck"]
    if args.sweep:
        sweep([int(n) for n in args.sweep.split(",")], args.rounds, command, args.profile)
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "chats.jsonl", Path(tmp) / "out.jsonl"
        turns = write_corpus(corpus, args.transcripts)
        print(f"corpus: {args.transcripts:,} transcripts, {turns:,} turns, {corpus.stat().st_size / 1e6:.1f} MB")
        score = [*command, "score", str(corpus), "--format", "jsonl", "-o", str(out), "-q",
                 "--default-profile", args.profile]
        floor = [sys.executable, "-c", FLOOR, str(corpus)]
        runs: dict[str, list[dict]] = {}
        variants = {"floor": floor, "jobs1": [*score, "--jobs", "1"]}
        if args.parallel:
            variants |= {"jobs2": [*score, "--jobs", "2"], "auto": score}
        measure(variants["jobs1"])  # warm the caches and the page cache once
        for round_ in range(args.rounds):
            for name, cmd in variants.items():
                runs.setdefault(name, []).append(measure(cmd))
            floor_cpu, one_cpu = runs["floor"][-1]["cpu"], runs["jobs1"][-1]["cpu"]
            print(f"round {round_ + 1}: floor {floor_cpu:.2f} s CPU, score --jobs 1 {one_cpu:.2f} s CPU"
                  f" -> {floor_cpu / one_cpu:.2f}x")
        ratios = [f["cpu"] / s["cpu"] for f, s in zip(runs["floor"], runs["jobs1"])]
        print(f"floor / score --jobs 1 (CPU): median {statistics.median(ratios):.2f}x "
              f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; goal >= 5x)")
        one_wall = statistics.median(r["wall"] for r in runs["jobs1"])
        print(f"score --jobs 1: {one_wall:.2f} s wall, {turns / one_wall:,.0f} turns/s, "
              f"peak {max(r['peak_mb'] for r in runs['jobs1']):.0f} MB")
        print("where the CPU of one scoring process goes (library calls, same corpus):")
        for stage, seconds in stages(corpus, args.profile).items():
            print(f"  {seconds:6.2f} s  {stage}")
        print(f"  floor process for comparison: {statistics.median(r['cpu'] for r in runs['floor']):.2f} s")
        for name in ("jobs2", "auto"):
            if name in runs:
                speedups = [o["wall"] / r["wall"] for o, r in zip(runs["jobs1"], runs[name])]
                cpu = [r["cpu"] / o["cpu"] for o, r in zip(runs["jobs1"], runs[name])]
                print(f"{name}: wall speed-up over --jobs 1 median {statistics.median(speedups):.2f}x "
                      f"(rounds {', '.join(f'{s:.2f}' for s in speedups)}), CPU {statistics.median(cpu):.2f}x")


def sweep(sizes: list[int], rounds: int, command: list[str], profile: str) -> None:
    """Wall time of --jobs 1, --jobs 2 and the default per batch size, median of ``rounds``."""
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            corpus, out = Path(tmp) / f"chats-{size}.jsonl", Path(tmp) / "out.jsonl"
            turns = write_corpus(corpus, size)
            base = [*command, "score", str(corpus), "--format", "jsonl", "-o", str(out), "-q",
                    "--default-profile", profile]
            variants = {"jobs1": [*base, "--jobs", "1"], "jobs2": [*base, "--jobs", "2"], "auto": base}
            walls: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(rounds):
                for name, cmd in variants.items():
                    walls[name].append(measure(cmd)["wall"])
            one = statistics.median(walls["jobs1"])
            print(f"{size:>6,} transcripts ({turns:,} turns): --jobs 1 {one:.2f} s; " + "; ".join(
                f"{name} {statistics.median(walls[name]):.2f} s = {one / statistics.median(walls[name]):.2f}x"
                for name in ("jobs2", "auto")))


STAGES = r"""
import gc, json, sys, time
clock = time.process_time
t0 = clock()
from scriptcheck.batch import Scorer
from scriptcheck.io.records import Record
from scriptcheck.text.segment import Segmenter
t1 = clock()
scorer = Scorer(None, sys.argv[2])
scorer.scorer(sys.argv[2])
t2 = clock()
scorer.prepare()  # as the command does for an input this large (cli_score._PREPARE_BYTES)
t2p = clock()
Segmenter().tokens("预热分词词典")  # the process-wide dictionary a run loads when a rule needs words
t3 = clock()
gc.collect()
gc.freeze()  # as the command does
read = score = dump = 0.0
# One record at a time, as the command streams them (nothing accumulates).
with open(sys.argv[1], encoding="utf-8") as fh:
    for n, line in enumerate(fh, 1):
        a = clock()
        record = Record(sys.argv[1], n, raw=line).validated()
        b = clock()
        report = scorer.score(record.transcript)
        c = clock()
        report.model_dump_json()
        d = clock()
        read += b - a
        score += c - b
        dump += d - c
print(json.dumps({"import": t1 - t0, "load profile and lexicons": t2 - t1, "automata (prepare)": t2p - t2,
                  "segmenter dictionary": t3 - t2p,
                  "parse and validate": read, "score": score, "report JSON": dump}))
"""


def stages(corpus: Path, profile: str) -> dict[str, float]:
    """CPU seconds of each stage of scoring ``corpus`` in one fresh process (library calls)."""
    out = subprocess.run([sys.executable, "-c", STAGES, str(corpus), profile], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
