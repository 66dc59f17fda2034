"""Kind ``honorific``: the agent addresses the customer as 您, not 你 (jieba decides what is the
pronoun)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import PRONOUNS, TranscriptContext
from scriptcheck.text.normalize import simplified_aligned

__all__ = ["HonorificRule", "quoted_spans"]

# Text in quotes is reported speech or a product name, not the agent addressing the customer.
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"]*\"|《[^》]*》|‘[^’]*’")
_CANDIDATE_SEARCH = re.compile("[" + "".join(sorted(PRONOUNS)) + "]").finditer


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` inside quotation marks or book-title marks."""
    return [m.span() for m in _QUOTED.finditer(text)]


def _pronoun_tokens(ctx: TranscriptContext, index: int) -> list:
    """jieba's tokens around each 你 of an agent turn (computed once per turn)."""
    tokens = ctx.pronoun_tokens.get(index)
    if tokens is None:
        text = ctx.transcript.turns[index].text
        simplified = simplified_aligned(text)
        positions = [m.start() for m in _CANDIDATE_SEARCH(simplified)]
        # Only the blocks holding a 你 are segmented: jieba cuts blocks independently, so the
        # tokens there are exactly those of the whole turn.
        tokens = ctx.matcher.segmenter.tokens_near(simplified, positions) if positions else []
        ctx.pronoun_tokens[index] = tokens
    return tokens


@register
class HonorificRule(RuleBase):
    """您, not 你, towards the customer (jieba decides what is the pronoun)."""

    kind: Literal["honorific"]
    dimension: Dimension = "politeness"
    tokens: list[str] = Field(default_factory=lambda: ["你"], description="jieba tokens that count.")

    per_turn = True

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """One finding per pronoun token of ``tokens`` in an agent turn, outside quotes."""
        findings = out.findings
        wanted = set(self.tokens)
        for index in ctx.agent_turns_with_pronoun:
            text = ctx.transcript.turns[index].text
            quotes = None
            for token in _pronoun_tokens(ctx, index):
                if token.text not in wanted:
                    continue
                if quotes is None:
                    quotes = quoted_spans(text)
                if any(a <= token.start and token.end <= b for a, b in quotes):
                    continue
                findings.append(make_finding({
                    "rule": self.id, "category": "honorific", "severity": self.severity, "turn": index,
                    "start": token.start, "end": token.end, "text": text[token.start:token.end],
                    "message": self.description, "suggestion": self.suggestion,
                }))
