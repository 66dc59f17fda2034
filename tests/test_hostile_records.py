"""Issue 13: records and batches — one model for every door, .json arrays, CSV order, the
profiles a transcript may choose, the configuration score honours, per-batch worker state."""

from __future__ import annotations

import gc
import json

import pytest
from click.testing import CliRunner

from scriptcheck import Transcript
from scriptcheck.batch import Scorer, score_records, score_transcripts
from scriptcheck.cli import cli
from scriptcheck.io.records import Record
from scriptcheck.io.transcripts import read_transcripts
from tests.conftest import CORPORA

CALLS = [json.loads(line) for line in (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()]


# -- item 11: the README's JSONL shape is accepted by the Python API too ------------------------

def test_python_api_accepts_the_readme_shape() -> None:
    t = Transcript.model_validate({"id": 7, "agent_id": "A1", "profile": "hotline", "channel": "phone",
                                   "turns": [{"speaker": "客服", "text": "您好", "emotion": "calm"},
                                             {"speaker": "顾客", "text": "你好"}]})
    assert t.id == "7" and [x.speaker for x in t.turns] == ["agent", "customer"]
    assert t.metadata == {"agent_id": "A1", "profile": "hotline", "channel": "phone"}
    assert t.turns[0].metadata == {"emotion": "calm"}


def test_every_door_gives_the_same_transcript(tmp_path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CALLS) + "\n", encoding="utf-8")
    read = [r.transcript for r in read_transcripts(str(path))]
    assert read == [Transcript.model_validate(c) for c in CALLS]


@pytest.mark.parametrize("record,field", [
    ({"turns": [{"speaker": "agent", "text": "您好"}]}, "id"),
    ({"id": "x"}, "turns"),
    ({"id": "x", "turns": [{"speaker": "agent"}]}, "turns.0.text"),
])
def test_missing_fields_are_reported_as_missing(record, field) -> None:
    error = Record("f.jsonl", 3, raw=json.dumps(record)).validated().error
    assert error is not None and error.field == field and error.reason == "missing"


# -- item 10: .json files hold an array (or one object) of transcripts -------------------------

def test_json_array_is_read_element_by_element(tmp_path) -> None:
    data = [CALLS[0], {"id": "bad"}, CALLS[1]]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    records = list(read_transcripts(str(path)))
    assert len(records) == 3
    assert [r.transcript.id for r in records if r.error is None] == [CALLS[0]["id"], CALLS[1]["id"]]
    bad = records[1].error
    assert bad.field == "[1].turns" and bad.reason == "missing"
    assert path.read_text(encoding="utf-8").splitlines()[bad.line - 1].strip() == "{"


def test_json_single_object_and_broken_array(tmp_path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(CALLS[0], ensure_ascii=False, indent=2), encoding="utf-8")
    assert [r.transcript.id for r in read_transcripts(str(one))] == [CALLS[0]["id"]]
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(CALLS[:3], ensure_ascii=False, indent=2)[:-200], encoding="utf-8")
    records = list(read_transcripts(str(cut)))
    assert [r.error is None for r in records] == [True, True, False]
    assert "element 2" in records[-1].error.reason
    empty = tmp_path / "empty.json"
    empty.write_text("[ ]\n", encoding="utf-8")
    assert list(read_transcripts(str(empty))) == []


def test_json_reading_keeps_one_element_in_memory(tmp_path, monkeypatch) -> None:
    import scriptcheck.io.transcripts as transcripts

    monkeypatch.setattr(transcripts, "MAX_JSON_ELEMENT", 20_000)
    path = tmp_path / "many.json"
    path.write_text(json.dumps(CALLS * 200, ensure_ascii=False, indent=1), encoding="utf-8")
    assert sum(r.error is None for r in read_transcripts(str(path))) == len(CALLS) * 200
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps([{"id": "x", "turns": [{"speaker": "agent", "text": "您" * 30_000}]}]),
                    encoding="utf-8")
    (record,) = read_transcripts(str(huge))
    assert "larger than 20000 characters" in record.error.reason


# -- item 12: CSV rows of a conversation that are not consecutive -------------------------------

def test_csv_split_conversation_is_rejected_naming_both_lines(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("conversation_id,speaker,text\nc1,客服,您好\nc2,客服,您好\nc1,客户,你好\n", encoding="utf-8")
    records = list(read_transcripts(str(path)))
    assert [r.transcript.id for r in records if r.error is None] == ["c1", "c2"]
    (bad,) = [r.error for r in records if r.error is not None]
    assert bad.line == 4 and "line 2" in bad.reason and bad.field == "id"


# -- item 3 (batch part): a transcript chooses only among known profiles ------------------------

@pytest.mark.parametrize("profile", ["../../etc/passwd.yaml", "nonexistent", 5])
def test_transcript_cannot_name_a_profile_file(profile) -> None:
    record = Record("f.jsonl", 1, transcript=Transcript.model_validate({**CALLS[0], "profile": profile}))
    (scored,) = score_records([record], Scorer(default_profile="hotline"), jobs=1)
    assert scored.record.error is not None and scored.record.error.field == "profile"
    assert "packaged profile" in scored.record.error.reason


def test_transcript_naming_dev_zero_is_rejected_not_read(tmp_path) -> None:
    from tests.hostile import run_cli

    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({**CALLS[0], "profile": "/dev/zero"}, ensure_ascii=False) + "\n"
                    + json.dumps(CALLS[1], ensure_ascii=False) + "\n", encoding="utf-8")
    # In a subprocess with a timeout and a memory ceiling: reading /dev/zero would never end.
    result = run_cli("score", "--format", "jsonl", "-j", "1", str(path), timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [CALLS[1]["id"]]
    assert "profile: unknown profile '/dev/zero'" in result.stderr.decode()


def test_transcript_may_choose_packaged_or_configured_profiles() -> None:
    scorer = Scorer(default_profile="hotline", allowed_profiles=["callback"])
    for name in ("ecommerce-chat", "callback"):
        assert scorer.profile_for(Transcript.model_validate({**CALLS[0], "profile": name})) == name


# -- item 14: score honours the configuration's lexicons and severity --------------------------

def test_score_honours_config_severity_and_lexicons(tmp_path, monkeypatch) -> None:
    record = {"id": "c", "turns": [{"speaker": "agent", "text": "您好，工号1001为您服务，请问有什么可以帮您？"},
                                   {"speaker": "customer", "text": "宽带断了"},
                                   {"speaker": "agent", "text": "你怎么连这个也不懂！感谢您的来电，再见。"}]}
    (tmp_path / "t.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["score", "t.jsonl", "--format", "jsonl", "-q", "-j", "1",
                                           "--isolated"]).stdout)
    rule = next(f for f in plain["findings"] if f["rule"].startswith("FB"))["rule"]
    (tmp_path / "scriptcheck.toml").write_text(f'severity = {{{rule} = "critical"}}\n', encoding="utf-8")
    graded = json.loads(runner.invoke(cli, ["score", "t.jsonl", "--format", "jsonl", "-q", "-j", "1"]).stdout)
    assert next(f for f in graded["findings"] if f["rule"] == rule)["severity"] == "critical"
    assert graded["vetoed"] is True and graded["passed"] is False
    (tmp_path / "scriptcheck.toml").write_text('lexicons = ["missing.yaml"]\n', encoding="utf-8")
    result = runner.invoke(cli, ["score", "t.jsonl", "-q"])
    assert result.exit_code == 2 and "missing.yaml" in result.stderr


# -- item 7: per-batch worker state, no process-wide GC change in the library ---------------------

def test_two_batches_in_one_process_keep_their_own_scorer(monkeypatch) -> None:
    import scriptcheck.batch as batch

    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", 0)  # straight to the workers
    transcripts = [Transcript.model_validate(c) for c in CALLS]
    hotline = score_transcripts(transcripts, "hotline", jobs=2)
    callback = score_transcripts(transcripts, "callback", jobs=2)
    pairs = list(zip(hotline, callback))  # interleaved: both batches' workers alive at once
    assert {a.profile for a, _ in pairs} == {"hotline"} and {b.profile for _, b in pairs} == {"callback"}

    def freeze() -> None:
        raise AssertionError("the library froze the caller's garbage collector")

    monkeypatch.setattr(gc, "freeze", freeze)
    assert len(list(score_transcripts(transcripts, "ecommerce-chat", jobs=1))) == len(CALLS)


def test_workers_start_only_for_the_work_there_is(monkeypatch) -> None:
    import scriptcheck.batch as batch

    started = []
    original = batch._Supervisor.start_worker

    def counting(self):
        started.append(1)
        return original(self)

    monkeypatch.setattr(batch._Supervisor, "start_worker", counting)
    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", 0)  # straight to the workers
    transcripts = [Transcript.model_validate(c) for c in CALLS * 2]  # 24 transcripts: one chunk
    assert len(list(score_transcripts(transcripts, "hotline", jobs=1000))) == 24
    assert len(started) == 1


def test_transcript_chosen_packaged_name_never_opens_a_local_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "callback").write_text("not: a profile\n", encoding="utf-8")
    record = Record("f.jsonl", 1, transcript=Transcript.model_validate({**CALLS[0], "profile": "callback"}))
    (scored,) = score_records([record], Scorer(default_profile="hotline"), jobs=1)
    assert scored.record.error is None and scored.get_report().profile == "callback"


def test_an_overlong_line_is_reported_with_bounded_memory(tmp_path, monkeypatch) -> None:
    import scriptcheck.io.transcripts as transcripts

    monkeypatch.setattr(transcripts, "MAX_LINE", 3000)
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(CALLS[0], ensure_ascii=False).replace("您好", "您" * 2000, 1) + "\n"
                    + json.dumps(CALLS[1], ensure_ascii=False) + "\n", encoding="utf-8")
    first, second = read_transcripts(str(path))
    assert "longer than 3000 bytes" in first.error.reason and first.line == 1
    assert second.error is None and second.line == 2


def test_json_lines_saved_as_json_lose_nothing(tmp_path) -> None:
    path = tmp_path / "t.json"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CALLS) + "\n", encoding="utf-8")
    records = list(read_transcripts(str(path)))
    assert [r.transcript.id for r in records] == [c["id"] for c in CALLS]
    assert [r.line for r in records] == list(range(1, len(CALLS) + 1))
