"""One policy for user regexes (lexicon patterns, ``kinds`` in the configuration): accept only
patterns that Python's backtracking ``re`` runs in linear time.

Why this is enough (linearity by construction). ``re.search`` tries a match at each start
position; an attempt explores a tree of choices (which alternative, how many repetitions). With
every repeat bounded and no back-references, that tree depends on the pattern alone, never on
the text, so a search costs at most ``len(text) × work`` steps, where ``work`` bounds the tree.
:func:`work_bound` computes that bound from the parsed regex (a branch adds its alternatives'
bounds, a sequence multiplies its items', a repeat ``x{m,n}`` sums ``w(x)^k`` for ``k`` from
``m`` to ``n``, a lookaround — atomic — adds its body's bound for each path reaching it) and :func:`check_regex` refuses:

- an unbounded repeat (``*``, ``+``, ``{n,}``): ``a.*b`` is quadratic on ``aaaa…``;
- a back-reference: its cost depends on the text;
- nested repetition: a repeat of variable count (``{m,n}``, ``n > 1``, ``m != n``) around a body
  of variable length (``(.{1,29}){1,29}``: the ways to split the text between the copies
  explode); a fixed count (``(?:[ -]?[0-9]{4}){2}``) is left to the work bound;
- an alternation under such a repeat whose branches can start with the same character, or be
  empty (``(a|a){1,40}``: 2^40 ways to match ``aaaa…``);
- any pattern whose work bound exceeds :data:`MAX_WORK` — the catch-all that makes the
  argument above hold with a small constant.

The first three reasons name the common mistakes precisely; the bound alone would refuse them
too. ``tests/test_regex_policy.py`` checks the claim on random patterns with a step-counting
model of the backtracking search, and ``benchmarks/bench_regex_policy.py`` times real ``re``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons are not supported by pyproject
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["check_nesting", "check_parsed", "MAX_NESTING", "MAX_WORK", "UnsafePattern", "check_regex", "too_deep",
           "work_bound"]

# Steps per start position. The shipped lexicons' largest bounds are close to it (988,416 for
# FB351's bare no, 921,200 and 698,309 next, of 3,023 patterns and mitigators; measured 2026-12-05),
# so it cannot come down without rewriting them; a search over a 1,000-character text at this
# bound is at most ~10^9 elementary steps, in practice far fewer (the bound assumes every choice
# is explored to the end, and lexicon patterns are searched only in windows around an anchor).
MAX_WORK = 1_000_000

# Groups inside groups. The shipped lexicons nest at most 4 deep (slots expanded); ``re``'s parser
# and compiler recurse once per level and raise RecursionError somewhere past 450 (less when
# called deep in a stack), so a pattern from a pull request is refused long before that, with a
# reason, instead of passing at load and failing when first compiled at scan time.
MAX_NESTING = 50

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT) + ((_c.POSSESSIVE_REPEAT,) if hasattr(_c, "POSSESSIVE_REPEAT") else ())
_ASSERTS = (_c.ASSERT, _c.ASSERT_NOT)


class UnsafePattern(ValueError):
    """A regex the policy refuses; the message says why and what to write instead."""


def _width(seq) -> tuple[int, int]:
    lo, hi = seq.getwidth() if isinstance(seq, _p.SubPattern) else _p.SubPattern(_p.State(), seq).getwidth()
    return lo, hi


def _first_chars(seq) -> set | None:
    """Characters a match of ``seq`` can start with (``None``: any, or unknown); an empty set
    with ``""`` in it means the sequence can match the empty string."""
    out: set = set()
    for op, av in seq:
        if op is _c.LITERAL:
            out.add(chr(av))
            return out
        if op is _c.IN:
            chars = set()
            for sub_op, sub_av in av:
                if sub_op is _c.LITERAL:
                    chars.add(chr(sub_av))
                elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] < 256:
                    chars.update(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
                else:  # NEGATE, categories, wide ranges: treat as anything
                    return None
            out |= chars
            return out
        if op is _c.SUBPATTERN:
            inner = _first_chars(av[-1])
            if inner is None:
                return None
            out |= inner - {""}
            if "" not in inner:
                return out
            continue
        if op is _c.BRANCH:
            nullable = False
            for alt in av[1]:
                inner = _first_chars(alt)
                if inner is None:
                    return None
                nullable |= "" in inner
                out |= inner - {""}
            if not nullable:
                return out
            continue
        if op in _REPEATS:
            inner = _first_chars(av[2])
            if inner is None:
                return None
            out |= inner - {""}
            if av[0] > 0 and "" not in inner:
                return out
            continue
        if op in (_c.AT,) or op in _ASSERTS:
            continue  # zero width
        return None  # ANY, NOT_LITERAL, categories: anything
    out.add("")
    return out


def _overlapping(alternatives) -> bool:
    """Whether two alternatives of a branch can start with the same character (or one is empty)."""
    seen: set[str] = set()
    for alt in alternatives:
        first = _first_chars(alt)
        if first is None or "" in first:
            return True
        if seen & first:
            return True
        seen |= first
    return False


def _scan(pattern: str, seq) -> int:
    """The work bound of ``seq`` (see the module doc), refusing the named mistakes on the way."""
    work = 1
    extra = 0
    for op, av in seq:
        if op in _REPEATS:
            low, high, body = av
            if high is _c.MAXREPEAT:
                raise UnsafePattern(f"pattern {pattern!r} has an unbounded repeat; bound it "
                                    f"(e.g. .{{0,8}} instead of .* or .+)")
            body_lo, body_hi = _width(body)
            if high > 1 and _branch_overlaps(body):
                raise UnsafePattern(f"pattern {pattern!r} repeats an alternation whose branches can match "
                                    f"the same text (or nothing): the ways to match explode; make the "
                                    f"branches start differently or drop the repeat")
            # A fixed count ({2}: a phone number's groups) only multiplies the work, which the
            # bound accounts for; a variable count over a variable-length body is the explosion.
            if high > 1 and low != high and body_lo != body_hi and _has_repeat_or_branch(body):
                raise UnsafePattern(f"pattern {pattern!r} nests a variable-length repetition inside a "
                                    f"repeat ({{{low},{high}}}): the ways to split the text explode; "
                                    f"use one bounded repeat such as .{{0,N}}")
            inner = _scan(pattern, body)
            if inner == 1:
                term = high - low + 1  # a fixed-width body: only how many copies is a choice
            else:
                # inner ** high is checked by logarithms first: {0,65535} must not build a bignum.
                fits = high * math.log(inner) <= math.log(MAX_WORK * 4)
                term = sum(inner ** k for k in range(low, high + 1)) if fits else MAX_WORK + 1
            work *= max(term, 1)
        elif op is _c.BRANCH:
            work *= sum(_scan(pattern, alt) for alt in av[1])
        elif op is _c.SUBPATTERN:
            work *= _scan(pattern, av[-1])
        elif op is getattr(_c, "ATOMIC_GROUP", object()):
            work *= _scan(pattern, av)
        elif op in _ASSERTS:
            # An assertion is atomic: tried once per path that reaches it, never re-entered on
            # backtracking, so its work adds (per path so far) rather than multiplies.
            extra += work * _scan(pattern, av[1])
        elif op in (_c.GROUPREF, getattr(_c, "GROUPREF_EXISTS", object())):
            raise UnsafePattern(f"pattern {pattern!r} uses a back-reference or a conditional group; "
                                f"its cost depends on the text")
        if work + extra > MAX_WORK:
            raise UnsafePattern(f"pattern {pattern!r} may backtrack through more than {MAX_WORK:,} ways "
                                f"per position; use fewer or smaller repeats and alternations")
    return work + extra


def _has_repeat_or_branch(seq) -> bool:
    for op, av in seq:
        if op in _REPEATS or op is _c.BRANCH:
            return True
        if op is _c.SUBPATTERN and _has_repeat_or_branch(av[-1]):
            return True
    return False


def _branch_overlaps(seq) -> bool:
    for op, av in seq:
        if op is _c.BRANCH and _overlapping(av[1]):
            return True
        if op is _c.SUBPATTERN and _branch_overlaps(av[-1]):
            return True
        if op in _REPEATS and _branch_overlaps(av[2]):
            return True
    return False


# A group that sets flags: ``(?x)`` (global, no group) or ``(?x-i:`` (scoped), as re's parser
# reads them (``_parse_flags``): letters, optionally ``-`` and letters, then ``)`` or ``:``.
_FLAG_GROUP = re.compile(r"\(\?([aiLmsux]*)(?:-([aiLmsux]+))?([:)])")


def check_nesting(pattern: str) -> None:
    """:class:`UnsafePattern` when ``pattern`` nests groups more than :data:`MAX_NESTING` deep.

    Counted on the text, without ``re``'s (recursive) parser, reading it as that parser does: a
    ``(`` opens a group unless escaped, inside a character class or inside a comment — a
    ``(?#…)`` group, or in verbose mode (``(?x)``, ``(?x:…)``, until a ``(?-x:…)``) a ``#`` to
    the end of the line. A ``[`` in a comment opens no class (counting it as one hid every group
    after ``(?x)#[``)."""
    depth = deepest = 0
    verbose = False
    outer: list[bool] = []  # the verbose mode of each open group's surroundings, restored at its )
    in_class = False
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + (pattern.startswith("^", i + 1))
            if pattern.startswith("]", i):  # a ] right after [ or [^ is a literal
                i += 1
            continue
        elif char == "#" and verbose:
            i = _comment_end(pattern, i + 1, "\n")
            continue
        elif char == "(":
            if pattern.startswith("(?#", i):  # a comment group: no group, ends at the first unescaped )
                i = _comment_end(pattern, i + 3, ")")
                continue
            flags = _FLAG_GROUP.match(pattern, i)
            if flags and flags[3] == ")":
                # global flags (re accepts them only at the start): for the rest of the pattern
                verbose = verbose or "x" in flags[1]
                outer = [v or "x" in flags[1] for v in outer]
                i = flags.end()
                continue
            outer.append(verbose)
            if flags:  # (?x:…) turns verbose mode on inside, (?-x:…) off
                verbose = (verbose or "x" in flags[1]) and "x" not in (flags[2] or "")
                i = flags.end() - 1
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
            if outer:
                verbose = outer.pop()
        i += 1
    if deepest > MAX_NESTING:
        raise _too_deep(pattern, f"nests groups {deepest} deep (at most {MAX_NESTING})")


def _comment_end(pattern: str, i: int, end: str) -> int:
    """The index after a comment starting at ``i`` and ending at ``end`` (or the pattern's end).
    re's parser reads a backslash and the next character as one token, so ``\\)`` or a
    backslash before the newline does not end the comment."""
    n = len(pattern)
    while i < n:
        if pattern[i] == "\\":
            i += 2
            continue
        i += 1
        if pattern[i - 1] == end:
            break
    return i


def _too_deep(pattern: str, why: str) -> UnsafePattern:
    shown = pattern if len(pattern) <= 80 else pattern[:80] + "…"
    return UnsafePattern(f"pattern {shown!r} {why}")


def too_deep(pattern: str) -> UnsafePattern:
    """The refusal for a pattern that made ``re``'s parser or compiler (or a walk of its parse)
    raise RecursionError: they recurse once per group level. :func:`check_nesting` refuses such
    patterns first; this is the backstop that keeps a traceback from reaching the user should
    some nesting escape its count."""
    return _too_deep(pattern, f"nests too deeply for re's parser (groups at most {MAX_NESTING} deep)")


@lru_cache(maxsize=4096)
def work_bound(pattern: str) -> int:
    """The bound on backtracking steps per start position (:class:`UnsafePattern` if refused)."""
    check_nesting(pattern)
    try:
        parsed = _p.parse(pattern)
    except RecursionError:  # absurd nesting that check_nesting did not count
        raise too_deep(pattern) from None
    except Exception as exc:  # re.error, OverflowError (a repeat count past re's limit)
        raise UnsafePattern(f"pattern {pattern!r} is not a valid regex: {exc}") from None
    return _parsed_bound(pattern, parsed)


def check_regex(pattern: str) -> None:
    """Raise :class:`UnsafePattern` (a ``ValueError``) with the reason when ``pattern`` could make
    the backtracking engine take more than linear time; return ``None`` when it is safe."""
    work_bound(pattern)


def check_parsed(pattern: str, parsed) -> None:
    """:func:`check_regex` for a pattern the caller has already parsed with ``re``'s parser
    (``parsed``, what ``re._parser.parse(pattern)`` returned): the same verdict without parsing
    it again (the lexicon compiler parses each pattern for its own checks; at 1,000 patterns a
    parse is a noticeable part of a cold load)."""
    _parsed_bound(pattern, parsed)


def _parsed_bound(pattern: str, parsed) -> int:
    try:
        return _scan(pattern, parsed.data)
    except RecursionError:  # _scan recurses once per level of the parse
        raise too_deep(pattern) from None
