"""Decoding contact-centre exports: UTF-8 (with or without BOM), then GB18030 (a GBK superset)."""

from __future__ import annotations

import codecs

from scriptcheck.errors import InputError

__all__ = ["decode_bytes", "ENCODINGS"]

ENCODINGS = ("utf-8", "gb18030")


def decode_bytes(data: bytes, *, file: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole file; returns ``(text, encoding used)``.

    UTF-8 is tried first (a BOM is dropped); GB18030 decodes GBK and GB2312 exports. With an
    explicit ``encoding`` only that one is tried. Undecodable bytes raise :class:`InputError`
    with the line where they sit.
    """
    tried = (encoding,) if encoding else ENCODINGS
    last: UnicodeDecodeError | None = None
    for name in tried:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except LookupError:
            raise InputError(f"unknown encoding {name!r}", file=file) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, ("utf-8-sig" if name == "utf-8" and data.startswith(codecs.BOM_UTF8) else name)
    assert last is not None
    line = data.count(b"\n", 0, last.start) + 1
    raise InputError(
        f"undecodable bytes {data[last.start:last.start + 4]!r} (tried {', '.join(tried)})",
        file=file, line=line,
    )
