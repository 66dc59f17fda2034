"""The matcher: scan once, verify patterns in windows, apply allow-lists, boundaries and gaps.

Works on the normalised search string and returns hits with ORIGINAL offsets.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from typing import NamedTuple, Sequence

from scriptcheck.match.automaton import LiteralAutomaton
from scriptcheck.match.contexts import Mitigation, in_context, is_mitigated
from scriptcheck.match.patterns import CompiledPattern
from scriptcheck.text.normalize import (SEARCH_SEPARATOR, Normalized, is_skipped, normalize_phrase,
                                        simplified_aligned)
from scriptcheck.text.segment import Segmenter

__all__ = ["MatchEntry", "Hit", "Matcher", "gather_python", "verify_python", "gather_verify_python"]

_PHRASE, _ANCHOR, _ALLOW = 0, 1, 2
_tuple_new = tuple.__new__
_LOOKAROUND = 16


@dataclass(frozen=True)
class MatchEntry:
    """What the matcher needs of one lexicon entry (its index is its key in hits)."""

    phrases: tuple[str, ...]
    patterns: tuple[CompiledPattern, ...]
    allow: tuple[str, ...] = ()
    boundary: bool = False
    gaps: bool = True
    window: int = 40
    group: int = 0  # entries of one group share the group's allow-list
    group_allow: tuple[str, ...] = field(default=(), compare=False)
    skip_contexts: tuple[str, ...] = ()  # allow-contexts (match/contexts.py): quoted, reported, mitigated
    mitigators: tuple[Mitigation, ...] = ()  # what the `mitigated` context looks for
    requires: tuple[Mitigation, ...] = ()  # a hit stands only where one of these holds
    # normalize_phrase of each phrase when the lexicon compiler worked it out already (None: the
    # matcher does): a warm start restores them from the compiled cache rather than normalising
    # every phrase of a large lexicon again (lexicon.compiled_cache).
    literals: tuple[str, ...] | None = field(default=None, compare=False, repr=False)


class Hit(NamedTuple):
    """A verified match of entry ``entry`` at original ``[start, end)``."""

    entry: int
    start: int
    end: int


def _pack_payloads(anchor_owner: list[tuple[int, int | None]], literal: str, payloads: tuple) -> tuple:
    """What the automaton reports for ``literal``: its pattern anchors as (pattern, entry,
    window width), its phrase entries and its allow-list scopes, each a tuple (sorted out once
    here, not on every hit). ``anchor_owner`` is the matcher's pattern → (entry, window width)."""
    if len(payloads) == 1:  # most literals: one anchor, or one entry's phrase
        kind, key = payloads[0]
        if kind == _ANCHOR:
            return ((key, *anchor_owner[key]),), (), ()
        if kind == _PHRASE:
            return (), (key,), ()
    anchors, phrases, allows = [], [], []
    for kind, key in payloads:
        if kind == _ANCHOR:
            anchors.append((key, *anchor_owner[key]))
        else:
            (phrases if kind == _PHRASE else allows).append(key)
    return tuple(anchors), tuple(phrases), tuple(allows)


class Matcher:
    """Compiled from entries once; :meth:`find` is cheap and thread-safe to call."""

    def __init__(self, entries: Sequence[MatchEntry], segmenter: Segmenter | None = None) -> None:
        self.entries = tuple(entries)
        self.segmenter = segmenter or Segmenter()
        self._patterns: list[tuple[int, CompiledPattern]] = []
        self._allow_scopes: list[frozenset[int]] = []
        # pattern → (its entry, that entry's window width), filled below. The automaton packs
        # its literals with it through a function of its own, not a bound method of this
        # matcher: matcher → automaton → method → matcher was a reference cycle, so a matcher
        # (10,000 entries: ~25,000 objects) was freed only by the garbage collector — at
        # interpreter exit, its collections walked and freed them (benchmarks/RESULTS.md, speed9).
        self._anchor_owner: list[tuple[int, int | None]] = []
        automaton = LiteralAutomaton(pack=partial(_pack_payloads, self._anchor_owner))
        group_members: dict[int, set[int]] = {}
        for index, entry in enumerate(self.entries):
            group_members.setdefault(entry.group, set()).add(index)
            literals = entry.literals
            for literal in (map(normalize_phrase, entry.phrases) if literals is None else literals):
                if literal:
                    automaton.add(literal, (_PHRASE, index))
            for pattern in entry.patterns:
                self._patterns.append((index, pattern))
                automaton.add_all(pattern.anchors, (_ANCHOR, len(self._patterns) - 1))
            if entry.allow:
                self._allow_scopes.append(frozenset({index}))
                for phrase in entry.allow:
                    automaton.add(normalize_phrase(phrase), (_ALLOW, len(self._allow_scopes) - 1))
        seen_groups: set[int] = set()
        for entry in self.entries:
            if entry.group in seen_groups or not entry.group_allow:
                continue
            seen_groups.add(entry.group)
            self._allow_scopes.append(frozenset(group_members[entry.group]))
            for phrase in entry.group_allow:
                automaton.add(normalize_phrase(phrase), (_ALLOW, len(self._allow_scopes) - 1))
        self._anchor_owner.extend([(i, self.entries[i].window) for i, _ in self._patterns])
        # pattern → (its entry, its regex's search and finditer, anchored_end), made when first needed
        # (compiling every regex up front is most of a warm start; see CompiledPattern)
        self._verifiers: list[tuple | None] = [None] * len(self._patterns)
        # entry → itself when a hit of it must pass a gap, context or boundary check, else None
        self._checked = [entry if (not entry.gaps or entry.skip_contexts or entry.boundary or entry.requires)
                         else None
                         for entry in self.entries]
        self._automaton = automaton
        # Whether verifiers made from now on carry their pattern's prefilter (prepare()).
        self._prefiltered = False

    def __getstate__(self) -> dict:
        # A copy compiles the regexes it needs again, as this one did.
        return {**self.__dict__, "_verifiers": [None] * len(self._patterns)}

    def prepare(self) -> None:
        """Build the literal automaton now (:meth:`LiteralAutomaton.build`), and give the
        patterns verified from now on their window prefilter (:func:`verify_python`): for a
        caller about to scan many texts. The hits are the same either way."""
        self._automaton.build()
        # Working a prefilter out parses the pattern (about as long as compiling it): worth it
        # over many texts, not for a one-line lint. Verifiers made before stay as they are.
        self._prefiltered = True

    def _verifier(self, key: int) -> tuple:
        entry_index, pattern = self._patterns[key]
        regex = pattern.regex
        if not self._prefiltered:
            return entry_index, regex.search, regex.finditer, pattern.anchored_end
        needs, line_start = pattern.prefilter
        # A pattern that starts at a line start is tried with `match` where only one place in
        # the window can be one (verify_python): `search` would try every place.
        return (entry_index, regex.search, regex.finditer, pattern.anchored_end, needs,
                regex.match if line_start else None)

    def crowding(self, norm: Normalized) -> int:
        """The candidates a search of ``norm`` starts from (every entry, phrase or pattern
        anchor, of every literal found in it, before any is verified): what :meth:`find`'s
        work grows with."""
        return self._automaton.crowding(norm.text)

    def most_shared(self) -> tuple[str, int]:
        """The literal (normalised) the most phrases, anchors and allowed phrases share, and
        how many (:meth:`LiteralAutomaton.most_shared`)."""
        return self._automaton.most_shared()

    def find(self, norm: Normalized, only: frozenset[int] | None = None) -> list[Hit]:
        """All hits in ``norm`` (of the entries in ``only``, when given), sorted by position."""
        return self.find_many((norm,), only)[0]

    def find_many(self, norms: Sequence[Normalized], only: frozenset[int] | None = None,
                  only_each: Sequence[frozenset[int] | None] | None = None) -> list[list[Hit]]:
        """:meth:`find` for each of ``norms``, scanned together: their search strings are
        joined with a separator no literal contains, so the automaton and the Python around
        it run once per transcript rather than once per turn. Each pattern is verified
        inside its own text only, so a hit never depends on the texts beside it.

        ``only_each[i]``, when given, replaces ``only`` for ``norms[i]`` (the entries a turn
        needs depend on where it is in the conversation)."""
        count = len(norms)
        if count == 0:
            return []
        found: list[list[Hit]] = [[] for _ in range(count)]
        if count == 1:
            text = norms[0].text
            bounds = [0, len(text) + 1]
        else:
            lengths = [len(n.text) + 1 for n in norms]
            text = SEARCH_SEPARATOR.join([n.text for n in norms])
            bounds = list(accumulate(lengths, initial=0))
        # Each text's candidates, sorted out of the automaton's hits and its patterns verified
        # in their windows, in one typed pass (match/_native.pyx; gather_verify_python below
        # is its reference); then settled here.
        automaton = self._automaton
        for at, candidates, allowed in _gather_verify(automaton.find(text), automaton.values, bounds, only,
                                                      only_each, self._verifiers, self._verifier, text):
            found[at] = self._verified(norms[at], candidates, allowed, bounds[at])
        return found

    def _verified(self, norm: Normalized, candidates: list[tuple[int, int, int]],
                  allowed: list[tuple[int, int, int]] | None, base: int) -> list[Hit]:
        """The candidates of one text that survive its allow-lists, gap and boundary rules,
        leftmost-longest per entry, as hits at original offsets."""
        valid: list[tuple[int, int, int]] = []
        segmentable: str | None = None
        checked = self._checked
        span = norm.span
        if allowed:
            # Sorted by start, with the longest span's length, so each candidate looks only at
            # the spans that can contain it (a text of 8,000 allowed phrases and 24,000
            # candidates went through every pair: 17 s).
            allowed = sorted(allowed, key=_span_start)
            allowed_starts = [a_start for _, a_start, _ in allowed]
            longest = max(a_end - a_start for _, a_start, a_end in allowed)
        for entry_index, start, end in candidates:
            if allowed and self._is_allowed(entry_index, start, end, allowed, allowed_starts, longest):
                continue
            o_start, o_end = span(start - base, end - base)
            entry = checked[entry_index]
            if entry is None:  # no gap, context or boundary rule: most entries
                valid.append((entry_index, o_start, o_end))
                continue
            if not entry.gaps and any(is_skipped(c) for c in norm.original[o_start:o_end]):
                continue
            # --- allow-contexts hook (match/contexts.py): reported or quoted speech is not the
            # agent's own words; checked on the original text, only for entries that ask.
            if entry.skip_contexts:
                if segmentable is None:
                    segmentable = simplified_aligned(norm.original)
                if in_context(segmentable, o_start, o_end, entry.skip_contexts, entry.mitigators,
                              self.segmenter.on_boundaries):
                    continue
            if entry.requires:
                if segmentable is None:
                    segmentable = simplified_aligned(norm.original)
                if not is_mitigated(segmentable, o_start, o_end, entry.requires, self.segmenter.on_boundaries):
                    continue
            # --- end of hook
            if entry.boundary:
                if segmentable is None:
                    segmentable = simplified_aligned(norm.original)
                if not self.segmenter.on_boundaries(segmentable, o_start, o_end):
                    continue
            valid.append((entry_index, o_start, o_end))
        if len(valid) > 1:
            valid = _leftmost_longest(valid)
            if len(valid) > 1:
                valid.sort(key=_position)
        # tuple.__new__ straight away: Hit._make is a Python function (and checks a length
        # these tuples have by construction).
        return [_tuple_new(Hit, v) for v in valid]

    def _is_allowed(self, entry: int, start: int, end: int, allowed, starts: list[int], longest: int) -> bool:
        """Whether an allowed span of ``entry``'s scope contains ``[start, end)`` (``allowed``
        sorted by start, ``starts`` their starts, ``longest`` the longest one's length)."""
        i = bisect_right(starts, start)  # the spans starting at or before the candidate
        while i:
            i -= 1
            scope, a_start, a_end = allowed[i]
            if a_start < end - longest:
                return False  # this span and every earlier one end before the candidate does
            if end <= a_end and entry in self._allow_scopes[scope]:
                return True
        return False


def gather_python(found: list[tuple[int, int, int]], values, bounds: list[int],
                  only: frozenset[int] | None,
                  only_each: Sequence[frozenset[int] | None] | None) -> list[tuple[int, list, list, dict]]:
    """The automaton's hits over joined texts (``found``: literal, start, end; ``values``:
    each literal's packed anchors, phrases and allow scopes; ``bounds``: where each text
    starts, then the end + 1), sorted out per text: ``(text index, candidates, allowed,
    windows)`` for each text with a candidate or a pattern window, in order.

    ``candidates`` are (entry, start, end) of phrase hits, ``allowed`` (scope, start, end) of
    allow-list hits, ``windows`` pattern → flat [lo, hi, lo, hi, …] of the (merged) windows
    around its anchors, each anchor widened by its entry's window width. Only the entries of
    ``only`` (``only_each[i]`` for text ``i`` when given; ``None``: every entry) count.

    The automaton reports hits in order of their end (the longest first among those that
    end together), so the hits of one text all come before those of the next: each text is
    collected in turn.
    """
    out = []
    at = 0
    limit = bounds[1] - 1  # where the current text ends
    wanted = only if only_each is None else only_each[0]
    candidates: list[tuple[int, int, int]] = []
    allowed: list[tuple[int, int, int]] = []
    windows: dict[int, list[int]] = {}  # pattern → flat [lo, hi, lo, hi, …]
    for literal, start, end in found:
        if end > limit:  # the first hit of a later text: finish the current one
            if candidates or windows:
                out.append((at, candidates, allowed, windows))
                candidates, allowed, windows = [], [], {}
            elif allowed:
                allowed = []
            at = bisect_right(bounds, start) - 1
            limit = bounds[at + 1] - 1
            if only_each is not None:
                wanted = only_each[at]
        anchors, phrases, allows = values[literal]
        for key, entry_index, width in anchors:
            if wanted is None or entry_index in wanted:
                spans = windows.get(key)
                if spans is None:
                    windows[key] = [start - width, end + width]
                elif start - width > spans[-1]:
                    spans += (start - width, end + width)
                else:  # overlaps (or precedes) the previous window: widen it
                    if start - width < spans[-2]:
                        spans[-2] = start - width
                    if end + width > spans[-1]:
                        spans[-1] = end + width
        for entry_index in phrases:
            if wanted is None or entry_index in wanted:
                candidates.append((entry_index, start, end))
        for scope in allows:
            allowed.append((scope, start, end))
    if candidates or windows:
        out.append((at, candidates, allowed, windows))
    return out


def verify_python(windows: dict[int, list[int]], verifiers: list, text: str, base: int, limit: int,
                  candidates: list[tuple[int, int, int]]) -> None:
    """Append to ``candidates`` the (entry, start, end) of every non-empty match of each
    pattern of ``windows`` inside its windows, in one text (``text[base:limit]``).

    ``verifiers[pattern]`` is (entry, regex search, regex finditer, anchored_end), optionally
    followed by the pattern's :func:`~scriptcheck.match.patterns.window_prefilter`: its
    ``needs`` and, for a pattern whose matches start at a line start, the regex's ``match``
    (else ``None``). The matches are those of ``finditer`` over each window; they are found
    with ``search`` from the end of the previous match (the same next match, without an
    iterator per window, and most windows have no match at all). After an empty match
    ``finditer`` steps in its own way, so that window is read with ``finditer`` itself.

    A window that lacks what the prefilter says every non-empty match needs is not searched:
    it has no match to add. In a window with one line start only (its first position: no
    newline inside), a pattern that starts at line starts is tried there alone, with
    ``match`` — what ``search`` finds first, without trying every other position.
    """
    for key, spans in windows.items():
        verifier = verifiers[key]
        entry_index, search, finditer, anchored_end = verifier[0], verifier[1], verifier[2], verifier[3]
        needs, starts = (verifier[4], verifier[5]) if len(verifier) > 4 else ((), None)
        for i in range(0, len(spans), 2):
            lo = spans[i] if spans[i] > base else base
            # A lookahead near the window's end must still see what follows (re cuts the
            # string at endpos), so give it some room past the window.
            endpos = spans[i + 1] + _LOOKAROUND
            if endpos > limit:
                endpos = limit
            if starts is None:
                if needs and not _may_match(text, lo, endpos, needs, False):
                    continue
                m = search(text, lo, endpos)
            else:
                if not _may_match(text, lo, endpos, needs, True):
                    continue
                # _may_match found a line start: lo itself, when no newline is inside.
                m = starts(text, lo, endpos) if text.find("\n", lo, endpos - 1) < 0 else search(text, lo, endpos)
            if m is None:
                continue
            mark = len(candidates)
            while m is not None:
                m_start, m_end = m.span()
                if m_end <= m_start:
                    del candidates[mark:]
                    _verify_by_finditer(finditer(text, lo, endpos), entry_index, anchored_end, endpos, limit,
                                        candidates)
                    break
                # re treats endpos as the end of the string, so $ would match there.
                if not (anchored_end and m_end == endpos < limit):
                    candidates.append((entry_index, m_start, m_end))
                m = search(text, m_end, endpos)


def _may_match(text: str, lo: int, endpos: int, needs: tuple, line_start: bool) -> bool:
    """Whether a non-empty match in ``text[lo:endpos]`` may exist by the prefilter: a line
    start at one of its positions (``text[p - 1]`` a newline, or ``p == 0``) when
    ``line_start``, and a literal of each set of ``needs`` inside it."""
    if lo >= endpos or lo >= len(text):  # no character to match
        return False
    if line_start and lo > 0 and text[lo - 1] != "\n" and text.find("\n", lo, endpos - 1) < 0:
        return False
    for literals in needs:
        for literal in literals:
            if text.find(literal, lo, endpos) >= 0:
                break
        else:
            return False
    return True


def gather_verify_python(found: list[tuple[int, int, int]], values, bounds: list[int],
                         only: frozenset[int] | None, only_each: Sequence[frozenset[int] | None] | None,
                         verifiers: list, make_verifier, text: str) -> list[tuple[int, list, list]]:
    """:func:`gather_python`, then :func:`verify_python` of each text's windows: ``(text
    index, candidates, allowed)`` for each text left with a candidate, in order.

    ``verifiers[pattern]`` is filled with ``make_verifier(pattern)`` where it is still ``None``
    (regexes are compiled when first needed). ``text`` is the joined search string ``found``
    and ``bounds`` describe."""
    out = []
    for at, candidates, allowed, windows in gather_python(found, values, bounds, only, only_each):
        for key in windows:
            if verifiers[key] is None:
                verifiers[key] = make_verifier(key)
        verify_python(windows, verifiers, text, bounds[at], bounds[at + 1] - 1, candidates)
        if candidates:
            out.append((at, candidates, allowed))
    return out


def _verify_by_finditer(matches, entry_index: int, anchored_end: bool, endpos: int, limit: int,
                        candidates: list[tuple[int, int, int]]) -> None:
    for m in matches:
        m_start, m_end = m.span()
        if m_end <= m_start:
            continue
        if anchored_end and m_end == endpos < limit:
            continue
        candidates.append((entry_index, m_start, m_end))


try:  # the compiled pass (setup.py builds it when it can); results are the same without it
    from scriptcheck.match._native import gather_verify as _gather_verify
except ImportError:
    _gather_verify = gather_verify_python


def _span_start(allowed: tuple[int, int, int]) -> int:
    return allowed[1]


def _position(candidate: tuple[int, int, int]) -> tuple[int, int, int]:
    entry, start, end = candidate
    return start, -end, entry


def _leftmost_longest(candidates: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Per entry, keep non-overlapping hits, preferring the earliest then the longest."""
    # A plain sort (tuples compare in C, no key function): among the candidates of one entry
    # and start only the last, the longest, can be kept (the others start inside it).
    candidates.sort()
    kept = []
    last_entry, last_end = -1, -1
    final = len(candidates) - 1
    for i, candidate in enumerate(candidates):
        entry, start, end = candidate
        if i < final:
            following = candidates[i + 1]
            if following[0] == entry and following[1] == start:
                continue  # a longer one of the same entry and start follows
        if entry == last_entry and start < last_end:
            continue
        kept.append(candidate)
        last_entry, last_end = entry, end
    return kept
