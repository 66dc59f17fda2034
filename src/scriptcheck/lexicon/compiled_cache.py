"""The compiled-lexicon cache: what the matcher and the checker need of a lexicon that loaded
cleanly, kept as plain data so a warm start neither validates nor compiles it again.

A 10,000-entry lexicon read from the parse cache still went through pydantic (10,000 entry
models) and the compiler (10,000 match entries, normalised phrases, pattern analyses) on every
start, about two thirds of a warm load (benchmarks/RESULTS.md, "Start-up and large lexicons").
This cache keeps instead, under ``<cache dir>/compiled/<key>``:

- per entry its :class:`~scriptcheck.lexicon.compiled.RuleInfo` (code, category, severity,
  message, suggestion) and its match entry (phrases and their normalised forms, allow-list,
  options, the indices of its patterns, mitigators and required contexts), column by column;
- each pattern's expanded source and analysis (anchors, end anchoring), each mitigator's
  expanded regex and scope, and the program each regex compiled to when the lexicon was first
  loaded (:mod:`scriptcheck.regex_program`): a regex is rebuilt from its program when first
  used, not compiled again (``re`` spent ~0.2 s of every 16,000-chat batch compiling them);
- the JSON (UTF-8 bytes) of the data the file parsed to, from which :attr:`Lexicon.data` (the pydantic model, with
  the specs and documentation) is validated only if something asks for it.

The key is the lexicon's (:func:`scriptcheck.lexicon.spec_cache.key`: the SHA-256 of the bytes,
the versions of the libraries involved and the source of every module that reads, validates
and compiles lexicons, this one included), so the file or the code changing means a fresh load.
Only a lexicon that validated and compiled is stored, and only when JSON holds its parsed data
exactly. ``SCRIPTCHECK_CACHE_DIR=off`` means nothing is read or written.

The file is :mod:`marshal` data of tuples, strings, integers and booleans only — never pickle:
a cache file must not be able to run code. :mod:`marshal` could carry a code object, but
nothing read here is ever called, and the whole value is checked column by column before use
(types, lengths, indices in range, known severities and contexts): a file that does not load,
has another shape or names another key is ignored, as if absent. Like every cache here, it
assumes that only its user writes the cache directory: a crafted file cannot run code, but a
well-formed one could make a lexicon find other things (its patterns are not put through the
regex policy again, which is what a warm start saves).
"""

from __future__ import annotations

import json
import re
import sys
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import fields
from itertools import chain, repeat
from typing import Any, get_type_hints

from scriptcheck.cachedir import cache_file
from scriptcheck.datafile import load_marshalled, store_marshalled
from scriptcheck.lexicon.compiled import LazyModel, Lexicon, RuleInfo
from scriptcheck.match.contexts import Mitigation
from scriptcheck.match.engine import MatchEntry
from scriptcheck.match.patterns import CompiledPattern, LazyRegex
from scriptcheck.models import Severity
from scriptcheck.regex_program import PROGRAM_FORMAT, compile_captured, is_program
from scriptcheck.text.normalize import normalize_phrase

__all__ = ["from_plain", "load_compiled", "store_compiled", "to_plain"]

# The file's format; bumped whenever the layout below changes (the module's source is in the
# key as well, so this guards against a hand-copied file more than against an upgrade). The
# interpreter and its `re` engine are part of it (regex_program.PROGRAM_FORMAT): the regexes'
# programs stored here are its own, and a cache folder can be shared by interpreters whose
# `re` differs.
_FORMAT = f"scriptcheck-compiled/7 python {sys.version_info[0]}.{sys.version_info[1]} {PROGRAM_FORMAT}"
_SEVERITIES = {s.value: s for s in Severity}
# A stored mitigator is its regex's source and then its other fields in order, their types read off
# Mitigation itself: a field added there is stored, restored and checked without another edit here.
_MITIGATION_TYPES = (str, *(get_type_hints(Mitigation)[f] for f in Mitigation._fields[1:]))
_CONTEXTS = frozenset({"quoted", "reported", "mitigated"})

# Column order of the plain form (see to_plain).
_COLUMNS = ("ids", "categories", "severities", "descriptions", "suggestions", "phrases", "allow",
            "boundary", "gaps", "window", "skip_contexts", "mitigators", "requires", "patterns", "literals")


def to_plain(lexicon: Lexicon, json_data: bytes) -> tuple:
    """The plain-data form of a compiled lexicon (``json_data``: the data its file parsed to, as
    UTF-8 JSON; bytes, so loading the cache file does not decode it)."""
    entries = lexicon.match_entries
    rules = lexicon.rules
    sources: list[str] = []
    analyses: list[tuple] = []
    pattern_index: dict[tuple, int] = {}
    programs: list = []
    mitigator_index: dict[Mitigation, int] = {}
    mitigators: list[tuple] = []
    mitigator_programs: list = []
    entry_patterns = []
    entry_mitigators = []
    entry_requires = []

    def index_of(m: Mitigation) -> int:
        if m not in mitigator_index:
            mitigator_index[m] = len(mitigators)
            mitigators.append((m.regex.pattern, *m[1:]))
            mitigator_programs.append(m.regex.program)
        return mitigator_index[m]

    for entry in entries:
        own = []
        for pattern in entry.patterns:
            known = (pattern.source, tuple(sorted(pattern.anchors)), pattern.anchored_end)
            if known not in pattern_index:
                pattern_index[known] = len(sources)
                sources.append(pattern.source)
                analyses.append(known[1:])
                # A pattern loaded with its analysis known (no compiled cache, a spec cache) was
                # not compiled: its program is captured here, so the file is the one a fresh
                # load writes.
                programs.append(pattern.program if pattern.program is not None
                                else compile_captured(pattern.source, re.MULTILINE)[1])
            own.append(pattern_index[known])
        entry_patterns.append(tuple(own))
        entry_mitigators.append(tuple(map(index_of, entry.mitigators)))
        entry_requires.append(tuple(map(index_of, entry.requires)))
    group_allow = entries[0].group_allow if entries else ()
    columns = (
        tuple(r.id for r in rules), _shared(r.category for r in rules), _shared(r.severity.value for r in rules),
        _shared(r.description for r in rules), _shared(r.suggestion for r in rules),
        tuple(e.phrases for e in entries), _shared(e.allow for e in entries),
        tuple(e.boundary for e in entries), tuple(e.gaps for e in entries), tuple(e.window for e in entries),
        _shared(e.skip_contexts for e in entries), _shared(entry_mitigators), _shared(entry_requires),
        _shared(entry_patterns),
        tuple(_literals(e) for e in entries),
    )
    return (lexicon.name, lexicon.kind, json_data, tuple(group_allow), tuple(sources),
            tuple(a for a, _ in analyses), tuple(end for _, end in analyses), tuple(mitigators), columns,
            tuple(programs), tuple(mitigator_programs))


def _literals(entry: MatchEntry) -> tuple[str, ...]:
    """An entry's normalised phrases; its phrases tuple itself when they are the same (marshal
    then writes it once, and the restored entry holds one tuple, as a fresh one does)."""
    literals = entry.literals if entry.literals is not None else tuple(map(normalize_phrase, entry.phrases))
    return entry.phrases if literals == entry.phrases else literals


def _shared(values: Iterable[Hashable]) -> tuple:
    """``values`` as a tuple in which equal values are one object: marshal writes a repeated
    object once and loads it once (most entries share their category, severity, contexts,
    empty allow-list and suggestion)."""
    seen: dict = {}
    return tuple(seen.setdefault(v, v) for v in values)


def _strings(column: Any) -> bool:
    """A tuple of strings (checked in C: join refuses anything else)."""
    if type(column) is not tuple:
        return False
    try:
        "".join(column)
    except TypeError:
        return False
    return True


def _string_tuples(column: Any) -> bool:
    """A tuple of tuples of strings."""
    if type(column) is not tuple or not set(map(type, column)) <= {tuple}:
        return False
    try:
        "".join(chain.from_iterable(column))
    except TypeError:
        return False
    return True


def _index_tuples(column: Any, bound: int) -> bool:
    """A tuple of tuples of integers in ``range(bound)``."""
    if type(column) is not tuple or not set(map(type, column)) <= {tuple}:
        return False
    flat = [i for item in column for i in item]
    return set(map(type, flat)) <= {int} and all(0 <= i < bound for i in flat)


def _programs(column: Any, count: int) -> bool:
    """A tuple of ``count`` regex programs (:data:`scriptcheck.regex_program.Program`) or ``None``s."""
    return (type(column) is tuple and len(column) == count
            and all(program is None or is_program(program) for program in column))


def _shape_ok(plain: Any) -> bool:
    """Whether ``plain`` is exactly what :func:`to_plain` writes (types, lengths, ranges)."""
    try:
        return _checked(plain)
    except TypeError:  # an unhashable value where a string should be, and the like
        return False


def _checked(plain: Any) -> bool:
    if type(plain) is not tuple or len(plain) != 11:
        return False
    name, kind, json_data, group_allow, sources, anchors, ends, mitigators, columns, programs, \
        mitigator_programs = plain
    if not (type(name) is str and kind in ("forbidden", "polite", "cue") and type(json_data) is bytes
            and _strings(group_allow) and _strings(sources) and _string_tuples(anchors)
            and type(ends) is tuple and set(map(type, ends)) <= {bool}
            and len(anchors) == len(ends) == len(sources) and all(all(a) and a for a in anchors)):
        return False
    if type(mitigators) is not tuple or not all(
            type(m) is tuple and tuple(map(type, m)) == _MITIGATION_TYPES for m in mitigators):
        return False
    if not (_programs(programs, len(sources)) and _programs(mitigator_programs, len(mitigators))):
        return False
    if type(columns) is not tuple or len(columns) != len(_COLUMNS):
        return False
    ids, categories, severities, descriptions, suggestions, phrases, allow, boundary, gaps, window, \
        contexts, chosen, required, patterns, literals = columns
    count = len(ids)
    if any(type(c) is not tuple or len(c) != count for c in columns):
        return False
    return (_strings(ids) and _strings(categories) and set(severities) <= _SEVERITIES.keys()
            and _strings(descriptions) and _strings(suggestions) and _string_tuples(phrases)
            and _string_tuples(allow) and set(map(type, boundary)) <= {bool} and set(map(type, gaps)) <= {bool}
            and set(map(type, window)) <= {int} and _string_tuples(contexts)
            and {c for item in contexts for c in item} <= _CONTEXTS
            and _index_tuples(chosen, len(mitigators)) and _index_tuples(required, len(mitigators))
            and _index_tuples(patterns, len(sources))
            and _string_tuples(literals) and list(map(len, literals)) == list(map(len, phrases))
            and all(map(all, literals)))


_FIELDS = ("phrases", "patterns", "allow", "boundary", "gaps", "window", "group", "group_allow", "skip_contexts",
           "mitigators", "requires", "literals")
# The shortcut below sets exactly these fields: should MatchEntry ever have others, entries are
# built the ordinary way.
_FAST = tuple(f.name for f in fields(MatchEntry)) == _FIELDS
_new_entry = object.__new__
_set = object.__setattr__


def _match_entries(values: list[tuple]) -> list[MatchEntry]:
    """One :class:`MatchEntry` per tuple of field values (in :data:`_FIELDS` order)."""
    if not _FAST:
        return [MatchEntry(*v) for v in values]
    # MatchEntry is a frozen dataclass: its generated __init__ sets each field through
    # object.__setattr__, which at 10,000 entries costs as much as the rest of this load. The
    # instance dicts are set in one go instead, all in C: the same fields with the same values
    # (tests/test_lexicon_compiled_cache.py compares the entries with freshly compiled ones).
    dicts = map(dict, map(zip, repeat(_FIELDS), values))
    entries = list(map(_new_entry, repeat(MatchEntry, len(values))))
    deque(map(_set, entries, repeat("__dict__"), dicts), maxlen=0)
    return entries


def from_plain(plain: Any, path: str) -> Lexicon | None:
    """The lexicon ``plain`` (see :func:`to_plain`) describes, loaded from ``path``; ``None``
    when it is not of that shape."""
    if not _shape_ok(plain):
        return None
    name, kind, json_data, group_allow, sources, anchors, ends, stored_mitigators, columns, programs, \
        mitigator_programs = plain
    ids, categories, severities, descriptions, suggestions, phrases, allow, boundary, gaps, window, \
        contexts, chosen, required, patterns, literals = columns
    # Compiled on first use (LazyRegex), from the programs these very sources compiled to when
    # the entry was stored, under the same code, library and interpreter versions (the cache
    # key and the format).
    mitigators = [Mitigation(LazyRegex(source, program=program), *rest)
                  for (source, *rest), program in zip(stored_mitigators, mitigator_programs)]
    compiled = [CompiledPattern(s, None, frozenset(a), end, program)
                for s, a, end, program in zip(sources, anchors, ends, programs)]
    # Most entries have no pattern and no mitigator: they share the one empty tuple.
    entry_patterns = [tuple(map(compiled.__getitem__, p)) if p else () for p in patterns]
    entry_mitigators = [tuple(map(mitigators.__getitem__, m)) if m else () for m in chosen]
    entry_requires = [tuple(map(mitigators.__getitem__, m)) if m else () for m in required]
    entries = tuple(_match_entries(list(zip(phrases, entry_patterns, allow, boundary, gaps, window, repeat(0),
                                                repeat(group_allow), contexts, entry_mitigators, entry_requires,
                                                literals))))
    rules = tuple(map(tuple.__new__, repeat(RuleInfo),
                      zip(ids, categories, map(_SEVERITIES.__getitem__, severities), descriptions, suggestions)))
    return Lexicon(path, entries, rules, name, kind, LazyModel(source=json_data))


def load_compiled(key: str, path: str) -> Lexicon | None:
    """The lexicon cached under ``key``, as loaded from ``path``, or ``None`` (not cached,
    caching off, or the file unreadable, corrupt, of another shape or for another key)."""
    plain = load_marshalled("compiled", key, _FORMAT)
    return None if plain is None else from_plain(plain, path)


def store_compiled(key: str, lexicon: Lexicon, data: object) -> None:
    """Remember a lexicon that validated and compiled from ``data`` (its file's parsed data);
    skipped when caching is off, when JSON does not hold ``data`` exactly (it would not
    validate to the same model later) or when the cache is not writable."""
    if cache_file("compiled", key) is None:
        return  # caching off: not even the JSON check below
    try:
        json_text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        if json.loads(json_text) != data:
            return
    except (TypeError, ValueError, RecursionError):
        return
    store_marshalled("compiled", key, _FORMAT, to_plain(lexicon, json_text.encode()))
