"""Command-line option checks shared by the commands (``score``, ``lint``, ``report``)."""

from __future__ import annotations

import codecs

import click

__all__ = ["known_encoding", "score_bound"]


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
    return value
