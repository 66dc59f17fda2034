"""Paired responses: after a trigger turn, an agent turn must respond within N agent turns."""

from __future__ import annotations

from bisect import bisect_right

from scriptcheck.models import Finding, make_finding
from scriptcheck.profile.schema import PairRule
from scriptcheck.rules.context import TranscriptContext

__all__ = ["check_pair"]


def check_pair(rule: PairRule, ctx: TranscriptContext) -> list[Finding]:
    """One finding per trigger left without the required response."""
    findings = []
    turns = ctx.transcript.turns
    trigger_categories = rule.trigger.category_set
    response_categories = rule.response.category_set
    for index in ctx.turns_with(rule.trigger.speaker, trigger_categories):
        trigger = ctx.has(index, trigger_categories)[0]
        answered = False
        if rule.response.same_turn and turns[index].speaker == "agent":
            answered = any([h.start >= trigger.end for h in ctx.has(index, response_categories)])
        if not answered:
            after = bisect_right(ctx.agent_turns, index)  # agent_turns is in turn order
            for later in ctx.agent_turns[after:after + rule.response.within]:
                if ctx.has(later, response_categories):
                    answered = True
                    break
        if not answered:
            findings.append(make_finding({
                "rule": rule.id, "category": "pair", "severity": rule.severity, "turn": index,
                "start": trigger.start, "end": trigger.end, "text": trigger.text,
                "message": f"{rule.description} (no {'/'.join(rule.response.categories)} within "
                           f"{rule.response.within} agent turn(s))",
                "suggestion": rule.suggestion,
            }))
    return findings
