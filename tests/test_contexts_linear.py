"""The allow-context checks answer each hit by bisection over marks found once per text; they
must give exactly what a plain scan of the text gives (the reference below), hit by hit."""

from __future__ import annotations

import functools
import re

from hypothesis import given, settings, strategies as st

from scriptcheck.match import contexts
from scriptcheck.match.contexts import in_quotes, in_reported_speech

_ALPHABET = st.sampled_from(list("“”「」『』‘’﹁﹂《》\"＂'＇。！？!?；;\n，, 同事跟您说这是规定我也没办法你们客服讲过爱买不买这种话") + [" 不", " 会 "])


def _reference_in_quotes(text: str, start: int, end: int) -> bool:
    before = text[:start]
    lead = contexts._QUOTE_LEAD
    for opening, closing in contexts._OPEN_CLOSE.items():
        at = before.rfind(opening)
        if at >= 0 and before.rfind(closing) < at:
            close = text.find(closing, start)
            # inside the quotation, or running at most `lead` characters past its closing mark
            if close < 0 or close >= end or end - close - 1 <= lead:
                return True
    for mark in contexts._SYMMETRIC:
        if before.count(mark) % 2 == 1:
            close = text.find(mark, start)
            if close >= 0 and (mark in text[end:] or end - close - 1 <= lead):
                return True
    # a hit that starts just before an opening mark and ends inside its quotation
    for opening, closing in contexts._OPEN_CLOSE.items():
        at = text.find(opening, start)
        if 0 <= at < end and at - start <= lead:
            close = text.find(closing, at)
            if close < 0 or close >= end:
                return True
    for mark in contexts._SYMMETRIC:
        at = text.find(mark, start)
        if 0 <= at < end and at - start <= lead and text[:at].count(mark) % 2 == 0 \
                and mark in text[end:] and text.find(mark, at + 1) >= end:
            return True
    return False


def _reference_around(text: str, start: int, end: int, ends: re.Pattern) -> tuple[int, int]:
    lo = 0
    # over the whole text: an end mark may look ahead (a space before a letter-spaced character)
    for m in ends.finditer(text):
        if m.start() < start:
            lo = m.end()
    m = ends.search(text, end)
    return lo, (m.start() if m else len(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=60).map("".join), st.data())
def test_bisection_gives_what_a_scan_gives(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert in_quotes(text, start, end) == _reference_in_quotes(text, start, end)
    marks = contexts._marks(text)
    for ends in (contexts._SENTENCE_END, contexts._CLAUSE_END):
        assert marks.around(start, end, ends) == _reference_around(text, start, end, ends)


def test_a_report_is_found_within_its_reach() -> None:
    text = "您说之前的同事对您说“这是规定，我也没办法”"
    assert in_reported_speech(text, text.index("这是"))
    padded = "同事跟您说" + "好" * contexts._REPORT_REACH + "这是规定"
    assert not in_reported_speech(padded, padded.index("这是"))  # too far back: not this hit's report


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=12),
       st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=12))
def test_tone_findings_overlapping_a_lexicon_finding_are_dropped_as_a_scan_would(toned, lexical) -> None:
    from scriptcheck.lexicon.tone import Spans
    from scriptcheck.models import make_finding

    def findings(spans, rule):
        return [make_finding({"rule": rule, "category": "c", "severity": "warning", "start": s, "end": s + n,
                              "text": "x" * n, "message": "m"}) for s, n in spans]

    tone, others = findings(toned, "FB900"), findings(lexical, "FB001")
    expected = [f for f in tone if not any(f.start < o.end and o.start < f.end for o in others)]
    taken = Spans([(o.start, o.end) for o in others])
    assert [f for f in tone if not taken.overlaps(f.start, f.end)] == expected


_BEFORE_ALPHABET = st.sampled_from(list("我们不会没有什么是手笨挂你电话，。你真别觉得自己怪脑子好使叫笨笨"))


_LEAD_INS = st.sampled_from(["不会", "我们绝不会随便", "没有什么", "是我手", "千万别觉得自己", "一点都不",
                             "怪我", "叫", "你不会", "别", ""])
_RANDOM = st.lists(_BEFORE_ALPHABET, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_RANDOM, _LEAD_INS, st.lists(_BEFORE_ALPHABET, max_size=3).map("".join), _RANDOM, st.data())
def test_a_scope_before_mitigator_looks_only_at_its_window(before: str, lead_in: str, gap: str, after: str,
                                                           data) -> None:
    # The window before the hit gives what a search of the whole clause before it gives; the
    # hit follows a mitigator's words (or not) after a gap of a few characters.
    from scriptcheck.match.contexts import is_mitigated
    from scriptcheck.text.normalize import normalize

    mitigations = _default_before_mitigators()
    text = before + lead_in + gap + after
    start = len(before + lead_in + gap)
    end = data.draw(st.integers(start, len(text)))
    for mitigation in mitigations:
        lo = contexts._marks(text).around(start, end, contexts._CLAUSE_END)[0]
        regex, _ = contexts._leading_up(mitigation.regex, mitigation.reach)
        whole = normalize(text[lo:start]).text
        expected = any(m.end() > m.start() for m in
                       (regex.match(whole, i) for i in range(len(whole) + 1)) if m is not None)
        if not mitigation.questions and contexts._is_question(contexts._marks(text), start, end):
            expected = False  # a statements-only mitigator does not hold in a question (你不会么)
        assert is_mitigated(text, start, end, [mitigation]) == expected


@functools.lru_cache(maxsize=None)
def _default_before_mitigators() -> list:
    # Once per session, not per example: loading the lexicon without the compiled cache takes
    # over a second, 300 examples took minutes.
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicon

    forbidden = next(load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS if "forbidden" in str(n))
    found = {m for e in forbidden.match_entries for m in e.mitigators if m.reach >= 0}
    assert found  # negation, self-reference, naming
    return sorted(found, key=lambda m: m.regex.pattern)


class _CountingRegex:
    """A mitigator regex that counts its searches (hashable, like the re.Pattern it wraps)."""

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(pattern)
        self.searches = 0

    def search(self, text: str, pos: int = 0):
        self.searches += 1
        return self.regex.search(text, pos)


def test_a_sentence_is_searched_for_a_mitigator_once_whatever_its_hits() -> None:
    # A call without sentence ends: every hit shares the one sentence. Each hit's answer is
    # what a search of that sentence gives, and the sentence is searched once, not per hit.
    from scriptcheck.match.contexts import Mitigation, is_mitigated

    for unit, held in (("投诉也没用，", False), ("抱歉，投诉也没用，", True)):
        text = unit * 500
        regex = _CountingRegex("抱歉")
        mitigation = Mitigation(regex, sentence=True, boundary=False)
        starts = [m.start() for m in re.finditer("投诉", text)]
        assert all(is_mitigated(text, s, s + 5, [mitigation]) is held for s in starts)
        assert len(starts) == 500 and regex.searches == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40), st.integers(1, 8)), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 45), st.integers(1, 6)), max_size=30))
def test_allowed_spans_by_bisection_are_the_pairwise_answer(spans, candidates) -> None:
    # Matcher._is_allowed looks only at the spans that can contain a candidate (a text with
    # thousands of allowed phrases went through every pair); it must say what every pair says.
    from types import SimpleNamespace

    from scriptcheck.match.engine import Matcher

    scopes = SimpleNamespace(_allow_scopes=[frozenset({0, 1}), frozenset({2}), frozenset({1, 3})])
    allowed = sorted(((scope, s, s + n) for scope, s, n in spans), key=lambda a: a[1])
    starts = [a[1] for a in allowed]
    longest = max(e - s for _, s, e in allowed)
    for entry, start, n in candidates:
        end = start + n
        pairwise = any(s <= start and end <= e and entry in scopes._allow_scopes[scope] for scope, s, e in allowed)
        assert Matcher._is_allowed(scopes, entry, start, end, allowed, starts, longest) is pairwise
