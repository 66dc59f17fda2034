"""Command-line option checks shared by the commands (``score``, ``lint``, ``report``)."""

from __future__ import annotations

import codecs

import click

__all__ = ["known_encoding"]


def known_encoding(ctx, param, value: str | None) -> str | None:
    """Click callback: an ``--encoding`` Python knows, else a usage error (exit 2)."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value
