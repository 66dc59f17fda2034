"""The example template repository (corpora/templates: YAML, JSON, TXT, a Rasa domain and a
scriptcheck.toml): lint output in every source format, with exact lines and columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli

TEMPLATES = Path(__file__).resolve().parent.parent / "corpora" / "templates"


def make_repo(root: Path) -> Path:
    """A copy of corpora/templates (tests write baselines and edit files in it)."""
    repo = root / "templates"
    shutil.copytree(TEMPLATES, repo)
    return repo


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """The example repository as the current directory (so its scriptcheck.toml applies)."""
    path = make_repo(tmp_path)
    monkeypatch.chdir(path)
    return path


def lint(*args: str):
    """Run ``scriptcheck lint`` in-process."""
    return CliRunner().invoke(cli, ["lint", *args])


EXPECTED = {
    "replies.yaml": """\
replies.yaml:6:13: TP007 [warning]
replies.yaml:6:13: TP008 [warning]
replies.yaml:6:13: FB800 [error]
replies.yaml:9:5: TP004 [warning]
replies.yaml:11:12: TP001 [warning]
replies.yaml:14:22: TP005 [warning]
replies.yaml:14:22: TP006 [warning]
replies.yaml:14:30: FB007 [error]
replies.yaml:17:18: TP101 [error]
replies.yaml:24:5: FB006 [error]
replies.yaml:24:5: PL001 [warning]
replies.yaml:24:15: FB027 [error]
replies.yaml:25:10: TP103 [warning]
replies.yaml:26:12: TP104 [info]
replies.yaml:27:17: PL001 [warning]
replies.yaml:30:24: FB033 [error]
""",
    "domain.yml": """\
domain.yml:9:14: TP008 [warning]
domain.yml:9:14: PL002 [info]
domain.yml:9:17: FB045 [error]
domain.yml:12:13: TP001 [warning]
domain.yml:16:13: TP006 [warning]
""",
    "replies.json": """\
replies.json:3:20: PL002 [info]
replies.json:4:33: TP001 [warning]
replies.json:5:28: TP006 [warning]
replies.json:6:29: FB006 [error]
replies.json:6:29: PL001 [warning]
""",
    "faq.txt": """\
faq.txt:2:1: FB006 [error]
faq.txt:2:1: PL001 [warning]
faq.txt:7:4: TP102 [error]
""",
}


def _heads(output: str) -> str:
    """``file:line:col: CODE [severity]`` of every output line (messages are tested elsewhere)."""
    return "".join(" ".join(line.split(" ")[:3]) + "\n" for line in output.splitlines())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_point_at_the_source(repo, name) -> None:
    result = lint(name)
    assert result.exit_code == 1, result.output
    assert _heads(result.stdout) == EXPECTED[name]


def test_positions_hit_the_reported_text(repo) -> None:
    """For every finding with a span in an unescaped source, the reported line:col starts
    the matched text in the file."""
    import json

    records = json.loads(lint("--format", "json", "replies.yaml", "domain.yml", "faq.txt").stdout)
    assert records
    for r in records:
        if not r["text"]:
            continue
        line = (repo / r["file"]).read_text(encoding="utf-8").split("\n")[r["line"] - 1]
        assert line[r["col"] - 1:].startswith(r["text"][0]), r


def test_whole_repository_and_directory_walk(repo) -> None:
    result = lint(".")
    assert result.exit_code == 1
    files = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert files == {"domain.yml", "faq.txt", "replies.json", "replies.yaml"}
    assert "FB003" not in result.stdout  # suppressed inline in replies.yaml and faq.txt


def test_rasa_buttons_and_other_keys_are_not_templates(repo) -> None:
    from scriptcheck.templates.sources import read_templates

    source = read_templates("domain.yml")
    assert source.format == "rasa"
    assert [t.label for t in source.templates] == [
        "utter_greet[0]", "utter_greet[1]", "utter_goodbye[0]", "utter_goodbye[1]", "utter_wait[0]",
        "utter_cannot_help[0]", "utter_order_status[0]"]
    assert source.templates[5].kind == "refusal"
