"""Privacy: an agent turn that spells out a full phone, ID-card or bank-card number."""

from __future__ import annotations

import re
from functools import lru_cache

from scriptcheck.models import Finding, make_finding
from scriptcheck.profile.schema import PrivacyRule
from scriptcheck.rules.context import TranscriptContext

__all__ = ["check_privacy", "luhn_valid", "id_card_valid"]

# Full-width digits and X fold to ASCII one for one, so offsets stay those of the original.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card_valid(number: str) -> bool:
    """The GB 11643 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number, _ID_WEIGHTS)) % 11]
    return number[17].upper() == check


_CHECKSUMS = {"luhn": luhn_valid, "id-card": id_card_valid}


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_privacy(rule: PrivacyRule, ctx: TranscriptContext, taken: list[tuple[int, int, int]]) -> list[Finding]:
    """Findings for numbers matching ``rule.pattern``; ``taken`` holds (turn, start, end) spans
    already reported by an earlier privacy rule, so one number is reported once."""
    findings = []
    regex = _compiled(rule.pattern)
    for index in ctx.agent_turns_with_numbers:
        text = ctx.transcript.turns[index].text
        for m in regex.finditer(text.translate(_FOLD)):
            start, end = m.span()
            if rule.checksum is not None:
                compact = "".join(c for c in m.group() if c.isalnum())
                if not _CHECKSUMS[rule.checksum](compact):
                    continue
            if any(t == index and s < end and start < e for t, s, e in taken):
                continue
            taken.append((index, start, end))
            findings.append(make_finding({
                "rule": rule.id, "category": "privacy", "severity": rule.severity, "turn": index,
                "start": start, "end": end, "text": text[start:end],
                "message": rule.description, "suggestion": rule.suggestion,
            }))
    return findings
