"""Kind ``timing``: silence, interruption and speech rate of agent turns, when turns have times."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext

__all__ = ["TimingRule"]


@register
class TimingRule(RuleBase):
    """Timing of agent turns, when turns carry start/end seconds."""

    kind: Literal["timing"]
    dimension: Dimension = "timing"
    check: Literal["silence", "interruption", "speech-rate"]
    max_silence: float = Field(default=10.0, gt=0)
    overlap: float = Field(default=0.5, ge=0, description="Seconds of overlap tolerated.")
    min_rate: float = Field(default=2.0, gt=0, description="Characters per second.")
    max_rate: float = Field(default=8.0, gt=0)
    min_chars: int = Field(default=8, ge=1, description="Shorter turns are not rate-checked.")

    scores = "timing"

    def applies(self, ctx: TranscriptContext) -> bool:
        """Only transcripts whose turns carry times."""
        return ctx.timed

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Findings for agent turns whose timing breaks the rule (turns without times are skipped)."""
        turns = ctx.transcript.turns
        for index in ctx.agent_turns:
            turn = turns[index]
            previous = turns[index - 1] if index > 0 else None
            message = None
            # Silence counts only after the customer spoke: a pause after the agent's own turn
            # (often after 请您稍等) is a hold, which the waiting pair rule judges.
            if self.check == "silence" and previous is not None and previous.speaker == "customer":
                if turn.start is not None and previous.end is not None:
                    gap = turn.start - previous.end
                    if gap > self.max_silence:
                        message = f"{self.description} ({gap:.1f} s of silence, limit {self.max_silence:g} s)"
            elif self.check == "interruption" and previous is not None and previous.speaker == "customer":
                if turn.start is not None and previous.end is not None:
                    overlap = previous.end - turn.start
                    if overlap > self.overlap:
                        message = f"{self.description} (started {overlap:.1f} s before the customer finished)"
            elif self.check == "speech-rate" and turn.start is not None and turn.end is not None:
                chars = len(ctx.normalized[index].text)
                duration = turn.end - turn.start
                if chars >= self.min_chars and duration > 0:
                    rate = chars / duration
                    if not self.min_rate <= rate <= self.max_rate:
                        message = (f"{self.description} ({rate:.1f} chars/s, expected "
                                   f"{self.min_rate:g}–{self.max_rate:g})")
            if message:
                out.findings.append(make_finding({
                    "rule": self.id, "category": "timing", "severity": self.severity, "turn": index,
                    "start": 0, "end": len(turn.text), "text": turn.text, "message": message,
                    "suggestion": self.suggestion,
                }))
