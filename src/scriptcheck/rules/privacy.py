"""Privacy: an agent turn that spells out a full phone, ID-card or bank-card number."""

from __future__ import annotations

import re
from functools import lru_cache

from scriptcheck.models import Finding
from scriptcheck.profile.schema import PrivacyRule
from scriptcheck.rules.context import TranscriptContext

__all__ = ["check_privacy"]

# Full-width digits and X fold to ASCII one for one, so offsets stay those of the original.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_privacy(rule: PrivacyRule, ctx: TranscriptContext, taken: list[tuple[int, int, int]]) -> list[Finding]:
    """Findings for numbers matching ``rule.pattern``; ``taken`` holds (turn, start, end) spans
    already reported by an earlier privacy rule, so one number is reported once."""
    findings = []
    regex = _compiled(rule.pattern)
    for index in ctx.agent_turns:
        text = ctx.transcript.turns[index].text
        for m in regex.finditer(text.translate(_FOLD)):
            start, end = m.span()
            if any(t == index and s < end and start < e for t, s, e in taken):
                continue
            taken.append((index, start, end))
            findings.append(Finding(
                rule=rule.id, category="privacy", severity=rule.severity, turn=index,
                start=start, end=end, text=text[start:end],
                message=rule.description, suggestion=rule.suggestion,
            ))
    return findings
