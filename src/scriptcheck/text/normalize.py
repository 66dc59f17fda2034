"""Normalisation of an utterance into a compact search string with an offset map.

Matching runs on the compact string; every position in it maps back to a span of the original
text, so findings always report original offsets. See ``docs/lexicon-format.md`` for the rules.
"""

from __future__ import annotations

import re
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


# Blocks where OpenCC's t2s changes characters: CJK radicals and symbols, Ext A, the unified
# block, compatibility ideographs, Ext B and beyond.
_CJK_BLOCKS = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
               (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """Characters t2s changes (~5,000; built in ~25 ms on first use). Text without any of them
    is already simplified, which spares most utterances the OpenCC call."""
    converter = _t2s()
    changed: set[str] = set()
    for low, high in _CJK_BLOCKS:
        block = "".join(chr(i) for i in range(low, high + 1))
        converted = converter.convert(block)
        if len(converted) == len(block):
            changed.update(a for a, b in zip(block, converted) if a != b)
    return frozenset(changed)


class _FoldTable(dict):
    """char → its search-string form, computed on first sight (a translate-style table)."""

    def __missing__(self, ch: str) -> str:
        out = []
        for c in unicodedata.normalize("NFKC", ch).lower():
            if unicodedata.category(c)[0] in _SKIPPED_CATEGORIES:
                continue
            out.append(_PRONOUN_FOLD.get(c, c))
        folded = "".join(out)
        self[ch] = folded
        return folded


_FOLD = _FoldTable()
_PRONOUN_TABLE = str.maketrans(_PRONOUN_FOLD)
_REPEAT = re.compile(r"(.)\1", re.DOTALL)


def fold_char(ch: str) -> str:
    """Return what one original character becomes in the search string ('' if skipped).

    NFKC, lower case and the pronoun fold; traditional → simplified happens on whole strings
    (OpenCC converts phrases better than characters) in :func:`normalize`.
    """
    return _FOLD[ch]


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
    fold = _FOLD
    parts = [fold[c] for c in text]
    joined = "".join(parts)
    if len(joined) == len(parts) - parts.count(""):
        # The common case: every character became zero or one search character.
        sources = [i for i, p in enumerate(parts) if p]
    else:
        sources = [i for i, p in enumerate(parts) for _ in p]
    if not joined.isascii() and not _traditional().isdisjoint(joined):
        converted = _t2s().convert(joined)
        if len(converted) != len(joined):
            converted = "".join(_to_simplified(list(joined)))
        joined = converted.translate(_PRONOUN_TABLE)
    if _REPEAT.search(joined) is None:
        return Normalized(text, joined, tuple(sources), tuple(i + 1 for i in sources))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for c, i in zip(joined, sources):
        if out and out[-1] == c:
            ends[-1] = i + 1
            continue
        out.append(c)
        starts.append(i)
        ends.append(i + 1)
    return Normalized(text, "".join(out), tuple(starts), tuple(ends))


@lru_cache(maxsize=65536)
def normalize_phrase(text: str) -> str:
    """The search-string form of a lexicon phrase (what :func:`normalize` makes of it)."""
    return normalize(text).text


def simplified_aligned(text: str) -> str:
    """``text`` in simplified characters where that keeps every offset (jieba's dictionary is
    simplified), otherwise ``text`` unchanged."""
    if text.isascii() or _traditional().isdisjoint(text):
        return text
    simplified = "".join(_to_simplified(list(text)))
    return simplified if len(simplified) == len(text) else text
