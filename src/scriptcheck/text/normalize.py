"""Normalisation of an utterance into a compact search string with an offset map.

Matching runs on the compact string; every position in it maps back to a span of the original
text, so findings always report original offsets. See ``docs/lexicon-format.md`` for the rules.
"""

from __future__ import annotations

import re
import unicodedata
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
    """ord(char) → its search-string form, computed on first sight: a ``str.translate`` table,
    so folding a whole utterance runs in C once every character has been seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = []
        for c in unicodedata.normalize("NFKC", ch).lower():
            if unicodedata.category(c)[0] in _SKIPPED_CATEGORIES:
                continue
            out.append(_PRONOUN_FOLD.get(c, c))
        folded = "".join(out)
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_PRONOUN_TABLE = str.maketrans(_PRONOUN_FOLD)
_REPEAT = re.compile(r"(.)\1", re.DOTALL)
_COLLAPSE = re.compile(r"(.)\1+", re.DOTALL)


def fold_char(ch: str) -> str:
    """Return what one original character becomes in the search string ('' if skipped).

    NFKC, lower case and the pronoun fold; traditional → simplified happens on whole strings
    (OpenCC converts phrases better than characters) in :func:`normalize`.
    """
    return _FOLD[ord(ch)]


def is_skipped(ch: str) -> bool:
    """True when ``ch`` vanishes from the search string (space, punctuation, emoji …)."""
    return fold_char(ch) == ""


class Normalized:
    """A compact search string and, per search character, the original span it came from.

    ``starts[i]``/``ends[i]`` bound the original characters that produced ``text[i]`` (a run of
    repeated characters collapses into one search character covering the whole run). The
    offset map is built on first use: most utterances have no hit and never need it.
    """

    __slots__ = ("original", "text", "_joined", "_starts", "_ends")

    def __init__(self, original: str, text: str, joined: str | None = None,
                 starts: tuple[int, ...] | None = None, ends: tuple[int, ...] | None = None) -> None:
        self.original = original
        self.text = text
        self._joined = text if joined is None else joined
        self._starts = starts
        self._ends = ends

    def __repr__(self) -> str:
        return f"Normalized(original={self.original!r}, text={self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Normalized) and (self.original, self.text) == (other.original, other.text)

    def __hash__(self) -> int:
        return hash((self.original, self.text))

    @property
    def starts(self) -> tuple[int, ...]:
        """Original start offset of each search character."""
        if self._starts is None:
            self._build_offsets()
        return self._starts  # type: ignore[return-value]

    @property
    def ends(self) -> tuple[int, ...]:
        """Original end offset of each search character."""
        if self._ends is None:
            self._build_offsets()
        return self._ends  # type: ignore[return-value]

    def _build_offsets(self) -> None:
        fold = _FOLD
        joined = self._joined
        sources = [i for i, c in enumerate(self.original) if fold[ord(c)]]
        if len(sources) != len(joined):  # some character folded into several (NFKC: ㈱ → (株))
            sources = [i for i, c in enumerate(self.original) for _ in fold[ord(c)]]
        if len(joined) == len(self.text):
            self._starts = tuple(sources)
            self._ends = tuple(map((1).__add__, sources))
            return
        starts: list[int] = []
        ends: list[int] = []
        previous = None
        for c, i in zip(joined, sources):
            if c == previous:
                ends[-1] = i + 1
                continue
            previous = c
            starts.append(i)
            ends.append(i + 1)
        self._starts, self._ends = tuple(starts), tuple(ends)

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
    joined = text.translate(_FOLD)
    if not joined.isascii() and not _traditional().isdisjoint(joined):
        converted = _t2s().convert(joined)
        if len(converted) != len(joined):
            converted = "".join(_to_simplified(list(joined)))
        joined = converted.translate(_PRONOUN_TABLE)
    if _REPEAT.search(joined) is None:
        return Normalized(text, joined)
    return Normalized(text, _COLLAPSE.sub(r"\1", joined), joined)


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
