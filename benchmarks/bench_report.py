"""The HTML report on the real JDDC chats and at 10⁵ transcripts: file size and the time
headless Chromium takes to open it.

Usage: python benchmarks/bench_report.py [JDDC.jsonl] [--scale N] [--runs R]

1. scores the 1,046 JDDC chats (``--profile ecommerce-chat``), writes the report with the
   conversations (``--transcripts``) and without, and prints each file's size (per 1,000
   transcripts) and the time to write it;
2. opens each in headless Chromium (the system's, through Playwright) R times and prints the
   median time from navigation start until the page is usable (its script has run: the
   summary is drawn and the first page of the list filled);
3. with ``--scale N`` (default 100000) does the same for N transcripts made by repeating the
   scored chats under new ids.
Without the corpus or without Chromium it says so and exits 0. No test has a timing threshold.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "corpora" / "jddc_dialogues.jsonl"


def _arg(argv: list[str], name: str, default: int) -> int:
    return int(argv[argv.index(name) + 1]) if name in argv else default


def _cli(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scriptcheck", *args], check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def open_time(browser, path: Path, runs: int) -> float:
    """Median seconds from navigation start until the page's script has drawn the list."""
    times = []
    for _ in range(runs):
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function("document.getElementById('match-count').textContent.length > 0", timeout=120_000)
        times.append(time.perf_counter() - started)
        page.close()
    return statistics.median(times)


def main(argv: list[str]) -> int:
    """Run the measurements and print them."""
    from tests.browser import chromium_path, open_browser

    args = [a for a in argv if not a.startswith("--") and not a.isdigit()]
    source = Path(args[0]) if args else Path(os.environ.get("SCRIPTCHECK_JDDC", DEFAULT))
    scale, runs = _arg(argv, "--scale", 100_000), _arg(argv, "--runs", 3)
    if not source.exists():
        print(f"JDDC corpus not found at {source}; nothing to measure")
        return 0
    if chromium_path() is None:
        print("no Chromium installed (apt-get install -y chromium); nothing to measure")
        return 0
    work = Path(tempfile.mkdtemp(prefix="scriptcheck-bench-report-"))
    reports = work / "jddc.jsonl"
    _cli("score", str(source), "--profile", "ecommerce-chat", "--format", "jsonl", "-o", str(reports), "-q")
    lines = reports.read_text(encoding="utf-8").splitlines()
    n = len(lines)
    files = {}
    files["JDDC, with conversations"] = (work / "jddc-turns.html", n,
                                         _cli("report", str(reports), "--transcripts", str(source),
                                              "-o", str(work / "jddc-turns.html")))
    files["JDDC, findings only"] = (work / "jddc.html", n, _cli("report", str(reports), "-o", str(work / "jddc.html")))
    if scale:
        big, big_turns = work / "big.jsonl", work / "big-transcripts.jsonl"
        dialogues = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        with big.open("w", encoding="utf-8") as out, big_turns.open("w", encoding="utf-8") as out_turns:
            for i in range(scale):
                report = json.loads(lines[i % n])
                dialogue = dict(dialogues[i % len(dialogues)])
                report["id"] = dialogue["id"] = f"{report['id']}-{i}"
                out.write(json.dumps(report, ensure_ascii=False) + "\n")
                out_turns.write(json.dumps(dialogue, ensure_ascii=False) + "\n")
        files[f"{scale:,} transcripts, findings only"] = (
            work / "big.html", scale, _cli("report", str(big), "-o", str(work / "big.html")))
        files[f"{scale:,} transcripts, with conversations"] = (
            work / "big-turns.html", scale,
            _cli("report", str(big), "--transcripts", str(big_turns), "-o", str(work / "big-turns.html")))
    print(f"scored {n} JDDC chats ({source.name}) under ecommerce-chat; Chromium: {chromium_path()}")
    with open_browser() as browser:
        for label, (path, count, write_s) in files.items():
            size = path.stat().st_size
            seconds = open_time(browser, path, runs)
            print(f"{label:<40} {size / 1e6:8.2f} MB  {size / count * 1000 / 1e6:6.2f} MB per 1,000  "
                  f"written in {write_s:5.1f} s  opens in {seconds:5.2f} s (median of {runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
