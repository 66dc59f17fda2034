"""Kind ``disabled``: switches off an inherited rule of the same id."""

from __future__ import annotations

from typing import Literal

from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext

__all__ = ["DisabledRule"]


@register
class DisabledRule(RuleBase):
    """Switches off an inherited rule of the same id (a child profile cannot delete a parent's
    rule, only replace it): it never produces a finding."""

    kind: Literal["disabled"]
    dimension: Dimension = "politeness"

    def applies(self, ctx: TranscriptContext) -> bool:
        """Never: the rule is switched off."""
        return False

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Nothing to check."""
