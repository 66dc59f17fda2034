"""jieba's tokens from rjieba, the Rust port of jieba with jieba's own dictionary.

rjieba segments like jieba (default mode, HMM on) everywhere but in two places, both found by
comparing the two on every text at hand and on random text (``benchmarks/compare_segmenters.py``,
``tests/test_segment_backends.py``); this module mends both, so its tokens are jieba's:

- an ASCII run joined by ``_``, ``.`` or ``-`` is one rjieba token (``order_id``, ``TP-LINK``,
  ``www.jd.com``), where jieba cuts it as its HMM fallback cuts any run it has no word for: runs of
  letters and digits (with a decimal part and a percent sign: ``v1.2``, ``50%``) and the
  characters between them (``order`` ``_`` ``id``);
- rjieba's Han blocks also take the CJK extension and compatibility ideographs (㐀, 𠀀, 豈) and
  U+9FD6–U+9FFF, jieba's only U+4E00–U+9FD5: a text holding one of those rare characters is
  segmented by jieba itself.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["RustTokenizer", "rjieba_available"]

# jieba's finalseg.re_skip: how its HMM fallback cuts a run of non-Han characters.
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_JOINED = re.compile(r"[._\-]")
# Ideographs rjieba takes into its Han blocks and jieba does not (jieba.re_han_default: U+4E00–U+9FD5).
_RJIEBA_ONLY_HAN = re.compile("[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F]")


@lru_cache(maxsize=None)
def rjieba_available() -> bool:
    """Whether rjieba can be imported here (without importing it; asked once per process)."""
    try:
        return importlib.util.find_spec("rjieba") is not None
    except (ImportError, ValueError):
        return False


class RustTokenizer:
    """``tokenize`` and ``lcut`` with jieba's results (default mode, HMM on), computed by rjieba.

    ``fallback`` returns the jieba tokenizer for the rare text rjieba would cut differently;
    it is called only then, so a process that never meets such a text never loads jieba's
    dictionary."""

    def __init__(self, fallback: Callable[[], Any]) -> None:
        import rjieba

        self._rjieba = rjieba
        self._fallback = fallback

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """``(word, start, end)`` of every token of ``text``, character offsets, as jieba's
        ``Tokenizer.tokenize(text)`` gives them."""
        if _RJIEBA_ONLY_HAN.search(text):
            return list(self._fallback().tokenize(text))
        out: list[tuple[str, int, int]] = []
        for word, start, end in self._rjieba.tokenize(text):
            if len(word) > 1 and word.isascii() and not word.isalnum() and _JOINED.search(word):
                at = start
                for piece in _JIEBA_SKIP.split(word):
                    if piece:
                        out.append((piece, at, at + len(piece)))
                        at += len(piece)
            else:
                out.append((word, start, end))
        return out

    def lcut(self, text: str) -> list[str]:
        """jieba's words of ``text``, as ``Tokenizer.lcut(text)`` gives them."""
        return [word for word, _, _ in self.tokenize(text)]
