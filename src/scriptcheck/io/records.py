"""What a transcript reader yields: a transcript, or an error for one bad record."""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import ValidationError

from scriptcheck.errors import InputError
from scriptcheck.io.encoding import undecodable
from scriptcheck.io.fields import ID_KEYS, TURN_LIST_KEYS, pop_alias, with_standard_names
from scriptcheck.io.jsontext import InvalidJSON, json_problem, json_type, loads
from scriptcheck.io.canonical import canonical_transcript
from scriptcheck.io.quoting import cut, quoted
from scriptcheck.models import SPEAKER_ALIASES, SPEAKERS, Transcript, normalize_speaker

_tuple_new = tuple.__new__

__all__ = ["Record", "SPEAKER_ALIASES", "normalize_speaker", "build_transcript", "canonical_transcript",
           "validated_transcript", "parse_record", "MAX_METADATA_DEPTH", "MAX_RECORD_VALUES",
           "MAX_TRANSCRIPT_CHARS", "MAX_TRANSCRIPT_TURNS"]

# Metadata is copied into the report; pydantic refuses to write JSON nested past a few hundred
# levels, which ended the batch at that record. No export nests metadata more than a few deep.
MAX_METADATA_DEPTH = 32
# Characters of turn text in one transcript. Scoring holds ~200 bytes a character at its peak
# (normalised text, offset maps, words, clauses), so a single 64 MB line of text would take
# gigabytes; a million characters (~250 MB) is a hundred times the longest real call or chat.
MAX_TRANSCRIPT_CHARS = 1_000_000
# Turns in one transcript. Each costs a model, a dict and its place in every per-turn table of
# scoring whatever its text (a million empty turns took 1.5 GB and 21 s): a hundred times the
# turns of the longest real call or chat. The Parquet reader counts utterance rows against it
# before it builds any of them (io/parquet.py).
MAX_TRANSCRIPT_TURNS = 100_000
# JSON values (objects, arrays, strings, numbers …) in one JSON record, counted on its text
# before json builds any (io.jsontext.too_many_values): the caps above are checked on what was
# built, and 20 million {} in one 60 MB line became 3 GB of Python objects first. Twenty a turn
# at the turn cap: a turn with every field it may have (the turn, speaker, text, start, end: 5)
# and up to 15 values of metadata, so every transcript under the caps whose turns look like
# any export's passes; 2 million of the smallest values ({} in an array) take ~150 MB while
# parsed, less than scoring a transcript at the character cap holds.
MAX_RECORD_VALUES = 20 * MAX_TRANSCRIPT_TURNS


def _nested(metadata: dict) -> bool:
    """Whether ``metadata`` holds a dict or a list at all (most records: flat, or none)."""
    return any(type(v) is dict or type(v) is list for v in metadata.values())


def _nesting(value: Any) -> int:
    """How deep dicts and lists nest in ``value`` (iterative: the decoder allowed ~1,000)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_METADATA_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in item)
    return deepest


class Record(NamedTuple):
    """One record of an input: a ``transcript``, or its unvalidated ``raw`` form (a JSON line,
    as text or as the UTF-8 bytes read, or a dict, validated later — in a worker process when
    scoring in parallel), or an ``error``.
    """

    source: str
    line: int
    transcript: Transcript | None = None
    error: InputError | None = None
    raw: Any = None
    index: int | None = None  # the element's index in a JSON array file

    def _where(self, exc: InputError) -> InputError:
        if self.index is None:
            return exc
        field = f"[{self.index}]" + (f".{exc.field}" if exc.field else "")
        return InputError(exc.reason, file=exc.file, line=exc.line, field=field)

    def validated(self) -> "Record":
        """This record with ``raw`` parsed and validated into ``transcript`` (or an ``error``)."""
        if self.raw is None:
            if self.transcript is None and self.error is None:  # a JSON null where a transcript belongs
                return self._without_raw(error=self._where(InputError(
                    "expected a JSON object, got null", file=self.source, line=self.line)))
            return self
        data = self.raw
        source, line = self.source, self.line
        # A line no longer than the bound cannot hold more text than it: the sum over the turns is skipped.
        short = type(data) in (bytes, str) and len(data) <= MAX_TRANSCRIPT_CHARS
        if type(data) is bytes:  # a UTF-8 line as read (io.transcripts, undecoded=True)
            try:
                data = data.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                return self._without_raw(error=undecodable(data, exc, "utf-8", file=source, line=line))
        if isinstance(data, str):
            try:
                data = parse_record(data)
            except InvalidJSON as exc:
                return self._without_raw(error=InputError(json_problem(exc), file=source, line=line))
        try:
            transcript = build_transcript(data, source=source, line=line, measure=not short)
        except InputError as exc:
            return self._without_raw(error=self._where(exc))
        return self._without_raw(transcript=transcript)

    def _without_raw(self, *, transcript: Transcript | None = None, error: InputError | None = None) -> "Record":
        """``self._replace(raw=None, transcript=…)`` (or ``error=…``), built directly:
        ``_replace`` rebuilds every field in Python, and this runs once per record of a batch."""
        return _tuple_new(type(self), (self.source, self.line,
                                       self.transcript if transcript is None else transcript,
                                       self.error if error is None else error, None, self.index))


def parse_record(text: str) -> Any:
    """One JSON record's text (a JSON Lines line) decoded as a transcript record is: no more
    than :data:`MAX_RECORD_VALUES` values (counted before any is built), no key twice in an
    object (``{"turns": [...], "turns": [...]}`` was scored on the last one, shown by a viewer
    that keeps the first). Raises :class:`InvalidJSON` (:func:`json_problem` words it)."""
    return loads(text, max_values=MAX_RECORD_VALUES, unique_keys=True)


def build_transcript(raw: Any, *, source: str, line: int, measure: bool = True) -> Transcript:
    """Validate a JSON-like transcript (the shapes :class:`Transcript` accepts: unknown
    top-level keys go to ``metadata``, speaker aliases are understood).

    Raises :class:`InputError` naming the field (``turns.2.speaker``) and the reason, also for a
    transcript past the bounds scoring and its report need (:data:`MAX_TRANSCRIPT_CHARS` of text,
    :data:`MAX_TRANSCRIPT_TURNS` turns, metadata nested :data:`MAX_METADATA_DEPTH` deep), and for a
    turn time that is not a finite number (:class:`scriptcheck.models.Turn`); ``measure=False`` skips counting the
    text, for a caller that knows its source was shorter than the bound.
    """
    if type(raw) is dict and type(turns := raw.get("turns")) is list and len(turns) > MAX_TRANSCRIPT_TURNS:
        raise _too_many_turns(len(turns), source, line)  # before a model is built for each
    transcript = canonical_transcript(raw)
    if transcript is None:
        transcript = validated_transcript(raw, source=source, line=line)
    if len(transcript.turns) > MAX_TRANSCRIPT_TURNS:  # under another name (sentences …)
        raise _too_many_turns(len(transcript.turns), source, line)
    if _nested(transcript.metadata) and _nesting(transcript.metadata) > MAX_METADATA_DEPTH:
        raise InputError(f"nested more than {MAX_METADATA_DEPTH} deep (its report could not be written)",
                         file=source, line=line, field="metadata")
    size = sum([len(turn.text) for turn in transcript.turns]) if measure else 0
    if size > MAX_TRANSCRIPT_CHARS:
        raise InputError(f"{size:,} characters of turn text, more than the {MAX_TRANSCRIPT_CHARS:,} one transcript "
                         "may hold", file=source, line=line, field="turns")
    return transcript


def _too_many_turns(count: int, source: str, line: int) -> InputError:
    return InputError(f"{count:,} turns, more than the {MAX_TRANSCRIPT_TURNS:,} one transcript may hold",
                      file=source, line=line, field="turns")


def validated_transcript(raw: Any, *, source: str, line: int) -> Transcript:
    """:func:`build_transcript` through pydantic for every shape (the reference the canonical
    fast path is tested against)."""
    if not isinstance(raw, dict):
        raise InputError(f"expected a JSON object, got {json_type(raw)}", file=source, line=line)
    # Call-analytics exports (issue 16) name the same fields their own way: standard names first.
    if "turns" not in raw or "id" not in raw:
        raw = dict(raw)
        if "turns" not in raw and (turns := pop_alias(raw, TURN_LIST_KEYS)) is not None:
            raw["turns"] = turns
        if "id" not in raw and (ident := pop_alias(raw, ID_KEYS)) is not None:
            raw["id"] = ident
    turns = raw.get("turns")
    if isinstance(turns, list):
        named = [with_standard_names(t) if isinstance(t, dict) else t for t in turns]
        if any(a is not b for a, b in zip(named, turns)):
            raw = {**raw, "turns": named}
            turns = named
        for i, turn in enumerate(turns):
            # Named here rather than left to the model: "unknown speaker '主持人'" says more
            # than "Input should be 'agent' or 'customer'".
            if (isinstance(turn, dict) and "speaker" in turn and turn["speaker"] not in SPEAKERS
                    and normalize_speaker(turn["speaker"]) is None):
                raise InputError(f"unknown speaker {quoted(turn['speaker'])} (expected agent or customer; "
                                 "map other labels with --speaker-map A=agent,B=customer)",
                                 file=source, line=line, field=f"turns.{i}.speaker")
    if turns == []:
        raise InputError("empty transcript (no turns)", file=source, line=line, field="turns")
    try:
        return Transcript.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = cut(".".join(str(p) for p in err["loc"]))  # a key of the record may be megabytes long
        reason = "missing" if err["type"] == "missing" else err["msg"]
        raise InputError(reason, file=source, line=line, field=field) from None
