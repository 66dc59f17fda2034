"""Where scriptcheck keeps what it may reuse across runs (spec results, segmentations)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off.

    ``$SCRIPTCHECK_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/scriptcheck`` or
    ``~/.cache/scriptcheck``.
    """
    configured = os.environ.get("SCRIPTCHECK_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scriptcheck"
