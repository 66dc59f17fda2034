"""The compiled pass of the matcher (``match/_native.pyx``) gives exactly what its pure-Python
reference (``engine.gather_verify_python``) gives, and the matcher finds the same hits with either.

These run only where the extension was built (a regular ``pip install .`` with a C compiler);
an editable or pure-Python install has nothing to compare and reports them skipped.
"""

from __future__ import annotations

import importlib
import re
from itertools import accumulate

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck.text.normalize import normalize_many

from .test_transcript_scan import PIECES, profile_checker  # noqa: F401 (a fixture)

engine = importlib.import_module("scriptcheck.match.engine")
native = pytest.mark.skipif(engine._gather_verify is engine.gather_verify_python,
                            reason="the native matcher loops are not built (editable or pure-Python install)")

text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)
_entries = st.integers(0, 6)
_packed = st.tuples(
    st.lists(st.tuples(st.integers(0, 5), _entries, st.integers(0, 40)), max_size=3).map(tuple),
    st.lists(_entries, max_size=3).map(tuple),
    st.lists(st.integers(0, 3), max_size=2).map(tuple),
)
_wanted = st.one_of(st.none(), st.frozensets(_entries, max_size=4))


@st.composite
def _gathering(draw):
    """Texts' bounds, hits inside them in the automaton's order, packed values, filters."""
    lengths = draw(st.lists(st.integers(0, 30), min_size=1, max_size=6))
    bounds = list(accumulate((n + 1 for n in lengths), initial=0))
    values = draw(st.lists(_packed, min_size=1, max_size=8))
    hits = []
    for at, size in enumerate(lengths):
        for _ in range(draw(st.integers(0, 5)) if size else 0):
            start = draw(st.integers(0, size - 1))
            end = draw(st.integers(start + 1, size))
            hits.append((draw(st.integers(0, len(values) - 1)), bounds[at] + start, bounds[at] + end))
    hits.sort(key=lambda h: (h[2], h[1]))
    as_dict = draw(st.booleans())  # the lookup table's values before the automaton is built
    only = draw(_wanted)
    only_each = draw(st.one_of(st.none(), st.lists(_wanted, min_size=len(lengths), max_size=len(lengths))))
    return hits, (dict(enumerate(values)) if as_dict else values), bounds, only, only_each


_needs = st.lists(st.lists(st.text(alphabet="ab \n", min_size=1, max_size=3), min_size=1, max_size=3).map(tuple),
                  max_size=2).map(tuple)
_REGEXES = ["a", "b+", "ab?", "(?=a)", "^a", "b$", "a|", "(?<=b)a", r"\Z", "[ab]{2}", "."]


@st.composite
def _gathering_verifying(draw):
    """_gathering's case plus a joined text it describes and a verifier per pattern (some
    already made, the others made on request)."""
    hits, values, bounds, only, only_each = draw(_gathering())
    texts = [draw(st.text(alphabet="ab ", min_size=bounds[i + 1] - bounds[i] - 1, max_size=bounds[i + 1] - bounds[i] - 1))
             for i in range(len(bounds) - 1)]
    text = "\n".join(texts)
    makers = []
    for _ in range(6):  # _gathering's pattern keys are 0..5
        regex = re.compile(draw(st.sampled_from(_REGEXES)), re.MULTILINE)
        verifier = (draw(st.integers(0, 6)), regex.search, regex.finditer, draw(st.booleans()))
        if draw(st.booleans()):
            # With a prefilter (Matcher._verifier's six fields), sound or not: both passes must
            # skip the same windows whatever it says.
            verifier += (draw(_needs), regex.match if draw(st.booleans()) else None)
        makers.append(verifier)
    ready = [m if draw(st.booleans()) else None for m in makers]
    return hits, values, bounds, only, only_each, ready, makers, text


@native
@settings(max_examples=1500, deadline=None)
@given(_gathering_verifying())
def test_native_gather_verify_is_the_python_reference(case) -> None:
    hits, values, bounds, only, only_each, ready, makers, text = case
    native_verifiers, python_verifiers = list(ready), list(ready)
    native = engine._gather_verify(hits, values, bounds, only, only_each, native_verifiers, makers.__getitem__, text)
    python = engine.gather_verify_python(hits, values, bounds, only, only_each, python_verifiers,
                                         makers.__getitem__, text)
    assert native == python
    assert native_verifiers == python_verifiers  # the same regexes made on request


@native
def test_native_gather_verify_refuses_what_it_cannot_read() -> None:
    make = [(0, re.compile("a").search, re.compile("a").finditer, False)].__getitem__
    with pytest.raises(IndexError):
        engine._gather_verify([], [], [0], None, None, [None], make, "")
    with pytest.raises(IndexError):  # a pattern without a verifier
        engine._gather_verify([(0, 0, 1)], [(((3, 0, 0),), (), ())], [0, 3], None, None, [None], make, "aa")
    with pytest.raises(ValueError):
        engine._gather_verify([(0, 0, 1)], [((), (0,))], [0, 3], None, None, [None], make, "aa")
    with pytest.raises(IndexError):  # a hit outside the texts
        engine._gather_verify([(0, 9, 12)], [((), (0,), ())], [0, 3], None, None, [None], make, "aa")
    with pytest.raises(TypeError):  # a hit that is not a tuple
        engine._gather_verify([[0, 0, 1]], [((), (0,), ())], [0, 3], None, None, [None], make, "aa")
    anchor = [(0, 0, 1)], [(((0, 0, 0),), (), ())], [0, 3]
    with pytest.raises(ValueError):  # a verifier of five fields
        engine._gather_verify(*anchor, None, None, [(0, re.compile("a").search, None, False, ())], make, "aa")
    with pytest.raises(TypeError):  # a prefilter's literal that is not a string
        engine._gather_verify(*anchor, None, None, [(0, re.compile("a").search, None, False, ((1,),), None)],
                              make, "aa")


@native
@settings(max_examples=300, deadline=None)
@given(st.lists(text, min_size=1, max_size=6), st.data())
def test_matcher_finds_the_same_with_the_reference_loop(profile_checker, texts, data) -> None:
    matcher = profile_checker._matcher
    norms = normalize_many(texts)
    count = len(matcher.entries)
    only_each = data.draw(st.one_of(st.none(), st.lists(
        st.one_of(st.none(), st.frozensets(st.integers(0, count - 1), max_size=40)),
        min_size=len(texts), max_size=len(texts))))
    native = matcher.find_many(norms, None, only_each)
    compiled = engine._gather_verify
    # (monkeypatch is function-scoped: hypothesis forbids it)
    engine._gather_verify = engine.gather_verify_python
    try:
        assert matcher.find_many(norms, None, only_each) == native
    finally:
        engine._gather_verify = compiled
    for original, hits in zip(texts, native):  # spans index the original text
        assert all(0 <= start < end <= len(original) for _, start, end in hits)


# --- verifying patterns in their windows: the search loop against the finditer of each
# window it replaces (the reference; the compiled pass is compared with it above).

_PIECES = ["a", "b", "ab", "a*", "b?", "(?=a)", "(?<=b)", "^", "$", r"\b", "(?:a|)", ".", "[ab]+", "a{0,2}",
           "(?!b)", r"\Z", "a+?"]


def _by_finditer(windows, verifiers, text, base, limit):
    """What the matcher did before: every non-empty match of finditer over each window."""
    out = []
    for key, spans in windows.items():
        entry_index, _, finditer, anchored_end = verifiers[key]
        for i in range(0, len(spans), 2):
            lo = spans[i] if spans[i] > base else base
            endpos = min(spans[i + 1] + engine._LOOKAROUND, limit)
            for m in finditer(text, lo, endpos):
                start, end = m.span()
                if end <= start or (anchored_end and end == endpos < limit):
                    continue
                out.append((entry_index, start, end))
    return out


@st.composite
def _verifying(draw):
    text = draw(st.text(alphabet="ab\n ", max_size=40))
    verifiers, windows = [], {}
    for key in range(draw(st.integers(1, 4))):
        source = "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3)))
        regex = re.compile(source, re.MULTILINE if draw(st.booleans()) else 0)
        verifiers.append((draw(st.integers(0, 5)), regex.search, regex.finditer, draw(st.booleans())))
        if draw(st.booleans()):
            bounds = sorted(draw(st.lists(st.integers(-20, len(text) + 20), min_size=2, max_size=6)))
            windows[key] = bounds[:len(bounds) // 2 * 2]
    base = draw(st.integers(0, len(text)))
    limit = draw(st.integers(base, len(text)))
    return windows, verifiers, text, base, limit


@settings(max_examples=1500, deadline=None)
@given(_verifying())
def test_search_loop_finds_what_finditer_finds(case) -> None:
    candidates = [("before", 0, 0)]
    engine.verify_python(*case, candidates)
    assert candidates == [("before", 0, 0), *_by_finditer(*case)]



@native
def test_native_lookaround_is_the_engines() -> None:
    assert importlib.import_module("scriptcheck.match._native").LOOKAROUND == engine._LOOKAROUND


def _leftmost_longest_by_key(candidates):
    """The previous reading: sorted by entry, start and longest first, then greedy."""
    kept, last_entry, last_end = [], -1, -1
    for entry, start, end in sorted(candidates, key=lambda c: (c[0], c[1], -c[2])):
        if entry == last_entry and start < last_end:
            continue
        kept.append((entry, start, end))
        last_entry, last_end = entry, end
    return kept


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 8), st.integers(1, 6)).map(lambda c: (c[0], c[1], c[1] + c[2])),
                max_size=8))
def test_leftmost_longest_is_the_keyed_sort(candidates) -> None:
    assert engine._leftmost_longest(list(candidates)) == _leftmost_longest_by_key(candidates)
