"""Streaming transcript readers: JSONL, CSV and plain-text dialogues, in any common encoding.

Each reader yields :class:`Record`\\ s lazily, one per transcript, so memory stays flat however
large the file; a bad record becomes a ``Record`` with an ``error`` and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
import sys
from pathlib import Path
from functools import partial
from typing import BinaryIO, Callable, Iterable, Iterator

from scriptcheck.errors import InputError
from scriptcheck.io.encoding import SNIFF_BYTES, sniff_encoding, undecodable
from scriptcheck.io.jsontext import (InvalidJSON, TooManyValues, could_exceed, json_type, raw_decode, too_many_values,
                                     unique_object)
from scriptcheck.io.lines import open_input
from scriptcheck.io.parquet import read_parquet
from scriptcheck.io.quoting import cut, quoted
from scriptcheck.io.records import MAX_RECORD_VALUES, Record, normalize_speaker
from scriptcheck.io.walk import files_below

__all__ = ["read_transcripts", "iter_input_files", "FORMATS", "format_of", "txt_speaker", "duplicate_column",
           "MAX_JSON_ELEMENT", "MAX_LINE"]

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".txt": "txt",
           ".tsv": "csv", ".parquet": "parquet"}

# A .json file is read element by element; one element (one transcript) may not exceed this.
MAX_JSON_ELEMENT = 64 * 1024 * 1024
# Nor may one line of any file (a JSONL record, a CSV row): memory stays bounded whatever the input.
MAX_LINE = 64 * 1024 * 1024
# How much more text to read before trying an incomplete element again (then doubling), so a
# large element is decoded a logarithmic number of times, not once per line.
_JSON_READ_AHEAD = 64 * 1024
# Where the text after an element is long enough to hold more values than a record may (a
# .json file written on one line), the element is first decoded from this much of it: it
# cannot hold too many, and an element that fits (any real one) then costs no count.
_JSON_SHORT = 64 * 1024
_BLANK_TO_END = re.compile(r"\s*\Z")


def format_of(path: str, default: str | None = None) -> str:
    """The reader for a path, from its suffix (``jsonl``, ``json``, ``csv`` or ``txt``)."""
    fmt = FORMATS.get(Path(path).suffix.lower(), default)
    if fmt is None:
        raise InputError(f"unknown file type (expected one of {', '.join(sorted(FORMATS))})", file=path)
    return fmt


def iter_input_files(sources: Iterable[str]) -> Iterator[str]:
    """Expand directories (recursively, sorted; walked as :mod:`scriptcheck.io.walk` says) into
    the transcript files they hold."""
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            for child in sorted(files_below(path)):
                if child.suffix.lower() in FORMATS:
                    yield str(child)
        else:
            yield source


def _decoded_lines(stream: BinaryIO, source: str, encoding: str | None,
                   undecoded: bool = False, cr: bool = False) -> Iterator[tuple[int, str | bytes | InputError]]:
    """Yield ``(line number, text)`` per line, or an :class:`InputError` for an undecodable line.

    With ``undecoded``, a line of a UTF-8 input that starts with ``{`` comes as the bytes read
    (line ending included): a JSON Lines record, left for ``Record.validated`` to decode where
    it is parsed — in a worker process when scoring in parallel, so this process does not
    decode the input only for it to be encoded again on its way to the worker.

    With ``cr``, a lone carriage return ends a line too, as in universal-newline mode (old Mac
    exports end their lines so), and lines are numbered so; split before decoding, which is
    safe in every encoding read here (no multi-byte character of UTF-8 or GB18030 holds the
    byte ``\\r``), so an undecodable byte costs its own line only."""
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(stream, "peek") else b""
    chosen = encoding or sniff_encoding(head)
    undecoded = undecoded and chosen == "utf-8"
    codec = "utf-8" if chosen == "utf-8-sig" else chosen
    first = True
    number = 0
    for raw in iter(lambda: stream.readline(MAX_LINE + 1), b""):
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            # A line longer than any record (or no newline at all): memory stays bounded — the
            # rest of the line is skipped in pieces and the line reported.
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE)
            yield number, InputError(f"line longer than {MAX_LINE} bytes", file=source, line=number)
            first = False
            continue
        if first and chosen in ("utf-8-sig", "utf-8") and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        first = False
        if undecoded and raw[:1] == b"{":  # never blank, whatever it decodes to
            yield number, raw
            continue
        if cr and b"\r" in raw:
            # The line without its ending (CR LF, LF, or a CR at the end of the file), cut at each CR.
            body = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith((b"\n", b"\r")) else raw
            pieces = body.split(b"\r")
            for piece in pieces[:-1]:
                yield number, _decoded(piece, codec, chosen, source, number)
                number += 1
            raw = pieces[-1]
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            yield number, undecodable(raw, exc, chosen, file=source, line=number)
            continue
        yield number, text.rstrip("\r\n")


def _decoded(raw: bytes, codec: str, chosen: str, source: str, number: int) -> str | InputError:
    """One line's text without its line ending, or the error naming its undecodable bytes."""
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        return undecodable(raw, exc, chosen, file=source, line=number)
    return text.rstrip("\r\n")


def read_transcripts(source: str, fmt: str | None = None, encoding: str | None = None,
                     *, validate: bool = True, undecoded: bool = False,
                     speaker_of: Callable[[str], str | None] | None = None) -> Iterator[Record]:
    """Stream the transcripts of one file (``-`` for stdin); errors become error records.

    With ``validate=False`` records carry their ``raw`` form (JSON text or a dict) and are
    validated by :meth:`Record.validated` later, e.g. in a worker process; with ``undecoded``
    too, a JSON Lines record of a UTF-8 input may carry the line's bytes, not yet decoded.
    ``speaker_of`` reads a TXT line's label (agent/customer, or ``None``: not a new turn; default
    :func:`txt_speaker`); the call reader passes one that looks in its ``--speaker-map`` first.
    """
    try:
        fmt = fmt or format_of(source, default="jsonl" if source == "-" else None)
        if fmt == "parquet":  # columnar, read by pyarrow (io/parquet.py), not line by line
            for record in read_parquet(source):
                yield record.validated() if validate else record
            return
        stream = open_input(source)
    except InputError as exc:
        yield Record(source, 0, error=exc)
        return
    reader = {"jsonl": _read_jsonl, "json": _read_json, "csv": _read_csv,
              "txt": partial(_read_txt, speaker_of=speaker_of or txt_speaker)}[fmt]
    try:
        lines = _decoded_lines(stream, source, encoding, undecoded=undecoded and not validate and fmt == "jsonl",
                               cr=fmt == "txt")
        for record in reader(lines, source):
            yield record.validated() if validate else record
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _read_jsonl(lines, source: str) -> Iterator[Record]:
    for number, text in lines:
        if isinstance(text, InputError):
            yield Record(source, number, error=text)
        elif type(text) is bytes or text.strip():
            yield Record(source, number, raw=text)


class _JsonText:
    """The decoded text of a .json file, read on demand, with the consumed prefix dropped so
    memory holds about one element at a time."""

    def __init__(self, lines) -> None:
        self.lines = iter(lines)
        self.buf = ""
        self.base_line = 1  # line number of buf[0]
        self._mark = (0, 1)  # (a position in buf, its line number): line_of counts on from there
        self.eof = False
        self.error: InputError | None = None

    def fill(self, at_least: int = 1) -> bool:
        """Append at least ``at_least`` characters (fewer at the end); False when nothing came."""
        added = 0
        while added < at_least and not self.eof:
            try:
                _, text = next(self.lines)
            except StopIteration:
                self.eof = True
                break
            if isinstance(text, InputError):
                self.error = text
                self.eof = True
                break
            self.buf += text + "\n"
            added += len(text) + 1
        return added > 0

    def skip_ws(self, i: int) -> int:
        """The index of the first non-blank character from ``i`` (reading more as needed)."""
        while True:
            while i < len(self.buf) and self.buf[i] in " \t\r\n":
                i += 1
            if i < len(self.buf) or not self.fill():
                return i

    def line_of(self, i: int) -> int:
        """The line number of ``buf[i]`` (counted on from the last position asked about: the
        reader asks in increasing order, and a one-line file may be megabytes long)."""
        at, line = self._mark
        if i < at:
            at, line = 0, self.base_line
        line += self.buf.count("\n", at, i)
        self._mark = (i, line)
        return line

    def drop(self, i: int) -> int:
        """Forget ``buf[:i]``; returns where ``buf[i]`` is now. The text is cut only once the
        part read is at least half of it: cutting after every element copied the rest of a
        one-line file each time (640,000 elements on one line: quadratic, over a minute)."""
        if i < len(self.buf) // 2:
            return i
        self.base_line = self.line_of(i)
        self.buf = self.buf[i:]
        self._mark = (0, self.base_line)
        return 0


def _element_record(source: str, line: int, value, index: int | None) -> Record:
    """The record of one decoded value of a .json file: a transcript to validate when it is an
    object, else the error (a string element is not JSON text to parse again, nor a null
    "no record")."""
    if type(value) is dict:
        return Record(source, line, raw=value, index=index)
    return Record(source, line, error=InputError(f"expected a JSON object, got {json_type(value)}", file=source,
                                                 line=line, field=None if index is None else f"[{index}]"))


def _read_json(lines, source: str) -> Iterator[Record]:
    """A JSON array of transcripts (or one transcript object, or objects one after another as
    in JSON Lines), one record per element, errors named by element index. Streams: memory holds one element (at most :data:`MAX_JSON_ELEMENT`
    characters), however long the array."""
    # A key twice in one object is an error (io.records.parse_record says why), here as there.
    decoder = json.JSONDecoder(object_pairs_hook=unique_object)
    text = _JsonText(lines)

    def fail(reason: str, at: int) -> Record:
        return Record(source, text.line_of(at), error=InputError(reason, file=source, line=text.line_of(at)))

    def short(at: int):
        """``(value, end)`` of the element at ``at`` decoded from the next :data:`_JSON_SHORT`
        characters, or ``None`` when it does not end in them (or they are not valid JSON: the
        whole buffer is decoded after, for the error's true place)."""
        piece = text.buf[at:at + min(_JSON_SHORT, 2 * MAX_RECORD_VALUES - 1)]  # too short for too many
        try:
            value, end = raw_decode(decoder, piece, 0)
        except json.JSONDecodeError:
            return None
        return (value, at + end) if end < len(piece) else None

    def element(at: int, index: int | None):
        """Decode the value starting at ``at``: ``(value, end)`` or an error record."""
        want = _JSON_READ_AHEAD
        what = f"element {index}" if index is not None else "the document"
        while True:
            try:
                if could_exceed(len(text.buf) - at, MAX_RECORD_VALUES):
                    # The buffer may hold more values than a record may: none is built before
                    # the element's own are counted (MAX_RECORD_VALUES).
                    found = short(at)
                    if found is not None:
                        return found
                    if too_many_values(text.buf, at, MAX_RECORD_VALUES, alone=False):
                        return fail(f"{what}: {TooManyValues(MAX_RECORD_VALUES)}", at), None
                value, end = raw_decode(decoder, text.buf, at)
                if end - at > MAX_JSON_ELEMENT:
                    return fail(f"element {index} is larger than {MAX_JSON_ELEMENT} characters", at), None
                if end < len(text.buf) or text.eof:  # a number cut at the buffer's end may go on
                    return value, end
            except json.JSONDecodeError as exc:
                if text.eof:
                    if _BLANK_TO_END.match(text.buf, exc.pos):
                        # The decoder wanted more text than the file has (a string's end, a
                        # bracket): it says "Invalid control character" for a cut string.
                        return fail(f"invalid JSON: {what} is truncated (the file ends inside it)", at), None
                    return fail(f"invalid JSON in {what}: {exc.msg} (column {exc.colno})", exc.pos), None
            except InvalidJSON as exc:  # too deep, a number too long, a lone surrogate: more text mends none
                return fail(f"invalid JSON in {what}: {exc}", at), None
            if len(text.buf) - at > MAX_JSON_ELEMENT:
                return fail(f"element {index} is larger than {MAX_JSON_ELEMENT} characters", at), None
            text.fill(want)
            want *= 2

    i = text.skip_ws(0)
    if i >= len(text.buf):
        if text.error is not None:
            yield Record(source, text.error.line or 1, error=text.error)
        return
    if text.buf[i] != "[":
        # One transcript object — or several one after another: JSON Lines saved as .json,
        # which must not lose every record after the first.
        while True:
            value, end = element(i, None)
            if end is None:
                yield value
                return
            yield _element_record(source, text.line_of(i), value, None)
            i = text.skip_ws(end)
            if i >= len(text.buf):
                if text.error is not None:
                    yield Record(source, text.error.line or 1, error=text.error)
                return
            i = text.drop(i)
    i += 1
    index = 0
    while True:
        i = text.skip_ws(i)
        if i >= len(text.buf):
            yield text.error and Record(source, text.error.line or 1, error=text.error) or fail(
                "invalid JSON: the array is not closed", max(i - 1, 0))
            return
        if text.buf[i] == "]" and index == 0:
            return
        i = text.drop(i)
        value, end = element(i, index)
        if end is None:
            yield value
            return
        yield _element_record(source, text.line_of(i), value, index)
        index += 1
        i = text.skip_ws(end)
        if i < len(text.buf) and text.buf[i] == ",":
            i += 1
            continue
        if i < len(text.buf) and text.buf[i] == "]":
            return
        yield fail(f"invalid JSON after element {index - 1}: expected ',' or ']'", min(i, len(text.buf)))
        return


_CSV_COLUMNS = {
    "id": ("conversation_id", "transcript_id", "session_id", "call_id", "id", "会话id", "会话ID"),
    "speaker": ("speaker", "role", "角色", "说话人"),
    "text": ("text", "content", "utterance", "内容", "文本"),
    "start": ("start", "start_time", "开始时间"),
    "end": ("end", "end_time", "结束时间"),
}


def _read_csv(lines, source: str) -> Iterator[Record]:
    rows = _csv_rows(lines, source)
    first = next(rows, None)
    if first is None:
        return
    header_line, header = first
    if isinstance(header, InputError):
        yield Record(source, header_line, error=header)
        return
    if isinstance(header, csv.Error):
        yield Record(source, header_line, error=InputError(f"CSV header: {header}", file=source, line=header_line))
        return
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    twice = duplicate_column(header, lambda name: name.strip().lower())
    if twice is not None:
        yield Record(source, header_line, error=InputError(twice, file=source, line=header_line))
        return
    index = {}
    for key, aliases in _CSV_COLUMNS.items():
        for alias in aliases:
            if alias.lower() in columns:
                index[key] = columns[alias.lower()]
                break
    missing = [k for k in ("id", "speaker", "text") if k not in index]
    if missing:
        yield Record(source, 1, error=InputError(
            f"CSV header lacks column(s) {', '.join(missing)} (have: {cut(', '.join(header))})", file=source, line=1))
        return
    meta_columns = {i: name for name, i in columns.items() if i not in index.values()}

    current: dict | None = None
    # Conversation id → the line its rows started on: rows of one conversation that come back
    # after another conversation would otherwise silently become a second transcript with the
    # same id (ids only, so memory grows with the number of conversations, not of rows).
    started: dict[str, int] = {}

    def flush(conv: dict | None):
        if conv is None:
            return None
        first = started.setdefault(conv["id"], conv["line"]) if conv["id"] is not None else conv["line"]
        if first != conv["line"] and conv["error"] is None:
            conv["error"] = InputError(
                f"rows of conversation {quoted(conv['id'])} are not consecutive: they started on line {first} "
                f"and continue here after other conversations; sort the file by conversation",
                file=source, line=conv["line"], field="id")
        if conv["error"] is not None:
            return Record(source, conv["line"], error=conv["error"])
        return Record(source, conv["line"], raw={"id": conv["id"], "turns": conv["turns"], **conv["meta"]})

    for line, row in rows:
        if isinstance(row, (InputError, csv.Error)):
            error = row if isinstance(row, InputError) else InputError(f"CSV: {row}", file=source, line=line)
            cells = getattr(row, "cells", None)
            if cells and len(cells) > index["id"] and (current is None or cells[index["id"]] != current["id"]):
                # The row starts another conversation (as far as its id can be read): that one is
                # rejected, and the one before stands.
                record = flush(current)
                if record is not None:
                    yield record
                current = {"id": cells[index["id"]], "line": line, "turns": [], "meta": {}, "error": error}
                continue
            if current is not None and current["error"] is None:
                current["error"] = error
            elif current is None:
                yield Record(source, line, error=error)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            error = InputError(f"expected {len(header)} fields, got {len(row)}", file=source, line=line)
            conv_id = row[index["id"]] if len(row) > index["id"] else None
        else:
            error = None
            conv_id = row[index["id"]]
        if current is None or conv_id != current["id"]:
            record = flush(current)
            if record is not None:
                yield record
            current = {"id": conv_id, "line": line, "turns": [], "meta": {}, "error": None}
        if error is not None:
            current["error"] = current["error"] or error
            continue
        speaker = normalize_speaker(row[index["speaker"]])
        if speaker is None:
            current["error"] = current["error"] or InputError(
                f"unknown speaker {quoted(row[index['speaker']])} (expected agent or customer)",
                file=source, line=line, field="speaker")
            continue
        turn: dict = {"speaker": speaker, "text": row[index["text"]]}
        for key in ("start", "end"):
            if key in index and row[index[key]].strip():
                try:
                    turn[key] = float(row[index[key]])
                    if not math.isfinite(turn[key]):  # inf, nan, 1e999999: no time of a call
                        raise ValueError
                except ValueError:
                    current["error"] = current["error"] or InputError(
                        f"not a number: {quoted(row[index[key]])}", file=source, line=line, field=key)
        current["turns"].append(turn)
        for i, name in meta_columns.items():
            if row[i].strip():
                current["meta"].setdefault(name, row[i])
    record = flush(current)
    if record is not None:
        yield record


def duplicate_column(header: list[str], key: Callable[[str], str]) -> str | None:
    """The error for a CSV header naming a column twice (``key``: the name as the reader
    compares it), or ``None``. Either column could be the one read (the csv readers kept the
    last), so a viewer may show one and the score come from the other. Blank names are not
    compared: a header ending in commas (spreadsheet exports) names no column."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        compared = key(name)
        if not compared:
            continue
        if compared in seen:
            return (f"CSV header: duplicate column {quoted(name.strip())} (columns {seen[compared] + 1} and {i + 1}; "
                    "which one holds the data is ambiguous)")
        seen[compared] = i
    return None


def _csv_rows(lines, source: str) -> Iterator[tuple[int, list[str] | csv.Error | InputError]]:
    """``(line the row starts on, its fields)`` for each row of a CSV (``.tsv``: tab-separated)
    text given as :func:`_decoded_lines` gives it. A row that cannot be read comes as its
    error, and reading goes on with the next line: an undecodable line as its
    :class:`InputError`, a row the csv module refuses (a field over its size limit, a bare
    carriage return in an unquoted field, a quote closed too early) as a :class:`csv.Error` in
    words for the person who exported the file.

    A quote left open takes every line after it into its field, until the end of the file or
    the field size limit: that row is the error, and the lines it took are read again, each a
    row of its own (a quote that does not close on its own line is then its line's error), so
    a stray quote costs its row, not the rest of the file. What is read again is bounded by the
    field size limit (about 128 KB, plus the line where it was reached)."""
    delimiter = "\t" if source.endswith(".tsv") else ","
    lines = iter(lines)
    taken: list[tuple[int, str | InputError]] = []  # the lines the csv reader took for the current row

    def feed():
        for item in lines:
            taken.append(item)
            text = item[1]
            yield "" if isinstance(text, InputError) else text + "\n"

    # strict: a quote closed too early or left open is an error, not silently mended
    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while True:
        taken.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the module resets its state: the next call starts a new row
            said = str(exc)
            swallowed = taken[1:] if any(s in said for s in _CSV_OPEN_QUOTE) else []
            first = taken[0] if taken else (0, "")
            yield first[0], _csv_error(said, first[1], delimiter)
            for number, text in swallowed:
                yield number, text if isinstance(text, InputError) else _csv_line(text, delimiter)
            continue
        bad = next((text for _, text in taken if isinstance(text, InputError)), None)
        yield taken[0][0], row if bad is None else bad


def _csv_line(text: str, delimiter: str) -> list[str] | csv.Error:
    """One line read as a CSV row on its own (a quoted field must close on it)."""
    try:
        return next(csv.reader([text + "\n"], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        said = str(exc)
        if "unexpected end of data" in said:
            return _CsvRowError("a quoted field is not closed on its line (a stray \"?)", _lenient(text, delimiter))
        return _csv_error(said, text, delimiter)


class _CsvRowError(csv.Error):
    """A row the csv module refuses, with the cells a lenient reading of its first line finds
    (``None`` if none): enough to tell which conversation the row belongs to."""

    def __init__(self, reason: str, cells: list[str] | None) -> None:
        super().__init__(reason)
        self.cells = cells


def _csv_error(said: str, line: str | InputError, delimiter: str) -> _CsvRowError:
    reason = next((ours for theirs, ours in _CSV_REASONS if theirs in said), said)
    return _CsvRowError(reason, None if isinstance(line, InputError) else _lenient(line, delimiter))


def _lenient(line: str, delimiter: str) -> list[str] | None:
    """The cells of the start of ``line`` as the csv module reads them when not strict."""
    try:
        return next(csv.reader([line.split("\r")[0][:4096]], delimiter=delimiter), None)
    except csv.Error:
        return None


# What the csv module says when a quoted field never closed: the lines after its start were taken.
_CSV_OPEN_QUOTE = ("unexpected end of data", "field larger than field limit")

# What the csv module says, in words for the person who exported the file.
_CSV_REASONS = (
    ("new-line character seen in unquoted field",
     "a carriage return inside an unquoted field (old Mac line ends? save the file with \\n or \\r\\n line ends)"),
    ("unexpected end of data", "a quoted field is still open at the end of the file (a stray \"?)"),
    ("expected after", "a quoted field goes on after its closing quote (a \" inside a field must be doubled: \"\")"),
)


_TXT_TURN = re.compile(r"^\s*(?P<who>[^:：\s]{1,12})\s*[:：]\s*(?P<text>.*)$")
# A role with the person's id or name after it, as chat exports write them (客服小王：/ 坐席1001：/
# 客户张先生：/ agent_02:), or the shop's bot (客服小助手：/ 客服小蜜：). Without it such a line was
# read as the previous turn wrapped, so the agent's words joined the customer's turn. Only these
# shapes: 客户端：/ 用户名：/ 客服电话：/ 客服小组：(a team, not a person) start no turn.
_TXT_ROLE_WITH_ID = re.compile(
    r"(?P<role>客服|坐席|座席|话务员|客户|顾客|agent|customer)"
    r"(?:[-_#]?[0-9a-z]{1,8}|小(?:助手|帮手|幫手|助理|秘书|秘書|(?![组組])[\u4e00-\u9fff])"
    r"|[\u4e00-\u9fff]{1,2}(?:先生|女士|小姐))", re.IGNORECASE)

# The value runs to the line end and is stripped after: a lazy group before \s*$ retried the end at
# every character (a 60,000-character line of spaces took 14 s).
_TXT_META = re.compile(r"^\s*#\s*(?P<key>[A-Za-z_]+)\s*[:：](?P<value>.*)")


def txt_speaker(label: str) -> str | None:
    """The role of a TXT line's label: a known one (坐席, 客户 …, :func:`normalize_speaker`), or
    one of those roles followed by an id, a name or the shop's bot (客服小王, 坐席1001, 客户张先生,
    客服小助手); else ``None``."""
    speaker = normalize_speaker(label)
    if speaker is None:
        named = _TXT_ROLE_WITH_ID.fullmatch(label.strip())
        if named is not None:
            speaker = normalize_speaker(named["role"])
    return speaker


def _read_txt(lines, source: str, speaker_of: Callable[[str], str | None]) -> Iterator[Record]:
    stem = Path(source).stem if source != "-" else "stdin"
    count = 0

    def new():
        return {"line": None, "turns": [], "meta": {}, "error": None}

    conv = new()

    def flush():
        nonlocal count
        if not conv["turns"] and conv["error"] is None:
            if "id" not in conv["meta"]:
                return None  # blank lines, comments
            # A transcript named by its `# id:` line whose turns never came is reported, not lost.
            conv["error"] = InputError("empty transcript (no turns)", file=source, line=conv["line"], field="turns")
        count += 1
        meta = dict(conv["meta"])
        ident = meta.pop("id", None) or f"{stem}-{count}"
        line = conv["line"] or 1
        if conv["error"] is not None:
            return Record(source, line, error=conv["error"])
        turns = [{"speaker": speaker, "text": " ".join(parts)} for speaker, parts in conv["turns"]]
        return Record(source, line, raw={"id": ident, "turns": turns, **meta})

    for number, text in lines:
        if isinstance(text, InputError):
            conv["error"] = conv["error"] or text
            conv["line"] = conv["line"] or number
            continue
        stripped = text.strip()
        if not stripped or stripped == "---":
            record = flush()
            if record is not None:
                yield record
            conv = new()
            continue
        meta = _TXT_META.match(text)
        if meta and not conv["turns"]:
            conv["meta"][meta["key"].lower()] = meta["value"].strip()
            conv["line"] = conv["line"] or number
            continue
        if stripped.startswith("#"):
            continue
        turn = _TXT_TURN.match(text)
        speaker = speaker_of(turn["who"]) if turn else None
        conv["line"] = conv["line"] or number
        if speaker is not None:
            conv["turns"].append((speaker, [turn["text"].strip()]))
        elif conv["turns"]:
            # A line without a speaker continues the previous turn (wrapped exports): its parts
            # are joined at the end, as adding each to a growing string was quadratic (40,000
            # wrapped lines took 23 s).
            conv["turns"][-1][1].append(stripped)
        else:
            conv["error"] = conv["error"] or InputError(
                f"line does not start with a speaker (客服：/客户：/坐席：/顾客：/agent:/customer:; map other labels "
                f"with --speaker-map A=agent,B=customer): {quoted(stripped, 30)}",
                file=source, line=number)
    record = flush()
    if record is not None:
        yield record
