"""Scoring a transcript under a profile: lexicon scan per turn, transcript rules, scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scriptcheck.models import Finding, Report, StepResult, Transcript
from scriptcheck.profile.loader import Profile
from scriptcheck.profile.schema import (HonorificRule, HygieneRule, OrderRule, PairRule, PrivacyRule,
                                        StepRule, TemplateKindRule, TimingRule)
from scriptcheck.rules import (TranscriptContext, check_honorific, check_hygiene, check_order,
                               check_pair, check_privacy, check_step, check_template_kind,
                               check_timing)
from scriptcheck.rules.template import template_kind
from scriptcheck.scoring import score_findings

if TYPE_CHECKING:
    from scriptcheck.checker import Checker

__all__ = ["score_transcript"]


class _Plan:
    """A profile's rules sorted by kind once, so scoring a transcript does no dispatch."""

    def __init__(self, profile: Profile) -> None:
        rules = profile.data.rules
        self.steps = [r for r in rules if isinstance(r, StepRule)]
        self.pairs = [r for r in rules if isinstance(r, PairRule)]
        self.honorific = [r for r in rules if isinstance(r, HonorificRule)]
        self.privacy = [r for r in rules if isinstance(r, PrivacyRule)]
        self.timing = [r for r in rules if isinstance(r, TimingRule)]
        self.template_kinds = [r for r in rules if isinstance(r, TemplateKindRule)]
        self.hygiene = [r for r in rules if isinstance(r, HygieneRule)]
        self.order = [r for r in rules if isinstance(r, OrderRule)]
        # DisabledRule: replaces an inherited rule and checks nothing.


_PLANS: dict[int, tuple[Profile, _Plan]] = {}


def _plan(profile: Profile) -> _Plan:
    cached = _PLANS.get(id(profile))
    if cached is None or cached[0] is not profile:
        cached = _PLANS[id(profile)] = (profile, _Plan(profile))
    return cached[1]


def _finding_order(f: Finding) -> tuple:
    return (f.turn if f.turn is not None else -1, f.start or 0, f.rule)


def score_transcript(profile: Profile, checker: "Checker", transcript: Transcript) -> Report:
    """Apply every rule of ``profile`` to ``transcript`` and score the findings."""
    plan = _plan(profile)
    ctx = TranscriptContext.build(transcript, checker, profile.customer_categories)
    findings: list[Finding] = [f for turn in ctx.findings if turn for f in turn]
    steps: list[StepResult] = []
    located = {}
    for rule in plan.steps:
        result, occurrences, missing = check_step(rule, ctx)
        steps.append(result)
        located[rule.name] = occurrences
        findings.extend(missing)
    for rule in plan.pairs:
        findings.extend(check_pair(rule, ctx))
    for rule in plan.honorific:
        findings.extend(check_honorific(rule, ctx))
    privacy_taken: list[tuple[int, int, int]] = []
    for rule in plan.privacy:
        findings.extend(check_privacy(rule, ctx, privacy_taken))
    timed = bool(plan.timing) and ctx.timed
    if timed:
        for rule in plan.timing:
            findings.extend(check_timing(rule, ctx))
    for rule in plan.template_kinds:
        findings.extend(check_template_kind(rule, ctx))
    for rule in plan.hygiene:
        findings.extend(check_hygiene(rule, ctx))
    for rule in plan.order:
        findings.extend(check_order(rule, located, ctx))
    applicable = {"forbidden", "politeness", "privacy"}
    if steps:
        applicable.add("steps")
    elif plan.template_kinds:
        kind = template_kind(ctx)
        if kind is not None and any(kind in r.template_kinds for r in plan.template_kinds):
            applicable.add("steps")  # a template of a kind with requirements is scored on them
    if timed:
        applicable.add("timing")
    findings.sort(key=_finding_order)
    score = score_findings(profile.data, findings, applicable)
    return Report(
        id=transcript.id, profile=profile.name, score=score.total, passed=score.passed,
        vetoed=score.vetoed, dimensions=score.dimensions, deductions=score.deductions,
        findings=findings, steps=steps, metadata=dict(transcript.metadata),
    )
