"""A regex compiled on first use (:class:`LazyRegex`), for module-level and per-entry regexes
that many runs never need."""

from __future__ import annotations

import re

from scriptcheck.regex_program import Program, from_pickle, restore, to_pickle

__all__ = ["LazyRegex"]

# The methods of a compiled regex a LazyRegex stands in for.
_FORWARDED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyRegex:
    """A regex that compiles on first use, in place of a compiled ``re.Pattern`` (``compiled``:
    the same pattern compiled already, with ``flags``).

    The mitigators of a lexicon restored from the compiled cache are checked only around a
    hit of an entry that names them: a one-line lint usually has none, and compiling all of
    them at load was a tenth of a warm start. The same holds for the module-level regexes of
    the context, segmentation and speech modules: compiled at import, they were about 50 ms of
    every start, most of it spent expanding CJK character ranges (``re`` builds a 64K-entry
    map for each), though a clean one-line lint needs few of them. Equal and hashed like the
    compiled regex (its pattern and flags), and pickled as its source (and ``program``).

    ``program``: the regex's program captured when it was first compiled (a lexicon's
    mitigators, restored from the compiled-lexicon cache), so first use rebuilds it instead of
    compiling it (:mod:`scriptcheck.regex_program`).
    """

    __slots__ = ("pattern", "flags", "program", *_FORWARDED)

    def __init__(self, pattern: str, flags: int = 0, compiled: re.Pattern[str] | None = None,
                 program: Program | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        self.program = program
        if compiled is not None:  # compiled already (a freshly checked lexicon): use it from the start
            for method in _FORWARDED:
                setattr(self, method, getattr(compiled, method))

    def __getattr__(self, name: str):
        # Reached only while the forwarded methods are unset, i.e. on first use: compile, then
        # store the compiled regex's bound methods so that later calls skip this.
        if name not in _FORWARDED:
            raise AttributeError(name)
        compiled = restore(self.pattern, self.flags, self.program)
        for method in _FORWARDED:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyRegex) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __reduce__(self):
        return _unpickled, (self.pattern, self.flags, to_pickle(self.program))

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"


def _unpickled(pattern: str, flags: int, program: object) -> LazyRegex:
    """A pickled :class:`LazyRegex`, with its program if this interpreter can use it."""
    return LazyRegex(pattern, flags, program=from_pickle(program))
