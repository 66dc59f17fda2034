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


def score_transcript(profile: Profile, checker: "Checker", transcript: Transcript) -> Report:
    """Apply every rule of ``profile`` to ``transcript`` and score the findings."""
    ctx = TranscriptContext.build(transcript, checker, profile.customer_categories)
    findings: list[Finding] = [f for turn in ctx.findings for f in turn]
    steps: list[StepResult] = []
    located = {}
    privacy_taken: list[tuple[int, int, int]] = []
    rules = profile.data.rules
    for rule in rules:
        if isinstance(rule, StepRule):
            result, occurrences, missing = check_step(rule, ctx)
            steps.append(result)
            located[rule.name] = occurrences
            findings.extend(missing)
        elif isinstance(rule, PairRule):
            findings.extend(check_pair(rule, ctx))
        elif isinstance(rule, HonorificRule):
            findings.extend(check_honorific(rule, ctx))
        elif isinstance(rule, PrivacyRule):
            findings.extend(check_privacy(rule, ctx, privacy_taken))
        elif isinstance(rule, TimingRule):
            if ctx.timed:
                findings.extend(check_timing(rule, ctx))
        elif isinstance(rule, TemplateKindRule):
            findings.extend(check_template_kind(rule, ctx))
        elif isinstance(rule, HygieneRule):
            findings.extend(check_hygiene(rule, ctx))
        # DisabledRule: replaces an inherited rule and checks nothing.
    for rule in rules:
        if isinstance(rule, OrderRule):
            findings.extend(check_order(rule, located, ctx))
    applicable = {"forbidden", "politeness", "privacy"}
    if steps:
        applicable.add("steps")
    kind = template_kind(ctx)
    if kind is not None and any(isinstance(r, TemplateKindRule) and kind in r.template_kinds for r in rules):
        applicable.add("steps")  # a template of a kind with requirements is scored on them
    if ctx.timed and any(isinstance(r, TimingRule) for r in rules):
        applicable.add("timing")
    findings.sort(key=lambda f: (f.turn if f.turn is not None else -1, f.start or 0, f.rule))
    score = score_findings(profile.data, findings, applicable)
    return Report(
        id=transcript.id, profile=profile.name, score=score.total, passed=score.passed,
        vetoed=score.vetoed, dimensions=score.dimensions, deductions=score.deductions,
        findings=findings, steps=steps, metadata=dict(transcript.metadata),
    )
