"""Size bounds on the data files scriptcheck parses (YAML lexicons, profiles, templates).

Kept apart from :mod:`scriptcheck.safe_yaml` so that checking a size does not import PyYAML (a
warm start reads its lexicons and profile from the parse cache and never needs it).
"""

from __future__ import annotations

__all__ = ["MAX_BYTES", "MAX_NODES"]

# Far above any real lexicon (the packaged ones: < 300 KB, < 20 000 nodes) or template file,
# far below what takes noticeable time or memory to build.
MAX_BYTES = 16 * 1024 * 1024
MAX_NODES = 1_000_000
