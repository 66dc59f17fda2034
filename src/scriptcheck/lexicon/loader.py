"""Loading lexicon files: packaged defaults or user files, validated, compiled and self-tested."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, NamedTuple

import yaml
from pydantic import ValidationError

from scriptcheck.errors import LexiconError, ScriptcheckError, SpecFailure
from scriptcheck.lexicon import spec_cache
from scriptcheck.lexicon.schema import LexiconEntry, LexiconFile
from scriptcheck.lexicon.slots import SlotError, expand_slots
from scriptcheck.match.engine import MatchEntry, Matcher
from scriptcheck.match.patterns import PatternProblem, compile_pattern
from scriptcheck.text.normalize import normalize, normalize_phrase

__all__ = [
    "DEFAULT_LEXICONS",
    "Lexicon",
    "SpecResult",
    "defaults_dir",
    "default_lexicon_names",
    "load_lexicon",
    "run_specs",
    "read_yaml",
    "format_validation_error",
]


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's where available: ~7x faster on our lexicons) that refuses
    duplicate keys, which plain YAML resolves silently by keeping the last one — a lexicon
    entry with two `patterns:` would lose the first list without a word."""

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
                seen[key] = key_node.start_mark.line
            except TypeError:  # an unhashable key: let PyYAML report it
                break
        return super().construct_mapping(node, deep=deep)


_YAML_LOADER = _StrictLoader


# The packaged lexicons a checker or profile uses unless told otherwise.
DEFAULT_LEXICONS: tuple[str, ...] = ("forbidden", "polite", "cues")


def defaults_dir() -> Path:
    """The folder of packaged lexicons and profiles.

    Inside a wheel it is ``scriptcheck/_defaults``; in a source checkout (editable install or
    ``PYTHONPATH=src``) it is the repository's top-level ``lexicons/``.
    """
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_defaults", here.parent.parent / "lexicons"):
        if candidate.is_dir():
            return candidate
    raise ScriptcheckError(
        "the packaged lexicons are missing (expected scriptcheck/_defaults); reinstall scriptcheck"
    )


def default_lexicon_names() -> list[str]:
    """Names of the lexicons shipped with scriptcheck."""
    return sorted(p.stem for p in defaults_dir().glob("*.yaml"))


def read_yaml(path: Path, error: type[ScriptcheckError]) -> object:
    """Read a YAML file, turning I/O and syntax problems into ``error`` with the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{where}: invalid YAML: {problem}") from None


def format_validation_error(path: Path, exc: ValidationError, data: object, list_key: str = "entries") -> str:
    """One line per problem: ``file: entry FB004 (#4): field: reason``."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            index = loc[1]
            ident = None
            if isinstance(data, dict) and isinstance(data.get(list_key), list):
                items = data[list_key]
                if index < len(items) and isinstance(items[index], dict):
                    ident = items[index].get("id") or items[index].get("name")
            noun = {"entries": "entry", "rules": "rule"}.get(list_key, list_key)
            where = f"{noun} {ident or '?'} (#{index + 1}): "
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "(file)"
        lines.append(f"{path}: {where}{field}: {err['msg']}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon file with its entries compiled for the matcher."""

    data: LexiconFile
    path: str
    match_entries: tuple[MatchEntry, ...]

    @property
    def name(self) -> str:
        """The lexicon's name (``forbidden``, ``polite`` …)."""
        return self.data.name

    @property
    def kind(self) -> str:
        """``forbidden`` (its hits are findings) or ``polite`` (its hits satisfy steps)."""
        return self.data.kind

    @property
    def entries(self) -> list[LexiconEntry]:
        """The entries, in file order."""
        return self.data.entries


class SpecResult(NamedTuple):
    """The outcome of one inline spec of one entry."""

    lexicon: str
    rule: str
    expect: str  # "match" | "no_match"
    text: str
    ok: bool


def _resolve(source: str | Path) -> Path:
    path = Path(source)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        return path
    packaged = defaults_dir() / f"{source}.yaml"
    if packaged.exists():
        return packaged
    raise LexiconError(
        f"no lexicon file or packaged lexicon named {str(source)!r} "
        f"(packaged: {', '.join(default_lexicon_names())})"
    )


def _compile_entry(path: Path, entry: LexiconEntry, slots: Mapping[str, str] = {}) -> MatchEntry:
    patterns = []
    for i, source in enumerate(entry.patterns):
        try:  # slots ({{name}}) expand before the pattern is checked and compiled
            patterns.append(compile_pattern(expand_slots(source, slots), entry.anchors))
        except (PatternProblem, SlotError) as exc:
            raise LexiconError(f"{path}: entry {entry.id} ({entry.name}): patterns[{i}]: {exc}") from None
    for phrase in entry.phrases:
        if not normalize_phrase(phrase):  # cached: the matcher asks for the same form
            raise LexiconError(
                f"{path}: entry {entry.id} ({entry.name}): phrase {phrase!r} is empty once normalised"
            )
    return MatchEntry(
        phrases=tuple(entry.phrases),
        patterns=tuple(patterns),
        allow=tuple(entry.allow),
        boundary=entry.options.boundary,
        gaps=entry.options.gaps,
        window=entry.options.window,
    )


def load_lexicon(source: str | Path, *, verify: bool = True) -> Lexicon:
    """Load a lexicon from a file path or a packaged name (``"forbidden"``, ``"polite"``).

    Raises :class:`LexiconError` naming the file, the entry and the field when the file is
    invalid, and :class:`SpecFailure` listing every failing spec when ``verify`` is true.
    """
    path = _resolve(source)
    data = read_yaml(path, LexiconError)
    try:
        model = LexiconFile.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data)) from None
    entries = tuple(
        dataclasses.replace(_compile_entry(path, e, model.slots), group_allow=tuple(model.allow),
                            skip_contexts=tuple(model.skip_contexts if e.options.skip_contexts is None
                                                else e.options.skip_contexts))
        for e in model.entries
    )
    lexicon = Lexicon(model, str(path), entries)
    if verify and not spec_cache.is_verified(path):
        failures = [r for r in run_specs(lexicon) if not r.ok]
        if failures:
            raise SpecFailure(
                f"{path}: {len(failures)} spec(s) fail:\n"
                + "\n".join(f"  {r.rule}: expected {r.expect}: {r.text!r}" for r in failures)
            )
        spec_cache.mark_verified(path)
    return lexicon


def run_specs(lexicon: Lexicon) -> list[SpecResult]:
    """Run every entry's inline specs against the lexicon on its own.

    A forbidden lexicon is checked the way users see it, through a :class:`Checker` (so an
    entry whose hits are always swallowed by a longer finding of another entry fails its
    specs); other lexicons through the matcher, entry by entry.
    """
    from scriptcheck.checker import Checker  # the checker is built on this module

    checker = Checker([lexicon]) if lexicon.kind == "forbidden" else None
    matcher = None if checker is not None else Matcher(lexicon.match_entries)
    results = []
    for index, entry in enumerate(lexicon.entries):
        for expect, texts in (("match", entry.specs.match), ("no_match", entry.specs.no_match)):
            for text in texts:
                if checker is not None:
                    found = any(f.rule == entry.id for f in checker.check(text))
                else:
                    found = any(h.entry == index for h in matcher.find(normalize(text), frozenset({index})))
                results.append(SpecResult(lexicon.name, entry.id, expect, text, found == (expect == "match")))
    return results
