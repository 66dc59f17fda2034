"""Normalisation of an utterance into a compact search string with an offset map.

Matching runs on the compact string; every position in it maps back to a span of the original
text, so findings always report original offsets. See ``docs/lexicon-format.md`` for the rules.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

__all__ = ["Normalized", "normalize", "fold_char", "is_skipped", "normalize_phrase", "simplified_aligned"]

# Characters inserted to break up a phrase: separators, punctuation, symbols (emoji), controls,
# zero-width/format characters, combining marks. They never carry the words we look for.
_SKIPPED_CATEGORIES = frozenset("ZPSCM")

# Honorific and gendered forms of "you" all count as 你 for phrase matching; the honorific rule
# looks at the original text, not at this string.
_PRONOUN_FOLD = {"您": "你", "妳": "你", "祢": "你"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_FOLD_CACHE: dict[str, str] = {}


def fold_char(ch: str) -> str:
    """Return what one original character becomes in the search string ('' if skipped).

    NFKC, lower case and the pronoun fold; traditional → simplified happens on whole strings
    (OpenCC converts phrases better than characters) in :func:`normalize`.
    """
    try:
        return _FOLD_CACHE[ch]
    except KeyError:
        pass
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        if unicodedata.category(c)[0] in _SKIPPED_CATEGORIES:
            continue
        out.append(_PRONOUN_FOLD.get(c, c))
    folded = "".join(out)
    _FOLD_CACHE[ch] = folded
    return folded


def is_skipped(ch: str) -> bool:
    """True when ``ch`` vanishes from the search string (space, punctuation, emoji …)."""
    return fold_char(ch) == ""


@dataclass(frozen=True, slots=True)
class Normalized:
    """A compact search string and, per search character, the original span it came from.

    ``starts[i]``/``ends[i]`` bound the original characters that produced ``text[i]`` (a run of
    repeated characters collapses into one search character covering the whole run).
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """Map the search-string slice ``[begin, end)`` (non-empty) to an original span."""
        return self.starts[begin], self.ends[end - 1]


def _to_simplified(chars: list[str]) -> list[str]:
    """Convert folded characters to simplified, keeping a 1:1 alignment."""
    joined = "".join(chars)
    if joined.isascii():
        return chars
    converted = _t2s().convert(joined)
    if len(converted) == len(joined):
        return list(converted)
    # A phrase conversion changed the length: fall back to character by character.
    out = []
    for c in chars:
        s = _t2s().convert(c)
        out.append(s if len(s) == 1 else c)
    return out


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching: NFKC, t2s, lower case, 您→你, skip evasions, collapse runs."""
    chars: list[str] = []
    sources: list[int] = []
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        for c in folded:
            chars.append(c)
            sources.append(i)
    chars = _to_simplified(chars)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for c, i in zip(chars, sources):
        c = _PRONOUN_FOLD.get(c, c)
        if out and out[-1] == c:
            ends[-1] = i + 1
            continue
        out.append(c)
        starts.append(i)
        ends.append(i + 1)
    return Normalized(text, "".join(out), tuple(starts), tuple(ends))


def normalize_phrase(text: str) -> str:
    """The search-string form of a lexicon phrase (what :func:`normalize` makes of it)."""
    return normalize(text).text


def simplified_aligned(text: str) -> str:
    """``text`` in simplified characters where that keeps every offset (jieba's dictionary is
    simplified), otherwise ``text`` unchanged."""
    simplified = "".join(_to_simplified(list(text)))
    return simplified if len(simplified) == len(text) else text
