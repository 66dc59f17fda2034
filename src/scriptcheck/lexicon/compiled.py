"""A validated lexicon file compiled for the matcher (no I/O: see ``lexicon.loader``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Mapping, NamedTuple, Sequence

from scriptcheck.datafile import paused_gc
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.schema import DEFAULT_MITIGATORS, LexiconEntry, LexiconFile
from scriptcheck.lexicon.slots import ExpansionBudget, SlotError
from scriptcheck.match.contexts import Mitigation
from scriptcheck.match.engine import MatchEntry
from scriptcheck.match.patterns import LazyRegex, PatternProblem, check_normalised, compile_pattern
from scriptcheck.models import Severity
from scriptcheck.regex_program import compile_captured
from scriptcheck.text.regex_policy import WHOLE_TEXT_WORK, UnsafePattern, check_regex
from scriptcheck.text.normalize import normalize_phrase

__all__ = ["LazyModel", "Lexicon", "RuleInfo", "ToneOverrides", "compile_lexicon", "pattern_analyses", "rule_info"]


@dataclass(frozen=True)
class ToneOverrides:
    """What overlays of a forbidden lexicon say about the tone model (rule FB900, which is not
    one of its entries): whether it runs, and reviewed texts it must not flag."""

    enabled: bool = True
    allow: tuple[str, ...] = ()


_tuple_new = tuple.__new__


class RuleInfo(NamedTuple):
    """What a finding or a phrase hit needs of an entry (its code, category, severity and
    texts): built for every entry at load, where the full pydantic entry is built only when
    asked for (:attr:`Lexicon.entries`). A tuple of strings, so the garbage collector soon
    stops walking it."""

    id: str
    category: str
    severity: Severity
    description: str
    suggestion: str


class LazyModel:
    """A lexicon's pydantic model, or the plain data to build it from when first asked for.

    A lexicon restored from the compiled cache (``lexicon.compiled_cache``) holds the JSON its
    file parsed to, and one loaded afresh the parsed data itself once it is compiled and its
    specs have run (:meth:`release`): a validated 10,000-entry model is ~150,000 objects that the
    garbage collector walks and the interpreter frees at exit, while most runs never look at an
    entry's specs, source or why. That data is only ever what this very file validated and
    compiled from under this very code (the cache key says so), so validating it again gives
    the same model.
    """

    __slots__ = ("_model", "_source")

    def __init__(self, model: LexiconFile | None = None, source: bytes | object = None) -> None:
        self._model = model
        self._source = source  # JSON bytes, or parsed data (dicts and lists)

    def get(self) -> LexiconFile:
        """The model, validated now if it was not yet."""
        model = self._model
        if model is None:
            source = self._source
            if source is None:  # another thread built it meanwhile (it sets the model, then drops the source)
                return self._model  # type: ignore[return-value]
            with paused_gc():  # 10,000 entries' models: see datafile.paused_gc
                model = LexiconFile.model_validate(json.loads(source) if isinstance(source, bytes) else source)
            self._model = model
            self._source = None
        return model

    def release(self, data: object) -> None:
        """Keep ``data``, the plain data the model was validated from, instead of the model
        (by the loader, before anyone else sees the lexicon)."""
        self._source = data
        self._model = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyModel) and self.get() == other.get()

    def __getstate__(self) -> tuple:
        return (self._model, self._source)

    def __setstate__(self, state: tuple) -> None:
        self._model, self._source = state


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon file with its entries compiled for the matcher.

    ``rules`` and ``match_entries`` are what matching needs, one per entry in file order;
    :attr:`data` (the pydantic model, with every entry's specs and documentation) is built on
    first use when the lexicon came from the compiled cache.
    """

    path: str
    match_entries: tuple[MatchEntry, ...]
    rules: tuple[RuleInfo, ...]
    name: str
    kind: str
    _model: LazyModel = field(repr=False)
    tone: ToneOverrides | None = None  # set by overlays (lexicon.overlay), read by the PhraseMatcher

    @property
    def data(self) -> LexiconFile:
        """The validated file (pydantic model)."""
        return self._model.get()

    @property
    def entries(self) -> list[LexiconEntry]:
        """The entries (pydantic models), in file order."""
        return self.data.entries


def rule_info(entry: LexiconEntry) -> RuleInfo:
    """The :class:`RuleInfo` of a validated entry."""
    # tuple.__new__ straight away: the NamedTuple's own __new__ is a Python function.
    return _tuple_new(RuleInfo, (entry.id, entry.category, entry.severity, entry.description, entry.suggestion))


def _compile_entry(path: str, entry: LexiconEntry, known: Mapping[str, Sequence],
                   slots: ExpansionBudget, group_allow: tuple[str, ...],
                   skip_contexts: tuple[str, ...], mitigators: dict[str, Mitigation],
                   conditions: dict[str, Mitigation], by_name: frozenset[str],
                   default_mitigators: tuple[str, ...] = ()) -> MatchEntry:
    patterns = []
    for i, source in enumerate(entry.patterns):
        try:  # slots ({{name}}) expand before the pattern is checked and compiled
            expanded = slots.expand(source)
            patterns.append(compile_pattern(expanded, entry.anchors, known=known.get(expanded)))
        except (PatternProblem, SlotError) as exc:
            raise LexiconError(f"{path}: entry {entry.id} ({entry.name}): patterns[{i}]: {exc}") from None
    for phrase in entry.allow:
        if not normalize_phrase(phrase):
            raise LexiconError(f"{path}: entry {entry.id} ({entry.name}): allow: phrase {phrase!r} is empty once normalised")
    literals = []
    for phrase in entry.phrases:
        literal = normalize_phrase(phrase)
        if not literal:
            raise LexiconError(
                f"{path}: entry {entry.id} ({entry.name}): phrase {phrase!r} is empty once normalised"
            )
        literals.append(literal)
    contexts = skip_contexts if entry.options.skip_contexts is None else tuple(entry.options.skip_contexts)
    names = entry.options.mitigators
    if default_mitigators and entry.options.skip_contexts is None and names is None:
        contexts, names = tuple(dict.fromkeys((*contexts, "mitigated"))), list(default_mitigators)
    phrases = tuple(entry.phrases)
    return MatchEntry(
        phrases=phrases,
        patterns=tuple(patterns),
        allow=tuple(entry.allow),
        boundary=entry.options.boundary,
        gaps=entry.options.gaps,
        window=entry.options.window,
        group_allow=group_allow,
        skip_contexts=contexts,
        mitigators=_chosen(mitigators, names, by_name) if "mitigated" in contexts else (),
        requires=tuple(conditions[name] for name in entry.options.requires),
        # The phrases themselves when normalising changes none of them (most do not): one tuple
        # fewer per entry to keep, pickle and cache.
        literals=phrases if literals == entry.phrases else tuple(literals),
    )


def _chosen(mitigators: dict[str, Mitigation], names: list[str] | None,
            by_name: frozenset[str]) -> tuple[Mitigation, ...]:
    """The mitigators an entry takes: those it names (``default``: every clause and sentence
    one), else every clause and sentence one (scope before, after and earlier, and those
    marked ``by_name``: only by name)."""
    defaults = [m for n, m in mitigators.items()
                if m.reach < 0 and not m.after and not m.earlier and not m.utterance and n not in by_name]
    if names is None:
        return tuple(defaults)
    chosen = [m for n in names for m in (defaults if n == DEFAULT_MITIGATORS else [mitigators[n]])]
    return tuple(dict.fromkeys(chosen))


def _mitigators(model: LexiconFile, path: str, slots: ExpansionBudget,
                listed: str = "mitigators") -> dict[str, Mitigation]:
    """The compiled ``mitigators`` (or ``conditions``) of a lexicon, by name."""
    out = {}
    for m in getattr(model, listed):
        try:  # the same regex policy as patterns, with the bound of a search over whole clauses and turns
            expanded, also = (slots.expand(p) if p else "" for p in (m.pattern, m.also))
            for source in filter(None, (expanded, also)):
                if m.over == "normalized":
                    check_normalised(source)  # 谢谢 or 您 in a mitigator would never match
                check_regex(source, WHOLE_TEXT_WORK)
            regex, program = compile_captured(expanded)
            if also:
                re.compile(also)
        except (re.error, SlotError, UnsafePattern, PatternProblem) as exc:
            raise LexiconError(f"{path}: {listed[:-1]} {m.name}: {exc}") from None
        out[m.name] = Mitigation(LazyRegex(expanded, compiled=regex, program=program), m.scope == "sentence",
                                 m.boundary and m.over == "normalized",
                                 m.reach if m.scope == "before" else -1, m.scope == "after", m.questions,
                                 m.scope == "earlier", m.scope == "utterance", m.over == "original", also)
    return out


def compile_lexicon(model: LexiconFile, path: str, known: Mapping[str, Sequence] | None = None) -> Lexicon:
    """Compile every entry of a validated lexicon; :class:`LexiconError` names the file,
    the entry and the pattern or phrase that cannot be used. ``known`` maps pattern sources to
    their analysis from an earlier load of the same file (see :func:`pattern_analyses`)."""
    known = known or {}
    group_allow, skip_contexts = tuple(model.allow), tuple(model.skip_contexts)
    for phrase in group_allow:  # a literal of the automaton like the entries' (an empty one cannot be)
        if not normalize_phrase(phrase):
            raise LexiconError(f"{path}: allow: phrase {phrase!r} is empty once normalised")
    # One budget for every pattern of the file, slots expanded (slots.MAX_LEXICON_EXPANDED).
    slots = ExpansionBudget(model.slots)
    mitigators, conditions = _mitigators(model, path, slots), _mitigators(model, path, slots, "conditions")
    by_name = frozenset(m.name for m in model.mitigators if m.by_name)
    entries = tuple(_compile_entry(path, e, known, slots, group_allow, skip_contexts, mitigators, conditions,
                                   by_name, tuple(model.default_mitigators))
                    for e in model.entries)
    return Lexicon(path, entries, tuple(rule_info(e) for e in model.entries), model.name, model.kind, LazyModel(model))


def pattern_analyses(lexicon: Lexicon) -> dict[str, list]:
    """Every pattern's analysis (anchors, end anchoring), for the lexicon cache."""
    return {p.source: p.analysis for entry in lexicon.match_entries for p in entry.patterns}
