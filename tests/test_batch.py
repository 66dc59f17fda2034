"""`scriptcheck score` and the batch API: nothing lost, input order, jobs, encodings, exits."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from scriptcheck import Transcript
from scriptcheck.batch import score_transcripts
from scriptcheck.cli import cli
from scriptcheck.io.transcripts import read_transcripts

from tests.conftest import CORPORA

GOOD = {"id": "g", "turns": [{"speaker": "agent", "text": "您好，工号1001为您服务，请问有什么可以帮您？"},
                             {"speaker": "customer", "text": "没事了"},
                             {"speaker": "agent", "text": "请问您还有什么需要帮助？感谢您的来电，再见。"}]}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _broken_file(tmp_path):
    lines = []
    for i in range(5):
        lines.append(json.dumps({**GOOD, "id": f"good-{i}"}, ensure_ascii=False))
    lines.insert(1, "{not json")
    lines.insert(3, json.dumps({"turns": GOOD["turns"]}, ensure_ascii=False))
    lines.insert(5, json.dumps({"id": "x", "turns": [{"speaker": "agent", "text": None}]}))
    lines.insert(6, json.dumps({"id": "y", "turns": []}))
    path = tmp_path / "broken.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"id": "\xff"}\n')
    return path  # 5 good, 5 bad (lines 2, 4, 6, 7, 10)


def test_broken_records_are_counted_and_reported(runner, tmp_path) -> None:
    path = _broken_file(tmp_path)
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(cli, ["score", str(path), "--format", "jsonl", "--errors", str(errors),
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in reports] == [f"good-{i}" for i in range(5)]
    rejected = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in rejected] == [2, 4, 6, 7, 10]
    assert all(e["file"] == str(path) and e["reason"] for e in rejected)
    assert "read 10 = scored 5 + rejected 5" in result.stderr
    assert result.stderr.count("scriptcheck: rejected:") == 5


def test_strict_exits_2_on_rejects(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["score", str(_broken_file(tmp_path)), "--strict", "-q", "--format", "csv"])
    assert result.exit_code == 2


@pytest.mark.parametrize("lines, extra, code", [
    # Exit 0 with "read 2 = scored 0 + rejected 2" passed CI unnoticed (hostile probe F18).
    (['{"id": "a"}', "not json"], [], 2),  # everything read was rejected
    (['{"id": "a"}', json.dumps(GOOD)], [], 0),  # partly: the batch did its work
    (['{"id": "a"}', json.dumps(GOOD)], ["--strict"], 2),
    ([], [], 0),  # nothing to read: a warning, as before
])
def test_score_exits_2_when_every_record_read_was_rejected(runner, tmp_path, lines, extra, code) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    result = runner.invoke(cli, ["score", str(path), "--format", "jsonl", "--jobs", "1", *extra])
    assert result.exit_code == code, result.output
    if lines:
        assert f"read {len(lines)} = " in result.stderr  # the summary is still written
    said = "scriptcheck: error: all 2 records read were rejected; nothing was scored"
    assert (said in result.stderr) == bool(lines and code == 2 and not extra)


def test_unreadable_input_file_exits_2_and_the_rest_is_scored(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["score", str(tmp_path / "missing.jsonl"), str(CORPORA / "calls.jsonl"),
                                 "--format", "jsonl", "-j", "1"])
    assert result.exit_code == 2
    assert "missing.jsonl: no such file" in result.stderr
    assert len(result.stdout.splitlines()) == 12
    assert "read 12 = scored 12 + rejected 0" in result.stderr


def test_fail_under(runner) -> None:
    calls = str(CORPORA / "calls.jsonl")
    assert runner.invoke(cli, ["score", calls, "-q", "--format", "csv", "--fail-under", "60"]).exit_code == 1
    assert runner.invoke(cli, ["score", calls, "-q", "--format", "csv", "--fail-under", "10"]).exit_code == 0


def test_table_summary_has_agents_and_top_rules(runner) -> None:
    result = runner.invoke(cli, ["score", str(CORPORA), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "transcripts read 34 = scored 34 + rejected 0" in result.stdout  # 24 + 10 in asr/
    assert "per agent:" in result.stdout and "A035" in result.stdout and "top rules:" in result.stdout


def test_json_format_and_wire_schema(runner) -> None:
    result = runner.invoke(cli, ["score", str(CORPORA / "calls.jsonl"), "--format", "json", "-q"])
    data = json.loads(result.stdout)
    assert data["summary"]["read"] == 12
    report = next(r for r in data["reports"] if r["id"] == "call-005")
    assert set(report) >= {"id", "score", "passed", "dimensions", "findings", "steps"}
    finding = next(f for f in report["findings"] if f["rule"].startswith("FB"))
    assert set(finding) >= {"rule", "category", "severity", "turn", "start", "end", "text", "message", "suggestion"}
    step = report["steps"][0]
    assert set(step) >= {"rule", "name", "satisfied", "turn"}


def test_csv_format(runner) -> None:
    result = runner.invoke(cli, ["score", str(CORPORA / "chats.csv"), "--format", "csv", "-q"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,profile,agent_id,score,passed")
    assert len(lines) == 9


def test_profile_option_and_unknown_profile(runner) -> None:
    ok = runner.invoke(cli, ["score", str(CORPORA / "chats.csv"), "--profile", "hotline", "-q", "--format", "jsonl"])
    assert {json.loads(line)["profile"] for line in ok.stdout.splitlines()} == {"hotline"}
    bad = runner.invoke(cli, ["score", str(CORPORA / "chats.csv"), "--profile", "nope"])
    assert bad.exit_code == 2 and "no profile" in bad.output


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_score_like_utf8(runner, tmp_path, encoding: str) -> None:
    twin = tmp_path / "calls.jsonl"
    twin.write_bytes((CORPORA / "calls.jsonl").read_text(encoding="utf-8").encode(encoding))
    args = ["score", "--format", "jsonl", "-q", "-j", "1"]
    assert runner.invoke(cli, [*args, str(twin)]).stdout == runner.invoke(cli, [*args, str(CORPORA / "calls.jsonl")]).stdout


def test_stdin(runner) -> None:
    data = (CORPORA / "calls.jsonl").read_bytes()
    result = runner.invoke(cli, ["score", "-", "--format", "jsonl", "-q"], input=data)
    assert len(result.stdout.splitlines()) == 12


@pytest.mark.parametrize("lead, rest", [(0, 0), (10, 20), (10, 70), (1024, 0)])
def test_two_jobs_give_the_same_reports_in_order(monkeypatch, lead: int, rest: int) -> None:
    # (0, 0): all in workers; (10, 20): ten here, then workers; (10, 70): the rest is too
    # short to go parallel, all here; (1024, 0): all here.
    import scriptcheck.batch as batch

    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", lead)
    monkeypatch.setattr(batch, "_PARALLEL_MIN_REST", rest)
    started = []
    original = batch._Supervisor.start_worker
    monkeypatch.setattr(batch._Supervisor, "start_worker", lambda self: started.append(1) or original(self))
    transcripts = [r.transcript for name in ("calls.jsonl", "chats.csv", "presale.txt")
                   for r in read_transcripts(str(CORPORA / name))] * 3
    one = [r.model_dump() for r in score_transcripts(transcripts, jobs=1)]
    two = [r.model_dump() for r in score_transcripts(transcripts, jobs=2)]
    assert one == two and len(one) == 72
    assert bool(started) == (lead + rest < 72)


def test_a_batch_smaller_than_the_lead_starts_no_worker(monkeypatch, tmp_path) -> None:
    import scriptcheck.batch as batch

    def refuse(self):
        raise AssertionError("a worker process was started for a small batch")

    monkeypatch.setattr(batch._Supervisor, "start_worker", refuse)
    size = batch._IN_PROCESS_LEAD + batch._PARALLEL_MIN_REST - 1
    transcripts = [Transcript.model_validate({**GOOD, "id": f"g{i}"}) for i in range(size)]
    reports = list(score_transcripts(transcripts, "hotline", jobs=2))
    assert [r.id for r in reports] == [f"g{i}" for i in range(size)]


def test_auto_jobs_leave_out_the_cpus_other_processes_use(monkeypatch) -> None:
    import scriptcheck.batch as batch

    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(batch, "_busy_cpus", lambda cpus: 2)
    assert batch.worker_count(0) == 2      # auto: 4 CPUs, 2 busy
    assert batch.worker_count(4) == 4      # an explicit count is the user's choice
    monkeypatch.setattr(batch, "_busy_cpus", lambda cpus: cpus)
    assert batch.worker_count(0) == 1      # a saturated machine: work in this process


def test_busy_cpus_count_running_tasks_not_this_process(monkeypatch) -> None:
    import builtins
    import io

    import scriptcheck.batch as batch

    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if path == "/proc/loadavg":
            return io.StringIO("3.90 2.00 1.00 3/412 9999\n")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert batch._busy_cpus(8) == 2        # 3 running, one of them this process
    assert batch._busy_cpus(1) == 1        # never more than the CPUs



def test_api_scores_plain_transcripts() -> None:
    [report] = score_transcripts([Transcript.model_validate(GOOD)], "hotline")
    assert report.passed and report.profile == "hotline"


def _corpus_transcripts() -> list:
    return [r.transcript for name in ("calls.jsonl", "chats.csv", "presale.txt")
            for r in read_transcripts(str(CORPORA / name))]


def test_a_prepared_scorer_gives_the_same_reports() -> None:
    # Scorer.prepare (a large batch) builds the matchers' automata before the first transcript;
    # an unprepared one serves its first transcripts by literal lookups. Same reports.
    from scriptcheck.batch import Scorer

    plain, prepared = Scorer(default_profile="hotline"), Scorer(default_profile="hotline")
    prepared.scorer("hotline")  # built before prepare(): readied by it
    prepared.prepare()
    transcripts = _corpus_transcripts()
    assert [prepared.score(t) for t in transcripts] == [plain.score(t) for t in transcripts]
    assert prepared.loaded > 1  # the corpora choose other profiles too: readied as they were built
    for scorer in prepared._scorers.values():
        matcher = scorer.matcher
        assert matcher._subset_matchers  # category matchers made while scoring: readied as made
        automata = [matcher._matcher._automaton, *(m._automaton for m, _ in matcher._subset_matchers.values())]
        assert all(a._automaton is not None for a in automata if len(a))


@pytest.mark.parametrize("copies, prepared", [(1, False), (20, True)])
def test_score_readies_its_scorers_for_a_large_input_only(runner, monkeypatch, tmp_path, copies: int,
                                                           prepared: bool) -> None:
    import scriptcheck.cli_score as cli_score
    from scriptcheck.batch import Scorer

    path = tmp_path / "calls.jsonl"
    path.write_bytes((CORPORA / "calls.jsonl").read_bytes() * copies)  # 18 KB or 370 KB
    calls = []
    original = Scorer.prepare
    monkeypatch.setattr(Scorer, "prepare", lambda self: calls.append(1) or original(self))
    args = ["score", str(path), "--format", "jsonl", "-q", "--jobs", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert bool(calls) == prepared
    monkeypatch.setattr(cli_score, "_PREPARE_BYTES", 0 if not prepared else 10**12)  # the other way
    other = runner.invoke(cli, args)
    assert bool(calls) and other.stdout == result.stdout


@pytest.mark.parametrize("free, workers", [(1, False), (2, True)])
def test_auto_jobs_settle_the_workers_after_the_lead(monkeypatch, free: int, workers: bool) -> None:
    # jobs=0 (auto): the lead is scored here while the probe watches the machine; a machine
    # with less than two CPUs free gets no worker (the rest is scored here), else workers.
    import scriptcheck.batch as batch

    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", 10)
    monkeypatch.setattr(batch, "_PARALLEL_MIN_REST", 20)
    monkeypatch.setattr(batch, "_cpus", lambda: 2)
    asked = []
    monkeypatch.setattr(batch._CpuProbe, "workers", lambda self, ceiling: asked.append(ceiling) or min(free, ceiling))
    started = []
    original = batch._Supervisor.start_worker
    monkeypatch.setattr(batch._Supervisor, "start_worker", lambda self: started.append(1) or original(self))
    transcripts = _corpus_transcripts() * 3
    auto = [r.model_dump() for r in score_transcripts(transcripts, jobs=0)]
    assert auto == [r.model_dump() for r in score_transcripts(transcripts, jobs=1)] and len(auto) == 72
    assert asked == [2] and bool(started) == workers


def test_auto_jobs_on_one_cpu_start_no_worker_and_read_nothing_ahead(monkeypatch) -> None:
    import scriptcheck.batch as batch

    monkeypatch.setattr(batch, "_cpus", lambda: 1)
    monkeypatch.setattr(batch, "_CpuProbe", None)  # never made
    reports = list(score_transcripts([Transcript.model_validate({**GOOD, "id": f"g{i}"}) for i in range(5)],
                                     "hotline", jobs=0))
    assert [r.id for r in reports] == [f"g{i}" for i in range(5)]


def test_cpu_probe_counts_what_other_processes_used(monkeypatch) -> None:
    import scriptcheck.batch as batch

    clock = {"now": 100.0, "ticks": 10_000, "own": 5.0}
    monkeypatch.setattr(batch.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(batch._CpuProbe, "_busy_ticks", lambda self: clock["ticks"])
    monkeypatch.setattr(batch._CpuProbe, "_own", staticmethod(lambda: clock["own"]))
    monkeypatch.setattr(batch.os, "sysconf", lambda name: 100)
    monkeypatch.setattr(batch, "_cpus", lambda: 2)
    probe = batch._CpuProbe()
    # Half a second: this process used 0.5 s of CPU, the machine 0.7 s in all: others 0.2 s.
    clock.update(now=100.5, ticks=10_070, own=5.5)
    assert probe.others() == pytest.approx(0.4)
    assert probe.workers(2) == 2  # 1.6 CPUs free
    clock.update(ticks=10_085)  # others 0.35 s in 0.5 s: 0.7 of a CPU, two workers still gain
    assert probe.workers(2) == 2
    clock.update(ticks=10_095)  # others 0.9 of a CPU: taken
    assert probe.workers(2) == 1
    clock.update(ticks=10_100)  # others 0.5 s in 0.5 s: a whole CPU
    assert probe.workers(2) == 1
    clock.update(ticks=10_180)  # others 1.8 CPUs (of 2)
    assert probe.workers(2) == 1
    clock.update(now=100.05)  # too short to tell: the runnable tasks are asked instead
    monkeypatch.setattr(batch, "_busy_cpus", lambda cpus: 0)
    assert probe.others() is None and probe.workers(2) == 2


def test_cpu_probe_reads_this_machine() -> None:
    import scriptcheck.batch as batch

    probe = batch._CpuProbe()
    assert probe.workers(1) == 1
    sum(range(3_000_000))  # some work of our own, which is not the others'
    others = probe.others()
    assert others is None or 0.0 <= others <= batch._cpus()


def test_csv_output_cells_never_read_as_formulas(runner, tmp_path) -> None:
    """Ids and agent ids come from the export and the CSV is opened in a spreadsheet: a cell that
    starts like a formula (=HYPERLINK(…), @SUM(…), +cmd|…) is written as text, with a leading '."""
    export = tmp_path / "x.jsonl"
    rows = [{"id": '=HYPERLINK("http://evil.example","open")', "metadata": {"agent_id": "@SUM(A1:A9)"},
             "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]},
            {"id": "plain-1", "metadata": {"agent_id": "A01"}, "turns": [{"speaker": "agent", "text": "您好"}]}]
    export.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(cli, ["score", str(export), "--format", "csv", "-q"])
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[0] for row in table[1:]] == ['\'=HYPERLINK("http://evil.example","open")', "plain-1"]
    assert [row[2] for row in table[1:]] == ["'@SUM(A1:A9)", "A01"]
