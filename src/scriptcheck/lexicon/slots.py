"""Named slots in lexicon patterns: ``{{you}}`` stands for a regex fragment declared once.

A lexicon with hundreds of patterns repeats the same building blocks (the ways to say "you",
the softeners, the sentence-final particles); a top-level ``slots:`` mapping names them once
and a pattern refers to them as ``{{name}}``. Expansion is pure text substitution done before
the pattern is compiled and checked, so the matcher never knows slots existed.

Each slot is wrapped in a non-capturing group ``(?:…)`` so that an alternation inside a slot
cannot leak into the surrounding pattern (``a{{x}}b`` with ``x: c|d`` must mean ``a(?:c|d)b``,
not ``ac|db``). Slots may refer to other slots; a cycle is an error.
"""

from __future__ import annotations

import difflib
import re
from typing import Mapping

from scriptcheck.text.regex_policy import UnsafePattern, check_nesting

__all__ = ["MAX_EXPANDED", "MAX_SLOT_DEPTH", "SLOT_REFERENCE", "SlotError", "expand_slots", "check_slots"]

# {{name}} with optional inner spaces; names are identifiers (letters, digits, _ and -).
SLOT_REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_SLOT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


# Bounds on what slots may build: a slot written as two copies of the next, twenty deep, expands
# to millions of characters (it hung the loader), and a chain of thousands of slots exhausted
# Python's recursion. The packaged patterns expand to at most ~250 characters, 3 slots deep.
MAX_EXPANDED = 20_000
MAX_SLOT_DEPTH = 32


class SlotError(ValueError):
    """A pattern refers to an unknown slot, or slots refer to each other in a cycle."""


def _unknown(name: str, slots: Mapping[str, str], where: str) -> SlotError:
    close = difflib.get_close_matches(name, list(slots), n=1, cutoff=0.6)
    hint = f"; did you mean {{{{{close[0]}}}}}?" if close else ""
    known = ", ".join(sorted(slots)) or "none declared"
    return SlotError(f"unknown slot {{{{{name}}}}}{where}{hint} (slots: {known})")


def expand_slots(pattern: str, slots: Mapping[str, str]) -> str:
    """Replace every ``{{name}}`` in ``pattern`` by ``(?:<slot regex>)``, recursively.

    Raises :class:`SlotError` (a ``ValueError``) naming the slot and suggesting the closest
    declared name when a reference is unknown, and naming the chain when slots form a cycle.
    A pattern without ``{{`` is returned unchanged (the common case costs one ``in`` test).
    """
    if "{{" not in pattern:
        return pattern
    cache: dict[str, str] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> str:
        if name in chain:
            cycle = " -> ".join((*chain[chain.index(name):], name))
            raise SlotError(f"slots refer to each other in a cycle: {cycle}")
        if name in cache:
            return cache[name]
        if name not in slots:
            where = f" in slot {{{{{chain[-1]}}}}}" if chain else ""
            raise _unknown(name, slots, where)
        if len(chain) >= MAX_SLOT_DEPTH:
            raise SlotError(f"slots refer to each other more than {MAX_SLOT_DEPTH} deep (from {{{{{chain[0]}}}}})")
        body = SLOT_REFERENCE.sub(lambda m: resolve(m.group(1), (*chain, name)), slots[name])
        if len(body) > MAX_EXPANDED:
            raise SlotError(f"slot {{{{{name}}}}} expands to more than {MAX_EXPANDED:,} characters")
        cache[name] = f"(?:{body})"
        return cache[name]

    expanded = SLOT_REFERENCE.sub(lambda m: resolve(m.group(1), ()), pattern)
    if len(expanded) > MAX_EXPANDED:
        raise SlotError(f"the pattern expands to more than {MAX_EXPANDED:,} characters")
    return expanded


def check_slots(slots: Mapping[str, str]) -> None:
    """Validate a whole ``slots:`` mapping: names are identifiers, every slot expands (no
    unknown reference, no cycle) and compiles as a regex on its own.

    Raises :class:`SlotError` naming the first bad slot.
    """
    for name, body in slots.items():
        if not _SLOT_NAME.match(name):
            raise SlotError(f"slot name {name!r} is not an identifier (letters, digits, _ and -)")
        try:
            expanded = expand_slots("{{" + name + "}}", slots)
        except SlotError as exc:
            raise SlotError(f"slot {{{{{name}}}}}: {exc}") from None
        try:  # the regex policy's bound first: re's parser recurses once per group level
            check_nesting(expanded)
        except UnsafePattern as exc:
            raise SlotError(f"slot {{{{{name}}}}}: the regex nests too deeply: {exc}") from None
        try:
            re.compile(expanded)
        except (re.error, OverflowError) as exc:
            raise SlotError(f"slot {{{{{name}}}}}: invalid regex {body!r}: {exc}") from None
