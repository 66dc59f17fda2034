"""Plain-text reply files: one reply per line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from scriptcheck.errors import InputError
from scriptcheck.io.encoding import decode_bytes

__all__ = ["read_bytes", "read_reply_lines"]


def read_bytes(source: str) -> bytes:
    """The bytes of a file, or of stdin for ``-``; :class:`InputError` if unreadable."""
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=source) from None
    except IsADirectoryError:
        raise InputError("is a directory", file=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=source) from None


def read_reply_lines(source: str, encoding: str | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(1-based line number, text)`` for every non-blank line of a reply file."""
    text, _ = decode_bytes(read_bytes(source), file=source, encoding=encoding)
    # split on \n only: str.splitlines() also breaks on U+2028 and friends, which would put
    # findings on lines an editor does not show.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line
