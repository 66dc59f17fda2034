"""Rule documentation rendered from the lexicon data (what it flags, why, bad, good)."""

from __future__ import annotations

from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.schema import LexiconEntry
from scriptcheck.profile.loader import default_profile_names, load_profile

__all__ = ["render_rule_doc"]


def render_rule_doc(lexicon: Lexicon, entry: LexiconEntry) -> str:
    """A ruff-style plain-text doc for one lexicon entry."""
    lines = [
        f"{entry.id} {entry.name}",
        "",
        f"Lexicon:   {lexicon.name} ({lexicon.kind}) — {lexicon.path}",
        f"Category:  {entry.category}",
        f"Severity:  {entry.severity.value}",
    ]
    if entry.source:
        lines.append(f"Source:    {entry.source}")
    lines += ["", "What it does", f"  {entry.description}"]
    if entry.why:
        lines += ["", "Why is this bad?" if lexicon.kind == "forbidden" else "Why", f"  {entry.why}"]
    if entry.specs.match:
        title = "Example (flagged)" if lexicon.kind == "forbidden" else "Examples (found)"
        lines += ["", title] + [f"  {t}" for t in entry.specs.match]
    if entry.suggestion:
        lines += ["", "Use instead", f"  {entry.suggestion}"]
    if entry.specs.no_match:
        lines += ["", "Not flagged" if lexicon.kind == "forbidden" else "Not found"]
        lines += [f"  {t}" for t in entry.specs.no_match]
    return "\n".join(lines)


def render_transcript_rule_doc(rule, profiles: list[str]) -> str:
    """A plain-text doc for one transcript rule (step, pair, honorific, privacy, timing)."""
    lines = [
        f"{rule.id} {rule.name}",
        "",
        f"Kind:      {rule.kind} (transcript rule)",
        f"Dimension: {rule.dimension}",
        f"Severity:  {rule.severity.value}",
        f"Points:    {rule.points:g} per finding" + (f", at most {rule.cap:g}" if rule.cap is not None else ""),
        f"Profiles:  {', '.join(profiles)}",
    ]
    if rule.source:
        lines.append(f"Source:    {rule.source}")
    lines += ["", "What it does", f"  {rule.description}"]
    if rule.why:
        lines += ["", "Why", f"  {rule.why}"]
    if rule.suggestion:
        lines += ["", "Use instead", f"  {rule.suggestion}"]
    return "\n".join(lines)


def transcript_rules() -> dict[str, tuple[object, list[str]]]:
    """Every transcript rule of the packaged profiles: code → (rule, profile names using it)."""
    found: dict[str, tuple[object, list[str]]] = {}
    for name in default_profile_names():
        for rule in load_profile(name).data.rules:
            if rule.kind == "disabled":  # switched off in this profile: not one of its rules
                continue
            entry = found.setdefault(rule.id, (rule, []))
            entry[1].append(name)
    return found
