"""A regex compiled on first use (:class:`LazyRegex`), for module-level and per-entry regexes
that many runs never need."""

from __future__ import annotations

import re

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
    compiled regex (its pattern and flags), and pickled as its source.
    """

    __slots__ = ("pattern", "flags", *_FORWARDED)

    def __init__(self, pattern: str, flags: int = 0, compiled: re.Pattern[str] | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        if compiled is not None:  # compiled already (a freshly checked lexicon): use it from the start
            for method in _FORWARDED:
                setattr(self, method, getattr(compiled, method))

    def __getattr__(self, name: str):
        # Reached only while the forwarded methods are unset, i.e. on first use: compile, then
        # store the compiled regex's bound methods so that later calls skip this.
        if name not in _FORWARDED:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in _FORWARDED:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyRegex) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __reduce__(self):
        return LazyRegex, (self.pattern, self.flags)

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"
