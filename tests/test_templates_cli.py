"""`scriptcheck lint` output formats (text, json, sarif, github, junit), exit codes, rule docs,
the template profile and the pre-commit hook manifest."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.templates.writers import escape_data, escape_property
from tests.test_templates_repo import lint, repo  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def test_text_format(repo) -> None:  # noqa: F811
    result = lint("faq.txt")
    assert result.stdout.splitlines() == [
        "faq.txt:2:1: FB006 [error] 质问客户“怎么连这个也不懂” (没关系，我再为您详细解释一遍。)",
        "faq.txt:2:1: PL001 [warning] 对客户称“你”而不是“您” (把“你”改为“您”。)",
        "faq.txt:7:4: TP102 [error] 占位符写法有误: '{{name}' (使用 {name}、{{ name }}、${name} 或 %(name)s)",
    ]


def test_json_format(repo) -> None:  # noqa: F811
    records = json.loads(lint("--format", "json", "replies.yaml").stdout)
    blunt = [r for r in records if r["template"] == "refuse.blunt"]
    assert [(r["rule"], r["line"], r["col"], r["kind"]) for r in blunt] == [
        ("TP005", 14, 22, "refusal"), ("TP006", 14, 22, "refusal"), ("FB007", 14, 30, "refusal")]
    fb = blunt[2]
    assert fb["text"] == "规定，我也没办法" and fb["end_line"] == 14 and fb["end_col"] == 37
    assert fb["start"] == 8 and fb["end"] == 16 and len(fb["fingerprint"]) == 32
    assert blunt[0]["start"] is None and blunt[0]["text"] == ""


def test_sarif_is_valid_2_1_0(repo) -> None:  # noqa: F811
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not present at {SARIF_SCHEMA}")
    import jsonschema

    result = lint("--format", "sarif", ".")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["FB006"]["shortDescription"]["text"] and rules["TP001"]["fullDescription"]["text"]
    assert "helpUri" not in rules["FB006"]
    assert run["columnKind"] == "unicodeCodePoints"
    for res in run["results"]:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    fb006 = next(r for r in run["results"] if r["ruleId"] == "FB006"
                 and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "faq.txt")
    assert fb006["level"] == "error"
    assert fb006["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 10, "snippet": {"text": "你怎么连这个也不懂"}}
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert {r["ruleId"] for r in suppressed} == {"FB003", "PL001"}


def test_github_annotations(repo) -> None:  # noqa: F811
    lines = lint("--format", "github", "domain.yml").stdout.splitlines()
    assert lines[0] == ("::warning file=domain.yml,line=9,col=14,endLine=9,endColumn=14,title=TP008::"
                        "[warning] greeting template: 问候语模板没有主动询问需求 (no offer-help phrase) (请问有什么可以帮您？)")
    assert lines[1].startswith("::notice file=domain.yml,line=9,col=14,endLine=9,endColumn=15,title=PL002::")
    assert lines[2].startswith("::error file=domain.yml,line=9,col=17,")
    pattern = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                         r"title=[A-Z]{2}\d{3}::[^\r\n]+$")
    assert all(pattern.match(line) for line in lines)


def test_github_escaping() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("dir,x/a:b.yaml") == "dir%2Cx/a%3Ab.yaml"
    assert escape_property("100%\n") == "100%25%0A"


def test_github_escapes_paths_and_messages(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b:c.txt").write_text("您好,请问有什么可以帮您？\n", encoding="utf-8")
    out = lint("--format", "github", "--isolated", "a,b:c.txt").stdout
    assert out.startswith("::notice file=a%2Cb%3Ac.txt,line=1,col=3,")


def test_junit_parses_and_counts(repo) -> None:  # noqa: F811
    result = lint("--format", "junit", "faq.txt", "domain.yml", "missing.yaml")
    assert result.exit_code == 2
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"faq.txt", "domain.yml", "missing.yaml"}
    faq = suites["faq.txt"]
    assert faq.get("tests") == "6" and faq.get("failures") == "2"
    failing = [c.get("name") for c in faq.iter("testcase") if c.find("failure") is not None]
    assert failing == ["line 2", "line 7"]
    domain = suites["domain.yml"]
    # only errors fail at the default --fail-on error; warnings go to system-out
    assert domain.get("failures") == "1"
    assert any(c.find("system-out") is not None for c in domain.iter("testcase"))
    assert suites["missing.yaml"].find("testcase/error") is not None
    assert root.get("errors") == "1"


def test_input_error_exits_2_and_other_files_are_still_linted(repo) -> None:  # noqa: F811
    (repo / "broken.yaml").write_text("a: [1,\n", encoding="utf-8")
    result = lint("broken.yaml", "faq.txt")
    assert result.exit_code == 2
    assert "broken.yaml:2: invalid YAML" in result.output and "faq.txt:2:1: FB006" in result.stdout


def test_output_file(repo) -> None:  # noqa: F811
    result = lint("--format", "sarif", "-o", "out.sarif", "faq.txt")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((repo / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_stdin_is_plain_text(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--isolated", "-"], input="您好\n滚\n")
    assert result.exit_code == 1 and result.stdout.startswith("-:2:1: FB039 [critical] ")


def test_rule_docs_for_template_rules() -> None:
    runner = CliRunner()
    for code in ("TP001", "TP006", "TP101", "TP104"):
        result = runner.invoke(cli, ["rule", code])
        assert result.exit_code == 0 and "template" in result.output and "What it does" in result.output


def test_template_profile_examples_pass() -> None:
    result = CliRunner().invoke(cli, ["profile", "test", "template"])
    assert result.exit_code == 0, result.output


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "scriptcheck" and hook["entry"] == "scriptcheck lint" and hook["language"] == "python"
    assert {"id", "name", "entry", "language"} <= set(hook)
    files = re.compile(hook["files"])
    for name in ("templates/a.yaml", "b.yml", "c.json", "d.txt"):
        assert files.search(name)
    for name in ("e.py", "f.toml", "g.jsonl"):
        assert not files.search(name)
