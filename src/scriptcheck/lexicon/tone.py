"""The tone model: rude agent speech found by combining weak cues, not by listing phrases.

The forbidden lexicon flags what its entries describe; a rude reply worded in a way nobody
listed passes it. The tone model scores each sentence of an utterance by the cues it holds —
a rhetorical-question frame, blame, an imperative at the customer, a dismissive particle, an
insult, plain 你 where a service agent says 您 … — minus its mitigators (请/麻烦, an apology, an
offer of help), and flags the sentence when the sum reaches a threshold. Cues, weights and the
threshold are data (``lexicons/models/tone.yaml``, fitted by ``benchmarks/fit_tone.py``); see
``docs/tone-model.md``.

Cue regexes run on the sentence's normalised text (``over: normalized``, the default: simplified,
lower case, 您→你, punctuation removed) or on its original text (``over: original``: 你 vs 您).
Spans index the original text. A sentence inside quotation marks or reported from a third party
(``match.contexts``) is not the agent's own words and is never flagged.
"""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_left
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Container, Literal, Mapping, Sequence

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator,
                      model_validator)

from scriptcheck.datafile import format_validation_error, parse_data, read_data
from scriptcheck.errors import LexiconError
from scriptcheck.lazy_regex import LazyRegex
from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.ngram import NgramModel, load_ngram
from scriptcheck.lexicon.turn_model import TurnModel, load_turn_model
from scriptcheck.match.contexts import in_quotes, in_reported_speech, mentions_words
from scriptcheck.match.engine import Matcher, MatchEntry
from scriptcheck.match.patterns import CompiledPattern, LazyRegex, PatternProblem, check_normalised, compile_pattern
from scriptcheck.models import Finding, FormatVersion, Severity, make_finding
from scriptcheck.regex_program import Program, compile_captured, restore
from scriptcheck.resources import defaults_dir
from scriptcheck.text.normalize import Normalized, normalize
from scriptcheck.text.regex_policy import UnsafePattern, check_regex

__all__ = ["LexiconVeto", "NeutralClause", "Spans", "ToneCue", "ToneExamples", "ToneFile", "ToneModel", "ToneHit",
           "TurnContext", "load_tone", "default_tone", "default_tone_path", "is_packaged_forbidden", "own_sentences",
           "own_words", "sentences", "tone_overridden"]

# A Han character (CJK unified ideographs and extension A, compatibility ideographs), and three
# words in Latin letters: a sentence with the second and none of the first is English. A word
# starts where no letter precedes it: without the lookbehind a search tried every position inside
# a long run of letters, each to the run's end (20,000 characters of "ab" took 6 s; hostile probe
# of s57), and now tries each run once.
_HAN = LazyRegex(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORDS = LazyRegex(r"(?<![A-Za-z])[A-Za-z]+(?:[^A-Za-z]+[A-Za-z]+){2}")

# A sentence ends at these (and a turn's start and end); the model scores sentences.
_SENTENCE_END = LazyRegex(r"[。！？!?；;\n…]+")
# A quotation inside a sentence: someone else's words (or a phrase mentioned), blanked out.
_QUOTED = LazyRegex(r"“[^”]{0,200}”|「[^」]{0,200}」|『[^』]{0,200}』|‘[^’]{0,200}’|\"[^\"]{0,200}\"")
# Where a sentence's clauses part (for the neutral clauses of the n-gram stage).
_CLAUSE_SPLIT = LazyRegex(r"[，,、：:；;]+|\s+")
# Skipped at a span's edges: spaces and punctuation.
_EDGE = " \t\r\u3000，,、。！？!?；;：:…~～\"'“”‘’「」『』（）()【】[]"


class ToneCue(BaseModel):
    """One cue (positive weight) or mitigator (negative weight): a bounded regex and its weight."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    family: str
    pattern: str = Field(min_length=1, max_length=400)
    weight: float
    over: Literal["normalized", "original"] = "normalized"
    fit: bool = True  # False: benchmarks/fit_tone.py keeps the weight written here
    # The checked pattern (over: normalized), kept for the model's gate: compiled once.
    _compiled: CompiledPattern | None = PrivateAttr(default=None)

    @field_validator("pattern")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        if value.startswith("^") or value.endswith("$"):
            raise ValueError("anchors are not allowed (cues are searched anywhere in a sentence)")
        return _policed(value, info)

    @model_validator(mode="after")
    def _searchable(self, info: ValidationInfo) -> "ToneCue":
        if self.over == "normalized":  # the lexicon's own checks: bounded, and can occur in search text
            try:
                self._compiled = compile_pattern(self.pattern, known=_known(info)[1].get(self.pattern))
            except (PatternProblem, ValueError) as exc:
                raise ValueError(str(exc)) from None
        return self


def _policed(pattern: str, info: ValidationInfo) -> str:
    """``pattern`` if it passes the regex policy (or passed it in an earlier load of the same
    file by the same code: lexicon.tone_cache), else ValueError with the reason."""
    if pattern in _known(info)[0]:
        return pattern
    try:
        check_regex(pattern)
    except UnsafePattern as exc:
        raise ValueError(str(exc)) from None
    return pattern


def _known(info: ValidationInfo) -> tuple[Container[str], dict[str, list]]:
    """The cue patterns that passed the regex policy, and the analyses of those over normalised
    text, in an earlier load of the same file by the same code (``load_tone`` passes them as the
    validation context: lexicon.tone_cache); nothing otherwise."""
    context = info.context
    known = context.get("known") if isinstance(context, dict) else None
    return known if known is not None else ((), {})


class NeutralClause(BaseModel):
    """A clause the n-gram stage reads past: a bounded regex over the clause's normalised text.
    A sentence the n-gram stage flags is judged again without the clauses that match one (a
    promise that the customer will not be harmed, 我们不会因此拉黑您, is not what makes a
    sentence rude, though its words are those of threats)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    pattern: str = Field(min_length=1, max_length=400)
    # When given, the clause is neutral only where the next sentence of the same turn matches
    # this (over its normalised text): a short question the agent answers at once, in the
    # words of the customer's doubt (这还用问？当然可以 / 没办法？有办法！), is no brush-off.
    answered_by: str | None = Field(default=None, min_length=1, max_length=400)
    why: str = ""

    @field_validator("pattern", "answered_by")
    @classmethod
    def _safe(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if value in _known(info)[0]:  # both checks passed in an earlier load of this very file
            return value
        try:  # it is searched in normalised text: 您 or a doubled character would never match
            check_normalised(value)
        except PatternProblem as exc:
            raise ValueError(str(exc)) from None
        return _policed(value, info)


class TurnContext(BaseModel):
    """A turn the model does not judge at all: one whose ORIGINAL characters hold ``pattern`` and
    ``also`` together, each a bounded regex (banter with a regular: laughter, which normalisation
    collapses or drops, and a familiar name). The forbidden lexicon reads the same two signs as its
    scope-utterance mitigator ``banter`` (docs/lexicon-format.md)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    pattern: str = Field(min_length=1, max_length=1000)
    also: str = Field(default="", max_length=1000, description="A second regex the turn must hold too.")
    why: str = ""

    @field_validator("pattern", "also")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        return _policed(value, info) if value else value


class ToneExamples(BaseModel):
    """Inline examples, run by the tests: ``match`` texts must be flagged, ``no_match`` not."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class TurnBand(BaseModel):
    """The n-gram stage's band just under its threshold, vetted by the turn stage: a sentence the
    n-gram stage scores at ``floor`` or more without flagging it is flagged when the whole turn's
    probability reaches ``threshold``. Many rude replies sit in that band (the n-gram stage's
    threshold is set high for real agent turns); two models of different features seldom share
    a false alarm, so the turn stage's stricter word decides them."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    floor: float = Field(gt=0, lt=1, description="The n-gram probability from which a sentence is put "
                         "to the turn stage.")
    threshold: float = Field(gt=0, lt=1, description="The turn probability at which such a sentence is "
                             "flagged.")


class TurnVeto(BaseModel):
    """The turn stage's veto over the n-gram stage where both read the same words: an n-gram flag
    on a sentence that makes up at least ``share`` of its turn (normalised characters: the words the
    n-gram stage judged, its neutral clauses left out, against the whole turn) stands only when the
    turn stage's probability reaches ``threshold``. Where the sentence is only part of a longer turn
    the veto does not apply, since the turn stage then also reads the polite rest (a rude sentence in
    the middle of a courteous turn)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    share: float = Field(gt=0, le=1, description="The least share of the turn's normalised characters "
                         "the sentence must make up for the veto to apply.")
    threshold: float = Field(gt=0, lt=1, description="The turn probability an n-gram flag needs there.")


class LexiconVeto(BaseModel):
    """The tone model's second opinion on the packaged forbidden lexicon: where that lexicon's
    findings in a turn are a small part of it (the longest covers at most ``share`` of its
    characters), none of them critical, and both stages read the turn as courteous (every own
    sentence's n-gram probability, and the turn stage's, under ``threshold``, and one of the
    model's mitigators — 您, 请, an apology, an offer of help … — in it), they are dropped.
    A harsh shape inside a longer courteous turn is a shape rudeness shares with it (a harsh word
    in a name, a hazard warned of, a colleague's words apologised for); a finding that is most of
    the turn is what the agent said, and an insult is never the model's to clear. Other lexicons
    (packs, a team's own) are never vetoed: the model was not measured against them."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    threshold: float = Field(gt=0, lt=1, description="The probability both stages must stay under, on "
                             "every own sentence (n-gram) and on the whole turn (turn stage).")
    share: float = Field(gt=0, le=1, description="The largest share of the turn's characters the longest "
                         "of the findings may cover for the veto to apply.")
    unless: str = Field(default="", max_length=1000, description="A bounded regex over the turn's original "
                        "characters: signs of contempt the models cannot read (normalisation collapses 呵呵 "
                        "into a particle and drops emoji); a turn holding one is never vetoed.")

    @field_validator("unless")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        return _policed(value, info) if value else value


class AdversativeTail(BaseModel):
    """Where a sentence turns (但 / 不过 / 可是 after a clause boundary): a sentence no stage flags
    is judged again from its last turn to its end, on its own. What follows the turn is the
    agent's stance; a courteous preamble before it (我理解您的心情，但… / 抱歉给您带来不便，不过…)
    lowers the whole sentence's score without softening that stance."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    pattern: str = Field(min_length=1, max_length=400, description="A bounded regex over the sentence's "
                         "own words (original text, quotations blanked); its last match starts the tail.")
    min_length: int = Field(default=4, ge=1, le=64, description="A tail shorter than this many characters "
                            "is not judged.")
    why: str = ""

    @field_validator("pattern")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        return _policed(value, info)


class ToneFile(BaseModel):
    """The validated content of a tone-model file (``lexicons/models/tone.yaml``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # see rules.base.FileModel

    version: FormatVersion
    rule: str = Field(pattern=r"^[A-Z]{2,4}\d{2,4}$")
    category: str
    severity: Severity = Severity.warning
    description: str
    suggestion: str = ""
    source: str = ""
    threshold: float = Field(gt=0)
    min_cues: int = Field(default=1, ge=1, description="A sentence is flagged only when at least this "
                          "many distinct cues fire in it (plain 你 counts as one): one strong word alone "
                          "(神经 in 神经科, 农村, 威胁) is not a rude tone.")
    cues: list[ToneCue] = Field(min_length=1)
    mitigators: list[ToneCue] = Field(default_factory=list)
    neutral: list[NeutralClause] = Field(default_factory=list, description="Clauses the n-gram stage "
                                         "reads past (see NeutralClause).")
    turn_contexts: list[TurnContext] = Field(default_factory=list, description="Turns the model does not "
                                             "judge (see TurnContext).")
    examples: ToneExamples = Field(default_factory=ToneExamples)
    ngram: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+\.yaml$",
                              description="The n-gram stage (lexicon.ngram): a file in this file's directory.")
    turn: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+\.yaml$",
                             description="The turn stage (lexicon.turn_model): its triggers widen the n-gram "
                             "stage's gate, and what comes through the widening alone stands only when it "
                             "agrees. A file in this file's directory.")
    turn_band: TurnBand | None = Field(default=None, description="Sentences the n-gram stage scores just "
                                       "under its threshold, put to the turn stage (see TurnBand).")
    tail: AdversativeTail | None = Field(default=None, description="A sentence no stage flags, judged "
                                         "again from where it turns (see AdversativeTail).")
    turn_veto: TurnVeto | None = Field(default=None, description="An n-gram flag on a sentence that is "
                                       "(nearly) its whole turn stands only with the turn stage's "
                                       "agreement (see TurnVeto).")
    lexicon_veto: LexiconVeto | None = Field(default=None, description="The packaged forbidden lexicon's "
                                             "findings in a turn both stages read as courteous are dropped "
                                             "(see LexiconVeto).")

    @model_validator(mode="after")
    def _signs(self) -> "ToneFile":
        for name in ("turn_band", "turn_veto", "lexicon_veto"):  # each asks both stages
            if getattr(self, name) is not None and (self.turn is None or self.ngram is None):
                raise ValueError(f"{name} needs both an n-gram stage (ngram:) and a turn stage (turn:)")
        seen: set[str] = set()
        for kind, items, ok in (("cue", self.cues, lambda w: w >= 0), ("mitigator", self.mitigators, lambda w: w <= 0)):
            for item in items:
                if item.id in seen:
                    raise ValueError(f"id {item.id} is used twice")
                seen.add(item.id)
                if not ok(item.weight):
                    raise ValueError(f"{kind} {item.id}: weight {item.weight} has the wrong sign "
                                     f"(cues weigh >= 0, mitigators <= 0)")
        return self


@dataclass(frozen=True)
class ToneHit:
    """A flagged sentence: original ``[start, end)``, its score and the cues that fired."""

    start: int
    end: int
    score: float
    cues: tuple[str, ...]
    mitigators: tuple[str, ...]
    stage: str = "cues"  # or "ngram" / "turn": flagged by that stage (score is then its probability)
    ngrams: tuple[str, ...] = ()  # the n-grams (turn stage: features) that weighed most
    threshold: float | None = None  # the stage's threshold for this sentence (short or not)
    referred: float | None = None  # turn stage: the sentence's n-gram probability


class Spans:
    """Spans that answer "does ``[start, end)`` overlap one of you?" by bisection (sorted, with
    a running maximum of their ends): many questions about many spans cost n log n, not n × m
    (a long hostile turn has tens of thousands of both)."""

    __slots__ = ("_starts", "_reach")

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [a for a, _ in ordered]
        self._reach = list(accumulate((b for _, b in ordered), max))  # furthest end of ordered[:i + 1]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps any of the spans."""
        i = bisect_left(self._starts, end)  # the spans that begin before it ends
        return i > 0 and self._reach[i - 1] > start


def own_words(sentence: str) -> str:
    """``sentence`` with its quotations blanked out (same length: offsets still hold)."""
    if not any(q in sentence for q in "“「『‘\""):
        return sentence
    return _QUOTED.sub(lambda m: " " * len(m.group()), sentence)


def sentences(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-empty sentence of ``text``, punctuation and spaces trimmed."""
    out = []
    at = 0
    for m in (*_SENTENCE_END.finditer(text), None):
        end = len(text) if m is None else m.start()
        s, e = at, end
        while s < e and text[s] in _EDGE:
            s += 1
        while e > s and text[e - 1] in _EDGE:
            e -= 1
        if e > s:
            out.append((s, e))
        if m is not None:
            at = m.end()
    return out


def own_sentences(text: str) -> list[tuple[str, str]]:
    """``(own words, normalised text)`` of each sentence of ``text`` that the model may score:
    quotations blanked in the whole turn (a sentence's edges are trimmed of quote marks), and
    sentences quoted or reported from a third party left out. What the fitting scripts learn
    from (benchmarks/fit_tone.py, fit_ngram.py); the run time asks the same questions, the
    quotation ones only of a sentence it flags."""
    words = own_words(text)
    return [(words[start:end], normalize(words[start:end]).text) for start, end in sentences(text)
            if not _someone_elses(text, start, end)]


def _someone_elses(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` is not the agent's own words: quoted, reported
    earlier in its sentence, or a phrase named (禁止说…之类的话). One definition for the run
    time and the fitting scripts (:func:`own_sentences`)."""
    return in_quotes(text, start, end) or in_reported_speech(text, end) or mentions_words(text, start, end)


class ToneModel:
    """A loaded tone model: call :meth:`hits` or :meth:`findings` on normalised utterances."""

    def __init__(self, data: ToneFile, path: str = "<tone>", ngram: NgramModel | None = None,
                 allow: Sequence[str] = (), turn: TurnModel | None = None,
                 programs: Mapping[tuple[str, int], Program] | None = None) -> None:
        self.data = data
        self.path = path
        # The programs the file's regexes compiled to, by (pattern, flags) (load_tone: the tone
        # cache): each regex is rebuilt from its program when first used, not compiled again.
        self._programs = dict(programs or {})
        program = self._programs.get

        def searched(source: str) -> LazyRegex:
            """A regex searched with flags 0, from its program when the cache kept one."""
            return LazyRegex(source, program=program((source, 0)))

        # The turn stage (lexicon.turn_model): its triggers widen the n-gram stage's gate, and
        # what the n-gram stage flags through the widening stands only when it agrees.
        self.turn = turn if ngram is not None else None
        # (n-gram floor, turn threshold) of the band under the n-gram threshold (ToneFile.turn_band);
        # without one, 2: no probability reaches it.
        band = data.turn_band if self.turn is not None else None
        self._band = (band.floor, band.threshold) if band is not None else (2.0, 2.0)
        # (least share of the turn, turn threshold) of the veto over n-gram flags (ToneFile.turn_veto);
        # without one, a share no sentence reaches.
        veto = data.turn_veto if self.turn is not None else None
        self._veto = (veto.share, veto.threshold) if veto is not None else (2.0, 0.0)
        # When a turn's packaged-lexicon findings are dropped (ToneFile.lexicon_veto, see vetoes);
        # None: never (it asks both stages).
        lexicon_veto = data.lexicon_veto if self.turn is not None else None
        self.lexicon_veto: LexiconVeto | None = lexicon_veto
        unless = lexicon_veto.unless if lexicon_veto is not None else ""
        self._veto_unless = searched(unless) if unless else None
        # The cues and mitigators with their regexes (compiled when a sentence is first scored:
        # a one-line lint seldom gets that far, and compiling them was a tenth of loading).
        self._cue_items = [c for c in data.cues if c.weight > 0]
        self._mitigator_items = [c for c in data.mitigators if c.weight < 0]
        self._cues: list[tuple[ToneCue, re.Pattern[str]]] | None = None
        self._mitigators: list[tuple[ToneCue, re.Pattern[str]]] = []
        self._original_cues = tuple(i for i, c in enumerate(self._cue_items) if c.over == "original")
        self._tail = (searched(data.tail.pattern), data.tail.min_length) if data.tail is not None else None
        # (clause regex, regex of the next sentence or None) of each neutral clause
        self._neutral = tuple((searched(c.pattern), searched(c.answered_by) if c.answered_by else None)
                              for c in data.neutral)
        # (regex, second regex or None) of each turn context, over the turn's original characters
        self._turn_contexts = tuple((searched(c.pattern), searched(c.also) if c.also else None)
                                    for c in data.turn_contexts)
        # The n-gram stage (lexicon.ngram): flags what no combination of cues reaches.
        self.ngram = ngram
        floor = ngram.cue_floor if ngram is not None else None
        self._cue_floor = -math.inf if floor is None else floor
        # Reviewed texts (a lexicon overlay's FB900 entry): a flagged sentence inside one is dropped.
        self.allow: tuple[str, ...] = tuple(dict.fromkeys(a for a in (normalize(t).text for t in allow) if a))
        if ngram is not None:
            unknown = ngram.cue_ids() - {c.id for c in (*data.cues, *data.mitigators)}
            if unknown:
                raise LexiconError(f"{ngram.path}: weights name cues the tone model {path} does not "
                                   f"have: {', '.join(sorted(unknown))}")
        # The gate: a sentence is scored only when a cue over its normalised text fires
        # (original-text cues such as plain 你 only add) or, for the n-gram stage, one of its
        # trigger n-grams occurs, so a turn is looked at only when one is in its search string —
        # found by the lexicons' own literal automaton and verified regexes (match.engine), one
        # pass over a whole transcript's turns.
        # (phrases, patterns) of each gate entry; the entries themselves are made per matcher
        # group when asked for (gate_entries_in), not made here and then copied into a group.
        self._gate_parts = [((), (c._compiled or compile_pattern(c.pattern),))
                            for c in self._cue_items if c.over == "normalized"]
        for _, (compiled,) in self._gate_parts:
            if compiled.program is None:  # restored from the tone cache: its analysis, not its regex
                compiled.program = program((compiled.source, int(re.MULTILINE)))
        self._gate_cue = [i for i, c in enumerate(self._cue_items) if c.over == "normalized"]
        # One entry per trigger (its index, negative, tells which): a hit straddling a sentence
        # end is checked against the sentence's own text, as the fitting script counts it.
        self._triggers = ngram.triggers if ngram is not None else ()
        self._gate_parts += [((t,), ()) for t in self._triggers]
        self._gate_cue += [-1 - k for k in range(len(self._triggers))]
        # The turn stage's triggers as ONE entry after them (key -1 - len(self._triggers)): a
        # hit only says that one begins in the sentence, which its own automaton then checks
        # in the sentence's text (12,000 entries of their own doubled the matcher's build).
        self._widened_key = -1 - len(self._triggers)
        self._widened: object | None = None  # that automaton, built when first asked
        if self.turn is not None:
            self._gate_parts.append((self.turn.triggers, ()))
            self._gate_cue.append(self._widened_key)
        self._gate_groups: dict[int, tuple[MatchEntry, ...]] = {}
        self._gate: Matcher | None = None

    def __getstate__(self) -> dict:
        # The Rust automaton of the widened gate does not pickle: a copy (a checker sent to a
        # worker or a Spark executor) builds its own when first asked. The programs belong to
        # this interpreter (a Spark executor may run another): the copy compiles from source.
        return {**self.__dict__, "_widened": None, "_programs": {}}

    @property
    def gate_entries(self) -> tuple[MatchEntry, ...]:
        """The gate as matcher entries, for a caller that scans the same texts anyway (the
        phrase matcher joins them to its own, so one automaton pass serves both): the hits of
        entry ``i`` go to :meth:`findings_gated` as ``(start, gate_keys[i])``."""
        return self.gate_entries_in(0)

    def gate_entries_in(self, group: int) -> tuple[MatchEntry, ...]:
        """:attr:`gate_entries` in matcher group ``group`` (made once per group)."""
        entries = self._gate_groups.get(group)
        if entries is None:
            # The phrases are trigger n-grams, normalised text already (checked when their file
            # was validated): they are their own literals.
            entries = self._gate_groups[group] = tuple(MatchEntry(phrases, patterns, group=group, literals=phrases)
                                                       for phrases, patterns in self._gate_parts)
        return entries

    @property
    def gate_keys(self) -> tuple[int, ...]:
        """Per gate entry, what :meth:`findings_gated` is told a hit of it is: a cue's index
        (>= 0) or a trigger n-gram's (negative)."""
        return tuple(self._gate_cue)

    def with_allow(self, allow: Sequence[str]) -> "ToneModel":
        """This model with more reviewed texts allowed (an overlay's ``FB900`` entry)."""
        return ToneModel(self.data, self.path, self.ngram, (*self.allow, *allow), self.turn, self._programs)

    def __repr__(self) -> str:
        return f"ToneModel({self.path!r}, {len(self._cue_items)} cues, threshold {self.data.threshold})"

    @property
    def rule(self) -> str:
        """The rule code of its findings."""
        return self.data.rule

    def score(self, sentence: str, candidates: frozenset[int] | None = None) -> tuple[float, list[str], list[str]]:
        """Score one sentence (original text) by its cues: (score, cues fired, mitigators fired).
        ``candidates``: the only cues over normalised text that may fire (indices into the
        cues; the gate found them), the others are not tried."""
        total, fired, eased, _ = self._cue_score(sentence, normalize(sentence).text, candidates)
        return total, fired, eased

    def _cue_score(self, sentence: str, search: str, candidates: frozenset[int] | None,
                   always_mitigators: bool = False) -> tuple[float, list[str], list[str], bool]:
        """:meth:`score` plus whether a cue over the normalised text fired (``content``);
        mitigators are tried only then, or with ``always_mitigators`` (the n-gram stage's
        features)."""
        fired, eased = [], []
        total = 0.0
        content = False
        # Only the gate's candidates and the cues over the original text are tried (in file order).
        order = range(len(self._cue_items)) if candidates is None else sorted((*candidates, *self._original_cues))
        cues = self._cues
        if cues is None:
            cues = self._compiled_cues()
        for index in order:
            cue, rx = cues[index]
            if rx.search(sentence if cue.over == "original" else search):
                fired.append(cue.id)
                total += cue.weight
                content = content or cue.over == "normalized"
        if not content and not always_mitigators:  # 你 alone is never rude: it only adds to a cue in the words
            return 0.0, fired, eased, False
        for cue, rx in self._mitigators:
            if rx.search(sentence if cue.over == "original" else search):
                eased.append(cue.id)
                total += cue.weight
        return (total if content else 0.0), fired, eased, content

    def _compiled_cues(self) -> list[tuple[ToneCue, re.Pattern[str]]]:
        """The cues with their regexes (and the mitigators with theirs), compiled once."""
        program = self._programs.get
        self._mitigators = [(c, restore(c.pattern, 0, program((c.pattern, 0)))) for c in self._mitigator_items]
        self._cues = [(c, restore(c.pattern, 0, program((c.pattern, 0)))) for c in self._cue_items]
        return self._cues

    def _gated(self, norms: Sequence[Normalized]) -> list[list[tuple[int, int]]]:
        """Per text, (original start, cue index) of the cues over normalised text that fire
        in it (empty: no sentence of it can be flagged)."""
        if not self._gate_parts:
            return [[] for _ in norms]
        if self._gate is None:
            self._gate = Matcher(self.gate_entries)
        cue = self._gate_cue
        return [[(hit.start, cue[hit.entry]) for hit in found] if found else []
                for found in self._gate.find_many(norms)]

    def hits(self, norm: Normalized) -> list[ToneHit]:
        """The flagged sentences of one normalised utterance (spans index ``norm.original``)."""
        at = self._gated((norm,))[0]
        return self._hits(norm, at) if at else []

    def _hits(self, norm: Normalized, cue_starts: list[tuple[int, int]],
              covered: Sequence[tuple[int, int]] = ()) -> list[ToneHit]:
        text = norm.original
        if any(r.search(text) and (a is None or a.search(text)) for r, a in self._turn_contexts):
            return []  # a turn the model does not judge (TurnContext): asked only of a gated turn
        taken = Spans(covered)  # what the lexicons report: see findings_many
        out = []
        # Sorted by where each cue begins, so each sentence takes its own by bisection (a scan
        # of every cue per sentence was quadratic in a long utterance).
        cue_starts = sorted(cue_starts)
        positions = [at for at, _ in cue_starts]
        # Quotations blanked in the whole turn, not per sentence: a sentence's edges are trimmed
        # of quote marks, so 「那我有什么办法」——这种话我们不会再说 would lose its opening 「.
        words = own_words(text)
        spans = sentences(text)
        verdict: tuple[bool, float, tuple[str, ...]] | None = None  # the turn stage's, once per turn
        turn_length = len(norm.text)  # for the turn veto's share
        for index, (start, end) in enumerate(spans):
            found = cue_starts[bisect_left(positions, start):bisect_left(positions, end)]
            if not found:
                continue  # no cue and no trigger begins in this sentence
            if taken.overlaps(start, end):
                continue  # a lexicon finding overlaps it: that finding says it better
            if _HAN.search(text, start, end) is None and _LATIN_WORDS.search(text, start, end):
                # English, not Chinese (a bilingual bot's reply): the models were fitted on Chinese,
                # and the turn stage's single-letter triggers (b, r …) fire on any English. A word or
                # two in Latin letters (ｇｕｎ for 滚, sb) is still Chinese chat and still judged.
                continue
            hit, search, verdict = self._judge(text, words, spans, index, start, found, verdict, turn_length)
            if hit is None and self._tail is not None:
                at = self._tail_start(words, start, end)
                tail = [f for f in found if f[0] >= at] if at is not None else None
                if tail:
                    hit, search, verdict = self._judge(text, words, spans, index, at, tail, verdict, turn_length)
            if hit is None:
                continue
            if _someone_elses(text, hit.start, end):
                continue  # someone else's words, asked only of a sentence it flags
            if self.allow and any(search in allowed for allowed in self.allow):
                continue  # a reviewed text (overlay): its reviewers said it is not rude
            out.append(hit)
        return out

    def _tail_start(self, words: str, start: int, end: int) -> int | None:
        """Where the sentence ``words[start:end]`` turns for the last time (AdversativeTail), or
        ``None``: no turn, or what follows it is too short to judge."""
        regex, shortest = self._tail  # type: ignore[misc]
        at = None
        for m in regex.finditer(words, start, end):
            at = m.start()
        return at if at is not None and at > start and end - at >= shortest else None

    def _judge(self, text: str, words: str, spans: list[tuple[int, int]], index: int, start: int,
               found: list[tuple[int, int]], verdict: tuple[bool, float, tuple[str, ...]] | None,
               turn_length: int) -> tuple[ToneHit | None, str, tuple[bool, float, tuple[str, ...]] | None]:
        """(hit or None, normalised text, the turn stage's verdict) of ``words[start:end]``, where
        ``end`` is the end of sentence ``index`` (a tail of it when ``start`` is later than the
        sentence's) and ``found`` the gate's hits beginning there. ``verdict``: the turn stage's,
        worked out once per turn (``None``: not yet); ``turn_length``: the turn's normalised length
        (for the turn veto)."""
        end = spans[index][1]
        ngram = self.ngram
        band_floor, band_threshold = self._band
        candidates = frozenset(cue for _, cue in found if cue >= 0)
        triggers = [self._triggers[-1 - cue] for _, cue in found if self._widened_key < cue < 0]
        widened = any(cue == self._widened_key for _, cue in found)
        own = words[start:end]
        search = normalize(own).text
        score, fired, eased, content = self._cue_score(own, search, candidates, ngram is not None)
        hit = None
        if content and score >= self.data.threshold and len(fired) >= self.data.min_cues:
            # The n-gram stage may veto the cue stage's call (its weakest calls were polite
            # speech in dialect or to a colleague: 小王，别催这位阿姨); then nothing is flagged,
            # as its probability is below its own threshold too.
            if ngram is None or not ngram.veto or ngram.judge(search, own, (*fired, *eased))[1] >= ngram.veto:
                hit = ToneHit(start, end, round(score, 3), tuple(fired), tuple(eased))
        elif ngram is not None and ((gated := (content and ngram.cue_gate and score >= self._cue_floor)
                                     or any(t in search for t in triggers))
                                    or (widened and self._holds_widened(search))):
            flagged, p = ngram.judge(search, own, (*fired, *eased))
            if (flagged or p >= band_floor) and self._neutral:
                following = spans[index + 1] if index + 1 < len(spans) else None
                rest = self._without_neutral(own, words[following[0]:following[1]] if following else "")
                if rest != own:  # judged again on what is left (nothing left: not flagged)
                    own, search = rest, normalize(rest).text
                    _, fired, eased, _ = self._cue_score(own, search, candidates, True)
                    flagged, p = ngram.judge(search, own, (*fired, *eased)) if search else (False, 0.0)
            if flagged and gated:
                share, needed = self._veto
                if len(search) >= share * turn_length:
                    # The sentence is (nearly) the whole turn: the turn stage reads the same words,
                    # and a flag it calls clearly polite does not stand (TurnVeto).
                    if verdict is None:
                        verdict = self._turn_verdict(text)
                    if verdict[1] < needed:
                        return None, search, verdict
                hit = ToneHit(start, end, round(p, 3), tuple(fired), tuple(eased), "ngram",
                              tuple(ngram.top(search, own)), ngram.threshold_for(search))
            elif flagged or p >= band_floor:
                # Through the widened gate, or in the band just under the n-gram stage's
                # threshold: only with the turn stage's agreement (stricter in the band).
                if verdict is None:
                    verdict = self._turn_verdict(text)
                rude, q, top = verdict
                if flagged:
                    agreed, needed = rude, self.turn.threshold  # type: ignore[union-attr]
                else:
                    agreed, needed = q >= band_threshold, band_threshold
                if agreed:
                    hit = ToneHit(start, end, round(q, 3), tuple(fired), tuple(eased), "turn",
                                  top, needed, round(p, 3))
        return hit, search, verdict

    def vetoes(self, text: str, longest: int) -> bool:
        """Whether the lexicon veto (:class:`LexiconVeto`) drops the packaged lexicon's findings
        in the turn ``text`` (original characters), the longest of which covers ``longest``
        characters: they are a small part of it, and both stages read the turn as courteous
        (under the threshold, with a mitigator of the model's in it).
        ``False`` without a lexicon veto. Asked once per turn that lexicon flags; linear in its
        length."""
        veto, ngram = self.lexicon_veto, self.ngram
        if veto is None or ngram is None or longest > veto.share * len(text):
            return False
        if self._veto_unless is not None and self._veto_unless.search(text):
            return False  # a sneer the models cannot see (呵呵 is 呵 to them)
        own = [(words, search) for words, search in own_sentences(text) if search]
        courteous = False  # a mitigator of the model's (您, 请, an apology, an offer of help …) in the turn
        for words, search in own:
            _, fired, eased, _ = self._cue_score(words, search, None, True)
            if ngram.probability(search, words, (*fired, *eased)) >= veto.threshold:
                return False
            courteous = courteous or bool(eased)
        # Courtesy must be there, not only rudeness missing: the models miss some open
        # hostility (我们骂你刚好，因为上班才没有打你而已 scores 0.1), which carries none of it.
        # A turn with no own sentence (all quoted or reported) has nothing the models read.
        if not courteous:
            return False
        return self.turn.judge([search for _, search in own])[1] < veto.threshold  # type: ignore[union-attr]

    def _holds_widened(self, search: str) -> bool:
        """Whether one of the turn stage's triggers occurs in ``search`` (a sentence's
        normalised text; the gate's hit may straddle the sentence's end)."""
        if self._widened is None:
            import ahocorasick_rs
            self._widened = ahocorasick_rs.AhoCorasick(list(self.turn.triggers))  # type: ignore[union-attr]
        return bool(self._widened.find_matches_as_indexes(search))  # type: ignore[attr-defined]

    def _turn_verdict(self, text: str) -> tuple[bool, float, tuple[str, ...]]:
        """(rude at the stage's own threshold, probability, the features that weighed most) of
        the turn ``text``, once per turn however many of its sentences ask (a turn of 2,000 such
        sentences asked 2,000 times for its top features took minutes): over the sentences the
        fitting script saw (quotations blanked, someone else's words left out). The features are
        worked out only when the probability reaches a threshold some sentence may need."""
        turn = self.turn
        assert turn is not None
        own_searches = [search for _, search in own_sentences(text) if search]
        rude, q = turn.judge(own_searches)
        return rude, q, tuple(turn.top(own_searches)) if rude or q >= self._band[1] else ()

    def _without_neutral(self, own: str, following: str) -> str:
        """``own`` (a sentence's own words) without its clauses that a neutral clause matches
        (over each clause's normalised text); ``following``: the own words of the next sentence
        of the turn ("" when it is the last), for the clauses it must answer."""
        pieces = [p for p in _CLAUSE_SPLIT.split(own) if p]

        @lru_cache(maxsize=None)
        def answer() -> str:  # the next sentence's normalised text, worked out once if asked for
            return normalize(following).text

        def answered(regex: LazyRegex) -> bool:
            return regex.search(answer()) is not None

        kept = [p for p in pieces if not self._is_neutral(normalize(p).text, answered)]
        return own if len(kept) == len(pieces) else "，".join(kept)

    def _is_neutral(self, clause: str, answered: Callable[[LazyRegex], bool]) -> bool:
        """Whether a neutral clause matches ``clause`` (normalised text), with the next
        sentence answering it where the clause asks for that (``answered``)."""
        return any(r.search(clause) and (a is None or answered(a)) for r, a in self._neutral)

    def findings_many(self, norms: Sequence[Normalized], turns: Sequence[int | None] | None = None,
                      covered: Sequence[Sequence[tuple[int, int, int]]] | None = None,
                      taboos: Container[int] = ()) -> list[list[Finding]]:
        """:meth:`findings` for several texts (a transcript's turns) with one gate pass;
        ``turns[i]`` is recorded in the findings of ``norms[i]``. ``covered[i]``: the lexicon
        hits ``(entry, start, end)`` of ``norms[i]``; a sentence that a hit of an entry in
        ``taboos`` overlaps is not scored (the caller keeps that finding there)."""
        gated = [(at, found) for at, found in enumerate(self._gated(norms)) if found]
        out: list[list[Finding]] = [[] for _ in norms]
        for (at, _), found in zip(gated, self.findings_gated(norms, gated, turns, covered, taboos)):
            out[at] = found
        return out

    def findings_gated(self, norms: Sequence[Normalized], gated: Sequence[tuple[int, list[tuple[int, int]]]],
                       turns: Sequence[int | None] | None = None,
                       covered: Sequence[Sequence[tuple[int, int, int]]] | None = None,
                       taboos: Container[int] = ()) -> list[list[Finding]]:
        """:meth:`findings_many` once the gate has been run by the caller (its
        :attr:`gate_entries` in the caller's own matcher): ``gated`` holds ``(i, hits)`` for
        each text ``norms[i]`` where a gate entry hit, ``hits`` as ``(original start,
        gate_keys[entry])``; the texts left out have no finding. One list of findings per
        item of ``gated``, in its order."""
        out: list[list[Finding]] = []
        for at, found in gated:
            norm = norms[at]
            spans = [(s, e) for entry, s, e in covered[at] if entry in taboos] if covered is not None else ()
            hits = self._hits(norm, found, spans)
            out.append(self._findings(norm, hits, None if turns is None else turns[at]) if hits else [])
        return out

    def findings(self, norm: Normalized, turn: int | None = None) -> list[Finding]:
        """:meth:`hits` as findings of the model's rule, the cues that fired in the message."""
        hits = self.hits(norm)
        if not hits:
            return []
        return self._findings(norm, hits, turn)

    def _findings(self, norm: Normalized, hits: list[ToneHit], turn: int | None) -> list[Finding]:
        d = self.data
        text = norm.original
        return [make_finding({
            "rule": d.rule, "category": d.category, "severity": d.severity,
            "start": h.start, "end": h.end, "text": text[h.start:h.end],
            "message": self._message(h), "suggestion": d.suggestion, "turn": turn,
        }) for h in hits]

    def _message(self, h: ToneHit) -> str:
        d = self.data
        if h.stage == "turn":
            return (f"{d.description}（整轮: {', '.join(h.ngrams)}; n-gram 概率 {h.referred:g}"
                    + f"; 整轮概率 {h.score:g} ≥ {h.threshold:g}）")
        if h.stage == "ngram" and self.ngram is not None:
            return (f"{d.description}（n-gram: {', '.join(h.ngrams)}"
                    + (f"; 线索: {', '.join(h.cues)}" if h.cues else "")
                    + (f"; 缓和: {', '.join(h.mitigators)}" if h.mitigators else "")
                    + f"; 概率 {h.score:g} ≥ {h.threshold if h.threshold is not None else self.ngram.threshold:g}）")
        return (f"{d.description}（线索: {', '.join(h.cues)}"
                + (f"; 缓和: {', '.join(h.mitigators)}" if h.mitigators else "")
                + f"; 得分 {h.score:g} ≥ {d.threshold:g}）")

    def check(self, text: str) -> list[Finding]:
        """:meth:`findings` of a raw text."""
        return self.findings(normalize(text))

    def failing_examples(self) -> list[tuple[str, str]]:
        """The inline examples that do not hold, as (expected, text)."""
        bad = [("match", t) for t in self.data.examples.match if not self.check(t)]
        bad += [("no_match", t) for t in self.data.examples.no_match if self.check(t)]
        return bad


def tone_overridden(tone: ToneModel | None, overrides: Sequence[object]) -> ToneModel | None:
    """``tone`` as lexicon overlays leave it (``Lexicon.tone``: a ``ToneOverrides`` or ``None``
    per lexicon): ``None`` when one turned it off, else with their reviewed texts allowed."""
    given = [o for o in overrides if o is not None]
    if tone is None or not given:
        return tone
    if not all(getattr(o, "enabled", True) for o in given):
        return None
    allow = [t for o in given for t in getattr(o, "allow", ())]
    return tone.with_allow(allow) if allow else tone


def default_tone_path() -> Path:
    """The packaged tone model's file."""
    return defaults_dir() / "models" / "tone.yaml"


def is_packaged_forbidden(lexicon: object) -> bool:
    """Whether ``lexicon`` (a compiled lexicon) is the packaged forbidden lexicon, the one the
    packaged tone model goes with."""
    if getattr(lexicon, "kind", None) != "forbidden":
        return False
    try:
        return Path(lexicon.path).resolve() == (defaults_dir() / "forbidden.yaml").resolve()  # type: ignore[attr-defined]
    except (OSError, TypeError, ValueError):
        return False


def load_tone(path: str | Path | None = None, ngram: bool = True) -> ToneModel:
    """Load a tone model file (the packaged one by default) with its n-gram stage (unless
    ``ngram=False``: the cue stage alone); :class:`LexiconError` naming the file and the
    reason when it is unreadable or invalid."""
    path = Path(path) if path is not None else default_tone_path()
    content = read_data(path, LexiconError)
    key = tone_cache.key(content)
    known = tone_cache.load_cue_analyses(key)
    data = parse_data(content, path, LexiconError)
    try:
        model = ToneFile.model_validate(data, context={"known": known[:2] if known is not None else None})
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data, list_key="cues")) from None
    if known is None:
        cues = (*model.cues, *model.mitigators)
        searched = ([c.pattern for c in (*cues, *model.neutral, *model.turn_contexts)]
                    + [c.also for c in model.turn_contexts if c.also]
                    + [c.answered_by for c in model.neutral if c.answered_by]
                    + ([model.tail.pattern] if model.tail is not None else [])
                    + ([model.lexicon_veto.unless] if model.lexicon_veto and model.lexicon_veto.unless else []))
        # Each is searched with flags 0; a cue over normalised text is also a gate pattern
        # (MULTILINE), whose program compile_pattern captured when it checked it.
        programs = {(p, 0): compile_captured(p)[1] for p in searched}
        programs.update({(c.pattern, int(re.MULTILINE)): c._compiled.program for c in cues if c._compiled is not None})
        tone_cache.store_cue_analyses(key, searched,
                                      {c.pattern: c._compiled.analysis for c in cues if c._compiled is not None},
                                      programs)
        programs = {k: p for k, p in programs.items() if p is not None}
    else:
        programs = known[2]
    # The n-gram stage sits next to the file (a bare file name: the data never names a path).
    stage = load_ngram(path.parent / model.ngram) if model.ngram and ngram else None
    turn = load_turn_model(path.parent / model.turn) if model.turn and stage is not None else None
    return ToneModel(model, str(path), stage, turn=turn, programs=programs)


@lru_cache(maxsize=1)
def _default() -> ToneModel:
    return load_tone()


def default_tone() -> ToneModel | None:
    """The packaged tone model, loaded once; ``None`` when ``SCRIPTCHECK_TONE=off``."""
    if os.environ.get("SCRIPTCHECK_TONE", "").lower() in ("off", "0", "false", "no"):
        return None
    return _default()
