"""Score reports and transcripts → the compact payload the HTML report embeds.

The page may hold 10⁵ transcripts, so the payload is shaped for size and for one pass in the
browser: repeated strings (rule codes, step names, dimensions, agents) are stored once in tables
and referenced by index; each transcript is one array. Statistics that do not depend on the
filters (summary, rules, steps, agents, score histogram) are computed here, once.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import ValidationError

from scriptcheck.errors import InputError
from scriptcheck.io.encoding import decode_bytes, undecodable
from scriptcheck.io.jsontext import InvalidJSON, loads, raw_decode
from scriptcheck.io.lines import json_records, read_bytes
from scriptcheck.io.records import MAX_TRANSCRIPT_CHARS, normalize_speaker
from scriptcheck.io.transcripts import iter_input_files, read_transcripts
from scriptcheck.io.walk import files_below
from scriptcheck.models import make_report

__all__ = ["ReportInput", "read_results", "read_turns", "build_payload", "result_files", "jsonl_records",
           "RESULT_SUFFIXES"]

RESULT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet")


@dataclass
class ReportInput:
    """What the results files held: reports in their wire form, and what they say was rejected."""

    reports: list[dict] = field(default_factory=list)
    rejected: int | None = None  # None: the input does not say
    read: int | None = None
    sources: list[str] = field(default_factory=list)


def result_files(sources: Iterable[str]) -> Iterator[Path]:
    """The results files named, a directory walked as every input directory is
    (:func:`scriptcheck.io.walk.files_below`: no hidden files, no symbolic links) for the
    :data:`RESULT_SUFFIXES`."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from sorted(p for p in files_below(path) if p.suffix.lower() in RESULT_SUFFIXES)
        else:
            yield path


def _cannot_read(exc: OSError, path: str, line: int | None = None) -> InputError:
    return InputError(f"cannot read: {exc.strerror or exc}", file=path, line=line)


def _utf8_items(path: str | Path) -> Iterator[str | InputError]:
    """The lines of a UTF-8 file (a BOM dropped), read as bytes and decoded one by one, so an
    undecodable line is given as an :class:`InputError` naming its line (a text stream failed
    with a UnicodeDecodeError at some block of the file) and the lines after it are still read
    (one bad line is one bad record); a file that cannot be opened or read raises."""
    name = str(path)
    try:
        stream = open(path, "rb")
    except OSError as exc:
        raise _cannot_read(exc, name) from None
    with stream:
        number = 0
        while True:
            try:
                raw = stream.readline()
            except OSError as exc:
                raise _cannot_read(exc, name, number + 1) from None
            if not raw:
                return
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line: str | InputError = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = undecodable(raw, exc, "utf-8", file=name, line=number)
            yield line


def jsonl_records(path: str | Path) -> Iterator[tuple[int, Any]]:
    """:func:`scriptcheck.io.lines.json_records` of a UTF-8 JSON Lines file: an undecodable or
    unparsable line is given as its :class:`InputError`; a file that cannot be read raises."""
    return json_records(enumerate(_utf8_items(path), start=1), str(path))


def _add_count(current: int | None, value: Any) -> int | None:
    if type(value) is not int or value < 0:  # a count: not a bool, a float or a negative number
        return current
    return (current or 0) + value


def read_results(sources: Iterable[str], skipped: list[InputError] | None = None) -> ReportInput:
    """Read score reports from ``scriptcheck score --format jsonl|json`` (or Parquet) files.

    A JSON file's ``summary`` gives the read and rejected counts; Parquet rows with an
    ``error`` are rejected records. A record that is no valid score report (a line that is not
    JSON or not UTF-8, a NaN score …) raises :class:`InputError` (file, line) — or, with
    ``skipped``, is appended to it, left out and counted among the rejected records, and the
    reading goes on. A file that is not a report file at all (missing, not readable, a JSON
    document that cannot be parsed or holds no reports) always raises.
    """
    out = ReportInput()
    here: list[InputError] = []

    def bad(error: InputError) -> None:
        if skipped is None:
            raise error
        here.append(error)

    for path in result_files(sources):
        out.sources.append(str(path))
        if not path.is_file():
            raise InputError("not a regular file (a pipe, socket or device): refused" if path.exists()
                             else "no such file", file=str(path))
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            _read_parquet(path, out, bad)
            continue
        lines: Iterable[str | InputError] = ()
        if suffix == ".json":
            text, _ = decode_bytes(read_bytes(str(path)), file=str(path), encoding="utf-8-sig")
            doc = _json_document(text, path) if text[:1] == "{" else None
            if doc is None:  # one report a line in a .json file: read it as JSONL below
                lines = text.split("\n")
            elif isinstance(doc, dict) and isinstance(doc.get("reports"), list):
                for index, report in enumerate(doc["reports"]):
                    # A JSON document's reports have no line of their own: named by their place.
                    where = f"reports[{index}]"
                    if not _is_report(report):  # passed over unsaid, before: now named and counted
                        bad(InputError("not a score report (no id/score/findings)", file=str(path), field=where))
                        continue
                    _add_checked(out, report, path, bad, field=where)
                summary = doc.get("summary")
                summary = summary if isinstance(summary, dict) else {}
                out.read = _add_count(out.read, summary.get("read"))
                out.rejected = _add_count(out.rejected, summary.get("rejected"))
                continue
            elif _is_report(doc):
                _add_checked(out, doc, path, bad)
                continue
            else:
                raise InputError('not a score report (expected {"reports": [...]})', file=str(path))
        else:
            lines = _utf8_items(path)
        for number, doc in json_records(enumerate(lines, start=1), str(path)):
            if isinstance(doc, InputError):
                bad(doc)
            elif _is_report(doc):
                _add_checked(out, doc, path, bad, line=number)
            elif isinstance(doc, dict) and "error" in doc:  # an --errors file given as input
                out.rejected = (out.rejected or 0) + 1
            else:
                bad(InputError("not a score report (no id/score/findings)", file=str(path), line=number))
    if here:
        # Read = shown + rejected: what this reading left out is rejected as much as what score did.
        out.rejected = (out.rejected or 0) + len(here)
        skipped.extend(here)
    if out.rejected is not None and out.read is None:
        out.read = len(out.reports) + out.rejected
    return out


def _add_checked(out: ReportInput, doc: dict, path: Path, bad, *, line: int | None = None,
                 field: str | None = None) -> None:
    """Add ``doc`` to ``out`` when it is a valid report (:func:`_checked`), else hand its error to ``bad``."""
    try:
        out.reports.append(_checked(doc, path, line))
    except InputError as exc:
        if field is not None:
            exc = InputError(exc.reason, file=exc.file, line=exc.line, field=field)
        bad(exc)


def _json_document(text: str, path: Path) -> Any:
    """The one JSON value ``text`` holds, or ``None`` when more follows it (JSON Lines saved
    as ``.json``). Whatever makes the text unusable (bad syntax, nesting too deep, an integer of
    more than 4,300 digits, a lone surrogate) is an :class:`InputError` naming the line."""
    try:
        doc, end = raw_decode(json.JSONDecoder(), text, 0)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    except InvalidJSON as exc:
        raise InputError(f"invalid JSON: {exc}", file=str(path), line=_failure_line(text, str(exc))) from None
    return None if text[end:].strip() else doc


def _failure_line(text: str, reason: str) -> int:
    """The line of ``text`` where decoding failed, as near as the reason tells: the first run of
    digits too long to convert, else the line the document starts on."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit and "digits" in reason:
        match = re.search(r"\d{%d,}" % (limit + 1), text)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return 1


def _is_report(doc: Any) -> bool:
    return isinstance(doc, dict) and "score" in doc and "findings" in doc and "id" in doc


def _checked(doc: dict, path: Path, line: int | None = None) -> dict:
    """``doc`` when it is a report of the wire schema with finite numbers; else :class:`InputError`
    (a results file is input too: ``"findings": "abc"`` or a NaN score crashed the page)."""
    try:
        report = make_report(doc)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "(report)"
        raise InputError(f"not a valid score report: {where}: {problem['msg']}", file=str(path), line=line) from None
    if not all(math.isfinite(v) for v in (report.score, *report.dimensions.values())):
        raise InputError("not a valid score report: a score that is not a finite number", file=str(path), line=line)
    return doc


def _read_parquet(path: Path, out: ReportInput, bad) -> None:
    """The reports of a Parquet results table into ``out``; a row that is no report goes to ``bad``."""
    from scriptcheck.tables import row_to_report

    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError('reading Parquet needs pyarrow: pip install "scriptcheck[parquet]"', file=str(path)) from None
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises several types (and OSError) for a file that is not Parquet
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"cannot read Parquet: {reason}", file=str(path)) from None
    rejected = 0
    for number, row in enumerate(rows, start=1):
        if row.get("error"):
            rejected += 1
            continue
        try:
            report = row_to_report(row)
        except (KeyError, TypeError, ValueError) as exc:
            bad(InputError(f"not a score results table: row {number}: {type(exc).__name__}: {exc}", file=str(path)))
            continue
        _add_checked(out, report, path, bad, field=f"row {number}")
    out.rejected = (out.rejected or 0) + rejected


def read_turns(sources: Iterable[str], encoding: str | None = None,
               skipped: list[InputError] | None = None) -> dict[str, list[tuple[str, str]]]:
    """``id → [(speaker, text), …]`` for every readable transcript of the files/directories.

    Unreadable records are skipped — the report only shows conversations, it scores nothing —
    exactly those ``score`` rejects for what they hold (bad JSON, nesting too deep, a lone
    surrogate, undecodable bytes, a missing field …), so a rejected record never stands in for
    the conversation of the same id that was scored. With ``skipped``, the error of each
    skipped record (and of each input file that cannot be read) is appended to it.
    """
    turns: dict[str, list[tuple[str, str]]] = {}
    for source in iter_input_files(sources):
        try:
            for record in read_transcripts(source, encoding=encoding, validate=False):
                quick = _quick_turns(record.raw)
                if quick is not None:
                    turns[quick[0]] = quick[1]
                    continue
                record = record.validated()
                if record.transcript is not None:
                    turns[record.transcript.id] = [(str(getattr(t.speaker, "value", t.speaker)), t.text)
                                                   for t in record.transcript.turns]
                elif skipped is not None and record.error is not None:
                    skipped.append(record.error)
        except OSError as exc:  # a read error in the middle of a file: the other files are still read
            if skipped is not None:
                skipped.append(_cannot_read(exc, source))
    return turns


def _time_ok(value: Any) -> bool:
    """Whether a turn's ``start``/``end`` is one validation keeps as it is (absent, or a
    non-negative number a float holds)."""
    return value is None or (type(value) in (int, float) and 0 <= value < 1e300)


def _quick_turns(raw: Any) -> tuple[str, list[tuple[str, str]]] | None:
    """``(id, turns)`` of a plainly well-formed record without building the pydantic model
    (which is most of the time a page of 10⁵ conversations takes); ``None`` sends anything
    less plain through full validation, which accepts what ``score`` accepts: text is decoded
    as the readers decode it (:func:`scriptcheck.io.jsontext.loads`: no nesting too deep for the
    decoder, no lone surrogate), and a record that may break a bound of
    :func:`scriptcheck.io.records.build_transcript` (nested metadata, too much text) or holds
    a turn time validation may refuse is left to it."""
    if isinstance(raw, str):
        try:
            raw = loads(raw)
        except InvalidJSON:
            return None
    if type(raw) is not dict:
        return None
    ident, turns = raw.get("id"), raw.get("turns")
    if not (isinstance(ident, int) or (isinstance(ident, str) and ident)) or type(turns) is not list:
        return None
    for key, value in raw.items():
        if key == "metadata":
            if type(value) is not dict or any(type(v) is dict or type(v) is list for v in value.values()):
                return None
        elif (type(value) is dict or type(value) is list) and key != "turns":
            return None
    out = []
    size = 0
    for turn in turns:
        if type(turn) is not dict:
            return None
        text = turn.get("text")
        if type(text) is not str or not _time_ok(turn.get("start")) or not _time_ok(turn.get("end")):
            return None
        if "metadata" in turn and type(turn["metadata"]) is not dict:
            return None
        speaker = normalize_speaker(turn.get("speaker"))
        if speaker is None:
            return None
        size += len(text)
        out.append((speaker, text))
    if not out or size > MAX_TRANSCRIPT_CHARS:
        return None
    return str(ident), out


class _Table:
    """Strings stored once; referenced by index."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = len(self.items)
            self.items.append(value)
        return index


def _agent_of(report: dict, agent_field: str) -> str | None:
    value = (report.get("metadata") or {}).get(agent_field)
    if value is None and agent_field == "agent_id":
        value = report.get("agent_id")
    if value is None or value == "" or isinstance(value, (dict, list)):  # an object names no agent
        return None
    return str(value)


def build_payload(data: ReportInput, turns: dict[str, list[tuple[str, str]]] | None = None, *,
                  agent_field: str = "agent_id", title: str = "") -> dict:
    """The page's data: tables of strings, one array per transcript, batch statistics.

    A transcript is ``[id, score, passed, vetoed, agent, dims, findings, steps, deductions,
    turns]`` with findings ``[rule, turn, start, end, text, message?, suggestion?]`` (message
    and suggestion only when they differ from the rule's usual ones), steps ``[step, satisfied,
    turn, start, end]``, deductions ``[rule, dimension, points, count]`` and turns
    ``[[speaker, text], …]`` (``0`` agent, ``1`` customer) or ``null``.
    """
    rules, steps, dims, agents = _Table(), _Table(), _Table(), _Table()
    rule_info: dict[str, dict] = {}
    rows = []
    scores = []
    rule_findings: Counter = Counter()
    rule_transcripts: Counter = Counter()
    step_total: Counter = Counter()
    step_ok: Counter = Counter()
    dim_sum: Counter = Counter()
    dim_n: Counter = Counter()
    agent_stats: dict[str, list] = {}
    for report in data.reports:
        score = float(report.get("score") or 0.0)
        scores.append(score)
        findings = []
        seen_rules = set()
        for f in report.get("findings") or []:
            code = f.get("rule") or "?"
            info = rule_info.setdefault(code, {"category": f.get("category") or "", "severity": f.get("severity") or "",
                                               "message": f.get("message") or "", "suggestion": f.get("suggestion") or ""})
            item = [rules(code), f.get("turn"), f.get("start"), f.get("end"), f.get("text") or ""]
            message, suggestion = f.get("message") or "", f.get("suggestion") or ""
            if message != info["message"] or suggestion != info["suggestion"]:
                item += [message, suggestion]
            findings.append(item)
            rule_findings[code] += 1
            seen_rules.add(code)
        rule_transcripts.update(seen_rules)
        step_items = []
        for s in report.get("steps") or []:
            name = s.get("name") or s.get("rule") or "?"
            step_total[name] += 1
            step_ok[name] += bool(s.get("satisfied"))
            step_items.append([steps(name), 1 if s.get("satisfied") else 0, s.get("turn"), s.get("start"), s.get("end")])
        dim_values = {}
        for name, value in (report.get("dimensions") or {}).items():
            dims(name)
            dim_values[name] = value
            dim_sum[name] += value
            dim_n[name] += 1
        deductions = [[rules(d.get("rule") or "?"), dims(d.get("dimension") or "?"), d.get("points"), d.get("count")]
                      for d in report.get("deductions") or []]
        agent = _agent_of(report, agent_field)
        if agent is not None:
            entry = agent_stats.setdefault(agent, [0, 0.0, 0, Counter()])
            entry[0] += 1
            entry[1] += score
            entry[2] += bool(report.get("passed"))
            entry[3].update(f.get("rule") for f in report.get("findings") or [])
        rid = str(report.get("id"))
        convo = turns.get(rid) if turns is not None else None
        rows.append([rid, score, 1 if report.get("passed") else 0, 1 if report.get("vetoed") else 0,
                     agents(agent) if agent is not None else -1, dim_values, findings, step_items, deductions,
                     [[0 if sp == "agent" else 1, text] for sp, text in convo] if convo is not None else None])
    # Dimensions as positional arrays once every name is known (reports may differ in which they carry).
    for row in rows:
        row[5] = [row[5].get(name) for name in dims.items]
    n = len(rows)
    passed = sum(r[2] for r in rows)
    summary = {
        "transcripts": n, "passed": passed, "pass_rate": round(passed / n, 4) if n else None,
        "mean": round(statistics.fmean(scores), 2) if scores else None,
        "median": round(statistics.median(scores), 2) if scores else None,
        "vetoed": sum(r[3] for r in rows), "rejected": data.rejected, "read": data.read,
        "with_turns": sum(1 for r in rows if r[9] is not None),
    }
    rule_rows = [{"rule": code, **rule_info.get(code, {"category": "", "severity": "", "message": "", "suggestion": ""}),
                  "findings": rule_findings[code], "transcripts": rule_transcripts[code],
                  "share": round(rule_transcripts[code] / n, 4) if n else 0}
                 for code in rules.items if rule_findings[code]]
    rule_rows.sort(key=lambda r: (-r["findings"], r["rule"]))
    step_rows = [{"name": name, "total": step_total[name], "satisfied": step_ok[name],
                  "rate": round(step_ok[name] / step_total[name], 4) if step_total[name] else None}
                 for name in steps.items]
    agent_rows = [{"agent": a, "transcripts": v[0], "mean": round(v[1] / v[0], 2), "pass_rate": round(v[2] / v[0], 4),
                   "top": [r for r, _ in v[3].most_common(3)]} for a, v in sorted(agent_stats.items())]
    return {
        "title": title, "sources": data.sources, "summary": summary,
        "rules": rules.items, "rule_info": {c: rule_info.get(c, {}) for c in rules.items},
        "steps": steps.items, "dims": dims.items, "agents": agents.items, "agent_field": agent_field,
        "dim_means": {name: round(dim_sum[name] / dim_n[name], 2) for name in dims.items if dim_n[name]},
        "histogram": histogram(scores), "rule_rows": rule_rows, "step_rows": step_rows, "agent_rows": agent_rows,
        "transcripts": rows,
    }


def histogram(scores: list[float], bins: int = 10) -> list[int]:
    """Counts of scores in ``bins`` equal bins over 0–100 (100 in the last; below 0 in the first)."""
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score * bins // 100)))] += 1
    return counts
