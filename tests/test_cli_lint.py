"""`scriptcheck lint`, `rule`, `rules`, `lexicon test`: output formats and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def replies(tmp_path):
    path = tmp_path / "replies.txt"
    path.write_text("您好，请问有什么可以帮您？\n\n你怎么连这个也不懂\n好的，这就为您处理。爱买不买\n", encoding="utf-8")
    return path


def test_text_output_and_exit_1(runner, replies) -> None:
    result = runner.invoke(cli, ["lint", str(replies)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{replies}:3:1: FB006 ")
    assert "(" in lines[0] and lines[0].endswith(")")  # the suggestion
    assert any(line.startswith(f"{replies}:4:") for line in lines)


def test_json_output(runner, replies) -> None:
    result = runner.invoke(cli, ["lint", "--format", "json", str(replies)])
    assert result.exit_code == 1
    records = json.loads(result.output)
    first = records[0]
    assert first["file"] == str(replies) and first["line"] == 3
    assert set(first) >= {"rule", "category", "severity", "start", "end", "text", "message", "suggestion"}
    line3 = replies.read_text(encoding="utf-8").split("\n")[2]
    assert line3[first["start"]:first["end"]] == first["text"]


def test_clean_file_exits_0(runner, tmp_path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("您好，请问有什么可以帮您？\n感谢您的来电，再见。\n", encoding="utf-8")
    result = runner.invoke(cli, ["lint", str(path)])
    assert result.exit_code == 0 and result.output == ""


def test_fail_on_threshold(runner, tmp_path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("你怎么连这个也不懂\n", encoding="utf-8")
    assert runner.invoke(cli, ["lint", "--fail-on", "critical", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["lint", "--fail-on", "warning", str(path)]).exit_code == 1


def test_missing_file_exits_2(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["lint", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "nope.txt" in result.output and "no such file" in result.output


def test_usage_error_exits_2(runner) -> None:
    assert runner.invoke(cli, ["lint", "--format", "xml", "x.txt"]).exit_code == 2


def test_gbk_reply_file(runner, tmp_path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("你怎么连这个也不懂\n".encode("gbk"))
    result = runner.invoke(cli, ["lint", str(path)])
    assert result.exit_code == 1 and "FB006" in result.output


def test_rule_doc(runner) -> None:
    result = runner.invoke(cli, ["rule", "FB006"])
    assert result.exit_code == 0
    for heading in ("What it does", "Why is this bad?", "Example (flagged)", "Use instead"):
        assert heading in result.output
    assert runner.invoke(cli, ["rule", "ZZ999"]).exit_code == 2


def test_rule_doc_for_transcript_rules(runner) -> None:
    result = runner.invoke(cli, ["rule", "RQ004"])
    assert result.exit_code == 0 and "ask-anything-else" in result.output


def test_rules_lists_codes(runner) -> None:
    result = runner.invoke(cli, ["rules"])
    assert result.exit_code == 0 and "FB001" in result.output and "PL001" in result.output


def test_lexicon_test_reports_per_rule(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["lexicon", "test"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith(" 0 failed")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\nkind: forbidden\nentries:\n  - id: FB900\n    name: x\n"
                   "    category: 喝斥\n    description: x\n    phrases: [爱买不买]\n"
                   "    specs: {match: [欢迎光临], no_match: []}\n", encoding="utf-8")
    result = runner.invoke(cli, ["lexicon", "test", str(bad)])
    assert result.exit_code == 1 and "FB900 FAIL" in result.output


def _tone_copy(tmp_path, monkeypatch, old: str, new: str) -> None:
    """The packaged tone model copied with one edit, made the one `lexicon test` reads."""
    import shutil

    from scriptcheck.lexicon import tone

    for name in ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(tone.default_tone_path().parent / name, tmp_path / name)
    path = tmp_path / "tone.yaml"
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setattr(tone, "default_tone_path", lambda: path)


def test_lexicon_test_runs_the_tone_models_examples(runner, tmp_path, monkeypatch) -> None:
    # without files the packaged tone model's examples are run too; with files, only the files
    result = runner.invoke(cli, ["lexicon", "test"])
    assert "tone model" in result.output and "FB900 pass" in result.output
    _tone_copy(tmp_path, monkeypatch, "  no_match:\n", "  no_match:\n    - 你脑子有问题吧\n")
    result = runner.invoke(cli, ["lexicon", "test"])
    assert result.exit_code == 1, result.output
    assert "FB900 FAIL" in result.output and "expected no_match: 你脑子有问题吧" in result.output
    from scriptcheck.resources import defaults_dir
    result = runner.invoke(cli, ["lexicon", "test", str(defaults_dir() / "chatbot.yaml")])
    assert result.exit_code == 0 and "tone model" not in result.output


def test_lexicon_test_rejects_a_broken_tone_model_in_one_line(runner, tmp_path, monkeypatch) -> None:
    _tone_copy(tmp_path, monkeypatch, "  - id: plain_words\n    pattern: '", "  - id: plain_words\n    pattern: '(a+)+")
    result = runner.invoke(cli, ["lexicon", "test"])
    assert result.exit_code == 2
    # the lexicons' per-rule lines, then the model's error as one line naming the clause
    last = result.output.strip().splitlines()[-1]
    assert "tone.yaml" in last and "neutral" in last and "FB900" not in result.output
