"""The tone model's statistical stage: a sparse character n-gram logistic regression.

The cue stage (:mod:`scriptcheck.lexicon.tone`) only sees what its hand-written cues describe;
rude replies in words nobody listed (dialect, mock praise, contempt carried by the sentence's
shape) pass it. This stage scores a sentence by the weights of the character 1–4-grams of its
normalised text (plus two address features: plain 你 and 您 in the original, which
normalisation folds together) — a linear model fitted by ``benchmarks/fit_ngram.py`` on rude
replies and polite near-misses by several writers and on real agent turns, shipped as data
(``lexicons/models/tone_ngram.yaml``). Plain Python at run time: a dict lookup per n-gram.

A sentence is scored only when one of the model's *trigger* n-grams (those weighing at least
``trigger``) occurs in it: a sentence without one cannot be flagged. That is part of the
model's definition (the fitting script measures it the same way), and it keeps the cost on
the turns that need it: the triggers are found by one automaton pass over a turn.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.ngram_features import (BEGIN, END, SPECIAL, YOU_HONORIFIC, YOU_PLAIN, features, weigh,
                                                weigh_packed)
from scriptcheck.models import FormatVersion
from scriptcheck.text.normalize import normalize_phrase

__all__ = ["NgramFile", "NgramModel", "load_ngram", "sigmoid", "features", "YOU_PLAIN", "YOU_HONORIFIC",
           "BEGIN", "END", "require_normalised_triggers"]

def sigmoid(z: float) -> float:
    """1 / (1 + e^-z) without overflow: a long sentence sums thousands of weights, and
    ``math.exp(-z)`` raises past z = -709 (a 100,000-character polite turn did)."""
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)  # underflows to 0.0 quietly
    return e / (1 + e)


class NgramFile(BaseModel):
    """The validated content of an n-gram stage file (``lexicons/models/tone_ngram.yaml``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    version: FormatVersion = Field(description="File format version (1).")
    source: str = Field(min_length=1, description="Where the model comes from (fitting command, data).")
    trained_on: list[str] = Field(default_factory=list, description="The data sets it was fitted on.")
    orders: tuple[int, int] = Field(description="Smallest and largest n-gram length.")
    bias: float = Field(description="The intercept of the logistic regression.")
    threshold: float = Field(gt=0, lt=1, description="A sentence is flagged at this probability or more.")
    triggers: list[str] = Field(min_length=1, description="A sentence is scored only when it holds one of "
                                "these n-grams (or, with cue_gate, a cue of the cue stage fires in it).")
    short_length: int = Field(default=0, ge=0, le=64, description="With short_threshold: a sentence of at "
                              "most this many characters of normalised text is a short one (0: none is).")
    short_threshold: float | None = Field(default=None, gt=0, lt=1, description="A short sentence is flagged "
                                          "at this probability instead of threshold: a two-to-eight-character "
                                          "reply has few n-grams, so its probability stays near the bias "
                                          "whatever its words.")
    cue_gate: bool = Field(default=True, description="Also score the sentences where a cue fires.")
    cue_floor: float | None = Field(default=None, description="With cue_gate, a sentence where a cue fires "
                                    "is scored only when its cue score reaches this (most real polite turns "
                                    "score far below: 您, 请, apologies).")
    veto: float = Field(default=0.0, ge=0, lt=1, description="A sentence the cue stage flags stands only "
                        "when its n-gram probability reaches this too (0: the cue stage alone decides).")
    weights: dict[str, float] = Field(min_length=1, description="Feature → weight (log-odds); ``<id>`` "
                                      "features are the cue stage's cues and mitigators that fire.")

    @field_validator("orders")
    @classmethod
    def _orders(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 1 <= low <= high <= 6:
            raise ValueError(f"orders must be [low, high] with 1 <= low <= high <= 6, not {list(value)}")
        return value

    @model_validator(mode="after")
    def _weights(self) -> "NgramFile":
        low, high = self.orders
        for gram, weight in self.weights.items():
            if not isinstance(weight, float) or not math.isfinite(weight):
                raise ValueError(f"weights[{gram!r}]: {weight!r} is not a finite number")
            if gram.startswith("<") and gram.endswith(">") and len(gram) > 2:
                continue  # an address or cue feature (cue ids are checked against the cue stage)
            # The frame characters count in an n-gram's length (features() frames the text).
            core = gram[gram.startswith(BEGIN):len(gram) - gram.endswith(END)]
            if not core or BEGIN in core or END in core or not low <= len(gram) <= high:
                raise ValueError(f"weights[{gram!r}]: not an n-gram of length {low}..{high}")
        if (self.short_threshold is None) != (self.short_length == 0):
            raise ValueError("short_length and short_threshold go together: give both or neither")
        for gram in self.triggers:
            if self.weights.get(gram, 0.0) <= 0 or BEGIN in gram or END in gram or gram.startswith("<"):
                raise ValueError(f"triggers: {gram!r} is not an n-gram of text with a positive weight")
        require_normalised_triggers(self.triggers)
        return self

    def cue_ids(self) -> set[str]:
        """The cue and mitigator ids its ``<id>`` features name."""
        return {g[1:-1] for g in self.weights if g.startswith("<") and g.endswith(">") and g not in SPECIAL}


def require_normalised_triggers(triggers: Sequence[str]) -> None:
    """Raise when a trigger is not normalised text: the gate looks triggers up in normalised
    turns as they are (no start-up spent normalising ~11,000 of them again), so one that
    normalisation would change could never fire. Checked when the file is validated, which a
    cached head (keyed on the file and this code) stands for."""
    for gram in triggers:
        folded = normalize_phrase(gram)
        if folded != gram:
            raise ValueError(f"triggers: {gram!r} is not normalised text (it normalises to {folded!r})")


class NgramModel(tone_cache.DeferredFile[NgramFile]):
    """A loaded n-gram stage: :meth:`logit` / :meth:`probability` of a sentence.

    Made from a validated file (``NgramModel(data)``) or, by :func:`load_ngram` on a warm start,
    from the file's head alone (:meth:`deferred`): the triggers, thresholds and cue ids that
    building a matcher's gate needs; the weights are read when a sentence is first scored."""

    _head_of = staticmethod(tone_cache.ngram_head)

    def __init__(self, data: NgramFile, path: str = "<ngram>") -> None:
        super().__init__(data, path)

    @classmethod
    def deferred(cls, head: dict, load: Callable[[], NgramFile], path: str = "<ngram>") -> "NgramModel":
        """A model from its file's head (:func:`scriptcheck.lexicon.tone_cache.ngram_head`) whose
        :attr:`data` ``load`` gives on first need."""
        return super().deferred(head, load, path)

    def _init(self, head: dict, path: str) -> None:
        self.path = path
        self._low, self._high = head["orders"]
        self._threshold = head["threshold"]
        # The probability threshold as a log-odds one: no exp() per scored sentence.
        self._cut = math.log(head["threshold"] / (1 - head["threshold"]))
        self._short_length = head["short_length"]
        self._short_threshold = head["short_threshold"]
        short = head["short_threshold"] if head["short_threshold"] is not None else head["threshold"]
        self._short_cut = math.log(short / (1 - short))
        self.triggers: tuple[str, ...] = tuple(head["triggers"])
        self.cue_floor: float | None = head["cue_floor"]
        self.cue_gate: bool = head["cue_gate"]
        self.veto: float = head["veto"]
        self._cue_ids = frozenset(head["cue_ids"])
        # The weights packed for the compiled weighing (lexicon/_native.pyx), made on first
        # need: a one-line lint that never scores a sentence does not pay for packing them.
        self._table = None

    @property
    def _weights(self) -> dict[str, float]:
        return self.data.weights

    def cue_ids(self) -> frozenset[str]:
        """The cue and mitigator ids its ``<id>`` features name."""
        return self._cue_ids

    def __getstate__(self) -> dict:
        # The packed table is a C structure: a copy (a model sent to another process) packs its own.
        return {**self._loaded_state(), "_table": None}

    def __repr__(self) -> str:
        return f"NgramModel({self.path!r}, threshold {self._threshold})"

    @property
    def threshold(self) -> float:
        """The probability at or above which a sentence is flagged."""
        return self._threshold

    def threshold_for(self, search: str) -> float:
        """The probability at or above which the sentence ``search`` (normalised) is flagged:
        ``short_threshold`` for a short one, else ``threshold``."""
        if len(search) <= self._short_length and self._short_threshold is not None:
            return self._short_threshold
        return self._threshold

    def logit(self, search: str, original: str, cues: Sequence[str] = ()) -> float:
        """The log-odds that a sentence is rude (``search``: its normalised text; ``cues``: the
        ids of the cue stage's cues and mitigators that fire in it)."""
        if _native is None:
            return self.data.bias + weigh(self._weights, search, original, cues, self._low, self._high)
        table = self._table
        if table is None:
            table = self._table = _native.NgramTable(self._weights, self._low, self._high)
        return self.data.bias + weigh_packed(table, self._weights, search, original, cues)

    def probability(self, search: str, original: str, cues: Sequence[str] = ()) -> float:
        """:meth:`logit` as a probability."""
        return sigmoid(self.logit(search, original, cues))

    def gated(self, search: str) -> bool:
        """Whether a trigger n-gram occurs in ``search`` (the gate; the run time finds them with
        an automaton over the whole turn instead)."""
        return any(t in search for t in self.triggers)

    def judge(self, search: str, original: str, cues: Sequence[str] = ()) -> tuple[bool, float]:
        """(flagged, probability) of a sentence the gate let through."""
        z = self.logit(search, original, cues)
        return z >= (self._short_cut if len(search) <= self._short_length else self._cut), sigmoid(z)

    def top(self, search: str, original: str, k: int = 3) -> list[str]:
        """The ``k`` n-grams that add most to the score (named in a finding's message)."""
        get = self._weights.get
        seen = {f: get(f, 0.0) for f in features(search, original, self._low, self._high)}
        best = sorted(((w, f) for f, w in seen.items() if w > 0), reverse=True)[:k]
        return [f.strip(BEGIN + END) or f for _, f in best]


try:  # the compiled weighing (setup.py builds it when it can); results are the same without it
    from scriptcheck.lexicon import _native
except ImportError:
    _native = None


def load_ngram(path: str | Path) -> NgramModel:
    """Load an n-gram stage file; :class:`LexiconError` naming the file, the field and the
    reason (one line) when it is unreadable or invalid. On a warm start only its head is read
    now and the weights when a sentence is first scored (:func:`tone_cache.load_staged`)."""
    path = Path(path)
    head, data, load = tone_cache.load_staged(path, "ngram", NgramFile, tone_cache.load_ngram_fields,
                                              tone_cache.store_ngram_fields, list_key="weights")
    return NgramModel(data, str(path)) if data is not None else NgramModel.deferred(head, load, str(path))
