"""Kind ``order``: required steps that must come in a given order (问候 before 结束语)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.rules.step import STEPS_FOUND, StepRule

__all__ = ["OrderRule"]


@register
class OrderRule(RuleBase):
    """Steps that must appear in this order (each located at its last occurrence, or first)."""

    kind: Literal["order"]
    dimension: Dimension = "steps"
    steps: list[str] = Field(min_length=2, description="Step names, in the required order.")
    use: Literal["first", "last"] = Field(
        default="last",
        description="Which occurrence of each step counts: the last (closings) or the first (a flow).",
    )

    stage = 1  # after the steps it orders have been located

    def problems(self, rules: list[RuleBase]) -> list[str]:
        """Step names that no step rule of the profile has."""
        names = {r.name for r in rules if isinstance(r, StepRule)}
        return [s for s in self.steps if s not in names]

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Steps that were all found must appear in the given order (the first or the last
        occurrence of each, as the rule says); one finding at the first step out of place."""
        located = out.shared.get(STEPS_FOUND, {})
        positions = []
        pick = max if self.use == "last" else min
        for name in self.steps:
            occurrences = located.get(name)
            if not occurrences:
                return  # a missing step is already its own finding
            positions.append((name, pick(occurrences, key=lambda o: (o.turn, o.start))))
        for (before, a), (after, b) in zip(positions, positions[1:]):
            if (a.turn, a.start) > (b.turn, b.start):
                out.findings.append(make_finding({
                    "rule": self.id, "category": "step", "severity": self.severity, "turn": b.turn,
                    "start": b.start, "end": b.end, "text": b.text,
                    "message": f"'{after}' comes before '{before}': {self.description}",
                    "suggestion": self.suggestion,
                }))
                return
