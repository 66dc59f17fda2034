"""The characters one regex item can match, as sorted code point intervals, and the largest
product of counts over items that can match one same character: what the regex policy needs
to tell whether repeats next to each other can split a text between them in many ways.

Items are ``re``'s parse items (``re._parser``): a literal, a negated literal, ``.``, or a class
``[…]`` of literals, ranges and the categories ``\\d \\s \\w`` (and their negations), case
folded or not, read off ``re`` itself (categories, case folding); a negated class folded is
taken as its unfolded negation, and anything else (a category ``re`` has only for bytes or
locales) as every character: never fewer characters than ``re`` matches, so that no overlap
is missed.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

try:  # Python 3.11+
    import re._constants as _c
except ImportError:  # pragma: no cover - older Pythons are not supported by pyproject
    import sre_constants as _c  # type: ignore[no-redef]

__all__ = ["Intervals", "item_intervals", "most_shared"]

Intervals = list[tuple[int, int]]  # sorted, disjoint, inclusive
_EVERYTHING: Intervals = [(0, sys.maxunicode)]

_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s", _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W",
}


@lru_cache(maxsize=1)
def _every_character() -> str:
    # 1.1 million characters, 4.4 MB: built once, and only for a category next to another
    # repeat whose counts multiply past the policy's bound (no shipped pattern gets here).
    return "".join(map(chr, range(sys.maxunicode + 1)))


@lru_cache(maxsize=16)
def _category(category, ascii_only: bool) -> Intervals:
    """The code points of ``\\d``, ``\\w``, … (Unicode's, or ASCII's under ``re.ASCII``), read
    off ``re`` itself so that they are exactly what it matches."""
    regex = re.compile(_CATEGORIES[category] + "+", re.ASCII if ascii_only else 0)
    return [(m.start(), m.end() - 1) for m in regex.finditer(_every_character())]


def _merged(intervals: Intervals) -> Intervals:
    out: Intervals = []
    for low, high in sorted(intervals):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _complement(intervals: Intervals) -> Intervals:
    out: Intervals = []
    start = 0
    for low, high in intervals:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= sys.maxunicode:
        out.append((start, sys.maxunicode))
    return out


@lru_cache(maxsize=64)
def _folded(intervals: tuple[tuple[int, int], ...], ascii_only: bool) -> Intervals:
    """The characters a case-insensitive class of ``intervals`` matches, as ``re`` folds case."""
    members = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in intervals)
    regex = re.compile(f"[{members}]+", re.IGNORECASE | (re.ASCII if ascii_only else 0))
    return [(m.start(), m.end() - 1) for m in regex.finditer(_every_character())]


def item_intervals(op, av, ascii_only: bool = False, fold: bool = False) -> Intervals | None:
    """The characters the parse item ``(op, av)`` matches (``fold``: case-insensitively), or
    more, never fewer; ``None`` when it is not a single character matcher."""
    if op is _c.ANY:  # with or without re.DOTALL: the newline too, at worst an overstatement
        return list(_EVERYTHING)
    if op in (_c.LITERAL, _c.NOT_LITERAL):
        negate, members = op is _c.NOT_LITERAL, [(av, av)]
    elif op is _c.IN:
        negate, members = False, []
        for sub_op, sub_av in av:
            if sub_op is _c.NEGATE:
                negate = True
            elif sub_op is _c.LITERAL:
                members.append((sub_av, sub_av))
            elif sub_op is _c.RANGE:
                members.append(tuple(sub_av))
            elif sub_op is _c.CATEGORY and sub_av in _CATEGORIES:
                members += _category(sub_av, ascii_only)
            else:
                return list(_EVERYTHING)
        members = _merged(members)
    else:
        return None
    if negate:
        # Case-insensitively, a character is out of [^…] when it or one of its cases is in the
        # members: the characters not in them hold every one it matches (an overstatement
        # only, where folding is subtle: re's categories and some Greek letters).
        return _complement(members)
    return _folded(tuple(members), ascii_only) if fold and members else members


def most_shared(items: list[tuple[int, Intervals | None]]) -> int:
    """The largest product of counts over the items that can all match one same character
    (``None``: any character), for ``(count, characters)`` items."""
    events: list[tuple[int, int, int]] = []  # (code point, +1 opens / -1 closes after it, item)
    for index, (_, intervals) in enumerate(items):
        for low, high in intervals if intervals is not None else _EVERYTHING:
            events.append((low, 0, index))
            events.append((high + 1, -1, index))
    events.sort()
    best = 0
    open_items: set[int] = set()
    i = 0
    while i < len(events):
        point = events[i][0]
        while i < len(events) and events[i][0] == point:  # every change at this code point
            _, kind, index = events[i]
            if kind == 0:
                open_items.add(index)
            else:
                open_items.discard(index)
            i += 1
        if open_items:
            product = 1
            for index in open_items:
                product *= items[index][0]
            best = max(best, product)
    return best
