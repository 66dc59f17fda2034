"""Configuration (select/ignore, severity, per-file-ignores, kinds, per-kind-ignores, exclude), inline
suppression and the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scriptcheck.templates.config import find_config, load_config, rule_selected
from tests.test_templates_repo import lint, make_repo

BAD = "你怎么连这个也不懂\n大点声，听不见\n"


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.txt").write_text(BAD, encoding="utf-8")
    return tmp_path


def _codes(output: str) -> list[str]:
    return [line.split(" ")[1] for line in output.splitlines()]


def test_nearest_config_wins_and_scriptcheck_toml_beats_pyproject(tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.scriptcheck]\nignore = ["PL"]\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")  # no table
    monkeypatch.chdir(deep)
    assert find_config() == tmp_path / "pyproject.toml"
    assert load_config().data.ignore == ["PL"]
    (tmp_path / "scriptcheck.toml").write_text('ignore = ["FB"]\n', encoding="utf-8")
    assert load_config().data.ignore == ["FB"]
    assert load_config(search=False).path is None


def test_unknown_key_is_an_error(work) -> None:
    (work / "scriptcheck.toml").write_text('selekt = ["FB"]\n', encoding="utf-8")
    result = lint("r.txt")
    assert result.exit_code == 2 and "selekt" in result.output


@pytest.mark.parametrize(("rule", "select", "ignore", "expected"), [
    ("FB006", [], [], True),
    ("FB006", ["FB"], [], True),
    ("PL001", ["FB"], [], False),
    ("FB033", ["FB"], ["FB033"], False),
    ("FB033", ["FB033"], ["FB"], True),      # the more specific entry decides
    ("FB006", ["FB"], ["FB"], False),        # a tie ignores
])
def test_rule_selection(rule, select, ignore, expected) -> None:
    assert rule_selected(rule, select, ignore) is expected


def test_select_and_ignore_from_config_and_cli(work) -> None:
    assert _codes(lint("r.txt").stdout) == ["FB006", "PL001", "FB003"]
    (work / "scriptcheck.toml").write_text('select = ["FB"]\nignore = ["FB003"]\n', encoding="utf-8")
    assert _codes(lint("r.txt").stdout) == ["FB006"]
    assert _codes(lint("--select", "PL", "r.txt").stdout) == ["PL001"]
    assert _codes(lint("--ignore", "FB006", "r.txt").stdout) == []
    assert _codes(lint("--isolated", "r.txt").stdout) == ["FB006", "PL001", "FB003"]


def test_severity_override_and_fail_on(work) -> None:
    (work / "scriptcheck.toml").write_text('select = ["PL"]\nseverity = {PL001 = "error"}\n', encoding="utf-8")
    result = lint("r.txt")
    assert result.stdout.startswith("r.txt:1:1: PL001 [error] ") and result.exit_code == 1
    (work / "scriptcheck.toml").write_text('select = ["PL"]\nfail-on = "critical"\nseverity = {PL = "error"}\n',
                                           encoding="utf-8")
    assert lint("r.txt").exit_code == 0
    assert lint("--fail-on", "warning", "r.txt").exit_code == 1


def test_per_file_ignores_and_exclude(work) -> None:
    (work / "legacy").mkdir()
    (work / "legacy" / "old.txt").write_text(BAD, encoding="utf-8")
    (work / "drafts.txt").write_text("滚\n", encoding="utf-8")
    (work / "scriptcheck.toml").write_text(
        'exclude = ["drafts.txt"]\n[per-file-ignores]\n"legacy/*.txt" = ["FB", "PL001"]\n', encoding="utf-8")
    result = lint("r.txt", "legacy/old.txt", "drafts.txt")
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"r.txt"}
    assert "legacy" not in lint(".").stdout


def test_kinds_by_id_convention(work) -> None:
    (work / "t.yaml").write_text("bye_short: 好的。\nother: 好的。\n", encoding="utf-8")
    assert _codes(lint("t.yaml").stdout) == []
    (work / "scriptcheck.toml").write_text('[kinds]\nclosing = "^(bye|closing)_"\n', encoding="utf-8")
    assert _codes(lint("t.yaml").stdout) == ["TP001", "TP002"]


def test_per_kind_ignores_switch_codes_off_for_one_kind_only(work) -> None:
    (work / "t.yaml").write_text("utter_ask_joke: 你怎么连这个也不懂\nutter_reply: 你怎么连这个也不懂\n", encoding="utf-8")
    assert _codes(lint("t.yaml").stdout) == ["FB006", "PL001", "FB006", "PL001"]
    (work / "scriptcheck.toml").write_text(
        '[kinds]\nsmalltalk = "joke"\n[per-kind-ignores]\nsmalltalk = ["FB"]\n', encoding="utf-8")
    result = lint("t.yaml")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["t.yaml:1:17:", "PL001"], ["t.yaml:2:14:", "FB006"], ["t.yaml:2:14:", "PL001"]]
    # a kind named only to switch rules off is no unknown kind
    assert "unknown kind" not in result.output


def test_per_kind_ignores_make_no_kind_unknown_under_a_profile_without_kind_rules(work) -> None:
    # the base profile has no template-kind rule: it knows no kinds and warns of none
    (work / "t.yaml").write_text("a: {text: 好的。, kind: closing}\n", encoding="utf-8")
    (work / "scriptcheck.toml").write_text('profile = "base"\n[per-kind-ignores]\nsmalltalk = ["FB900"]\n',
                                           encoding="utf-8")
    result = lint("t.yaml")
    assert result.exit_code == 0 and "unknown kind" not in result.output
    (work / "scriptcheck.toml").write_text('[per-kind-ignores]\nsmalltalk = ["FB900"]\n', encoding="utf-8")
    (work / "t.yaml").write_text("a: {text: 好的。, kind: closng}\n", encoding="utf-8")
    assert "unknown kind 'closng'" in lint("t.yaml").output  # the template profile still warns


def test_unknown_kind_is_warned_about(work) -> None:
    (work / "t.yaml").write_text("a: {text: 好的。, kind: closng}\n", encoding="utf-8")
    result = lint("t.yaml")
    assert result.exit_code == 0 and "unknown kind 'closng'" in result.output


# ------------------------------------------------------------------------------ suppression

def test_inline_suppression_same_line_line_above_and_prefix(work) -> None:
    (work / "t.yaml").write_text(
        "a: 大点声，听不见  # scriptcheck: disable=FB003 -- 客户原话\n"
        "# scriptcheck: disable=FB,PL\n"
        "b: 你怎么连这个也不懂\n"
        "c: 你怎么连这个也不懂  # scriptcheck: disable=PL001\n", encoding="utf-8")
    result = lint("t.yaml")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["t.yaml:4:4:", "FB006"]]


def test_suppression_above_the_key_covers_a_block_scalar(work) -> None:
    (work / "t.yaml").write_text(
        "# scriptcheck: disable=FB006 -- training material\n"
        "quote: |\n"
        "  客户说：\n"
        "  你怎么连这个也不懂\n", encoding="utf-8")
    assert "FB006" not in lint("t.yaml").stdout


def test_suppressed_findings_keep_their_reason_in_sarif(work) -> None:
    (work / "t.yaml").write_text("a: 大点声，听不见  # scriptcheck: disable=FB003 -- 客户原话\n", encoding="utf-8")
    result = lint("--format", "sarif", "t.yaml")
    assert result.exit_code == 0
    [res] = json.loads(result.stdout)["runs"][0]["results"]
    assert res["ruleId"] == "FB003"
    assert res["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "客户原话"}]


# -------------------------------------------------------------------------------- baseline

def test_baseline_adopts_existing_findings_and_fails_only_on_new_ones(tmp_path, monkeypatch) -> None:
    repo = make_repo(tmp_path)
    monkeypatch.chdir(repo)
    assert lint(".").exit_code == 1
    written = lint("--baseline", "baseline.json", "--write-baseline", ".")
    assert written.exit_code == 0 and "wrote" in written.output
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert {"file", "template", "rule", "text", "count"} <= set(data["findings"][0])
    assert not any("line" in e for e in data["findings"])
    clean = lint("--baseline", "baseline.json", ".")
    assert clean.exit_code == 0 and clean.stdout == ""

    # Edits elsewhere move every line down; a new bad template is the only finding.
    yaml = repo / "replies.yaml"
    yaml.write_text("new.one: 爱买不买\n# a comment\n" + yaml.read_text(encoding="utf-8"), encoding="utf-8")
    result = lint("--baseline", "baseline.json", ".")
    assert result.exit_code == 1
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["replies.yaml:1:10:", "FB029"]]


def test_baseline_counts_identical_findings(work) -> None:
    lint("--baseline", "b.json", "--write-baseline", "r.txt")
    (work / "r.txt").write_text(BAD + "你怎么连这个也不懂\n", encoding="utf-8")  # same text again
    result = lint("--baseline", "b.json", "r.txt")
    # a plain-text reply's text is its id: the repeated line is the same template, found twice
    assert _codes(result.stdout) == ["FB006", "PL001"] and result.stdout.startswith("r.txt:3:1:")


def test_baseline_in_sarif_is_an_external_suppression(work) -> None:
    lint("--baseline", "b.json", "--write-baseline", "r.txt")
    results = json.loads(lint("--baseline", "b.json", "--format", "sarif", "r.txt").stdout)["runs"][0]["results"]
    assert results and all(r["suppressions"][0]["kind"] == "external" for r in results)
    assert all(r["baselineState"] == "unchanged" for r in results)


def test_missing_baseline_is_an_input_error(work) -> None:
    result = lint("--baseline", "nope.json", "r.txt")
    assert result.exit_code == 2 and "--write-baseline" in result.output
    assert lint("--write-baseline", "r.txt").exit_code == 2
