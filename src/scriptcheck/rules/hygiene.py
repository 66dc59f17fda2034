"""Kind ``hygiene``: template hygiene in every agent turn — broken placeholders, traditional
and simplified characters or full- and half-width punctuation mixed in one reply."""

from __future__ import annotations

from typing import Literal

from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.mixing import punctuation_mix, script_mix
from scriptcheck.text.placeholders import scan_placeholders

__all__ = ["HygieneRule"]

_PLACEHOLDER_PROBLEMS = {"unbalanced-placeholder": "unbalanced", "misspelt-placeholder": "misspelt"}


@register
class HygieneRule(RuleBase):
    """Template hygiene in every agent turn: broken placeholders, mixed scripts or widths.

    The linter masks well-formed placeholders before scoring; broken ones are left unmasked
    (see :func:`scriptcheck.text.placeholders.mask_placeholders`), so this sees the same
    problems on masked and on raw text.
    """

    kind: Literal["hygiene"]
    dimension: Dimension = "forbidden"
    check: Literal["unbalanced-placeholder", "misspelt-placeholder", "script-mix", "punctuation-mix"]

    per_turn = True

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Hygiene findings of ``check`` in every agent turn."""
        findings = out.findings
        wanted = _PLACEHOLDER_PROBLEMS.get(self.check)
        for index in ctx.agent_turns:
            text = ctx.transcript.turns[index].text
            if wanted is not None:
                for p in scan_placeholders(text):
                    if p.kind == wanted:
                        findings.append(self._finding(index, p.start, p.end, text, f"{self.description}: {p.text!r}"))
                continue
            mix = script_mix(text) if self.check == "script-mix" else punctuation_mix(text)
            if mix is not None:
                findings.append(self._finding(
                    index, mix.start, mix.end, text,
                    f"{self.description}: {mix.minority_count} {mix.minority} and {mix.majority_count} {mix.majority}"))

    def _finding(self, turn: int, start: int, end: int, text: str, message: str):
        return make_finding({"rule": self.id, "category": "template", "severity": self.severity, "turn": turn,
                             "start": start, "end": end, "text": text[start:end], "message": message,
                             "suggestion": self.suggestion})
