"""Reply-template rules: what a template of a kind must say, and template hygiene (broken
placeholders, traditional/simplified or full/half-width punctuation mixed in one reply)."""

from __future__ import annotations

from scriptcheck.models import Finding
from scriptcheck.profile.schema import HygieneRule, TemplateKindRule
from scriptcheck.rules.context import TEMPLATE_KIND_KEY, TranscriptContext
from scriptcheck.templates.mixing import punctuation_mix, script_mix
from scriptcheck.templates.placeholders import scan_placeholders

__all__ = ["TEMPLATE_KIND_KEY", "template_kind", "check_template_kind", "check_hygiene"]

def template_kind(ctx: TranscriptContext) -> str | None:
    """The kind of the template being checked (see :attr:`TranscriptContext.template_kind`)."""
    return ctx.template_kind


def check_template_kind(rule: TemplateKindRule, ctx: TranscriptContext) -> list[Finding]:
    """One finding (without a span: something is missing) when the template is of one of the
    rule's kinds and no agent turn says a phrase of the rule's categories."""
    kind = ctx.template_kind
    if kind not in rule.template_kinds:
        return []
    if any(ctx.has(turn, rule.category_set) for turn in ctx.agent_turns):
        return []
    return [Finding(
        rule=rule.id, category="template", severity=rule.severity, start=None, end=None, text="",
        message=f"{kind} template: {rule.description} (no {'/'.join(rule.categories)} phrase)",
        suggestion=rule.suggestion,
    )]


def _placeholder_findings(rule: HygieneRule, index: int, text: str, wanted: str) -> list[Finding]:
    out = []
    for p in scan_placeholders(text):
        if p.kind != wanted:
            continue
        out.append(Finding(
            rule=rule.id, category="template", severity=rule.severity, turn=index,
            start=p.start, end=p.end, text=text[p.start:p.end],
            message=f"{rule.description}: {p.text!r}", suggestion=rule.suggestion,
        ))
    return out


def check_hygiene(rule: HygieneRule, ctx: TranscriptContext) -> list[Finding]:
    """Hygiene findings of ``rule.check`` in every agent turn.

    The linter masks well-formed placeholders before scoring; broken ones are left unmasked
    (see :func:`scriptcheck.templates.placeholders.mask_placeholders`), so this sees the same
    problems on masked and on raw text.
    """
    findings: list[Finding] = []
    for index in ctx.agent_turns:
        text = ctx.transcript.turns[index].text
        if rule.check == "unbalanced-placeholder":
            findings += _placeholder_findings(rule, index, text, "unbalanced")
        elif rule.check == "misspelt-placeholder":
            findings += _placeholder_findings(rule, index, text, "misspelt")
        else:
            mix = script_mix(text) if rule.check == "script-mix" else punctuation_mix(text)
            if mix is not None:
                findings.append(Finding(
                    rule=rule.id, category="template", severity=rule.severity, turn=index,
                    start=mix.start, end=mix.end, text=text[mix.start:mix.end],
                    message=(f"{rule.description}: {mix.minority_count} {mix.minority} and "
                             f"{mix.majority_count} {mix.majority}"),
                    suggestion=rule.suggestion,
                ))
    return findings
