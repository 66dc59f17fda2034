"""The one YAML loader for every YAML scriptcheck reads (templates, lexicons, profiles).

YAML files come from pull requests and exports, so they are untrusted:

- only the safe subset of YAML is built (no Python objects), with libyaml's parser where it is
  installed (``CSafeLoader``: ~7x faster on the lexicons); a document without aliases made of
  strings, scalars, lists and mappings (every lexicon and profile) is built from libyaml's
  nodes by a direct walk, others by PyYAML's constructor (the same values either way);
- a key given twice in one mapping is an error (plain YAML keeps the last one silently, so an
  entry with two ``patterns:`` would lose the first list without a word);
- the node count is bounded while the document is read, not once its graph is built (2,000,000
  ``{}`` took 1 GB and 6.6 s to refuse): the event walk counts as it goes, a text long enough
  to hold more nodes than the limit has its parser's events counted before anything is
  composed, and the composers count the nodes they build;
- aliases are bounded: a "billion laughs" file of ten lines whose aliases expand to billions of
  nodes is refused from its node graph, before anything walks the expansion (the graph itself
  is small: an alias is a reference to a node already built). The limit is on the *expanded*
  node count, so ordinary anchors (``defaults: &d`` … ``<<: *d``) keep working;
- the file size is bounded in bytes before it is parsed;
- numbers follow YAML 1.2 in one respect: a plain ``1:30`` is the string ``"1:30"``, not YAML
  1.1's base-60 int 5400 (PyYAML's base-60 constructor is quadratic: a 1 MB ``1:0:0:…`` took
  18 s), and an explicit ``!!int 1:30`` is refused. Every other YAML 1.1 scalar (``yes``,
  ``0777``, dates) reads as before;
- a scalar PyYAML's constructors cannot build (the date ``2001-13-45``, an int of more than
  Python's 4,300 digits) is an error at its line, not a ``ValueError``.

Every error is ``error(f"{source}:{line}:{column}: …")`` — the caller's error class, so a
lexicon problem stays a :class:`LexiconError` and a template problem an :class:`InputError`.
"""

from __future__ import annotations

import re
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


class _BuildErrors:
    """Turns what PyYAML's scalar constructors raise besides their own errors into a
    ``ConstructorError`` at the scalar (a mixin for PyYAML's constructors)."""

    def construct_object(self, node, deep=False):  # noqa: D102 - PyYAML hook
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as exc:
            # datetime.date() on an implicit date such as 2001-13-45, int() on more than
            # Python's 4,300 digits: plain ValueErrors, which would escape as a traceback.
            # Only a scalar's constructor raises them; the innermost node converts it, so the
            # mark is the scalar's (a ConstructorError is no ValueError: outer nodes let it by).
            value = node.value if isinstance(node.value, str) else ""
            shown = value if len(value) <= 40 else f"{value[:40]}… ({len(value)} characters)"
            reason = str(exc).split(";")[0]  # the int limit's advice (sys.set_int_max_str_digits) is no user's
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown!r} as {node.tag.rsplit(':', 1)[-1]}: {reason}",
                node.start_mark) from None


# YAML 1.1's base-60 numbers (`1:30` = 90, `1:30.5`) are read as strings, as YAML 1.2 reads
# them: PyYAML builds one with a bigint multiplication per `:` part, quadratic in the scalar's
# length (a 1 MB `1:0:0:…` took 18 s), and no scriptcheck file means a number by `1:30` (every
# packaged lexicon, profile and model loads to the same data either way: checked when this was
# changed). These are PyYAML 6's int and float resolvers without their sexagesimal branches.
_YAML12_NUMBERS = {
    "tag:yaml.org,2002:int": re.compile(r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+)$""", re.X),
    "tag:yaml.org,2002:float": re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X),
}


class _NoSexagesimal:
    """YAML 1.2's numbers in one respect: no base-60 (a mixin for PyYAML's loaders)."""

    # The same resolvers, keyed by the same first characters (each number's other branches
    # start with the same ones), with the int and float expressions replaced.
    yaml_implicit_resolvers = {
        first: [(tag, _YAML12_NUMBERS.get(tag, regexp)) for tag, regexp in pairs]
        for first, pairs in _Base.yaml_implicit_resolvers.items()}


def _too_many(limit: int) -> str:
    return f"more than {limit} nodes (the limit for one data file)"


class _NodeBudget:
    """Stops composing past ``node_budget`` nodes (a mixin for PyYAML's loaders; ``None``: no
    budget). Both composers, libyaml's (whose node methods Python cannot override) and
    PyYAML's, call ``descend_resolver`` once for every node they build, before building it, so
    counting there bounds the graph however the rest of the file runs on. The mark is the
    collection the extra node was to join, as the count of the finished graph reported it."""

    node_budget: int | None = None
    _nodes_composed = 0

    def descend_resolver(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.node_budget is not None:
            self._nodes_composed += 1
            if self._nodes_composed > self.node_budget:
                raise YamlLimitError(_too_many(self.node_budget),
                                     parent.start_mark if parent is not None else self.get_mark())
        return super().descend_resolver(parent, index)


class StrictSafeLoader(_NodeBudget, _BuildErrors, _NoSexagesimal, _DuplicateKeys, _Base):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's where available) that refuses duplicate keys, reads no
    base-60 numbers, reports a scalar it cannot build as a YAML error and composes at most
    ``node_budget`` nodes."""


def _no_base60(build):
    """``build`` (a PyYAML int or float constructor) refusing a base-60 value: an explicit
    ``!!int 1:30`` bypasses the resolvers and would still reach PyYAML's quadratic branch."""
    def construct(loader, node):
        if isinstance(node.value, str) and ":" in node.value:
            raise yaml.constructor.ConstructorError(
                None, None, f"base-60 numbers such as {node.value[:20]!r} are not supported "
                "(YAML 1.2 has none): quote it as a string", node.start_mark)
        return build(loader, node)
    return construct


# PyYAML looks constructors up by tag in a class table (methods are not overridden by name).
for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    StrictSafeLoader.add_constructor(_tag, _no_base60(_Base.yaml_constructors[_tag]))
del _tag


class _PositionLoader(_NodeBudget, _DuplicateKeys, yaml.SafeLoader):
    """The pure-Python safe loader: its marks count code points, and its scalar end marks are
    those the template position mapping was written against (libyaml's differ on multi-line
    plain scalars). Used where positions matter. It builds no values (templates read the nodes'
    tags and text), so YAML 1.1's base-60 resolution costs nothing here and is left as it was."""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many nodes the document has once every alias is expanded, stopping past ``limit``.

    Aliases make the composed document a DAG (a node reached twice is the same object): the
    size of a node is computed once and reused, so this is linear in the graph, not in its
    expansion. A recursive alias (a node inside itself) counts as over the limit."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    shared = False  # whether some node is reached twice (through an alias): what the error blames
    # Iterative post-order: a deep document must not hit Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in sizes:
            shared = True
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
                else:
                    shared = True
            continue
        in_progress.discard(key)
        total = 1 + sum(sizes[id(child)] for child in children)
        if total > limit:
            raise YamlLimitError(f"aliases expand to more than {limit} nodes (an alias bomb?)" if shared
                                 else _too_many(limit), node.start_mark)
        sizes[key] = total
    return sizes[id(root)]


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Scalar key tags whose value the plain walk builds as PyYAML does (a merge key `<<`, a value
# key `=` and anything tagged go the general way).
_KEY_TAGS = frozenset({_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                       "tag:yaml.org,2002:null"})
_UNUSUAL = object()


class _Unusual(Exception):
    """Something the plain walk leaves to PyYAML's constructor."""


def _plain_data(loader, root: yaml.Node, limit: int) -> object:
    """The plain data of an alias-free node tree, built directly; or ``_UNUSUAL`` when the tree
    holds anything but strings, scalars, plain lists and mappings with distinct scalar keys, or
    more than ``limit`` nodes (then PyYAML's constructor decides, and reports, as before).

    PyYAML's constructor is generic (generators, per-node dispatch, the duplicate-key check
    building every key twice) and was 40% of parsing a large lexicon; this builds the same
    values: strings are the scalar's value as PyYAML's ``str`` constructor returns it, every
    other scalar goes through PyYAML's own constructor (ints, floats, booleans, nulls, dates)."""
    count = 0
    scalar_node, sequence_node, mapping_node = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    construct = loader.construct_object

    def build(node):
        nonlocal count
        count += 1
        if count > limit:
            raise _Unusual
        kind = node.__class__
        if kind is scalar_node:
            return node.value if node.tag == _STR else construct(node, deep=True)
        if kind is sequence_node:
            if node.tag != _SEQ:
                raise _Unusual
            return [build(item) for item in node.value]
        if kind is mapping_node and node.tag == _MAP:
            out = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not scalar_node or key_node.tag not in _KEY_TAGS:
                    raise _Unusual
                key = build(key_node)
                if key in out:
                    raise _Unusual  # a duplicate key: reported, with both lines, the general way
                out[key] = build(value_node)
            return out
        raise _Unusual

    try:
        return build(root)
    except (_Unusual, RecursionError):
        return _UNUSUAL


# Deeper than this, the event walk leaves the document to the node walk (which refuses what
# Python's recursion limit refuses, "nested too deeply"): no lexicon or profile nests past 10.
_EVENT_DEPTH = 100
_EVENTS = yaml.events
_KEY = object()  # a mapping on the event walk's stack waits for its next key


def _plain_events(text: str, limit: int) -> object:
    """The plain data of an alias-free, anchor-free, untagged single document, built straight
    from the parser's events; ``_UNUSUAL`` for anything else (a syntax error included), which
    then goes the way it always went (:func:`_compose`, then :func:`_plain_data` or PyYAML's
    constructor), and so gets the same result or the same error.

    It builds what :func:`_plain_data` builds from the composed nodes — the same tag for every
    scalar (the loader's own ``resolve``, skipped only where it provably gives ``str``: a
    quoted scalar, or a plain one whose first character no implicit resolver claims), the same
    values, the same refusals (a key that is not a plain scalar, a duplicate key) — without
    making a node per value: composing 1.4 MB of a 10,000-entry lexicon took 140 ms of its
    200 ms parse, libyaml's own parsing 16 ms (issue 17). More than ``limit`` nodes raises the
    composer's :class:`YamlLimitError` at once (at the same mark), rather than going the
    general way, which would parse the file a second time to refuse it."""
    loader = StrictSafeLoader(text)
    try:
        if loader.yaml_path_resolvers:  # pragma: no cover - the safe loader has none
            return _UNUSUAL
        return _walk_events(loader, limit)
    except YamlLimitError:
        raise
    except (_Unusual, yaml.YAMLError):
        return _UNUSUAL
    finally:
        loader.dispose()


def _walk_events(loader, limit: int) -> object:
    get = loader.get_event
    resolvers = loader.yaml_implicit_resolvers
    shortcut = None not in resolvers  # no resolver for every first character
    resolve, construct = loader.resolve, loader.construct_object
    scalar_event, sequence_start, mapping_start = _EVENTS.ScalarEvent, _EVENTS.SequenceStartEvent, _EVENTS.MappingStartEvent
    collection_end = (_EVENTS.SequenceEndEvent, _EVENTS.MappingEndEvent)
    if get().__class__ is not _EVENTS.StreamStartEvent:
        raise _Unusual
    event = get()
    if event.__class__ is _EVENTS.StreamEndEvent:
        return None  # no document: what get_single_node gives
    if event.__class__ is not _EVENTS.DocumentStartEvent:
        raise _Unusual
    count = 0
    # [the list or dict being built, its key (_KEY: waiting for one), its start mark]
    stack: list[list] = []
    while True:
        event = get()
        kind = event.__class__
        if kind is scalar_event:
            count += 1
            if count > limit:
                raise YamlLimitError(_too_many(limit), stack[-1][2] if stack else event.start_mark)
            if event.anchor is not None:
                raise _Unusual
            tag, value = event.tag, event.value
            if tag is None or tag == "!":  # what the composer resolves
                if not event.implicit[0] or (shortcut and value and value[0] not in resolvers):
                    tag = _STR
                else:
                    tag = resolve(yaml.ScalarNode, value, event.implicit)
            top = stack[-1] if stack else None
            if top is not None and top[1] is _KEY and type(top[0]) is dict and tag not in _KEY_TAGS:
                raise _Unusual
            item = value if tag == _STR else construct(
                yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style), deep=True)
            if top is None:
                root = item
            elif type(top[0]) is list:
                top[0].append(item)
                continue
            elif top[1] is _KEY:
                if item in top[0]:
                    raise _Unusual  # a duplicate key: reported, with both lines, the general way
                top[1] = item
                continue
            else:
                top[0][top[1]] = item
                top[1] = _KEY
                continue
        elif kind is mapping_start or kind is sequence_start:
            count += 1
            if count > limit:
                raise YamlLimitError(_too_many(limit), stack[-1][2] if stack else event.start_mark)
            if (event.anchor is not None or (event.tag is not None and event.tag != "!")
                    or len(stack) >= _EVENT_DEPTH):
                raise _Unusual
            new: list | dict = {} if kind is mapping_start else []
            if stack:
                top = stack[-1]
                if type(top[0]) is list:
                    top[0].append(new)
                elif top[1] is _KEY:
                    raise _Unusual  # a collection as a key
                else:
                    top[0][top[1]] = new
                    top[1] = _KEY
            else:
                root = new
            stack.append([new, _KEY, event.start_mark])
            continue
        elif kind in collection_end and stack:
            stack.pop()
            if stack:
                continue
        else:
            raise _Unusual
        # The document's root is complete: exactly one document may follow in the stream.
        if get().__class__ is not _EVENTS.DocumentEndEvent or get().__class__ is not _EVENTS.StreamEndEvent:
            raise _Unusual
        return root


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


# Every node takes at least half a character of the text: the densest form found, `[?,?,…]`
# (a one-pair mapping with an empty key and value per `?,`), makes three nodes of two
# characters (tests/test_safe_yaml.py checks it). A shorter text cannot hold more nodes than
# the limit, so it skips the event count.
_NODES_PER_CHARACTER = 2


def _count_events(text: str, limit: int) -> None:
    """Raises :class:`YamlLimitError` when the document has more than ``limit`` nodes, from
    the parser's events (libyaml's where available), before any node is built: the composer's
    own count would stop at the limit too, but only after building that many nodes (a million
    took 376 MB and 5 s; counting them, 23 MB and 1.6 s). Anything else the parser reports is
    left to the composer, which reports it as it always did."""
    if len(text) * _NODES_PER_CHARACTER + 1 <= limit:
        return
    parser = StrictSafeLoader(text)  # only its parser runs: no node is composed
    get = parser.get_event
    scalar, starts, ends = _EVENTS.ScalarEvent, (_EVENTS.SequenceStartEvent, _EVENTS.MappingStartEvent), (
        _EVENTS.SequenceEndEvent, _EVENTS.MappingEndEvent)
    count = 0
    marks: list = []  # the open collections' start marks: the error names the innermost
    try:
        while True:
            event = get()
            if event is None or event.__class__ is _EVENTS.DocumentEndEvent:
                return  # the first document (a second is the composer's error)
            kind = event.__class__
            if kind is scalar or kind in starts:
                count += 1
                if count > limit:
                    raise YamlLimitError(_too_many(limit), marks[-1] if marks else event.start_mark)
                if kind is not scalar:
                    marks.append(event.start_mark)
            elif kind in ends:
                marks.pop()
    except YamlLimitError:
        raise
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def _compose(text: str, source: str, max_nodes: int, error: type[ScriptcheckError],
             loader_class: type = StrictSafeLoader, bound: bool = True):
    loader = None
    try:
        _count_events(text, max_nodes)
        loader = loader_class(text)  # the pure reader checks every character here already
        loader.node_budget = max_nodes
        node = loader.get_single_node()
        if node is not None and bound:
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
    text = _text(data, source, max_bytes, error)
    # Without an alias (whose token is `*name`) the node graph is a tree: its expanded size is
    # its node count, which the plain-data walks count as they go.
    aliases = "*" in text
    if not aliases:
        try:
            plain = _plain_events(text, max_nodes)
        except YamlLimitError as exc:
            raise _error(error, source, exc.problem_mark, exc.problem) from None
        if plain is not _UNUSUAL:
            return plain
    loader, node = _compose(text, source, max_nodes, error, bound=aliases)
    try:
        if node is None:
            return None
        if not aliases:
            # The composer built at most max_nodes nodes, so the walk stays within the bound.
            plain = _plain_data(loader, node, max_nodes)
            if plain is not _UNUSUAL:
                return plain
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(error, source, mark, getattr(exc, "problem", None) or str(exc)) from None
    except RecursionError:
        raise _error(error, source, None, "nested too deeply") from None
    finally:
        loader.dispose()
