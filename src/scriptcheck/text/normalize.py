"""Normalisation of an utterance into a compact search string with an offset map.

Matching runs on the compact string; every position in it maps back to a span of the original
text, so findings always report original offsets. See ``docs/lexicon-format.md`` for the rules.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from itertools import chain, compress, count, repeat
from operator import ne
from pathlib import Path
from typing import Sequence

import opencc

from scriptcheck.cachedir import cache_dir, dist_version

__all__ = ["Normalized", "normalize", "normalize_many", "fold_char", "is_skipped", "normalize_phrase",
           "simplified_aligned", "t2s_converter", "traditional_free", "SEARCH_SEPARATOR"]

# Characters inserted to break up a phrase: separators, punctuation, symbols (emoji), controls,
# zero-width/format characters, combining marks. They never carry the words we look for.
_SKIPPED_CATEGORIES = frozenset("ZPSCM")

# Hesitations of speech-to-text output (「请您稍嗯等」, 「你怎么呃连这都不懂」): skipped like
# punctuation, so that a filler never breaks a phrase (issue 16; text/speech.py has the rest).
# Only characters that are never part of a word: not 额 (金额, 额度) nor 唔 (Cantonese 唔该).
_HESITATIONS = frozenset("嗯呃")

# Honorific and gendered forms of "you" all count as 你 for phrase matching; the honorific rule
# looks at the original text, not at this string.
_PRONOUN_FOLD = {"您": "你", "妳": "你", "祢": "你"}

# Traditional spellings that OpenCC's t2s leaves alone because the character is also simplified:
# Taiwan's 著 for 着 (寫著, 等著, 別著急) and 甚 for 什 (甚麼, 為甚麼, 搞甚麼). Every pattern is
# written with 着 and 什么, so without this 上面不是寫著了嗎 or 你在幹甚麼 never met theirs. Folding
# the character everywhere also turns 著名 and 甚至 into 着名 and 什至, which no lexicon looks for.
_VARIANT_FOLD = {"著": "着", "甚": "什"}
_CHAR_FOLD = {**_PRONOUN_FOLD, **_VARIANT_FOLD}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def t2s_converter() -> opencc.OpenCC:
    """The process's one OpenCC traditional→simplified converter."""
    return _t2s()


# Blocks where OpenCC's t2s changes characters: CJK radicals and symbols, Ext A, the unified
# block, compatibility ideographs, Ext B and beyond.
_CJK_BLOCKS = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
               (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """Characters t2s changes (a few thousand; built once, on first use). Text without any of them
    is already simplified, which spares most utterances the OpenCC call."""
    remembered = _remembered_traditional()
    if remembered is not None:
        return remembered
    converter = _t2s()
    changed: set[str] = set()
    for low, high in _CJK_BLOCKS:
        block = "".join(chr(i) for i in range(low, high + 1))
        converted = converter.convert(block)
        if len(converted) == len(block):
            changed.update(a for a, b in zip(block, converted) if a != b)
    _remember_traditional(changed)
    return frozenset(changed)


def traditional_free(text: str) -> bool:
    """Whether no character of ``text`` is one OpenCC's t2s changes (then the text is already
    simplified and converting it is skipped; the set is cached across runs)."""
    return text.isascii() or _traditional().isdisjoint(text)


def _traditional_cache() -> Path | None:
    """Where the set is kept between runs: it depends only on the OpenCC version."""
    directory = cache_dir()
    if directory is None:
        return None
    version = dist_version("opencc")
    if version is None:
        return None
    return directory / f"opencc-t2s-changed-{version}.txt"


def _remembered_traditional() -> frozenset[str] | None:
    path = _traditional_cache()
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return frozenset(text) if text else None


def _remember_traditional(changed: set[str]) -> None:
    path = _traditional_cache()
    if path is None:
        return
    try:  # a name of its own, then an atomic rename: two first runs may write at once
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(sorted(changed)), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


class _FoldTable(dict):
    """ord(char) → its search-string form, computed on first sight: a ``str.translate`` table,
    so folding a whole utterance runs in C once every character has been seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = []
        for c in unicodedata.normalize("NFKC", ch).lower():
            if unicodedata.category(c)[0] in _SKIPPED_CATEGORIES or c in _HESITATIONS:
                continue
            out.append(_CHAR_FOLD.get(c, c))
        folded = "".join(out)
        self[code] = folded
        return folded


_FOLD = _FoldTable()


class _MarkedTable(dict):
    r"""Like ``_FOLD`` but a skipped character becomes ``"\x00"`` instead of vanishing, so the
    folded string still lines up with the original (and "\x00" is itself skipped)."""

    def __missing__(self, code: int) -> str:
        folded = _FOLD[code] or "\x00"
        self[code] = folded
        return folded


_MARKED = _MarkedTable()

# normalize_many joins its texts with _TURN_SEPARATOR; in the joined search string each one
# becomes SEARCH_SEPARATOR, which no folded character can produce (controls are skipped), so
# turn boundaries survive the fold and no lexicon literal can match across them. A newline,
# so that patterns compiled MULTILINE keep ^ and $ at each text's own start and end.
_TURN_SEPARATOR = "\x1e"
SEARCH_SEPARATOR = "\n"


class _JoinedTable(dict):
    """``_MARKED`` except that the turn separator becomes the search separator."""

    def __missing__(self, code: int) -> str:
        folded = SEARCH_SEPARATOR if code == ord(_TURN_SEPARATOR) else _MARKED[code]
        self[code] = folded
        return folded


_JOINED = _JoinedTable()
_CHAR_FOLD_TABLE = str.maketrans(_CHAR_FOLD)
_REPEAT = re.compile(r"(.)\1", re.DOTALL)
# Collapsing deletes the repeats after a run's first character: an empty replacement is
# cheaper for re than the template of (.)\1+ → \1.
_COLLAPSE = re.compile(r"(?<=(.))\1+", re.DOTALL)
# The same over several joined texts: a run never spans two texts (two empty texts in a row
# leave two separators side by side, which must both stay).
_REPEAT_JOINED = re.compile(r"([^\n])\1")
_COLLAPSE_JOINED = re.compile(r"(?<=([^\n]))\1+")


def fold_char(ch: str) -> str:
    """Return what one original character becomes in the search string ('' if skipped).

    NFKC, lower case, the pronoun fold and the variant fold (著→着, 甚→什); traditional →
    simplified happens on whole strings (OpenCC converts phrases better than characters) in
    :func:`normalize`.
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

    __slots__ = ("original", "text", "_joined", "_marked", "_starts", "_lasts", "_same_until")

    def __init__(self, original: str, text: str, joined: str | None = None, marked: str | None = None) -> None:
        self.original = original
        self.text = text
        self._joined = text if joined is None else joined
        # The original folded one for one, skipped characters as "\x00" (None: recompute).
        self._marked = marked
        # Original index of the first and of the last source character of each search
        # character (the same list unless runs were collapsed).
        self._starts: list[int] | None = None
        self._lasts: list[int] | None = None
        # Search offsets below this are original offsets too (nothing skipped, expanded or
        # collapsed before it); None until first asked.
        self._same_until: int | None = None

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
        return tuple(self._starts)  # type: ignore[arg-type]

    @property
    def ends(self) -> tuple[int, ...]:
        """Original end offset of each search character."""
        if self._lasts is None:
            self._build_offsets()
        return tuple(i + 1 for i in self._lasts)  # type: ignore[union-attr]

    def _build_offsets(self) -> None:
        # All in C (encode, compress): this runs for every utterance with a hit.
        joined = self._joined
        original = self.original
        marked = self._marked if self._marked is not None else original.translate(_MARKED)
        if len(marked) == len(original):
            if len(joined) == len(original):
                sources: list[int] = list(range(len(original)))
            else:  # the positions of the characters that are not "\x00"
                sources = list(compress(count(), memoryview(marked.encode("utf-32-le")).cast("I")))
        else:  # some character folded into several (NFKC: ㈱ → (株)): one source per output char
            fold = _FOLD
            sources = [i for i, c in enumerate(original) for _ in fold[ord(c)]]
        if len(joined) == len(self.text):
            self._starts = self._lasts = sources
            return
        # A run of one repeated character is one search character: it starts where the run's
        # first source is and ends after its last.
        self._starts = list(compress(sources, chain((True,), map(ne, joined[1:], joined))))
        self._lasts = list(compress(sources, chain(map(ne, joined, joined[1:]), (True,))))

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """Map the search-string slice ``[begin, end)`` (non-empty) to an original span."""
        if self._starts is None:
            # Many hits (greetings, offers of help) end before the utterance's first
            # punctuation, where no offset map is needed at all.
            same = self._same_until
            if same is None:
                same = self._same_until = self._identical_prefix()
            if end <= same:
                return begin, end
            marked = self._marked
            if (_native is not None and marked is not None and len(marked) == len(self.original)
                    and len(marked) <= _NATIVE_SPAN_LIMIT):
                # No offset map needed. The walk starts at the text's beginning each time, so
                # it is for turn-sized texts only: a huge one with a hit every few characters
                # would go quadratic (bench_long_input.py), where the map is linear.
                return _native.span(marked, self._joined, begin, end)
            self._build_offsets()
        return self._starts[begin], self._lasts[end - 1] + 1  # type: ignore[index]

    def _identical_prefix(self) -> int:
        marked = self._marked
        if marked is None or len(marked) != len(self.original) or self._joined is not self.text:
            return 0  # unknown, a character expanded (NFKC), or runs collapsed: use the map
        first_skipped = marked.find("\x00")
        return len(marked) if first_skipped < 0 else first_skipped


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
    """Normalise ``text`` for matching: NFKC, t2s, lower case, 您→你, 著→着 and 甚→什, skip
    evasions, collapse runs."""
    if _native is not None and _TURN_SEPARATOR not in text:
        folded = _native_fold(text)
        if folded is not None:
            marked, joined, collapsed = folded[0]
            return Normalized(text, collapsed, joined, marked)
    return _normalize_python(text)


def _normalize_python(text: str) -> Normalized:
    """:func:`normalize` in Python (the reference; see ``_native.pyx``)."""
    marked = text.translate(_MARKED)
    joined = marked.replace("\x00", "") if "\x00" in marked else marked
    if not joined.isascii() and not _traditional().isdisjoint(joined):
        converted = _t2s().convert(joined)
        if len(converted) != len(joined):
            converted = "".join(_to_simplified(list(joined)))
        joined = converted.translate(_CHAR_FOLD_TABLE)
    if _REPEAT.search(joined) is None:
        return Normalized(text, joined, None, marked)
    return Normalized(text, _COLLAPSE.sub("", joined), joined, marked)


def normalize_many(texts: Sequence[str]) -> list[Normalized]:
    """``[normalize(t) for t in texts]``, with the work done once over all of them.

    A transcript's turns are folded, tested for traditional characters and collapsed in one C
    call each instead of one per turn; the results are exactly those of :func:`normalize`.
    """
    if len(texts) < 2:
        return [normalize(t) for t in texts]
    original = _TURN_SEPARATOR.join(texts)
    if _native is not None:
        folded = _native_fold(original)
        if folded is not None:
            # The fold splits at every separator: one text more than given means a text holds
            # the separator itself (then each is normalised alone). Asked of the fold's result
            # rather than by counting separators first, which walked the whole transcript again.
            if len(folded) != len(texts):
                return [normalize(t) for t in texts]
            return [Normalized(t, c, j, m) for t, (m, j, c) in zip(texts, folded)]
    if original.count(_TURN_SEPARATOR) != len(texts) - 1:  # a text holds the separator
        return [normalize(t) for t in texts]
    marked_all = original.translate(_JOINED)
    joined_all = marked_all.replace("\x00", "") if "\x00" in marked_all else marked_all
    if not joined_all.isascii() and not _traditional().isdisjoint(joined_all):
        # t2s converts phrases, and a change of length falls back text by text: leave texts
        # with traditional characters to normalize, as before.
        return [normalize(t) for t in texts]
    markeds = marked_all.split(SEARCH_SEPARATOR)
    if _REPEAT_JOINED.search(joined_all) is None:
        return list(map(Normalized, texts, joined_all.split(SEARCH_SEPARATOR), repeat(None), markeds))
    collapsed = _COLLAPSE_JOINED.sub("", joined_all).split(SEARCH_SEPARATOR)
    return [Normalized(t, c, None if len(c) == len(j) else j, m)
            for t, c, j, m in zip(texts, collapsed, joined_all.split(SEARCH_SEPARATOR), markeds)]


try:  # the compiled fold (setup.py builds it when it can); results are the same without it
    from scriptcheck.text import _native
except ImportError:
    _native = None


_native_configured = False
# Texts up to this long map a span back by walking them in C; longer ones build the offset map.
_NATIVE_SPAN_LIMIT = 1024


def _native_fold(original: str):
    """``_native.fold_turns`` of ``original``, or ``None`` when the Python path must decide."""
    global _native_configured
    if not _native_configured:
        _native.configure(_JOINED, _traditional())
        _native_configured = True
    return _native.fold_turns(original, _TURN_SEPARATOR)


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
