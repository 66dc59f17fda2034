"""Loading profile files (packaged names such as ``hotline``, or user files), validated with
errors that name the file, the line and what is wrong."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scriptcheck.datafile import format_validation_error, read_yaml
from scriptcheck.errors import ProfileError
from scriptcheck.profile.schema import ProfileFile
from scriptcheck.resources import is_path_reference, packaged_names, resolve

__all__ = ["Profile", "load_profile", "default_profile_names", "unknown_name_error"]


@dataclass(frozen=True)
class Profile:
    """A validated profile, the file it came from, and the file each rule was written in (a
    rule inherited through ``extends`` lives in the parent's file)."""

    data: ProfileFile
    path: str
    origins: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The profile's name."""
        return self.data.name

    def lexicon_sources(self) -> list[str]:
        """The profile's lexicons: packaged names as they are, file paths relative to the profile."""
        base = Path(self.path).parent
        return [str(base / ref) if is_path_reference(ref) and not Path(ref).is_absolute() else ref
                for ref in self.data.lexicons]

    def where(self, rule_id: str, name: str) -> str:
        """``file:line`` of ``name`` inside the rule ``rule_id`` (or of the rule, or the file)."""
        path = self.origins.get(rule_id, self.path)
        line = _line_of(path, rule_id, name)
        return f"{path}:{line}" if line else path


def default_profile_names() -> list[str]:
    """Names of the profiles shipped with scriptcheck."""
    return packaged_names("profile")


def unknown_name_error(where: str, what: str, name: str, known: set[str] | frozenset[str], context: str = "") -> ProfileError:
    """``where: unknown what 'name' (context); did you mean 'close'?`` as a ProfileError."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f": did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(known)) or 'none'})"
    return ProfileError(f"{where}: unknown {what} {name!r}{context}{hint}")


def _line_of(path: str, rule_id: str, name: str) -> int | None:
    """The 1-based line of the first ``name`` at or after the rule's ``id:`` line."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start = next((i for i, line in enumerate(lines)
                  if re.search(rf"\bid:\s*['\"]?{re.escape(rule_id)}\b", line)), None)
    if start is None:
        return None
    token = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    for i in range(start, len(lines)):
        if i > start and re.match(r"\s*-\s+id:", lines[i]):
            break  # the next rule
        if token.search(lines[i]):
            return i + 1
    return start + 1


def _rule_list(data: object, path: Path) -> list:
    """A profile's ``rules`` (``[]`` when it has none); :class:`ProfileError` when they are not a
    list (``rules: 5`` crashed the merge, and a child's would have been dropped unseen)."""
    rules = data.get("rules") if isinstance(data, dict) else None
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise ProfileError(f"{path}: rules: Input should be a valid list")
    return rules


def _read_merged(path: Path, origins: dict[str, str], chain: tuple[Path, ...] = ()) -> object:
    """The profile's YAML with its ``extends`` chain merged in: the child's keys win, rules are
    merged by id (a child rule replaces the parent's rule of the same id), examples are the
    child's own. ``origins`` receives the file each rule comes from."""
    if path.resolve() in chain:
        raise ProfileError(f"{path}: `extends` forms a cycle")
    data = read_yaml(path, ProfileError)
    if not isinstance(data, dict) or not data.get("extends"):
        for rule in _rule_list(data, path):
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                origins[rule["id"]] = str(path)
        return data
    parent_path = resolve("profile", str(data["extends"]), relative_to=path.parent)
    parent = _read_merged(parent_path, origins, chain + (path.resolve(),))
    if not isinstance(parent, dict):
        raise ProfileError(f"{parent_path}: not a profile mapping")
    merged = {**{k: v for k, v in parent.items() if k not in ("examples", "name", "description")}, **data}
    rules = {r.get("id"): r for r in _rule_list(parent, parent_path) if isinstance(r, dict)}
    for rule in _rule_list(data, path):
        if isinstance(rule, dict):
            rules[rule.get("id")] = rule
            if isinstance(rule.get("id"), str):
                origins[rule["id"]] = str(path)
    merged["rules"] = list(rules.values())
    return merged


def load_profile(source: str | Path, *, allow_paths: bool = True) -> Profile:
    """Load a profile from a file path or a packaged name (``"hotline"``, ``"callback"`` …).

    References inside the profile are checked: an ``order`` rule naming a step no step rule
    has fails here with the file, the line and the closest step name. (Categories are checked
    against the lexicons when a scorer is built, see :func:`check_categories`.)
    """
    path = resolve("profile", source, allow_paths=allow_paths)
    origins: dict[str, str] = {}
    data = _read_merged(path, origins)
    try:
        model = ProfileFile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(format_validation_error(path, exc, data, list_key="rules")) from None
    profile = Profile(model, str(path), origins)
    rules = list(model.rules)
    steps = {r.name for r in rules if r.kind == "step"}
    for rule in rules:
        for name in rule.problems(rules):
            raise unknown_name_error(profile.where(rule.id, name), "step", name, steps, f" in rule {rule.id}")
    return profile
