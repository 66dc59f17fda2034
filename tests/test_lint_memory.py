"""What `scriptcheck lint` keeps while it runs (hostile probe F5: a file of 600,000 one-line
replies each with a finding took 2.6 GB, about 4.5 KB a template, and printed nothing until
the end).

A finding keeps plain fields, not the checker's pydantic model nor the template read from the
source (which holds a source offset for every character); the text and github formats are
written as the results come (a file, or a thousand templates, at a time) and not kept, with
the output, baseline marks and exit code of a whole run. Memory is measured with tracemalloc
on a few hundred templates, never a clock."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from collections import Counter

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from scriptcheck.cli import cli
from scriptcheck.models import Severity
from scriptcheck.templates import lint as lint_module
from scriptcheck.templates.baseline import Baseline
from scriptcheck.templates.config import ConfigFile, LintConfig
from scriptcheck.templates.lint import LintedTemplate, LintFinding, Linter
from scriptcheck.templates.sources import Template, parse_templates
from scriptcheck.templates.writers import render
from tests.hostile import SRC


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(LintConfig(ConfigFile(severity={"PL001": Severity.error})))


def test_a_finding_keeps_the_checkers_fields_and_no_model(linter) -> None:
    source = parse_templates("t.yaml", "a: 你怎么连这个也不懂\nb: '{name}你笨'\nc: 您好\n")
    results, _ = linter.lint_source(source)
    placed = [f for r in results for f in r.findings]
    assert {f.rule for f in placed} >= {"FB006", "FB048", "PL001"}
    for template, result in zip(source.templates, results):
        assert result.template == LintedTemplate.of(template) and result.template.label == template.label
        raw = linter.findings_of(template, None)
        assert [f.finding for f in result.findings] == [
            r.model_copy(update={"severity": Severity.error}) if r.rule == "PL001" else r for r in raw]
        for f in result.findings:
            # what the json writer writes: the model's wire fields, in its order
            assert f.wire() == f.finding.model_dump(mode="json")
            assert list(f.wire()) == list(f.finding.model_dump(mode="json"))
            assert not hasattr(f, "__dict__")
            assert not any(isinstance(getattr(f, name), (BaseModel, Template)) for name in LintFinding.__slots__)


def _retained(linter: Linter, path) -> tuple[int, int]:
    """Bytes a run of ``path`` holds once it is over, and its findings."""
    gc.collect()
    tracemalloc.start()
    try:
        run = linter.run([str(path)])
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return size, len(run.findings(active_only=False))


def test_memory_per_finding_is_a_few_hundred_bytes(linter, tmp_path) -> None:
    # 你笨 is two findings (FB048, PL001); a finding held ~1.9 KB, mostly its pydantic model and
    # the copies made to set its text and severity: now ~0.5 KB, template included.
    path = tmp_path / "t.txt"
    path.write_text("你笨\n" * 300, encoding="utf-8")
    linter.run([str(path)])  # warm: the checker's caches are no part of a finding
    size, findings = _retained(linter, path)
    assert findings == 600
    assert size / findings < 1000, size / findings


# ------------------------------------------------------------------------ written as they come

@pytest.fixture
def replies(tmp_path):
    """Three template files (one with nothing to report) and a baseline forgiving some of
    their findings: one of two identical ones, and one in a file given twice."""
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.txt").write_text("你怎么连这个也不懂\n您好\n你笨\n你怎么连这个也不懂\n", encoding="utf-8")
    (folder / "b.yaml").write_text("hi: 你好\nbye: 爱买不买\nx: '{name}你笨'\n", encoding="utf-8")
    (folder / "c.txt").write_text("您好，请问有什么可以帮您？\n", encoding="utf-8")
    baseline = Baseline(tmp_path / "bl.json")
    whole = Linter(baseline=baseline).run([str(folder / "a.txt")])
    fingerprints = [f.fingerprint for f in whole.findings()]
    baseline.write([fingerprints[0], fingerprints[-1]])  # FB006 once (it is there twice), and PL001
    return folder, baseline.path


def test_run_hands_results_on_in_pieces_and_keeps_none(replies, monkeypatch) -> None:
    folder, baseline_path = replies
    paths = [str(folder), str(folder / "a.txt")]
    whole = Linter(baseline=Baseline.load(baseline_path)).run(paths)
    assert any(f.baselined for f in whole.findings(active_only=False))
    monkeypatch.setattr(lint_module, "HAND_ON", 2)  # a file of more templates comes in pieces
    pieces: list[list] = []
    handed = Linter(baseline=Baseline.load(baseline_path)).run(paths, on_results=pieces.append)
    assert [len(p) for p in pieces] == [2, 2, 2, 1, 1, 2, 2]  # a.txt, b.yaml, c.txt, a.txt again
    assert [r for p in pieces for r in p] == whole.results  # baseline marks included
    assert handed.results == [] and handed.findings() == []
    assert (handed.files, handed.warnings, handed.rules) == (whole.files, whole.warnings, whole.rules)
    for threshold in Severity:
        assert handed.failing(threshold) == whole.failing(threshold)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_line_formats_written_as_they_come_are_the_whole_runs_output(replies, fmt) -> None:
    folder, baseline_path = replies
    paths = [str(folder), str(folder / "a.txt")]
    for baseline in ([], ["--baseline", str(baseline_path)]):
        result = CliRunner().invoke(cli, ["lint", "--isolated", "--format", fmt, *baseline, *paths])
        whole = Linter(baseline=Baseline.load(baseline_path) if baseline else None).run(paths)
        assert result.stdout == render(whole, fmt, Severity.error) != ""
        assert result.exit_code == (1 if whole.failing(Severity.error) else 0)


def test_each_files_findings_are_written_before_the_next_file_is_read(replies, tmp_path, monkeypatch) -> None:
    folder, _ = replies
    out = tmp_path / "out.txt"
    written: list[str] = []
    read_templates = lint_module.read_templates

    def spy(path, encoding=None):
        written.append(out.read_text(encoding="utf-8") if out.exists() else "")
        return read_templates(path, encoding)

    monkeypatch.setattr(lint_module, "read_templates", spy)
    result = CliRunner().invoke(cli, ["lint", "--isolated", "-o", str(out), str(folder)])
    assert result.exit_code == 1, result.output
    assert written[0] == ""
    assert written[1] and all(line.startswith(f"{folder / 'a.txt'}:") for line in written[1].splitlines())
    assert "b.yaml:" in written[2] and written[2].startswith(written[1])
    assert out.read_text(encoding="utf-8") == written[2]  # c.txt has nothing to report


def test_write_baseline_counts_as_the_run_goes(replies, tmp_path) -> None:
    folder, _ = replies
    written = tmp_path / "new.json"
    paths = [str(folder), str(folder / "a.txt")]
    result = CliRunner().invoke(cli, ["lint", "--isolated", "--baseline", str(written), "--write-baseline", *paths])
    assert result.exit_code == 0, result.output
    whole = Linter(baseline=Baseline(written)).run(paths)
    assert Baseline.load(written).counts == Counter(f.fingerprint for f in whole.findings())
    assert max(Baseline.load(written).counts.values()) == 4  # FB006 twice in a.txt, linted twice


@pytest.mark.skipif(os.name != "posix", reason="/dev/full")
def test_stdout_full_exits_2_with_one_line(tmp_path) -> None:
    (tmp_path / "r.txt").write_text("你怎么连这个也不懂\n", encoding="utf-8")
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "scriptcheck", "lint", "--isolated", str(tmp_path / "r.txt")],
                                stdout=full, stderr=subprocess.PIPE, timeout=120,
                                env=dict(os.environ, PYTHONPATH=str(SRC)))
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == ["scriptcheck: error: <stdout>: cannot write: No space left on device"]
