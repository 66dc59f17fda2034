"""The field names call-analytics (speech-to-text) exports use for what scriptcheck calls
``id``, ``turns``, ``speaker``, ``text``, ``start`` and ``end`` (issue 16).

Shared by the plain JSONL reader (:func:`scriptcheck.io.records.build_transcript` takes a
call whose fields go by these names as it is) and the call-export reader
(:mod:`scriptcheck.io.calls`). Imports nothing of ``io``, so both may use it.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["ID_KEYS", "TURN_LIST_KEYS", "SPEAKER_KEYS", "CHANNEL_KEYS", "TEXT_KEYS", "START_KEYS", "END_KEYS",
           "first_key", "with_standard_names", "pop_alias", "clock_seconds"]

# The standard name first, then the exports' names, most common first.
ID_KEYS = ("id", "conversation_id", "call_id", "session_id", "transcript_id", "task_id", "会话id", "通话id")
TURN_LIST_KEYS = ("turns", "sentences", "utterances", "segments", "dialogue", "sentence_list")
SPEAKER_KEYS = ("speaker", "role", "spk", "speaker_id", "speaker_label", "角色", "说话人")
CHANNEL_KEYS = ("channel", "channel_id", "channelid", "声道")
TEXT_KEYS = ("text", "content", "words", "sentence", "transcript", "utterance", "onebest", "内容", "文本")
START_KEYS = ("start", "begin", "begin_time", "start_time", "begin_offset", "bg", "start_ms", "开始时间")
END_KEYS = ("end", "end_time", "end_offset", "ed", "end_ms", "结束时间")
_STANDARD = (("speaker", SPEAKER_KEYS), ("text", TEXT_KEYS), ("start", START_KEYS), ("end", END_KEYS))


def first_key(data: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of ``keys`` in ``data`` (exact, else ignoring case) and its value, or
    ``(None, None)``."""
    for key in keys:
        if key in data:
            return key, data[key]
    lowered = {str(k).lower(): k for k in data}
    for key in keys:
        if key in lowered:
            return lowered[key], data[lowered[key]]
    return None, None


def pop_alias(data: dict, keys: tuple[str, ...]) -> Any:
    """Remove and return the value of the first of ``keys`` in ``data`` (``None`` if none)."""
    key, value = first_key(data, keys)
    if key is not None:
        del data[key]
    return value


def with_standard_names(turn: dict) -> dict:
    """``turn`` with ``speaker``/``text``/``start``/``end`` taken from an export's names
    (``role``, ``content``, ``begin_time`` …) where the standard one is missing; a turn that
    has the standard names is returned as it is."""
    if "speaker" in turn and "text" in turn and (len(turn) <= 2 or ("start" in turn and not isinstance(turn["start"], str))):
        return turn
    out = dict(turn)
    for name, keys in _STANDARD:
        if name not in out:
            key, value = first_key(out, keys[1:])
            if key is not None:
                del out[key]
                out[name] = value
    for name in ("start", "end"):
        if isinstance(out.get(name), str):
            out[name] = clock_seconds(out[name])
    return out


def clock_seconds(value: str) -> Any:
    """``"00:01:05.300"`` or ``"01:05"`` → seconds (65.3); a plain number string is left to
    validation (``"65.3"`` is a number already); anything else is returned unchanged."""
    parts = value.strip().split(":")
    if len(parts) < 2 or len(parts) > 3:
        return value
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return value
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds
