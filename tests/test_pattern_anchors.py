"""The anchors a lexicon pattern is found by (``match.patterns.compile_pattern``).

The matcher tries a pattern only around a hit of one of its anchors, so the anchor set must be
complete (every match holds one). Among complete sets the choice is a trade: longer literals
are rarer in the text scanned, but every literal is built into the automaton at every start.
Checked: completeness on random lexicon-style patterns (hypothesis), the choice on shapes the
shipped lexicons use, and the packaged lexicons' anchors as a whole.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings, strategies as st

from scriptcheck.match.patterns import CompiledPattern, PatternProblem, compile_pattern

# Literal runs, alternations, optional parts, bounded gaps, lookarounds and line anchors over a
# small alphabet (so that matches happen); lower case, as normalised text is.
_PIECES = ["a", "b", "ab", "ba", "c", "d", "(a|bc)", "(?:b|ca)", "(a)?", "(ab|c)?", "(d)?", "[ab]", ".{0,3}",
           "[^a]{1,2}", "(?<!b)", "(?!c)", "(?<=a)", "^", "$", "(c|a.{0,2}b)", "(?:ab){1,2}", "(a|b|c|d)",
           "(ad|bd|cd)"]


@st.composite
def _pattern(draw) -> str:
    source = "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6)))
    if draw(st.booleans()):
        source += "|" + "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4)))
    return source


def _compiled(source: str) -> CompiledPattern:
    try:
        return compile_pattern(source)
    except PatternProblem:  # no anchor, a doubled letter, an empty match: not a usable pattern
        assume(False)
        raise


@settings(max_examples=3000, deadline=None)
@given(_pattern(), st.text(alphabet="abcd\n", max_size=40))
def test_every_match_holds_an_anchor(source, text) -> None:
    pattern = _compiled(source)
    for m in re.finditer(source, text, re.MULTILINE):
        if m.end() > m.start():
            assert any(a in m.group() for a in pattern.anchors), (source, text, m.span(), pattern.anchors)


@settings(max_examples=1000, deadline=None)
@given(_pattern())
def test_no_anchor_contains_another(source) -> None:
    anchors = sorted(_compiled(source).anchors, key=len)
    for i, shorter in enumerate(anchors):
        assert not any(shorter in longer for longer in anchors[i + 1:]), (source, anchors)


@pytest.mark.parametrize(("source", "anchors"), [
    # A run multiplied out would be 256 literals (你一定听错了 …): the shortest stretch of three
    # characters or more with the fewest literals is as complete.
    ("(?:你们|你)(肯定|一定|绝对|准是)(是)?(搞|弄|记|看|填|算|输|听)错(了)?",
     {"你肯定", "你一定", "你绝对", "你准是", "你们肯定", "你们一定", "你们绝对", "你们准是"}),
    # Three characters are enough: two literals of them rather than four longer ones.
    ("(我)?没(时间|工夫)(陪|跟)你(玩)?", {"没时间", "没工夫"}),
    # An optional part at either end of a stretch adds nothing: 我不管了 holds 不管.
    ("(我)?不管(了)?(啊)?", {"不管"}),
    # Shorter than three characters only when nothing longer is complete; then the fewest.
    ("(你)?(傻|笨)", {"傻", "笨"}),
    ("不(懂|会)", {"不懂", "不会"}),
    # A literal of the set that contains another is dropped: 说不清 is found wherever 说不清楚 is.
    ("说(不清|不清楚)", {"说不清"}),
    ("^快$", {"快"}),
])
def test_anchor_choice(source, anchors) -> None:
    assert compile_pattern(source).anchors == frozenset(anchors)


def test_a_long_pattern_is_anchored_by_its_first_short_stretch() -> None:
    # 200 groups of two alternatives: any three adjacent ones are as good as the whole run and
    # far smaller; the search for them stops there rather than multiplying the run out.
    anchors = compile_pattern("(啊|吧)" * 200).anchors
    assert len(anchors) == 8 and {len(a) for a in anchors} == {3}


def test_explicit_anchors_are_kept() -> None:
    assert compile_pattern("你(真|太)(行|厉害)", ["真行", "太行", "真厉害", "太厉害"]).anchors == frozenset(
        {"真行", "太行", "真厉害", "太厉害"})


def test_packaged_matchers_keep_their_anchor_sets_small() -> None:
    """The packaged lexicons as built: no anchor of a pattern inside another of the same
    pattern, and on average far fewer anchors than multiplied-out runs gave (35 a pattern)."""
    from scriptcheck.api import Checker

    patterns = [p for _, p in Checker.from_profile("ecommerce-chat")._matcher._patterns]
    assert len(patterns) > 1000
    for pattern in patterns:
        anchors = sorted(pattern.anchors, key=len)
        for i, shorter in enumerate(anchors):
            assert not any(shorter in longer for longer in anchors[i + 1:]), pattern
    assert max(len(p.anchors) for p in patterns) <= 256
    assert sum(len(p.anchors) for p in patterns) < 16 * len(patterns)
