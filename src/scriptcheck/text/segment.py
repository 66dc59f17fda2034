"""Word segmentation with a private jieba tokenizer, loaded only when words are needed."""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

import jieba

__all__ = ["Token", "Segmenter", "segment"]

# jieba announces every dictionary load on stderr; a linter's output must stay clean.
jieba.setLogLevel(logging.WARNING)


class Token(NamedTuple):
    """One jieba token with its character offsets in the segmented text."""

    text: str
    start: int
    end: int


class Segmenter:
    """Owns a ``jieba.Tokenizer`` (never the global one) and initialises it on first use.

    The tokenizer costs ~0.6 s to load, so a checker that never needs word boundaries never
    pays for it. Pickling drops the tokenizer; the copy loads its own when it first segments.
    """

    def __init__(self) -> None:
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the jieba dictionary has been loaded yet."""
        return self._tokenizer is not None

    def _get(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        return self._tokenizer

    def tokens(self, text: str) -> list[Token]:
        """Segment ``text`` (HMM on, as jieba's default) into tokens with offsets."""
        if not text:
            return []
        return [Token(w, s, e) for w, s, e in self._get().tokenize(text)]

    def boundaries(self, text: str) -> frozenset[int]:
        """Every offset at which a token starts or ends (0 and ``len(text)`` included)."""
        cuts = {0, len(text)}
        for tok in self.tokens(text):
            cuts.add(tok.start)
            cuts.add(tok.end)
        return frozenset(cuts)

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()


_DEFAULT = Segmenter()


def segment(text: str) -> list[Token]:
    """Segment ``text`` with scriptcheck's shared private tokenizer; returns tokens with offsets."""
    return _DEFAULT.tokens(text)
