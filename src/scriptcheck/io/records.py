"""What a transcript reader yields: a transcript, or an error for one bad record."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from pydantic import ValidationError

from scriptcheck.errors import InputError
from scriptcheck.io.fields import ID_KEYS, TURN_LIST_KEYS, pop_alias, with_standard_names
from scriptcheck.models import Transcript
from scriptcheck.speakers import SPEAKER_ALIASES, normalize_speaker

__all__ = ["Record", "SPEAKER_ALIASES", "normalize_speaker", "build_transcript"]

class Record(NamedTuple):
    """One record of an input: a ``transcript``, or its unvalidated ``raw`` form (a JSON line
    or a dict, validated later — in a worker process when scoring in parallel), or an ``error``.
    """

    source: str
    line: int
    transcript: Transcript | None = None
    error: InputError | None = None
    raw: Any = None

    def validated(self) -> "Record":
        """This record with ``raw`` parsed and validated into ``transcript`` (or an ``error``)."""
        if self.raw is None:
            return self
        data = self.raw
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                return self._replace(raw=None, error=InputError(
                    f"invalid JSON: {exc.msg} (column {exc.colno})", file=self.source, line=self.line))
        try:
            return self._replace(raw=None, transcript=build_transcript(data, source=self.source, line=self.line))
        except InputError as exc:
            return self._replace(raw=None, error=exc)


def build_transcript(raw: Any, *, source: str, line: int) -> Transcript:
    """Validate a JSON-like transcript; unknown top-level keys go to ``metadata``.

    Raises :class:`InputError` naming the field (``turns.2.speaker``) and the reason.
    """
    if not isinstance(raw, dict):
        raise InputError(f"expected a JSON object, got {type(raw).__name__}", file=source, line=line)
    data = dict(raw)
    metadata = dict(data.pop("metadata", None) or {})
    turns = data.pop("turns", None)
    ident = data.pop("id", None)
    # -- call-analytics exports (issue 16): the same fields under the exports' names
    if turns is None:
        turns = pop_alias(data, TURN_LIST_KEYS)
    if ident is None:
        ident = pop_alias(data, ID_KEYS)
    # --
    metadata.update(data)
    if isinstance(turns, list):
        fixed = []
        for i, turn in enumerate(turns):
            if isinstance(turn, dict):
                turn = with_standard_names(turn)
            if isinstance(turn, dict) and "speaker" in turn:
                speaker = normalize_speaker(turn["speaker"])
                if speaker is None:
                    raise InputError(f"unknown speaker {turn['speaker']!r} (expected agent or customer; "
                                     "map other labels with --speaker-map A=agent,B=customer)",
                                     file=source, line=line, field=f"turns.{i}.speaker")
                extra = {k: v for k, v in turn.items() if k not in ("speaker", "text", "start", "end", "metadata")}
                turn = {k: v for k, v in turn.items() if k in ("text", "start", "end", "metadata")}
                turn["speaker"] = speaker
                if extra:
                    turn["metadata"] = {**turn.get("metadata", {}), **extra}
            fixed.append(turn)
        turns = fixed
    if turns == []:
        raise InputError("empty transcript (no turns)", file=source, line=line, field="turns")
    try:
        return Transcript(id=str(ident) if isinstance(ident, (int, str)) else ident, turns=turns,
                          metadata=metadata)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InputError(err["msg"], file=source, line=line, field=field) from None
