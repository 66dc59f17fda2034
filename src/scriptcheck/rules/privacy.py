"""Kind ``privacy``: an agent turn that spells out a full phone, ID-card or bank-card number."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.regex_policy import check_regex

__all__ = ["PrivacyRule", "luhn_valid", "id_card_valid"]

# Outcome.shared key: (turn, start, end) of the numbers already reported, so that a number two
# privacy rules match (a bank card that is also "a long number") is reported once.
_REPORTED = "privacy"

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


@register
class PrivacyRule(RuleBase):
    """An agent turn spelling out a full number (phone, ID card, bank card)."""

    kind: Literal["privacy"]
    dimension: Dimension = "privacy"
    pattern: str = Field(min_length=1, description="Regex over the turn with full-width digits folded.")
    checksum: Literal["luhn", "id-card"] | None = Field(
        default=None, description="Only numbers with a valid check digit count (bank cards: luhn; "
                                  "resident ID cards: id-card, GB 11643).")

    per_turn = True

    @field_validator("pattern")
    @classmethod
    def _linear(cls, pattern: str) -> str:
        check_regex(pattern)  # profiles come from pull requests: no unbounded backtracking
        return pattern

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Findings for numbers matching ``pattern`` not already reported by an earlier
        privacy rule."""
        taken = out.shared.setdefault(_REPORTED, [])
        regex = _compiled(self.pattern)
        for index in ctx.agent_turns_with_numbers:
            text = ctx.transcript.turns[index].text
            for m in regex.finditer(text.translate(_FOLD)):
                start, end = m.span()
                if self.checksum is not None:
                    compact = "".join(c for c in m.group() if c.isalnum())
                    if not _CHECKSUMS[self.checksum](compact):
                        continue
                if any(t == index and s < end and start < e for t, s, e in taken):
                    continue
                taken.append((index, start, end))
                out.findings.append(make_finding({
                    "rule": self.id, "category": "privacy", "severity": self.severity, "turn": index,
                    "start": start, "end": end, "text": text[start:end],
                    "message": self.description, "suggestion": self.suggestion,
                }))
