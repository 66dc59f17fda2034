"""Inputs from a hostile-input sweep of the command (2026-12-05): each crashed with a traceback,
hung, lost the rest of a batch, printed a file it should not have, or overwrote what the run
reads. Every one must now be a clear error that names the file, loses nothing else and exits 2
(or, for one bad record of a batch, is counted as rejected while the batch goes on)."""

from __future__ import annotations

import json
import os

import pytest

from scriptcheck import LexiconError, ProfileError, load_lexicon, load_profile
from scriptcheck.errors import ConfigError, SpecFailure
from scriptcheck.io.records import MAX_TRANSCRIPT_CHARS
from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.templates.config import load_config
from tests.hostile import run_cli

GOOD = {"id": "ok", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]}
posix = pytest.mark.skipif(os.name != "posix", reason="named pipes")


def _read(path) -> list:
    return list(read_transcripts(str(path)))


def _reasons(records) -> list[str | None]:
    return [None if r.error is None else r.error.reason for r in records]


# -- transcript readers: one bad record is rejected with its reason, the next one is read -------

@pytest.mark.parametrize("bad, reason", [
    ('{"id": "a", "turns": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ('{"id": ' + "9" * 5000 + ', "turns": []}', "4300 digits"),
    ('{"id": "c\\ud800", "turns": [{"speaker": "agent", "text": "您好"}]}', "lone surrogate"),
    ('{"id": "c", "turns": [{"speaker": "agent", "text": "x\\udc00"}]}', "turns.0.text"),
    ("null", "got null"),
])
def test_a_jsonl_record_json_cannot_hold_is_rejected_and_the_batch_goes_on(tmp_path, bad, reason) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(bad + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    first, second = _read(path)
    assert first.error is not None and reason in first.error.reason and first.error.line == 1
    assert second.error is None and second.transcript.id == "ok"


def test_metadata_nested_too_deep_to_write_is_rejected_not_fatal(tmp_path) -> None:
    deep: dict = {"v": 1}
    for _ in range(400):  # the decoder takes it; writing the report's copy of it did not
        deep = {"k": deep}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({**GOOD, "metadata": deep}) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    first, second = _read(path)
    assert first.error.field == "metadata" and "nested more than 32 deep" in first.error.reason
    assert second.error is None
    shallow = tmp_path / "s.jsonl"
    shallow.write_text(json.dumps({**GOOD, "metadata": {"a": [{"b": [1, 2]}]}}) + "\n", encoding="utf-8")
    assert _read(shallow)[0].error is None


def test_a_transcript_too_long_to_score_in_bounded_memory_is_rejected(tmp_path) -> None:
    # A 30 MB line of text scored at ~2.5 GB of memory: a batch worker could be killed by the
    # system with nothing said. The limit is 1,000,000 characters; the text here just passes it.
    half = MAX_TRANSCRIPT_CHARS // 2
    long = {"id": "long", "turns": [{"speaker": "agent", "text": "您" * half},
                                    {"speaker": "customer", "text": "好" * (half + 1)}]}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(long, ensure_ascii=False) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    first, second = _read(path)
    assert first.error.field == "turns" and first.error.line == 1
    assert first.error.reason == "1,000,001 characters of turn text, more than the 1,000,000 one transcript may hold"
    assert second.error is None
    long["turns"][1]["text"] = "好" * half  # exactly the limit: scored
    path.write_text(json.dumps(long, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _read(path)[0].error is None


def test_a_surrogate_pair_is_one_character_not_an_error(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "e", "turns": [{"speaker": "agent", "text": "\\ud83d\\ude00 您好"}]}\n', encoding="utf-8")
    (record,) = _read(path)
    assert record.error is None and record.transcript.turns[0].text == "😀 您好"


def test_a_json_array_element_that_is_no_object_is_rejected_by_index(tmp_path) -> None:
    path = tmp_path / "t.json"
    # A string element is not JSON text to parse again (it smuggled a transcript in), null is no record.
    path.write_text(json.dumps([None, json.dumps(GOOD), GOOD, 5, [1], True, "x" * 3]), encoding="utf-8")
    records = _read(path)
    assert _reasons(records) == ["expected a JSON object, got null", "expected a JSON object, got string", None,
                                 "expected a JSON object, got number", "expected a JSON object, got array",
                                 "expected a JSON object, got boolean", "expected a JSON object, got string"]
    assert [r.error.field for r in records if r.error] == ["[0]", "[1]", "[3]", "[4]", "[5]", "[6]"]


def test_a_json_array_element_nested_too_deep_ends_the_file_with_its_reason(tmp_path) -> None:
    # Valid JSON, but the decoder cannot get to its end: where the next element starts is unknown.
    path = tmp_path / "t.json"
    path.write_text("[" + json.dumps(GOOD) + ", " + "[" * 5000 + "]" * 5000 + ", " + json.dumps(GOOD) + "]",
                    encoding="utf-8")
    first, second = _read(path)
    assert first.transcript.id == "ok" and "element 1: nested too deeply" in second.error.reason


def test_a_one_line_json_array_is_read_in_linear_time_with_its_line_numbers(tmp_path) -> None:
    # Cutting the read part off after every element copied the rest of the line each time.
    path = tmp_path / "t.json"
    element = {"id": "c", "turns": [{"speaker": "agent", "text": "您好"}]}
    path.write_text("[\n" + ", ".join([json.dumps(element)] * 20_000) + ",\n" + json.dumps(GOOD) + "\n]",
                    encoding="utf-8")
    records = _read(path)
    assert len(records) == 20_001 and all(r.error is None for r in records)
    assert records[0].line == 2 and records[-1].line == 3 and records[-1].transcript.id == "ok"


@pytest.mark.parametrize("body, reason", [
    ('c1,agent,"' + "长" * 140_000 + '"\n', "field larger than field limit"),
    ('c1,agent,"还没关上\nc3,agent,好的\n', "still open at the end of the file"),
    ('c1,agent,"您好"吗\n', "goes on after its closing quote"),
    ("c1,agent,您\r好\n", "carriage return"),
])
def test_a_csv_row_the_csv_module_refuses_is_rejected_and_reading_goes_on(tmp_path, body, reason) -> None:
    swallowing = "还没关上" in body  # an unclosed quote takes the rest of the file: nothing after it
    path = tmp_path / "t.csv"
    path.write_text("id,speaker,text\nc0,agent,您好\n" + body + ("" if swallowing else "c9,agent,再见\n"),
                    encoding="utf-8")
    records = _read(path)
    # The row's conversation is unknown: the one it may belong to (c0) is rejected, naming the row.
    bad = [r for r in records if r.error is not None]
    assert len(bad) == 1 and reason in bad[0].error.reason and bad[0].error.line == 3
    if not swallowing:
        assert records[-1].transcript.id == "c9" and records[-1].error is None


def test_wrapped_txt_lines_join_into_one_turn(tmp_path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("客服：您好\n" + "接着说\n" * 20_000 + "客户：好的\n", encoding="utf-8")
    (record,) = _read(path)
    agent, customer = record.transcript.turns
    assert agent.text == "您好" + " 接着说" * 20_000 and customer.text == "好的"


def test_a_record_json_cannot_hold_does_not_kill_a_parallel_batch(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [json.dumps({**GOOD, "id": f"c{i}"}) for i in range(1500)]
    lines.insert(700, '{"id": ' + "9" * 5000 + "}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("score", str(path), "--jobs", "2", "-q", "--format", "jsonl", "-o", str(tmp_path / "o.jsonl"),
                     "--errors", str(tmp_path / "e.jsonl"), timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert len((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()) == 1500
    (error,) = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()]
    assert error["line"] == 701 and "4300 digits" in error["reason"]


# -- lexicons, profiles, configuration: refused with the reason, never a traceback or a hang ----

LEXICON = """version: 1
name: evil
kind: forbidden
{top}entries:
  - id: XE901
    name: evil
    category: 喝斥
    description: 测试
    {field}
"""


@pytest.mark.parametrize("top, field, reason", [
    ("slots:\n" + "".join(f"  s{i}: '{{{{s{i + 1}}}}}{{{{s{i + 1}}}}}'\n" for i in range(30)) + "  s30: 'ab'\n",
     "patterns: ['你{{s0}}']", "expands to more than"),
    ("slots:\n" + "".join(f"  s{i}: '{{{{s{i + 1}}}}}'\n" for i in range(3000)) + "  s3000: 'ab'\n",
     "patterns: ['你{{s0}}']", "more than 32 deep"),
    ("allow: ['']\n", "phrases: [你滚]", "empty once normalised"),
    ("", "phrases: [你滚]\n    allow: ['！！']", "empty once normalised"),
    ("", "patterns: ['你a{0,4294967296}滚']", "repetition number is too large"),
    ("", "patterns: ['你[[a]滚']", "ambiguous: Possible nested set"),  # was a warning line before the error
    # a second definition silently replaced the first for every entry naming it
    ("mitigators:\n  - {name: soft, scope: clause, pattern: 请}\n  - {name: soft, scope: clause, pattern: 麻烦}\n",
     "phrases: [你滚]", "mitigators: the name 'soft' is defined twice"),
    ("conditions:\n  - {name: angry, scope: clause, pattern: 吵}\n  - {name: angry, scope: clause, pattern: 闹}\n",
     "phrases: [你滚]", "conditions: the name 'angry' is defined twice"),
])
def test_a_lexicon_that_would_crash_or_hang_the_loader_is_refused(tmp_path, top, field, reason) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(LEXICON.format(top=top, field=field), encoding="utf-8")
    with pytest.raises(LexiconError, match=reason):  # the slot bomb ran for minutes, the chain crashed
        load_lexicon(path, verify=False)


def test_failing_specs_are_listed_up_to_twenty(tmp_path) -> None:
    specs = "".join(f"\n        - 请您稍等{i}" for i in range(25))
    path = tmp_path / "loud.yaml"
    path.write_text(LEXICON.format(top="", field="phrases: [你给我闭嘴]\n    specs:\n      match:" + specs),
                    encoding="utf-8")
    with pytest.raises(SpecFailure) as caught:  # a pull request's thousands of failures printed one a line
        load_lexicon(path)
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("25 spec(s) fail:") and len(lines) == 22
    assert lines[-1] == f"  … and 5 more (scriptcheck lexicon test {path})"


def test_overlays_that_extend_each_other_are_refused(tmp_path) -> None:
    for name, base in (("a", "b"), ("b", "a"), ("self", "self")):
        (tmp_path / f"{name}.yaml").write_text(f"version: 1\nextends: {base}.yaml\nentries:\n  - id: FB006\n"
                                              "    allow: [你好]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"cycle: a\.yaml -> b\.yaml -> a\.yaml"):
        load_lexicon(tmp_path / "a.yaml")
    with pytest.raises(LexiconError, match=r"cycle: self\.yaml -> self\.yaml"):
        load_lexicon(tmp_path / "self.yaml")


@pytest.mark.parametrize("version", ["true", "1.0", "'1'"])
def test_a_format_version_is_the_integer_one_not_something_equal_to_it(tmp_path, version) -> None:
    lexicon, profile, overlay = (tmp_path / name for name in ("l.yaml", "p.yaml", "o.yaml"))
    lexicon.write_text(LEXICON.format(top="", field="phrases: [你滚]").replace("version: 1", f"version: {version}"),
                       encoding="utf-8")
    profile.write_text(f"version: {version}\nname: p\nextends: hotline\n", encoding="utf-8")
    overlay.write_text(f"version: {version}\nextends: forbidden\n", encoding="utf-8")
    for path, load, error in ((lexicon, load_lexicon, LexiconError), (profile, load_profile, ProfileError),
                              (overlay, load_lexicon, LexiconError)):
        with pytest.raises(error, match="version: .*the format version must be the integer 1"):
            load(path)


@pytest.mark.parametrize("extra, reason", [
    ("rules: 5\n", "rules: Input should be a valid list"),
    ("weights: {forbidden: .nan}\n", "weights.forbidden: Input should be a finite number"),
    ("weights: {forbidden: -1}\n", "weights.forbidden: Input should be greater than or equal to 0"),
    ("weights: {forbidden: .inf}\n", "weights.forbidden: Input should be a finite number"),
    ("forbidden: {points: {error: .nan}}\n", "forbidden.points.error: Input should be a finite number"),
    # weight x points overflowed to infinity, written as "points": null (hostile probe, s56)
    ("weights: {forbidden: 1e308}\n", "weights.forbidden: Input should be less than or equal to 1000000"),
    ("rules:\n  - {id: PL001, kind: honorific, name: x, description: x, points: 1e308}\n",
     "Input should be less than or equal to 1000000"),
])
def test_a_profile_value_that_would_crash_or_void_the_score_is_refused(tmp_path, extra, reason) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nname: p\nextends: hotline\n" + extra, encoding="utf-8")
    with pytest.raises(ProfileError, match=reason):
        load_profile(path)


@posix
def test_a_named_pipe_is_never_opened_for_reading(tmp_path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    (tmp_path / "p.yaml").write_text(f"version: 1\nname: p\nextends: {fifo}\n", encoding="utf-8")
    (tmp_path / "t.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    result = run_cli("score", str(tmp_path / "t.jsonl"), "--profile", str(tmp_path / "p.yaml"), timeout=30)
    assert result.returncode == 2 and b"not a regular file" in result.stderr
    (tmp_path / "scriptcheck.toml").write_text(f'baseline = "{fifo}"\n', encoding="utf-8")
    (tmp_path / "r.txt").write_text("您好\n", encoding="utf-8")
    result = run_cli("lint", "--config", str(tmp_path / "scriptcheck.toml"), str(tmp_path / "r.txt"), timeout=30)
    assert result.returncode == 2 and b"not a regular file" in result.stderr


@pytest.mark.parametrize("toml, reason", [
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("x = " + "9" * 5000 + "\n", "4300 digits"),
    ('[kinds]\ngreeting = "a{0,4294967296}"\n', "repetition number is too large"),
    ('[kinds]\ngreeting = ""\n', "empty regex matches every template"),
])
def test_a_configuration_that_would_crash_or_match_everything_is_refused(tmp_path, toml, reason) -> None:
    path = tmp_path / "scriptcheck.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=reason):
        load_config(str(path))


def test_a_codec_that_is_no_text_encoding_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "t.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    result = run_cli("score", str(tmp_path / "t.jsonl"), "--encoding", "rot13", timeout=60)
    assert result.returncode == 2 and b"not a text encoding" in result.stderr and b"Traceback" not in result.stderr


def test_a_file_that_is_no_profile_is_named_not_printed(tmp_path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("".join(f"user{i}:$6$secrethash{i}:20228:0:99999:7:::\n" for i in range(30)), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(secret)
    assert str(caught.value).count("\n") == 0 and "secrethash" not in str(caught.value)
    assert "not a scriptcheck data file" in str(caught.value)


def test_validation_problems_are_listed_up_to_twenty(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nname: p\n" + "".join(f"unknown{i}: 1\n" for i in range(50)), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 21 and lines[-1].endswith("… and 30 more problems")


@pytest.mark.parametrize("kind, option", [("lexicon", "--lexicon"), ("profile", "--profile"), ("config", "--config")])
def test_an_output_never_overwrites_a_lexicon_profile_or_configuration_the_run_reads(tmp_path, kind, option) -> None:
    data = {"lexicon": "version: 1\nname: mine\nkind: forbidden\nentries:\n  - id: XM901\n    name: m\n"
                       "    category: 喝斥\n    description: 测试\n    phrases: [你走开]\n",
            "profile": "version: 1\nname: mine\nextends: hotline\n",
            "config": 'profile = "hotline"\n'}[kind]
    target = tmp_path / ("mine.toml" if kind == "config" else "mine.yaml")
    target.write_text(data, encoding="utf-8")
    (tmp_path / "t.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    for out in ("-o", "--errors"):
        result = run_cli("score", str(tmp_path / "t.jsonl"), option, str(target), out, str(target), timeout=60)
        assert result.returncode == 2 and b"is also an input" in result.stderr
        assert target.read_text(encoding="utf-8") == data


@pytest.mark.parametrize("change, reason", [
    ({"score": float("nan")}, "not a finite number"),
    ({"findings": "abc"}, "findings: Input should be a valid list"),
    ({"score": "abc"}, "score: Input should be a valid number"),
])
def test_report_rejects_a_results_record_that_is_no_score_report(tmp_path, change, reason) -> None:
    scored = tmp_path / "s.jsonl"
    (tmp_path / "t.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert run_cli("score", str(tmp_path / "t.jsonl"), "-q", "--format", "jsonl", "-o", str(scored)).returncode in (0, 1)
    report = json.loads(scored.read_text(encoding="utf-8"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(report) + "\n" + json.dumps({**report, **change}) + "\n", encoding="utf-8")
    result = run_cli("report", "--strict", str(bad), "-o", str(tmp_path / "r.html"), timeout=60)
    assert result.returncode == 2 and b"Traceback" not in result.stderr and not (tmp_path / "r.html").exists()
    assert f"bad.jsonl:2: not a valid score report".encode() in result.stderr and reason.encode() in result.stderr
    # Without --strict the record is named, counted and left out, and the page is written.
    result = run_cli("report", str(bad), "-o", str(tmp_path / "r.html"), timeout=60)
    assert result.returncode == 0 and (tmp_path / "r.html").exists()
    assert b"scriptcheck: rejected: " in result.stderr and reason.encode() in result.stderr
    assert b"results read 2 = shown 1 + rejected 1" in result.stderr


def test_aiml_blocks_left_open_are_an_error_naming_the_one_left_open() -> None:
    # Unclosed <category>, <li> and <think> tags: each lazy regex of the old reader scanned to the
    # end from every one of them (quadratic), and the file was read as if it were whole. An XML
    # parser reads AIML now: such a file is not well-formed, and the error says where and why.
    from scriptcheck.errors import InputError
    from scriptcheck.templates.sources import parse_templates

    text = ("<aiml>\n" + "<category>" * 3000 + "<category><pattern>HI</pattern><template><random><li>您好"
            "<think><set name=\"x\">1</set></think></li>" + "<li>" * 500 + "<li>再见<think>没关</li></random>"
            "</template></category><category><pattern>BYE</pattern><template>慢走<srai>X</srai></template>"
            "</category></aiml>")
    with pytest.raises(InputError) as caught:
        parse_templates("t.aiml", text)
    assert str(caught.value) == ("t.aiml:2: invalid AIML, not well-formed XML: mismatched tag (column 32114); "
                                 "<think> opened on line 2 is not closed")


def test_a_call_time_that_is_no_finite_number_is_no_time(tmp_path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("id,speaker,text,start,end\nc1,agent,您好,0,inf\nc2,agent,您好,0,1e999999\nc3,agent,您好,0,1\n",
                        encoding="utf-8")
    assert _reasons(_read(csv_path)) == ["not a number: 'inf'", "not a number: '1e999999'", None]
    scored = tmp_path / "o.jsonl"
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"id": "c", "duration": NaN, "turns": [{"speaker": "customer", "text": "你好", "start": 0, '
                     '"end": 1}]}\n', encoding="utf-8")
    run_cli("score", str(jsonl), "--format", "jsonl", "-q", "-o", str(scored), timeout=60)
    report = json.loads(scored.read_text(encoding="utf-8"))
    assert not any("nan" in f["message"] for f in report["findings"])  # was "nan s of silence"


@pytest.mark.parametrize("value", ["nan", "-1", "150"])
def test_fail_under_must_be_a_score(tmp_path, value) -> None:
    (tmp_path / "t.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    result = run_cli("score", str(tmp_path / "t.jsonl"), "--fail-under", value, timeout=60)
    assert result.returncode == 2 and b"is not a score from 0 to 100" in result.stderr


def test_a_call_end_too_large_for_a_float_is_no_time(tmp_path) -> None:
    """``math.isfinite`` raises OverflowError on an integer past float's range: a 400-digit
    ``call_end`` in a record's metadata ended the batch with a traceback."""
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"id": "c", "call_end": ' + "9" * 400 + ', "turns": [{"speaker": "agent", "text": "您好", '
                     '"start": 0, "end": 1}]}\n', encoding="utf-8")
    scored = tmp_path / "o.jsonl"
    result = run_cli("score", str(jsonl), "--format", "jsonl", "-q", "-o", str(scored), timeout=60)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json.loads(scored.read_text(encoding="utf-8"))["id"] == "c"


def test_a_txt_metadata_line_is_read_in_linear_time() -> None:
    """The metadata value was a lazy group before ``\\s*$``: every character of a long line of spaces
    retried the line end (60,000 characters took 14 s). Counted, not timed: the regex has no lazy
    repeat, and the value is still stripped."""
    from scriptcheck.io import transcripts

    assert "*?" not in transcripts._TXT_META.pattern
    meta = transcripts._TXT_META.match("# id:  c1 " + " " * 50 + "x")
    assert meta is not None and meta["key"] == "id" and meta["value"].strip() == "c1" + " " * 51 + "x"
