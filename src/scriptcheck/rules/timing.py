"""Timing of agent turns when the transcript has times: silence, interruption, speech rate."""

from __future__ import annotations

from scriptcheck.models import Finding
from scriptcheck.profile.schema import TimingRule
from scriptcheck.rules.context import TranscriptContext

__all__ = ["check_timing"]


def check_timing(rule: TimingRule, ctx: TranscriptContext) -> list[Finding]:
    """Findings for agent turns whose timing breaks the rule (turns without times are skipped)."""
    findings = []
    turns = ctx.transcript.turns
    for index in ctx.agent_turns:
        turn = turns[index]
        previous = turns[index - 1] if index > 0 else None
        message = None
        # Silence counts only after the customer spoke: a pause after the agent's own turn
        # (often after 请您稍等) is a hold, which the waiting pair rule judges.
        if rule.check == "silence" and previous is not None and previous.speaker == "customer":
            if turn.start is not None and previous.end is not None:
                gap = turn.start - previous.end
                if gap > rule.max_silence:
                    message = f"{rule.description} ({gap:.1f} s of silence, limit {rule.max_silence:g} s)"
        elif rule.check == "interruption" and previous is not None and previous.speaker == "customer":
            if turn.start is not None and previous.end is not None:
                overlap = previous.end - turn.start
                if overlap > rule.overlap:
                    message = f"{rule.description} (started {overlap:.1f} s before the customer finished)"
        elif rule.check == "speech-rate" and turn.start is not None and turn.end is not None:
            chars = len(ctx.normalized[index].text)
            duration = turn.end - turn.start
            if chars >= rule.min_chars and duration > 0:
                rate = chars / duration
                if not rule.min_rate <= rate <= rule.max_rate:
                    message = (f"{rule.description} ({rate:.1f} chars/s, expected "
                               f"{rule.min_rate:g}–{rule.max_rate:g})")
        if message:
            findings.append(Finding(
                rule=rule.id, category="timing", severity=rule.severity, turn=index,
                start=0, end=len(turn.text), text=turn.text, message=message,
                suggestion=rule.suggestion,
            ))
    return findings
