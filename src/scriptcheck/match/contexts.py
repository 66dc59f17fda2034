"""Allow-contexts: places in an utterance where a taboo shape is not the agent's own words.

An agent who apologises for a colleague quotes the colleague: 您说之前的同事对您说“这是规定，我
也没办法”，这样的回答确实不对. The words inside the quotation marks, or after a reporting verb
whose speaker is the customer or a third party, are reported speech, not a 服务忌语 — but
punctuation is removed from the normalised search string, so patterns cannot see it. These
checks look at the ORIGINAL text around a hit instead.

A lexicon (``skip_contexts:``) or one entry (``options.skip_contexts``) lists the contexts its
hits are dropped in; the matcher calls :func:`in_context` only for those entries, so the cost
is paid only on hits, which are rare.

Contexts:

- ``quoted``: the hit lies inside a pair of quotation marks (“…”, 「…」, 『…』, ‘…’, "…", '…')
  of the same utterance.
- ``reported``: earlier in the same sentence a third party (a colleague, the courier …) is the
  subject of a reporting verb (同事跟您讲 / 他们回复您 …), or the customer reports what such a
  person said (您说之前的同事… / 您反映客服…), so the hit is that person's words. A sentence where
  the agent reports himself (我跟您说 / 我说过) or merely echoes the customer is NOT reported.
  A phrase only mentioned — after a verb of saying and followed by 这种话/之类的说法 (我们绝不会
  说你不懂这种话) — counts as reported too.
- ``mitigated``: the clause around the hit (between commas, pauses — spaces — and sentence ends)
  or, for a mitigator of scope ``sentence``, the sentence around it, holds one of the lexicon's
  ``mitigators`` (a softener 请/麻烦, an apology, an offer of help 我帮您…) on jieba word
  boundaries. The mitigators are data in the lexicon; each is a regex over the normalised
  clause (您→你, no punctuation), so "别着急，我帮您查一下" is not the same act as "别急".
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple, Sequence

from scriptcheck.text.normalize import normalize

__all__ = ["CONTEXTS", "Mitigation", "in_context", "in_quotes", "in_reported_speech", "is_mitigated"]


class Mitigation(NamedTuple):
    """A compiled mitigator: its regex over the normalised clause, whether it reaches the whole
    sentence rather than the clause, and whether it must sit on jieba word boundaries."""

    regex: re.Pattern
    sentence: bool
    boundary: bool

_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’", "﹁": "﹂", "《": "》"}
_SYMMETRIC = ('"', "＂", "'", "＇")

# A sentence ends at these; a report never reaches across them.
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")

# Someone other than the agent or the customer (a colleague, the courier, "someone") as the
# subject of a verb of saying; or the customer reporting what such a person said (您说之前的同事…,
# 您反映客服…). The customer's own words (你是第一个说这个有问题的…) are NOT a report: in a rude
# reply the agent often echoes them, so treating every 你…说 as reported speech would hide it.
_THIRD = (r"(他们|他|她|对方|同事|客服|工作人员|人员|专员|业务员|师傅|快递员|快递小哥|配送员|骑手|"
          r"店员|商家|卖家|店家|厂家|柜员|医生|护士|窗口|有人|别人|前台|经理|客户|顾客|买家|用户|患者|网友)")
_VERB = r"(说|讲|表示|称|声称|回复|答复|回答|告诉|反映|提到|提出|说明|解释)"
_REPORT = re.compile(
    _THIRD + r"[^，,。！？!?；;]{0,14}?" + _VERB + r"(?!的|什么|啥|呢|吗|清|不|明白)"
    r"|(您|你)(刚才|之前|刚刚|上次)?(说|反映|提到|表示|讲|投诉|称|告诉我)(了|过)?[^。！？!?；;]{0,6}?" + _THIRD
)
_AGENT_BEFORE = re.compile(r"(我|我们)(刚才|刚刚|已经|都|早就|之前)?(跟|对|和|给|同|向)?$")
# A phrase mentioned rather than used: 我们绝不会说你不懂这种话 / 禁止说这是规定之类的话. The hit is
# followed by 这种话/之类的说法 and a verb of saying precedes it in the same sentence.
_MENTION_AFTER = re.compile(r"[”\"’']?(这种|这样的|这类|之类的|一类的|类似的|等)(话|说法|字眼|语言|用语|忌语)")
_SAY_BEFORE = re.compile(r"(说|讲|用|使用|讲出|说出)[^。！？!?；;]{0,20}$")

# A clause ends at a sentence end, a comma-like mark or a pause (whitespace in speech-to-text).
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,、：:…~～\s]")

CONTEXTS = ("quoted", "reported", "mitigated")


def in_quotes(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside one pair of quotation marks of ``text``."""
    before = text[:start]
    for opening, closing in _OPEN_CLOSE.items():
        at = before.rfind(opening)
        if at >= 0 and before.rfind(closing) < at:
            # the quote opened before the hit is still open at its start; it must close after
            # the hit (an unclosed quote is a typo, not a quotation: trust it only to the end)
            close = text.find(closing, start)
            if close < 0 or close >= end:
                return True
    for mark in _SYMMETRIC:
        if before.count(mark) % 2 == 1 and mark in text[end:]:
            return True
    return False


def in_reported_speech(text: str, start: int, end: int | None = None) -> bool:
    """Whether the hit ``text[start:end]`` follows, in the same sentence, a reporting verb whose
    speaker is a third party (or the customer reporting one), or is a phrase merely mentioned
    (说……这种话). ``end`` defaults to ``start`` (then only the report is checked)."""
    if end is None:
        end = start
    sentence_start = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = m.end()
    clause = text[sentence_start:start]
    if _SAY_BEFORE.search(clause) and _MENTION_AFTER.match(text, end):
        return True
    for m in _REPORT.finditer(clause):
        if _AGENT_BEFORE.search(clause, 0, m.start()):
            continue  # 我跟您说 / 我们对您讲: the agent is the speaker
        return True
    return False


def _around(text: str, start: int, end: int, ends: re.Pattern) -> tuple[int, int]:
    """The span of the clause (or sentence) of ``text`` holding ``[start, end)``."""
    lo = 0
    for m in ends.finditer(text, 0, start):
        lo = m.end()
    m = ends.search(text, end)
    return lo, (m.start() if m else len(text))


def is_mitigated(text: str, start: int, end: int, mitigators: Sequence[Mitigation],
                 on_boundaries: Callable[[str, int, int], bool] | None = None) -> bool:
    """Whether the clause (or sentence) around the hit ``text[start:end]`` holds one of
    ``mitigators``; ``on_boundaries(text, s, e)`` checks jieba word boundaries."""
    pieces: dict[bool, object] = {}
    for mitigation in mitigators:
        piece = pieces.get(mitigation.sentence)
        if piece is None:
            lo, hi = _around(text, start, end, _SENTENCE_END if mitigation.sentence else _CLAUSE_END)
            piece = pieces[mitigation.sentence] = (text[lo:hi], normalize(text[lo:hi]))
        original, norm = piece
        for m in mitigation.regex.finditer(norm.text):
            if m.end() <= m.start():
                continue
            if mitigation.boundary and on_boundaries is not None:
                o_start, o_end = norm.span(m.start(), m.end())
                if not on_boundaries(original, o_start, o_end):
                    continue
            return True
    return False


def in_context(text: str, start: int, end: int, contexts: tuple[str, ...],
               mitigators: Sequence[Mitigation] = (),
               on_boundaries: Callable[[str, int, int], bool] | None = None) -> bool:
    """Whether the hit ``text[start:end]`` (original offsets) is in any of ``contexts``
    (``mitigators`` and ``on_boundaries``: for the ``mitigated`` context)."""
    for context in contexts:
        if context == "mitigated" and mitigators and is_mitigated(text, start, end, mitigators, on_boundaries):
            return True
        if context == "quoted" and in_quotes(text, start, end):
            return True
        if context == "reported" and in_reported_speech(text, start, end):
            return True
    return False
