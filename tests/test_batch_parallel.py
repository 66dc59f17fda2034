"""`score --jobs N` writes what `--jobs 1` writes: reports rendered by the workers, records sent
to them undecoded, bad records counted and named the same, in input order, memory bounded."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

import scriptcheck.batch as batch
from scriptcheck.batch import Scorer, score_chunks
from scriptcheck.cli import cli
from scriptcheck.io.paths import GuardedOutput
from scriptcheck.io.records import Record
from scriptcheck.io.transcripts import read_transcripts

from tests.conftest import CORPORA


def _mixed_corpus(path) -> None:
    """Good records from the corpora with every kind of bad record between them."""
    good = [line for line in (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    lines: list[bytes] = []
    for i in range(150):
        record = json.loads(good[i % len(good)])
        record["id"] = f"r{i}"
        record["agent_id"] = f"A{i % 4}"
        if i % 17 == 3:
            record["profile"] = "callback"
        lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        kind = i % 13
        if kind == 1:
            lines.append(b"{not json")
        elif kind == 2:
            lines.append(b'{"id": "bad-bytes", "turns": "\xff\xfe"}')  # starts with "{": a worker decodes it
        elif kind == 3:
            lines.append(b"\xff not even a record")  # decoded (and refused) by the reader
        elif kind == 4:
            lines.append(json.dumps({"id": "empty", "turns": []}).encode())
        elif kind == 5:
            lines.append(json.dumps({"id": "who", "turns": [{"speaker": "主持人", "text": "喂"}]},
                                    ensure_ascii=False).encode("utf-8"))
        elif kind == 6:
            lines.append(json.dumps({**record, "id": "np", "profile": "no-such-profile"}).encode("utf-8"))
        elif kind == 7:
            lines.append("\u3000 ".encode("utf-8"))  # blank once decoded: not a record
        elif kind == 8:
            lines.append(b"")
        elif kind == 9:
            lines[-1] += b"\r"  # a CRLF line
    path.write_bytes(b"\n".join(lines) + b"\n")


def _run(args: list[str], tmp_path, name: str) -> tuple[int, bytes, bytes, str]:
    errors = tmp_path / f"{name}.errors.jsonl"
    result = CliRunner().invoke(cli, [*args, "--errors", str(errors)])
    return result.exit_code, result.stdout_bytes, errors.read_bytes(), result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_jobs_write_the_same_bytes_errors_and_summary(monkeypatch, tmp_path, fmt: str) -> None:
    path = tmp_path / "mixed.jsonl"
    _mixed_corpus(path)
    args = ["score", str(path), "--format", fmt, "--fail-under", "60", "--default-profile", "hotline"]
    one = _run([*args, "-j", "1"], tmp_path, "one")
    # Small chunks and no lead, so this small file goes through several workers' chunks.
    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", 0)
    monkeypatch.setattr(batch, "_PARALLEL_MIN_REST", 0)
    monkeypatch.setattr(batch, "_CHUNK", 7)
    started = []
    original = batch._Supervisor.start_worker
    monkeypatch.setattr(batch._Supervisor, "start_worker", lambda self: started.append(1) or original(self))
    two = _run([*args, "-j", "2"], tmp_path, "two")
    auto = _run([*args, "-j", "auto"], tmp_path, "auto")
    assert started, "no worker was started"
    assert one == two == auto
    code, stdout, errors, stderr = one
    assert code == 1  # some transcript scores under 60
    rejected = [json.loads(line) for line in errors.decode("utf-8").splitlines()]
    summary = stdout.decode("utf-8") if fmt == "table" else stderr
    assert "read 222 = scored 150 + rejected 72" in summary
    assert len(rejected) == 72 and stderr.count("scriptcheck: rejected:") == 72
    assert [r["line"] for r in rejected] == sorted(r["line"] for r in rejected)
    assert {r["file"] for r in rejected} == {str(path)}
    reasons = {r["reason"] for r in rejected}
    assert "undecodable bytes b'\\xff\\xfe\"}' at byte 30 (utf-8)" in reasons
    assert "undecodable bytes b'\\xff no' at byte 0 (utf-8)" in reasons
    assert any(r["field"] == "profile" for r in rejected)
    assert any(r["field"] == "turns.0.speaker" for r in rejected)


def test_records_come_back_in_input_order_and_memory_stays_bounded(monkeypatch) -> None:
    lines = [line for line in (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    pulled = []

    def records():
        for i in range(300):
            pulled.append(i)
            yield Record("<test>", i + 1, raw=lines[i % len(lines)].replace('"id": "', f'"id": "{i}-', 1))

    chunks = score_chunks(records(), Scorer(default_profile="hotline"), jobs=2, render=None, chunk_size=5, lead=0)
    seen = []
    for chunk in chunks:
        # Never more than (depth + 1) chunks per worker read ahead of what was yielded.
        assert len(pulled) - len(seen) <= (batch._DEPTH + 1) * 2 * 5 + 5
        seen.extend(s.get_report().id for s in chunk.scored)
    assert [int(i.split("-", 1)[0]) for i in seen] == list(range(300))


def test_a_line_left_undecoded_validates_like_a_decoded_one(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    good = (CORPORA / "calls.jsonl").read_bytes().splitlines()[0]
    path.write_bytes(good + b"\r\n" + b'{"id": "\xe4\xbd"}\n' + b"   \n" + b'["not an object"]\n')
    decoded = list(read_transcripts(str(path)))
    raw = list(read_transcripts(str(path), validate=False, undecoded=True))
    assert [type(r.raw) for r in raw] == [bytes, bytes, str]  # a line not starting with "{" is decoded
    again = [r.validated() for r in raw]
    assert [(r.line, r.transcript, r.error and r.error.describe()) for r in again] == \
        [(r.line, r.transcript, r.error and r.error.describe()) for r in decoded]
    assert "undecodable bytes" in decoded[1].error.reason and decoded[1].line == 2


def test_bytes_written_to_a_text_output_keep_their_place_and_encoding() -> None:
    utf8 = io.BytesIO()
    out = GuardedOutput(io.TextIOWrapper(utf8, encoding="utf-8", newline=""), "<utf-8>")
    out.write("开头\n")
    out.write_bytes("中间\n".encode("utf-8"))
    out.write("结尾\n")
    out.flush()
    assert utf8.getvalue().decode("utf-8") == "开头\n中间\n结尾\n"
    gbk = io.BytesIO()
    out = GuardedOutput(io.TextIOWrapper(gbk, encoding="gb18030"), "<gb18030>")
    out.write("开头\n")
    out.write_bytes("中间\n".encode("utf-8"))  # not UTF-8 underneath: written as text
    out.flush()
    assert gbk.getvalue().decode("gb18030") == "开头\n中间\n"


def test_workers_end_when_the_parent_is_killed(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the workers")
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join((CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines() * 2000) + "\n",
                   encoding="utf-8")
    src = Path(batch.__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", "score", str(big), "--format", "jsonl", "-q",
                             "-j", "2", "-o", str(tmp_path / "out.jsonl")], stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=str(src)), start_new_session=True)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(children) < 2:
            time.sleep(0.05)
            try:
                children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
            except OSError:
                children = []
        assert children, "no worker process found"
        proc.send_signal(signal.SIGTERM)  # no clean-up runs: the workers must see the pipe close
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in children):
            time.sleep(0.05)
        assert not [p for p in children if _running(p)], "workers outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _records(count: int) -> list[Record]:
    lines = [line for line in (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Record("<test>", i + 1, raw=lines[i % len(lines)].replace('"id": "', f'"id": "{i}-', 1))
            for i in range(count)]


def _watch(monkeypatch) -> tuple[list, list]:
    """Count the records scored in this process and the workers started."""
    here, started = [], []
    score_here, start_worker = batch._score_here, batch._Supervisor.start_worker
    monkeypatch.setattr(batch, "_score_here", lambda *a: here.append(1) or score_here(*a))
    monkeypatch.setattr(batch._Supervisor, "start_worker", lambda self: started.append(1) or start_worker(self))
    return here, started


@pytest.mark.parametrize("jobs", [2, 0])
def test_a_batch_known_to_be_large_goes_to_workers_after_a_short_lead(monkeypatch, jobs: int) -> None:
    # large=True (the CLI sized its input): the short lead is scored here, then workers start,
    # though far fewer records follow than the read-ahead would ask for. Same reports, in order.
    monkeypatch.setattr(batch, "_LARGE_LEAD", 4)
    monkeypatch.setattr(batch, "_cpus", lambda: 2)
    monkeypatch.setattr(batch._CpuProbe, "workers", lambda self, ceiling: ceiling)  # auto: CPUs free
    expected = [s.get_report().model_dump() for s in batch.score_records(_records(40), Scorer(default_profile="hotline"))]
    here, started = _watch(monkeypatch)
    scored = list(batch.score_records(_records(40), Scorer(default_profile="hotline"), jobs, chunk_size=5, large=True))
    assert [s.get_report().model_dump() for s in scored] == expected
    assert len(here) == 4 and started


def test_without_large_a_short_batch_stays_in_this_process(monkeypatch) -> None:
    # The same 40 records not known to be large: the read-ahead finds too few, no worker.
    monkeypatch.setattr(batch, "_LARGE_LEAD", 4)
    here, started = _watch(monkeypatch)
    scored = list(batch.score_records(_records(40), Scorer(default_profile="hotline"), 2, chunk_size=5))
    assert len(scored) == 40 and len(here) == 40 and not started


def test_a_large_batch_shorter_than_its_lead_starts_no_worker(monkeypatch) -> None:
    monkeypatch.setattr(batch, "_LARGE_LEAD", 50)
    here, started = _watch(monkeypatch)
    scored = list(batch.score_records(_records(40), Scorer(default_profile="hotline"), 2, large=True))
    assert len(scored) == 40 and len(here) == 40 and not started


@pytest.mark.parametrize("threshold, large", [(1, True), (10**12, False)])
def test_score_tells_the_batch_whether_its_input_files_are_large(monkeypatch, tmp_path, threshold: int,
                                                                 large: bool) -> None:
    import scriptcheck.cli_score as cli_score

    path = tmp_path / "mixed.jsonl"
    _mixed_corpus(path)
    args = ["score", str(path), "--format", "jsonl", "--default-profile", "hotline"]
    one = _run([*args, "-j", "1"], tmp_path, "one")
    monkeypatch.setattr(cli_score, "_PARALLEL_BYTES", threshold)
    monkeypatch.setattr(batch, "_LARGE_LEAD", 3)
    monkeypatch.setattr(batch, "_CHUNK", 7)
    seen = []
    original = cli_score.score_chunks
    monkeypatch.setattr(cli_score, "score_chunks", lambda *a, **k: seen.append(k["large"]) or original(*a, **k))
    here, started = _watch(monkeypatch)
    two = _run([*args, "-j", "2"], tmp_path, "two")
    assert seen == [large] and bool(started) == large
    assert two == one  # the same reports, errors file, summary and exit code
    if large:
        assert len(here) == 3


def test_a_pipe_is_not_known_to_be_large(monkeypatch, tmp_path) -> None:
    import scriptcheck.cli_score as cli_score

    monkeypatch.setattr(cli_score, "_PARALLEL_BYTES", 1)
    seen = []
    original = cli_score.score_chunks
    monkeypatch.setattr(cli_score, "score_chunks", lambda *a, **k: seen.append(k["large"]) or original(*a, **k))
    data = (CORPORA / "calls.jsonl").read_bytes()
    result = CliRunner().invoke(cli, ["score", "-", "--format", "jsonl", "-q", "-j", "2"], input=data)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 12
    assert seen == [False]


def test_score_transcripts_passes_large_on(monkeypatch) -> None:
    monkeypatch.setattr(batch, "_LARGE_LEAD", 2)
    transcripts = [r.transcript for r in read_transcripts(str(CORPORA / "calls.jsonl"))] * 2
    expected = [r.model_dump() for r in batch.score_transcripts(transcripts, "hotline")]
    here, started = _watch(monkeypatch)
    reports = list(batch.score_transcripts(transcripts, "hotline", jobs=2, large=True))
    assert [r.model_dump() for r in reports] == expected
    assert len(here) == 2 and started
