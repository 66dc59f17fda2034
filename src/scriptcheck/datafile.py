"""Reading the YAML data files (lexicons, profiles) with errors that name file, line and field."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pydantic import ValidationError

from scriptcheck.errors import ScriptcheckError
from scriptcheck.safe_yaml import MAX_BYTES, load_yaml

__all__ = ["read_data", "parse_yaml", "read_yaml", "format_validation_error", "paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a data file is parsed, validated and compiled,
    then back as it was.

    Parsing builds hundreds of thousands of small objects that all stay alive; each automatic
    collection walks every one of them, so a 10,000-entry lexicon took 2.5x as long with the
    collector on (benchmarks/bench_scaling.py), growing faster than the file. Nothing built
    here forms garbage cycles, and the collector's state is restored on the way out (if it was
    off already, it stays off).
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_data(path: Path, error: type[ScriptcheckError]) -> bytes:
    """The bytes of a data file, I/O problems turned into ``error`` with the file. At most
    ``MAX_BYTES + 1`` bytes are read, so a device or an endless file is refused (by
    :func:`parse_yaml`), not read whole."""
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_yaml(data: bytes, path: Path, error: type[ScriptcheckError]) -> object:
    """The plain data of a YAML file's bytes, with the one safe loader
    (:mod:`scriptcheck.safe_yaml`: safe subset, duplicate keys refused, aliases and size
    bounded); syntax problems become ``error`` with the file and line."""
    return load_yaml(data, source=str(path), error=error)


def read_yaml(path: Path, error: type[ScriptcheckError]) -> object:
    """:func:`read_data` then :func:`parse_yaml`."""
    return parse_yaml(read_data(path, error), path, error)


def format_validation_error(path: Path, exc: ValidationError, data: object, list_key: str = "entries") -> str:
    """One line per problem: ``file: entry FB004 (#4): field: reason``."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            index = loc[1]
            ident = None
            if isinstance(data, dict) and isinstance(data.get(list_key), list):
                items = data[list_key]
                if index < len(items) and isinstance(items[index], dict):
                    ident = items[index].get("id") or items[index].get("name")
            noun = {"entries": "entry", "rules": "rule"}.get(list_key, list_key)
            where = f"{noun} {ident or '?'} (#{index + 1}): "
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "(file)"
        lines.append(f"{path}: {where}{field}: {err['msg']}")
    return "\n".join(lines)
