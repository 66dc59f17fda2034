"""A compiled regex's program, kept so that a later process can rebuild the regex without
compiling it again.

``re.compile`` parses a pattern and compiles it into a program for ``re``'s matching engine
(``_sre``) in Python code. For this project's patterns that is the costliest first use there
is: every CJK character range (``[\\u4e00-\\u9fff]``, a few hundred in the packaged lexicons)
is expanded into a 64K-entry map one code point at a time. Scoring 16,000 chats compiled ~650
regexes, ~0.24 s of each process's CPU (a worker of ``--jobs 2`` pays it again for every
pattern first met after the fork). Handing the stored program back to ``_sre.compile`` takes
microseconds and gives a regex equal to the one ``re.compile`` makes (``re.Pattern``'s equality
compares the program itself; ``tests/test_regex_program.py`` checks every packaged pattern).

``_sre.compile`` and ``re._parser`` / ``re._compiler`` are CPython's own, not a public API.
Every step therefore falls back to plain ``re.compile``: a program is captured only where those
functions exist with the shape this module knows, it is stored only under :data:`PROGRAM_FORMAT`
(the interpreter's version and ``_sre``'s magic number and code size, so a cache folder shared by
another interpreter is never read), and ``_sre.compile`` checks a program before using it (an
invalid one raises, and the pattern is compiled from its source instead). Like every cache
here, a stored program is trusted as much as the user's own cache folder.
"""

from __future__ import annotations

import re
import sys
from array import array
from typing import Any

__all__ = ["PROGRAM_FORMAT", "Program", "compile_captured", "compile_parsed", "from_pickle", "is_program", "restore",
           "to_pickle"]

try:
    import _sre
    from re import _compiler, _parser

    # One code word of the program: _sre's CODESIZE bytes, an array typecode of that size.
    _TYPECODE = next(t for t in "IL" if array(t).itemsize == _sre.CODESIZE)
    _CAPTURE = (sys.implementation.name == "cpython" and callable(getattr(_compiler, "_code", None))
                and callable(getattr(_parser, "parse", None)))
    PROGRAM_FORMAT = f"sre {_sre.MAGIC} {_sre.CODESIZE} {sys.implementation.name} {sys.version_info[:3]}"
except (ImportError, AttributeError, StopIteration):  # another interpreter or layout: compile from source
    _CAPTURE = False
    PROGRAM_FORMAT = "none"

# A regex's program as plain data (marshal's types): the flags re settled on, the code words as
# bytes, the number of groups and the named groups as (name, index) pairs.
Program = tuple[int, bytes, int, tuple[tuple[str, int], ...]]


def compile_captured(pattern: str, flags: int = 0) -> tuple[re.Pattern[str], Program | None]:
    """``re.compile(pattern, flags)`` and the program it compiled to (``None`` where it cannot be
    captured). Raises what ``re.compile`` raises (``re.error``, its warnings) for a bad pattern.

    The same steps as ``re._compiler.compile``, keeping the code on the way; nothing is taken
    from or put into ``re``'s own cache."""
    return compile_parsed(pattern, flags)[:2]


def compile_parsed(pattern: str, flags: int = 0) -> tuple[re.Pattern[str], Program | None, Any]:
    """:func:`compile_captured`, and the parse ``re``'s parser made of the pattern on the way
    (``None`` where the program is not captured): a caller that walks the parse for checks of
    its own need not parse the pattern again (a parse is about as long as the rest of a
    compile). Compiling leaves the parse as the parser made it; its ``state.flags`` include
    ``flags``."""
    if not _CAPTURE:
        return re.compile(pattern, flags), None, None
    # A plain int, as re.compile makes it: with a RegexFlag every flag test inside re's compiler
    # goes through enum's operators (a cold load of the packaged lexicons took 10% longer).
    flags = int(flags)
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    state = parsed.state
    named = tuple(sorted(state.groupdict.items(), key=lambda item: item[1]))
    # Plain ints (opcodes are re's named int constants): marshal takes nothing else.
    program = (flags | state.flags, array(_TYPECODE, code).tobytes(), state.groups - 1, named)
    return _built(pattern, program[0], code, program[2], named), program, parsed


def is_program(value: object) -> bool:
    """Whether ``value`` has the shape of a :data:`Program` (what a cache file holds is checked
    with this before use; whether the code itself is sound, ``_sre.compile`` checks)."""
    if type(value) is not tuple or len(value) != 4:
        return False
    flags, code, groups, named = value
    return (type(flags) is int and type(code) is bytes and type(groups) is int and type(named) is tuple
            and all(type(n) is tuple and len(n) == 2 and type(n[0]) is str and type(n[1]) is int for n in named))


def restore(pattern: str, flags: int, program: Program | None) -> re.Pattern[str]:
    """The regex ``pattern`` compiled with ``flags``, rebuilt from ``program`` (captured from
    this very pattern and flags by :func:`compile_captured` under :data:`PROGRAM_FORMAT`) when
    it can be, else compiled from its source."""
    if program is not None and _CAPTURE:
        try:
            return _rebuilt(pattern, program)
        except (TypeError, ValueError, RuntimeError, OverflowError, MemoryError):  # RuntimeError: "invalid SRE code"
            pass
    return re.compile(pattern, flags)


def _rebuilt(pattern: str, program: Program) -> re.Pattern[str]:
    settled, code, groups, named = program
    # _sre checks the code itself; the group table it trusts, so it is checked here.
    if not 0 <= groups <= len(code) or not all(0 < number <= groups for _, number in named):
        raise ValueError("the program's groups do not fit")
    return _built(pattern, settled, array(_TYPECODE, code).tolist(), groups, named)


def _built(pattern: str, flags: int, code: list[int], groups: int, named: tuple) -> re.Pattern[str]:
    """``_sre.compile``'s arguments as ``re._compiler.compile`` passes them."""
    index = [None] * (groups + 1)
    for name, number in named:
        index[number] = name
    return _sre.compile(pattern, flags, code, groups, dict(named), tuple(index))


def to_pickle(program: Program | None) -> tuple[str, Program | None]:
    """``program`` with the format it was captured under, for an object pickled to a process that
    may run another interpreter (a Spark executor): :func:`from_pickle` keeps it only there."""
    return PROGRAM_FORMAT, program


def from_pickle(state: object) -> Program | None:
    """The program :func:`to_pickle` packed, if this interpreter captured it under the same
    format; otherwise ``None`` (the regex is then compiled from its source)."""
    if type(state) is tuple and len(state) == 2 and state[0] == PROGRAM_FORMAT and PROGRAM_FORMAT != "none":
        return state[1]
    return None
