"""Reading the YAML data files (lexicons, profiles) with errors that name file, line and field,
and the parse cache that spares a warm start the YAML.

The parse cache keeps the plain data a file's bytes parsed to, as JSON, under
``<cache dir>/parsed/<key>`` (see :mod:`scriptcheck.cachedir`; ``SCRIPTCHECK_CACHE_DIR=off``
disables it). The key is the SHA-256 of the bytes together with scriptcheck's and PyYAML's
versions and this module's and the loader's source (lexicons use their own, wider key: ``lexicon.spec_cache``).
A cache file that does not parse, has another shape or names another key is ignored. Parsed
data is validated (pydantic) on every load exactly as freshly parsed data is, so the cache can
spare reading YAML, never let through what the file itself would not.
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from scriptcheck.cachedir import cache_file, code_salt
from scriptcheck.errors import ScriptcheckError
from scriptcheck.limits import MAX_BYTES

__all__ = [
    "data_files_read",
    "format_validation_error",
    "load_marshalled",
    "load_parsed",
    "parse_data",
    "parse_key",
    "parse_yaml",
    "paused_gc",
    "read_cache_bytes",
    "read_cache_json",
    "read_data",
    "read_yaml",
    "store_marshalled",
    "store_parsed",
    "write_cache_file",
]


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


# Every data file this process has read (an ordered set): a profile's lexicons, the profile an
# `extends:` names, an overlay's base are read while loading resolves, never named on the command
# line, and an output must not overwrite them either.
_READ: dict[str, None] = {}


def data_files_read() -> list[str]:
    """Every data file (lexicon, profile, tone model, configuration, baseline) this process has
    read so far, in the order first read: what an output opened after loading must not overwrite."""
    return list(_READ)


def read_data(path: Path, error: type[ScriptcheckError]) -> bytes:
    """The bytes of a data file, I/O problems turned into ``error`` with the file. Only a
    regular file is read: a named pipe would block the run for ever (a pull request can name
    one as a profile's ``extends`` or a config's ``baseline``), a device never ends. At most
    ``MAX_BYTES + 1`` bytes are read, so a file past the limit is refused (by
    :func:`parse_yaml`), not read whole."""
    try:
        # O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, before any check
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    # fstat before fdopen: fdopen of a directory fails naming the descriptor ("3: Is a directory")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise error(f"{path}: is a directory, not a file")
        raise error(f"{path}: not a regular file (a pipe, socket or device): refused")
    with os.fdopen(fd, "rb") as handle:
        _READ.setdefault(os.path.abspath(path), None)  # absolute: a relative name changes with the cwd
        try:
            return handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise error(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_yaml(data: bytes, path: Path, error: type[ScriptcheckError]) -> object:
    """The plain data of a YAML file's bytes, with the one safe loader
    (:mod:`scriptcheck.safe_yaml`: safe subset, duplicate keys refused, aliases and size
    bounded); syntax problems become ``error`` with the file and line."""
    from scriptcheck.safe_yaml import (
        load_yaml,  # PyYAML: imported when there is YAML to parse
    )

    return load_yaml(data, source=str(path), error=error)


def read_yaml(path: Path, error: type[ScriptcheckError]) -> object:
    """:func:`read_data` then :func:`parse_yaml`, through the parse cache."""
    return parse_data(read_data(path, error), path, error)


def parse_data(content: bytes, path: Path, error: type[ScriptcheckError]) -> object:
    """:func:`parse_yaml` of a file's bytes (already read), through the parse cache."""
    key = parse_key(content)
    data = load_parsed(key)
    if data is None:
        data = parse_yaml(content, path, error)
        store_parsed(key, data)
    return data


@lru_cache(maxsize=1)
def _parse_salt() -> bytes:
    return code_salt(("scriptcheck", "pyyaml"), ("datafile.py", "safe_yaml.py", "limits.py"))


def parse_key(content: bytes) -> str:
    """The parse-cache key of a data file's bytes under this parser."""
    return hashlib.sha256(_parse_salt() + b"\0" + content).hexdigest()


# The parsed-data file: its format, and the key it was written for (a file copied or renamed
# into another key's place is ignored).
_PARSED_FORMAT = "scriptcheck-parsed/1"


def load_parsed(key: str) -> object | None:
    """The plain data bytes with this key parsed to, or ``None`` (not cached, caching off, or
    the cache file unreadable, corrupt or written for another key)."""
    stored = read_cache_json(cache_file("parsed", key))
    if (not isinstance(stored, dict) or stored.get("format") != _PARSED_FORMAT or stored.get("key") != key
            or "data" not in stored):
        return None
    return stored["data"]


def store_parsed(key: str, data: object) -> None:
    """Remember parsed data under ``key``, when JSON holds it exactly (a YAML date, or a number
    as a mapping key, does not survive JSON: such a file is simply parsed every time)."""
    cached = cache_file("parsed", key)
    if cached is None:
        return
    try:
        text = json.dumps({"format": _PARSED_FORMAT, "key": key, "data": data}, ensure_ascii=False,
                          allow_nan=False)
        if json.loads(text)["data"] != data:
            return
    except (TypeError, ValueError, RecursionError):
        return
    write_cache_file(cached, text)


def read_cache_bytes(path: Path) -> bytes | None:
    """The bytes of the cache file ``path``, or ``None`` when it is missing, unreadable or not a
    regular file: a named pipe left where a cache entry belongs blocked every run for ever."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
    except OSError:
        return None


def read_cache_json(path: Path | None) -> object | None:
    """The JSON a cache file holds, or ``None`` (no path: caching off; unreadable, not a regular
    file or not JSON). The caller still checks the shape: a cache file is never trusted to be
    what it should."""
    data = read_cache_bytes(path) if path is not None else None
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def write_cache_file(path: Path, text: str | bytes) -> None:
    """Write a cache file atomically (a temporary name of this process's own, then a rename, so
    two runs writing at once never mix); silently skipped when the cache is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


# marshal's format 4 (Python 3.4+): what every cache entry of this kind is written in.
_MARSHAL_VERSION = 4


def load_marshalled(kind: str, key: str, fmt: str) -> object | None:
    """The value stored by :func:`store_marshalled` under ``key`` with format tag ``fmt``, or
    ``None`` (caching off, not cached, unreadable, or another format or key: never trusted
    beyond marshal's plain types, and the caller still checks the value's shape)."""
    cached = cache_file(kind, key)
    if cached is None:
        return None
    data = read_cache_bytes(cached)
    if data is None:
        return None
    try:
        stored = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if type(stored) is not tuple or len(stored) != 3 or stored[0] != fmt or stored[1] != key:
        return None
    return stored[2]


def store_marshalled(kind: str, key: str, fmt: str, value: object) -> None:
    """Remember ``value`` (marshal's plain types only) under ``key`` with format tag ``fmt``;
    silently skipped when caching is off, the value cannot be marshalled or the cache is not
    writable."""
    cached = cache_file(kind, key)
    if cached is None:
        return
    try:
        blob = marshal.dumps((fmt, key, value), _MARSHAL_VERSION)
    except ValueError:  # not marshal data: not cached
        return
    write_cache_file(cached, blob)


# Problems listed at most, the rest counted: a file of 200,000 wrong keys printed 200,000 lines.
MAX_PROBLEM_LINES = 20


def format_validation_error(path: Path, exc: ValidationError, data: object, list_key: str = "entries") -> str:
    """One line per problem: ``file: entry FB004 (#4): field: reason`` (at most
    :data:`MAX_PROBLEM_LINES`, then how many more). A mapping without a ``version`` key is no
    scriptcheck file at all: one line says so, and none repeats its keys (a configuration naming
    /etc/shadow as a profile must not print the file into a CI log)."""
    errors = exc.errors()
    if isinstance(data, dict) and "version" not in data and any(e["type"] == "extra_forbidden" for e in errors):
        return f"{path}: not a scriptcheck data file (no `version` key; {len(data)} top-level keys)"
    lines = []
    for err in errors[:MAX_PROBLEM_LINES]:
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
        field = ".".join(_shown(p) for p in loc) or "(file)"
        lines.append(f"{path}: {where}{field}: {err['msg']}")
    if len(errors) > MAX_PROBLEM_LINES:
        lines.append(f"{path}: … and {len(errors) - MAX_PROBLEM_LINES} more problems")
    return "\n".join(lines)


def _shown(part: object, limit: int = 40) -> str:
    """A field name as shown in an error: a key from the file is cut, not echoed whole."""
    text = str(part)
    return text if len(text) <= limit else text[:limit] + "…"
