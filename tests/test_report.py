"""`scriptcheck report` and `scriptcheck review` without a browser: the page is one offline
file with the right data, and the review round trip — score → report → verdicts → review →
overlay → score again — removes the reviewed false alarms and keeps the confirmed findings."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.report.data import build_payload, read_results, read_turns
from scriptcheck.report.render import render_html
from scriptcheck.report.review import context_window, precision_table, read_verdicts
from tests.conftest import CORPORA

pytest.importorskip("jinja2", reason='the report needs Jinja2: pip install ".[report]"')


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The bundled corpora scored as JSONL and as JSON; (folder, reports)."""
    folder = tmp_path_factory.mktemp("scored")
    runner = CliRunner()
    for fmt in ("jsonl", "json"):
        result = runner.invoke(cli, ["score", str(CORPORA), "--format", fmt, "-o", str(folder / f"r.{fmt}"),
                                     "-q", "--jobs", "1"])
        assert result.exit_code in (0, 1), result.output
    reports = [json.loads(line) for line in (folder / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    return folder, reports


def _page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_report_is_one_offline_file(scored, tmp_path):
    folder, reports = scored
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(folder / "r.json"), "--transcripts", str(CORPORA), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # Nothing to fetch: no external script, style, image, font or link.
    assert not re.search(r'<(script|img|iframe)[^>]+src=|<link[^>]+href=|url\(|@import|https?://', html)
    data = _page_data(html)
    assert [t[0] for t in data["transcripts"]] == [r["id"] for r in reports]
    assert data["summary"]["transcripts"] == len(reports) and data["summary"]["rejected"] == 0
    assert data["summary"]["with_turns"] == len(reports)


def test_jsonl_and_json_inputs_give_the_same_page_data(scored):
    folder, _ = scored
    from_jsonl = build_payload(read_results([str(folder / "r.jsonl")]))
    from_json = build_payload(read_results([str(folder / "r.json")]))
    assert from_jsonl["transcripts"] == from_json["transcripts"]
    assert from_jsonl["summary"]["rejected"] is None and from_json["summary"]["rejected"] == 0


def test_payload_statistics(scored):
    folder, reports = scored
    payload = build_payload(read_results([str(folder / "r.jsonl")]))
    assert sum(payload["histogram"]) == len(reports)
    rows = {r["rule"]: r for r in payload["rule_rows"]}
    for code in ("FB006", "PL001"):
        assert rows[code]["findings"] == sum(f["rule"] == code for r in reports for f in r["findings"])
        assert rows[code]["transcripts"] == sum(any(f["rule"] == code for f in r["findings"]) for r in reports)
    agents = {a["agent"]: a for a in payload["agent_rows"]}
    a035 = [r for r in reports if r["metadata"].get("agent_id") == "A035"]
    assert agents["A035"]["transcripts"] == len(a035)


def test_script_cannot_be_closed_by_the_data(tmp_path):
    report = {"id": "</script><script>alert(1)</script>", "profile": "hotline", "score": 50.0, "passed": False,
              "vetoed": False,
              "dimensions": {"forbidden": 50.0}, "deductions": [], "steps": [], "metadata": {},
              "findings": [{"rule": "FB001", "category": "x", "severity": "error", "turn": 0, "start": 0, "end": 1,
                            "text": "<!--", "message": "m", "suggestion": "s"}]}
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(report) + "\n", encoding="utf-8")
    html = render_html(build_payload(read_results([str(path)])))
    assert "</script><script>alert" not in html and "<!--" not in html.split('id="report-data">')[1]
    assert _page_data(html)["transcripts"][0][0] == report["id"]


def test_report_refuses_to_overwrite_an_input(scored):
    folder, _ = scored
    result = CliRunner().invoke(cli, ["report", str(folder / "r.jsonl"), "-o", str(folder / "r.jsonl")])
    assert result.exit_code == 2 and "is also an input" in result.output
    assert (folder / "r.jsonl").read_text(encoding="utf-8").startswith("{")


def test_not_a_report_file_is_an_input_error(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"hello": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(path), "-o", str(tmp_path / "o.html")])
    assert result.exit_code == 2 and "x.jsonl:1" in result.output


def test_context_window_stays_in_its_sentence():
    text = "好的。就这个价，爱要不要，退不退随便你。再见"
    start = text.index("爱要不要")
    assert context_window(text, start, start + 4) == "就这个价，爱要不要，退不退随便"
    assert context_window("爱要不要", 0, 4) == "爱要不要"


def _verdicts_like_the_page(reports, turns, judge) -> list[dict]:
    """What the page exports after a reviewer judged these findings (see report.js)."""
    out = []
    for report in reports:
        for f in report["findings"]:
            verdict = judge(report, f)
            if verdict and f["turn"] is not None:
                out.append({"id": report["id"], "turn": f["turn"], "rule": f["rule"], "start": f["start"],
                            "end": f["end"], "text": f["text"], "verdict": verdict, "note": "",
                            "reviewer": "qa", "context": turns[report["id"]][f["turn"]][1]})
    return out


def test_review_round_trip(scored, tmp_path):
    folder, reports = scored
    runner = CliRunner()
    # Reviewers call FB029 and FB032 false alarms, confirm FB006 and FB007, and judge a step too.
    judged = {"FB029": "false_alarm", "FB032": "false_alarm", "FB006": "confirmed", "FB007": "confirmed",
              "PL001": "confirmed"}
    turns = read_turns([str(CORPORA)])
    verdicts = _verdicts_like_the_page(reports, turns, lambda r, f: judged.get(f["rule"]))
    assert {v["rule"] for v in verdicts} == set(judged)
    vfile = tmp_path / "verdicts.jsonl"
    vfile.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in verdicts), encoding="utf-8")

    table = json.loads(runner.invoke(cli, ["review", str(vfile), "--format", "json"]).output)
    by_rule = {r["rule"]: r for r in table["rules"]}
    assert by_rule["FB029"]["precision"] == 0 and by_rule["FB006"]["precision"] == 1
    assert table["attention"][:2] == ["FB029", "FB032"] or set(table["attention"]) == {"FB029", "FB032"}

    overlay = tmp_path / "overlay.yaml"
    result = runner.invoke(cli, ["review", str(vfile), "--lexicon-out", str(overlay)])
    assert result.exit_code == 0, result.output
    assert "PL001" in result.output  # skipped: not a lexicon entry, and said so
    assert runner.invoke(cli, ["lexicon", "test", str(overlay)]).exit_code == 0

    again = tmp_path / "again.jsonl"
    result = runner.invoke(cli, ["score", str(CORPORA), "--format", "jsonl", "-o", str(again), "-q", "--jobs", "1",
                                 "--lexicon", str(overlay)])
    assert result.exit_code in (0, 1), result.output
    after = {r["id"]: r for r in map(json.loads, again.read_text(encoding="utf-8").splitlines())}

    def key(v):
        return (v["id"], v["turn"], v["rule"], v["start"], v["end"])

    found_after = {(r["id"], f["turn"], f["rule"], f["start"], f["end"]) for r in after.values() for f in r["findings"]}
    for v in verdicts:
        if v["verdict"] == "false_alarm":
            assert key(v) not in found_after, v
        else:
            assert key(v) in found_after, v
    # Everything not reviewed is as before.
    before = {(r["id"], f["turn"], f["rule"], f["start"], f["end"]) for r in reports for f in r["findings"]}
    assert before - found_after == {key(v) for v in verdicts if v["verdict"] == "false_alarm"}
    # The tone model (FB900, docs/tone-model.md) stays quiet where a lexicon finding covers
    # its sentence; with that finding reviewed away, it may speak for the sentence itself.
    assert {k for k in found_after if k[2] != "FB900"} <= before


def test_read_verdicts_rejects_bad_lines(tmp_path):
    path = tmp_path / "v.jsonl"
    path.write_text('{"id": "a", "rule": "FB001", "verdict": "maybe"}\n', encoding="utf-8")
    with pytest.raises(Exception, match="v.jsonl:1: verdict"):
        read_verdicts([str(path)])
    assert precision_table([])["precision"] is None


def test_score_format_html_shortcut(tmp_path):
    out = tmp_path / "s.html"
    result = CliRunner().invoke(cli, ["score", str(CORPORA), "--format", "html", "-o", str(out), "-q", "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    data = _page_data(out.read_text(encoding="utf-8"))
    assert data["summary"]["transcripts"] == data["summary"]["with_turns"] > 0
    assert data["summary"]["rejected"] == 0
    assert CliRunner().invoke(cli, ["score", str(CORPORA), "--format", "html"]).exit_code == 2


def test_parquet_results_count_rejected_rows(scored, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason='Parquet needs pyarrow: pip install ".[parquet]"')
    from scriptcheck.tables import error_row, report_row, rows_to_table

    _, reports = scored
    rows = [report_row(r, "calls.jsonl", i + 1) for i, r in enumerate(reports)]
    rows.append(error_row("invalid JSON", source="calls.jsonl", line=99))
    path = tmp_path / "r.parquet"
    pq.write_table(rows_to_table(rows), path)
    data = read_results([str(path)])
    assert len(data.reports) == len(reports) and data.rejected == 1 and data.read == len(reports) + 1
    payload = build_payload(data)
    assert [t[0] for t in payload["transcripts"]] == [r["id"] for r in reports]
    assert payload["agents"]  # agent_id from the metadata map


def test_html_shortcut_names_the_scored_files(tmp_path):
    out = tmp_path / "s.html"
    CliRunner().invoke(cli, ["score", str(CORPORA), "--format", "html", "-o", str(out), "-q", "--jobs", "1"])
    assert _page_data(out.read_text(encoding="utf-8")) is not None
    assert f"<p class=\"sources\">{CORPORA}</p>" in out.read_text(encoding="utf-8")


def test_read_turns_quick_path_equals_validated_transcripts(tmp_path):
    from scriptcheck.io.transcripts import iter_input_files, read_transcripts

    odd = tmp_path / "odd.jsonl"  # records the quick path hands to full validation
    odd.write_text('{"id": 7, "turns": [{"speaker": "客服", "text": "您好"}]}\n'
                   '{"id": "x", "turns": [{"speaker": "robot", "text": "hi"}]}\n'
                   '{"id": "y", "turns": []}\nnot json\n', encoding="utf-8")
    sources = [str(CORPORA), str(odd)]
    expected = {}
    for source in iter_input_files(sources):
        for record in read_transcripts(source):
            if record.transcript is not None:
                expected[record.transcript.id] = [(str(getattr(t.speaker, "value", t.speaker)), t.text)
                                                  for t in record.transcript.turns]
    assert read_turns(sources) == expected and expected["7"] == [("agent", "您好")]
