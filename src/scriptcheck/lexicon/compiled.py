"""A validated lexicon file compiled for the matcher (no I/O: see ``lexicon.loader``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.schema import DEFAULT_MITIGATORS, LexiconEntry, LexiconFile
from scriptcheck.lexicon.slots import SlotError, expand_slots
from scriptcheck.match.contexts import Mitigation
from scriptcheck.match.engine import MatchEntry
from scriptcheck.match.patterns import PatternProblem, check_normalised, compile_pattern
from scriptcheck.text.regex_policy import UnsafePattern, check_regex
from scriptcheck.text.normalize import normalize_phrase

__all__ = ["Lexicon", "ToneOverrides", "compile_lexicon", "pattern_analyses"]


@dataclass(frozen=True)
class ToneOverrides:
    """What overlays of a forbidden lexicon say about the tone model (rule FB900, which is not
    one of its entries): whether it runs, and reviewed texts it must not flag."""

    enabled: bool = True
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon file with its entries compiled for the matcher."""

    data: LexiconFile
    path: str
    match_entries: tuple[MatchEntry, ...]
    tone: ToneOverrides | None = None  # set by overlays (lexicon.overlay), read by the PhraseMatcher

    @property
    def name(self) -> str:
        """The lexicon's name (``forbidden``, ``polite`` …)."""
        return self.data.name

    @property
    def kind(self) -> str:
        """``forbidden`` (its hits are findings), ``polite`` (service phrases that satisfy
        steps) or ``cue`` (what a customer says that calls for a response)."""
        return self.data.kind

    @property
    def entries(self) -> list[LexiconEntry]:
        """The entries, in file order."""
        return self.data.entries


def _compile_entry(path: str, entry: LexiconEntry, known: Mapping[str, Sequence],
                   slots: Mapping[str, str], group_allow: tuple[str, ...],
                   skip_contexts: tuple[str, ...], mitigators: dict[str, Mitigation]) -> MatchEntry:
    patterns = []
    for i, source in enumerate(entry.patterns):
        try:  # slots ({{name}}) expand before the pattern is checked and compiled
            expanded = expand_slots(source, slots)
            patterns.append(compile_pattern(expanded, entry.anchors, known=known.get(expanded)))
        except (PatternProblem, SlotError) as exc:
            raise LexiconError(f"{path}: entry {entry.id} ({entry.name}): patterns[{i}]: {exc}") from None
    for phrase in entry.phrases:
        if not normalize_phrase(phrase):  # cached: the matcher asks for the same form
            raise LexiconError(
                f"{path}: entry {entry.id} ({entry.name}): phrase {phrase!r} is empty once normalised"
            )
    contexts = skip_contexts if entry.options.skip_contexts is None else tuple(entry.options.skip_contexts)
    return MatchEntry(
        phrases=tuple(entry.phrases),
        patterns=tuple(patterns),
        allow=tuple(entry.allow),
        boundary=entry.options.boundary,
        gaps=entry.options.gaps,
        window=entry.options.window,
        group_allow=group_allow,
        skip_contexts=contexts,
        mitigators=_chosen(mitigators, entry.options.mitigators) if "mitigated" in contexts else (),
    )


def _chosen(mitigators: dict[str, Mitigation], names: list[str] | None) -> tuple[Mitigation, ...]:
    """The mitigators an entry takes: those it names (``default``: every clause and sentence
    one), else every clause and sentence one."""
    defaults = [m for m in mitigators.values() if m.reach < 0]
    if names is None:
        return tuple(defaults)
    chosen = [m for n in names for m in (defaults if n == DEFAULT_MITIGATORS else [mitigators[n]])]
    return tuple(dict.fromkeys(chosen))


def _mitigators(model: LexiconFile, path: str) -> dict[str, Mitigation]:
    out = {}
    for m in model.mitigators:
        try:  # the same regex policy as patterns (bounded repeats, bounded work)
            expanded = expand_slots(m.pattern, model.slots)
            check_normalised(expanded)  # 谢谢 or 您 in a mitigator would never match
            check_regex(expanded)
            regex = re.compile(expanded)
        except (re.error, SlotError, UnsafePattern, PatternProblem) as exc:
            raise LexiconError(f"{path}: mitigator {m.name}: {exc}") from None
        out[m.name] = Mitigation(regex, m.scope == "sentence", m.boundary, m.reach if m.scope == "before" else -1)
    return out


def compile_lexicon(model: LexiconFile, path: str, known: Mapping[str, Sequence] | None = None) -> Lexicon:
    """Compile every entry of a validated lexicon; :class:`LexiconError` names the file,
    the entry and the pattern or phrase that cannot be used. ``known`` maps pattern sources to
    their analysis from an earlier load of the same file (see :func:`pattern_analyses`)."""
    known = known or {}
    group_allow, skip_contexts = tuple(model.allow), tuple(model.skip_contexts)
    mitigators = _mitigators(model, path)
    entries = tuple(_compile_entry(path, e, known, model.slots, group_allow, skip_contexts, mitigators)
                    for e in model.entries)
    return Lexicon(model, path, entries)


def pattern_analyses(lexicon: Lexicon) -> dict[str, list]:
    """Every pattern's analysis (anchors, end anchoring), for the lexicon cache."""
    return {p.source: p.analysis for entry in lexicon.match_entries for p in entry.patterns}
