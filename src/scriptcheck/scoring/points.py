"""Findings → dimension scores → total, like a QA scoring template (评分模板).

Every finding costs its rule's points (capped per rule per transcript). A dimension's score is
100 minus the points lost in it; the total is 100 minus every point lost, each dimension's
points multiplied by its weight (1 by default), so the deductions listed in a report add up to
exactly ``100 - score``. A finding at or above the profile's veto severity fails the
transcript whatever its score (一票否决).
"""

from __future__ import annotations

from collections import defaultdict
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
    rules = profile.rules_by_id
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    veto_rank = SEVERITY_RANK[profile.forbidden.veto_on]
    vetoed = False
    for finding in findings:
        by_rule[finding.rule].append(finding)
        if SEVERITY_RANK[finding.severity] >= veto_rank:
            vetoed = True
    wanted = set(applicable)
    applicable = [d for d in profile.weighted_dimensions if d in wanted]
    lost: dict[str, float] = defaultdict(float)
    deductions = []
    for code, items in sorted(by_rule.items()):
        rule = rules.get(code)
        if rule is None:  # a lexicon (forbidden-phrase) rule
            dimension = "forbidden"
            raw = sum(profile.forbidden.points.get(f.severity, 0) for f in items)
            cap = profile.forbidden.cap
        else:
            dimension = rule.dimension
            raw = rule.points * len(items)
            cap = rule.cap
        points = min(raw, cap) if cap is not None else raw
        if dimension not in applicable or points <= 0:
            continue
        lost[dimension] += points
        weighted = points * profile.weights.get(dimension, 1.0)
        deductions.append(make_deduction({"dimension": dimension, "rule": code, "points": _round2(weighted),
                                          "count": len(items)}))
    dimensions = {d: _round2(max(0.0, 100.0 - lost[d])) for d in applicable}
    total = _round2(max(0.0, 100.0 - sum(d.points for d in deductions)))
    return Score(total, (total >= profile.pass_mark) and not vetoed, vetoed, dimensions, deductions)


def _round2(value: float) -> float:
    """``round(value, 2)``; whole numbers, most scores, skip its decimal-string round trip."""
    if type(value) is float and value.is_integer():
        return value
    return round(value, 2)
