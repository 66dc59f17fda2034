"""Text layer: normalisation with an offset map, and word segmentation."""

from scriptcheck.text.normalize import Normalized, normalize, normalize_phrase
from scriptcheck.text.segment import Segmenter, Token, segment

__all__ = ["Normalized", "normalize", "normalize_phrase", "Segmenter", "Token", "segment"]
