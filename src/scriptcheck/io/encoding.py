"""Decoding contact-centre exports: UTF-8 (with or without BOM) or GB18030 (a GBK superset).

One rule for every reader: the encoding is chosen from the head of the input, then every byte
is decoded strictly with it, so a corrupt record is reported (file, line) rather than turning a
whole UTF-8 file into GB18030 mojibake.
"""

from __future__ import annotations

import codecs

from scriptcheck.errors import InputError

__all__ = ["decode_bytes", "sniff_encoding", "undecodable", "SNIFF_BYTES"]

SNIFF_BYTES = 1 << 16


def sniff_encoding(head: bytes) -> str:
    """``utf-8-sig`` with a BOM; else ``utf-8`` when most non-ASCII lines of the head decode as
    UTF-8 (one corrupt record must not turn a UTF-8 file into GB18030); else ``gb18030``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # Lines end at CR too: an old Mac export is otherwise one line, and one bad byte in it made
    # the whole file GB18030.
    lines = head.replace(b"\r", b"\n").split(b"\n")
    if len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut by the sniff window
    utf8 = other = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and exc.start >= len(line) - 3:
                utf8 += 1  # a character cut by the sniff window
            else:
                other += 1
    return "utf-8" if utf8 >= other else "gb18030"


def undecodable(raw: bytes, exc: UnicodeDecodeError, encoding: str, *, file: str, line: int) -> InputError:
    """The error for a line ``raw`` (as read, line ending included) that does not decode: the
    same words whether the reader decoded it or a worker process did (``Record.validated``)."""
    return InputError(f"undecodable bytes {raw[exc.start:exc.start + 4]!r} at byte {exc.start} ({encoding})",
                      file=file, line=line)


def decode_bytes(data: bytes, *, file: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole file; returns ``(text, encoding used)``.

    The encoding is ``encoding`` if given, else sniffed from the head (:func:`sniff_encoding`);
    a BOM is dropped. Undecodable bytes raise :class:`InputError` with the line where they sit.
    """
    chosen = encoding or sniff_encoding(data[:SNIFF_BYTES])
    try:
        text = data.decode("utf-8" if chosen == "utf-8-sig" else chosen)
    except LookupError:
        raise InputError(f"unknown encoding {chosen!r}", file=file) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"undecodable bytes {data[exc.start:exc.start + 4]!r} ({chosen})",
                         file=file, line=line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if chosen == "utf-8" and data.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    return text, chosen
