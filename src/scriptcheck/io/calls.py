"""Readers for the shapes call-analytics (speech-to-text) exports take.

Speech-analytics platforms export a call as one row per utterance (sentence) rather than one
record per conversation, label the speakers by role (坐席/客户), by letter (A/B) or by channel
(0/1), and give times in milliseconds as often as in seconds, under their own field names
(``begin_time``/``end_time``, ``begin_offset``/``end_offset``, ``bg``/``ed``, ``content``,
``words``). :func:`read_calls` reads JSONL (rows or whole transcripts) and CSV/TSV of that kind
into the usual :class:`Record`\\ s:

- rows of one call are consecutive and share a call id (``call_id``, ``conversation_id``,
  ``session_id``, ``task_id``, ``id``) and are grouped into one transcript;
- a whole transcript may hold its utterances under ``turns``, ``sentences``, ``utterances``,
  ``segments`` or ``dialogue``;
- a speaker label is read through ``speaker_map`` (``{"A": "agent", "B": "customer"}``, from
  ``--speaker-map A=agent,B=customer``), then as a known label (坐席, 客户, agent …); without a
  speaker field, the ``channel`` is looked up in the map (``--speaker-map 0=agent,1=customer``);
- ``time_unit`` ``ms`` divides times by 1000, ``s`` keeps them, ``auto`` keeps them and lets the
  timing rules detect milliseconds (:func:`scriptcheck.rules.timing.time_scale`);
- the ``channel`` and other utterance fields go to the turn's ``metadata``.

Nothing here changes the other readers: :func:`read_transcripts` reads the plain formats.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from scriptcheck.errors import InputError
from scriptcheck.io.fields import (CHANNEL_KEYS, END_KEYS, ID_KEYS, SPEAKER_KEYS, START_KEYS, TEXT_KEYS,
                                   TURN_LIST_KEYS, clock_seconds, first_key)
from scriptcheck.io.lines import json_records, open_input
from scriptcheck.io.quoting import quoted
from scriptcheck.io.records import Record, normalize_speaker, parse_record
from scriptcheck.io.transcripts import (_csv_rows, _decoded_lines, duplicate_column, format_of, read_transcripts,
                                        txt_speaker)

__all__ = ["parse_speaker_map", "read_calls", "adapt_call", "guess_roles", "TIME_UNITS", "AUTO"]

TIME_UNITS = ("auto", "s", "ms")
# The key of a speaker map that asks for each call's roles to be guessed (--speaker-map auto).
AUTO = "*"

# The exports' field names (shared with the plain reader): see scriptcheck.io.fields.
_ID_KEYS = ID_KEYS[1:] + ("id",)  # a row's call id before a row id
_TURN_LIST_KEYS = TURN_LIST_KEYS
_SPEAKER_KEYS = SPEAKER_KEYS
_CHANNEL_KEYS = CHANNEL_KEYS
_TEXT_KEYS = TEXT_KEYS
_START_KEYS = START_KEYS
_END_KEYS = END_KEYS
_first = first_key


def parse_speaker_map(value: str | None) -> dict[str, str]:
    """``"A=agent,B=customer"`` (also ``0=坐席,1=客户``) → ``{"a": "agent", "b": "customer"}``
    (keys lower-cased); ``"auto"`` → guess each call's roles (:func:`guess_roles`); raises
    :class:`ValueError` on a malformed pair or an unknown role."""
    mapping: dict[str, str] = {}
    if not value:
        return mapping
    if value.strip().lower() == "auto":
        return {AUTO: "auto"}
    for pair in value.split(","):
        if not pair.strip():
            continue
        label, sep, role = pair.partition("=")
        speaker = normalize_speaker(role)
        if not sep or not label.strip() or speaker is None:
            raise ValueError(f"bad speaker mapping {pair.strip()!r} (expected LABEL=agent or LABEL=customer)")
        key = label.strip().lower()
        if key in mapping:
            raise ValueError(f"speaker label {label.strip()!r} is mapped twice (labels are compared without case)")
        mapping[key] = speaker
    return mapping


def _speaker(utterance: Mapping[str, Any], speaker_map: Mapping[str, str]) -> tuple[Any, str | None]:
    """(the label as written, agent/customer or None)."""
    _, label = _first(utterance, _SPEAKER_KEYS)
    if label is None:
        _, label = _first(utterance, _CHANNEL_KEYS)
    if label is None:
        return None, None
    key = str(label).strip().lower()
    if key in speaker_map:
        return label, speaker_map[key]
    return label, normalize_speaker(str(label))


def _time(value: Any, scale: float, field: str | None = None) -> Any:
    """A time in seconds (``scale`` converts the export's unit; a clock time is seconds whatever
    the unit of the rest). With ``field`` (a turn's start or end), a time that is not finite —
    ``1e400`` in JSON, ``"inf"``, ``"inf:0"``, an integer too large for a float — raises
    :class:`InputError`, as NaN is refused: no time of a call is infinite (it made "inf s of
    silence"). Without it (a call's end) such a value is kept, and the timing rules ignore it."""
    given = value
    if isinstance(value, str) and value.strip():
        if ":" in value:
            value = clock_seconds(value)
            if not isinstance(value, float):
                return value  # not a clock time: left for validation to reject with the field's name
            scale = 1.0
        else:
            try:
                value = float(value)
            except ValueError:
                return value  # left for validation to reject with the field's name
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            value = value * scale
        except OverflowError:  # an integer of hundreds of digits
            value = math.inf
        if field is not None and not math.isfinite(value):
            shown = quoted(given) if isinstance(given, str) else "an integer too large" if isinstance(given, int) \
                else str(given)
            raise InputError(f"not a finite time: {shown}", field=field)
    return value


def _turn(utterance: Mapping[str, Any], speaker_map: Mapping[str, str], scale: float, where: str) -> dict:
    """One utterance as a turn dict (raises :class:`InputError` for an unknown speaker)."""
    label, speaker = _speaker(utterance, speaker_map)
    if speaker is None:
        hint = " (map it with --speaker-map LABEL=agent,LABEL=customer)" if label is not None else ""
        raise InputError(f"unknown speaker {quoted(label)}{hint}", field=f"{where}.speaker")
    used = set()
    turn: dict[str, Any] = {"speaker": speaker}
    key, text = _first(utterance, _TEXT_KEYS)
    used.add(key)
    turn["text"] = "" if text is None else text
    for name, keys in (("start", _START_KEYS), ("end", _END_KEYS)):
        key, value = _first(utterance, keys)
        if key is not None:
            used.add(key)
            if value is not None and value != "":
                turn[name] = _time(value, scale, f"{where}.{name}")
    for keys in (_SPEAKER_KEYS,):
        key, _ = _first(utterance, keys)
        used.add(key)
    metadata = dict(utterance.get("metadata") or {}) if isinstance(utterance.get("metadata"), dict) else {}
    for k, v in utterance.items():
        if k not in used and k != "metadata" and k not in _ID_KEYS:
            metadata[k] = v
    if metadata:
        turn["metadata"] = metadata
    return turn


# What only the agent of a service call says, and what only the caller says: enough to tell
# the two labels of an export apart when nobody said which is which.
_AGENT_WORDS = re.compile(r"工号|为您服务|有什么可以帮|请问您|请您|您的|为您|帮您|给您|稍等|感谢您|久等|再见|"
                          r"不好意思|非常抱歉|您好")
_CUSTOMER_WORDS = re.compile(r"我想|我要|我的|我家|我这个|你们|怎么回事|为什么|能不能|投诉|帮我|给我")


def guess_roles(utterances: list[tuple[Any, str]]) -> dict[str, str]:
    """Label (lower-cased) → agent/customer for the labels of one call, from what each says:
    the label whose words sound most like an agent's (工号, 为您服务, 请您, 稍等 …) is the
    agent, the others customers; on a tie, whoever spoke first (an inbound call is answered
    by the agent)."""
    scores: dict[str, int] = {}
    order: list[str] = []
    for label, text in utterances:
        key = str(label).strip().lower()
        if key not in scores:
            scores[key] = 0
            order.append(key)
        text = str(text)
        scores[key] += len(_AGENT_WORDS.findall(text)) - len(_CUSTOMER_WORDS.findall(text))
    if not order:
        return {}
    agent = max(order, key=lambda k: (scores[k], -order.index(k)))
    return {k: "agent" if k == agent else "customer" for k in order}


def _with_guessed_roles(utterances: list, speaker_map: Mapping[str, str]) -> Mapping[str, str]:
    """``speaker_map`` with the call's unknown labels guessed, when it asks for that (auto)."""
    if AUTO not in speaker_map:
        return speaker_map
    labelled = []
    for u in utterances:
        if isinstance(u, Mapping):
            label, known = _speaker(u, speaker_map)
            if label is not None and known is None:
                labelled.append((label, _first(u, _TEXT_KEYS)[1] or ""))
    return {**speaker_map, **guess_roles(labelled)}


def adapt_call(data: Mapping[str, Any], *, speaker_map: Mapping[str, str] | None = None,
               time_unit: str = "auto") -> dict:
    """A whole-call record in any of the export shapes → the transcript dict
    :func:`scriptcheck.io.records.build_transcript` validates (raises :class:`InputError`)."""
    scale = 0.001 if time_unit == "ms" else 1.0
    speaker_map = speaker_map or {}
    data = dict(data)
    key, turns = _first(data, _TURN_LIST_KEYS)
    if key is not None:
        data.pop(key)
    id_key, ident = _first(data, _ID_KEYS)
    if id_key is not None:
        data.pop(id_key)
    if not isinstance(turns, list):
        raise InputError("no list of utterances (turns, sentences, utterances, segments)", field="turns")
    speaker_map = _with_guessed_roles(turns, speaker_map)
    out = [_turn(u, speaker_map, scale, f"turns.{i}") if isinstance(u, dict) else u for i, u in enumerate(turns)]
    for call_end in ("call_end", "duration", "call_duration"):
        if call_end in data:
            data[call_end] = _time(data[call_end], scale)
    return {"id": ident, "turns": out, **data}


def _is_row(data: Any) -> bool:
    """Whether a JSON object is one utterance (a row) rather than a whole call."""
    return isinstance(data, dict) and _first(data, _TURN_LIST_KEYS)[0] is None \
        and _first(data, _TEXT_KEYS)[0] is not None


class _Grouper:
    """Collects consecutive rows of one call into one transcript record."""

    def __init__(self, source: str, speaker_map: Mapping[str, str], scale: float) -> None:
        self.source = source
        self.speaker_map = speaker_map
        self.scale = scale
        self.current: dict | None = None

    def fail(self, line: int, error: InputError, ident: Any = None) -> Record | None:
        """A row that could not be read (undecodable, refused by the csv module) rejects its
        call (with the first such error): the call of ``ident`` if its id could be read, else
        the one being collected; before any call, it is a record of its own. Returns the
        previous call's record when the row starts a new call."""
        ident = "" if ident is None else str(ident)
        if ident and (self.current is None or ident != self.current["id"]):
            done = self.flush()
            self.current = {"id": ident, "line": line, "rows": [], "error": error}
            return done
        if self.current is None:
            return Record(self.source, line, error=error)
        self.current["error"] = self.current["error"] or error
        return None

    def add(self, line: int, row: Mapping[str, Any]) -> Record | None:
        """Add a row; returns the previous call's record when this row starts a new call."""
        _, ident = _first(row, _ID_KEYS)
        ident = "" if ident is None else str(ident)
        done = None
        if self.current is None or ident != self.current["id"]:
            done = self.flush()
            self.current = {"id": ident or f"{Path(self.source).stem}-{line}", "line": line, "rows": [],
                            "error": None}
        self.current["rows"].append((line, row))
        return done

    def flush(self) -> Record | None:
        """The record of the call collected so far, if any."""
        conv, self.current = self.current, None
        if conv is None:
            return None
        if conv["error"] is not None:
            return Record(self.source, conv["line"], error=conv["error"])
        rows = conv["rows"]
        speaker_map = _with_guessed_roles([row for _, row in rows], self.speaker_map)
        turns = []
        for line, row in rows:
            try:
                turns.append(_turn(row, speaker_map, self.scale, f"turns.{len(turns)}"))
            except InputError as exc:
                # The row's own field (speaker, start, end), named as in the row.
                field = (exc.field or "speaker").rpartition(".")[2]
                return Record(self.source, conv["line"], error=InputError(exc.reason, file=self.source, line=line,
                                                                          field=field))
        return Record(self.source, conv["line"], raw={"id": conv["id"], "turns": turns})


def read_calls(source: str, fmt: str | None = None, encoding: str | None = None, *,
               speaker_map: Mapping[str, str] | None = None, time_unit: str = "auto",
               validate: bool = True) -> Iterator[Record]:
    """Stream the calls of one call-analytics export (JSONL or a JSON array of rows or calls,
    CSV/TSV rows; Parquet as :func:`scriptcheck.io.parquet.read_parquet` groups it, each call then
    adapted); errors become error records, as with
    :func:`scriptcheck.io.transcripts.read_transcripts`. A TXT transcript is read as the plain
    reader reads it, its line labels looked up in ``speaker_map`` first (``A：您好``); the roles
    are not guessed for it (``auto``): its labels must be mapped or known (坐席：/客户：…)."""
    speaker_map = {str(k).lower(): v for k, v in (speaker_map or {}).items()}
    scale = 0.001 if time_unit == "ms" else 1.0
    try:
        fmt = fmt or format_of(source, default="jsonl" if source == "-" else None)
        if fmt == "parquet":  # columnar: not lines to decode (its bytes were read as JSON Lines)
            for record in _calls_parquet(source, speaker_map, time_unit):
                yield record.validated() if validate else record
            return
        if fmt == "txt":  # each of its lines was read as JSON and rejected
            mapped = {label: role for label, role in speaker_map.items() if label != AUTO}
            yield from read_transcripts(source, "txt", encoding, validate=validate,
                                        speaker_of=lambda who: mapped.get(who.strip().lower()) or txt_speaker(who))
            return
        if fmt == "json":  # an array over many lines: the plain reader's elements, grouped and adapted here
            values = ((record.line, record.error if record.error is not None else record.raw)
                      for record in read_transcripts(source, "json", encoding, validate=False))
            for record in _calls_values(values, source, speaker_map, scale, time_unit):
                yield record.validated() if validate else record
            return
        stream = open_input(source)
    except InputError as exc:
        yield Record(source, 0, error=exc)
        return
    lines = _decoded_lines(stream, source, encoding)
    records = _calls_csv(lines, source, speaker_map, scale) if fmt == "csv" else \
        _calls_values(json_records(lines, source, parse_record), source, speaker_map, scale, time_unit)
    try:
        for record in records:
            yield record.validated() if validate else record
    finally:
        close = getattr(stream, "close", None)
        if close is not None and source != "-":
            close()


def _calls_parquet(source: str, speaker_map, time_unit: str) -> Iterator[Record]:
    from scriptcheck.io.parquet import read_parquet

    for record in read_parquet(source):
        if isinstance(record.raw, dict):
            try:
                record = Record(source, record.line, raw=adapt_call(record.raw, speaker_map=speaker_map,
                                                                    time_unit=time_unit))
            except InputError as exc:
                record = Record(source, record.line, error=InputError(exc.reason, file=source, line=record.line,
                                                                      field=exc.field))
        yield record


def _calls_values(values: Iterator[tuple[int, Any]], source: str, speaker_map, scale: float,
                  time_unit: str) -> Iterator[Record]:
    """The calls of a stream of JSON values: consecutive rows grouped by call, whole calls adapted."""
    grouper = _Grouper(source, speaker_map, scale)
    for number, data in values:
        if isinstance(data, InputError):
            yield Record(source, number, error=data)
            continue
        if _is_row(data):
            done = grouper.add(number, data)
            if done is not None:
                yield done
            continue
        done = grouper.flush()
        if done is not None:
            yield done
        if not isinstance(data, dict):
            yield Record(source, number, raw=data)  # rejected with its reason by validation
            continue
        try:
            yield Record(source, number, raw=adapt_call(data, speaker_map=speaker_map, time_unit=time_unit))
        except InputError as exc:
            yield Record(source, number, error=InputError(exc.reason, file=source, line=number, field=exc.field))
    done = grouper.flush()
    if done is not None:
        yield done


def _calls_csv(lines, source: str, speaker_map, scale: float) -> Iterator[Record]:
    # The plain CSV reader's rows (io.transcripts._csv_rows): strict quoting, an undecodable line
    # or a row the csv module refuses is an error that rejects its call — never a row dropped
    # unseen — and a quote left open costs its own row, not the rest of the file.
    rows = _csv_rows(lines, source)
    first = next(rows, None)
    if first is None:
        return
    header_line, header = first
    if isinstance(header, (InputError, csv.Error)):
        yield Record(source, header_line, error=header if isinstance(header, InputError) else InputError(
            f"CSV header: {header}", file=source, line=header_line))
        return
    names = [name.strip() for name in header]
    twice = duplicate_column(names, str.strip)
    if twice is not None:  # a row's dict would keep the last of the two, silently
        yield Record(source, header_line, error=InputError(twice, file=source, line=header_line))
        return
    grouper = _Grouper(source, speaker_map, scale)
    for line, cells in rows:
        if isinstance(cells, (InputError, csv.Error)):
            error = cells if isinstance(cells, InputError) else InputError(f"CSV: {cells}", file=source, line=line)
            known = getattr(cells, "cells", None)  # the cells a lenient reading found
            done = grouper.fail(line, error, _first(dict(zip(names, known)), _ID_KEYS)[1] if known else None)
        else:
            # As csv.DictReader read them: a missing cell is absent, an extra one dropped; blank cells too.
            row = {name: value for name, value in zip(names, cells) if value.strip() != ""}
            if not row:
                continue
            done = grouper.add(line, row)
        if done is not None:
            yield done
    done = grouper.flush()
    if done is not None:
        yield done
