"""Findings → dimension scores → total, like a QA scoring template (评分模板).

Every finding costs its rule's points (capped per rule per transcript). A dimension's score is
100 minus the points lost in it; the total is 100 minus every point lost, each dimension's
points multiplied by its weight (1 by default), so the deductions listed in a report add up to
exactly ``100 - score``. A finding at or above the profile's veto severity fails the
transcript whatever its score (一票否决).
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from scriptcheck.models import SEVERITY_RANK, Deduction, Finding, make_deduction
from scriptcheck.profile.schema import ProfileFile

__all__ = ["Score", "score_findings"]


class Score(NamedTuple):
    """The scoring of one transcript."""

    total: float
    passed: bool
    vetoed: bool
    dimensions: dict[str, float]
    deductions: list[Deduction]


def score_findings(profile: ProfileFile, findings: Iterable[Finding], applicable: Iterable[str]) -> Score:
    """Score ``findings`` under ``profile``; only ``applicable`` dimensions are scored."""
    veto_rank = SEVERITY_RANK[profile.forbidden.veto_on]
    vetoed = False
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        items = by_rule.get(finding.rule)
        if items is None:
            by_rule[finding.rule] = [finding]
        else:
            items.append(finding)
        if SEVERITY_RANK[finding.severity] >= veto_rank:
            vetoed = True
    wanted = applicable if isinstance(applicable, (set, frozenset)) else set(applicable)
    applicable = [d for d in profile.weighted_dimensions if d in wanted]
    if not by_rule:  # a transcript without findings: nothing lost anywhere
        return Score(100.0, 100.0 >= profile.pass_mark, False, dict.fromkeys(applicable, 100.0), [])
    rules = profile.rules_by_id
    weights = profile.weights
    lost: dict[str, float] = {}
    deductions = []
    deducted = []  # each deduction's points, summed below in the same order as before
    for code in sorted(by_rule):
        items = by_rule[code]
        rule = rules.get(code)
        if rule is None:  # a lexicon (forbidden-phrase) rule
            dimension = "forbidden"
            severity_points = profile.forbidden.points
            raw = sum([severity_points.get(f.severity, 0) for f in items])
            cap = profile.forbidden.cap
        else:
            dimension = rule.dimension
            raw = rule.points * len(items)
            cap = rule.cap
        points = min(raw, cap) if cap is not None else raw
        if dimension not in applicable or points <= 0:
            continue
        lost[dimension] = lost.get(dimension, 0.0) + points
        weighted = _round2(points * weights.get(dimension, 1.0))
        deducted.append(weighted)
        deductions.append(make_deduction({"dimension": dimension, "rule": code, "points": weighted,
                                          "count": len(items)}))
    dimensions = {d: _round2(max(0.0, 100.0 - lost.get(d, 0.0))) for d in applicable}
    total = _round2(max(0.0, 100.0 - sum(deducted)))
    return Score(total, (total >= profile.pass_mark) and not vetoed, vetoed, dimensions, deductions)


def _round2(value: float) -> float:
    """``round(value, 2)``; whole numbers, most scores, skip its decimal-string round trip."""
    if type(value) is float and value.is_integer():
        return value
    return round(value, 2)
