"""Word segmentation with a private jieba tokenizer, loaded only when words are needed."""

from __future__ import annotations

import logging
import os
import threading
from typing import NamedTuple

__all__ = ["Token", "Segmenter", "segment", "BACKENDS"]



class Token(NamedTuple):
    """One jieba token with its character offsets in the segmented text."""

    text: str
    start: int
    end: int


BACKENDS = ("jieba", "rjieba")


class Segmenter:
    """Owns a ``jieba.Tokenizer`` (never the global one) and initialises it on first use.

    The tokenizer costs ~0.6 s to load, so a checker that never needs word boundaries never
    pays for it. Pickling drops the tokenizer; the copy loads its own when it first segments.

    ``backend="rjieba"`` (or ``SCRIPTCHECK_SEGMENTER=rjieba``) uses the Rust port of jieba,
    ~10x faster with the same dictionary; it differs from jieba only on ASCII words joined by
    hyphens (TP-LINK), which no rule looks at (see benchmarks/RESULTS.md).
    """

    def __init__(self, backend: str | None = None) -> None:
        self.backend = backend or os.environ.get("SCRIPTCHECK_SEGMENTER", "jieba")
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown segmenter backend {self.backend!r} (choose from {', '.join(BACKENDS)})")
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the jieba dictionary has been loaded yet."""
        return self._tokenizer is not None

    def _get(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    if self.backend == "rjieba":
                        try:
                            import rjieba
                        except ImportError:
                            raise ImportError(
                                'the rjieba backend needs rjieba: pip install "scriptcheck[bench]"'
                            ) from None
                        self._tokenizer = rjieba
                    else:
                        # Imported here: jieba's import alone (HMM tables, pkg_resources)
                        # costs ~80 ms that a run needing no word boundaries never pays.
                        import jieba

                        # jieba announces every dictionary load on stderr; keep output clean.
                        jieba.setLogLevel(logging.WARNING)
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
        return {"backend": self.backend}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state.get("backend"))


_DEFAULT = Segmenter()


def segment(text: str) -> list[Token]:
    """Segment ``text`` with scriptcheck's shared private tokenizer; returns tokens with offsets."""
    return _DEFAULT.tokens(text)
