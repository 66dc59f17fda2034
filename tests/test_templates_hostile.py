"""Hostile template inputs for `scriptcheck lint`: readers that stay linear in their input (Rasa
markdown and directive lines with long runs of spaces; AIML tags left open, which are not
well-formed XML and refused as such), values no Unicode text holds (a lone surrogate in a
template, a file name that is not UTF-8, ``Infinity`` in a baseline) and a configuration with
too many globs — each an error of one line, never a traceback, never a hang.

The slow cases are tested by what made them slow, not by a clock: the shape of a regex (a lazy
group before ``\\s*$``)."""

from __future__ import annotations

import fnmatch
import json
import re
from re import _constants as C, _parser

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.errors import InputError
from scriptcheck.limits import MAX_TEMPLATE_CHARS
from scriptcheck.templates import sources, suppress
from scriptcheck.templates.sources import parse_templates


def lint(*args: str):
    return CliRunner().invoke(cli, ["lint", "--isolated", *args])


def _one_line_errors(result, count: int = 1) -> list[str]:
    """The error lines of a run that must have ended with exit 2 and no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == count and all(line.startswith("scriptcheck: error: ") for line in lines), lines
    return lines


# ---------------------------------------------------------------------------- regex shapes

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))
_WHITESPACE = [(C.IN, [(C.CATEGORY, C.CATEGORY_SPACE)])]


def _unbounded_repeats(pattern: str) -> list[tuple[object, list]]:
    """``(opcode, body)`` of each unbounded repeat (``*``, ``+``, ``{n,}``; lazy or not) of ``pattern``."""
    found: list[tuple[object, list]] = []

    def walk(items) -> None:
        for op, av in items:
            if op in _REPEATS:
                _, high, body = av
                if high == C.MAXREPEAT:
                    found.append((op, list(body)))
                walk(body)
            elif op is C.SUBPATTERN:
                walk(av[-1])
            elif op is C.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                walk(av[1])
            elif op is getattr(C, "ATOMIC_GROUP", None):
                walk(av)

    walk(_parser.parse(pattern))
    return found


# ---------------------------------------------------------------------------------- AIML

N = 300
HEAD = "<aiml><category><pattern>HI</pattern><template>"
TAIL = "</template></category></aiml>"
# Each took over 30 s at 30,000 openers (150-330 KB) with the regex reader that AIML had, which
# read them as best it could. An XML parser (expat, linear) reads AIML now, and none of them is
# well-formed XML: each is an input error at its place, naming what is wrong.
MALFORMED_AIML = {
    "get without >": (HEAD + "您好" + "<get " * N + TAIL, 55, "not well-formed (invalid token)"),
    "pattern left open": ("<aiml><category>" + "<pattern>x" * N + "<template>您好" + TAIL, 3042,
                          "mismatched tag (column 3042); <pattern> opened on line 2 is not closed"),
    "template left open": ("<aiml><category><pattern>HI</pattern>" + "<template>x" * N + "</category></aiml>", 3340,
                           "mismatched tag (column 3340); <template> opened on line 2 is not closed"),
    "bare <": (HEAD + "您好" + "<" * N + TAIL, 51, "not well-formed (invalid token)"),
    "think without >": (HEAD + "您好" + "<think " * N + TAIL, 57, "not well-formed (invalid token)"),
    "think left open": (HEAD + "您好" + "<think>" * N + "再见" + TAIL, 2154, "<think> opened on line 2 is not closed"),
    "tags closed by > not />": (HEAD + "您好" + '<get name="x" ' * N + ">再见" + TAIL, 64, "invalid token"),
    "one > after many openers": (HEAD + "您好" + "<get " * N + "/>再见" + TAIL, 55, "invalid token"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_AIML))
def test_aiml_that_is_not_well_formed_is_an_error_at_its_place(case) -> None:
    text, column, reason = MALFORMED_AIML[case]
    with pytest.raises(InputError) as caught:
        parse_templates("t.aiml", "\n" + text)  # on line 2
    message = str(caught.value)
    assert message.startswith("t.aiml:2: invalid AIML, not well-formed XML: ")
    assert f"(column {column})" in message and reason in message
    assert "\n" not in message


def test_many_variables_are_read_in_one_pass() -> None:
    text = HEAD + '您好<get name="x"/>' * N + TAIL
    assert [(t.id, t.text) for t in parse_templates("t.aiml", text).templates] == [("HI", "您好{x}" * N)]


def test_a_malformed_aiml_file_is_one_error_line_and_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad.aiml"
    bad.write_text(MALFORMED_AIML["template left open"][0], encoding="utf-8")
    (line,) = _one_line_errors(lint(str(bad)))
    assert line.startswith(f"scriptcheck: error: {bad}:1: invalid AIML, not well-formed XML: mismatched tag")


# ------------------------------------------------------------------ lines with long space runs

@pytest.mark.parametrize("module, name", [(sources, "_MD_HEADER"), (sources, "_MD_INTENT"),
                                          (sources, "_MD_ITEM"), (suppress, "DIRECTIVE")])
def test_line_patterns_have_no_lazy_group_before_the_line_end(module, name) -> None:
    # ^##\s*(.*?)\s*$ tried \s*$ after every character of the capture: a line with a run of
    # 60,000 spaces inside took 12 s (Rasa responses.md), a directive's reason likewise.
    lazy = [body for op, body in _unbounded_repeats(getattr(module, name).pattern) if op is C.MIN_REPEAT]
    assert lazy == []
    spaces = " " * 300
    md = (f"## utter_a{spaces}b{spaces}\n* faq/x{spaces}y{spaces}\n- 您好{spaces}再见{spaces}\n"
          f"- 您好 # scriptcheck: disable=FB, PL -- 理由{spaces}在此{spaces}\n- {spaces}\n")
    source = parse_templates("responses.md", md)
    assert [(t.id, t.text) for t in source.templates] == [(f"faq/x{spaces}y", f"您好{spaces}再见"),
                                                          (f"faq/x{spaces}y", "您好")]
    assert source.directives[4].codes == ("FB", "PL") and source.directives[4].reason == f"理由{spaces}在此"


# ---------------------------------------------------------------------- lone surrogates

def test_a_template_with_a_lone_surrogate_is_an_error_and_the_others_are_read() -> None:
    text = '{"ok": "您好", "hi": "您好\\ud800你", "\\udc00key": "再见", "pair": "\\ud83d\\ude00您好"}'
    source = parse_templates("t.json", text)
    assert [t.id for t in source.templates] == ["ok", "pair"]
    assert [(e.line, e.field) for e in source.errors] == [(1, "template 'hi'"), (1, "template '\\udc00key'")]
    assert "lone surrogate" in source.errors[0].reason and "text" in source.errors[0].reason
    assert "id holds" in source.errors[1].reason
    yaml_source = parse_templates("t.yaml", 'ok: 您好\nhi: "您好\\ud800"\n"\\udc00k": 再见\n')
    assert [t.id for t in yaml_source.templates] == ["ok"]
    assert [(e.line, e.field) for e in yaml_source.errors] == [(2, "template 'hi'"), (3, "template '\\udc00k'")]


def test_lint_reports_a_lone_surrogate_in_one_line_and_lints_the_rest(tmp_path) -> None:
    bad = tmp_path / "surr.json"
    bad.write_text('{"hi": "您好\\ud800你怎么连这个也不懂", "\\udc00key": "再见", "ok": "你怎么连这个也不懂"}',
                   encoding="utf-8")
    for fmt in ("text", "json", "sarif", "junit", "github"):
        result = lint("--format", fmt, str(bad))
        lines = _one_line_errors(result, 2)
        assert "template 'hi'" in lines[0] and "template '\\udc00key'" in lines[1]
        assert "FB006" in result.stdout  # the template "ok" is linted


def test_a_file_name_that_is_not_utf8_is_written_escaped(tmp_path) -> None:
    # Python reads the name's byte 0xff as the lone surrogate \udcff: JSON and SARIF wrote it raw.
    try:
        (tmp_path / "t\udcff.yaml").write_text("hi: 你怎么连这个也不懂\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses a name that is not UTF-8")
    for fmt in ("json", "sarif"):
        result = lint("--format", fmt, str(tmp_path))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 1 and result.stderr == ""
        doc = json.loads(result.stdout)
        assert "t\udcff.yaml" in json.dumps(doc, ensure_ascii=False) or "t%FF.yaml" in result.stdout


# ------------------------------------------------------------------------- template length

def test_a_template_over_the_length_cap_is_an_error_and_one_at_it_is_read() -> None:
    at, over = "您" * MAX_TEMPLATE_CHARS, "您" * (MAX_TEMPLATE_CHARS + 1)
    source = parse_templates("t.txt", f"好\n{over}\n{at}\n")
    assert [len(t.text) for t in source.templates] == [1, MAX_TEMPLATE_CHARS]
    error, = source.errors
    assert (error.file, error.line, error.field) == ("t.txt", 2, "template 'line 2'")
    assert f"{MAX_TEMPLATE_CHARS + 1:,} characters, more than the {MAX_TEMPLATE_CHARS:,}" in error.reason
    yaml_source = parse_templates("t.yaml", f"ok: 您好\nlong:\n  - 您好\n  - {over}\n")
    assert [t.id for t in yaml_source.templates] == ["ok", "long"]
    assert [(e.line, e.field) for e in yaml_source.errors] == [(4, "template 'long[1]'")]


def test_lint_skips_a_template_over_the_cap_with_one_error_and_lints_the_rest(tmp_path, monkeypatch) -> None:
    # One line of 你笨 as long as a 3 MB file took over a minute and 1.3 GB: a template over the
    # cap is never handed to the checker (counted here), whatever it holds.
    from scriptcheck.templates.lint import Linter

    scored: list[int] = []
    findings_of = Linter.findings_of
    monkeypatch.setattr(Linter, "findings_of", lambda self, t, kind: scored.append(len(t.text)) or findings_of(self, t, kind))
    path = tmp_path / "t.txt"
    path.write_text("你怎么连这个也不懂\n" + "你笨" * (MAX_TEMPLATE_CHARS // 2 + 1) + "\n您好\n", encoding="utf-8")
    for fmt in ("text", "json"):
        scored.clear()
        result = lint("--format", fmt, str(path))
        line, = _one_line_errors(result)
        assert line.startswith(f"scriptcheck: error: {path}:2: template 'line 2': {MAX_TEMPLATE_CHARS + 2:,} characters")
        assert scored == [9, 2]
        assert "FB006" in result.stdout and "FB048" not in result.stdout


# ---------------------------------------------------------------------------------- baseline

@pytest.mark.parametrize("count", ["Infinity", "-Infinity", "1e400", "NaN"])
def test_a_baseline_count_that_is_no_integer_is_one_error_naming_the_field(tmp_path, count) -> None:
    baseline = tmp_path / "bl.json"
    baseline.write_text('{"findings": [{"file": "a", "template": "b", "rule": "c", "text": "d", "count": %s}]}'
                        % count, encoding="utf-8")
    (tmp_path / "t.txt").write_text("您好\n", encoding="utf-8")
    line, = _one_line_errors(lint("--baseline", str(baseline), str(tmp_path / "t.txt")))
    assert str(baseline) in line and "findings[0].count" in line


# ------------------------------------------------------------------------------ configuration

def test_too_many_globs_are_one_configuration_error(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.txt").write_text("您好\n", encoding="utf-8")
    globs = ", ".join(f'"*x{i}[a-z]*"' for i in range(1001))
    (tmp_path / "a.toml").write_text(f"exclude = [{globs}]\n", encoding="utf-8")
    line, = _one_line_errors(CliRunner().invoke(cli, ["lint", "--config", "a.toml", "t.txt"]))
    assert "a.toml" in line and "exclude" in line and "1,001 globs" in line
    (tmp_path / "b.toml").write_text("[per-file-ignores]\n" + "".join(f'"*x{i}" = ["PL"]\n' for i in range(1001)),
                                     encoding="utf-8")
    line, = _one_line_errors(CliRunner().invoke(cli, ["lint", "--config", "b.toml", "t.txt"]))
    assert "b.toml" in line and "per-file-ignores" in line


def test_globs_and_kind_regexes_are_compiled_once_not_per_file(tmp_path, monkeypatch) -> None:
    # Matched one by one through fnmatch, whose cache holds 32,768, 60,000 globs were compiled
    # again for every file (10 files: 28 s); re.search(pattern, id) of each kind likewise past
    # re's cache of 512.
    from scriptcheck.templates.config import load_config

    monkeypatch.chdir(tmp_path)
    globs = [f"*x{i}[a-z]*" for i in range(300)] + ["drafts/*"]
    kinds = {f"k{i}": f"^zz{i}_" for i in range(300)} | {"closing": "^bye"}
    (tmp_path / "scriptcheck.toml").write_text(
        "exclude = [" + ", ".join(json.dumps(g) for g in globs) + "]\n"
        "[per-file-ignores]\n" + "".join(f"{json.dumps(g)} = [\"PL\"]\n" for g in globs)
        + "[kinds]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in kinds.items()), encoding="utf-8")
    config = load_config()
    per_file, per_glob, compiled = [], [], []
    monkeypatch.setattr(fnmatch, "fnmatch", lambda *a: per_file.append(a) or False)
    monkeypatch.setattr(fnmatch, "fnmatchcase", lambda *a: per_file.append(a) or False)
    translate, search, compile_ = fnmatch.translate, re.search, re.compile
    monkeypatch.setattr(fnmatch, "translate", lambda p: per_glob.append(p) or translate(p))
    monkeypatch.setattr(re, "search", lambda p, *a, **k: compiled.append(p) or search(p, *a, **k))
    monkeypatch.setattr(re, "compile", lambda p, *a, **k: compiled.append(p) or compile_(p, *a, **k))
    files = [f"dir{i}/t{i}.yaml" for i in range(30)]
    assert [config.excluded(f) for f in files] == [False] * 30
    assert config.excluded("drafts/x.yaml") and config.file_ignores("drafts/x.yaml") == ["PL"]
    assert [config.file_ignores(f) for f in files] == [[]] * 30
    assert [config.kind_for(f"bye_{i}") for i in range(30)] == ["closing"] * 30
    assert per_file == []
    assert len(per_glob) <= 2 * len(globs)  # each glob of exclude and per-file-ignores once
    assert sum(1 for p in compiled if p in kinds.values()) <= len(kinds)
