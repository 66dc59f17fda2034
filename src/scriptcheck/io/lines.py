"""Opening inputs: a file path, or ``-`` for standard input, with errors a batch can report."""

from __future__ import annotations

import sys
from typing import BinaryIO

from scriptcheck.errors import InputError

__all__ = ["open_input", "read_bytes"]


def open_input(source: str) -> BinaryIO:
    """A binary stream of a file, or of stdin for ``-``; :class:`InputError` if unreadable."""
    if source == "-":
        return sys.stdin.buffer
    try:
        return open(source, "rb")
    except FileNotFoundError:
        raise InputError("no such file", file=source) from None
    except IsADirectoryError:
        raise InputError("is a directory", file=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=source) from None


def read_bytes(source: str) -> bytes:
    """All the bytes of a file (or of stdin for ``-``)."""
    stream = open_input(source)
    if stream is sys.stdin.buffer:
        return stream.read()
    with stream:
        return stream.read()
