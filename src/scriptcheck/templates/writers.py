"""Output formats of ``scriptcheck lint``: text, json, sarif, github, junit (one renderer each).

Every renderer takes a :class:`~scriptcheck.templates.lint.LintRun` and returns the whole
output as a string; the line formats (text, github) also render any run of findings
(:data:`LINE_FORMATS`), so the command writes them as they come. Only active findings are
problems; SARIF also lists suppressed and baselined ones, marked with ``suppressions`` as
code-scanning tools expect.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable
from urllib.parse import quote

from scriptcheck.score_writers import escape_controls, escape_line
from scriptcheck.models import Severity

if TYPE_CHECKING:
    from scriptcheck.templates.lint import LintFinding, LintRun

__all__ = ["FORMATS", "LINE_FORMATS", "render", "render_text", "render_json", "render_sarif", "render_github",
           "render_junit", "text_lines", "github_lines", "escape_data", "escape_property"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"info": "note", "warning": "warning", "error": "error", "critical": "error"}
_GITHUB_COMMAND = {"info": "notice", "warning": "warning", "error": "error", "critical": "error"}


def _version() -> str:
    try:
        return metadata.version("scriptcheck")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "0.0.0"


def _message(f: "LintFinding") -> str:
    hint = f" ({f.suggestion})" if f.suggestion else ""
    return f"{f.message}{hint}"


# ----------------------------------------------------------------------------------- text

def render_text(run: "LintRun", threshold: Severity) -> str:
    """``file:line:col: CODE [severity] message (suggestion)``, one active finding a line
    (control characters of file names or template text escaped: this goes to a terminal)."""
    return text_lines(run.findings())


def text_lines(findings: Iterable["LintFinding"]) -> str:
    """The text format's lines of ``findings`` (:func:`render_text`)."""
    # escape_line: a line end in a file name or a template would start a line of its own, and a
    # CI runner reads a line beginning ``::`` as a workflow command
    return "".join(escape_line(f"{f.file}:{f.line}:{f.col}: {f.rule} [{f.severity.value}] {_message(f)}") + "\n"
                   for f in findings)


# ----------------------------------------------------------------------------------- json

def render_json(run: "LintRun", threshold: Severity) -> str:
    """A JSON array of active findings: the finding's wire fields (``start``/``end`` index the
    template text) plus file, line, col, end_line, end_col, template, variant, kind and a
    fingerprint."""
    records = []
    for f in run.findings():
        t = f.template
        records.append({
            "file": f.file, "line": f.line, "col": f.col, "end_line": f.end_line, "end_col": f.end_col,
            "template": t.id, "variant": t.variant, "kind": f.kind,
            **f.wire(), "fingerprint": f.fingerprint.digest,
        })
    return _dumps(records)


# ---------------------------------------------------------------------------------- sarif

# A file name that is not UTF-8 (bytes 0x80-0xff on a POSIX file system) reaches Python as lone
# surrogates (\udcff): written raw into a report, UTF-8 cannot encode them (a traceback).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _dumps(doc: object) -> str:
    """``doc`` as indented JSON keeping Chinese as it is, a lone surrogate written as its
    ``\\uXXXX`` escape (valid JSON, which reads back the same string)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(os.fsencode(path.as_posix()))  # the file name's own bytes, percent-encoded


def render_sarif(run: "LintRun", threshold: Severity) -> str:
    """SARIF 2.1.0 for code scanning: rules with their docs, results with regions in code
    points (``columnKind: unicodeCodePoints``), partial fingerprints, and ``suppressions``
    for findings silenced inline (``inSource``, with the directive's reason) or by the
    baseline (``external``)."""
    infos = sorted(run.rules.values())
    index = {info.code: i for i, info in enumerate(infos)}
    rules = [{
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.full},
        "help": {"text": info.help},
        "defaultConfiguration": {"level": _SARIF_LEVEL[info.severity.value]},
        "properties": {"severity": info.severity.value},
    } for info in infos]
    results = []
    for f in run.findings(active_only=False):
        region = {"startLine": f.line, "startColumn": f.col, "endLine": f.end_line, "endColumn": f.end_col + 1}
        if f.text:
            region["snippet"] = {"text": f.text}
        result = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity.value],
            "message": {"text": _message(f)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}, "region": region}}],
            "partialFingerprints": {"scriptcheck/v1": f.fingerprint.digest},
            "properties": {"severity": f.severity.value, "template": f.template.label,
                           "kind": f.kind},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.suppressed is not None:
            suppression = {"kind": "inSource", "status": "accepted"}
            if f.suppressed:
                suppression["justification"] = f.suppressed
            result["suppressions"] = [suppression]
        elif f.baselined:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": "in the scriptcheck baseline"}]
            result["baselineState"] = "unchanged"
        results.append(result)
    notifications = [{"level": "error", "message": {"text": e.describe()}} for e in run.errors]
    notifications += [{"level": "warning", "message": {"text": w}} for w in run.warnings]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "scriptcheck", "version": _version(), "rules": rules}},
            "invocations": [{"executionSuccessful": not run.errors,
                             "toolExecutionNotifications": notifications}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return _dumps(doc)


# --------------------------------------------------------------------------------- github

def escape_data(value: str) -> str:
    """Escape a workflow-command message (``%``, CR, LF), as GitHub's actions/toolkit does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value: also ``:`` and ``,``, which delimit properties."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(run: "LintRun", threshold: Severity) -> str:
    """GitHub Actions workflow commands, one annotation an active finding::

        ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message

    error/critical findings are ``::error``, warnings ``::warning``, info ``::notice``."""
    return github_lines(run.findings())


def github_lines(findings: Iterable["LintFinding"]) -> str:
    """The github format's lines of ``findings`` (:func:`render_github`)."""
    lines = []
    for f in findings:
        props = {"file": Path(f.file).as_posix(), "line": f.line, "col": f.col, "endLine": f.end_line,
                 "endColumn": f.end_col, "title": f.rule}
        head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
        # CI logs render ANSI sequences: escape control characters before the workflow escaping.
        body = escape_data(escape_controls(f"[{f.severity.value}] {_message(f)}"))
        lines.append(f"::{_GITHUB_COMMAND[f.severity.value]} {head}::{body}\n")
    return "".join(lines)


# ---------------------------------------------------------------------------------- junit

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def render_junit(run: "LintRun", threshold: Severity) -> str:
    """JUnit XML: a testsuite per file, a testcase per template; active findings at or above
    ``threshold`` make the testcase a failure, lower ones go to its ``system-out``; a file
    that could not be read is a testsuite with one error."""
    root = ET.Element("testsuites", name="scriptcheck")
    by_file: dict[str, list] = {}
    for result in run.results:
        by_file.setdefault(result.template.file, []).append(result)
    total = failures = errors = 0
    for file in run.files:
        results = by_file.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=_xml(file), tests=str(len(results)))
        suite_failures = 0
        for result in results:
            t = result.template
            case = ET.SubElement(suite, "testcase", classname=_xml(file), name=_xml(t.label),
                                 file=_xml(file), line=str(t.line))
            failing = [f for f in result.active if f.severity >= threshold]
            rest = [f for f in result.active if not f.severity >= threshold]
            fmt = lambda f: f"{f.file}:{f.line}:{f.col}: {f.rule} [{f.severity.value}] {_message(f)}"  # noqa: E731
            if failing:
                suite_failures += 1
                failure = ET.SubElement(case, "failure", type=failing[0].rule,
                                        message=_xml(f"{len(failing)} finding(s): "
                                                     + ", ".join(sorted({f.rule for f in failing}))))
                failure.text = _xml("\n".join(fmt(f) for f in failing))
            if rest:
                ET.SubElement(case, "system-out").text = _xml("\n".join(fmt(f) for f in rest))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        total += len(results)
        failures += suite_failures
    for error in run.errors:
        suite = ET.SubElement(root, "testsuite", name=_xml(error.file or "-"), tests="1", failures="0", errors="1")
        case = ET.SubElement(suite, "testcase", classname=_xml(error.file or "-"), name="read")
        ET.SubElement(case, "error", message=_xml(error.describe()))
        total += 1
        errors += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS: dict[str, Callable[["LintRun", Severity], str]] = {
    "text": render_text, "json": render_json, "sarif": render_sarif, "github": render_github,
    "junit": render_junit,
}


# The formats that are one line an active finding and nothing else: their output is the same
# written piece by piece as the findings come (a file, a thousand templates) as written whole.
LINE_FORMATS: dict[str, Callable[[Iterable["LintFinding"]], str]] = {"text": text_lines, "github": github_lines}


def render(run: "LintRun", fmt: str, threshold: Severity) -> str:
    """Render ``run`` in ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt](run, threshold)
