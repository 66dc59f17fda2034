"""The tone model's turn stage: a second opinion on a whole turn, in words as well as characters.

The n-gram stage (:mod:`scriptcheck.lexicon.ngram`) judges one sentence by its character
n-grams, and its threshold is set high so that real agent turns and polite near-misses pass.
Rude replies it scores just under that threshold are many, and most of them read as rude once
the whole turn and its words are seen (你平时是不是经常投诉？ / 这种事也打12345，您是真闲).
This stage widens the n-gram stage's gate and vets what comes through the widening: a sentence
that holds none of the n-gram stage's triggers but one of this file's ``triggers`` (n-grams the
n-gram stage weighs less, yet seldom seen in real agent turns) is scored by the n-gram stage,
and what it flags there stands only when this stage agrees. It scores the whole turn with a logistic regression on
TF-IDF features — the character 1–4-grams of each of the agent's own sentences (normalised,
framed by ``^``/``$``) and its jieba words and word pairs — fitted by ``benchmarks/fit_turn.py``
on the same writers' data and real JD agent turns, shipped as data
(``lexicons/models/tone_turn.yaml``). Two models of different features rarely share a false
alarm (benchmarks/RESULTS.md, session of 2026-12-02 16:11 UTC).

Plain Python at run time; jieba (scriptcheck's private tokenizer) only for the turns it vets.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.ngram import require_normalised_triggers, sigmoid
from scriptcheck.models import FormatVersion

__all__ = ["TurnFile", "TurnModel", "load_turn_model", "turn_features", "WORD"]

# The prefix of a word feature (a character n-gram never holds it: normalisation removes ':').
WORD = "w:"
_BEGIN, _END = "^", "$"


def _words(text: str) -> list[str]:
    from scriptcheck.text.segment import words  # the tokenizer is loaded only when needed
    return words(text)


def turn_features(sentences: Sequence[str]) -> list[str]:
    """The features of a turn given the normalised text of each of its own sentences: per
    sentence its characters, the 2–4-grams of the sentence framed by ``^``/``$``, its jieba
    words (prefixed :data:`WORD`) and the pairs of neighbouring words (the frame as words too).
    Repeated features appear once per occurrence."""
    out: list[str] = []
    for search in sentences:
        if not search:
            continue
        framed = _BEGIN + search + _END
        size = len(framed)
        out += search
        for n in (2, 3, 4):
            out += [framed[i:i + n] for i in range(size - n + 1)]
        words = [_BEGIN, *_words(search), _END]
        out += [WORD + w for w in words[1:-1]]
        out += [f"{WORD}{a}_{b}" for a, b in zip(words, words[1:])]
    return out


class TurnFile(BaseModel):
    """The validated content of a turn stage file (``lexicons/models/tone_turn.yaml``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    version: FormatVersion = Field(description="File format version (1).")
    source: str = Field(min_length=1, description="Where the model comes from (fitting command, data).")
    trained_on: list[str] = Field(default_factory=list, description="The data sets it was fitted on.")
    bias: float = Field(description="The intercept of the logistic regression.")
    threshold: float = Field(gt=0, lt=1, description="A turn is rude at this probability or more.")
    triggers: list[str] = Field(min_length=1, description="The widened gate: a sentence holding one of "
                                "these n-grams of normalised text is scored by the n-gram stage, and what "
                                "that flags stands only when this stage agrees.")
    features: dict[str, tuple[float, float]] = Field(
        min_length=1, description="Feature → [idf, weight]: a feature's value is (1 + ln count) × idf, "
        "the vector is scaled to unit length, and the weights give the log-odds.")

    @model_validator(mode="after")
    def _finite(self) -> "TurnFile":
        for gram in self.triggers:
            if not gram or any(c in gram for c in "^$:"):
                raise ValueError(f"triggers: {gram!r} is not an n-gram of normalised text")
        require_normalised_triggers(self.triggers)
        for feature, (idf, weight) in self.features.items():
            if not (math.isfinite(idf) and idf > 0 and math.isfinite(weight)):
                raise ValueError(f"features[{feature!r}]: [{idf!r}, {weight!r}] is not a positive idf "
                                 "and a finite weight")
        return self


class TurnModel(tone_cache.DeferredFile[TurnFile]):
    """A loaded turn stage: :meth:`judge` (or :meth:`logit`) a turn by its own sentences.

    Made from a validated file (``TurnModel(data)``) or, by :func:`load_turn_model` on a warm
    start, from the file's head alone (:meth:`deferred`): its triggers and threshold, what a
    matcher's gate needs; the features are read when a turn is first judged."""

    _head_of = staticmethod(tone_cache.turn_head)

    def __init__(self, data: TurnFile, path: str = "<turn>") -> None:
        super().__init__(data, path)

    @classmethod
    def deferred(cls, head: dict, load: Callable[[], TurnFile], path: str = "<turn>") -> "TurnModel":
        """A model from its file's head (:func:`scriptcheck.lexicon.tone_cache.turn_head`) whose
        :attr:`data` ``load`` gives on first need."""
        return super().deferred(head, load, path)

    def _init(self, head: dict, path: str) -> None:
        self.path = path
        self._threshold: float = head["threshold"]
        self._cut = math.log(head["threshold"] / (1 - head["threshold"]))
        self._triggers = tuple(head["triggers"])

    @property
    def _features(self) -> dict[str, tuple[float, float]]:
        return self.data.features

    def __getstate__(self) -> dict:
        return self._loaded_state()

    def __repr__(self) -> str:
        return f"TurnModel({self.path!r}, threshold {self._threshold})"

    @property
    def threshold(self) -> float:
        """The probability at or above which a turn is rude."""
        return self._threshold

    @property
    def triggers(self) -> tuple[str, ...]:
        """The n-grams that widen the n-gram stage's gate."""
        return self._triggers

    def _terms(self, sentences: Sequence[str]) -> list[tuple[str, float, float]]:
        """(feature, value, weight) of the turn's features the model knows (value before scaling)."""
        return self._terms_of(turn_features(sentences))

    def _terms_of(self, features: Sequence[str]) -> list[tuple[str, float, float]]:
        """:meth:`_terms` of a turn's features (:func:`turn_features`) already worked out."""
        known = self._features
        out = []
        for feature, count in Counter(features).items():
            entry = known.get(feature)
            if entry is not None:
                idf, weight = entry
                out.append((feature, (1.0 + math.log(count)) * idf, weight))
        return out

    def logit(self, sentences: Sequence[str]) -> float:
        """The log-odds that the turn whose own sentences (normalised) are ``sentences`` is rude."""
        return self._logit_of(self._terms(sentences))

    def logit_of_features(self, features: Sequence[str]) -> float:
        """:meth:`logit` of a turn's features (:func:`turn_features`) already worked out (the
        fitting script's out-of-fold scores)."""
        return self._logit_of(self._terms_of(features))

    def _logit_of(self, terms: list[tuple[str, float, float]]) -> float:
        norm = math.sqrt(math.fsum(v * v for _, v, _ in terms))
        if not norm:
            return self.data.bias
        return self.data.bias + math.fsum(v * w for _, v, w in terms) / norm

    def judge(self, sentences: Sequence[str]) -> tuple[bool, float]:
        """(rude, probability) of a turn."""
        z = self.logit(sentences)
        return z >= self._cut, sigmoid(z)

    def top(self, sentences: Sequence[str], k: int = 3) -> list[str]:
        """The ``k`` features that add most to the turn's score (named in a finding's message)."""
        shown: dict[str, None] = {}  # a word and the same characters as an n-gram are named once
        for _, f in sorted(((v * w, f) for f, v, w in self._terms(sentences) if w > 0), reverse=True):
            shown.setdefault(f.removeprefix(WORD).replace("_", " ").strip(_BEGIN + _END + " ") or f)
            if len(shown) == k:
                break
        return list(shown)


def load_turn_model(path: str | Path) -> TurnModel:
    """Load a turn stage file; :class:`LexiconError` naming the file, the field and the reason
    (one line) when it is unreadable or invalid. On a warm start only its head is read now and
    the features when a turn is first judged (:func:`tone_cache.load_staged`)."""
    path = Path(path)
    head, data, load = tone_cache.load_staged(path, "turn", TurnFile, tone_cache.load_turn_fields,
                                              tone_cache.store_turn_fields, list_key="features")
    return TurnModel(data, str(path)) if data is not None else TurnModel.deferred(head, load, str(path))
