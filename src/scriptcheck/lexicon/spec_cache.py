"""Remember what a lexicon's load found out, so a warm start skips it: that its specs passed, and
its patterns' analyses.

A lexicon is identified by its :func:`key`: the SHA-256 of its bytes (a file's, or an overlaid
lexicon's serialised form) together with the scriptcheck version, the versions of the libraries
that decide matching (OpenCC, jieba) and the matcher's own source, so any change to the file or
to the matcher loads it afresh. The cache is a directory of marker files under
``$SCRIPTCHECK_CACHE_DIR`` (default ``$XDG_CACHE_HOME/scriptcheck`` or ``~/.cache/scriptcheck``);
set ``SCRIPTCHECK_CACHE_DIR=off`` to disable it. A cache that cannot be written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from scriptcheck.cachedir import cache_dir

__all__ = ["key", "is_verified", "mark_verified", "load_analyses", "store_analyses"]


@lru_cache(maxsize=1)
def _salt() -> bytes:
    parts = []
    for dist in ("scriptcheck", "opencc", "jieba", "ahocorasick-rs"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=?")
    # Source checkouts change without a version bump: include the matcher's own code.
    here = Path(__file__).resolve().parent.parent
    for module in ("text/normalize.py", "text/regex_policy.py", "match/engine.py", "match/patterns.py",
                   "lexicon/compiled.py", "lexicon/matcher.py", "lexicon/specs.py", "lexicon/overlay.py"):
        try:
            parts.append(hashlib.sha256((here / module).read_bytes()).hexdigest())
        except OSError:
            parts.append("?")
    return "|".join(parts).encode()


def key(content: bytes) -> str:
    """The cache key of a lexicon's bytes under this exact code (computed once per load)."""
    return hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def _marker(key: str, kind: str) -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / kind / key


def load_analyses(key: str) -> dict | None:
    """The pattern analyses stored for this lexicon and code, or ``None``."""
    marker = _marker(key, "patterns")
    if marker is None:
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store_analyses(key: str, analyses: dict) -> None:
    """Store the pattern analyses of a lexicon that loaded cleanly (skipped if not writable)."""
    marker = _marker(key, "patterns")
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(analyses, ensure_ascii=False), encoding="utf-8")
        tmp.replace(marker)
    except OSError:
        pass


def is_verified(key: str) -> bool:
    """Whether this lexicon already passed its specs with this exact matcher."""
    marker = _marker(key, "verified")
    return marker is not None and marker.exists()


def mark_verified(key: str) -> None:
    """Record that the lexicon passed its specs (silently skipped if the cache is not writable)."""
    marker = _marker(key, "verified")
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
