"""Scoring a transcript under a profile: lexicon scan per turn, transcript rules, scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scriptcheck.models import Finding, Report, StepResult, Transcript, make_report
from scriptcheck.profile.loader import Profile
from scriptcheck.profile.schema import (HonorificRule, HygieneRule, OrderRule, PairRule, PrivacyRule,
                                        StepRule, TemplateKindRule, TimingRule)
from scriptcheck.rules import (TranscriptContext, check_honorific, check_hygiene, check_order,
                               check_pair, check_privacy, check_step, check_template_kind,
                               check_timing)
from scriptcheck.scoring import score_findings

if TYPE_CHECKING:
    from scriptcheck.checker import Checker

__all__ = ["score_transcript"]


def _finding_order(f: Finding) -> tuple:
    return (f.turn if f.turn is not None else -1, f.start or 0, f.rule)


def score_transcript(profile: Profile, checker: "Checker", transcript: Transcript) -> Report:
    """Apply every rule of ``profile`` to ``transcript`` and score the findings."""
    kinds = profile.rules_by_kind
    ctx = TranscriptContext.build(transcript, checker, profile.customer_categories, profile.agent_categories)
    findings: list[Finding] = [f for turn in ctx.findings if turn for f in turn]
    steps: list[StepResult] = []
    located = {}
    for rule in kinds.get(StepRule, ()):
        result, occurrences, missing = check_step(rule, ctx)
        steps.append(result)
        located[rule.name] = occurrences
        findings.extend(missing)
    for rule in kinds.get(PairRule, ()):
        findings.extend(check_pair(rule, ctx))
    for rule in kinds.get(HonorificRule, ()):
        findings.extend(check_honorific(rule, ctx))
    privacy_taken: list[tuple[int, int, int]] = []
    for rule in kinds.get(PrivacyRule, ()):
        findings.extend(check_privacy(rule, ctx, privacy_taken))
    timing_rules = kinds.get(TimingRule, ())
    timed = bool(timing_rules) and ctx.timed
    if timed:
        for rule in timing_rules:
            findings.extend(check_timing(rule, ctx))
    template_rules = kinds.get(TemplateKindRule, ())
    for rule in template_rules:
        findings.extend(check_template_kind(rule, ctx))
    for rule in kinds.get(HygieneRule, ()):
        findings.extend(check_hygiene(rule, ctx))
    for rule in kinds.get(OrderRule, ()):
        findings.extend(check_order(rule, located, ctx))
    # DisabledRule replaces an inherited rule and checks nothing.
    applicable = {"forbidden", "politeness", "privacy"}
    if steps:
        applicable.add("steps")
    elif template_rules:
        kind = ctx.template_kind
        if kind is not None and any(kind in r.template_kinds for r in template_rules):
            applicable.add("steps")  # a template of a kind with requirements is scored on them
    if timed:
        applicable.add("timing")
    findings.sort(key=_finding_order)
    score = score_findings(profile.data, findings, applicable)
    return make_report({
        "id": transcript.id, "profile": profile.name, "score": score.total, "passed": score.passed,
        "vetoed": score.vetoed, "dimensions": score.dimensions, "deductions": score.deductions,
        "findings": findings, "steps": steps, "metadata": dict(transcript.metadata),
    })
