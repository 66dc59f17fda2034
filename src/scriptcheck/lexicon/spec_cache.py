"""Remember which lexicon files already passed their specs, so a warm start skips re-running them.

A file is identified by the SHA-256 of its bytes together with the scriptcheck version and the
versions of the libraries that decide matching (OpenCC, jieba), so any change to the file or to
the matcher runs the specs again. The cache is a directory of empty marker files under
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

__all__ = ["is_verified", "mark_verified", "is_verified_content", "mark_verified_content", "load_analyses",
           "store_analyses"]


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


def _marker(path: Path, kind: str = "verified") -> Path | None:
    try:
        return _content_marker(path.read_bytes(), kind)
    except OSError:
        return None


def _content_marker(content: bytes, kind: str = "verified") -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    return directory / kind / hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def load_analyses(path: Path) -> dict | None:
    """The pattern analyses stored for this exact file and code, or ``None``."""
    marker = _marker(path, "patterns")
    if marker is None:
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store_analyses(path: Path, analyses: dict) -> None:
    """Store the pattern analyses of a file that loaded cleanly (skipped if not writable)."""
    marker = _marker(path, "patterns")
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(analyses, ensure_ascii=False), encoding="utf-8")
        tmp.replace(marker)
    except OSError:
        pass


def is_verified(path: Path) -> bool:
    """Whether this exact file already passed its specs with this exact matcher."""
    marker = _marker(path)
    return marker is not None and marker.exists()


def mark_verified(path: Path) -> None:
    """Record that the file passed its specs (silently skipped if the cache is not writable)."""
    _touch(_marker(path))


def is_verified_content(content: bytes) -> bool:
    """Whether a lexicon that is not one file's bytes (an overlay applied to its base, given
    as its serialised form) already passed its specs with this exact matcher."""
    marker = _content_marker(content)
    return marker is not None and marker.exists()


def mark_verified_content(content: bytes) -> None:
    """Record that this serialised lexicon passed its specs."""
    _touch(_content_marker(content))


def _touch(marker: Path | None) -> None:
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
