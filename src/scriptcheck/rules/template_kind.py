"""Kind ``template-kind``: what a reply template of a kind must say (a closing thanks the
customer, a refusal offers an alternative …)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scriptcheck.models import make_finding
from scriptcheck.rules.base import CategorySet, Dimension, Outcome, RuleBase, ScanNeeds, register
from scriptcheck.rules.context import TranscriptContext

__all__ = ["TemplateKindRule"]


@register
class TemplateKindRule(RuleBase, CategorySet):
    """A reply template of one of ``template_kinds`` must say a phrase of one of ``categories``
    (a closing thanks the customer, a refusal offers an alternative …).

    The template's kind comes from the turn's or the transcript's ``metadata.template_kind``
    (the linter sets it from the source or the configured id conventions); a template without
    a kind, or of another kind, is not checked.
    """

    kind: Literal["template-kind"]
    dimension: Dimension = "steps"
    template_kinds: list[str] = Field(min_length=1, description="Template kinds the rule applies to.")
    categories: list[str] = Field(min_length=1, description="Polite-lexicon categories that satisfy it.")

    scores = "steps"  # a template of a kind with requirements is scored on them

    def needs(self) -> ScanNeeds:
        """The rule's categories, in any agent turn."""
        return ScanNeeds(agent=self.category_set)

    def applies(self, ctx: TranscriptContext) -> bool:
        """Only templates of one of the rule's kinds."""
        return ctx.template_kind in self.template_kinds

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """One finding (without a span: something is missing) when no agent turn says a phrase
        of the rule's categories."""
        if any(ctx.has(turn, self.category_set) for turn in ctx.agent_turns):
            return
        out.findings.append(make_finding({
            "rule": self.id, "category": "template", "severity": self.severity, "start": None, "end": None,
            "text": "",
            "message": f"{ctx.template_kind} template: {self.description} (no {'/'.join(self.categories)} phrase)",
            "suggestion": self.suggestion,
        }))
