"""Consistency checks inside one reply: traditional vs simplified characters, and full-width vs
half-width punctuation. A reply mixing them reads as pasted together from two sources."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import opencc

from scriptcheck.lazy_regex import code_regex
from scriptcheck.text.normalize import t2s_converter, traditional_free

__all__ = ["Mix", "script_mix", "punctuation_mix"]


class Mix(NamedTuple):
    """A reply mixing two forms: where the first character of the minority form is, and counts."""

    start: int
    end: int
    minority: str
    majority: str
    minority_count: int
    majority_count: int


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    # t2s is the normaliser's own converter: each one costs a dictionary load at start-up.
    return t2s_converter() if config == "t2s" else opencc.OpenCC(config)


def _changed(text: str, config: str) -> set[int]:
    """Offsets OpenCC ``config`` changes. Whole-text conversion first (its phrase dictionary
    knows that 显著 stays 显著 although 著 alone becomes 着); character by character when the
    phrase conversion changes the length and offsets would no longer line up."""
    converter = _converter(config)
    converted = converter.convert(text)
    if len(converted) != len(text):
        converted = "".join(c if len(s := converter.convert(c)) != 1 else s for c in text)
    return {i for i, (a, b) in enumerate(zip(text, converted)) if a != b}


# Characters s2t may change that are nonetheless standard traditional characters: one simplified
# character stands for several traditional ones and is itself one of them (了/瞭, 里/裡, 台/臺,
# 布/佈, 吃/喫, 群/羣, 秘/祕, 干/乾/幹, 后/後, 面/麵, 只/隻 …). Which one a word takes depends on
# the word and on the region (Taiwan writes 台灣 and 了解), so in traditional text they are no
# sign of a simplified source, and a person would not change them.
_BOTH_SCRIPTS = frozenset(
    "了里布台吃群秘干后面只系松准几斗谷丑冲范周志征制才表向家借咸卷御郁余致云朴沈卜划吁采游凶回合"
    "折姜蒙辟杰夸栗刮喂占克伙筑舍并于托症岳胡困蜡核淀尸升曲注秋千冬出板欲愿仆挽涂恤"
)


def script_mix(text: str) -> Mix | None:
    """Traditional and simplified characters in one reply, or ``None``.

    A character counts as traditional when t2s changes it and as simplified when s2t changes
    it and traditional text never uses it (了, 里, 台 … are written in both scripts);
    characters both conversions change are ambiguous and ignored. The reported span is the
    first character of the rarer script (ties: the traditional one).
    """
    if text.isascii() or traditional_free(text):
        return None  # no character t2s changes: nothing traditional (the normaliser's test)
    traditional = _changed(text, "t2s")
    if not traditional:
        return None  # decided without the s2t dictionary (a load at every start)
    simplified = _changed(text, "s2t")
    both = traditional & simplified
    traditional -= both
    simplified = {i for i in simplified - both if text[i] not in _BOTH_SCRIPTS}
    if not traditional or not simplified:
        return None
    if len(traditional) <= len(simplified):
        first = min(traditional)
        return Mix(first, first + 1, "traditional", "simplified", len(traditional), len(simplified))
    first = min(simplified)
    return Mix(first, first + 1, "simplified", "traditional", len(simplified), len(traditional))


_FULL = frozenset("，。？！：；（）、“”‘’【】《》…—")
_HALF = frozenset(",.?!:;()")

# Stretches whose ASCII marks belong to them, not to the Chinese sentence around them: a person
# would not "fix" any of these to full width.
_NOT_PROSE = code_regex(
    r"""
      (?:https?://|www\.)[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+   # a URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                      # an e-mail address
    | (?<![A-Za-z0-9])[:;=xX][-'^]?[()DPp\]\[|/\\*]+(?![A-Za-z0-9])  # :) :-) ;( :D =) xD (not 时间:3点)
    | \^[_\-o.ω▽]?\^                                   # ^_^ ^^ ^o^
    | [oOヽ\\٩ฅ]?[(（][^()（）\u3400-\u9fff\n]{1,12}[)）][oOﾉノ/۶ฅ]?   # kaomoji (*^▽^*) (*￣︶￣) o(╥﹏╥)o (T_T)
    | (?:^|(?<=[\s，。；：！？、]))[(（]?(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.)）、](?!\d)  # list numbering: 1. 2) (3) 一. at a line or clause start
    | \.{2,}                                            # ... an ASCII ellipsis
    """,
    re.VERBOSE | re.MULTILINE,
)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch in _FULL


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest non-space character before (step -1) or after (step 1) ``index``."""
    index += step
    while 0 <= index < len(text) and text[index].isspace():
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _chinese_mark(text: str, i: int, c: str) -> bool:
    """Whether the half-width mark ``c`` at ``i`` punctuates Chinese text. A sentence end (.?!)
    or a closing bracket belongs to what precedes it (``How are you?今天…`` ends an English
    sentence); an opening bracket to what follows; a separator (,;:) joins two clauses, so
    either side being Chinese makes it Chinese punctuation (``Rasa,是一个…``)."""
    if c == "(":
        return _is_cjk(_neighbour(text, i, 1))
    if c in ".?!)":
        return _is_cjk(_neighbour(text, i, -1))
    return _is_cjk(_neighbour(text, i, -1)) or _is_cjk(_neighbour(text, i, 1))


def _kaomoji(inner: str) -> bool:
    """Whether the inside of a bracket pair is a face, not a parenthetical remark: no letters
    or digits at all, or a few with the eyes and mouths faces are drawn with (T_T, o^o)."""
    if not any(c.isalnum() for c in inner):
        return True
    return len(inner) <= 6 and any(c in "^_*~°ω▽﹏" for c in inner)


def _exempt(text: str) -> set[int]:
    """Offsets of ASCII marks that are part of a URL, an emoticon, a list number or an ellipsis."""
    out: set[int] = set()
    for m in _NOT_PROSE.finditer(text):
        body = m.group()
        if body[:1] in "oOヽ\\٩ฅ(（" and ("(" in body or "（" in body):
            inner = body[body.find("(") + 1 if "(" in body else body.find("（") + 1:]
            inner = inner[:max(inner.rfind(")"), inner.rfind("）"))]
            if not _kaomoji(inner):
                continue  # (详见附件) is a remark in half-width brackets: it counts
        out.update(range(m.start(), m.end()))
    return out


def punctuation_mix(text: str) -> Mix | None:
    """Full-width (，。？) and half-width (,.?) sentence punctuation in one reply, or ``None``.

    A half-width mark counts only where it punctuates Chinese text (see :func:`_chinese_mark`:
    a sentence end after Chinese, a separator beside it). Marks that belong to something else do not:
    3.5 and 10:30, list numbering (``1.查询`` ``2)``), emoticons and kaomoji (``:)`` ``^_^``
    ``(*^▽^*)``), URLs and e-mail addresses, an ASCII ellipsis (``...``), and English
    fragments or product codes (``Hello!``, ``iPhone(128G)``: their left neighbour is Latin).
    The reported span is the first mark of the rarer width (ties: the half-width one, since
    Chinese text takes full-width marks).
    """
    full = [i for i, c in enumerate(text) if c in _FULL]
    if not full:
        return None
    if not any(c in _HALF for c in text):
        return None
    exempt = _exempt(text)
    half = [i for i, c in enumerate(text) if c in _HALF and i not in exempt and _chinese_mark(text, i, c)]
    if not half:
        return None
    # The full-width side must be prose too: a kaomoji drawn with （ ） is no sentence mark.
    full = [i for i in full if i not in exempt]
    if not full:
        return None
    if len(half) <= len(full):
        return Mix(half[0], half[0] + 1, "half-width", "full-width", len(half), len(full))
    return Mix(full[0], full[0] + 1, "full-width", "half-width", len(full), len(half))
