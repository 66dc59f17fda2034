"""One policy for user regexes (lexicon patterns, ``kinds`` in the configuration): accept only
patterns that Python's backtracking ``re`` runs in linear time, with a small constant.

Why this is enough (linearity by construction). ``re.search`` tries a match at each start
position; an attempt explores a tree of choices (which alternative, how many repetitions). With
every repeat bounded and no back-references, that tree depends on the pattern alone, never on
the text, so a search costs at most ``len(text) × leaves × size`` steps, where ``leaves``
bounds the tree's leaves (each a match reached or a dead end) and ``size`` is the pattern's.
:func:`work_bound` computes that bound from the parsed regex as ``(ways, leaves)`` of each part,
``ways`` being how many times it can hand on to what follows: a sequence multiplies the ways,
and each way so far goes on into the next item, whose leaves it becomes; a branch adds its
alternatives' leaves (each may be tried), but its ways are only those of the alternatives that
can start with one same character (``(我|我们|你)``: 我 and 我们 at most, 2 — summing every
alternative, as this did before, put the shipped lexicons near a million); a repeat
``x{m,n}`` is ``m`` copies then ``n - m`` optional ones; a lookaround — atomic — adds its
body's leaves for each way reaching it and hands on once. ``tests/test_regex_policy.py``
counts the leaves of the search exactly with a model of the backtracking and checks the bound
holds them (and reaches them on some patterns). :func:`check_regex` refuses:

- an unbounded repeat (``*``, ``+``, ``{n,}``): ``a.*b`` is quadratic on ``aaaa…``;
- a back-reference: its cost depends on the text;
- nested repetition: a repeat of variable count (``{m,n}``, ``n > 1``, ``m != n``) around a body
  of variable length (``(.{1,29}){1,29}``: the ways to split the text between the copies
  explode); a fixed count (``(?:[ -]?[0-9]{4}){2}``) is left to the work bound;
- an alternation under such a repeat whose branches can start with the same character, or be
  empty (``(a|a){1,40}``: 2^40 ways to match ``aaaa…``);
- repeats of one character class next to each other whose classes share a character and
  whose counts multiply past :data:`MAX_SPLITS` (``.{0,99}.{0,99}.{0,99}#``: a million ways to
  split a run of text between them, at every position — the polynomial ReDoS);
- any pattern whose work bound exceeds :data:`MAX_WORK` — the catch-all that makes the
  argument above hold with a small constant — or, for a pattern searched over whole turns
  rather than in a window around an anchor, the caller's lower ``max_work``.

The reasons before the last name the common mistakes precisely; the bound alone would refuse
them too, but later. ``benchmarks/bench_regex_policy.py`` times real ``re``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from scriptcheck.text.char_sets import item_intervals, most_shared

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons are not supported by pyproject
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["check_nesting", "check_parsed", "MAX_NESTING", "MAX_SPLITS", "MAX_WORK", "UnsafePattern", "WHOLE_TEXT_WORK",
           "check_regex", "too_deep", "work_bound"]

# Leaves per start position. The largest bound of the 3,099 shipped patterns (lexicons, packs,
# profiles, the tone model's cues; slots expanded) is 73,899 (a tone cue), then 68,097 (FB012)
# and 48,794; measured 2026-12-06, when the bound learnt which alternatives can match together
# (it was 988,416 for FB351's bare no, the old limit a million). Twice the largest leaves the
# lexicons room to grow; a pattern at the bound costs about 0.2 ms a character of text searched.
MAX_WORK = 150_000
# Patterns searched over whole turns or sentences (a privacy rule's patterns, a lexicon's
# mitigators and conditions) pay their bound at every character of a turn, where a lexicon
# entry's pattern is searched only in windows around its anchors' hits: a privacy pattern at
# the old bound took 26 s on a 20 KB turn (hostile probe F2). The shipped ones reach 986
# (privacy) and 7,350 (the forbidden lexicon's offer-of-help mitigator).
WHOLE_TEXT_WORK = 20_000
# Ways for adjacent repeats to split a run of characters they share: the shipped patterns
# reach 104 (optional characters counted as repeats of up to one).
MAX_SPLITS = 1_000

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


def _scan(pattern: str, seq, fold: bool = False, ascii_only: bool = False) -> tuple[int, int]:
    """``(ways, leaves)`` of ``seq`` from one position (see the module doc), refusing the named
    mistakes on the way. ``fold``: case-insensitive here, so that no two alternatives are
    taken to exclude each other by their first characters (nor two repeats' characters)."""
    ways, leaves = 1, 1  # nothing yet: one way on, which is the one leaf
    run: list[tuple] = []  # the repeats of one character class next to each other so far
    for op, av in seq:
        # Before this item's ways count: the named reason first, where it applies.
        repeat = _class_repeat((op, av), fold) if op in _REPEATS or op is _c.SUBPATTERN else None
        if repeat is not None:
            run.append(repeat)
            _check_adjacent_repeats(pattern, run, ascii_only)
        elif run and not _can_be_empty(seq, (op, av)):
            run = []  # apart: a character between them, or more
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
            step = _repeat(*_scan(pattern, body, fold, ascii_only), low, high)
        elif op is _c.BRANCH:
            alternatives = [_scan(pattern, alt, fold, ascii_only) for alt in av[1]]
            # Every alternative may be tried (its leaves add up), but only those that can start
            # with the character at hand get past it: the ways on are theirs.
            ways_on = [w for w, _ in alternatives]
            step = (sum(ways_on) if fold else _ways_at_one_character(av[1], ways_on), sum(n for _, n in alternatives))
        elif op is _c.SUBPATTERN:
            add, remove = (av[1], av[2]) if len(av) == 4 else (0, 0)
            step = _scan(pattern, av[-1], (fold or bool(add & _c.SRE_FLAG_IGNORECASE))
                         and not remove & _c.SRE_FLAG_IGNORECASE, ascii_only)
        elif op is getattr(_c, "ATOMIC_GROUP", object()):
            step = _scan(pattern, av, fold, ascii_only)
        elif op in _ASSERTS:
            # An assertion is atomic: tried once per path that reaches it, never re-entered on
            # backtracking, so it lets each path on once at most and its leaves add (per path
            # so far) rather than multiply.
            step = (1, _scan(pattern, av[1], fold, ascii_only)[1] + 1)
        elif op in (_c.GROUPREF, getattr(_c, "GROUPREF_EXISTS", object())):
            raise UnsafePattern(f"pattern {pattern!r} uses a back-reference or a conditional group; "
                                f"its cost depends on the text")
        else:  # a character, a class, an anchor: on, or a dead end, one leaf either way
            continue
        # Each way so far goes on into this item, whose leaves replace the one it was.
        leaves += ways * (step[1] - 1)
        ways *= step[0]
        if leaves > MAX_WORK:
            raise UnsafePattern(f"pattern {pattern!r} may backtrack through more than {MAX_WORK:,} ways "
                                f"per position; use fewer or smaller repeats and alternations")
    return ways, leaves


def _unwrapped(item, fold: bool):
    """``item`` with the groups around it taken off (a group of one item), and whether it is
    case-insensitive there: ``(.{0,99})`` is the repeat ``.{0,99}``."""
    op, av = item
    while op is _c.SUBPATTERN and len(av[-1]) == 1:
        add, remove = (av[1], av[2]) if len(av) == 4 else (0, 0)
        fold = (fold or bool(add & _c.SRE_FLAG_IGNORECASE)) and not remove & _c.SRE_FLAG_IGNORECASE
        op, av = av[-1][0]
    return (op, av), fold


def _class_repeat(item, fold: bool):
    """``(count, character matcher, fold)`` when ``item`` is a repeat of a variable number of
    one character (groups around either taken off), else ``None``: what can split a run of
    characters with its neighbours."""
    (op, av), fold = _unwrapped(item, fold)
    if op not in _REPEATS or av[0] == av[1] or av[1] is _c.MAXREPEAT or len(av[2]) != 1:
        return None  # (an unbounded repeat is refused for that, with its own reason)
    (char_op, char_av), fold = _unwrapped(av[2][0], fold)
    if char_op not in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
        return None
    return av[1] - av[0] + 1, (char_op, char_av), fold


def _can_be_empty(seq, item) -> bool:
    """Whether ``item`` of ``seq`` can match the empty string (its width is read with the
    parse's own state, which knows the groups a back-reference names)."""
    try:
        return _p.SubPattern(getattr(seq, "state", None) or _p.State(), [item]).getwidth()[0] == 0
    except (IndexError, TypeError):  # a back-reference the state cannot size: refused further on
        return False


def _check_adjacent_repeats(pattern: str, run: list[tuple], ascii_only: bool) -> None:
    """Refuses a ``run`` of repeats of one character class next to each other (nothing between
    them but what can match nothing), ``(count, character matcher, fold)`` each, when classes
    that share a character have counts that multiply past :data:`MAX_SPLITS`:
    ``.{0,99}.{0,99}.{0,99}#`` splits a run of that character between the three in a million
    ways, at every position (the polynomial ReDoS)."""
    if len(run) < 2 or math.prod(count for count, _, _ in run) <= MAX_SPLITS:
        return  # only where the counts could multiply past the bound are the classes compared
    splits = most_shared([(count, item_intervals(*matcher, ascii_only=ascii_only, fold=folded))
                          for count, matcher, folded in run])
    if splits > MAX_SPLITS:
        raise UnsafePattern(
            f"pattern {pattern!r} has bounded repeats next to each other that can match the same "
            f"characters: a run of such characters splits between them in up to {splits:,} ways at "
            f"every position (at most {MAX_SPLITS:,}); make them one repeat, or put between them a "
            f"character they cannot match")


def _ways_at_one_character(alternatives, ways: list[int]) -> int:
    """The most ways through a branch from one position. At a given character only the
    alternatives that can start with it (or with anything, or match nothing) go on; of those
    that are plain words, only the ones the text there starts with, which are all beginnings of
    the longest of them (``(我|我们|我这边|你)``: 2, 我 and 我们 in 我们…)."""
    anywhere = 0
    others: dict[str, int] = {}  # by first character: the ways of the alternatives that are no plain word
    words: dict[str, int] = {}
    for alternative, count in zip(alternatives, ways):
        items = getattr(alternative, "data", alternative)  # the parse's list: a SubPattern indexes slowly
        if items and all(op is _c.LITERAL for op, _ in items):
            word = "".join(chr(av) for _, av in items)
            words[word] = words.get(word, 0) + count
            continue
        first = _first_chars(alternative)
        if first is None or "" in first:
            anywhere += count
            continue
        for char in first:
            others[char] = others.get(char, 0) + count
    # The words in a trie (None: the ways of the word ending there), walked along each word to
    # add up the ways of its beginnings: linear in the words' length, however long they are.
    trie: dict = {}
    for word, count in words.items():
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[None] = count
    chains: dict[str, int] = {}  # by first character: the most ways of words that can match together
    for word in words:
        node, together = trie, 0
        for char in word:
            node = node[char]
            together += node.get(None, 0)
        if together > chains.get(word[0], 0):
            chains[word[0]] = together
    return anywhere + max((others.get(c, 0) + chains.get(c, 0) for c in {*others, *chains}), default=0)


def _repeat(ways: int, leaves: int, low: int, high: int) -> tuple[int, int]:
    """``(ways, leaves)`` of ``x{low,high}`` for an ``x`` of ``(ways, leaves)``: ``low`` copies
    in sequence, then ``high - low`` optional ones, each an alternation of one more copy (and
    the rest) or none."""
    if ways == 1:  # one way through a copy (a character, a class): closed forms
        return high - low + 1, 1 + (leaves - 1) * low + leaves * (high - low)
    optional_ways, optional_leaves = 1, 1
    for _ in range(high - low):
        optional_ways, optional_leaves = ways * optional_ways + 1, leaves + ways * (optional_leaves - 1) + 1
        if optional_leaves > MAX_WORK:
            return MAX_WORK + 1, MAX_WORK + 1  # refused by the caller; no bignums on {0,65535}
    total_ways, total_leaves = 1, 1
    for _ in range(low):
        total_leaves += total_ways * (leaves - 1)
        total_ways *= ways
        if total_leaves > MAX_WORK:
            return MAX_WORK + 1, MAX_WORK + 1
    return total_ways * optional_ways, total_leaves + total_ways * (optional_leaves - 1)


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


def check_regex(pattern: str, max_work: int | None = None) -> None:
    """Raise :class:`UnsafePattern` (a ``ValueError``) with the reason when ``pattern`` could make
    the backtracking engine take more than linear time, or its bound is over ``max_work`` (for a
    pattern searched over whole texts: :data:`WHOLE_TEXT_WORK`); return ``None`` when it is safe."""
    bound = work_bound(pattern)
    if max_work is not None and bound > max_work:
        raise UnsafePattern(f"pattern {pattern!r} may backtrack through {bound:,} ways per position, more than the "
                            f"{max_work:,} allowed a pattern searched over whole turns; use fewer or smaller "
                            f"repeats and alternations")


def check_parsed(pattern: str, parsed) -> None:
    """:func:`check_regex` for a pattern the caller has already parsed with ``re``'s parser
    (``parsed``, what ``re._parser.parse(pattern)`` returned): the same verdict without parsing
    it again (the lexicon compiler parses each pattern for its own checks; at 1,000 patterns a
    parse is a noticeable part of a cold load)."""
    _parsed_bound(pattern, parsed)


def _parsed_bound(pattern: str, parsed) -> int:
    flags = parsed.state.flags
    try:
        return _scan(pattern, parsed.data, bool(flags & _c.SRE_FLAG_IGNORECASE), bool(flags & _c.SRE_FLAG_ASCII))[1]
    except RecursionError:  # _scan recurses once per level of the parse
        raise too_deep(pattern) from None
