"""What `scriptcheck lint` keeps while it runs (hostile probe F5: a file of 600,000 one-line
replies each with a finding took 2.6 GB, about 4.5 KB a template).

A finding keeps plain fields, not the checker's pydantic model nor the template read from the
source (which holds a source offset for every character). Memory is measured with tracemalloc
on a few hundred templates, never a clock."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from pydantic import BaseModel

from scriptcheck.models import Severity
from scriptcheck.templates.config import ConfigFile, LintConfig
from scriptcheck.templates.lint import LintedTemplate, LintFinding, Linter
from scriptcheck.templates.sources import Template, parse_templates


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
