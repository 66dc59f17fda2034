"""Kind ``pair``: after a trigger turn, an agent turn must respond within N agent turns
(请稍等 → 让您久等了; a complaint → an apology)."""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import Field

from scriptcheck.models import make_finding
from scriptcheck.rules.base import CategorySet, Dimension, FileModel, Outcome, RuleBase, ScanNeeds, register
from scriptcheck.rules.context import TranscriptContext

__all__ = ["Trigger", "Response", "PairRule"]


class Trigger(FileModel, CategorySet):
    """What opens a pair: a turn of ``speaker`` with a phrase of one of ``categories``."""

    speaker: Literal["agent", "customer"]
    categories: list[str] = Field(min_length=1)


class Response(FileModel, CategorySet):
    """What must follow: an agent turn with one of ``categories`` within ``within`` agent turns."""

    categories: list[str] = Field(min_length=1)
    within: int = Field(default=2, ge=1)
    same_turn: bool = Field(default=False, description="A response later in the trigger turn counts.")


@register
class PairRule(RuleBase):
    """A paired response: after the trigger, an agent response must follow."""

    kind: Literal["pair"]
    dimension: Dimension = "politeness"
    trigger: Trigger
    response: Response

    def needs(self) -> ScanNeeds:
        """The trigger's categories in its speaker's turns, the response's in agent turns."""
        if self.trigger.speaker == "customer":
            return ScanNeeds(agent=self.response.category_set, customer=self.trigger.category_set)
        return ScanNeeds(agent=self.trigger.category_set | self.response.category_set)

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """One finding per trigger left without the required response."""
        turns = ctx.transcript.turns
        trigger_categories = self.trigger.category_set
        response_categories = self.response.category_set
        for index in ctx.turns_with(self.trigger.speaker, trigger_categories):
            trigger = ctx.hits(index, trigger_categories)[0]
            answered = False
            if self.response.same_turn and turns[index].speaker == "agent":
                answered = any([h.start >= trigger.end for h in ctx.hits(index, response_categories)])
            if not answered:
                after = bisect_right(ctx.agent_turns, index)  # agent_turns is in turn order
                for later in ctx.agent_turns[after:after + self.response.within]:
                    if ctx.has(later, response_categories):
                        answered = True
                        break
            if not answered:
                out.findings.append(make_finding({
                    "rule": self.id, "category": "pair", "severity": self.severity, "turn": index,
                    "start": trigger.start, "end": trigger.end, "text": trigger.text,
                    "message": f"{self.description} (no {'/'.join(self.response.categories)} within "
                               f"{self.response.within} agent turn(s))",
                    "suggestion": self.suggestion,
                }))
