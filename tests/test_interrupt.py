"""Ctrl-C during `scriptcheck score` leaves complete output lines only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from scriptcheck import batch
from tests.conftest import CORPORA


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupt_leaves_complete_lines(tmp_path, jobs: str) -> None:
    lines = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    out = tmp_path / "out.jsonl"
    err = tmp_path / "stderr.txt"
    # A shell running this suite in the background starts it with SIGINT ignored, and the child
    # would inherit that; give it the default disposition, as a terminal's Ctrl-C would find.
    with err.open("wb") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", "score", "-", "--format", "jsonl",
                                 "-q", "-j", jobs, "-o", str(out)], stdin=subprocess.PIPE, stderr=err_file,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Records keep arriving until the signal is sent, so the command can never finish first (a
    # fixed file could be scored completely before a loaded machine delivered the signal).
    stop = threading.Event()
    fed = [0]  # records handed to the pipe, counted before each write (which may be partial)

    def feed() -> None:
        try:
            while not stop.is_set():
                fed[0] += len(lines)
                proc.stdin.write(("\n".join(lines) + "\n").encode("utf-8"))
        except (BrokenPipeError, ValueError):
            pass  # the command stopped reading: it was interrupted

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    # With two jobs the first records are scored in the command's own process; wait for reports
    # past that lead, so that the signal lands while workers are scoring.
    wanted = batch._IN_PROCESS_LEAD + batch._CHUNK if jobs == "2" else 10
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < wanted):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stop.set()
    returncode = proc.wait(timeout=60)
    feeder.join(timeout=60)
    stderr = err.read_bytes()
    assert returncode == 130, stderr.decode()
    assert b"interrupted" in stderr
    written = out.read_bytes()
    assert written.endswith(b"\n")
    reports = [json.loads(line) for line in written.decode("utf-8").splitlines()]
    assert 0 < len(reports) <= fed[0]
    ids = [json.loads(line)["id"] for line in lines]
    assert [report["id"] for report in reports] == (ids * (len(reports) // len(ids) + 1))[: len(reports)]


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_interrupt_while_waiting_for_input_stops_at_once(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    # One job: records are scored as they arrive (more jobs collect a chunk for the workers first).
    proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", "score", "-", "--format", "jsonl", "-q",
                             "-j", "1", "-o", str(out)], stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()[0]
    proc.stdin.write((line + "\n").encode("utf-8"))
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # blocked reading an idle stdin: no record in hand
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == [json.loads(line)["id"]]
