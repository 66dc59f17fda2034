"""One Aho-Corasick automaton over every literal of every loaded lexicon."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Hashable

import ahocorasick_rs

__all__ = ["LiteralAutomaton"]


class LiteralAutomaton:
    """Maps literals to payloads and finds all of them in one pass over a text.

    Scanning cost grows with the text, not with the number of literals, which is what lets a
    10,000-entry lexicon cost about what a 100-entry one does. The automaton is the Rust
    ``aho-corasick`` crate (through ``ahocorasick-rs``), which reports every occurrence of a
    text in one call.
    """

    def __init__(self, literals: dict[str, list[Hashable]] | None = None,
                 pack: Callable[[str, tuple], object] | None = None) -> None:
        self._payloads: dict[str, list[Hashable]] = defaultdict(list)
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        self._values: list[object] = []
        # What a hit reports for a literal, given the literal and its payloads (called when
        # the automaton is built, after every add); by default the payloads as a tuple.
        self._pack = pack or _default_pack
        for literal, payloads in (literals or {}).items():
            for payload in payloads:
                self.add(literal, payload)

    def add(self, literal: str, payload: Hashable) -> None:
        """Register ``payload`` under ``literal`` (a literal may carry many payloads)."""
        if not literal:
            raise ValueError("empty literal")
        self._payloads[literal].append(payload)
        self._automaton = None

    def __len__(self) -> int:
        return len(self._payloads)

    def __getstate__(self) -> dict:
        # The Rust automaton does not pickle: a copy (a checker sent to another process)
        # builds its own on first use, from the literals.
        return {**self.__dict__, "_automaton": None, "_values": []}

    def _built(self) -> ahocorasick_rs.AhoCorasick | None:
        if self._automaton is None and self._payloads:
            literals = list(self._payloads)
            self._values = [self._pack(literal, tuple(self._payloads[literal])) for literal in literals]
            # Contiguous NFA, not the size-based default: as quick to build, and the default's
            # pick for 10,000-entry lexicons scanned 15% slower (benchmarks/bench_scaling.py).
            # A DFA scans a little faster still but takes 4x as long to build, at every start.
            self._automaton = ahocorasick_rs.AhoCorasick(
                literals, matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        return self._automaton

    @property
    def values(self) -> list[object]:
        """The packed payloads of each literal, by the literal number :meth:`find` reports."""
        self._built()
        return self._values

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every literal in ``text``, overlapping ones included, as
        ``(literal number, start, end)`` in order of ``end``; look the literal's payloads up
        in :attr:`values`."""
        automaton = self._built()
        if automaton is None or not text:
            return []
        return automaton.find_matches_as_indexes(text, overlapping=True)

    def payloads(self, text: str) -> list[tuple[int, int, object]]:
        """:meth:`find` with the packed payloads in place of the literal numbers:
        ``(start, end, packed)``."""
        values = self.values
        return [(start, end, values[literal]) for literal, start, end in self.find(text)]


def _default_pack(literal: str, payloads: tuple) -> tuple:
    return payloads
