"""`scriptcheck score --jobs 2` against `--jobs 1`, and peak memory at 1x and 10x input size.

Each run is a fresh `scriptcheck score FILE --format jsonl -q -o /dev/null` process; peak
memory is the largest resident set among it and its workers (getrusage of a wrapper).

    python benchmarks/bench_parallel.py [--turns 50000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write  # noqa: E402

WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - start
print(json.dumps({"code": code, "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(args: list[str]) -> dict:
    """Run a command under the wrapper; returns seconds, exit code and peak RSS (MB)."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=50_000)
    args = parser.parse_args()
    exe = shutil.which("scriptcheck")
    cmd = [exe] if exe else [sys.executable, "-m", "scriptcheck"]
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "1x.jsonl", Path(tmp) / "10x.jsonl"
        n1 = write(small, args.turns)[1]
        n10 = write(big, args.turns * 10)[1]
        score = [*cmd, "score", "--format", "jsonl", "-q", "-o", "/dev/null", "--default-profile", "ecommerce-chat"]
        one = measure([*score, "-j", "1", str(small)])
        two = measure([*score, "-j", "2", str(small)])
        print(f"input 1x: {n1} turns ({small.stat().st_size / 1e6:.1f} MB)")
        print(f"  --jobs 1: {one['seconds']:.2f} s  {n1 / one['seconds']:,.0f} turns/s  peak {one['peak_mb']:.0f} MB")
        print(f"  --jobs 2: {two['seconds']:.2f} s  {n1 / two['seconds']:,.0f} turns/s  peak {two['peak_mb']:.0f} MB"
              f"  speed-up {one['seconds'] / two['seconds']:.2f}x")
        ten = measure([*score, "-j", "1", str(big)])
        print(f"input 10x: {n10} turns ({big.stat().st_size / 1e6:.1f} MB)")
        print(f"  --jobs 1: {ten['seconds']:.2f} s  peak {ten['peak_mb']:.0f} MB  "
              f"(peak 10x / 1x = {ten['peak_mb'] / one['peak_mb']:.2f})")
        assert {one["code"], two["code"], ten["code"]} == {0}, "a run failed"


if __name__ == "__main__":
    main()
