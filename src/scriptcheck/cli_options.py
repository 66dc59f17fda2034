"""Command-line option checks shared by the commands (``score``, ``lint``, ``report``)."""

from __future__ import annotations

import codecs

import click

__all__ = ["known_encoding", "line_encoding", "score_bound"]


def score_bound(ctx, param, value: float | None) -> float | None:
    """Click callback: a score from 0 to 100 (``nan`` compared false with every score, so a
    ``--fail-under nan`` never failed anything), else a usage error (exit 2)."""
    if value is not None and not 0 <= value <= 100:
        raise click.BadParameter(f"{value} is not a score from 0 to 100")
    return value


def known_encoding(ctx, param, value: str | None) -> str | None:
    """Click callback: a text ``--encoding`` Python knows, else a usage error (exit 2)."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
        try:  # rot13, hex, base64_codec … are codecs but not text encodings: decoding with one fails
            b"a".decode(value)
        except LookupError:
            raise click.BadParameter(f"{value!r} is not a text encoding") from None
        except UnicodeError:  # a text encoding for which one byte is not enough (utf-16)
            pass
        try:  # `undefined` is a text encoding that encodes and decodes nothing
            "a\n".encode(value).decode(value)
        except UnicodeError:
            raise click.BadParameter(f"{value!r} cannot decode text") from None
    return value


def line_encoding(ctx, param, value: str | None) -> str | None:
    """Click callback for the readers that split lines before decoding (``score``): a text
    ``--encoding`` whose line end is the byte ``\n``. UTF-16 and UTF-32 are refused with the
    way out, rather than every record rejected as undecodable."""
    value = known_encoding(ctx, param, value)
    if value is not None and "\n".encode(value) != b"\n":
        raise click.BadParameter(f"{value!r}: transcripts are read line by line, and its line end is not "
                                 f"the byte \\n; convert the file to UTF-8 (iconv -f {value} -t utf-8)")
    return value
