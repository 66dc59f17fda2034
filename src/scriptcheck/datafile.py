"""Reading the YAML data files (lexicons, profiles) with errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from scriptcheck.errors import ScriptcheckError

__all__ = ["read_yaml", "format_validation_error"]


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's where available: several times faster on our lexicons) that refuses
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


def read_yaml(path: Path, error: type[ScriptcheckError]) -> object:
    """Read a YAML file, turning I/O and syntax problems into ``error`` with the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
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
