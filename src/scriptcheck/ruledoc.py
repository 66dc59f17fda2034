"""Rule documentation rendered from the lexicon data (what it flags, why, bad, good)."""

from __future__ import annotations

from pathlib import Path

from scriptcheck.errors import ScriptcheckError
from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.schema import LexiconEntry
from scriptcheck.profile.loader import default_profile_names, load_profile
from scriptcheck.resources import defaults_dir

__all__ = ["render_rule_doc", "display_path"]


def display_path(path: str | Path) -> str:
    """A lexicon's path as a doc shows it: ``scriptcheck/lexicons/forbidden.yaml`` for a packaged
    file (never the absolute path of the local install: a SARIF file uploaded from CI must not
    carry it), relative to the current directory for a file below it, else as given."""
    resolved = Path(path).resolve()
    try:
        return "scriptcheck/lexicons/" + resolved.relative_to(defaults_dir().resolve()).as_posix()
    except (ValueError, ScriptcheckError):  # not packaged (or the packaged folder is missing)
        pass
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def render_rule_doc(lexicon: Lexicon, entry: LexiconEntry) -> str:
    """A ruff-style plain-text doc for one lexicon entry."""
    lines = [
        f"{entry.id} {entry.name}",
        "",
        f"Lexicon:   {lexicon.name} ({lexicon.kind}) — {display_path(lexicon.path)}",
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


def render_tone_doc(model) -> str:
    """A ruff-style plain-text doc for the tone model's rule (:mod:`scriptcheck.lexicon.tone`)."""
    d = model.data
    lines = [f"{d.rule} rude-tone", "", f"Model:     tone — {display_path(model.path)} (docs/tone-model.md)",
             f"Category:  {d.category}", f"Severity:  {d.severity.value}"]
    if d.source:
        lines.append(f"Source:    {d.source}")
    lines += ["", "What it does", f"  {d.description}",
              f"  A sentence is flagged when at least {d.min_cues} of {len(d.cues)} weighted cues fire in it and their "
              f"score, less its {len(d.mitigators)} mitigators (您, 请, apologies, offers of help …), reaches "
              f"{d.threshold:g}. The finding names the cues."]
    if model.ngram is not None:
        n = model.ngram.data
        short = (f" ({n.short_threshold:g} for a sentence of at most {n.short_length} characters)"
                 if n.short_threshold is not None else "")
        lines.append(f"  The n-gram stage ({len(n.weights):,} weighted character n-grams) flags a sentence the cues do "
                     f"not at probability {n.threshold:g}{short}; the finding names the n-grams that weighed most.")
    if model.turn is not None:
        lines.append(f"  The turn stage (a second model over the whole turn's characters and words) must agree, "
                     f"at probability {model.turn.threshold:g}, with what the n-gram stage flags through its "
                     "widened gate alone.")
        if d.turn_band is not None:
            lines.append(f"  A sentence the n-gram stage scores from {d.turn_band.floor:g} up to its threshold is "
                         f"flagged when the turn stage reaches {d.turn_band.threshold:g}.")
        if d.turn_veto is not None:
            lines.append(f"  An n-gram flag on a sentence that is at least {d.turn_veto.share:.0%} of its turn stands only "
                         f"when the turn stage reaches {d.turn_veto.threshold:g}.")
        if d.lexicon_veto is not None:
            veto = d.lexicon_veto
            unless = f", no sign of contempt (/{veto.unless}/)" if veto.unless else ""
            lines.append(f"  The packaged forbidden lexicon's findings in a turn are dropped when none is critical, the "
                         f"longest covers at most {veto.share:.0%} of the turn, a mitigator (您, 请, an apology …) is in "
                         f"it{unless}, and both stages score it under {veto.threshold:g}.")
    if d.tail is not None:
        lines.append(f"  A sentence no stage flags is judged again, on its own, from where it last turns (/{d.tail.pattern}/) "
                     "to its end: a courteous preamble does not soften the stance after 但 / 不过.")
    if d.examples.match:
        lines += ["", "Example (flagged)"] + [f"  {t}" for t in d.examples.match]
    if d.suggestion:
        lines += ["", "Use instead", f"  {d.suggestion}"]
    if d.examples.no_match:
        lines += ["", "Not flagged"] + [f"  {t}" for t in d.examples.no_match]
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
