"""Lexicon patterns: bounded regexes over the search string, each with literal anchors.

A pattern is tried only near a hit of one of its anchors (found by the automaton scan), so an
anchor set must be *complete*: every match of the pattern contains at least one anchor. The
anchors are derived from the parsed regex (a mandatory literal run, or a mandatory group whose
alternatives are all literals), choosing the most selective set that is not needlessly large
(see :func:`_rank`).
"""

from __future__ import annotations

import itertools
import re
import warnings
from typing import Iterable, Iterator, Sequence

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons are not supported by pyproject
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

from scriptcheck.lazy_regex import LazyRegex
from scriptcheck.match.prefilter_cache import known_prefilter, remember_prefilter
from scriptcheck.regex_program import Program, compile_parsed, from_pickle, restore, to_pickle
from scriptcheck.text.normalize import normalize_phrase
from scriptcheck.text.regex_policy import UnsafePattern, check_nesting, check_parsed, too_deep

__all__ = ["CompiledPattern", "LazyRegex", "compile_pattern", "check_normalised", "PatternProblem", "window_prefilter"]

_MAX_ALTERNATIVES = 256


class PatternProblem(ValueError):
    """A pattern cannot be used: bad regex, unbounded, unreachable literal, or no anchor."""


class CompiledPattern:
    """A verified regex and the literals that must occur for it to match.

    The regex itself is compiled on first use: most patterns of a large lexicon are never
    tried on a short input (a one-line lint), and compiling them all is most of a warm start.
    A pattern restored from the compiled-lexicon cache carries the ``program`` its regex
    compiled to when the lexicon was first loaded, and is rebuilt from it on first use instead
    (:mod:`scriptcheck.regex_program`).
    """

    __slots__ = ("source", "anchors", "anchored_end", "program", "_regex", "_prefilter")

    def __init__(self, source: str, regex: re.Pattern[str] | None, anchors: frozenset[str],
                 anchored_end: bool = False, program: Program | None = None) -> None:
        self.source = source
        self.anchors = anchors
        self.anchored_end = anchored_end  # uses $ or \Z: only a match at the real end of the text counts
        self.program = program
        self._regex = regex
        self._prefilter: tuple | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled regex (MULTILINE: see :func:`compile_pattern`)."""
        regex = self._regex
        if regex is None:
            regex = self._regex = restore(self.source, re.MULTILINE, self.program)
        return regex

    @property
    def prefilter(self) -> tuple[tuple[tuple[str, ...], ...], bool]:
        """:func:`window_prefilter` of this pattern, worked out on first use (like the regex:
        only the patterns a scan reaches ever need it, and the lexicon cache stays as it is)
        unless an earlier run kept it (:mod:`scriptcheck.match.prefilter_cache`)."""
        prefilter = self._prefilter
        if prefilter is None:
            prefilter = known_prefilter(self.source, self.anchors)
            if prefilter is None:
                prefilter = window_prefilter(self.source, self.anchors)
                remember_prefilter(self.source, self.anchors, prefilter)
            self._prefilter = prefilter
        return prefilter

    @property
    def analysis(self) -> list:
        """What :func:`compile_pattern` derived, as plain data (``known=`` takes it back)."""
        return [sorted(self.anchors), self.anchored_end]

    def _key(self) -> tuple:
        return (self.source, self.anchors, self.anchored_end)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompiledPattern) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"CompiledPattern({self.source!r}, anchors={sorted(self.anchors)}, anchored_end={self.anchored_end})"

    def __getstate__(self) -> tuple:
        return (*self._key(), to_pickle(self.program))

    def __setstate__(self, state: tuple) -> None:
        self.source, self.anchors, self.anchored_end, program = state
        self.program = from_pickle(program)
        self._regex = None
        self._prefilter = None


def _exact(item) -> set[str] | None:
    """The full set of strings one parsed element can match, if it is a small literal set."""
    op, av = item
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN:
        if all(sub_op is _c.LITERAL for sub_op, _ in av):
            return {chr(v) for _, v in av}
        return None
    if op is _c.SUBPATTERN:
        return _exact_seq(av[-1])
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            alt_set = _exact_seq(alt)
            if alt_set is None:
                return None
            out |= alt_set
        return out if len(out) <= _MAX_ALTERNATIVES else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[1] == 1 and av[0] in (0, 1):
        # x? (or x{1}): the literal set of x, plus the empty string when x may be absent, so
        # 你(是|有)?(傻|笨) anchors on 你傻/你是傻… rather than on the everywhere-present 你.
        inner = _exact_seq(av[2])
        if inner is None:
            return None
        return inner | {""} if av[0] == 0 else inner
    return None


def _exact_seq(seq) -> set[str] | None:
    result = {""}
    for item in seq:
        part = _exact(item)
        if part is None or len(result) * len(part) > _MAX_ALTERNATIVES:
            return None
        result = {a + b for a, b in itertools.product(result, part)}
    return result


# Anchors this long are already rare in service talk: among complete sets whose shortest literal
# is at least this long, the one with the fewest literals wins, not the longest. Every literal
# is built into the automaton at every start (about 2 µs each), and the longest sets were
# whole runs multiplied out — 你(肯定|一定|…)(是)?(搞|弄|…)错(了)? gave 256 five-character
# anchors where eight of three (你肯定, 你一定 …) are as complete and hardly less rare.
_SELECTIVE_LENGTH = 3


def _rank(candidate: set[str]) -> tuple[int, int, int]:
    shortest = min(map(len, candidate))
    return (min(shortest, _SELECTIVE_LENGTH), -len(candidate), shortest)


def _minimal(literals: Iterable[str], limit: int | None = None) -> list[str]:
    """``literals`` less each one that contains another of them, shortest first: a text holding
    the longer holds the shorter, so the set says the same with fewer literals. With ``limit``,
    given up (the list returned longer than ``limit``) once more than that many are kept."""
    kept: list[str] = []
    # Whether a literal contains a kept one is asked the cheaper of two ways: ``k in literal``
    # for each kept k, or each of the literal's substrings of a kept length looked up in a set.
    # The first alone is quadratic: a 40,000-way alternation of two-character literals (all
    # kept) took 40,000²/2 `in` tests, over 30 s; there the second is one lookup a literal.
    kept_set: set[str] = set()
    lengths: list[int] = []  # the kept lengths, ascending (literals come shortest first)
    for literal in sorted(literals, key=len):
        size = len(literal)
        windows = sum(size - length + 1 for length in lengths)  # every kept length is <= size
        if windows < len(kept):
            found = any(literal[i:i + length] in kept_set for length in lengths for i in range(size - length + 1))
        else:
            found = any(shorter in literal for shorter in kept)
        if found:
            continue
        kept.append(literal)
        kept_set.add(literal)
        if not lengths or lengths[-1] != size:
            lengths.append(size)
        if limit is not None and len(kept) > limit:
            break
    return kept


def _contained_item(item) -> set[str] | None:
    """A complete anchor set for one element that is not itself a literal set."""
    op, av = item
    if op is _c.SUBPATTERN:
        return _contained_seq(av[-1])
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            alt_set = _contained_seq(alt)
            if alt_set is None:
                return None
            out |= alt_set
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _contained_seq(av[2])
    return None


def _segments(seq) -> Iterator[list[set[str]] | set[str]]:
    """A sequence walked once for its literal sets, in order: each run of adjacent exact parts
    as a list of their literal sets (an optional part's holds ""), and the anchor set of each
    item that is not exact, where it has one."""
    parts: list[set[str]] = []
    for item in seq:
        part = _exact(item)
        if part is not None:
            parts.append(part)
            continue
        if parts:
            yield parts
            parts = []
        inner = _contained_item(item)
        if inner is not None:
            yield inner
    if parts:
        yield parts


def _sequence_sets(seq) -> list[set[str]]:
    """The literal sets of a sequence such that every match of it contains one literal of each:
    each exact part on its own, runs of adjacent ones joined from the left while the
    combinations stay within _MAX_ALTERNATIVES, and the anchor sets of the items that are not
    exact. An optional part's set holds ""."""
    sets: list[set[str]] = []
    for segment in _segments(seq):
        if isinstance(segment, set):
            sets.append(segment)
            continue
        sets += segment
        run = segment[0]
        for part in segment[1:]:
            if len(run) * len(part) <= _MAX_ALTERNATIVES:
                run = {a + b for a, b in itertools.product(run, part)}
            else:
                sets.append(run)
                run = part
        sets.append(run)
    return sets


def _stretches(parts: list[set[str]]) -> list[set[str]]:
    """The literal set of every stretch of adjacent exact ``parts`` that neither starts nor
    ends with an optional part (one holding ""), while the combinations stay within
    _MAX_ALTERNATIVES. An optional part at either end only adds longer literals that contain
    the ones without it."""
    # A stretch next to a single mandatory literal is outranked by itself with that literal added
    # (as many literals, each longer: see _rank), so only stretches that cannot grow that way are
    # kept: a run of twelve plain characters gives one candidate, not 78.
    # Nor does a stretch whose literals all have _SELECTIVE_LENGTH characters grow through a part
    # of several alternatives: that multiplies its literals and can only rank lower.
    single = [len(part) == 1 and "" not in part for part in parts]
    out = []
    for i, first in enumerate(parts):
        if "" in first or (i and single[i - 1]):
            continue
        joined = {""}
        shortest = 0
        for j in range(i, len(parts)):
            part = parts[j]
            if len(joined) * len(part) > _MAX_ALTERNATIVES or (shortest >= _SELECTIVE_LENGTH and len(part) > 1):
                break
            joined = {a + b for a, b in itertools.product(joined, part)}
            shortest += min(map(len, part))
            if "" not in part and not (j + 1 < len(parts) and single[j + 1]):
                out.append(joined)
    return out


def _contained_seq(seq) -> set[str] | None:
    """The most selective complete anchor set of a sequence (by :func:`_rank`), or None if it
    has none: any stretch of its adjacent literal parts, or the anchor set of a group that
    every match passes through."""
    candidates: list[set[str]] = []
    for segment in _segments(seq):
        candidates += [segment] if isinstance(segment, set) else _stretches(segment)
    candidates = [c for c in candidates if c and all(c)]  # '' would anchor everywhere
    return set(_minimal(max(candidates, key=_rank))) if candidates else None


# A window is searched only when one literal of each of at most this many sets occurs in it,
# and a set of more than _PREFILTER_LITERALS literals is not worth its str.find calls.
_PREFILTER_SETS = 3
_PREFILTER_LITERALS = 12
_FLAG_I = re.compile(r"\(\?[a-zA-Z-]*i")


def window_prefilter(source: str, anchors: frozenset[str] | set[str] = frozenset()
                     ) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """What any non-empty match of ``source`` (compiled MULTILINE) needs inside the span it
    is searched in, besides an anchor: ``(needs, line_start)``. ``needs`` are sets of
    literals (as tuples) such that every match contains one literal of each; ``line_start``
    says every match starts at the start of the string or just after a newline (the pattern
    begins with ``^`` or ``\\A``).

    The matcher searches a pattern only in windows around its anchors' hits, and most windows
    hold no match (≈ 19 windows per real chat, ≈ 6 with a candidate: benchmarks/RESULTS.md,
    speed10). A ``str.find`` per literal costs a fraction of a regex search that fails at every
    position of the window, so a window lacking one of these is not searched: the hits are
    the same, since only matches inside the window count (lookarounds are left out, as they
    may look outside it). ``((), False)`` when nothing can be said (a case-insensitive
    pattern, or no mandatory literal besides the anchors)."""
    try:
        parsed = _p.parse(source)
    except (re.error, RecursionError):  # nothing can be said (compile_pattern refuses such a pattern)
        return (), False
    # str.find compares exactly. A scoped flag group is looked for in the source rather than
    # by walking the parse (which cost more than the rest): anything like (?i or (?-i counts.
    if parsed.state.flags & re.IGNORECASE or _FLAG_I.search(source):
        return (), False
    line_start = bool(parsed.data) and parsed.data[0] in ((_c.AT, _c.AT_BEGINNING), (_c.AT, _c.AT_BEGINNING_STRING))
    # The sequence's mandatory parts (_sequence_sets; an optional part's set holds "" and is
    # dropped below), each literal part on its own too (a run of 72 joined literals is too many
    # to look for; its parts are not).
    sets = _sequence_sets(parsed.data)
    needs = set()
    for literals in sets:
        if not literals or len(literals) > _MAX_ALTERNATIVES or "" in literals:
            continue
        # A literal that contains another of the set is found only where that one is. (Given
        # up past the size limit: a set of 256 literals took most of the time.)
        kept = _minimal(literals, _PREFILTER_LITERALS)
        if len(kept) <= _PREFILTER_LITERALS:
            needs.add(tuple(sorted(kept)))
    # Longer literals are rarer, and fewer are quicker to look for; in all at most
    # _PREFILTER_LITERALS finds per window, since most windows of some patterns do match.
    # A set is useless where one already chosen, or the anchors, imply it (each of their
    # literals contains one of its own: the window holds that hit); asked of the best
    # candidates only, since it is most of this function's time on a pattern with many anchors.
    chosen: list[tuple[str, ...]] = []
    budget = _PREFILTER_LITERALS
    for literals in sorted(needs, key=lambda t: (-min(map(len, t)), len(t), t)):
        if len(chosen) == _PREFILTER_SETS:
            break
        if len(literals) > budget or any(_implied(literals, c) for c in chosen) or \
                (anchors and _implied(literals, anchors)):
            continue
        chosen.append(literals)
        budget -= len(literals)
    return tuple(chosen), line_start


def _implied(literals: tuple[str, ...], by: Iterable[str]) -> bool:
    """Whether each string of ``by`` contains one of ``literals`` (loops, not generators:
    this runs over up to 256 anchors)."""
    for string in by:
        for literal in literals:
            if literal in string:
                break
        else:
            return False
    return True


def _subsequences(op, av) -> list:
    """The sequences of parse items nested in one item (a group, a branch's alternatives, a
    repeat's body, an assertion's body)."""
    if op is _c.SUBPATTERN:
        return [av[-1]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        return [av[2]]
    if op is _c.ASSERT or op is _c.ASSERT_NOT:
        return [av[1]]
    return []


def _walk(seq):
    for op, av in seq:
        yield op, av
        if op is _c.IN:
            yield from av
        for sub in _subsequences(op, av):
            yield from _walk(sub)


def _check(source: str, parsed) -> None:
    literals = []
    for op, av in _walk(parsed):
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[1] is _c.MAXREPEAT:
            raise PatternProblem(
                f"pattern {source!r} has an unbounded repeat; bound it (e.g. .{{0,8}} instead of .*)"
            )
        if op is _c.LITERAL:
            literals.append(chr(av))
    for ch in literals:
        if normalize_phrase(ch) != ch:
            shown = normalize_phrase(ch) or "nothing"
            raise PatternProblem(
                f"pattern {source!r}: {ch!r} never occurs in normalised text (it becomes {shown}); "
                "write simplified, lower-case text with 你 for 您 and no punctuation or spaces"
            )
    doubled = [a for a, b in zip(source, source[1:]) if a == b and normalize_phrase(a) == a and not a.isascii()]
    # ASCII letters from the parse, not the source: there a doubled digit or mark is regex
    # syntax ({0,11}, ((, \\u9fff) while a doubled literal letter never occurs (app -> ap)
    doubled += _doubled_letters(parsed)
    if doubled:
        a = doubled[0]
        raise PatternProblem(
            f"pattern {source!r}: {a+a!r} never occurs in normalised text (repeated characters "
            f"collapse to one); write {a!r}"
        )


def _doubled_letters(seq) -> list[str]:
    """Lower-case ASCII letters that follow themselves as literals in ``seq`` or a group of it."""
    found = []
    previous = None
    for op, av in seq:
        char = chr(av) if op is _c.LITERAL else None
        if char is not None and char == previous and char.isascii() and char.isalpha():
            found.append(char)
        previous = char
        for sub in _subsequences(op, av):
            found += _doubled_letters(sub)
    return found


def check_normalised(source: str) -> None:
    """:class:`PatternProblem` if ``source`` can never match normalised text (a traditional or
    upper-case character, 您, punctuation, a doubled character) or repeats without bound: the
    checks of :func:`compile_pattern`, for regexes that are not entries' patterns (mitigators)."""
    try:
        check_nesting(source)
        parsed = _p.parse(source)
        _check(source, parsed)
    except UnsafePattern as exc:
        raise PatternProblem(str(exc)) from None
    except RecursionError:  # re's parser and compiler recurse per group: nesting check_nesting missed
        raise PatternProblem(str(too_deep(source))) from None
    except (re.error, OverflowError) as exc:  # OverflowError: a repeat count past re's limit (a{0,4294967296})
        raise PatternProblem(f"pattern {source!r} is not a valid regex: {exc}") from None


def compile_pattern(source: str, anchors: list[str] | None = None, *,
                    known: Sequence | None = None) -> CompiledPattern:
    """Validate and compile one lexicon pattern; derive its anchors unless given.

    ``known`` is the :attr:`CompiledPattern.analysis` of this very pattern from an earlier load
    of the same file by the same code (the lexicon cache): the checks passed then, so they are
    skipped, and the regex is compiled when first used."""
    if known is not None:
        return CompiledPattern(source, None, frozenset(known[0]), bool(known[1]))
    try:
        check_nesting(source)
        # MULTILINE: the matcher verifies a transcript's turns in one string joined with
        # newlines (which no search string contains), so ^ and $ must hold at each turn's start
        # and end; on a single search string the flag changes nothing.
        with warnings.catch_warnings():
            # re warns of what it may read differently one day ([[ a "possible nested set"): a
            # lexicon's pattern says what it means today, or it is refused with re's words
            warnings.simplefilter("error", FutureWarning)
            regex, program, parsed = compile_parsed(source, re.MULTILINE)
        if parsed is None:  # the program was not captured (another interpreter): parse it here
            parsed = _p.parse(source)
    except FutureWarning as exc:
        raise PatternProblem(f"pattern {source!r} is ambiguous: {exc}") from None
    except UnsafePattern as exc:
        raise PatternProblem(str(exc)) from None
    except RecursionError:  # re's parser and compiler recurse per group: nesting check_nesting missed
        raise PatternProblem(str(too_deep(source))) from None
    except (re.error, OverflowError) as exc:  # OverflowError: a repeat count past re's limit (a{0,4294967296})
        raise PatternProblem(f"pattern {source!r} is not a valid regex: {exc}") from None
    # check_nesting bounds how deep re's parser and the walks below recurse (one level a group).
    _check(source, parsed)
    try:  # lexicons come from pull requests: no pattern may backtrack without bound
        check_parsed(source, parsed)
    except UnsafePattern as exc:
        raise PatternProblem(str(exc)) from None
    if regex.fullmatch(""):
        raise PatternProblem(f"pattern {source!r} matches the empty string")
    if anchors:
        anchor_set = {normalize_phrase(a) for a in anchors} - {""}
    else:
        anchor_set = _contained_seq(parsed.data) or set()
    if not anchor_set:
        raise PatternProblem(
            f"pattern {source!r} has no mandatory literal to anchor it; add `anchors:` to the entry"
        )
    anchored_end = any(op is _c.AT and av in (_c.AT_END, _c.AT_END_STRING) for op, av in _walk(parsed))
    return CompiledPattern(source, regex, frozenset(anchor_set), anchored_end, program)
