"""One Aho-Corasick automaton over every literal of every loaded lexicon."""

from __future__ import annotations

from typing import Callable, Hashable, Iterable

import ahocorasick_rs

__all__ = ["LiteralAutomaton"]

# Short texts are searched by looking their substrings up in the literal table until this many
# lookups per literal have been spent; then the automaton is built. Building costs about 3 µs
# per literal and one lookup a tenth of that, so a one-line lint never pays for the build and a
# longer run pays at most a fraction of it twice (ski rental).
_LOOKUPS_PER_LITERAL = 8


class LiteralAutomaton:
    """Maps literals to payloads and finds all of them in one pass over a text.

    Scanning cost grows with the text, not with the number of literals, which is what lets a
    10,000-entry lexicon cost about what a 100-entry one does. The automaton is the Rust
    ``aho-corasick`` crate (through ``ahocorasick-rs``), which reports every occurrence of a
    text in one call.

    It is built on first need: the first texts are searched by looking each of their
    substrings of a literal's length up in the literal table (the same hits in the same order),
    which for a few short texts — a one-line lint — is far cheaper than building the automaton
    over tens of thousands of pattern anchors. Once the lookups spent reach a bound
    proportional to the number of literals, the automaton is built and used from then on.
    """

    def __init__(self, literals: dict[str, list[Hashable]] | None = None,
                 pack: Callable[[str, tuple], object] | None = None) -> None:
        # literal → [its number (insertion order, as the automaton numbers literals), payload, …]
        self._payloads: dict[str, list] = {}
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        self._values: list[object] | _Packed = []
        # What a hit reports for a literal, given the literal and its payloads (called when
        # the automaton is built, after every add); by default the payloads as a tuple.
        self._pack = pack or _default_pack
        self._table: _Table | None = None  # the lookup search, before the automaton is built
        self._lookups = 0  # lookups spent so far
        self._counts: list[int] | None = None  # payloads per literal number, for crowding()
        for literal, payloads in (literals or {}).items():
            for payload in payloads:
                self.add(literal, payload)

    def add(self, literal: str, payload: Hashable) -> None:
        """Register ``payload`` under ``literal`` (a literal may carry many payloads)."""
        if not literal:
            raise ValueError("empty literal")
        table = self._payloads
        entry = table.get(literal)
        if entry is None:
            table[literal] = [len(table), payload]
        else:
            entry.append(payload)
        self._automaton = None
        self._table = None
        self._counts = None

    def add_all(self, literals: Iterable[str], payload: Hashable) -> None:
        """:meth:`add` ``payload`` under each of ``literals`` (a pattern's anchors)."""
        table = self._payloads
        for literal in literals:
            entry = table.get(literal)
            if entry is None:
                if not literal:
                    raise ValueError("empty literal")
                table[literal] = [len(table), payload]
            else:
                entry.append(payload)
        self._automaton = None
        self._table = None
        self._counts = None

    def __len__(self) -> int:
        return len(self._payloads)

    def __getstate__(self) -> dict:
        # The Rust automaton does not pickle: a copy (a checker sent to another process)
        # builds its own on first use, from the literals.
        return {**self.__dict__, "_automaton": None, "_values": [], "_table": None, "_lookups": 0, "_counts": None}

    def build(self) -> None:
        """Build the automaton now instead of after the first texts: for a caller that knows
        it is about to search many texts (a large batch), where the lookups spent before the
        automaton pays for itself are wasted (the same hits either way)."""
        self._built()

    def _built(self) -> ahocorasick_rs.AhoCorasick | None:
        if self._automaton is None and self._payloads:
            literals = list(self._payloads)
            # Each literal's payloads are packed when a hit first reports it, as the lookups
            # before the build do (and those already packed are kept): packing all ~72,000
            # literals of the packaged lexicons up front was 50-100 ms of every scoring
            # process, and a batch of 16,000 chats reports a few thousand of them.
            table = self._table
            self._values = table.values if table is not None else _Packed(self._payloads, self._pack, literals)
            # Contiguous NFA, not the size-based default: as quick to build, and the default's
            # pick for 10,000-entry lexicons scanned 15% slower (benchmarks/bench_scaling.py).
            # A DFA scans a little faster still but takes 4x as long to build, at every start.
            self._automaton = ahocorasick_rs.AhoCorasick(
                literals, matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA)
            self._table = None
        return self._automaton

    def _lookup_table(self) -> _Table:
        table = self._table
        if table is None:
            table = self._table = _Table(self._payloads, self._pack)
        return table

    @property
    def values(self) -> list[object] | dict[int, object]:
        """The packed payloads of each literal, indexed by the literal number :meth:`find`
        reports: a mapping that packs a literal when it is first looked up (an empty list
        when there are no literals)."""
        if self._automaton is not None or not self._payloads:
            return self._values
        return self._lookup_table().values

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every literal in ``text``, overlapping ones included, as
        ``(literal number, start, end)`` in order of ``end``, the longest first among those
        that end together; look the literal's payloads up in :attr:`values`."""
        automaton = self._automaton
        if automaton is None:
            if not self._payloads or not text:
                return []
            table = self._lookup_table()
            cost = len(text) * len(table.lengths)
            if self._lookups + cost <= _LOOKUPS_PER_LITERAL * table.count:
                self._lookups += cost
                return table.find(text)
            automaton = self._built()
        if not text:
            return []
        return automaton.find_matches_as_indexes(text, overlapping=True)

    def crowding(self, text: str) -> int:
        """How many payloads the literal occurrences in ``text`` carry in all: the candidates a
        search of ``text`` hands on to be verified, counted without packing or verifying any."""
        counts = self._counts
        if counts is None:
            counts = self._counts = [len(entry) - 1 for entry in self._payloads.values()]
        return sum([counts[literal] for literal, _, _ in self.find(text)])

    def most_shared(self) -> tuple[str, int]:
        """The literal that carries the most payloads, and how many (``("", 0)`` when empty)."""
        literal = max(self._payloads, key=lambda key: len(self._payloads[key]), default="")
        return literal, len(self._payloads[literal]) - 1 if literal else 0

    def payloads(self, text: str) -> list[tuple[int, int, object]]:
        """:meth:`find` with the packed payloads in place of the literal numbers:
        ``(start, end, packed)``."""
        values = self.values
        return [(start, end, values[literal]) for literal, start, end in self.find(text)]


class _Table:
    """The literals as a lookup table (the literal → [number, payloads…] map itself), their
    distinct lengths longest first, and the packed payloads on demand."""

    __slots__ = ("count", "entries", "lengths", "values")

    def __init__(self, payloads: dict[str, list], pack: Callable[[str, tuple], object]) -> None:
        self.entries = payloads
        self.count = len(payloads)
        self.lengths = tuple(sorted(set(map(len, payloads)), reverse=True))
        self.values = _Packed(payloads, pack)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """What the automaton reports for ``text``: by end, then longest first."""
        get = self.entries.get
        lengths = self.lengths
        found = []
        for end in range(1, len(text) + 1):
            for size in lengths:
                if size <= end:
                    entry = get(text[end - size:end])
                    if entry is not None:
                        found.append((entry[0], end - size, end))
        return found


class _Packed(dict):
    """Literal number → packed payloads, packed when first asked for."""

    def __init__(self, payloads: dict[str, list], pack: Callable[[str, tuple], object],
                 literals: list[str] | None = None) -> None:
        super().__init__()
        self._payloads = payloads
        self._literals = literals  # the literals in number order (made on first need when None)
        self._pack = pack

    def __missing__(self, number: int) -> object:
        if self._literals is None:
            self._literals = list(self._payloads)
        literal = self._literals[number]
        value = self[number] = self._pack(literal, tuple(self._payloads[literal][1:]))
        return value


def _default_pack(literal: str, payloads: tuple) -> tuple:
    return payloads
