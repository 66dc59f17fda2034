"""Start-up: `scriptcheck lint` on a one-line file, cold and warm, and where the time goes.

The headline is a ratio measured in the same run: warm `lint` against
`python -c "import jieba; jieba.initialize()"` (the two alternate run by run; the goal is under
0.6x — a CI check of a few templates should cost less than loading jieba's dictionary).

Cold = a fresh spec-verification cache and a fresh temporary directory (so jieba rebuilds its
own dictionary cache); warm = the same command again. The stage breakdown runs each stage in
a fresh interpreter, in order, and reports its own wall time (cold once; warm the median of
``--runs`` fresh interpreters: a stage of tens of milliseconds moves by as much between runs).

    python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = r"""
import importlib, time, json
t = {}
s = time.perf_counter(); import scriptcheck, scriptcheck.cli; t["import scriptcheck"] = time.perf_counter() - s
n = importlib.import_module("scriptcheck.text.normalize")
s = time.perf_counter(); n._t2s().convert("測試"); n._traditional(); t["OpenCC t2s + traditional set"] = time.perf_counter() - s
from scriptcheck.lexicon import load_lexicon
s = time.perf_counter(); lex = [load_lexicon(x, verify=False) for x in ("forbidden", "polite", "cues")]
t["read + validate + compile lexicons (YAML or cache, pydantic, patterns)"] = time.perf_counter() - s
from scriptcheck import Checker
s = time.perf_counter(); c = Checker(lex); t["build the matcher"] = time.perf_counter() - s
s = time.perf_counter(); c.check("你怎么连这个也不懂"); t["first check (literal lookups, no automaton yet)"] = time.perf_counter() - s
s = time.perf_counter(); c._matcher._automaton._built(); t["build the automaton (when texts add up)"] = time.perf_counter() - s
s = time.perf_counter(); c.segment("你好"); t["import jieba + its dictionary (only if a rule needs words)"] = time.perf_counter() - s
from scriptcheck.lexicon.specs import run_specs
s = time.perf_counter(); [run_specs(l) for l in lex]; t["run every inline spec (cold start only)"] = time.perf_counter() - s
print(json.dumps(t))
"""


def _run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scriptcheck = shutil.which("scriptcheck")
    base_cmd = [scriptcheck] if scriptcheck else [sys.executable, "-m", "scriptcheck"]
    with tempfile.TemporaryDirectory() as tmp:
        reply = Path(tmp) / "one.txt"
        reply.write_text("您好，请问有什么可以帮您？\n", encoding="utf-8")
        cmd = [*base_cmd, "lint", str(reply)]
        baseline = [sys.executable, "-c", "pass"]
        jieba_init = [sys.executable, "-c", "import jieba; jieba.initialize()"]
        cold, warm, python, jieba_times, ratios = [], [], [], [], []
        for run in range(args.runs):
            fresh = Path(tmp) / f"cold-{run}"
            (fresh / "tmp").mkdir(parents=True)
            env = {**os.environ, "SCRIPTCHECK_CACHE_DIR": str(fresh / "cache"), "TMPDIR": str(fresh / "tmp")}
            cold.append(_run(cmd, env))
            warm.append(_run(cmd, env))
            jieba_times.append(_run(jieba_init, env))
            ratios.append(warm[-1] / jieba_times[-1])
            python.append(_run(baseline, env))
        out = subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True, check=True,
                             env={**os.environ, "SCRIPTCHECK_CACHE_DIR": "off"})
        warm_runs = [subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True, check=True,
                                    env=env).stdout  # the last run's cache: what a warm start reads
                     for _ in range(args.runs)]
    import json

    print(f"bare python start:     median {statistics.median(python) * 1000:6.0f} ms")
    print(f"lint one line, cold:   median {statistics.median(cold) * 1000:6.0f} ms")
    print(f"lint one line, warm:   median {statistics.median(warm) * 1000:6.0f} ms  "
          f"(cold/warm = {statistics.median(cold) / statistics.median(warm):.1f}x)")
    print(f"jieba.initialize():    median {statistics.median(jieba_times) * 1000:6.0f} ms")
    print(f"warm lint / jieba init: median {statistics.median(ratios):.2f}x "
          f"(per run {min(ratios):.2f}–{max(ratios):.2f}x; goal < 0.6x)")
    print(f"where the time goes (fresh interpreter, stages in order; no cache | warm cache, median of "
          f"{args.runs} runs [min-max]):")
    warm_stages = [json.loads(run) for run in warm_runs]
    for stage, seconds in json.loads(out.stdout).items():
        warm_times = [run.get(stage, float("nan")) * 1000 for run in warm_stages]
        print(f"  {seconds * 1000:7.1f} ms | {statistics.median(warm_times):7.1f} ms "
              f"[{min(warm_times):.0f}-{max(warm_times):.0f}]  {stage}")


if __name__ == "__main__":
    main()
