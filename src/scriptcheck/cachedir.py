"""Where scriptcheck keeps what it may reuse across runs (spec results, segmentations), and the
versions of the installed libraries its cache keys name."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["cache_dir", "cache_file", "code_salt", "dist_version"]


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off.

    ``$SCRIPTCHECK_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/scriptcheck`` or
    ``~/.cache/scriptcheck``.
    """
    configured = os.environ.get("SCRIPTCHECK_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured) if _usable(configured) else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scriptcheck"


@lru_cache(maxsize=8)
def _usable(path: str) -> bool:
    """Whether the system can look up ``path`` at all: a folder that does not exist yet is
    created when first written, but a name it refuses (a component too long, a NUL) made every
    cache lookup raise, and the caches are only a speed-up: such a folder means no cache, as an
    unwritable one does."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return True  # the writers create it, or skip what they cannot write
    except (OSError, ValueError):
        return False
    return True


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Distribution name → version, from the ``name-version.dist-info`` folders on ``sys.path``
    (the first one found wins, as for imports). One directory listing per path entry:
    ``importlib.metadata.version`` costs about 3 ms a call, a noticeable part of a warm start."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[:-len(".dist-info")].partition("-")
                if version:
                    found.setdefault(_canonical(dist), version)
    return found


def dist_version(name: str) -> str | None:
    """The installed version of distribution ``name`` (``None`` when it is not installed)."""
    version = _installed().get(_canonical(name))
    if version is not None:
        return version
    # An egg-info or unusual install: the slow, general way.
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def code_salt(dists: tuple[str, ...], modules: tuple[str, ...]) -> bytes:
    """What a cache key must hold besides the data: the versions of ``dists`` and the bytes of
    scriptcheck's own ``modules`` (paths inside the package), since a source checkout changes
    without a version bump. A module that cannot be read counts as unknown."""
    parts = [f"{dist}={dist_version(dist) or '?'}" for dist in dists]
    here = Path(__file__).resolve().parent
    for module in modules:
        try:
            parts.append(hashlib.sha256((here / module).read_bytes()).hexdigest())
        except OSError:
            parts.append("?")
    return "|".join(parts).encode()


def cache_file(kind: str, key: str) -> Path | None:
    """Where the cache entry ``key`` of ``kind`` (``parsed``, ``patterns`` …) lives, or ``None``
    when caching is off."""
    directory = cache_dir()
    return None if directory is None else directory / kind / key
