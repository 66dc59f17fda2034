"""The one YAML loader for every YAML scriptcheck reads (templates, lexicons, profiles).

YAML files come from pull requests and exports, so they are untrusted:

- only the safe subset of YAML is built (no Python objects), with libyaml's parser where it is
  installed (``CSafeLoader``: ~7x faster on the lexicons);
- a key given twice in one mapping is an error (plain YAML keeps the last one silently, so an
  entry with two ``patterns:`` would lose the first list without a word);
- aliases are bounded: a "billion laughs" file of ten lines whose aliases expand to billions of
  nodes is refused from its node graph, before anything walks the expansion (the graph itself
  is small: an alias is a reference to a node already built). The limit is on the *expanded*
  node count, so ordinary anchors (``defaults: &d`` … ``<<: *d``) keep working;
- the file size is bounded in bytes before it is parsed.

Every error is ``error(f"{source}:{line}:{column}: …")`` — the caller's error class, so a
lexicon problem stays a :class:`LexiconError` and a template problem an :class:`InputError`.
"""

from __future__ import annotations

from typing import Any

import yaml

from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.limits import MAX_BYTES, MAX_NODES

__all__ = ["MAX_BYTES", "MAX_NODES", "YamlLimitError", "compose_yaml", "load_yaml", "StrictSafeLoader"]


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLimitError(yaml.YAMLError):
    """A size or alias-expansion limit was exceeded (reported like a syntax error)."""

    def __init__(self, problem: str, mark=None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _DuplicateKeys:
    """Refuses a key given twice in one mapping (a mixin for PyYAML's constructors)."""

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base`: merged keys may be overridden, that is its purpose
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


class StrictSafeLoader(_DuplicateKeys, _Base):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's where available) that refuses duplicate keys."""


class _PositionLoader(_DuplicateKeys, yaml.SafeLoader):
    """The pure-Python safe loader: its marks count code points, and its scalar end marks are
    those the template position mapping was written against (libyaml's differ on multi-line
    plain scalars). Used where positions matter."""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many nodes the document has once every alias is expanded, stopping past ``limit``.

    Aliases make the composed document a DAG (a node reached twice is the same object): the
    size of a node is computed once and reused, so this is linear in the graph, not in its
    expansion. A recursive alias (a node inside itself) counts as over the limit."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    # Iterative post-order: a deep document must not hit Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children = (node.value if isinstance(node, yaml.SequenceNode)
                    else [n for pair in node.value for n in pair])
        if not expanded:
            if key in in_progress:
                raise YamlLimitError("recursive alias", node.start_mark)
            in_progress.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) not in sizes:
                    if id(child) in in_progress:
                        raise YamlLimitError("recursive alias", child.start_mark)
                    stack.append((child, False))
            continue
        in_progress.discard(key)
        total = 1 + sum(sizes[id(child)] for child in children)
        if total > limit:
            raise YamlLimitError(f"aliases expand to more than {limit} nodes (an alias bomb?)",
                                 node.start_mark)
        sizes[key] = total
    return sizes[id(root)]


def _text(data: str | bytes, source: str, max_bytes: int, error: type[ScriptcheckError]) -> str:
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise _error(error, source, None, f"file too large ({size} bytes; the limit is {max_bytes})")
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _error(error, source, None, f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    return data


def _error(error: type[ScriptcheckError], source: str, mark, problem: str) -> ScriptcheckError:
    line = mark.line + 1 if mark is not None else None
    if issubclass(error, InputError):
        where = f" (column {mark.column + 1})" if mark is not None else ""
        return error(f"invalid YAML: {problem}{where}", file=source, line=line)
    where = f"{source}:{line}:{mark.column + 1}" if mark is not None else source
    return error(f"{where}: invalid YAML: {problem}")


def _compose(text: str, source: str, max_nodes: int, error: type[ScriptcheckError],
             loader_class: type = StrictSafeLoader):
    loader = None
    try:
        loader = loader_class(text)  # the pure reader checks every character here already
        node = loader.get_single_node()
        if node is not None:
            _expanded_size(node, max_nodes)
        return loader, node
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        if loader is not None:
            loader.dispose()
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        raise _error(error, source, yaml.Mark(source, exc.position, line - 1, column, None, None),
                     f"unacceptable character #x{exc.character:04x}: special characters are not allowed"
                     if isinstance(exc.character, int) else str(exc)) from None
    except yaml.YAMLError as exc:
        if loader is not None:
            loader.dispose()
        mark = getattr(exc, "problem_mark", None)
        raise _error(error, source, mark, getattr(exc, "problem", None) or str(exc)) from None
    except RecursionError:
        if loader is not None:
            loader.dispose()
        raise _error(error, source, None, "nested too deeply") from None


def compose_yaml(data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
                 error: type[ScriptcheckError] = InputError) -> yaml.Node | None:
    """The node graph of one YAML document (with source marks), checked against the limits;
    ``None`` for an empty document. For readers that need positions (template linting)."""
    loader, node = _compose(_text(data, source, max_bytes, error), source, max_nodes, error, _PositionLoader)
    loader.dispose()
    return node


def load_yaml(data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
              error: type[ScriptcheckError] = InputError) -> Any:
    """Plain data (dicts, lists, str, int, float, bool, None, dates) of one YAML document.

    ``source`` names the file in errors; ``error`` is the exception class raised (with
    ``file:line:column`` and the problem) for a syntax error, a duplicate key, an alias
    expansion past ``max_nodes`` nodes or a text over ``max_bytes`` bytes.
    """
    loader, node = _compose(_text(data, source, max_bytes, error), source, max_nodes, error)
    try:
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(error, source, mark, getattr(exc, "problem", None) or str(exc)) from None
    except RecursionError:
        raise _error(error, source, None, "nested too deeply") from None
    finally:
        loader.dispose()
