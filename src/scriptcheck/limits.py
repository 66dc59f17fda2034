"""Size bounds on the data files scriptcheck parses (YAML lexicons, profiles, templates).

Kept apart from :mod:`scriptcheck.safe_yaml` so that checking a size does not import PyYAML (a
warm start reads its lexicons and profile from the parse cache and never needs it).
"""

from __future__ import annotations

__all__ = ["MAX_BYTES", "MAX_NODES", "MAX_TEMPLATE_CHARS"]

# Far above any real lexicon (the packaged ones: < 300 KB, < 20 000 nodes) or template file,
# far below what takes noticeable time or memory to build.
MAX_BYTES = 16 * 1024 * 1024
MAX_NODES = 1_000_000
# Characters of one reply template that `lint` checks. A reply is a chat message: the longest of
# 11,237 templates (corpora/templates and twelve public chatbot repositories) has 1,088
# characters, so 20,000 is eighteen times that and still no book. A template dense with
# findings costs a few KB and ~0.5 ms a character to lint (one 3 MB line of 你笨: over 60 s and
# 1.3 GB); 20,000 characters of 你笨 (20,000 findings) take ~60 MB and 5-10 s.
MAX_TEMPLATE_CHARS = 20_000
