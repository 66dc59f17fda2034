"""Honorific: the agent addresses the customer as 您, not 你 (jieba decides what is a pronoun)."""

from __future__ import annotations

import re

from scriptcheck.models import Finding
from scriptcheck.profile.schema import HonorificRule
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.normalize import simplified_aligned

__all__ = ["check_honorific", "quoted_spans"]

# Text in quotes is reported speech or a product name, not the agent addressing the customer.
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"]*\"|《[^》]*》|‘[^’]*’")
_CANDIDATES = frozenset("你妳")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` inside quotation marks or book-title marks."""
    return [m.span() for m in _QUOTED.finditer(text)]


def check_honorific(rule: HonorificRule, ctx: TranscriptContext) -> list[Finding]:
    """One finding per pronoun token of ``rule.tokens`` in an agent turn, outside quotes."""
    findings = []
    wanted = set(rule.tokens)
    for index in ctx.agent_turns:
        text = ctx.transcript.turns[index].text
        # Segment only turns that could contain the pronoun: most agent turns say 您.
        if _CANDIDATES.isdisjoint(text):
            continue
        simplified = simplified_aligned(text)
        quotes = quoted_spans(text)
        for token in ctx.checker.segment(simplified):
            if token.text not in wanted:
                continue
            if any(a <= token.start and token.end <= b for a, b in quotes):
                continue
            findings.append(Finding(
                rule=rule.id, category="honorific", severity=rule.severity, turn=index,
                start=token.start, end=token.end, text=text[token.start:token.end],
                message=rule.description, suggestion=rule.suggestion,
            ))
    return findings
