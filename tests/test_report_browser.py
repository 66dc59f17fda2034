"""The HTML report in a real browser: headless Chromium opens a report of the bundled corpora,
shows the right counts, filters by a rule, opens a transcript with its highlighted finding,
marks a verdict (kept across a reload) and exports it, and the exported verdict, through
`review` and its overlay, removes that finding from the next run — with no network request and no
console error. Skipped only when no Chromium is installed (CI: ``apt-get install -y chromium``).

``SCRIPTCHECK_SCREENSHOTS=docs`` also saves the screenshots of the documentation
(``docs/report-summary.png``, ``docs/report-transcript.png``); otherwise they go to a
temporary directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli
from tests.browser import chromium_path, open_browser
from tests.conftest import CORPORA, JDDC, ROOT

# CI installs Chromium (.ci/run sets CI=true): there, a missing browser is a failure, not a skip.
if chromium_path() is None and os.environ.get("CI"):
    raise RuntimeError("CI=true but no Chromium found: .ci/run installs Debian's chromium package")
pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="no Chromium installed (apt-get install -y chromium)")
# Playwright is in the `test` extra: with a Chromium present, its absence is an error, not a skip.


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Score the bundled corpora, write the report page; (html path, reports)."""
    folder = tmp_path_factory.mktemp("report")
    runner = CliRunner()
    scored = runner.invoke(cli, ["score", str(CORPORA), "--format", "json", "-o", str(folder / "r.json"), "-q",
                                 "--jobs", "1"])
    assert scored.exit_code in (0, 1), scored.output
    made = runner.invoke(cli, ["report", str(folder / "r.json"), "--transcripts", str(CORPORA),
                               "-o", str(folder / "report.html"), "--title", "scriptcheck 示例 corpora"])
    assert made.exit_code == 0, made.output
    doc = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    return folder / "report.html", doc["reports"]


def _shots_dir(tmp_path: Path) -> Path:
    return ROOT / "docs" if os.environ.get("SCRIPTCHECK_SCREENSHOTS") == "docs" else tmp_path


def test_report_in_chromium(report, tmp_path):
    html, reports = report
    url = html.as_uri()
    # The finding to look at: a taboo (lexicon rules are what an overlay can change) whose span
    # no other finding of its turn overlaps, so its highlight is one mark of its own.
    def alone(report, f):
        return not any(g is not f and g["turn"] == f["turn"] and g["start"] is not None
                       and g["start"] < f["end"] and f["start"] < g["end"] for g in report["findings"])
    candidates = [(r, f) for r in reports for f in r["findings"]
                  if f["rule"].startswith("FB") and f["start"] is not None and alone(r, f)]
    target = min(candidates, key=lambda c: c[1]["rule"] != "FB006")  # FB006 where it is alone
    rid, finding = target[0]["id"], target[1]
    with_rule = sum(1 for r in reports if any(f["rule"] == finding["rule"] for f in r["findings"]))
    passed = sum(1 for r in reports if r["passed"])

    with open_browser() as browser:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        requests, problems = [], []
        page.on("request", lambda req: requests.append(req.url))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(url)

        assert page.text_content("#s-transcripts") == str(len(reports))
        assert page.text_content("#s-pass-rate") == f"{passed / len(reports) * 100:.1f}%"
        assert page.text_content("#s-rejected") == "0"
        assert f"{len(reports)} / {len(reports)}" in page.text_content("#match-count")
        page.locator("#summary").screenshot(path=str(_shots_dir(tmp_path) / "report-summary.png"))

        # A rule in the rules table filters the transcripts (with the keyboard: focus, Enter).
        page.focus(f"#rules-table button.rule-filter[data-rule='{finding['rule']}']")
        page.keyboard.press("Enter")
        assert page.text_content("#match-count").startswith(f"显示 {with_rule} / {len(reports)}")
        assert page.locator("#list tbody tr").count() == with_rule

        # Search by id, open it: the finding is highlighted in its turn.
        page.fill("#f-search", rid)
        page.click(f"#list button.open:text-is('{rid}')")
        assert page.is_visible("#detail")
        mark = page.locator(f".turn mark.f[title^='{finding['rule']}']").first
        assert mark.text_content() == finding["text"]
        assert page.locator(".steps-list li.ok").count() >= 1  # satisfied steps marked

        # Review: a false alarm with a note, kept in localStorage across a reload.
        item = page.locator(f".finding[data-rule='{finding['rule']}']").first
        item.locator("input[type=text]").fill("测试备注")
        page.fill("#reviewer", "qa-1")
        page.dispatch_event("#reviewer", "change")
        item.locator("button.false-alarm").click()
        assert item.locator("button.false-alarm").get_attribute("aria-pressed") == "true"
        page.locator("#detail").screenshot(path=str(_shots_dir(tmp_path) / "report-transcript.png"))
        page.keyboard.press("Escape")  # closes the transcript view
        assert not page.is_visible("#detail")
        page.reload()
        assert page.text_content("#verdict-count").startswith("1 ")
        with page.expect_download() as download:
            page.click("#export")
        path = str(tmp_path / "verdicts.jsonl")
        download.value.save_as(path)
        lines = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
        assert problems == []
        context.close()

    assert len(lines) == 1
    got = lines[0]
    assert {k: got[k] for k in ("id", "turn", "rule", "start", "end", "text", "verdict", "note", "reviewer")} == {
        "id": rid, "turn": finding["turn"], "rule": finding["rule"], "start": finding["start"],
        "end": finding["end"], "text": finding["text"], "verdict": "false_alarm", "note": "测试备注",
        "reviewer": "qa-1"}
    # Nothing but the file itself (twice: the load and the reload) and the export's blob.
    assert [u for u in requests if u != url and not u.startswith("blob:")] == []

    # The exported verdict goes all the way: review → overlay → score again without it.
    assert got["context"] and got["context"][got["start"]:got["end"]] == got["text"]
    runner = CliRunner()
    overlay = tmp_path / "reviewed.yaml"
    result = runner.invoke(cli, ["review", path, "--lexicon-out", str(overlay)])
    assert result.exit_code == 0 and "1 false alarms" in result.output, result.output
    again = runner.invoke(cli, ["score", str(CORPORA), "--format", "jsonl", "-q", "--jobs", "1",
                                "--lexicon", str(overlay)])
    after = {r["id"]: r for r in map(json.loads, again.output.splitlines())}
    assert not [f for f in after[rid]["findings"] if f["rule"] == finding["rule"] and f["turn"] == finding["turn"]]


def test_jddc_report_in_chromium(tmp_path):
    """The 1,046 real JDDC chats: right counts, every finding of a transcript highlighted, no
    request, no console error. (How fast it opens is measured in benchmarks/bench_report.py.)"""
    if not JDDC.exists():
        pytest.skip(f"JDDC corpus not present at {JDDC}")
    runner = CliRunner()
    scores = tmp_path / "jddc.jsonl"
    result = runner.invoke(cli, ["score", str(JDDC), "--profile", "ecommerce-chat", "--format", "jsonl",
                                 "-o", str(scores), "-q", "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    html = tmp_path / "jddc.html"
    assert runner.invoke(cli, ["report", str(scores), "--transcripts", str(JDDC), "-o", str(html)]).exit_code == 0
    reports = [json.loads(line) for line in scores.read_text(encoding="utf-8").splitlines()]
    # The transcript with the most findings inside its turns, to check the highlights.
    target = max(reports, key=lambda r: sum(f["turn"] is not None for f in r["findings"]))
    spans = [f for f in target["findings"] if f["turn"] is not None]
    with open_browser() as browser:
        page = browser.new_page()
        requests, problems = [], []
        page.on("request", lambda req: requests.append(req.url))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(html.as_uri())
        assert page.text_content("#s-transcripts") == str(len(reports)) == "1046"
        assert page.locator("#list tbody tr").count() == 50  # paged
        page.fill("#f-search", target["id"])
        page.click(f"#list button.open:text-is('{target['id']}')")
        marked = {int(n) for m in page.locator(".turn mark.f").all() for n in m.get_attribute("data-finding").split()}
        assert marked == set(range(len(target["findings"]))) - {
            i for i, f in enumerate(target["findings"]) if f["turn"] is None}
        assert page.locator(".finding").count() == len(target["findings"])
        assert len(spans) >= 1 and problems == []
    assert [u for u in requests if u != html.as_uri()] == []
