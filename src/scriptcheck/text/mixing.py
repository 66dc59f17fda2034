"""Consistency checks inside one reply: traditional vs simplified characters, and full-width vs
half-width punctuation. A reply mixing them reads as pasted together from two sources."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import opencc

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
    return opencc.OpenCC(config)


def _changed(text: str, config: str) -> set[int]:
    """Offsets OpenCC ``config`` changes. Whole-text conversion first (its phrase dictionary
    knows that 显著 stays 显著 although 著 alone becomes 着); character by character when the
    phrase conversion changes the length and offsets would no longer line up."""
    converter = _converter(config)
    converted = converter.convert(text)
    if len(converted) != len(text):
        converted = "".join(c if len(s := converter.convert(c)) != 1 else s for c in text)
    return {i for i, (a, b) in enumerate(zip(text, converted)) if a != b}


def script_mix(text: str) -> Mix | None:
    """Traditional and simplified characters in one reply, or ``None``.

    A character counts as traditional when t2s changes it and as simplified when s2t changes
    it; characters both conversions change are ambiguous and ignored. The reported span is the
    first character of the rarer script (ties: the traditional one).
    """
    if text.isascii():
        return None
    traditional = _changed(text, "t2s")
    simplified = _changed(text, "s2t")
    both = traditional & simplified
    traditional -= both
    simplified -= both
    if not traditional or not simplified:
        return None
    if len(traditional) <= len(simplified):
        first = min(traditional)
        return Mix(first, first + 1, "traditional", "simplified", len(traditional), len(simplified))
    first = min(simplified)
    return Mix(first, first + 1, "simplified", "traditional", len(simplified), len(traditional))


_FULL = frozenset("，。？！：；（）、“”‘’【】《》…—")
_HALF = frozenset(",.?!:;()")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch in _FULL


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest non-space character before (step -1) or after (step 1) ``index``."""
    index += step
    while 0 <= index < len(text) and text[index].isspace():
        index += step
    return text[index] if 0 <= index < len(text) else ""


def punctuation_mix(text: str) -> Mix | None:
    """Full-width (，。？) and half-width (,.?) sentence punctuation in one reply, or ``None``.

    Half-width punctuation counts only next to Chinese text: 3.5, 10:30, a URL or an English
    product name keep their ASCII punctuation legitimately. The reported span is the first mark
    of the rarer width (ties: the half-width one, since Chinese text takes full-width marks).
    """
    full = [i for i, c in enumerate(text) if c in _FULL]
    if not full:
        return None
    half = [i for i, c in enumerate(text) if c in _HALF
            and (_is_cjk(_neighbour(text, i, -1)) or _is_cjk(_neighbour(text, i, 1)))]
    if not half:
        return None
    if len(half) <= len(full):
        return Mix(half[0], half[0] + 1, "half-width", "full-width", len(half), len(full))
    return Mix(full[0], full[0] + 1, "full-width", "half-width", len(full), len(half))
