"""Inline suppression: ``# scriptcheck: disable=FB003,PL -- reason`` in YAML and text sources.

A directive names rule codes or prefixes (``FB`` silences every FB rule), comma-separated,
optionally followed by `` -- `` and the reason, which is kept and reported (SARIF
``suppressions[].justification``). It applies to findings on its own line and on the line
below it; placed on (or just above) a template's key line it covers the whole template.
JSON has no comments: use ``ignore`` / ``per-file-ignores`` or a baseline there.
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

__all__ = ["DIRECTIVE", "Directive", "find_directives", "covers"]

# The reason runs to the line's end and is stripped by the reader: a lazy ``(?P<reason>.*?)\s*$``
# tried the trailing ``\s*$`` after every character of it, quadratic in a run of spaces
# inside the reason (40,000 spaces: 6 s per line, and a text file is searched twice).
DIRECTIVE = re.compile(
    r"#\s*scriptcheck:\s*disable\s*=\s*(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)"
    r"(?:\s*--\s*(?P<reason>.*))?\s*$"
)


class Directive(NamedTuple):
    """One ``# scriptcheck: disable=…`` comment: its 1-based line, codes/prefixes and reason."""

    line: int
    codes: tuple[str, ...]
    reason: str


def find_directives(text: str, inside: Iterable[tuple[int, int]] = ()) -> dict[int, Directive]:
    """Directives of a source, by line. ``inside`` are ``[start, end)`` character spans of the
    source's string values: a ``#`` there is part of a reply, not a comment."""
    spans = sorted(inside)
    found: dict[int, Directive] = {}
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if "scriptcheck" in line:
            m = DIRECTIVE.search(line)
            # YAML needs whitespace (or the line start) before a comment's '#'.
            if m and (m.start() == 0 or line[m.start() - 1] in " \t"):
                at = offset + m.start()
                if not any(a <= at < b for a, b in spans):
                    codes = tuple(c.strip().upper() for c in m.group("codes").split(","))
                    found[number] = Directive(number, codes, (m.group("reason") or "").strip())
        offset += len(line) + 1
    return found


def covers(directive: Directive, rule: str) -> bool:
    """Whether ``directive`` silences ``rule`` (a code listed, or a prefix of it)."""
    return any(rule.startswith(code) for code in directive.codes)
