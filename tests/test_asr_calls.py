"""Speech-to-text calls (issue 16): privacy severities, holds, silences at the end, time units,
data problems, rude openers and spoken complaints, call-analytics readers, the CLI options, the
default-profile note and the annotated benchmark calls."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from scriptcheck import Checker, Transcript
from scriptcheck.cli import cli
from scriptcheck.io.calls import adapt_call, parse_speaker_map, read_calls
from scriptcheck.models import Severity
from scriptcheck.rules.timing import time_scale

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def _checker(profile: str) -> Checker:
    return Checker.from_profile(profile)


def _score(turns, profile="base", **metadata):
    items = []
    for t in turns:
        if isinstance(t, tuple):
            speaker, text, *times = t
            item = {"speaker": speaker, "text": text}
            if times:
                item["start"], item["end"] = times
            items.append(item)
        else:
            items.append(t)
    return _checker(profile).score(Transcript.model_validate({"id": "t", "turns": items, "metadata": metadata}))


def _rules(report, prefix=""):
    return [(f.rule, f.turn, f.severity) for f in report.findings if f.rule.startswith(prefix)]


# -- privacy ----------------------------------------------------------------------------------

def test_valid_check_digit_is_a_certain_leak_invalid_one_a_likely_one() -> None:
    valid = _score([("agent", "您的身份证号四四零一零六一九九零零一零一一二三五对吗")])
    invalid = _score([("agent", "您的身份证号四四零一零六一九九零零一零一一二三六对吗")])
    assert _rules(valid, "PV") == [("PV002", 0, Severity.critical)]
    assert _rules(invalid, "PV") == [("PV002", 0, Severity.warning)]
    assert valid.vetoed and not invalid.vetoed
    assert "check digit" in invalid.findings[0].message


def test_invalid_card_number_needs_to_be_said_to_be_a_card() -> None:
    said = _score([("agent", "您的银行卡号是六二二二 零二一二 三四五六 七八九五")])
    waybill = _score([("agent", "您的运单号是六二二二 零二一二 三四五六 七八九五")])
    assert _rules(said, "PV") == [("PV003", 0, Severity.warning)]
    assert _rules(waybill, "PV") == []


def test_findings_point_at_the_original_characters() -> None:
    text = "嗯跟您核对一下号码一三八，嗯，一二三四，五六七八，对吗"
    report = _score([("agent", text)])
    (finding,) = [f for f in report.findings if f.rule == "PV001"]
    assert text[finding.start:finding.end] == finding.text == "一三八，嗯，一二三四，五六七八"


def test_a_number_read_out_in_several_turns_is_one_leak_at_its_first_turn() -> None:
    report = _score([("customer", "我的号码是一三八一二三四五六七八"), ("agent", "好的一三八一二三四"),
                     ("agent", "五六七八是吧"), ("customer", "对"), ("agent", "13812345678已经登记")])
    assert _rules(report, "PV") == [("PV001", 1, Severity.error)]


def test_old_profile_keys_still_work_and_spoken_can_be_switched_off(tmp_path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text(
        "version: 1\nname: mine\nextends: base\nrules:\n"
        "  - id: PV001\n    name: full-phone-number\n    kind: privacy\n    description: 完整手机号\n"
        "    severity: error\n    spoken: false\n"
        "    pattern: '(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])'\n", encoding="utf-8")
    checker = Checker.from_profile(str(profile))
    typed = checker.score(Transcript.model_validate({"id": "a", "turns": [
        {"speaker": "agent", "text": "您的号码13812345678"}]}))
    spoken = checker.score(Transcript.model_validate({"id": "b", "turns": [
        {"speaker": "agent", "text": "您的号码一三八一二三四五六七八"}]}))
    assert [f.rule for f in typed.findings if f.rule == "PV001"] == ["PV001"]
    assert [f.rule for f in spoken.findings if f.rule == "PV001"] == []


# -- timing -----------------------------------------------------------------------------------

def test_the_issue_hold_is_not_a_silence() -> None:
    report = _score([("customer", "帮我查一下话费", 0.0, 2.0), ("agent", "请您稍等，我为您查询一下，好吗？", 3.0, 6.0),
                     ("customer", "好。", 6.5, 7.0), ("agent", "让您久等了，您的话费是五十八元。", 21.0, 24.0)])
    assert _rules(report, "TM") == []


def test_hold_announced_over_two_cut_turns_and_a_backchannel_after_the_answer() -> None:
    report = _score([("customer", "帮我查一下话费", 0.0, 2.0), ("agent", "好的请您稍等", 3.0, 4.0),
                     ("agent", "我帮您查一下好吗", 4.2, 6.0), ("customer", "嗯那个好的你查吧", 6.5, 8.0),
                     ("agent", "嗯好的", 8.2, 8.6), ("agent", "让您久等了", 30.0, 32.0)])
    assert _rules(report, "TM001") == []


def test_silence_until_the_call_ended() -> None:
    turns = [("agent", "您的套餐是五十八元", 0.0, 3.0), ("customer", "那我想换一个", 4.0, 6.0)]
    assert _rules(_score(turns, call_end=39.0), "TM001") == [("TM001", 1, Severity.warning)]
    assert _rules(_score(turns, call_end=12.0), "TM001") == []
    assert _rules(_score(turns), "TM001") == []


def test_milliseconds_detected_or_declared() -> None:
    def make(times, **metadata):
        return Transcript.model_validate({"id": "t", "metadata": metadata, "turns": [
            {"speaker": "customer", "text": "你好", "start": times[0], "end": times[1]},
            {"speaker": "agent", "text": "您好", "start": times[2], "end": times[3]}]})

    assert time_scale(make((0, 2500, 3500, 6500))) == 0.001
    assert time_scale(make((0.0, 2.5, 3.5, 6.5))) == 1.0
    assert time_scale(make((1_700_000_000.0, 1_700_000_002.5, 1_700_000_003.5, 1_700_000_006.0))) == 1.0
    assert time_scale(make((0, 20, 30, 50), time_unit="ms")) == 0.001
    report = _score([("customer", "宽带断了", 0, 2500), ("agent", "您好请提供账号", 3500, 6500)])
    assert _rules(report, "TM") == []


def test_inconsistent_times_are_a_warning_not_a_crash_nor_a_silence() -> None:
    report = _score([("customer", "宽带断了", 30.0, 32.0), ("agent", "请提供账号", 8.0, 5.0),
                     ("customer", "好的", 60.0, 61.0), ("agent", "已经查到", 61.5, 63.0)])
    rules = _rules(report, "TM")
    assert ("TM004", 1, Severity.warning) in rules
    assert not [r for r in rules if r[0] == "TM001"]
    assert report.dimensions["timing"] == 100.0  # a data problem costs the agent nothing


def test_a_backchannel_overlapping_the_customer_is_no_interruption() -> None:
    report = _score([("customer", "我的宽带从早上开始就一直连不上网了", 0.0, 5.0), ("agent", "嗯嗯", 2.0, 2.4),
                     ("agent", "请您提供一下账号", 5.5, 7.0)])
    assert _rules(report, "TM002") == []


# -- openers and complaints -------------------------------------------------------------------

def test_rude_opener_and_plain_word_complaint() -> None:
    report = _score([("agent", "喂，说吧，什么事？"), ("customer", "你们这服务太烂了乱扣费"), ("agent", "扣了多少")],
                    profile="hotline-asr")
    assert {"FB800", "PR002"} <= {f.rule for f in report.findings}


def test_hotline_asr_does_not_charge_ni_for_nin() -> None:
    report = _score([("agent", "你好方标电信工号幺零二三为你服务请问有什么可以帮你")], profile="hotline-asr")
    assert not [f for f in report.findings if f.rule.startswith("PL")]


# -- readers ----------------------------------------------------------------------------------

def test_speaker_map() -> None:
    assert parse_speaker_map("A=agent,B=customer") == {"a": "agent", "b": "customer"}
    assert parse_speaker_map("0=坐席, 1=客户") == {"0": "agent", "1": "customer"}
    with pytest.raises(ValueError):
        parse_speaker_map("A=boss")
    with pytest.raises(ValueError, match="mapped twice"):  # the later pair silently won
        parse_speaker_map("A=agent,a=customer")


def test_utterance_rows_grouped_mapped_and_converted(tmp_path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"call_id": "c1", "role": "A", "content": "您好", "begin_time": 500, "end_time": 1500, "channel": 0},
            {"call_id": "c1", "role": "B", "content": "宽带断了", "begin_time": 2000, "end_time": 3500, "channel": 1},
            {"call_id": "c2", "role": "B", "content": "喂", "begin_time": 0, "end_time": 400, "channel": 1}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    records = list(read_calls(str(path), speaker_map={"A": "agent", "B": "customer"}, time_unit="ms"))
    assert [r.error for r in records] == [None, None]
    first = records[0].transcript
    assert first.id == "c1" and [t.speaker for t in first.turns] == ["agent", "customer"]
    assert (first.turns[1].start, first.turns[1].end) == (2.0, 3.5)
    assert first.turns[0].metadata == {"channel": 0}


def test_channel_decides_when_there_is_no_speaker_and_unknown_labels_say_how_to_map(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("session_id,channel_id,text,bg,ed\ns1,0,您好,0.5,1.5\ns1,1,你好,2,3\n", encoding="utf-8")
    (record,) = read_calls(str(path), speaker_map=parse_speaker_map("0=agent,1=customer"))
    assert [t.speaker for t in record.transcript.turns] == ["agent", "customer"]
    (bad,) = read_calls(str(path))
    assert bad.error is not None and "--speaker-map" in bad.error.reason


def test_a_json_array_of_rows_and_calls_is_grouped_and_mapped_like_json_lines(tmp_path) -> None:
    # It was read as JSON Lines: "[" and every indented element rejected as invalid JSON.
    rows = [{"call_id": "c1", "role": "A", "content": "您好", "begin_time": 500, "end_time": 1500},
            {"call_id": "c1", "role": "B", "content": "宽带断了", "begin_time": 2000, "end_time": 3500},
            {"task_id": "c2", "sentences": [{"spk": "A", "words": "您好"}, {"spk": "B", "words": "喂"}]},
            "not a call"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    records = list(read_calls(str(path), speaker_map={"A": "agent", "B": "customer"}, time_unit="ms"))
    assert [r.transcript.id for r in records[:2]] == ["c1", "c2"]
    assert [t.speaker for t in records[0].transcript.turns] == ["agent", "customer"]
    assert records[0].transcript.turns[1].start == 2.0
    assert [t.speaker for t in records[1].transcript.turns] == ["agent", "customer"]
    (bad,) = records[2:]
    assert bad.error is not None and "expected a JSON object" in bad.error.reason and bad.error.field == "[3]"


def test_a_txt_transcript_among_exports_is_read_as_txt_with_its_labels_mapped(tmp_path) -> None:
    # With --speaker-map every line of a .txt file was read as JSON and rejected.
    (tmp_path / "call.txt").write_text("坐席：您好，请问有什么可以帮您？\n客户：查一下快递\n", encoding="utf-8")
    (record,) = read_calls(str(tmp_path / "call.txt"), speaker_map={"A": "agent"})
    assert record.error is None and [t.speaker for t in record.transcript.turns] == ["agent", "customer"]
    (tmp_path / "ab.txt").write_text("A：您好，请问有什么可以帮您？\nb：查一下快递\n备注：加急\n", encoding="utf-8")
    (record,) = read_calls(str(tmp_path / "ab.txt"), speaker_map=parse_speaker_map("A=agent,B=customer"))
    assert [(t.speaker, t.text) for t in record.transcript.turns] == [
        ("agent", "您好，请问有什么可以帮您？"), ("customer", "查一下快递 备注：加急")]
    (unmapped,) = read_calls(str(tmp_path / "ab.txt"), speaker_map=parse_speaker_map("auto"))
    assert unmapped.error is not None and "--speaker-map" in unmapped.error.reason
    result = CliRunner().invoke(cli, ["score", str(tmp_path / "call.txt"), "--speaker-map", "A=agent,B=customer",
                                      "--format", "jsonl", "-q", "--strict"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["call-1"]


def test_whole_call_with_sentences_and_begin_offsets() -> None:
    data = adapt_call({"task_id": "x", "sentences": [
        {"spk": "坐席", "words": "您好", "begin_offset": 0, "end_offset": 900},
        {"spk": "客户", "words": "喂", "begin_offset": 1200, "end_offset": 1500}], "duration": 9000},
        time_unit="ms")
    assert data["id"] == "x" and data["duration"] == 9.0
    assert data["turns"][1] == {"speaker": "customer", "text": "喂", "start": 1.2, "end": 1.5}


# -- command line -----------------------------------------------------------------------------

def test_cli_reads_exports_with_speaker_map_and_time_unit() -> None:
    result = CliRunner().invoke(cli, ["score", str(ROOT / "corpora/asr-export/rows.jsonl"), "--speaker-map",
                                      "A=agent,B=customer", "--time-unit", "ms", "--profile", "hotline-asr",
                                      "--format", "jsonl", "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in reports] == ["export-0001", "export-0002"]
    assert not [f for r in reports for f in r["findings"] if f["rule"] in ("TM001", "TM003")]


def test_cli_rejects_a_bad_speaker_map() -> None:
    result = CliRunner().invoke(cli, ["score", str(ROOT / "corpora/asr-export/rows.jsonl"), "--speaker-map", "A"])
    assert result.exit_code == 2


def test_summary_says_when_the_default_profile_was_used(tmp_path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("客服：您好\n客户：在吗\n客服：好的再见\n", encoding="utf-8")
    defaulted = CliRunner().invoke(cli, ["score", str(path), "-j", "1", "--format", "jsonl"])
    assert "named no profile" in defaulted.stderr and "'hotline'" in defaulted.stderr
    chosen = CliRunner().invoke(cli, ["score", str(path), "-j", "1", "--format", "jsonl", "--profile", "hotline"])
    assert "named no profile" not in chosen.stderr
    path.write_text("# profile: ecommerce-chat\n客服：您好\n客户：在吗\n", encoding="utf-8")
    named = CliRunner().invoke(cli, ["score", str(path), "-j", "1", "--format", "jsonl"])
    assert "named no profile" not in named.stderr


# -- the annotated calls ----------------------------------------------------------------------

def test_benchmark_calls_every_leak_found_no_false_silence() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from asr_calls import DEFAULT, evaluate
    finally:
        sys.path.pop(0)
    calls = [json.loads(line) for line in DEFAULT.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = evaluate(calls)
    assert counts["calls"] >= 30
    assert counts["leaks expected"] > 0 and counts.get("leaks missed", 0) == 0
    assert counts.get("silences false", 0) == 0 and counts.get("silences missed", 0) == 0
    assert counts.get("leaks false", 0) == 0


def test_plain_reader_takes_an_export_shaped_call_as_it_is(tmp_path) -> None:
    from scriptcheck.io.transcripts import read_transcripts

    path = tmp_path / "calls.jsonl"
    call = {"call_id": "c9", "sentences": [
        {"role": "坐席", "content": "您好请讲", "begin_time": 0, "end_time": 1500},
        {"role": "客户", "content": "我要查话费", "begin_time": 2000, "end_time": 3500},
        {"role": "坐席", "content": "您的话费是五十八元", "begin_time": 18000, "end_time": 21000}]}
    path.write_text(json.dumps(call, ensure_ascii=False) + "\n", encoding="utf-8")
    (record,) = read_transcripts(str(path))
    assert record.error is None
    transcript = record.transcript
    assert transcript.id == "c9" and [t.speaker for t in transcript.turns] == ["agent", "customer", "agent"]
    assert transcript.turns[2].start == 18000
    report = _checker("base").score(transcript)
    assert [(f.rule, f.turn) for f in report.findings if f.rule == "TM001"] == [("TM001", 2)]


def test_no_end_silence_after_goodbyes_and_clock_times(tmp_path) -> None:
    turns = [("agent", "感谢您的来电再见", 0.0, 2.0), ("customer", "好的再见", 2.5, 3.5)]
    assert _rules(_score(turns, call_end=40.0), "TM001") == []
    from scriptcheck.io.transcripts import read_transcripts

    path = tmp_path / "clock.jsonl"
    path.write_text(json.dumps({"id": "k", "turns": [
        {"speaker": "customer", "text": "我要查话费", "start": "00:00:01.5", "end": "00:00:03"},
        {"speaker": "agent", "text": "您的话费是五十八元", "start": "00:00:20", "end": "00:00:23"}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    (record,) = read_transcripts(str(path))
    assert record.error is None and record.transcript.turns[0].start == 1.5
    assert _rules(_checker("base").score(record.transcript), "TM001") == [("TM001", 1, Severity.warning)]


def test_roles_guessed_from_what_each_label_says(tmp_path) -> None:
    from scriptcheck.io.calls import AUTO, guess_roles

    assert guess_roles([("B", "喂你好我想查一下话费"), ("A", "您好工号幺零二三为您服务请您稍等")]) == \
        {"b": "customer", "a": "agent"}
    assert guess_roles([("1", "喂"), ("0", "嗯")]) == {"1": "agent", "0": "customer"}  # a tie: first speaker
    path = tmp_path / "rows.jsonl"
    rows = [{"call_id": "c1", "spk": "B", "content": "喂我要投诉你们乱扣费", "bg": 0, "ed": 2000},
            {"call_id": "c1", "spk": "A", "content": "非常抱歉请您稍等我帮您查一下", "bg": 2500, "ed": 5000}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (record,) = read_calls(str(path), speaker_map={AUTO: "auto"})
    assert [t.speaker for t in record.transcript.turns] == ["customer", "agent"]
    assert parse_speaker_map("auto") == {AUTO: "auto"}


# -- no input crashes the speech-aware rules ----------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_spoken = st.text(alphabet="零〇一二三四五六七八九两幺腰十百千X叉0123456789 ，、-嗯呃喂好的请您稍等再见投诉身份证卡号", max_size=40)
_time = st.one_of(st.none(), st.floats(min_value=0, max_value=5e6, allow_nan=False), st.integers(0, 5_000_000))
_turn = st.fixed_dictionaries({"speaker": st.sampled_from(["agent", "customer"]),
                               "text": st.one_of(_spoken, st.text(max_size=20)), "start": _time, "end": _time})


@settings(max_examples=150, deadline=None)
@given(st.lists(_turn, min_size=1, max_size=12), st.one_of(st.none(), _time))
def test_any_call_scores_and_findings_point_into_their_turns(turns, call_end) -> None:
    metadata = {} if call_end is None else {"call_end": call_end}
    transcript = Transcript.model_validate({"id": "h", "turns": turns, "metadata": metadata})
    report = _checker("hotline-asr").score(transcript)
    for f in report.findings:
        if f.start is not None:
            assert transcript.turns[f.turn].text[f.start:f.end] == f.text
