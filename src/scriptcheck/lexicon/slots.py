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

__all__ = ["MAX_EXPANDED", "MAX_LEXICON_EXPANDED", "MAX_SLOT_DEPTH", "SLOT_REFERENCE", "ExpansionBudget", "SlotError",
           "expand_slots", "check_slots"]

# {{name}} with optional inner spaces; names are identifiers (letters, digits, _ and -).
SLOT_REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_SLOT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


# Bounds on what slots may build: a slot written as two copies of the next, twenty deep, expands
# to millions of characters (it hung the loader), and a chain of thousands of slots exhausted
# Python's recursion. The packaged patterns expand to at most 973 characters, 3 slots deep.
MAX_EXPANDED = 20_000
MAX_SLOT_DEPTH = 32
# A bound on one lexicon file's patterns together, slots expanded (and, apart, on its slots
# together, each expanded as check_slots checks it): analysing and compiling a pattern costs
# some 5 µs a character, and a 173 KB file of 999 patterns each naming a 2,500-alternative
# slot expanded to 17 MB and took 67 s to load cold; 1,000 slots of the same kind, 35 KB, took
# 28 s to check. The packaged lexicons' patterns total at most 132,436 characters expanded
# (forbidden.yaml; its slots 8,770): user lexicons get almost four times that, while a file
# built to cost the most per character is refused after a few seconds.
MAX_LEXICON_EXPANDED = 500_000


class SlotError(ValueError):
    """A pattern refers to an unknown slot, slots refer to each other in a cycle, or patterns
    or slots expand past a bound."""


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


class ExpansionBudget:
    """:func:`expand_slots` for the patterns of one lexicon file, which together may expand to
    at most ``limit`` characters (by default :data:`MAX_LEXICON_EXPANDED`); past it,
    :class:`SlotError`, raised by the pattern that passes it, before it is compiled."""

    def __init__(self, slots: Mapping[str, str], limit: int | None = None,
                 what: str = "patterns, slots expanded,") -> None:
        self.slots = slots
        self.limit = MAX_LEXICON_EXPANDED if limit is None else limit
        self.used = 0
        self._what = what

    def expand(self, pattern: str) -> str:
        """``pattern`` with its slots expanded, counted against the budget."""
        expanded = expand_slots(pattern, self.slots)
        self.used += len(expanded)
        if self.used > self.limit:
            raise SlotError(f"the lexicon's {self._what} pass {self.limit:,} characters in all here "
                            "(the limit for one lexicon file)")
        return expanded


def check_slots(slots: Mapping[str, str], limit: int | None = None) -> None:
    """Validate a whole ``slots:`` mapping: names are identifiers, every slot expands (no
    unknown reference, no cycle) and compiles as a regex on its own, and the slots expanded
    total at most ``limit`` characters (each is compiled: a budget on that work; by default
    :data:`MAX_LEXICON_EXPANDED`).

    Raises :class:`SlotError` naming the first bad slot.
    """
    budget = ExpansionBudget(slots, limit, "slots, each expanded,")
    for name, body in slots.items():
        if not _SLOT_NAME.match(name):
            raise SlotError(f"slot name {name!r} is not an identifier (letters, digits, _ and -)")
        try:
            expanded = budget.expand("{{" + name + "}}")
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
