"""Word segmentation with a private jieba tokenizer (or rjieba, mended to the same tokens), loaded only when words are needed."""

from __future__ import annotations

import json
import os
import re
import threading
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from scriptcheck.cachedir import cache_dir, dist_version
from scriptcheck.errors import ConfigError
from scriptcheck.lazy_regex import code_regex
from scriptcheck.text.jieba_dict import load_tokenizer
from scriptcheck.text.rust_segmenter import RustTokenizer, rjieba_available

__all__ = ["Token", "Segmenter", "segment", "words", "default_backend", "BACKENDS", "UnknownBackend"]



class Token(NamedTuple):
    """One jieba token with its character offsets in the segmented text."""

    text: str
    start: int
    end: int


BACKENDS = ("jieba", "rjieba")
_ENV = "SCRIPTCHECK_SEGMENTER"


class UnknownBackend(ConfigError, ValueError):
    """A segmenter backend that is not one of :data:`BACKENDS` (a ``ValueError`` too, as it
    was before it joined the project's errors)."""


# jieba's own block splitter (``jieba.re_han_default``): it segments each such run separately.
_BLOCK = code_regex("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")
_MEMO_LIMIT = 20_000
_LONG_BLOCK = 256  # longer jieba blocks are segmented piecewise (see tokens_near)
# words() cuts a longer text in pieces this long: jieba's HMM is quadratic in a run of characters
# it has no word for, and the turn stage asks for the words of a whole sentence, which an attacker's
# turn (or its punctuation, gone in normalised text) can make 100,000 characters of one block.
# No real sentence is this long, and a piece boundary changes at most the word it cuts.
_WORDS_PIECE = 2048
_WINDOW = 24
# Three or more Han characters, each a block of its own, glued by one to three non-word
# characters (今 后 请 勿 再 到, 你*真*笨, 财·源·滚·滚): a disguise, not words. jieba would
# see every character as a word there, so a softener inside a disguised phrase (the 请 of
# 请勿) and a short word inside a longer one (the 滚 of 滚滚) would pass a boundary check that
# the plain text fails.
_GLUED = code_regex(r"(?<![\u3400-\u9fff])[\u3400-\u9fff](?:[^\u3400-\u9fff\w\n]{1,3}[\u3400-\u9fff]){2,}"
                   r"(?![\u3400-\u9fff])")
_GLUE = code_regex(r"[^\u3400-\u9fff]+")
# A clause or sentence mark: inside a glued run, a glue that holds one and is not the run's
# usual glue is the writer's own punctuation (你 家 小 明 有 点 笨 ， 教 了), kept as such.
_PAUSE = code_regex(r"[，,、；;：:。！？!?]")


_JIEBA_LOCK = threading.Lock()
_jieba: object = None
_rust: RustTokenizer | None = None


def _jieba_tokenizer():
    """scriptcheck's own jieba tokenizer (never jieba's global one), made once per process and
    shared by every segmenter: the lexicons' spec runs and the checker built after them would
    otherwise load the dictionary twice. Its dictionary is loaded by first character, for the
    characters of the texts segmented (``text/jieba_dict.py``): a batch that asks about a few
    words never pays for the whole dictionary."""
    global _jieba
    with _JIEBA_LOCK:
        if _jieba is None:
            _jieba = load_tokenizer()
        return _jieba


def _rust_tokenizer() -> RustTokenizer:
    """The process's rjieba tokenizer, which hands jieba the rare texts it cuts differently."""
    global _rust
    with _JIEBA_LOCK:
        if _rust is None:
            _rust = RustTokenizer(_jieba_tokenizer)
        return _rust


def default_backend() -> str:
    """``$SCRIPTCHECK_SEGMENTER`` if set, else jieba. rjieba gives the same tokens
    (``text/rust_segmenter.py``) but is not faster here: jieba's dictionary is read by first
    character from the cache (~30 ms warm), rjieba builds its whole dictionary on import
    (~140 ms), and the scoring spends too little in segmentation for rjieba's speed to show
    (benchmarks/RESULTS.md, session of 2026-12-03 23:30 UTC).

    Raises :class:`UnknownBackend`, naming the variable, when it names no backend."""
    backend = os.environ.get(_ENV) or "jieba"
    if backend not in BACKENDS:
        raise UnknownBackend(f"{_ENV}={backend!r}: unknown segmenter backend (choose from {', '.join(BACKENDS)})")
    return backend


@lru_cache(maxsize=16)
def _blocks(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of ``text``'s jieba blocks, found once per text: a long text with
    thousands of hits asks about its blocks once per hit."""
    starts: list[int] = []
    ends: list[int] = []
    for match in _BLOCK.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


@lru_cache(maxsize=16)
def _unglued(text: str) -> tuple[str, list[int]] | None:
    """``text`` with the glue between glued characters (``_GLUED``) taken out, and the sorted
    offsets of the characters taken out; None when nothing is glued (almost every text). A glue
    that holds a clause or sentence mark and is not the run's usual glue stays: the writer's
    own comma between two glued halves (``_PAUSE``)."""
    if _GLUED.search(text) is None:
        return None
    removed: list[int] = []
    for run in _GLUED.finditer(text):
        glues = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _GLUE.finditer(run.group())]
        usual = Counter(glue for _, _, glue in glues).most_common(1)[0][0]
        for start, end, glue in glues:
            if glue == usual or _PAUSE.search(glue) is None:
                removed.extend(range(start, end))
    keep = set(removed)
    return "".join(c for i, c in enumerate(text) if i not in keep), removed


def _ends_in_erhua(word: str) -> bool:
    """Whether a jieba word of three or more characters ends in the erhua 儿 (缺心眼儿, 没门儿):
    northern speech adds it to words the lexicons list, so the word also ends before it. Not a
    two-character word (女儿, 婴儿), whose 儿 is its own."""
    return len(word) > 2 and word[-1] == "儿"


def _pieces_near(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """The spans of ``text`` that :meth:`Segmenter.tokens_near` segments for ``positions``:
    each block holding one of them, or, in a block longer than _LONG_BLOCK, pieces of the
    windows around them. Disjoint and in order."""
    out: list[tuple[int, int]] = []
    wanted = sorted(set(positions))
    starts, ends = _blocks(text)
    seen = -1
    for p in wanted:
        # the block holding p: the last one starting at or before it, if it reaches past p
        i = bisect_left(starts, p + 1) - 1
        if i <= seen or i < 0 or ends[i] <= p:
            continue
        seen = i
        start, end = starts[i], ends[i]
        first = bisect_left(wanted, start)
        if end - start <= _LONG_BLOCK:
            out.append((start, end))
            continue
        # jieba's HMM is quadratic in a block's length; a block this long is no real
        # utterance, so segment a window around each position instead (tokens near the
        # position, the only ones asked for, come out the same; far edges may not).
        inside = wanted[first:bisect_left(wanted, end)]
        windows: list[list[int]] = []
        for q in inside:
            lo, hi = max(start, q - _WINDOW), min(end, q + _WINDOW + 1)
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        for lo, hi in windows:
            while lo < hi:  # a merged window may itself be long: cut it in pieces
                piece_end = min(hi, lo + _LONG_BLOCK)
                out.append((lo, piece_end))
                lo = piece_end
    return out


# What on_boundaries remembers of the texts it was asked about: the last few texts (the matcher
# asks about one text's hits in a row; a mitigator's clause, a text of its own, comes between),
# per text what the pieces segmented say (a hostile text repeats a few) and the answers given
# (entries of the same words ask again). Bounded, so a text of random characters costs memory in
# proportion to these numbers, not to its hits.
_TEXTS_KEPT = 16
_PIECES_KEPT = 1024
_ANSWERS_KEPT = 1 << 14


class _TextMemo:
    """One text's segmented pieces (piece → a byte per character, 1 where it lies strictly
    inside one of the piece's tokens) and boundary answers ((start, end) → bool)."""

    __slots__ = ("pieces", "answers")

    def __init__(self) -> None:
        self.pieces: dict[str, bytes] = {}
        self.answers: dict[tuple[int, int], bool] = {}


class Segmenter:
    """Segments with scriptcheck's own jieba tokenizer (never the global one), loaded on first
    use and shared within the process.

    The tokenizer is slow to load (benchmarks/bench_startup.py), so a checker that never needs
    word boundaries never pays for it. Pickling drops the tokenizer; the copy takes the process's one when it first
    segments.

    ``backend="rjieba"`` (or ``SCRIPTCHECK_SEGMENTER=rjieba``) uses the Rust port of jieba with
    jieba's dictionary, mended to jieba's tokens (``text/rust_segmenter.py``;
    benchmarks/compare_segmenters.py compares the two on every corpus): the same reports, a
    faster cold start (no dictionary cache to build), a slower warm one (see default_backend).
    """

    def __init__(self, backend: str | None = None) -> None:
        self.backend = backend or default_backend()
        if self.backend not in BACKENDS:
            raise UnknownBackend(f"unknown segmenter backend {self.backend!r} (choose from {', '.join(BACKENDS)})")
        self._tokenizer = None
        self._lock = threading.Lock()
        self._memo: dict[str, list[Token]] | None = None
        self._memo_path = None
        self._memo_dirty = False
        # text → what on_boundaries worked out about it, for the last _TEXTS_KEPT texts; per
        # segmenter, as its tokens depend on the backend (lru_cache is safe across threads)
        self._text_memo = lru_cache(maxsize=_TEXTS_KEPT)(lambda text: _TextMemo())

    def _get(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    if self.backend == "rjieba":
                        if not rjieba_available():
                            raise ImportError('the rjieba backend needs rjieba: pip install "scriptcheck[rjieba]"')
                        self._tokenizer = _rust_tokenizer()
                    else:
                        self._tokenizer = _jieba_tokenizer()
        return self._tokenizer

    def tokens(self, text: str) -> list[Token]:
        """Segment ``text`` (HMM on, as jieba's default) into tokens with offsets."""
        if not text:
            return []
        memo = self._memo
        if memo is not None:
            cached = memo.get(text)
            if cached is not None:
                return cached
        tokens = [Token(w, s, e) for w, s, e in self._get().tokenize(text)]
        if memo is not None and len(memo) < _MEMO_LIMIT:
            memo[text] = tokens
            self._memo_dirty = True
        return tokens

    def tokens_near(self, text: str, positions: list[int]) -> list[Token]:
        """The tokens of the blocks of ``text`` that contain ``positions``, offsets in ``text``.

        jieba cuts every run of Han characters and ASCII word characters (its ``re_han``
        blocks) on its own, so segmenting just the blocks around the positions gives exactly
        the tokens a whole-text segmentation gives there, for a fraction of the work.
        """
        out: list[Token] = []
        for lo, hi in _pieces_near(text, positions):
            out.extend(Token(w, s + lo, e + lo) for w, s, e in self.tokens(text[lo:hi]))
        return out

    def on_boundaries(self, text: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` starts and ends between jieba tokens of ``text`` (only the
        blocks around the two ends are segmented, as :meth:`tokens_near` does). Glued
        characters (今 后 请 勿) are judged as the plain text they spell: a disguise must not
        change what is a word. A word of three or more characters that ends in the erhua 儿
        (缺心眼儿, 没门儿) also ends before it: northern speech adds 儿 to the words lexicons list.

        Answers, and what each segmented piece says, are remembered per text (the last few
        texts asked about): a hostile turn of 30,000 hits of one taboo segmented a window
        around every hit and built its tokens (0.85 ms a finding)."""
        memo = self._text_memo(text)
        key = (start, end)
        answer = memo.answers.get(key)
        if answer is None:
            answer = self._on_boundaries(text, start, end, memo.pieces)
            if len(memo.answers) < _ANSWERS_KEPT:
                memo.answers[key] = answer
        return answer

    def _on_boundaries(self, text: str, start: int, end: int, pieces: dict[str, bytes]) -> bool:
        glued = _unglued(text)
        if glued is not None:
            text, removed = glued
            start -= bisect_left(removed, start)
            end -= bisect_left(removed, end)
        positions = [p for p in (start, end - 1, end) if 0 <= p < len(text)]
        # start (or end) lies strictly inside a token of :meth:`tokens_near` exactly when it is,
        # relative to the piece that token came from, one of that piece's inside offsets (a
        # byte per character, 1 inside a token: a few hundred bytes a piece, where a set of
        # offsets took kilobytes).
        for lo, hi in _pieces_near(text, positions):
            piece = text[lo:hi]
            inside = pieces.get(piece)
            if inside is None:
                marked = bytearray(len(piece))
                for word, s, e in self.tokens(piece):
                    marked[s + 1:e] = b"\x01" * (e - s - 1)
                    if _ends_in_erhua(word):
                        marked[e - 1] = 0
                inside = bytes(marked)
                if len(pieces) < _PIECES_KEPT:
                    pieces[piece] = inside
            # offsets 0 and len(piece) are never inside a token of the piece
            if 0 < start - lo < hi - lo and inside[start - lo] or 0 < end - lo < hi - lo and inside[end - lo]:
                return False
        return True

    def use_disk_cache(self) -> None:
        """Remember segmentations across runs (in the scriptcheck cache directory).

        A linter run over the same reply templates then never loads the jieba
        dictionary again. Meant for small, repeated inputs (templates), not for batches.
        """
        directory = cache_dir()
        if directory is None:
            return
        version = dist_version(self.backend) or "unknown"
        self._memo_path = directory / f"segments-{self.backend}-{version}.json"
        try:
            raw = json.loads(self._memo_path.read_text(encoding="utf-8"))
            self._memo = {text: [Token(*t) for t in tokens] for text, tokens in raw.items()}
        except (OSError, ValueError, TypeError):
            self._memo = {}

    def flush(self) -> None:
        """Write the disk cache if this run added to it (silently skipped if not writable)."""
        if self._memo_path is None or not self._memo_dirty or self._memo is None:
            return
        try:
            self._memo_path.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own: two runs flushing at once must not write into one temp file.
            tmp = self._memo_path.with_name(f"{self._memo_path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._memo, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self._memo_path)
            self._memo_dirty = False
        except OSError:
            pass

    def boundaries(self, text: str) -> frozenset[int]:
        """Every offset at which a token starts or ends (0 and ``len(text)`` included), and
        before the erhua 儿 that ends a token of three or more characters (as
        :meth:`on_boundaries` judges it)."""
        cuts = {0, len(text)}
        for tok in self.tokens(text):
            cuts.add(tok.start)
            cuts.add(tok.end)
            if _ends_in_erhua(tok.text):
                cuts.add(tok.end - 1)
        return frozenset(cuts)

    def __getstate__(self) -> dict:
        return {"backend": self.backend}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state.get("backend"))


# Made on first use, not at import: the backend comes from $SCRIPTCHECK_SEGMENTER, and a bad
# value must be an error of the command that segments (one line, exit 2), not an import failure.
_DEFAULT: Segmenter | None = None


def segment(text: str) -> list[Token]:
    """Segment ``text`` with scriptcheck's shared private tokenizer; returns tokens with offsets."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter()
    return _DEFAULT.tokens(text)


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (default mode, HMM on) from scriptcheck's private tokenizer of
    the default backend (both give jieba's words): a fitted model's word features must be the
    words it was fitted on (lexicon.turn_model)."""
    if not text:
        return []
    lcut = (_rust_tokenizer() if default_backend() == "rjieba" else _jieba_tokenizer()).lcut
    if len(text) <= _WORDS_PIECE:
        return lcut(text)
    return [w for lo in range(0, len(text), _WORDS_PIECE) for w in lcut(text[lo:lo + _WORDS_PIECE])]
