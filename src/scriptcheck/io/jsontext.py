"""JSON text from outside (transcript exports, score reports, chatbot templates), decoded so
that every way it can be bad is one :class:`InvalidJSON` with a reason, never a crash.

``json.loads`` raises more than :class:`json.JSONDecodeError` on hostile text: RecursionError
on arrays nested a few thousand deep, ValueError on an integer of more than 4,300 digits
(Python's guard against quadratic conversion), and it accepts a lone surrogate escape
(``"\\ud800"``), which is no Unicode character: the record would then fail when its report is
written as UTF-8, far from the line that caused it.

Two more refusals are the caller's choice (transcript records ask for both): a record holding
more JSON values than a bound, counted on the text before any value is built
(:func:`too_many_values`: 20 million ``{}`` in one 60 MB line became 3 GB of Python objects), and
an object naming a key twice (:func:`unique_object`: ``json`` keeps the last one silently, so a
viewer that keeps the first shows other text than the one scored).
"""

from __future__ import annotations

import json
import re
from typing import Any

from scriptcheck.io.quoting import cut, quoted

__all__ = ["InvalidJSON", "TooManyValues", "WINDOW", "could_exceed", "decode_failure", "json_problem", "json_type",
           "loads", "raw_decode", "too_many_values", "unique_object"]

# A \uD800-\uDFFF escape: only text holding one can decode to a lone surrogate, so the walk
# below runs for almost no record (a pair, as emoji are escaped, decodes to one character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJSON(ValueError):
    """JSON text that cannot be used; ``str()`` is the reason (with the column when known)."""


class TooManyValues(InvalidJSON):
    """Valid or not, JSON text holding more values than its reader takes (:func:`too_many_values`);
    ``str()`` says how many it may hold."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"more than {limit:,} JSON values (objects, arrays, strings, numbers) in one record")


def loads(text: str, *, max_values: int | None = None, unique_keys: bool = False) -> Any:
    """``json.loads(text)``, or :class:`InvalidJSON` for invalid JSON, nesting too deep for the
    decoder, a number too long to convert, or a string holding a lone surrogate; with
    ``max_values``, :class:`TooManyValues` for text holding more values than that (counted
    before any is built); with ``unique_keys``, an object naming a key twice is invalid too."""
    if max_values is not None and could_exceed(len(text), max_values):
        if too_many_values(text, _BLANK.match(text).end(), max_values):
            raise TooManyValues(max_values)
    try:
        data = json.loads(text, object_pairs_hook=unique_object if unique_keys else None)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(f"{exc.msg} (column {exc.colno})") from None
    except InvalidJSON:
        raise
    except (RecursionError, ValueError) as exc:
        raise InvalidJSON(decode_failure(exc)) from None
    _check_surrogates(text, data)
    return data


def json_problem(exc: InvalidJSON) -> str:
    """The reason a record refused by :func:`loads` is rejected with: ``invalid JSON: …``, or the
    bound it passed (:class:`TooManyValues` says what it is)."""
    return str(exc) if isinstance(exc, TooManyValues) else f"invalid JSON: {exc}"


def unique_object(pairs: list[tuple[str, Any]]) -> dict:
    """The ``object_pairs_hook`` that refuses a key given twice in one object
    (:class:`InvalidJSON` ``duplicate key 'turns'``), in the linter's words."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise InvalidJSON(f"duplicate key {quoted(key)}")
            seen.add(key)
    return obj


def could_exceed(length: int, limit: int) -> bool:
    """Whether JSON text of ``length`` characters can hold more than ``limit`` values: each
    value takes a character of its own and all but the last one a comma or a closing bracket
    after it, so ``n`` values take at least ``2n - 1`` characters. Shorter text (every real
    record) needs no counting."""
    return length > 2 * limit - 1


# A string, whole (a bracket or a comma in it is text). It may end at the end of the text, so
# a match from a quote never fails and is never retried from a later quote (which was quadratic
# on an unterminated string of escapes); possessive, so nothing is scanned twice.
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.S)
_BLANK = re.compile(r"[ \t\r\n]*")
# Text of a value that may be followed by others (a .json file read into one line) is counted
# on this much of it first, then twice as much each time: a value costs at most twice its own
# text, and a short one does not cost the rest of the file.
WINDOW = 1 << 20
# An empty array or object with blanks in it (json.dumps writes none, some exporters do).
_BLANK_PAIR = re.compile(r"[\[{][ \t\r\n]++[\]}]")


def too_many_values(text: str, start: int, limit: int, *, alone: bool = True) -> bool:
    """Whether the JSON value starting at ``text[start]`` holds more than ``limit`` values
    (objects, arrays and scalars, not keys: ``{"a": [1, {}]}`` holds 4), counted on its text
    without building any; if the text ends inside the value, whether what it holds of it
    does. ``alone``: nothing but the value follows in ``text`` (a JSON Lines record, a whole
    file); else the value's end is looked for (an element of a .json file read as one line).

    Counted as ``1 + commas + brackets opened - empty pairs``, outside strings (each child of
    an array or object but its first comes after a comma). Strings are skipped by one regex;
    the rest is counted by ``str.count`` for a value alone, walked character by character
    (to find where it ends) otherwise. The work is bounded by the limit as much as by the
    text: the count runs on a piece of the text at a time, twice as long each time, and stops
    as soon as a piece holds more. Made for valid JSON; on other text it counts what looks
    like structure, for the decoder to refuse the text after."""
    if text[start:start + 1] not in ("[", "{"):
        return False  # a scalar
    # A piece this long can hold more than the limit (could_exceed): shorter ones never tell.
    size = 2 * limit + 1 if alone else WINDOW
    while True:
        stop = min(len(text), start + size)
        last = stop == len(text)
        piece = text[start:stop]
        skeleton = _STRINGS.sub("0", piece) if '"' in piece else piece
        del piece
        values = _at_most(skeleton)
        if values <= limit and last:
            return False  # nor can the value hold more, nor can a decoder build more from this text
        if alone:
            if values > limit:
                values -= _BLANK_PAIR.subn("", skeleton)[1]
                # A piece of the value may end just after a bracket or comma whose child is not in it.
                if values - (not last) > limit:
                    return True
            if last:
                return False
        else:
            values, closed = _walk(skeleton, limit)
            if values > limit:
                return True
            if closed or last:
                return False
        size *= 2


def _at_most(skeleton: str) -> int:
    """An upper bound, in C, of the values in JSON text whose strings were each replaced by one
    character: ``1 + commas + brackets opened - "[]" - "{}"`` (an empty pair with blanks in it
    counts one value too many)."""
    return (1 + skeleton.count(",") + skeleton.count("[") + skeleton.count("{") - skeleton.count("[]")
            - skeleton.count("{}"))


def _walk(skeleton: str, limit: int) -> tuple[int, bool]:
    """``(values, closed)`` of the value at the start of JSON text whose strings were each
    replaced by one character: ``1 + commas + brackets opened - empty ones`` up to where it
    closes (each child of an array or object but its first comes after a comma), or up to the
    end of the text (``closed`` false); ``limit + 1`` as soon as the count passes ``limit``."""
    values = 1
    depth = 0
    fresh = False  # the last bracket opened an array or object with no child seen yet
    for char in skeleton:
        if char == ",":
            values += 1
            fresh = False
            if values > limit:
                return limit + 1, False
        elif char == "{" or char == "[":
            depth += 1
            values += 1  # its first child, taken back at once if it closes empty
            fresh = True
            if values - 1 > limit:
                return limit + 1, False
        elif char == "}" or char == "]":
            if fresh:
                values -= 1
            fresh = False
            depth -= 1
            if depth == 0:
                return values, True
        elif fresh and char not in " \t\r\n":
            fresh = False
    return values - fresh, False


def raw_decode(decoder: json.JSONDecoder, text: str, at: int) -> tuple[Any, int]:
    """``decoder.raw_decode(text, at)``: :class:`json.JSONDecodeError` passes through (a value
    cut at the end of a buffer may only need more text), the other failures of :func:`loads`
    become :class:`InvalidJSON` (more text cannot mend them)."""
    try:
        value, end = decoder.raw_decode(text, at)
    except (json.JSONDecodeError, InvalidJSON):  # InvalidJSON: from an object_pairs_hook (unique_object)
        raise
    except (RecursionError, ValueError) as exc:
        raise InvalidJSON(decode_failure(exc)) from None
    _check_surrogates(text[at:end], value)
    return value, end


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (``object``, ``array``, ``string`` …), for errors
    a user reads: Python's (``dict``, ``NoneType``) are not what the file says."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)


def decode_failure(exc: BaseException) -> str:
    """The reason, for a person, of what a decoder of untrusted text (json, tomllib) raised
    besides its own syntax error: RecursionError, or ValueError for an integer too long."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    # "Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits; use …"
    return str(exc).split(";")[0]


def _check_surrogates(text: str, data: Any) -> None:
    if "\\u" not in text or not _SURROGATE_ESCAPE.search(text):
        return
    where = _surrogate_path(data)
    if where is not None:
        raise InvalidJSON(f"a string holds a lone surrogate (an unpaired \\ud800-\\udfff escape)"
                          + (f" at {cut(where)}" if where else ""))


def _surrogate_path(data: Any) -> str | None:
    """The path (``turns.0.text``) of the first key or string holding a lone surrogate, ``""``
    for the top level itself, ``None`` when there is none. Iterative: ``data`` may nest as
    deep as the decoder allowed."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):  # shown escaped: the message itself must be writable
                    key = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key)
                    return f"{path}.{key}" if path else key
                stack.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(value))
    return None
