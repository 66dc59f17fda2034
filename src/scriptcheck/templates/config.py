"""Linter configuration: ``[tool.scriptcheck]`` in ``pyproject.toml`` or a ``scriptcheck.toml``.

The nearest file wins, found by walking up from the current directory; in one directory
``scriptcheck.toml`` (keys at the top level, or under ``[tool.scriptcheck]``) is preferred over
``pyproject.toml`` (only when it has a ``[tool.scriptcheck]`` table). Paths in the file
(lexicons, per-file-ignores, exclude, baseline) are relative to the file's directory::

    profile = "template"                 # packaged name or a profile file
    lexicons = ["lexicons/brand.yaml"]    # extra lexicon files
    select = ["FB", "PL", "TP"]           # codes or prefixes; default: everything
    ignore = ["TP104"]
    severity = {FB033 = "error"}          # per code (or prefix)
    fail-on = "warning"
    kinds = {closing = "^(bye|closing)_", waiting = "wait", smalltalk = "joke|^utter_chat_"}   # template id regexes
    exclude = ["drafts/*"]
    baseline = "scriptcheck-baseline.json"

    [per-file-ignores]
    "legacy/*.yaml" = ["PL"]

    [per-kind-ignores]                   # codes switched off for templates of a kind
    smalltalk = ["FB900"]                # jokes and chit-chat: no tone model
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scriptcheck.datafile import read_data
from scriptcheck.errors import ConfigError
from scriptcheck.io.jsontext import decode_failure
from scriptcheck.limits import MAX_BYTES
from scriptcheck.models import Severity
from scriptcheck.text.regex_policy import UnsafePattern, check_regex

__all__ = ["ConfigError", "ConfigFile", "LintConfig", "find_config", "load_config", "rule_selected"]

CONFIG_NAMES = ("scriptcheck.toml", "pyproject.toml")
# Globs (exclude, per-file-ignores) and kind regexes are compiled once per run, and compiling is
# what they cost: Python's re compiles about 150 KB of pattern a second, so 60,000 globs (1 MB)
# took 3-7 s to compile however they were grouped, and matched one by one through fnmatch, whose
# cache holds 32,768, they were compiled again for every file (10 files: 28 s). A configuration
# names tens of them; these bounds keep compiling a table to about a second at worst (a
# thousand globs of 65 stars each), a tenth of that for ordinary ones.
MAX_PATTERNS = 1_000
MAX_PATTERN_CHARS = 65_536  # all globs of one table together


class ConfigFile(BaseModel):
    """The ``[tool.scriptcheck]`` table (unknown keys are errors: a typo must not be ignored)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)  # see rules.base.FileModel

    profile: str | None = None
    lexicons: list[str] = Field(default_factory=list)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Severity | None = Field(default=None, alias="fail-on")
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    kinds: dict[str, str] = Field(default_factory=dict, description="kind → regex searched in the template id")
    per_kind_ignores: dict[str, list[str]] = Field(
        default_factory=dict, alias="per-kind-ignores",
        description="kind → codes or prefixes switched off for templates of that kind")
    exclude: list[str] = Field(default_factory=list)
    baseline: str | None = None

    @field_validator("exclude", "per_file_ignores")
    @classmethod
    def _few_globs(cls, value: list[str] | dict[str, list[str]]) -> list[str] | dict[str, list[str]]:
        _bounded(list(value), "globs", " (fewer, broader ones: drafts/* rather than one per file)")
        return value

    @field_validator("kinds")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        _bounded(list(value.values()), "kind regexes")
        for kind, pattern in value.items():
            if not pattern:
                raise ValueError(f"kinds.{kind}: an empty regex matches every template")
            try:  # a pull request's config must not make lint backtrack for ever (checked first:
                check_regex(pattern)  # it refuses what would make re itself recurse too deep)
            except UnsafePattern as exc:
                raise ValueError(f"kinds.{kind}: {exc}") from None
            try:
                re.compile(pattern)
            except (re.error, OverflowError) as exc:
                raise ValueError(f"kinds.{kind}: bad regex {pattern!r}: {exc}") from None
        return value


def _bounded(patterns: list[str], what: str, hint: str = "") -> None:
    """ValueError when ``patterns`` are more than :data:`MAX_PATTERNS` or longer together than
    :data:`MAX_PATTERN_CHARS` (see there)."""
    if len(patterns) > MAX_PATTERNS:
        raise ValueError(f"{len(patterns):,} {what}: at most {MAX_PATTERNS:,}{hint}")
    size = sum(len(p) for p in patterns)
    if size > MAX_PATTERN_CHARS:
        raise ValueError(f"{what} of {size:,} characters together: at most {MAX_PATTERN_CHARS:,}")


class _Globs:
    """fnmatch globs compiled once: :meth:`any` is one regex match (all globs as alternatives),
    :meth:`matching` tries them one by one only for a file some glob matches."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = patterns
        # fnmatch.fnmatch(name, glob) is re.match(translate(normcase(glob)), normcase(name))
        self._regexes = [fnmatch.translate(os.path.normcase(p)) for p in patterns]
        self._any = re.compile("|".join(f"(?:{r})" for r in self._regexes)) if patterns else None
        self._each: list[re.Pattern[str]] | None = None

    def any(self, *names: str) -> bool:
        """Whether a glob matches one of ``names``."""
        return self._any is not None and any(self._any.match(os.path.normcase(n)) for n in names)

    def matching(self, *names: str) -> list[str]:
        """The globs that match one of ``names``, in order."""
        if not self.any(*names):
            return []
        if self._each is None:
            self._each = [re.compile(r) for r in self._regexes]
        names = tuple(os.path.normcase(n) for n in names)
        return [p for p, r in zip(self.patterns, self._each) if any(r.match(n) for n in names)]


@dataclass(frozen=True)
class LintConfig:
    """A loaded configuration and the directory its relative paths start from."""

    data: ConfigFile = field(default_factory=ConfigFile)
    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None

    def resolve(self, relative: str) -> str:
        """A path written in the config file, as a path from here (absolute unless it was)."""
        candidate = Path(relative)
        return str(candidate if candidate.is_absolute() else self.root / candidate)

    def profile_source(self) -> str | None:
        """The configured profile: a packaged name as written, a file resolved from here."""
        profile = self.data.profile
        if profile and profile.endswith((".yaml", ".yml")):
            return self.resolve(profile)
        return profile

    def lexicon_sources(self) -> list[str]:
        """The configured extra lexicon files, resolved from here."""
        return [self.resolve(p) for p in self.data.lexicons]

    def kind_for(self, template_id: str | None) -> str | None:
        """The kind the id conventions give ``template_id`` (first matching regex), or ``None``."""
        if template_id is None:
            return None
        for kind, regex in self._kind_regexes:
            if regex.search(template_id):
                return kind
        return None

    # Compiled once (re's own cache holds 512 patterns; a frozen dataclass still has a __dict__
    # for cached_property to fill).
    @cached_property
    def _kind_regexes(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(kind, re.compile(pattern)) for kind, pattern in self.data.kinds.items()]

    @cached_property
    def _exclude(self) -> _Globs:
        return _Globs(list(self.data.exclude))

    @cached_property
    def _file_ignores(self) -> _Globs:
        return _Globs(list(self.data.per_file_ignores))

    def _relative(self, file: str) -> str:
        path = Path(file).resolve()
        try:
            return path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(file).as_posix()

    def _names(self, file: str) -> tuple[str, str]:
        """What globs are matched against: the path relative to the config, and the file name."""
        rel = self._relative(file)
        return rel, PurePath(rel).name

    def excluded(self, file: str) -> bool:
        """Whether ``file`` matches an ``exclude`` glob (relative path or bare file name)."""
        return file != "-" and bool(self.data.exclude) and self._exclude.any(*self._names(file))

    def file_ignores(self, file: str) -> list[str]:
        """Codes/prefixes ``per-file-ignores`` switches off for ``file``."""
        if file == "-" or not self.data.per_file_ignores:
            return []
        matched = self._file_ignores.matching(*self._names(file))
        return [code for pattern in matched for code in self.data.per_file_ignores[pattern]]

    def kind_ignores(self, kind: str | None) -> list[str]:
        """Codes/prefixes ``per-kind-ignores`` switches off for templates of ``kind``: a bot's
        jokes and small talk may say what a service reply must not (给您讲个冷笑话…), and a
        project says so once for the kind instead of suppressing template by template."""
        return list(self.data.per_kind_ignores.get(kind, ())) if kind else []

    def severity_for(self, rule: str, default: Severity) -> Severity:
        """The configured severity of ``rule`` (the longest matching code or prefix wins)."""
        best = max((c for c in self.data.severity if rule.startswith(c)), key=len, default=None)
        return self.data.severity[best] if best is not None else default


def rule_selected(rule: str, select: list[str], ignore: list[str]) -> bool:
    """ruff's rule: the most specific matching entry decides; an empty ``select`` selects all.

    ``select=["FB"]`` and ``ignore=["FB033"]`` drop only FB033; ``select=["FB033"]`` with
    ``ignore=["FB"]`` keeps FB033 (the longer prefix is more specific); a tie ignores.
    """
    chosen = max((len(c) for c in select if rule.startswith(c)), default=-1) if select else 0
    dropped = max((len(c) for c in ignore if rule.startswith(c)), default=-1)
    return chosen >= 0 and chosen > dropped


def _table(path: Path) -> dict | None:
    content = read_data(path, ConfigError)  # a regular file only, at most the size limit
    if len(content) > MAX_BYTES:
        raise ConfigError(f"{path}: file too large (the limit is {MAX_BYTES} bytes)")
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (RecursionError, ValueError) as exc:  # nested thousands deep, an integer of > 4,300 digits
        raise ConfigError(f"{path}: invalid TOML: {decode_failure(exc)}") from None
    tool = data.get("tool", {}).get("scriptcheck") if isinstance(data.get("tool"), dict) else None
    if path.name == "pyproject.toml":
        return tool
    return tool if tool is not None else {k: v for k, v in data.items() if k != "tool"}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``scriptcheck.toml`` or ``pyproject.toml`` with ``[tool.scriptcheck]``,
    walking up from ``start`` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _table(candidate) is not None):
                return candidate
    return None


def load_config(path: Path | str | None = None, *, search: bool = True) -> LintConfig:
    """The configuration in ``path``, else the nearest one (``search``), else the defaults."""
    found = Path(path) if path is not None else (find_config() if search else None)
    if found is None:
        return LintConfig()
    table = _table(found)  # read_data says what a missing file, a directory or a device is
    if table is None:
        raise ConfigError(f"{found}: no [tool.scriptcheck] table")
    try:
        data = ConfigFile.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{found}: {problems}") from None
    return LintConfig(data, found.resolve().parent, found)
