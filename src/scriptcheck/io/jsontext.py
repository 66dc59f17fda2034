"""JSON text from outside (transcript exports, score reports, chatbot templates), decoded so
that every way it can be bad is one :class:`InvalidJSON` with a reason, never a crash.

``json.loads`` raises more than :class:`json.JSONDecodeError` on hostile text: RecursionError
on arrays nested a few thousand deep, ValueError on an integer of more than 4,300 digits
(Python's guard against quadratic conversion), and it accepts a lone surrogate escape
(``"\\ud800"``), which is no Unicode character: the record would then fail when its report is
written as UTF-8, far from the line that caused it.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["InvalidJSON", "decode_failure", "json_type", "loads", "raw_decode"]

# A \uD800-\uDFFF escape: only text holding one can decode to a lone surrogate, so the walk
# below runs for almost no record (a pair, as emoji are escaped, decodes to one character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJSON(ValueError):
    """JSON text that cannot be used; ``str()`` is the reason (with the column when known)."""


def loads(text: str) -> Any:
    """``json.loads(text)``, or :class:`InvalidJSON` for invalid JSON, nesting too deep for the
    decoder, a number too long to convert, or a string holding a lone surrogate."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(f"{exc.msg} (column {exc.colno})") from None
    except (RecursionError, ValueError) as exc:
        raise InvalidJSON(decode_failure(exc)) from None
    _check_surrogates(text, data)
    return data


def raw_decode(decoder: json.JSONDecoder, text: str, at: int) -> tuple[Any, int]:
    """``decoder.raw_decode(text, at)``: :class:`json.JSONDecodeError` passes through (a value
    cut at the end of a buffer may only need more text), the other failures of :func:`loads`
    become :class:`InvalidJSON` (more text cannot mend them)."""
    try:
        value, end = decoder.raw_decode(text, at)
    except json.JSONDecodeError:
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
                          + (f" at {where}" if where else ""))


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
