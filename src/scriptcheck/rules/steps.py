"""Required steps (in a window of agent turns) and their order."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, NamedTuple

from rapidfuzz import fuzz

from scriptcheck.models import Finding, StepResult, make_finding, make_step_result
from scriptcheck.profile.schema import OrderRule, StepRule
from scriptcheck.rules.context import TranscriptContext

__all__ = ["StepOccurrence", "find_step", "check_step", "check_order"]

# A turn much shorter than a reference wording can "contain" it only by accident
# (partial_ratio of 再见 against a whole closing script is 100).
_MIN_LENGTH_SHARE = 0.8
# Short references (这款宝贝) align with anything that mentions the noun; they are matched
# exactly through the lexicon only.
_MIN_REFERENCE = 6
# A negated wording is not the step: 现在店铺没有活动 is not 现在店铺有活动.
_NEGATIONS = frozenset("不没无别未非")


class StepOccurrence(NamedTuple):
    """One place a step was said: turn, original span, text and match score (100 = lexicon)."""

    turn: int
    start: int
    end: int
    text: str
    score: float


def _window(rule: StepRule, ctx: TranscriptContext) -> list[int]:
    return ctx.agent_turns[rule.window.turns]


def find_step(rule: StepRule, ctx: TranscriptContext) -> list[StepOccurrence]:
    """Every place in the rule's window where the step is said: lexicon phrases of its
    categories first, then fuzzy alignment (rapidfuzz) against its reference wordings."""
    found: list[StepOccurrence] = []
    categories = rule.category_set
    references = rule.references
    threshold = rule.threshold
    for turn in _window(rule, ctx):
        hits = ctx.has(turn, categories)
        if hits:
            for h in hits:
                found.append(StepOccurrence(turn, h.start, h.end, h.text, 100.0))
            continue
        if not references:
            continue
        norm = ctx.normalized[turn]
        searched = norm.text
        best = None
        for ref in references:
            if len(ref) < _MIN_REFERENCE or len(searched) < len(ref) * _MIN_LENGTH_SHARE:
                continue
            if len(searched) >= len(ref) and not _may_align(ref, searched, threshold):
                continue
            alignment = fuzz.partial_ratio_alignment(ref, searched, score_cutoff=threshold)
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


def _may_align(reference: str, text: str, threshold: float) -> bool:
    """Whether ``reference`` can reach ``threshold`` in a partial ratio against ``text`` (no
    shorter than it). The ratio of the reference against a window of w <= n characters is
    200·LCS/(n + w) with LCS <= w, so reaching t needs LCS >= t·n/(200 - t); the LCS is at most
    the number of the text's characters that occur in the reference at all, which is counted
    in C (``text/_native.pyx``, or one regex search). Most turns fail this test and never reach
    rapidfuzz."""
    if _count_shared is not None:
        shared = _count_shared(text, reference)
    else:
        shared = len(_reference_characters(reference)(text))
    return shared * (200 - threshold) >= threshold * len(reference)


try:  # compiled (text/_native.pyx) when it could be built; the regex below is the reference
    from scriptcheck.text._native import count_shared as _count_shared
except ImportError:
    _count_shared = None


@lru_cache(maxsize=1024)
def _reference_characters(reference: str) -> Callable[[str], list[str]]:
    return re.compile("[" + re.escape("".join(sorted(set(reference)))) + "]").findall


def check_step(rule: StepRule, ctx: TranscriptContext) -> tuple[StepResult, list[StepOccurrence], list[Finding]]:
    """The step's result (first occurrence, or last one for a closing window) and, when it is
    missing, a finding explaining where it was looked for."""
    occurrences = find_step(rule, ctx)
    if occurrences:
        pick = occurrences[-1] if rule.window.last is not None else occurrences[0]
        result = make_step_result({"rule": rule.id, "name": rule.name, "satisfied": True, "turn": pick.turn,
                                   "start": pick.start, "end": pick.end, "text": pick.text, "score": pick.score})
        return result, occurrences, []
    missing, finding = rule.missing
    return missing, occurrences, [finding]


def check_order(rule: OrderRule, located: dict[str, list[StepOccurrence]], ctx: TranscriptContext) -> list[Finding]:
    """Steps that were all found must appear in the given order (the first or the last
    occurrence of each, as the rule says)."""
    positions = []
    pick = max if rule.use == "last" else min
    for name in rule.steps:
        occurrences = located.get(name)
        if not occurrences:
            return []  # a missing step is already its own finding
        positions.append((name, pick(occurrences, key=lambda o: (o.turn, o.start))))
    for (before, a), (after, b) in zip(positions, positions[1:]):
        if (a.turn, a.start) > (b.turn, b.start):
            return [make_finding({
                "rule": rule.id, "category": "step", "severity": rule.severity, "turn": b.turn, "start": b.start,
                "end": b.end, "text": b.text,
                "message": f"'{after}' comes before '{before}': {rule.description}",
                "suggestion": rule.suggestion,
            })]
    return []
