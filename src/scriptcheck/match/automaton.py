"""One Aho-Corasick automaton over every literal of every loaded lexicon."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Hashable, Iterator

import ahocorasick

__all__ = ["LiteralAutomaton"]


class LiteralAutomaton:
    """Maps literals to payloads and finds all of them in one pass over a text.

    Scanning cost grows with the text, not with the number of literals, which is what lets a
    10,000-entry lexicon cost about what a 100-entry one does.
    """

    def __init__(self, literals: dict[str, list[Hashable]] | None = None,
                 pack: Callable[[str, tuple], object] | None = None) -> None:
        self._payloads: dict[str, list[Hashable]] = defaultdict(list)
        self._automaton: ahocorasick.Automaton | None = None
        # What a hit reports for a literal, given the literal and its payloads (called when
        # the automaton is built, after every add); by default ``(len(literal), payloads)``.
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

    def _built(self) -> ahocorasick.Automaton | None:
        if self._automaton is None and self._payloads:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for literal, payloads in self._payloads.items():
                automaton.add_word(literal, self._pack(literal, tuple(payloads)))
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def raw_iter(self, text: str) -> Iterator[tuple[int, object]]:
        """The automaton's own ``(last index, packed payloads)`` stream (see ``pack`` in the constructor): the
        hot loop of the matcher unpacks it itself rather than pay for a generator per payload."""
        automaton = self._built()
        if automaton is None or not text:
            return iter(())
        return automaton.iter(text)


def _default_pack(literal: str, payloads: tuple) -> tuple[int, tuple]:
    return len(literal), payloads
