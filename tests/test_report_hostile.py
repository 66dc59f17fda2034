"""`scriptcheck report`, `review` and `score --format html` on hostile input: an output never
overwrites an input (the same file by device and inode: a symbolic or a hard link counts, and
review's --lexicon-out is checked against everything review reads); a bad results or verdicts
file is one line naming the file and the line (exit 2), never a traceback; a bad results record
or verdict is named, counted and left out (exit 2 at the first with --strict, or when every one
was rejected); a transcript record that cannot be read is left out of the page, counted and
named, and the page is still written."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.report.data import read_turns

pytest.importorskip("jinja2", reason='the report needs Jinja2: pip install ".[report]"')

GOOD = {"id": "c1", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]}
REPORT = {"schema_version": 1, "id": "c1", "profile": "hotline", "score": 90.0, "passed": True, "vetoed": False,
          "dimensions": {"forbidden": 100.0}, "deductions": [], "steps": [], "metadata": {},
          "findings": [{"rule": "FB006", "category": "质问", "severity": "error", "turn": 0, "start": 0, "end": 2,
                        "text": "您好", "message": "m", "suggestion": "s"}]}
VERDICT = {"id": "c1", "turn": 0, "rule": "FB006", "start": 0, "end": 2, "text": "您好", "verdict": "false_alarm",
           "note": "", "reviewer": "qa", "context": "您好，请问有什么可以帮您？"}
BASE_LEXICON = """version: 1
name: mine
kind: forbidden
entries:
  - id: XM901
    name: m
    category: 喝斥
    description: 测试
    phrases: [你走开]
    specs: {match: [你走开], no_match: [谢谢]}
"""
# Nested deeper than the JSON decoder can follow (RecursionError), a few KB.
DEEP = '{"id": "deep", "turns": ' + "[" * 3000 + "]" * 3000 + "}"
# A lone surrogate escape: no Unicode character, so the page could not be written as UTF-8.
SURROGATE = '{"id": "c1", "turns": [{"speaker": "agent", "text": "x\\ud800y"}]}'


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _lines(*docs) -> str:
    return "".join((d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)) + "\n" for d in docs)


def _invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _one_error(result, *parts: str) -> None:
    """Exit 2 with one line on stderr, naming each of ``parts``, and no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("scriptcheck: error: "), result.stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])


def _page_data(path) -> dict:
    html = path.read_bytes().decode("utf-8")  # strictly UTF-8
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


# -- outputs never overwrite inputs ---------------------------------------------------------------

def test_report_refuses_an_output_hard_linked_to_its_results(tmp_path):
    results = _write(tmp_path / "r.jsonl", _lines(REPORT))
    os.link(results, tmp_path / "page.html")
    result = _invoke("report", results, "-o", tmp_path / "page.html")
    _one_error(result, "page.html", "r.jsonl")
    assert results.read_text(encoding="utf-8") == _lines(REPORT)


def test_report_refuses_an_output_hard_linked_to_a_file_of_a_results_directory(tmp_path):
    (tmp_path / "d").mkdir()
    results = _write(tmp_path / "d" / "r.jsonl", _lines(REPORT))
    os.link(results, tmp_path / "page.html")
    result = _invoke("report", tmp_path / "d", "-o", tmp_path / "page.html")
    _one_error(result, "page.html")
    assert results.read_text(encoding="utf-8") == _lines(REPORT)
    # A page a walk never reads may still be (re)written inside the directory.
    for _ in range(2):
        assert _invoke("report", tmp_path / "d", "-o", tmp_path / "d" / "page.html").exit_code == 0
    assert _page_data(tmp_path / "d" / "page.html")["summary"]["transcripts"] == 1


def test_report_refuses_an_output_hard_linked_to_its_transcripts(tmp_path):
    results = _write(tmp_path / "r.jsonl", _lines(REPORT))
    transcripts = _write(tmp_path / "t.jsonl", _lines(GOOD))
    os.link(transcripts, tmp_path / "page.html")
    result = _invoke("report", results, "--transcripts", transcripts, "-o", tmp_path / "page.html")
    _one_error(result, "page.html", "t.jsonl")
    assert transcripts.read_text(encoding="utf-8") == _lines(GOOD)


def test_review_lexicon_out_may_not_be_the_transcripts(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines(VERDICT))
    transcripts = _write(tmp_path / "t.jsonl", _lines(GOOD))
    result = _invoke("review", verdicts, "--transcripts", transcripts, "--lexicon-out", transcripts)
    _one_error(result, "--lexicon-out", "t.jsonl")
    assert transcripts.read_text(encoding="utf-8") == _lines(GOOD)


def test_review_lexicon_out_may_not_be_the_base_lexicon(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines({**VERDICT, "rule": "XM901", "verdict": "confirmed"}))
    base = _write(tmp_path / "base.yaml", BASE_LEXICON)
    result = _invoke("review", verdicts, "--extends", base, "--lexicon-out", base)
    _one_error(result, "--lexicon-out", "base.yaml")
    assert base.read_text(encoding="utf-8") == BASE_LEXICON


def test_review_lexicon_out_may_not_be_a_lexicon_the_base_extends(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines({**VERDICT, "rule": "XM901", "verdict": "confirmed"}))
    base = _write(tmp_path / "base.yaml", BASE_LEXICON)
    middle = _write(tmp_path / "mid.yaml", "version: 1\nextends: base.yaml\nname: mid\nentries: []\n")
    result = _invoke("review", verdicts, "--extends", middle, "--lexicon-out", base)
    _one_error(result, "--lexicon-out", "base.yaml")
    assert base.read_text(encoding="utf-8") == BASE_LEXICON


def test_review_lexicon_out_may_not_be_a_hard_link_to_the_verdicts(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines(VERDICT))
    os.link(verdicts, tmp_path / "overlay.yaml")
    result = _invoke("review", verdicts, "--lexicon-out", tmp_path / "overlay.yaml")
    _one_error(result, "--lexicon-out", "v.jsonl")
    assert verdicts.read_text(encoding="utf-8") == _lines(VERDICT)


# -- a bad results or verdicts file: one line, file and line --------------------------------------

def test_report_results_json_with_an_integer_too_long_to_convert(tmp_path):
    results = _write(tmp_path / "r.json", '{"reports": [],\n "summary": {"read": ' + "9" * 5000 + "}}")
    _one_error(_invoke("report", results, "-o", tmp_path / "page.html"), "r.json:2", "4300 digits")
    assert not (tmp_path / "page.html").exists()


def test_report_results_json_with_a_lone_surrogate(tmp_path):
    report = json.dumps({"reports": [REPORT], "summary": {"read": 1, "rejected": 0}}, ensure_ascii=False)
    report = report.replace("您好", "\\ud800")
    results = _write(tmp_path / "r.json", report)
    _one_error(_invoke("report", results, "-o", tmp_path / "page.html"), "r.json:1", "surrogate")


def test_report_results_line_that_is_not_utf8_with_strict(tmp_path):
    results = tmp_path / "r.jsonl"
    results.write_bytes(_lines(REPORT, REPORT).encode("utf-8") + b'{"id": "\xff\xfe"}\n')
    _one_error(_invoke("report", "--strict", results, "-o", tmp_path / "page.html"), "r.jsonl:3", "undecodable")
    assert not (tmp_path / "page.html").exists()


def test_report_results_parquet_that_is_no_parquet(tmp_path):
    pytest.importorskip("pyarrow.parquet", reason='Parquet needs pyarrow: pip install ".[parquet]"')
    results = tmp_path / "r.parquet"
    results.write_bytes(b"not a parquet file\n")
    _one_error(_invoke("report", results, "-o", tmp_path / "page.html"), "r.parquet", "cannot read Parquet")


def test_review_verdicts_line_that_is_not_utf8_with_strict(tmp_path):
    verdicts = tmp_path / "v.jsonl"
    verdicts.write_bytes(_lines(VERDICT).encode("utf-8") + b"\xff\xfe\n")
    result = _invoke("review", "--strict", verdicts)
    _one_error(result, "v.jsonl:2", "undecodable")
    assert result.stdout == ""


def test_review_verdict_with_a_negative_turn(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines({**VERDICT, "turn": -100, "context": None}))
    transcripts = _write(tmp_path / "t.jsonl", _lines(GOOD))
    result = _invoke("review", "--strict", verdicts, "--transcripts", transcripts, "--lexicon-out", tmp_path / "o.yaml")
    _one_error(result, "v.jsonl:1", "turn")
    assert not (tmp_path / "o.yaml").exists()


# -- a bad results record or verdict: named, counted, left out; --strict stops at it ----------------

def _rejected_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("scriptcheck: rejected: ")]


def test_report_names_counts_and_leaves_out_bad_results_lines(tmp_path):
    good = [REPORT, {**REPORT, "id": "c2", "score": 40.0, "passed": False}]
    bad = [json.dumps({**REPORT, "id": "nan"}).replace('"score": 90.0', '"score": NaN'),  # the probe's F14
           '{"id": "x", "score": 1', json.dumps({"hello": "world"}), json.dumps({**REPORT, "findings": "abc"})]
    results = tmp_path / "r.jsonl"
    results.write_bytes(_lines(good[0], bad[0], bad[1], bad[2]).encode("utf-8") + b'{"id": "\xff"}\n'
                        + _lines(bad[3], good[1]).encode("utf-8"))
    page = tmp_path / "page.html"
    result = _invoke("report", results, "-o", page)
    assert result.exit_code == 0 and result.exception is None, result.output
    reasons = ["not a finite number", "invalid JSON", "no id/score/findings", "undecodable", "findings: Input should"]
    rejected = _rejected_lines(result)
    assert len(rejected) == 5
    for number, (line, reason) in enumerate(zip(rejected, reasons), start=2):
        assert line.startswith(f"scriptcheck: rejected: {results}:{number}: ") and reason in line, line
    assert "scriptcheck: results read 7 = shown 2 + rejected 5" in result.stderr.splitlines()
    data = _page_data(page)
    assert [t[0] for t in data["transcripts"]] == ["c1", "c2"]
    assert (data["summary"]["read"], data["summary"]["rejected"]) == (7, 5)
    # Apart from those counts, the page is the one the good lines alone make.
    alone = tmp_path / "alone.jsonl"
    _write(alone, _lines(*good))
    assert _invoke("report", alone, "-o", tmp_path / "alone.html").exit_code == 0
    expected = _page_data(tmp_path / "alone.html")
    expected["summary"].update(read=7, rejected=5)
    assert data == expected


def test_report_names_bad_reports_of_a_json_document_by_their_place(tmp_path):
    doc = {"reports": [REPORT, {**REPORT, "id": "c2", "dimensions": {"forbidden": "x"}}, {"id": "c3"}],
           "summary": {"read": 4, "rejected": 1}}  # score rejected one transcript, the page two results
    results = _write(tmp_path / "r.json", json.dumps(doc, ensure_ascii=False))
    result = _invoke("report", results, "-o", tmp_path / "page.html")
    assert result.exit_code == 0, result.output
    assert [line.split(": ")[:4] for line in _rejected_lines(result)] == [
        ["scriptcheck", "rejected", str(results), "reports[1]"], ["scriptcheck", "rejected", str(results), "reports[2]"]]
    assert "scriptcheck: results read 4 = shown 1 + rejected 3" in result.stderr.splitlines()
    data = _page_data(tmp_path / "page.html")
    assert [t[0] for t in data["transcripts"]] == ["c1"]
    assert (data["summary"]["read"], data["summary"]["rejected"]) == (4, 3)


def test_report_refuses_results_of_which_every_record_was_rejected(tmp_path):
    results = _write(tmp_path / "r.jsonl", _lines({"id": "c1"}, "[]"))
    page = tmp_path / "page.html"
    result = _invoke("report", results, "-o", page)
    assert result.exit_code == 2 and isinstance(result.exception, (SystemExit, type(None))), result.output
    assert len(_rejected_lines(result)) == 2
    assert result.stderr.splitlines()[-1] == "scriptcheck: error: no results to show: 2 read, 2 rejected"
    assert not page.exists()


def test_report_strict_stops_at_the_first_bad_record_and_writes_no_page(tmp_path):
    bad = json.dumps({**REPORT, "id": "b"}).replace('"score": 90.0', '"score": NaN')
    results = _write(tmp_path / "r.jsonl", _lines(REPORT, bad, {"id": "c3"}))
    result = _invoke("report", "--strict", results, "-o", tmp_path / "page.html")
    _one_error(result, "r.jsonl:2", "not a finite number")
    assert not (tmp_path / "page.html").exists()


def test_report_leaves_out_a_parquet_row_that_is_no_report(tmp_path, monkeypatch):
    import sys
    import types

    from scriptcheck.tables import report_row

    rows = [report_row(REPORT, "t.jsonl", 1), {**report_row({**REPORT, "id": "c2"}, "t.jsonl", 2), "score": float("nan")},
            {"id": "c3"}, report_row({**REPORT, "id": "c4"}, "t.jsonl", 4)]
    # A stand-in for pyarrow, so the rows reach the reader whether or not the extra is installed.
    parquet = types.ModuleType("pyarrow.parquet")
    parquet.read_table = lambda path: types.SimpleNamespace(to_pylist=lambda: rows)
    monkeypatch.setitem(sys.modules, "pyarrow", types.ModuleType("pyarrow"))
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", parquet)
    sys.modules["pyarrow"].parquet = parquet
    results = _write(tmp_path / "r.parquet", "stand-in")
    result = _invoke("report", results, "-o", tmp_path / "page.html")
    assert result.exit_code == 0, result.output
    rejected = _rejected_lines(result)
    assert len(rejected) == 2 and "row 2: not a valid score report" in rejected[0] and "row 3" in rejected[1]
    assert [t[0] for t in _page_data(tmp_path / "page.html")["transcripts"]] == ["c1", "c4"]
    _one_error(_invoke("report", "--strict", results, "-o", tmp_path / "p2.html"), "r.parquet", "row 2")


def test_review_names_counts_and_leaves_out_bad_verdicts(tmp_path):
    confirmed = {**VERDICT, "id": "c2", "verdict": "confirmed"}
    verdicts = tmp_path / "v.jsonl"
    verdicts.write_bytes(_lines(VERDICT, {"id": "b", "turn": -1}, "not json", {**VERDICT, "verdict": "maybe"})
                         .encode("utf-8") + b"\xff\n" + _lines(confirmed).encode("utf-8"))
    result = _invoke("review", "--format", "json", verdicts)
    assert result.exit_code == 0 and result.exception is None, result.output
    rejected = _rejected_lines(result)
    assert [line.split(": ")[2] for line in rejected] == [f"{verdicts}:{number}" for number in (2, 3, 4, 5)]
    assert "rule: missing or not a string" in rejected[0] and "verdict: 'maybe'" in rejected[2]
    assert "scriptcheck: verdicts read 6 = accepted 2 + rejected 4" in result.stderr.splitlines()
    table = json.loads(result.stdout)
    assert (table["verdicts"], table["confirmed"], table["false_alarm"]) == (2, 1, 1)
    assert CliRunner().invoke(cli, ["review", "--format", "json", str(_write(tmp_path / "good.jsonl", _lines(
        VERDICT, confirmed)))]).stdout == result.stdout


def test_review_refuses_verdicts_of_which_every_line_was_rejected(tmp_path):
    verdicts = _write(tmp_path / "v.jsonl", _lines({"id": "b", "turn": -1}, "[1]"))
    result = _invoke("review", verdicts, "--lexicon-out", tmp_path / "o.yaml")
    assert result.exit_code == 2, result.output
    assert len(_rejected_lines(result)) == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == "scriptcheck: error: no verdicts to show: 2 read, 2 rejected"
    assert not (tmp_path / "o.yaml").exists()


def test_read_verdicts_and_read_results_still_raise_without_a_list_for_the_skipped(tmp_path):
    from scriptcheck.errors import InputError
    from scriptcheck.report.data import read_results
    from scriptcheck.report.review import read_verdicts

    verdicts = _write(tmp_path / "v.jsonl", _lines(VERDICT, "[1]"))
    results = _write(tmp_path / "r.jsonl", _lines(REPORT, "[1]"))
    for read, path in ((read_verdicts, verdicts), (read_results, results)):
        with pytest.raises(InputError, match=":2: "):
            read([str(path)])
        skipped = []
        read([str(path)], skipped)
        assert [(e.file, e.line) for e in skipped] == [(str(path), 2)]


def test_report_and_review_help_name_strict():
    for command in ("report", "review"):
        text = CliRunner().invoke(cli, [command, "--help"]).output
        assert "--strict" in text and "Exit 2 at the first" in text and "rejected" in text


# -- a bad transcript record: left out of the page, counted, named --------------------------------

@pytest.mark.parametrize("bad, reason", [(DEEP, "nested too deeply"), (SURROGATE, "surrogate")],
                         ids=["deep", "surrogate"])
def test_report_skips_a_transcript_record_that_cannot_be_read(tmp_path, bad, reason):
    results = _write(tmp_path / "r.jsonl", _lines(REPORT))
    transcripts = _write(tmp_path / "t.jsonl", _lines(GOOD, bad))
    page = tmp_path / "page.html"
    result = _invoke("report", results, "--transcripts", transcripts, "-o", page)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert f"scriptcheck: skipped: {transcripts}:2: " in result.stderr and reason in result.stderr
    assert "1 transcript record(s) skipped" in result.stderr
    data = _page_data(page)
    # The good conversation of the same id is shown, not the rejected one.
    assert data["transcripts"][0][9] == [[0, GOOD["turns"][0]["text"]]]


@pytest.mark.parametrize("records", [(DEEP,), (GOOD, SURROGATE)], ids=["deep", "surrogate-same-id"])
def test_score_html_page_survives_a_rejected_record(tmp_path, records):
    transcripts = _write(tmp_path / "t.jsonl", _lines(*records))
    page = tmp_path / "page.html"
    result = _invoke("score", "-q", "--jobs", "1", "--format", "html", "-o", page, transcripts)
    # Every record rejected (deep) exits 2, nothing having been scored; the page is written all the same.
    assert result.exit_code == (0 if len(records) == 2 else 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    data = _page_data(page)
    assert data["summary"]["rejected"] == 1 and data["summary"]["read"] == len(records)
    assert [t[0] for t in data["transcripts"]] == (["c1"] if len(records) == 2 else [])
    if len(records) == 2:  # the scored record's turns, not those of the rejected one with its id
        assert data["transcripts"][0][9] == [[0, GOOD["turns"][0]["text"]]]


def test_read_turns_leaves_out_what_score_rejects(tmp_path):
    from scriptcheck.io.transcripts import read_transcripts

    deep_metadata = {"id": "m", "turns": GOOD["turns"], "metadata": {"x": json.loads("[" * 40 + "]" * 40)}}
    records = [GOOD, DEEP, SURROGATE, deep_metadata,
               {"id": "t", "turns": [{"speaker": "agent", "text": "好", "start": "abc"}]},
               {"id": "n", "turns": [{"speaker": "agent", "text": "好", "start": -1}]},
               {"id": "", "turns": GOOD["turns"]},
               '{"id": ' + "1" * 5000 + ', "turns": []}']
    path = _write(tmp_path / "t.jsonl", _lines(*records))
    expected = {r.transcript.id: [(str(getattr(t.speaker, "value", t.speaker)), t.text) for t in r.transcript.turns]
                for r in read_transcripts(str(path)) if r.transcript is not None}
    skipped = []
    assert read_turns([str(path)], skipped=skipped) == expected == {"c1": [("agent", GOOD["turns"][0]["text"])]}
    assert [e.line for e in skipped] == [2, 3, 4, 5, 6, 7, 8]
