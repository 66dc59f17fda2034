"""A regex compiled on first use (:class:`LazyRegex`), for module-level and per-entry regexes
that many runs never need; :func:`code_regex` for those of scriptcheck's own modules, whose
programs one cache entry keeps."""

from __future__ import annotations

import hashlib
import re
import warnings

from scriptcheck.regex_program import PROGRAM_FORMAT, Program, compile_captured, from_pickle, is_program, restore, to_pickle

__all__ = ["LazyRegex", "code_regex"]

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
        if id(self) in _UNATTACHED:
            _attach_code_programs()
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


# The regexes of scriptcheck's own modules (code_regex), in the order they were made, and the ids
# of those not yet given their programs.
_CODE_REGEXES: list[LazyRegex] = []
_UNATTACHED: set[int] = set()
_CODE_FORMAT = f"scriptcheck-code-regex/1 {PROGRAM_FORMAT}"


def code_regex(pattern: str, flags: int = 0) -> LazyRegex:
    """A :class:`LazyRegex` of a module's own code (not of a data file). The first one used in a
    process gives every one made so far the program it compiled to, from one cache entry keyed
    on all their sources (``<cache dir>/code-regex/<key>``; written the first time, by compiling
    them all once): the context and speech modules' regexes, compiled on first use, were ~13 ms
    of a batch of 80 chats (benchmarks/RESULTS.md, session of 2026-12-05 16:05 UTC)."""
    regex = LazyRegex(pattern, flags)
    _CODE_REGEXES.append(regex)
    _UNATTACHED.add(id(regex))
    return regex


def _attach_code_programs() -> None:
    """Give every code regex made so far its program (see :func:`code_regex`); nothing when
    caching is off or the interpreter's programs cannot be captured (each compiles from its
    source on first use, as before)."""
    # Imported here: the cache helpers pull in pydantic, which this module's importers may not need yet.
    from scriptcheck.cachedir import cache_file
    from scriptcheck.datafile import load_marshalled, store_marshalled

    regexes = list(_CODE_REGEXES)
    _UNATTACHED.difference_update(map(id, regexes))
    digest = hashlib.sha256(PROGRAM_FORMAT.encode())
    for regex in regexes:
        digest.update(f"\0{regex.flags}\0{regex.pattern}".encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    if PROGRAM_FORMAT == "none" or cache_file("code-regex", key) is None:
        return
    programs = load_marshalled("code-regex", key, _CODE_FORMAT)
    if not (type(programs) is tuple and len(programs) == len(regexes)
            and all(p is None or is_program(p) for p in programs)):
        programs = tuple(_captured(regex) for regex in regexes)
        store_marshalled("code-regex", key, _CODE_FORMAT, programs)
    for regex, program in zip(regexes, programs):
        if regex.program is None:
            regex.program = program


def _captured(regex: LazyRegex) -> Program | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compile_captured(regex.pattern, regex.flags)[1]
    except re.error:  # a module's own regex is valid: compiled from source on use should this ever fail
        return None
