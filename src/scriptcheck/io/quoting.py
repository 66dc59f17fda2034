"""Data quoted in an error message, cut to a few hundred characters.

A reader's error names the value it refuses (``unknown speaker '主持人'``); the value comes from
the input, so it may be megabytes long (a 5 MB speaker made one 5 MB error line on the terminal,
in ``--errors`` and in CI logs). Every reader quotes through here, so the cut is the same
everywhere.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["QUOTE_CHARS", "cut", "quoted"]

# Enough to recognise any real label, id, time or line; short enough for one terminal line or two.
QUOTE_CHARS = 200

# Containers (a speaker given as a list or an object) are shown by their first items only:
# repr() of a huge one would build all of its text first.
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = QUOTE_CHARS
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 10
_REPR.maxlevel = 3


def quoted(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` for an error message, its text cut after ``limit`` characters with an
    ellipsis and the full length (``'xxxx'… (5,000,000 characters)``)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    return cut(_REPR.repr(value), limit)


def cut(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` (a field name, a key: shown as it is, not quoted) cut after ``limit``
    characters with an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"
