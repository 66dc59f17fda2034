"""Issue 13: nightly batches and CI on untrusted input — never lose data, never hang, never obey
the input. Every command runs in a subprocess with a timeout and a memory ceiling
(tests/hostile.py), so a regression fails instead of hanging CI."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPORA
from tests.hostile import MEMORY_CEILING, SRC, limit_process, run_cli, shared_phrase_lexicon

CALLS = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()
posix = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and /dev/full")


def _stderr(result) -> str:
    return result.stderr.decode("utf-8", "replace")


def _one_line_error(result, *needles: str) -> None:
    err = _stderr(result)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("scriptcheck: error:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err


@pytest.fixture
def calls(tmp_path) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(CALLS) + "\n", encoding="utf-8")
    return path


# -- items 1 and 2: an output never overwrites an input nor lands inside an input directory ----

@pytest.mark.parametrize("option", ["-o", "--errors"])
def test_output_that_is_an_input_is_refused_before_opening(calls, option) -> None:
    before = calls.read_bytes()
    result = run_cli("score", option, str(calls), str(calls), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, option, "is also an input")
    assert calls.read_bytes() == before


def test_output_symlinked_to_an_input_is_refused(calls, tmp_path) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(calls)
    before = calls.read_bytes()
    result = run_cli("score", "-o", str(link), str(calls), timeout=60)
    assert result.returncode == 2 and calls.read_bytes() == before
    _one_line_error(result, "is also an input")
    hard = tmp_path / "hard.jsonl"
    os.link(calls, hard)
    result = run_cli("score", "--errors", str(hard), str(calls), timeout=60)
    assert result.returncode == 2 and calls.read_bytes() == before


@pytest.mark.parametrize("option,name", [("--errors", "zz.jsonl"), ("-o", "report.jsonl"), ("-o", "x.html")])
def test_output_inside_an_input_directory_is_refused(tmp_path, option, name) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.jsonl").write_text("\n".join(CALLS) + "\n", encoding="utf-8")
    result = run_cli("score", option, str(d / name), str(d), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, "inside the input directory")
    assert sorted(p.name for p in d.iterdir()) == ["a.jsonl"]


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to name stdout's file")
def test_stdout_redirected_into_an_input_directory_is_refused(tmp_path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.jsonl").write_text("\n".join(CALLS) + "\n", encoding="utf-8")
    with open(d / "out.jsonl", "w") as out:  # scriptcheck score d/ > d/out.jsonl
        result = subprocess.run([sys.executable, "-m", "scriptcheck", "score", "--format", "jsonl", str(d)],
                                stdout=out, stderr=subprocess.PIPE, timeout=60,
                                env=dict(os.environ, PYTHONPATH=str(SRC)))
    assert result.returncode == 2
    _one_line_error(result, "stdout", "inside the input directory")
    assert (d / "out.jsonl").read_text() == ""


def test_lint_outputs_follow_the_same_rule(tmp_path) -> None:
    t = tmp_path / "templates"
    t.mkdir()
    (t / "r.yaml").write_text("hi: 您好，请问有什么可以帮您？\n", encoding="utf-8")
    result = run_cli("lint", "--isolated", "-o", str(t / "r.yaml"), str(t / "r.yaml"), timeout=60)
    assert result.returncode == 2 and "is also an input" in _stderr(result)
    result = run_cli("lint", "--isolated", "--format", "sarif", "-o", str(t / "out.json"), str(t), timeout=60)
    assert result.returncode == 2 and "inside the input directory" in _stderr(result)
    assert sorted(p.name for p in t.iterdir()) == ["r.yaml"]
    # The baseline is skipped by the template walk: it may live among the templates, but never
    # be an input file itself.
    result = run_cli("lint", "--isolated", "--baseline", str(t / "r.yaml"), "--write-baseline", str(t / "r.yaml"),
                     timeout=60)
    assert result.returncode == 2 and "is also an input" in _stderr(result)


MY_LEXICON = """version: 1
name: mine
kind: forbidden
categories: [x]
min_specs: 0
entries:
  - {id: ZZ001, name: test-rule, category: x, severity: error, description: t, why: t, source: t,
     phrases: [测试忌语], suggestion: 别说}
"""


@pytest.mark.parametrize("args", [
    ["score", "in.jsonl", "--profile", "prof.yaml", "-o", "mylex.yaml"],
    ["score", "in.jsonl", "--profile", "prof.yaml", "--errors", "mylex.yaml"],
    ["score", "in.jsonl", "--profile", "child.yaml", "-o", "prof.yaml"],
    ["score", "in.jsonl", "--lexicon", "overlay.yaml", "-o", "mylex.yaml"],
    ["lint", "t.txt", "--profile", "prof.yaml", "-o", "mylex.yaml"],
    ["lint", "t.txt", "--lexicon", "overlay.yaml", "-o", "mylex.yaml"],
])
def test_an_output_never_overwrites_a_file_loading_reached(tmp_path, args) -> None:
    """A lexicon a profile names, the profile its child extends, an overlay's base: read while
    loading resolves, never named on the command line (hostile probe, s56)."""
    (tmp_path / "mylex.yaml").write_text(MY_LEXICON, encoding="utf-8")
    (tmp_path / "prof.yaml").write_text("version: 1\nname: mine\nextends: hotline\n"
                                        "lexicons: [forbidden, polite, cues, mylex.yaml]\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("version: 1\nname: child\nextends: prof.yaml\n", encoding="utf-8")
    (tmp_path / "overlay.yaml").write_text("version: 1\nextends: mylex.yaml\nentries: []\n", encoding="utf-8")
    (tmp_path / "in.jsonl").write_text('{"id":"a","turns":[{"speaker":"agent","text":"测试忌语"}]}\n', encoding="utf-8")
    (tmp_path / "t.txt").write_text("测试忌语\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run_cli(*args, "--isolated", cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "is also an input" in _stderr(result)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_write_baseline_never_replaces_a_file_that_is_no_baseline(tmp_path) -> None:
    """The baseline path may come from the repository's own configuration (hostile probe, s56)."""
    (tmp_path / "notes.txt").write_text("important data\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "scriptcheck.toml").write_text('baseline = "../notes.txt"\n', encoding="utf-8")
    (repo / "t.txt").write_text("你怎么连这个也不懂\n", encoding="utf-8")
    result = run_cli("lint", "--write-baseline", "t.txt", cwd=repo, timeout=60)
    assert result.returncode == 2 and "is not a scriptcheck baseline" in _stderr(result)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "important data\n"
    # a baseline it wrote itself it replaces
    for _ in range(2):
        result = run_cli("lint", "--isolated", "--baseline", "b.json", "--write-baseline", "t.txt", cwd=repo, timeout=60)
        assert result.returncode == 0, _stderr(result)


def test_a_link_the_walk_would_read_never_receives_an_output(tmp_path) -> None:
    """A hard link inside an input directory to the output file, and a baseline that is a symlink
    to a template: writing either truncated what the walk then read (the output check compared
    the named inputs only)."""
    d, out = tmp_path / "in", tmp_path / "out"
    d.mkdir()
    out.mkdir()
    (out / "report.jsonl").write_text("\n".join(CALLS) + "\n", encoding="utf-8")
    os.link(out / "report.jsonl", d / "calls.jsonl")
    before = (d / "calls.jsonl").read_bytes()
    result = run_cli("score", "--format", "jsonl", "-o", str(out / "report.jsonl"), str(d), timeout=60)
    assert result.returncode == 2 and (d / "calls.jsonl").read_bytes() == before
    _one_line_error(result, "-o", "calls.jsonl", "which the input walk reads")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "replies.yaml").write_text("hi: 您好，请问有什么可以帮您？\n", encoding="utf-8")
    (repo / "baseline.json").symlink_to("replies.yaml")
    result = run_cli("lint", "--isolated", "--baseline", str(repo / "baseline.json"), "--write-baseline", str(repo),
                     timeout=60)
    assert result.returncode == 2 and (repo / "replies.yaml").read_text(encoding="utf-8").startswith("hi:")
    _one_line_error(result, "--write-baseline", "replies.yaml")


def test_standard_input_redirected_from_an_output_is_refused(calls) -> None:
    """``scriptcheck score -o calls.jsonl - < calls.jsonl`` emptied the file before reading it."""
    before = calls.read_bytes()
    for option in ("-o", "--errors"):
        with open(calls, "rb") as stdin:
            result = subprocess.run([sys.executable, "-m", "scriptcheck", "score", "--format", "jsonl", option,
                                     str(calls), "-"], stdin=stdin, capture_output=True, timeout=60,
                                    env=dict(os.environ, PYTHONPATH=str(SRC)))
        assert result.returncode == 2 and calls.read_bytes() == before
        _one_line_error(result, option, "standard input")


def test_symbolic_links_a_walk_finds_are_not_followed(tmp_path) -> None:
    """A link in an export names a file to open: its target (here the errors file of the same
    run, which then grew with every line it rejected) is never read."""
    d, out = tmp_path / "in", tmp_path / "out"
    d.mkdir()
    out.mkdir()
    (d / "a.jsonl").write_text("not json\n" * 50, encoding="utf-8")
    (d / "e.jsonl").symlink_to(out / "e.jsonl")  # dangling until --errors creates it
    (d / "outside.jsonl").symlink_to(calls_file := tmp_path / "elsewhere.jsonl")
    calls_file.write_text("\n".join(CALLS) + "\n", encoding="utf-8")
    result = run_cli("score", "--format", "jsonl", "--errors", str(out / "e.jsonl"), "-o", str(tmp_path / "r.jsonl"),
                     str(d), timeout=60)
    assert result.returncode == 2, _stderr(result)  # every record read was rejected
    assert len((out / "e.jsonl").read_text(encoding="utf-8").splitlines()) == 50
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8") == ""  # elsewhere.jsonl was not read
    assert "read 50 = scored 0 + rejected 50" in _stderr(result)


def test_a_file_name_cannot_forge_a_message_line(tmp_path) -> None:
    """A rejected record names its file; a newline in the name printed a second, forged line."""
    evil = tmp_path / "x\nscriptcheck: error: forged.jsonl"
    evil.write_text("not json\n", encoding="utf-8")
    result = run_cli("score", "--format", "jsonl", "-o", str(tmp_path / "r.jsonl"), str(evil), timeout=60)
    lines = _stderr(result).splitlines()
    assert not any(line.startswith("scriptcheck: error: forged") for line in lines), lines
    assert any(line.startswith("scriptcheck: rejected:") and "\\nscriptcheck: error: forged" in line
               for line in lines), lines


# -- item 9: I/O errors exit 2 with one line naming the file ----------------------------------

@posix
@pytest.mark.parametrize("args,needle", [
    (["score", "--errors", "MISSING/x"], "MISSING/x: cannot write: No such file or directory"),
    (["score", "-o", "MISSING/x"], "MISSING/x: cannot write: No such file or directory"),
    (["score", "-o", "/dev/full", "--format", "jsonl"], "/dev/full: cannot write: No space left on device"),
])
def test_score_io_errors_exit_2_with_one_line(calls, tmp_path, args, needle) -> None:
    # MISSING: a directory that does not exist (not /nonexistent, which a root process may create)
    missing = str(tmp_path / "no-such-dir")
    args, needle = [a.replace("MISSING", missing) for a in args], needle.replace("MISSING", missing)
    result = run_cli(*args, str(calls), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, needle)


@posix
@pytest.mark.parametrize("args,needle", [
    (["-o", "MISSING/x.sarif", "--format", "sarif"], "MISSING/x.sarif: cannot write"),
    (["-o", "/dev/full"], "/dev/full: cannot write: No space left on device"),
])
def test_lint_io_errors_exit_2_with_one_line(tmp_path, args, needle) -> None:
    missing = str(tmp_path / "no-such-dir")
    args, needle = [a.replace("MISSING", missing) for a in args], needle.replace("MISSING", missing)
    (tmp_path / "r.txt").write_text("你怎么连这个也不懂\n", encoding="utf-8")
    result = run_cli("lint", "--isolated", *args, str(tmp_path / "r.txt"), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, needle)


def test_a_lexicon_pattern_nested_too_deep_exits_2_with_one_line(tmp_path) -> None:
    deep = "(" * 3000 + "你" + ")" * 3000  # re's own parser would raise RecursionError
    lexicon = tmp_path / "deep.yaml"
    lexicon.write_text("\n".join([
        "version: 1", "name: deep", "kind: forbidden", "entries:", "  - id: XD901", "    name: deep",
        "    category: 喝斥", "    description: 嵌套", f"    patterns: ['{deep}']"]) + "\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("你好\n", encoding="utf-8")
    result = run_cli("lint", "--isolated", "--lexicon", str(lexicon), str(tmp_path / "r.txt"), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, "deep.yaml: entry XD901 (deep): patterns[0]", "nests groups 3000 deep")


def test_a_lexicon_too_costly_to_verify_exits_2_with_one_line(tmp_path) -> None:
    lexicon = tmp_path / "shared.yaml"
    lexicon.write_text(shared_phrase_lexicon(600), encoding="utf-8")
    result = run_cli("lexicon", "test", str(lexicon), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, "shared.yaml: its 2,400 spec texts hold 720,000 candidate hits",
                    "share the literal '你自己看着办'")


@posix
def test_stdout_full_exits_2(calls) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "scriptcheck", "score", "-q", str(calls)], stdout=full,
                                stderr=subprocess.PIPE, timeout=60, env=dict(os.environ, PYTHONPATH=str(SRC)))
    assert result.returncode == 2
    _one_line_error(result, "<stdout>: cannot write")


# -- item 13: --jobs validated, workers capped by the work there is -----------------------------

@pytest.mark.parametrize("jobs", ["-1", "-5", "two"])
def test_bad_jobs_is_a_usage_error(calls, jobs) -> None:
    result = run_cli("score", "--jobs", jobs, str(calls), timeout=60)
    assert result.returncode == 2 and "--jobs" in _stderr(result)


@posix
def test_jobs_1000_starts_only_the_workers_there_is_work_for(calls, tmp_path) -> None:
    # 12 transcripts are one chunk: one worker, however many --jobs asks for. The memory
    # ceiling and timeout catch a fork bomb.
    result = run_cli("score", "-q", "--format", "jsonl", "--jobs", "1000", str(calls), timeout=60)
    assert result.returncode == 0, _stderr(result)
    assert len(result.stdout.splitlines()) == len(CALLS)
    from scriptcheck.batch import worker_count

    assert worker_count(1000) <= max(os.cpu_count() or 1, 2)
    assert worker_count(0) >= 1 and worker_count(4, records=24) == 1
    with pytest.raises(ValueError):
        worker_count(-1)


# -- item 13: control characters never reach the terminal raw ----------------------------------

def test_table_escapes_control_characters(tmp_path) -> None:
    record = json.loads(CALLS[0])
    record["id"] = "evil\x1b[2J\x1b]0;pwned\x07"
    record["agent_id"] = "A\x1b[31m"
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run_cli("score", "-q", "--format", "table", str(path), timeout=60)
    assert result.returncode == 0, _stderr(result)
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    assert b"evil\\x1b[2J" in result.stdout


def test_a_line_end_in_a_field_or_a_file_name_cannot_forge_a_line(tmp_path) -> None:
    """An id, an agent id or a walked file name holding a line end (hostile probe, s56): it
    forged a table line, a summary line and a lint line a CI runner reads as a command."""
    record = json.loads(CALLS[0])
    record["id"] = "x\nPASS  100.00  forged-id"
    record["agent_id"] = "A1\nscriptcheck: error: forged"
    path = tmp_path / "nl.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run_cli("score", str(path), timeout=60)
    lines = result.stdout.decode("utf-8").splitlines()
    assert not any(line.startswith(("PASS  100.00  forged", "scriptcheck: error: forged")) for line in lines)
    assert any("x\\nPASS" in line for line in lines) and any("A1\\nscriptcheck" in line for line in lines)
    d = tmp_path / "d"
    d.mkdir()
    (d / "a\n::warning file=evil::x.txt").write_text("你怎么连这个也不懂\n", encoding="utf-8")
    result = run_cli("lint", "--isolated", str(d), timeout=60)
    assert result.returncode == 1
    assert not any(line.startswith("::") for line in result.stdout.decode("utf-8").splitlines())


# -- item 7: a dead worker ends the run; complete records only -------------------------------

def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to find the workers")
@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_worker_killed_mid_batch_ends_the_run(tmp_path, fmt) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(CALLS * (50_000 // len(CALLS) + 1)) + "\n", encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", "score", str(big), "--format", fmt, "-q",
                             "-j", "2", "-o", str(out)], stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(SRC)), start_new_session=True,
                            preexec_fn=lambda: limit_process(MEMORY_CEILING))
    try:
        deadline = time.monotonic() + 60
        # The first records are scored in the parent (batch._IN_PROCESS_LEAD): wait for workers.
        while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 50_000
                                                 or not _children(proc.pid)):
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert workers, "no worker process found"
        os.kill(workers[0], signal.SIGKILL)
        killed = time.monotonic()
        _, stderr = proc.communicate(timeout=30)
        assert time.monotonic() - killed < 10
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = stderr.decode("utf-8", "replace")
    assert proc.returncode == 3, err
    assert "Traceback" not in err
    assert "worker process" in err and "SIGKILL" in err
    assert 0 < _valid(fmt, out.read_text(encoding="utf-8")) < 50_000
    _no_process_left(proc.pid)


def _no_process_left(pgid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    raise AssertionError("worker processes outlived the run")


# -- items 6 and 8: Ctrl-C twenty times, every format stays valid -------------------------------

def _valid(fmt: str, data: str) -> int:
    """Checks the output of an interrupted run; returns how many reports it holds."""
    assert data.endswith("\n")
    if fmt == "jsonl":
        return len([json.loads(line) for line in data.splitlines()])
    if fmt == "json":
        document = json.loads(data)
        assert document["complete"] is False and "summary" in document
        return len(document["reports"])
    rows = list(csv.reader(io.StringIO(data)))
    assert all(len(row) == len(rows[0]) for row in rows)
    return len(rows) - 1


@posix
def test_twenty_interrupts_of_a_parallel_batch(tmp_path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(CALLS * 400) + "\n", encoding="utf-8")
    formats = ["jsonl", "json", "csv"]
    interrupted = 0
    for i in range(20):
        fmt = formats[i % 3]
        out = tmp_path / f"out-{i}.{fmt}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "scriptcheck", "score", str(big), "--format", fmt, "-q", "-j", "2",
             "-o", str(out)], stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(SRC)),
            start_new_session=True,
            # A memory ceiling, and SIGINT as a terminal's Ctrl-C would find it (a background
            # shell starts children with it ignored).
            preexec_fn=lambda: limit_process(MEMORY_CEILING))
        try:
            deadline = time.monotonic() + 60
            # Vary the moment: right at start-up, or with reports already written.
            wanted = 0 if i % 4 == 0 else 1 + (i % 5) * 1_000
            while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < wanted):
                time.sleep(0.02)
            if i % 4 == 0:
                time.sleep(0.3 + 0.1 * (i % 3))
            os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal does
            sent = time.monotonic()
            _, stderr = proc.communicate(timeout=30)
            assert time.monotonic() - sent < 5, f"run {i} took too long to stop"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        err = stderr.decode("utf-8", "replace")
        if proc.returncode == 0:  # finished before the signal landed
            continue
        assert proc.returncode == 130, (i, err)
        interrupted += 1
        assert "Traceback" not in err, (i, err)
        assert "interrupted" in err
        if out.exists() and out.stat().st_size:
            _valid(fmt, out.read_text(encoding="utf-8"))
        _no_process_left(proc.pid)
    assert interrupted >= 15  # the batch is long enough that nearly every signal lands mid-run


# -- item 13: the smaller ones ------------------------------------------------------------------

def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_rules_columns_line_up_with_chinese_categories() -> None:
    from click.testing import CliRunner

    from scriptcheck.cli import cli

    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith("FB")]
    # The name column starts at the same terminal column on every line, whatever the category.
    starts = set()
    for line in lines:
        code, severity, category, name = line.split()[:4]
        starts.add(_columns(line[:line.index(name, len(code) + len(severity) + len(category))]))
    assert len(lines) > 20 and len(starts) == 1
    assert not any(line != line.rstrip() for line in result.output.splitlines())


def test_lexicon_test_prints_per_rule_results_without_verbose() -> None:
    from click.testing import CliRunner

    from scriptcheck.cli import cli
    from scriptcheck.resources import defaults_dir

    result = CliRunner().invoke(cli, ["lexicon", "test", str(defaults_dir() / "cues.yaml")])
    assert result.exit_code == 0
    assert "  CU001 pass" in result.output


def test_sarif_help_carries_no_local_install_path(tmp_path) -> None:
    (tmp_path / "r.txt").write_text("你怎么连这个也不懂\n", encoding="utf-8")
    result = run_cli("lint", "--isolated", "--format", "sarif", str(tmp_path / "r.txt"), timeout=60)
    sarif = json.loads(result.stdout)
    helps = [r["help"]["text"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert helps and all(str(SRC.parent) not in h for h in helps)
    assert any("scriptcheck/lexicons/forbidden.yaml" in h for h in helps)


def test_jddc_may_be_a_directory(tmp_path, monkeypatch) -> None:
    from tests.conftest import JDDC_FILE, jddc_path

    (tmp_path / JDDC_FILE).write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("SCRIPTCHECK_JDDC", str(tmp_path))
    assert jddc_path(Path("/nowhere")) == tmp_path / JDDC_FILE
    monkeypatch.setenv("SCRIPTCHECK_JDDC", str(tmp_path / JDDC_FILE))
    assert jddc_path(Path("/nowhere")) == tmp_path / JDDC_FILE


def test_lint_text_escapes_control_characters(tmp_path) -> None:
    evil = tmp_path / "r\x1b[2J.yaml"  # a file name from a pull request
    evil.write_text('"bye\\e[2J": "\\e[31m你怎么连这个也不懂\\e]0;x\\a"\n', encoding="utf-8")
    result = run_cli("lint", "--isolated", str(evil), timeout=60)
    assert result.returncode == 1, _stderr(result)
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout and b"\\x1b" in result.stdout
    (tmp_path / "raw.yaml").write_bytes(b'hi: "a\x1b[2J"\n')
    result = run_cli("lint", "--isolated", str(tmp_path / "raw.yaml"), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, "raw.yaml:1:", "unacceptable character #x001b")


@posix
def test_a_device_as_transcript_input_is_refused_at_once(tmp_path) -> None:
    """/dev/zero, named or through a symlink, was read for ever (hostile probe, s56)."""
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    for args in (["score", str(tmp_path / "zero.jsonl")], ["score", "--input-format", "jsonl", "/dev/zero"]):
        result = run_cli(*args, timeout=60)
        assert result.returncode == 2
        _one_line_error(result, "a device, not a file")


@pytest.mark.parametrize("command,encoding,needle", [
    ("score", "undefined", "cannot decode text"), ("lint", "undefined", "cannot decode text"),
    ("score", "utf-16", "convert the file to UTF-8"),
])
def test_unusable_encodings_are_usage_errors_not_tracebacks(calls, command, encoding, needle) -> None:
    result = run_cli(command, "--isolated", "--encoding", encoding, str(calls), timeout=60)
    assert result.returncode == 2 and needle in _stderr(result) and "Traceback" not in _stderr(result)


def test_parquet_output_without_pyarrow_is_one_line_and_leaves_no_file(calls, tmp_path, monkeypatch) -> None:
    """It was a traceback and an empty output file (hostile probe, s56). In-process, with pyarrow
    hidden (find_spec answers None for a None entry of sys.modules), so CI, where the extra is
    installed, runs this case too."""
    from click.testing import CliRunner

    from scriptcheck.cli import cli

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "x.parquet"
    result = CliRunner().invoke(cli, ["score", "--isolated", "--format", "parquet", "-o", str(out), str(calls)])
    assert result.exit_code == 2 and not out.exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ['scriptcheck: error: writing Parquet needs pyarrow: pip install "scriptcheck[parquet]"']


@pytest.mark.parametrize("option", ["--lexicon", "--profile", "--config"])
def test_a_directory_as_a_data_file_is_named_as_one(calls, tmp_path, option) -> None:
    """It said "3: Is a directory" (the descriptor) or "no such file" (hostile probe, s56)."""
    folder = tmp_path / "dd.yaml"
    folder.mkdir()
    result = run_cli("score", "--isolated", option, str(folder), str(calls), timeout=60)
    assert result.returncode == 2
    _one_line_error(result, f"{folder}: is a directory, not a file")


def test_dash_as_output_is_standard_output(calls, tmp_path) -> None:
    """-o - wrote a file named '-' (hostile probe, s56); '-' is a standard stream, as for inputs."""
    result = run_cli("score", "--isolated", "-q", "--format", "jsonl", "-o", "-", str(calls), cwd=tmp_path, timeout=60)
    assert result.returncode in (0, 1) and result.stdout.count(b'"schema_version"') >= 1
    assert not (tmp_path / "-").exists()
