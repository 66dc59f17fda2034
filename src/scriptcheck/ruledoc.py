"""Rule documentation rendered from the lexicon data (what it flags, why, bad, good)."""

from __future__ import annotations

from scriptcheck.lexicon.loader import Lexicon
from scriptcheck.lexicon.schema import LexiconEntry

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
