"""Opening inputs: a file path, or ``-`` for standard input, with errors a batch can report."""

from __future__ import annotations

import os
import stat
import sys
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from scriptcheck.errors import InputError
from scriptcheck.io.jsontext import InvalidJSON, json_problem, loads

__all__ = ["open_input", "read_bytes", "json_records"]


def open_input(source: str) -> BinaryIO:
    """A binary stream of a file, or of stdin for ``-``; :class:`InputError` if unreadable. A
    character or block device is refused: /dev/zero (named, or through a symlink) was read for
    ever, looking for a line end that never comes. A pipe stays allowed (``<(zcat x.gz)``)."""
    if source == "-":
        return sys.stdin.buffer
    try:
        stream = open(source, "rb")
    except FileNotFoundError:
        raise InputError("no such file", file=source) from None
    except IsADirectoryError:
        raise InputError("is a directory", file=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=source) from None
    mode = os.fstat(stream.fileno()).st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        stream.close()
        raise InputError("a device, not a file: refused", file=source)
    return stream


def read_bytes(source: str, limit: int | None = None) -> bytes:
    """All the bytes of a file (or of stdin for ``-``); with ``limit``, at most ``limit + 1``
    bytes, so a caller can refuse an oversized input without reading all of it."""
    stream = open_input(source)
    size = -1 if limit is None else limit + 1
    try:
        if stream is sys.stdin.buffer:
            return stream.read(size)
        with stream:
            return stream.read(size)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=source) from None


def json_records(lines: Iterable[tuple[int, str | InputError]], source: str,
                 parse: Callable[[str], Any] = loads) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of numbered JSON Lines text, decoded by
    ``parse``; the value of a line that could not be decoded (given as its :class:`InputError`)
    or parsed is its :class:`InputError` (file, line, reason), and the lines after it are still
    read: a batch names and counts one bad record and goes on."""
    for number, line in lines:
        if isinstance(line, InputError):
            yield number, line
            continue
        if not line.strip():
            continue
        try:
            value = parse(line)
        except InvalidJSON as exc:
            value = InputError(json_problem(exc), file=source, line=number)
        yield number, value
