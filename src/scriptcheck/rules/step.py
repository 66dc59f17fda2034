"""Kind ``step``: a required step, said in a window of agent turns (开场白, 结束语 …).

The step is satisfied by a service phrase of one of its categories in an agent turn of its
window, or by a wording close enough (rapidfuzz) to one of its reference phrases. A missing
step is one finding without a span, whose message says where it was looked for.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property, lru_cache
from typing import Annotated, Callable, Literal, NamedTuple

from pydantic import Field, model_validator

from scriptcheck.models import Finding, StepResult, make_finding, make_step_result
from scriptcheck.rules.base import CategorySet, Dimension, FileModel, Outcome, RuleBase, ScanNeeds, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.normalize import normalize_phrase

__all__ = ["Window", "StepRule", "StepOccurrence", "find_step", "STEPS_FOUND"]

# Outcome.shared key: step name → where it was said (the order rules read it).
STEPS_FOUND = "step"

# A turn much shorter than a reference wording can "contain" it only by accident
# (partial_ratio of 再见 against a whole closing script is 100).
_MIN_LENGTH_SHARE = 0.8
# Short references (这款宝贝) align with anything that mentions the noun; they are matched
# exactly through the lexicon only.
_MIN_REFERENCE = 6
# A negated wording is not the step: 现在店铺没有活动 is not 现在店铺有活动.
_NEGATIONS = frozenset("不没无别未非")
# The longest reference wording a step may give (the packaged profiles' longest: under 60).
MAX_REFERENCE = 200
_tuple_new = tuple.__new__


class Window(FileModel):
    """Which agent turns a step may appear in: the first N, the last N, or anywhere."""

    first: int | None = Field(default=None, ge=1)
    last: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> "Window":
        if self.first is not None and self.last is not None:
            raise ValueError("give `first` or `last`, not both")
        return self

    @cached_property
    def turns(self) -> slice:
        """The slice of a transcript's agent turns the window covers."""
        if self.first is not None:
            return slice(None, self.first)
        if self.last is not None:
            return slice(-self.last, None)
        return slice(None)


@register
class StepRule(RuleBase, CategorySet):
    """A required step: a phrase of one of ``categories`` in an agent turn of the window."""

    kind: Literal["step"]
    dimension: Dimension = "steps"
    categories: list[str] = Field(min_length=1, description="Polite-lexicon categories that satisfy the step.")
    # Bounded: fuzzy alignment costs about the reference's length times the turn's, and a profile
    # from a pull request with one 20,000-character "wording" took minutes per transcript.
    phrases: list[Annotated[str, Field(max_length=MAX_REFERENCE)]] = Field(
        default_factory=list, description=f"Reference wordings for fuzzy matching (at most {MAX_REFERENCE} characters each).")
    threshold: float = Field(default=88, ge=50, le=100, description="rapidfuzz partial-ratio threshold.")
    window: Window = Field(default_factory=Window)

    scores = "steps"

    @cached_property
    def references(self) -> tuple[str, ...]:
        """The reference wordings in search-string form (what fuzzy alignment compares)."""
        return tuple(normalize_phrase(p) for p in self.phrases)

    @cached_property
    def missing(self) -> tuple[StepResult, Finding]:
        """The result and the finding of this step when it is missing: the same for every
        transcript (both frozen), so built once."""
        where = (f"the first {self.window.first} agent turn(s)" if self.window.first is not None
                 else f"the last {self.window.last} agent turn(s)" if self.window.last is not None
                 else "any agent turn")
        finding = make_finding({"rule": self.id, "category": "step", "severity": self.severity, "start": None,
                                "end": None, "text": "",
                                "message": f"missing step '{self.name}' in {where}: {self.description}",
                                "suggestion": self.suggestion})
        return make_step_result({"rule": self.id, "name": self.name, "satisfied": False}), finding

    def needs(self) -> ScanNeeds:
        """The step's categories, in its window only."""
        return ScanNeeds(window=self.window.turns, windowed=self.category_set)

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """The step's result (the first occurrence, or the last one for a closing window) and,
        when it is missing, a finding explaining where it was looked for."""
        occurrences = find_step(self, ctx)
        out.shared.setdefault(STEPS_FOUND, {})[self.name] = occurrences
        if occurrences:
            pick = occurrences[-1] if self.window.last is not None else occurrences[0]
            out.steps.append(make_step_result({
                "rule": self.id, "name": self.name, "satisfied": True, "turn": pick.turn,
                "start": pick.start, "end": pick.end, "text": pick.text, "score": pick.score}))
            return
        missing, finding = self.missing
        out.steps.append(missing)
        out.findings.append(finding)


class StepOccurrence(NamedTuple):
    """One place a step was said: turn, original span, text and match score (100 = lexicon)."""

    turn: int
    start: int
    end: int
    text: str
    score: float


def find_step(rule: StepRule, ctx: TranscriptContext) -> list[StepOccurrence]:
    """Every place in the rule's window where the step is said: lexicon phrases of its
    categories first, then fuzzy alignment (rapidfuzz) against its reference wordings."""
    found: list[StepOccurrence] = []
    categories = rule.category_set
    references = rule.references
    threshold = rule.threshold
    hits_of = ctx.hits
    for turn in ctx.agent_turns[rule.window.turns]:
        hits = hits_of(turn, categories)
        if hits:
            for h in hits:
                # tuple.__new__ straight away: StepOccurrence(...) runs a Python __new__
                found.append(_tuple_new(StepOccurrence, (turn, h.start, h.end, h.text, 100.0)))
            continue
        if not references:
            continue
        norm = ctx.normalized[turn]
        searched = norm.text
        best = None
        for ref in references:
            if len(ref) < _MIN_REFERENCE or len(searched) < len(ref) * _MIN_LENGTH_SHARE:
                continue
            if not _may_align(ref, searched, threshold):
                continue
            alignment = _partial_ratio_alignment()(ref, searched, score_cutoff=threshold)
            if alignment is None or alignment.dest_end <= alignment.dest_start:
                continue
            aligned = searched[max(0, alignment.dest_start - 1):alignment.dest_end]
            if (_NEGATIONS & set(aligned)) - set(ref):
                continue
            if best is None or alignment.score > best.score:
                best = alignment
        if best is not None:
            start, end = norm.span(best.dest_start, best.dest_end)
            # Words the lexicon already knows as another service phrase are that phrase:
            # 请问还有什么可以帮助您的 aligns well with 请问有什么可以帮您 but asks "anything else?".
            if any(h.start < end and start < h.end for h in ctx.all_phrases(turn)):
                continue
            text = ctx.transcript.turns[turn].text
            found.append(StepOccurrence(turn, start, end, text[start:end], round(best.score, 1)))
    return found


_ALIGNMENT: list = []


def _partial_ratio_alignment() -> Callable:
    """``rapidfuzz.fuzz.partial_ratio_alignment``, imported on first use (its import is a cost
    most runs never pay) and kept: an import statement in the loop ran the import machinery
    for every turn compared."""
    if not _ALIGNMENT:
        from rapidfuzz import fuzz

        _ALIGNMENT.append(fuzz.partial_ratio_alignment)
    return _ALIGNMENT[0]


def _may_align(reference: str, text: str, threshold: float) -> bool:
    """Whether ``reference`` can reach ``threshold`` in a partial ratio against ``text``.
    rapidfuzz aligns the shorter of the two, of n characters, against windows of w <= n
    characters of the other; the ratio of a window is 200·LCS/(n + w) with LCS <= w, so
    reaching t needs LCS >= t·n/(200 - t). The LCS is at most the number of the text's
    characters that occur in the reference at all (whichever of the two is shorter), which is
    counted in C (``text/_native.pyx``, or one regex search). Most turns fail this test and
    never reach rapidfuzz.

    The LCS is also at most the size of the two strings' multiset intersection (a character
    counts as often as both have it: 好 said three times in the text and once in the
    reference counts once), a tighter bound that turns away most of the turns the first count
    lets through (on resampled real chats 1,356 of 23,500 passed it, of which 95 pass both and
    42 align). It is computed only for those (natively, or with ``Counter`` below), and it only
    ever turns away a pair rapidfuzz would have scored under ``threshold``: the steps found
    are the same."""
    limit = threshold * min(len(reference), len(text))
    if _count_common is not None:
        return _count_shared(text, reference) * (200 - threshold) >= limit \
            and _count_common(text, reference) * (200 - threshold) >= limit
    if len(_reference_characters(reference)(text)) * (200 - threshold) < limit:
        return False
    return _common_characters(text, reference) * (200 - threshold) >= limit


def _common_characters(text: str, reference: str) -> int:
    """The size of the multiset intersection of ``text`` and ``reference`` (the reference
    ``text/_native.pyx`` ``count_common`` is tested against)."""
    return sum((Counter(text) & Counter(reference)).values())


try:  # compiled (text/_native.pyx) when it could be built; the regex and Counter are the reference
    from scriptcheck.text._native import count_common as _count_common, count_shared as _count_shared
except ImportError:
    _count_common = _count_shared = None


@lru_cache(maxsize=1024)
def _reference_characters(reference: str) -> Callable[[str], list[str]]:
    return re.compile("[" + re.escape("".join(sorted(set(reference)))) + "]").findall
