"""`scriptcheck score --jobs 2` and the default (`auto`) against `--jobs 1` on small to large
inputs, and peak memory at 1x and 10x input size.

Each run is a fresh `scriptcheck score FILE --format jsonl -q -o /dev/null` process, timed in
wall time (what a second core buys); peak memory is the largest resident set among it and its
workers (getrusage of a wrapper). For every input size the three commands alternate round by
round (`--rounds`, each round starting with the next of them), so a change in the machine's load
weighs on all three; the figures are the
medians over rounds of the per-round ratios `--jobs 1` / other (above 1: faster than one
process), with the slowest round and the worker processes each run started (its children seen
every 50 ms in `/proc`). The machine's runnable tasks (`/proc/loadavg`) are sampled before each
run, and the CPU seconds other processes used during each run are measured (`/proc/stat`'s busy
time less this benchmark's children's), since another process's work makes any parallel figure
meaningless.

    python benchmarks/bench_parallel.py [--turns 200000] [--small 1000,20000] [--rounds 3] [--no-memory]
                                        [--wait-quiet SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write  # noqa: E402

WRAPPER = r"""
import json, os, resource, subprocess, sys, time

def children(pid):
    # Worker processes the command runs (its children, from /proc every 50 ms; 0 without /proc).
    # The kernel's list of the main thread's children is one small read; scanning every
    # process's stat took ~0.9 ms a look, CPU taken from the workers being measured.
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as fh:
            return len(fh.read().split())
    except OSError:
        pass
    count = 0
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        if int(fh.read().rsplit(b")", 1)[1].split()[1]) == pid:
                            count += 1
                except (OSError, ValueError, IndexError):
                    pass
    except OSError:
        pass
    return count

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
workers = 0
while proc.poll() is None:
    workers = max(workers, children(proc.pid))
    time.sleep(0.05)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": proc.returncode, "seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024, "workers": workers}))
"""


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy since boot (``/proc/stat``)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = fh.readline().split()
        return sum(int(fields[i]) for i in (1, 2, 3, 6, 7, 8)) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _own_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(args: list[str]) -> dict:
    """Run a command under the wrapper; returns seconds, CPU seconds, exit code, peak RSS (MB)
    and ``others``: the CPU seconds other processes used meanwhile (the machine's busy time
    less this benchmark's children's, the wrapper included; ``None`` without ``/proc/stat``).
    The runnable-task count misses load that comes in bursts, this does not."""
    busy, own = _busy_seconds(), _own_children()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    after = _busy_seconds()
    result["others"] = None if busy is None or after is None else max(0.0, after - busy - (_own_children() - own))
    return result


def running_tasks() -> int | None:
    """Runnable tasks on the machine right now, this benchmark's own process excluded."""
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return int(fh.read().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        return None


def wait_quiet(limit: float) -> bool:
    """Wait (at most ``limit`` seconds) until the machine was idle for 3 s in a row (under
    0.05 CPU-seconds used in each half second, a tenth of one CPU); whether it was."""
    deadline = time.monotonic() + limit
    quiet = 0
    while time.monotonic() < deadline:
        busy = _busy_seconds()
        if busy is None:
            return False
        time.sleep(0.5)
        after = _busy_seconds()
        if after is None:
            return False
        quiet = quiet + 1 if after - busy < 0.05 else 0
        if quiet >= 6:
            return True
    return False


def compare(path: Path, turns: int, score: list[str], rounds: int, quiet: float = 0) -> None:
    """--jobs 1, --jobs 2 and auto on one input, alternating, ``rounds`` times."""
    variants = {"jobs1": [*score, "-j", "1", str(path)], "jobs2": [*score, "-j", "2", str(path)],
                "auto": [*score, str(path)]}
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    busy: list[int] = []
    names = list(variants)
    for round_ in range(rounds):
        # Each round starts with the next variant: the one run right after another run of the
        # same machine's load pattern should not always be the same one.
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            cmd = variants[name]
            if quiet:
                wait_quiet(quiet)
            tasks = running_tasks()
            if tasks is not None:
                busy.append(tasks)
            result = measure(cmd)
            assert result["code"] == 0, f"a run failed: {' '.join(cmd)}"
            runs[name].append(result)
    one = [r["seconds"] for r in runs["jobs1"]]
    line = f"{turns:>8,} turns ({path.stat().st_size / 1e6:5.1f} MB): --jobs 1 {statistics.median(one):6.2f} s"
    for name in ("jobs2", "auto"):
        ratios = [o / r["seconds"] for o, r in zip(one, runs[name])]
        line += (f"; {name} {statistics.median(ratios):.2f}x (slowest round {min(ratios):.2f}x, "
                 f"CPU {statistics.median(r['cpu'] for r in runs[name]) / statistics.median(r['cpu'] for r in runs['jobs1']):.2f}x, "
                 f"workers {','.join(str(r['workers']) for r in runs[name])})")
    if busy:
        line += f"; other runnable tasks {min(busy)}-{max(busy)}"
    others = [r["others"] for rs in runs.values() for r in rs if r["others"] is not None]
    if others:
        line += f"; others' CPU during a run {min(others):.2f}-{max(others):.2f} s"
    print(line, flush=True)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50_000, help="the large input (and the 1x of the memory check)")
    parser.add_argument("--small", default="1000,20000", metavar="N,N,…",
                        help="smaller inputs, in turns (default 1000,20000: under and just over what goes parallel)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the 10x memory check")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before each timed run, wait up to SECONDS for 3 s of an idle machine")
    args = parser.parse_args()
    exe = shutil.which("scriptcheck")
    cmd = [exe] if exe else [sys.executable, "-m", "scriptcheck"]
    score = [*cmd, "score", "--format", "jsonl", "-q", "-o", "/dev/null", "--default-profile", "ecommerce-chat"]
    print(f"CPUs this process may use: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}; "
          f"ratios are --jobs 1 wall / the other's, median over {args.rounds} alternating rounds")
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(n) for n in args.small.split(",") if n.strip()] + [args.turns]
        for turns in sizes:
            path = Path(tmp) / f"{turns}.jsonl"
            actual = write(path, turns)[1]
            compare(path, actual, score, args.rounds, args.wait_quiet)
        if args.no_memory:
            return
        small, big = Path(tmp) / f"{args.turns}.jsonl", Path(tmp) / "10x.jsonl"
        n10 = write(big, args.turns * 10)[1]
        one = measure([*score, "-j", "1", str(small)])
        ten = measure([*score, "-j", "1", str(big)])
        two = measure([*score, "-j", "2", str(small)])
        print(f"peak memory: --jobs 1 {one['peak_mb']:.0f} MB at 1x, {ten['peak_mb']:.0f} MB at 10x ({n10:,} turns; "
              f"10x / 1x = {ten['peak_mb'] / one['peak_mb']:.2f}); --jobs 2 at 1x {two['peak_mb']:.0f} MB (largest process)")
        assert {one["code"], two["code"], ten["code"]} == {0}, "a run failed"


if __name__ == "__main__":
    main()
