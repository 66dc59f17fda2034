"""The window prefilter of lexicon patterns (``match.patterns.window_prefilter``): a window the
matcher skips because it lacks a needed literal (or a line start) never held a match, so the
hits are the ones the regex search alone finds.

Checked three ways: on random lexicon-style patterns and texts, every non-empty match passes
the prefilter over its own span (the least window that contains it); the verification loop
finds the same candidates with and without the prefilter; and every pattern of every packaged
profile's matcher, on the lexicons' own example texts and the JDDC agent turns when present.
The compiled pass is compared with the reference in ``tests/test_native_match.py``.
"""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck.match.patterns import window_prefilter
from scriptcheck.text.normalize import normalize_many

engine = importlib.import_module("scriptcheck.match.engine")

# Literal runs, groups of literal alternatives, optional parts, bounded gaps, lookarounds and
# anchors: the shapes of the shipped patterns, over a small alphabet so that matches happen.
_PIECES = ["a", "b", "ab", "ba", "c", "(a|bc)", "(?:b|ca)", "(a)?", "(ab|c)?", "[ab]", ".{0,3}", "[^a]{1,2}",
           "(?<!b)", "(?!c)", "(?<=a)", "(?=b)", "^", "$", r"\A", r"\Z", "(c|a.{0,2}b)", "a{2,3}", "(?:ab){1,2}",
           "(?i:a)", "A"]


@st.composite
def _pattern(draw) -> str:
    source = "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5)))
    if draw(st.booleans()):
        source = source + "|" + "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3)))
    if draw(st.integers(0, 9)) == 0:
        source = "(?i)" + source
    return source


def _texts():
    return st.text(alphabet="abcA\n", max_size=40)


@settings(max_examples=2000, deadline=None)
@given(_pattern(), _texts())
def test_every_match_passes_the_prefilter_over_its_span(source, text) -> None:
    regex = re.compile(source, re.MULTILINE)
    needs, line_start = window_prefilter(source)
    for m in regex.finditer(text):
        if m.end() > m.start():
            assert engine._may_match(text, m.start(), m.end(), needs, line_start), (source, text, m.span())


@settings(max_examples=1500, deadline=None)
@given(st.data())
def test_verification_finds_the_same_with_the_prefilter(data) -> None:
    text = data.draw(_texts())
    verifiers, filtered, windows = [], [], {}
    for key in range(data.draw(st.integers(1, 4))):
        source = data.draw(_pattern())
        regex = re.compile(source, re.MULTILINE)
        plain = (data.draw(st.integers(0, 5)), regex.search, regex.finditer, data.draw(st.booleans()))
        verifiers.append(plain)
        needs, line_start = window_prefilter(source)
        filtered.append((*plain, needs, regex.match if line_start else None))
        if data.draw(st.booleans()):
            bounds = sorted(data.draw(st.lists(st.integers(-20, len(text) + 20), min_size=2, max_size=6)))
            windows[key] = bounds[:len(bounds) // 2 * 2]
    base = data.draw(st.integers(0, len(text)))
    limit = data.draw(st.integers(base, len(text)))
    plain_found, filtered_found = [], []
    engine.verify_python(windows, verifiers, text, base, limit, plain_found)
    engine.verify_python(windows, filtered, text, base, limit, filtered_found)
    assert filtered_found == plain_found


def test_the_prefilter_says_what_the_shapes_need() -> None:
    # 找/问/打给 anchor it; 去 (in each of 去, 吵去, 闹去) is needed too.
    assert window_prefilter("(找|问(?!题)|打给)[一-龥]{1,5}(去|吵去|闹去)(吧|呗)?$", frozenset({"找", "问", "打给"})) \
        == ((("去",),), False)
    assert window_prefilter("^(不给|拒绝)(了|啊)?$", frozenset({"不给", "拒绝"})) == ((), True)
    assert window_prefilter("(?<!我)(谢谢|感谢)", frozenset({"谢谢", "感谢"})) == ((), False)  # the anchors only
    assert window_prefilter("(?i)ab.{0,3}cd") == ((), False)  # str.find is case-sensitive
    assert window_prefilter("(?<=xy)ab(?=zz)") == ((("ab",),), False)  # lookarounds look outside a window


def _packaged_pattern_verifiers():
    """(regex, prefilter) of every pattern of every packaged profile's matchers."""
    from scriptcheck.profile.loader import default_profile_names
    from scriptcheck.scoring.engine import ProfileScorer

    seen = {}
    for name in default_profile_names():
        scorer = ProfileScorer.load(name)
        matcher = scorer.matcher._matcher
        for _, pattern in matcher._patterns:
            seen.setdefault(pattern.source, (pattern.regex, pattern.prefilter))
    return list(seen.values())


def _lexicon_examples() -> list[str]:
    from .test_regex_policy import _lexicon_values

    return _lexicon_values(("match", "no_match"), skip_models=True)


def test_shipped_patterns_keep_every_match(request) -> None:
    texts = _lexicon_examples()
    assert len(texts) > 1000
    try:
        dialogues = request.getfixturevalue("jddc_dialogues")
    except pytest.skip.Exception:
        dialogues = []
    texts += [t["text"] for d in dialogues[:400] for t in d["turns"] if t["speaker"] == "agent"]
    searched = [n.text for n in normalize_many(texts)]
    patterns = _packaged_pattern_verifiers()
    assert len(patterns) > 300
    assert sum(1 for _, (needs, line_start) in patterns if needs or line_start) > 100  # it has teeth
    joined = "\n".join(searched)  # as the matcher joins a transcript's turns
    matched = 0
    for regex, (needs, line_start) in patterns:
        for m in regex.finditer(joined):
            if m.end() > m.start():
                matched += 1
                assert engine._may_match(joined, m.start(), m.end(), needs, line_start), (regex.pattern, m.group())
    assert matched > 1000


@pytest.fixture(scope="module")
def matchers():
    """The ecommerce-chat matcher as a one-line lint has it (no prefilters) and as a batch
    has it after prepare() (a copy: verifiers made from then on carry their prefilter)."""
    import pickle

    from scriptcheck.scoring.engine import ProfileScorer

    plain = ProfileScorer.load("ecommerce-chat").matcher._matcher
    prepared = pickle.loads(pickle.dumps(plain))
    prepared.prepare()
    return plain, prepared


def test_a_prepared_matcher_finds_what_an_unprepared_one_finds(matchers, request) -> None:
    plain, prepared = matchers
    try:
        dialogues = request.getfixturevalue("jddc_dialogues")
    except pytest.skip.Exception:
        dialogues = []
    texts = _lexicon_examples()[:3000] + [t["text"] for d in dialogues[:300] for t in d["turns"]]
    for start in range(0, len(texts), 12):  # a transcript's worth of turns per pass, as scoring does
        norms = normalize_many(texts[start:start + 12])
        assert prepared.find_many(norms) == plain.find_many(norms)
    made = [v for v in prepared._verifiers if v is not None]
    assert made and all(len(v) == 6 for v in made)  # the prefilters were in use
    assert sum(1 for v in made if v[4] or v[5] is not None) > 20
    assert all(len(v) == 4 for v in plain._verifiers if v is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="你您不是去找问还有什么可以帮吗呢的谢谢再见好了我们他说就这样吧\n a1", max_size=30),
                min_size=1, max_size=6))
def test_prepared_and_unprepared_agree_on_generated_text(matchers, texts) -> None:
    plain, prepared = matchers
    norms = normalize_many(texts)
    assert prepared.find_many(norms) == plain.find_many(norms)


class _Counted(str):
    """A literal that counts the work _minimal does with it (``in`` tests and slices)."""

    ops = 0

    def __contains__(self, other) -> bool:
        _Counted.ops += 1
        return str.__contains__(self, other)

    def __getitem__(self, key):
        _Counted.ops += 1
        return str.__getitem__(self, key)


def _minimal_reference(literals, limit=None) -> list[str]:
    """_minimal as it was: each literal tested against every one kept (quadratic)."""
    kept: list[str] = []
    for literal in sorted(literals, key=len):
        if not any(shorter in literal for shorter in kept):
            kept.append(literal)
            if limit is not None and len(kept) > limit:
                break
    return kept


def test_minimal_work_is_linear_on_a_big_alternation() -> None:
    # a 40,000-way alternation of two-character literals (all kept) took 40,000²/2 `in` tests
    # (> 30 s in `lexicon test`); counted here, not timed: 2,000 literals, a few steps each
    import random

    from scriptcheck.match.patterns import _minimal

    literals = [_Counted(chr(0x4E00 + i) + chr(0x4E00 + i + 7)) for i in range(2000)]
    _Counted.ops = 0
    assert _minimal(literals) == _minimal_reference(list(map(str, literals)))
    assert _Counted.ops <= 5 * len(literals)
    # and the same answers as before on small sets of mixed lengths (limit or none)
    rng = random.Random(7)
    for _ in range(2000):
        sample = ["".join(rng.choice("ab你") for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 12))]
        for limit in (None, 2):
            assert _minimal(sample, limit) == _minimal_reference(sample, limit), (sample, limit)
        assert _minimal(set(sample)) == _minimal_reference(set(sample))
