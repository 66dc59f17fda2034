"""Writers for ``scriptcheck score``: one class per output format, all streaming."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import IO, TYPE_CHECKING

from scriptcheck.io.paths import OutputError
from scriptcheck.models import Report
from scriptcheck.profile.schema import DIMENSIONS

if TYPE_CHECKING:
    from scriptcheck.batch import BatchStats, Scored

__all__ = ["ReportWriter", "WRITERS", "render_summary", "escape_controls", "escape_line", "spreadsheet_safe"]

# C0 and C1 control characters, DEL, and the bidirectional overrides/isolates: in data they
# must not move the cursor, recolour the terminal or reorder what a reviewer reads.
_CONTROL_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[{_CONTROL_CHARACTERS}]")


# The same and tabs and line ends: a message meant to be one line (an error, a rejected record,
# a finding) must stay one, whatever a file name or a field holds (a file named
# "x\nscriptcheck: error: …" forged a second error line).
_LINE_CONTROLS = re.compile(f"[\t\n\u2028\u2029{_CONTROL_CHARACTERS}]")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_controls(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), for a terminal; tabs and
    line ends are kept (a table's lines)."""
    return _CONTROLS.sub(_escaped, text)


def escape_line(text: str) -> str:
    """:func:`escape_controls` for a message that must stay one line: tabs and line ends are
    shown as escapes too (``\\n``)."""
    return _LINE_CONTROLS.sub(_escaped, text)


class ReportWriter:
    """Streams reports to ``out`` as they come; ``end`` writes whatever closes the output.

    A text format also says how to *render* reports without a writer (:meth:`render_many`, a
    class method, so worker processes can turn their reports into the output's text and the
    parent only writes it: ``batch.score_chunks``); :meth:`write` is the same rendering, so
    the text is the same whichever process made it. ``renders`` is False for a format whose
    output is not a concatenation of per-report texts (Parquet).
    """

    renders = True
    # Flush after each text written, so what was scored shows as it comes (a pipe's reader, a
    # run that is watched); ``scriptcheck score`` turns it off where its inputs never make it
    # wait, and the output holds whole blocks instead (GuardedOutput.hold).
    flush_each = True

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def begin(self) -> None:
        """Write anything that precedes the first report."""

    @classmethod
    def render_many(cls, reports: list[Report]) -> str:
        """The text ``reports`` add to the output, in order (not the separators before them)."""
        raise NotImplementedError

    @classmethod
    def render_bytes(cls, reports: list[Report]) -> bytes | str:
        """:meth:`render_many` encoded as UTF-8 (what a worker sends: the parent writes it as
        it comes, :meth:`GuardedOutput.write_bytes`); the text itself if it cannot be encoded
        (a lone surrogate), so writing it fails as it always did."""
        text = cls.render_many(reports)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return text

    def write_text(self, text: str | bytes) -> None:
        """Write what :meth:`render_many` (or :meth:`render_bytes`) made of consecutive reports
        (nothing for an empty text)."""
        if text:
            self._put(text)
            if self.flush_each:
                self.out.flush()

    def _put(self, text: str | bytes) -> None:
        if type(text) is bytes:
            self.out.write_bytes(text)
        else:
            self.out.write(text)

    def write(self, report: Report) -> None:
        """Write one report (whole lines only, so an interrupted run leaves complete lines)."""
        self.write_text(self.render_many([report]))

    def write_scored(self, scored: "Scored") -> None:
        """Write a batch result; the JSON writers take the worker's serialised report as it is
        instead of parsing it back into a ``Report``."""
        self.write(scored.get_report())

    def end(self, stats: "BatchStats") -> None:
        """Write anything that follows the last report."""

    def abort(self, stats: "BatchStats") -> None:
        """Close the output after an interrupted or failed batch, so what was written stays a
        valid document (complete records; the JSON array and object closed)."""


def _json_bytes(reports: list[Report], separator: bytes) -> bytes | None:
    """The reports' JSON (``model_dump_json``) as UTF-8 bytes joined by ``separator``, straight
    from pydantic-core: ``model_dump_json`` decodes the bytes pydantic-core makes, and
    :meth:`ReportWriter.render_bytes` encoded the text again, a third of the cost of writing a
    report. ``None`` when one cannot be written (a lone surrogate): the caller's text path
    then fails as it always did."""
    try:
        return separator.join([report.__pydantic_serializer__.to_json(report) for report in reports])
    except ValueError:  # pydantic-core's serialization error
        return None


class JsonlWriter(ReportWriter):
    """One report per line (the wire schema)."""

    @classmethod
    def render_many(cls, reports: list[Report]) -> str:
        return "".join([report.model_dump_json() + "\n" for report in reports])

    @classmethod
    def render_bytes(cls, reports: list[Report]) -> bytes | str:
        """:meth:`render_many` as UTF-8, made as bytes (see :func:`_json_bytes`)."""
        rendered = _json_bytes(reports, b"\n")
        if rendered is None:
            return super().render_bytes(reports)
        return rendered + b"\n" if reports else rendered

    def write_scored(self, scored: "Scored") -> None:
        self.write_json(scored.get_json())

    def write_json(self, line: str) -> None:
        """Write a report already serialised (by a worker process)."""
        self.out.write(line + "\n")
        self.out.flush()


class JsonWriter(ReportWriter):
    """``{"reports": [...], "summary": {...}}``, reports written as they come."""

    _first: bool | None = None  # None until the array is opened

    def begin(self) -> None:
        self._first = True
        self.out.write('{"reports": [\n')

    @classmethod
    def render_many(cls, reports: list[Report]) -> str:
        return ",\n".join([report.model_dump_json() for report in reports])

    @classmethod
    def render_bytes(cls, reports: list[Report]) -> bytes | str:
        """:meth:`render_many` as UTF-8, made as bytes (see :func:`_json_bytes`)."""
        rendered = _json_bytes(reports, b",\n")
        return super().render_bytes(reports) if rendered is None else rendered

    def write_text(self, text: str | bytes) -> None:
        if text:
            separator = "" if self._first else ",\n"
            self._put(separator.encode("ascii") + text if type(text) is bytes else separator + text)
            self._first = False

    def write_scored(self, scored: "Scored") -> None:
        self.write_json(scored.get_json())

    def write_json(self, report: str) -> None:
        """Write a report already serialised (by a worker process), or several joined by
        :meth:`render_many`."""
        self.out.write(("" if self._first else ",\n") + report)
        self._first = False

    def end(self, stats: "BatchStats") -> None:
        self.out.write('\n], "summary": ' + json.dumps(stats.to_dict(), ensure_ascii=False) + "}\n")

    def abort(self, stats: "BatchStats") -> None:
        if self._first is None:
            self.begin()
        self.out.write('\n], "summary": ' + json.dumps(stats.to_dict(), ensure_ascii=False)
                       + ', "complete": false}\n')


# A cell a spreadsheet would read as a formula (=HYPERLINK(…), +cmd|…, @SUM(…), -2+3): the CSV of a
# batch is opened in Excel by QA leads, and its ids and agent ids come from the export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: a string that starts like a formula is
    prefixed with ``'`` (OWASP's advice for CSV injection); other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvWriter(ReportWriter):
    """One row per transcript: scores per dimension and the rules that cost points (text taken
    from the data made :func:`spreadsheet_safe`)."""

    columns = ["id", "profile", "agent_id", "score", "passed", "vetoed", *DIMENSIONS, "findings", "rules",
               "missing_steps"]

    def begin(self) -> None:
        csv.writer(self.out, lineterminator="\n").writerow(self.columns)

    @classmethod
    def render_many(cls, reports: list[Report]) -> str:
        # The csv module keeps no state between rows: rows written to a buffer here are the
        # bytes a writer on the output would have written.
        buffer = io.StringIO()
        rows = csv.writer(buffer, lineterminator="\n")
        for report in reports:
            rows.writerow([
                spreadsheet_safe(report.id), spreadsheet_safe(report.profile),
                spreadsheet_safe(report.metadata.get("agent_id", "")), report.score,
                str(report.passed).lower(), str(report.vetoed).lower(),
                *[report.dimensions.get(d, "") for d in DIMENSIONS],
                len(report.findings), " ".join(sorted({f.rule for f in report.findings})),
                spreadsheet_safe(" ".join(s.name for s in report.steps if not s.satisfied)),
            ])
        return buffer.getvalue()


class TableWriter(ReportWriter):
    """Human-readable: one line per transcript with the evidence for each point lost, then
    the summary."""

    @classmethod
    def render_many(cls, reports: list[Report]) -> str:
        return "".join([cls._render(report) for report in reports])

    @staticmethod
    def _render(report: Report) -> str:
        verdict = "PASS" if report.passed else ("VETO" if report.vetoed else "FAIL")
        agent = report.metadata.get("agent_id")
        dims = "  ".join(f"{d}={v:g}" for d, v in report.dimensions.items())
        lines = [f"{verdict}  {report.score:6.2f}  {report.id}  [{report.profile}"
                 f"{', agent ' + str(agent) if agent else ''}]  {dims}"]
        for f in report.findings:
            where = f"turn {f.turn}" if f.turn is not None else "transcript"
            if f.start is not None:
                where += f" @{f.start}-{f.end}"
            quote = f" 「{f.text}」" if f.text else ""
            lines.append(f"    {f.rule} [{f.severity.value}] {where}:{quote} {f.message}")
            if f.suggestion:
                lines.append(f"        → {f.suggestion}")
        for d in report.deductions:
            lines.append(f"    -{d.points:g} {d.dimension} ({d.rule} ×{d.count})")
        # Each line escaped on its own: a line end in an id, an agent id or a quote would
        # otherwise forge a line of the table ("PASS  100.00  forged-id").
        return "".join(escape_line(line) + "\n" for line in lines)

    def end(self, stats: "BatchStats") -> None:
        self.out.write(render_summary(stats))


def render_summary(stats: "BatchStats") -> str:
    """The batch summary as text: counts, pass rate, mean score, top rules, per agent."""
    lines = ["", "Summary",
             f"  transcripts read {stats.read} = scored {stats.scored} + rejected {stats.rejected}"]
    if stats.scored:
        lines.append(f"  passed {stats.passed}/{stats.scored} ({stats.pass_rate:.1%}), "
                     f"mean score {stats.mean_score:.2f}")
    if stats.rules:
        lines.append("  top rules: " + ", ".join(f"{r}×{c}" for r, c in stats.rules.most_common(8)))
    if stats.agents:
        lines.append("  per agent:")
        for agent, (n, total, passed) in sorted(stats.agents.items()):
            lines.append(f"    {escape_line(agent):<10} transcripts {n:>4}  mean {total / n:6.2f}  passed {passed}/{n}")
    return "\n".join(lines) + "\n"


class ParquetWriter(ReportWriter):
    """Reports as a Parquet table with the columns of :mod:`scriptcheck.tables` (those of the
    Spark engine), written in row groups as they come; an interrupted run still closes the
    file, so it holds the complete row groups written. Needs pyarrow (the ``parquet`` extra)."""

    _ROWS_PER_GROUP = 4096
    renders = False  # rows of a table, not text: reports come to write()/write_scored()

    def begin(self) -> None:
        import pyarrow.parquet as pq

        from scriptcheck.tables import report_schema

        if self.out.binary().isatty():
            raise OutputError("--format parquet writes a binary file: give it with -o FILE")
        self._rows: list[dict] = []
        self._writer = pq.ParquetWriter(self.out.binary(), report_schema())

    def write(self, report: Report) -> None:
        self._add(report.model_dump(mode="json"))

    def write_scored(self, scored: "Scored") -> None:
        self._add(json.loads(scored.get_json()))

    def _add(self, report: dict) -> None:
        from scriptcheck.tables import report_row

        self._rows.append(report_row(report))
        if len(self._rows) >= self._ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        from scriptcheck.tables import rows_to_table

        if self._rows:
            self._writer.write_table(rows_to_table(self._rows))
            self._rows = []

    def end(self, stats: "BatchStats") -> None:
        self._flush()
        self._writer.close()

    def abort(self, stats: "BatchStats") -> None:
        if getattr(self, "_writer", None) is not None:
            self.end(stats)


WRITERS = {"table": TableWriter, "json": JsonWriter, "jsonl": JsonlWriter, "csv": CsvWriter,
           "parquet": ParquetWriter}
