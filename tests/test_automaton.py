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
