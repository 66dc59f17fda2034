"""The literal automaton reports every occurrence, overlapping ones included, at character
offsets of the text, in the order the matcher relies on: by end, longest first."""

from __future__ import annotations

import pickle

from hypothesis import given, settings, strategies as st

from scriptcheck import Checker
from scriptcheck.match.automaton import LiteralAutomaton

ALPHABET = st.sampled_from(list("你好您谢再见啊a1 。") + ["🙂", "𠀀", "\n"])
literal = st.text(ALPHABET, min_size=1, max_size=4)


def _brute_force(literals: list[str], text: str) -> list[tuple[int, int, str]]:
    found = []
    for word in set(literals):
        at = text.find(word)
        while at >= 0:
            found.append((at + len(word), -len(word), word))
            at = text.find(word, at + 1)
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(literal, min_size=1, max_size=12), st.text(ALPHABET, max_size=40))
def test_every_occurrence_by_end_then_longest(literals: list[str], text: str) -> None:
    automaton = LiteralAutomaton()
    for number, word in enumerate(literals):
        automaton.add(word, number)
    hits = automaton.payloads(text)
    assert [(end, start - end, text[start:end]) for start, end, _ in hits] == _brute_force(literals, text)
    for start, end, payloads in hits:
        assert payloads == tuple(n for n, word in enumerate(literals) if word == text[start:end])


def test_empty_automaton_and_empty_text_find_nothing() -> None:
    assert LiteralAutomaton().find("你好") == []
    automaton = LiteralAutomaton({"你好": ["greeting"]})
    assert automaton.find("") == []
    assert automaton.payloads("你好你好") == [(0, 2, ("greeting",)), (2, 4, ("greeting",))]


def test_automaton_and_checker_pickle() -> None:
    automaton = LiteralAutomaton({"你好": ["greeting"], "好": ["good"]})
    assert automaton.payloads("你好") == [(0, 2, ("greeting",)), (1, 2, ("good",))]  # same end: longest first
    copy = pickle.loads(pickle.dumps(automaton))
    assert copy.payloads("你好") == automaton.payloads("你好")
    checker = Checker.default()
    text = "你怎么连这个也不懂，请问还有什么可以帮您"
    assert pickle.loads(pickle.dumps(checker)).scan(text) == checker.scan(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(literal, min_size=1, max_size=12), st.text(ALPHABET, max_size=40))
def test_lookup_search_before_the_build_reports_what_the_automaton_does(literals: list[str], text: str) -> None:
    lookup, built = LiteralAutomaton(), LiteralAutomaton()
    for number, word in enumerate(literals):
        lookup.add(word, number)
        built.add(word, number)
    built._built()
    assert lookup.find(text) == built.find(text)
    assert lookup.payloads(text) == built.payloads(text)
    assert lookup._lookup_table().find(text) == built.find(text)  # whichever path find() took


def test_the_automaton_is_built_once_the_lookups_would_cost_more() -> None:
    automaton = LiteralAutomaton({"你好": ["greeting"], "再见": ["farewell"]})
    assert automaton.payloads("你好") == [(0, 2, ("greeting",))]
    assert automaton._automaton is None  # a short text: looked up, nothing built
    long_text = "你好" * 50 + "再见"
    assert automaton.payloads(long_text)[-1] == (100, 102, ("farewell",))
    assert automaton._automaton is not None
    automaton.add("好再", "new")  # a new literal: rebuilt on need, numbers kept
    assert automaton.payloads("你好再见") == [(0, 2, ("greeting",)), (1, 3, ("new",)), (2, 4, ("farewell",))]


def test_checker_finds_the_same_before_and_after_the_automaton_is_built() -> None:
    texts = ["你怎么连这个也不懂", "请问还有什么可以帮您", "这是规定，我也没办法，您自己看着办吧", "您好"]
    fresh = pickle.loads(pickle.dumps(Checker.default()))  # a copy: no automaton yet
    assert fresh._matcher._automaton._automaton is None
    before = [fresh.scan(t, cues=True) for t in texts]
    assert fresh._matcher._automaton._automaton is None
    fresh._matcher._automaton._built()
    assert [fresh.scan(t, cues=True) for t in texts] == before


def test_a_matcher_is_freed_without_the_garbage_collector() -> None:
    """No reference cycle runs through a matcher and its automaton (the automaton once held a
    bound method of its matcher): dropping the last reference frees the matcher at once, not
    at the next collection (or at interpreter exit, where a large lexicon's objects made the
    collector's walks a good share of a cold start). Its copies still pack their literals."""
    import gc
    import weakref

    from scriptcheck import load_lexicon
    from scriptcheck.match.engine import Matcher
    from scriptcheck.text.normalize import normalize

    lexicon = load_lexicon("forbidden", verify=False)
    matcher = Matcher(lexicon.match_entries)
    text = normalize("你是不是傻，这是规定，我也没办法")
    expected = matcher.find(text)
    assert expected
    matcher.prepare()
    assert matcher.find(text) == expected
    assert pickle.loads(pickle.dumps(matcher)).find(text) == expected
    probe = weakref.ref(matcher)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del matcher
        assert probe() is None
    finally:
        if enabled:
            gc.enable()


def test_a_built_automaton_packs_a_literal_when_a_hit_first_reports_it() -> None:
    """Packing every literal when the automaton is built was a good share of a batch's start
    (the packaged lexicons have ~72,000 literals; benchmarks/RESULTS.md, speed10): the values
    are packed on first need, after the build as before it, to the same payloads."""
    packed = []

    def pack(literal, payloads):
        packed.append(literal)
        return payloads

    automaton = LiteralAutomaton({"你好": ["greeting"], "再见": ["farewell"], "谢谢": ["thanks"]}, pack=pack)
    assert automaton.payloads("你好") == [(0, 2, ("greeting",))]  # looked up before the build
    automaton.build()
    assert packed == ["你好"]  # the build packs nothing more
    assert automaton.payloads("你好再见") == [(0, 2, ("greeting",)), (2, 4, ("farewell",))]
    assert packed == ["你好", "再见"]  # 你好 kept from before the build
