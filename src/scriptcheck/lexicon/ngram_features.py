"""The n-gram stage's features and their weighing: the only code of it that runs per sentence.

Kept apart from ``lexicon.ngram`` (its file model, validated by pydantic) so that it can be
compiled with Cython like the rest of the hot path (setup.py): a pydantic model cannot be.
"""

from __future__ import annotations

from itertools import repeat
from typing import Mapping, Sequence

__all__ = ["features", "weigh", "weigh_packed", "YOU_PLAIN", "YOU_HONORIFIC", "BEGIN", "END", "LENGTHS", "SPECIAL"]

# Address features: normalisation folds 您 into 你, yet which of the two an agent wrote is
# among the strongest signals of tone (the cue stage reads it from the original text too).
YOU_PLAIN = "<你>"
YOU_HONORIFIC = "<您>"
# Sentence edges, so that a sentence-initial 哟 or a final 吧/呗 is its own feature. Neither
# character survives normalisation (symbols are removed), so no n-gram of text contains one.
BEGIN = "^"
END = "$"
# Length features (cumulative): a long sentence sums many small weights, and long sentences are
# mostly narration (jokes, explanations) rather than a curt reply; the fit learns what length says.
LENGTHS = ((20, "<L20>"), (40, "<L40>"), (80, "<L80>"))
SPECIAL = frozenset({YOU_PLAIN, YOU_HONORIFIC, *(name for _, name in LENGTHS)})


def features(search: str, original: str, low: int = 1, high: int = 4) -> list[str]:
    """The features of one sentence: every character n-gram (``low``..``high``) of its
    normalised text ``search`` framed by :data:`BEGIN`/:data:`END`, its length features
    (:data:`LENGTHS`), plus the address features read from its ``original`` text. Repeated n-grams appear once per occurrence."""
    framed = BEGIN + search + END
    size = len(framed)
    out = list(search) if low == 1 else []  # unigrams: the frame alone is not a feature
    for n in range(max(low, 2), high + 1):
        out += [framed[i:i + n] for i in range(size - n + 1)]
    out += _sentence_features(search, original)
    return out


def _sentence_features(search: str, original: str) -> list[str]:
    """The features after the n-grams: length (:data:`LENGTHS`) and address."""
    out = [name for size_at_least, name in LENGTHS if len(search) >= size_at_least]
    if "你" in original:
        out.append(YOU_PLAIN)
    if "您" in original:
        out.append(YOU_HONORIFIC)
    return out


def _plus_cues(total: float, get, cues: Sequence[str]) -> float:
    for cue in cues:
        total += get(f"<{cue}>", 0.0)
    return total


def weigh(weights: Mapping[str, float], search: str, original: str, cues: Sequence[str] = (),
          low: int = 1, high: int = 4) -> float:
    """The sum of the weights of a sentence's :func:`features` (n-grams of ``search``, address
    features of ``original``) and of its cue features ``<id>`` for the ids in ``cues``."""
    get = weights.get
    # From 0.0: a float sum that starts there never becomes -0.0, so leaving out the n-grams
    # without a weight (weigh_packed) cannot change it.
    return _plus_cues(sum(map(get, features(search, original, low, high), repeat(0.0)), 0.0), get, cues)


def weigh_packed(table, weights: Mapping[str, float], search: str, original: str, cues: Sequence[str] = ()) -> float:
    """:func:`weigh` with the n-gram weights read from ``table`` (a ``lexicon._native.NgramTable``
    of ``weights`` and the model's orders): the same sum, as exactly (the table returns the
    weighted n-grams in :func:`features`' order, and an n-gram without a weight adds 0.0,
    which changes no float sum), without a str object per n-gram."""
    get = weights.get
    parts = table.weights_of(search)
    parts += map(get, _sentence_features(search, original), repeat(0.0))
    return _plus_cues(sum(parts, 0.0), get, cues)
