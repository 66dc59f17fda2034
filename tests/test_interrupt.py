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
from scriptcheck.io.transcripts import read_transcripts
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


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_interrupt_dropped_by_a_finaliser_still_stops_the_run(tmp_path, capsys) -> None:
    # An interrupt raised while Python finalises a generator or runs a __del__ is printed as
    # "Exception ignored" and dropped; the run must stop anyway, at the next chunk.
    from scriptcheck.batch import Scorer
    from scriptcheck.cli_score import run_score

    source = tmp_path / "calls.jsonl"
    lines = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")
    total = len(lines) * 40
    read = [0]

    def reader(path, fmt, encoding, validate):
        for record in read_transcripts(path, fmt, encoding, validate=validate):
            read[0] += 1
            if read[0] == 5:
                try:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(0.01)  # the handler runs here, on the main thread
                except KeyboardInterrupt:
                    pass  # what a finaliser does with it
            yield record

    out = tmp_path / "out.jsonl"
    code = run_score([str(source)], scorer=Scorer(), fmt="jsonl", input_format=None, encoding=None, jobs=1,
                     errors_file=None, strict=False, fail_under=None, quiet=True, output=str(out), reader=reader)
    err = capsys.readouterr().err
    assert code == 130, err
    assert "interrupted" in err
    reports = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert 5 <= len(reports) < total


def test_second_interrupt_raises_until_the_clean_up_begins() -> None:
    from scriptcheck.cli_score import _StopRequest

    stop = _StopRequest()
    stop.busy = True
    stop._handle(signal.SIGINT, None)  # in the middle of writing a chunk: stop after it
    assert stop.requested and not stop.fired
    with pytest.raises(KeyboardInterrupt):
        stop._handle(signal.SIGINT, None)  # a second Ctrl-C does not wait for the chunk
    assert stop.requested and stop.fired
    with pytest.raises(KeyboardInterrupt):
        stop._handle(signal.SIGINT, None)  # the last one may have been dropped: raise again
    stop.stopping = True
    stop._handle(signal.SIGINT, None)  # the clean-up is under way: nothing breaks it


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_interrupt_while_the_output_is_finished_leaves_it_whole(tmp_path, monkeypatch) -> None:
    # Every record is scored and written; a Ctrl-C while the JSON report's end is written must
    # not cut it off (nor end the run with a traceback).
    from scriptcheck import cli_score
    from scriptcheck.batch import Scorer
    from scriptcheck.score_writers import JsonWriter

    class InterruptedAtEnd(JsonWriter):
        def end(self, stats) -> None:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)  # the handler runs here, on the main thread
            super().end(stats)

    monkeypatch.setitem(cli_score.WRITERS, "json", InterruptedAtEnd)
    source = tmp_path / "calls.jsonl"
    source.write_text((CORPORA / "calls.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.json"
    code = cli_score.run_score([str(source)], scorer=Scorer(), fmt="json", input_format=None, encoding=None,
                               jobs=1, errors_file=None, strict=False, fail_under=None, quiet=True,
                               output=str(out))
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["reports"]) == len((CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines())
