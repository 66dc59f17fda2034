"""Reading reply templates from YAML, JSON, plain-text and Rasa ``domain.yml`` files, keeping the
source position of every character of every template.

Shapes (YAML and JSON alike)::

    greeting: 您好，请问有什么可以帮您？          # id → text
    closing: [感谢您的咨询，再见！, 感谢您的来电，再见。]   # id → variants
    refusal: {text: 很遗憾……, kind: refusal}      # id → object (text may be a list)
    order: {shipped: 您的订单已发货。}              # nested ids: order.shipped
    kinds: {greeting: greeting}                   # reserved: template id → kind

A Rasa file is read as ``utter_x: [{text: …}, …]`` under ``responses:`` (2.x/3.x, in the domain
or split into data/responses.yml, domain/*.yml …) or ``templates:`` (1.x domains); its other
keys (intents, slots, actions) are never replies, and a Rasa file without replies (nlu.yml,
stories.yml) yields none. A variation's kind may sit in ``metadata: {kind: …}``. Rasa 1.x
``responses.md`` (``## name`` / ``* intent`` / ``- reply``), ChatterBot corpora
(``conversations:``, the bot's turns) and AIML (``<template>``, ``<li>`` variants) are read too. A plain-text file holds one reply a line.

Positions: every template carries, for each character of its text, the character index in
the source file. YAML positions come from PyYAML's composer (node start marks) and are
re-aligned character by character with the scalar's source text according to its style
(plain, quoted with escapes, literal ``|`` and folded ``>`` blocks), so a finding points at the
exact line and column even in a folded or escaped scalar. JSON is scanned by a small
position-keeping scanner (PyYAML rejects tab indentation, which JSON allows), which decodes
every escape including surrogate pairs exactly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from scriptcheck.errors import InputError
from scriptcheck.io.encoding import decode_bytes
from scriptcheck.io.jsontext import decode_failure, too_many_values
from scriptcheck.io.lines import read_bytes
from scriptcheck.limits import MAX_BYTES, MAX_TEMPLATE_CHARS
from scriptcheck.templates.model import LineIndex, SourceFile, Template
from scriptcheck.templates.suppress import DIRECTIVE, find_directives

if TYPE_CHECKING:
    import yaml

__all__ = ["LineIndex", "Template", "SourceFile", "read_templates", "parse_templates", "source_format"]

# The scalars that are no text: numbers, booleans, nulls, dates, binary data and YAML's own
# keys. Any other scalar is text, whatever its tag: a tag (`!t 你怎么连这个也不懂`, `!!python/str`)
# is not an instruction to the linter, and the bot sends the value (tagged sequences and
# mappings are walked the same way); before, such a scalar was skipped without a word.
_NOT_TEXT_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                           ("int", "float", "bool", "null", "timestamp", "binary", "merge", "value", "yaml"))
# A template file is walked node by node (positions kept for each character), so its alias
# expansion is bounded tighter than a plain data file's; a JSON one's values likewise, counted
# before json.loads builds them (a 16 MB {"a": [{}, {}, …]} took 1.5 GB and 15 s).
TEMPLATE_MAX_NODES = 200_000
_WS = frozenset(" \t\r\n")


# ------------------------------------------------------------------------------ node model
# YAML and JSON are both turned into these, so one walker reads both.

@dataclass
class _Str:
    value: str
    start: int
    end: int
    offsets: tuple[int, ...]


@dataclass
class _Map:
    start: int
    pairs: list[tuple[str, int, "_Node"]]

    def get(self, key: str) -> "_Node | None":
        for k, _, v in self.pairs:
            if k == key:
                return v
        return None


@dataclass
class _Seq:
    start: int
    items: list["_Node"]


@dataclass
class _Other:
    start: int


_Node = Union[_Str, _Map, _Seq, _Other]


def _align(value: str, units: list[tuple[str, int]], fallback: int) -> tuple[int, ...]:
    """Source index of each character of ``value``, given the source ``units`` (decoded
    character, index) of its scalar. Whitespace the style folds away is skipped; whitespace
    the style makes up (a line break folded into a space) points at where the break was. If
    the two ever disagree on a non-space character (an escape we do not model), the rest of
    the value points at the scalar's start: approximate, never wrong by more than the scalar."""
    out: list[int] = []
    j, n = 0, len(units)
    for ch in value:
        while j < n and units[j][0] != ch and units[j][0] in _WS:
            j += 1
        if j < n and units[j][0] == ch:
            out.append(units[j][1])
            j += 1
        elif ch in _WS:
            out.append(units[j][1] if j < n else (units[-1][1] if units else fallback))
        else:
            out.extend([fallback] * (len(value) - len(out)))
            break
    return tuple(out)


def _scalar_start(src: str, start: int, end: int) -> int:
    """Where a scalar's own text begins: its node's mark is at its properties when it has any
    (``!tag``, ``&anchor``, ``!tag &anchor``), which no scalar can begin with, followed by
    spaces, line breaks or comments before the text."""
    k = start
    while k < end and src[k] in "!&":
        while k < end and src[k] not in _WS:
            k += 1
        while k < end and (src[k] in _WS or src[k] == "#"):
            if src[k] == "#":  # a comment runs to the line's end
                while k < end and src[k] != "\n":
                    k += 1
            else:
                k += 1
    return k


def _yaml_units(src: str, node: yaml.ScalarNode) -> list[tuple[str, int]]:
    """The decoded characters of a scalar's source text, each with its source index."""
    from yaml.scanner import Scanner  # PyYAML only for YAML files (see _structured)

    start, end = _scalar_start(src, node.start_mark.index, node.end_mark.index), node.end_mark.index
    style = node.style
    if style in ("|", ">"):
        header_end = src.find("\n", start, end)
        return [(src[k], k) for k in range(header_end + 1, end)] if header_end >= 0 else []
    if style is None:
        return [(src[k], k) for k in range(start, end)]
    units: list[tuple[str, int]] = []
    k, stop = start + 1, end - 1  # inside the quotes
    while k < stop:
        c = src[k]
        if style == "'" and c == "'" and k + 1 < stop and src[k + 1] == "'":
            units.append(("'", k))
            k += 2
        elif style == '"' and c == "\\" and k + 1 < stop:
            e = src[k + 1]
            if e in Scanner.ESCAPE_CODES:
                width = Scanner.ESCAPE_CODES[e]
                try:
                    units.append((chr(int(src[k + 2:k + 2 + width], 16)), k))
                except ValueError:
                    units.append((e, k))
                k += 2 + width
            elif e in Scanner.ESCAPE_REPLACEMENTS:
                units.append((Scanner.ESCAPE_REPLACEMENTS[e], k))
                k += 2
            else:  # an escaped line break joins the lines: it yields nothing
                k += 2
        else:
            units.append((c, k))
            k += 1
    return units


def _from_yaml(src: str, node: yaml.Node) -> _Node:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if node.tag in _NOT_TEXT_TAGS:
            return _Other(node.start_mark.index)
        offsets = _align(node.value, _yaml_units(src, node), node.start_mark.index)
        return _Str(node.value, node.start_mark.index, node.end_mark.index, offsets)
    if isinstance(node, yaml.SequenceNode):
        return _Seq(node.start_mark.index, [_from_yaml(src, item) for item in node.value])
    if isinstance(node, yaml.MappingNode):
        pairs = [(str(k.value), k.start_mark.index, _from_yaml(src, v)) for k, v in node.value]
        return _Map(node.start_mark.index, pairs)
    return _Other(node.start_mark.index)


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_JSON_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")


class _JsonScanner:
    """A JSON reader that keeps positions (runs only on text ``json.loads`` accepted)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def _skip(self) -> None:
        text, i = self.text, self.i
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        self.i = i

    def value(self) -> _Node:
        self._skip()
        c = self.text[self.i]
        if c == "{":
            return self._object()
        if c == "[":
            return self._array()
        if c == '"':
            return self._string()
        m = _JSON_LITERAL.match(self.text, self.i)
        start = self.i
        self.i = m.end() if m else self.i + 1
        return _Other(start)

    def _object(self) -> _Map:
        node = _Map(self.i, [])
        self.i += 1
        self._skip()
        if self.text[self.i] == "}":
            self.i += 1
            return node
        while True:
            self._skip()
            key = self._string()
            self._skip()
            self.i += 1  # ':'
            node.pairs.append((key.value, key.start, self.value()))
            self._skip()
            sep = self.text[self.i]
            self.i += 1
            if sep == "}":
                return node

    def _array(self) -> _Seq:
        node = _Seq(self.i, [])
        self.i += 1
        self._skip()
        if self.text[self.i] == "]":
            self.i += 1
            return node
        while True:
            node.items.append(self.value())
            self._skip()
            sep = self.text[self.i]
            self.i += 1
            if sep == "]":
                return node

    def _string(self) -> _Str:
        text = self.text
        start = self.i
        i = start + 1
        chars: list[str] = []
        offsets: list[int] = []
        while text[i] != '"':
            if text[i] == "\\":
                e = text[i + 1]
                if e == "u":
                    code, at = int(text[i + 2:i + 6], 16), i
                    i += 6
                    if 0xD800 <= code < 0xDC00 and text.startswith("\\u", i):
                        low = int(text[i + 2:i + 6], 16)
                        if 0xDC00 <= low < 0xE000:  # a surrogate pair is one character
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                    chars.append(chr(code))
                    offsets.append(at)
                else:
                    chars.append(_JSON_ESCAPES.get(e, e))
                    offsets.append(i)
                    i += 2
            else:
                chars.append(text[i])
                offsets.append(i)
                i += 1
        self.i = i + 1
        return _Str("".join(chars), start, self.i, tuple(offsets))


# ------------------------------------------------------------------------------ walking

# Keys of what users say, of labels, and of what the bot replies, in question-and-answer and
# intent-to-replies shaped files ({intent: 问候, templates: […], variables: [price]}).
_ASKED = frozenset({"examples", "example", "questions", "question", "patterns", "utterances", "q", "ask",
                    "intent", "intents", "tag", "tags", "category", "categories", "scenario", "keywords",
                    "variables", "title", "label", "问题", "问法", "相似问", "意图", "标签"})
# huashu / 话术 is what Chinese customer-service tools call the agent's or the bot's script.
_REPLIES = frozenset({"replies", "reply", "answers", "answer", "responses", "response", "a", "templates",
                      "content", "script", "scripts", "huashu", "话术", "回复", "答复", "答案", "回答"})

# Keys of a dialogue flow's or a knowledge base's machinery, labels and what users say -- never what
# the bot sends. A flow step or a knowledge-base record is a mapping with two or more of them
# ({name: 干什么, intent: 干什么, nodes: …}, {cond: {==: [x, 拒绝]}, nextNode: "6"}, {label: 6人,
# aliases: [六人, 6]}, {keywords: [不预订了], action: cancel}); there they are not linted. In an
# id-to-text file such keys are the ids of replies ({greeting: 您好, name: 请问您怎么称呼？, type: …}),
# and every value is text: read as before (_flow_record). A label's value is dropped when it is text
# or a list of texts (a flow's `slots` or `actions` may hold records with the prompts in them); a
# condition's or what users say, whatever it holds. Compared in lower case.
_LABEL_KEYS = frozenset({
    "name", "displayname", "intent", "intents", "intentname", "nextnode", "next_node", "next", "goto",
    "type", "action", "actions", "slot", "slots", "entity", "entities", "label", "tag", "tags",
    "category", "categories", "semantic", "意图", "标签", "名称", "类型"})
_UNSPOKEN_KEYS = frozenset({
    "cond", "condition", "conditions", "expression", "regex", "keywords", "keyword", "aliases", "alias",
    "synonyms", "synonym", "examples", "example", "patterns", "utterances", "questions", "question",
    "相似问", "问题", "问法", "关键词", "同义词", "别名", "条件"})


def _not_spoken(key: str, value: "_Node") -> bool:
    """Whether a flow record's field holds no reply (see ``_LABEL_KEYS``)."""
    key = key.lower()
    if key in _UNSPOKEN_KEYS:
        return True
    if key not in _LABEL_KEYS:
        return False
    return isinstance(value, (_Str, _Other)) or (
        isinstance(value, _Seq) and all(isinstance(item, (_Str, _Other)) for item in value.items))


def _flow_record(pairs: list[tuple[str, int, "_Node"]]) -> bool:
    """Two or more machinery keys, one of them a condition or what users say, or beside a value
    that is no text: a flow step or a record, not an id-to-text file."""
    keys = [k.lower() for k, _, _ in pairs]
    if sum(k in _LABEL_KEYS or k in _UNSPOKEN_KEYS for k in keys) < 2:
        return False
    return any(k in _UNSPOKEN_KEYS for k in keys) or any(
        isinstance(v, (_Map, _Other)) or (isinstance(v, _Seq) and not all(isinstance(i, _Str) for i in v.items))
        for _, _, v in pairs)


class _Walker:
    """Turns a node tree into templates (one file)."""

    def __init__(self, path: str, lines: LineIndex, kinds: dict[str, str]) -> None:
        self.path = path
        self.lines = lines
        self.kinds = kinds
        self.out: list[Template] = []
        self.strings: list[tuple[int, int]] = []  # spans of every string value (not comments)

    def add(self, node: _Str, tid: str | None, variant: int | None, kind: str | None, key_at: int) -> None:
        self.strings.append((node.start, node.end))
        if not node.value.strip():
            return
        kind = kind or (self.kinds.get(tid) if tid is not None else None)
        self.out.append(Template(self.path, tid, variant, node.value, kind, node.offsets, node.start,
                                 self.lines.position(key_at)[0], self.lines))

    def obj(self, node: _Map, tid: str | None, variant: int | None, key_at: int, kind: str | None = None) -> None:
        """An object template ``{text: …, kind: …, id: …}``; ``text`` may be a list."""
        kind_node = node.get("kind")
        if isinstance(kind_node, _Str):
            kind = kind_node.value.strip() or kind
        id_node = node.get("id")
        if isinstance(id_node, _Str) and id_node.value.strip():
            tid = id_node.value.strip()
        text = node.get("text")
        if isinstance(text, _Str):
            self.add(text, tid, variant, kind, key_at)
        elif isinstance(text, _Seq):
            for i, item in enumerate(text.items):
                if isinstance(item, _Str):
                    self.add(item, tid, i, kind, key_at)

    def walk(self, node: _Node, path: str | None, key_at: int) -> None:
        """Templates under ``node``, whose id is ``path``."""
        if isinstance(node, _Str):
            self.add(node, path, None, None, key_at)
        elif isinstance(node, _Seq):
            for i, item in enumerate(node.items):
                if isinstance(item, _Str):
                    self.add(item, path, i, None, key_at if path is not None else item.start)
                elif isinstance(item, _Map) and item.get("text") is not None:
                    self.obj(item, path, i, key_at if path is not None else item.start)
                elif isinstance(item, (_Map, _Seq)):
                    self.walk(item, f"{path or ''}[{i}]", item.start)
        elif isinstance(node, _Map):
            if node.get("text") is not None:
                self.obj(node, path, None, key_at)
                return
            pairs = node.pairs
            if any(k in _ASKED for k, _, _ in pairs) and any(k in _REPLIES for k, _, _ in pairs):
                # question-and-answer pairs ({examples: […], replies: […]}, FAQ {question, answer},
                # {intent: 问候, templates: […]}): what users ask and the labels are no replies
                pairs = [p for p in pairs if p[0] in _REPLIES]
            elif _flow_record(pairs):
                pairs = [p for p in pairs if not _not_spoken(p[0], p[2])]
            for key, at, value in pairs:
                self.walk(value, f"{path}.{key}" if path else key, at)

    def rasa(self, responses: _Map) -> None:
        """Rasa ``responses:``: ``utter_x: [{text: …, metadata: {kind: …}}, …]``."""
        for name, at, value in responses.pairs:
            items = value.items if isinstance(value, _Seq) else [value]
            for i, item in enumerate(items):
                if isinstance(item, _Map):
                    meta = item.get("metadata")
                    kind_node = meta.get("kind") if isinstance(meta, _Map) else None
                    kind = kind_node.value.strip() if isinstance(kind_node, _Str) else None
                    if isinstance(item.get("text"), _Str):
                        self.obj(item, name, i if isinstance(value, _Seq) else None, at, kind)
                elif isinstance(item, _Str):
                    self.add(item, name, i, None, at)


    def chatterbot(self, conversations: _Seq) -> None:
        """A ChatterBot corpus: ``conversations: [[said, reply, said, reply …], …]``. The first
        statement of each conversation is the user's and they alternate, so the bot's replies
        are the odd ones."""
        for i, conversation in enumerate(conversations.items):
            if not isinstance(conversation, _Seq):
                continue
            for j, item in enumerate(conversation.items):
                if j % 2 == 1 and isinstance(item, _Str):
                    self.add(item, f"conversations[{i}]", j, None, item.start)
            for j, item in enumerate(conversation.items):
                if j % 2 == 0 and isinstance(item, _Str):
                    self.strings.append((item.start, item.end))  # said by the user: text, not comments


# ------------------------------------------------------------------------------ layouts
# Which reader a structured file needs is decided from its top-level keys, never its name, so
# a domain split over several files (data/responses.yml, domain/*.yml) reads like a whole one.

# Top-level keys only a Rasa file has, with the shape Rasa gives them (a reply file could have
# an id "rules", but not a list of mappings under it).
_RASA_KEYS = {"intents": _Seq, "actions": _Seq, "entities": _Seq, "slots": _Map, "forms": _Map,
              "session_config": _Map, "nlu": _Seq, "stories": _Seq, "rules": _Seq, "e2e_actions": _Seq,
              # config.yml, endpoints.yml and credentials.yml of the same project
              "pipeline": _Seq, "policies": _Seq, "action_endpoint": _Map, "tracker_store": _Map,
              "event_broker": _Map, "lock_store": _Map, "socketio": _Map, "rasa": _Map,
              "recipe": _Str, "assistant_id": _Str,
              # Rasa 1.x NLU training data in JSON (common_examples, lookup_tables…): what users say
              "rasa_nlu_data": _Map}


def _rasa_responses(root: _Map) -> _Map | None:
    """The replies of a Rasa file: ``responses:`` (2.x/3.x) or ``templates:`` (1.x), or an empty
    mapping for a Rasa file without replies (nlu, stories, a domain whose responses live
    elsewhere); ``None`` when ``root`` is not a Rasa file."""
    responses = root.get("responses")
    if isinstance(responses, _Map):
        return responses
    rasa = any(isinstance(root.get(key), shape) for key, shape in _RASA_KEYS.items())
    templates = root.get("templates")
    if isinstance(templates, _Map) and (rasa or any(k.startswith("utter_") for k, _, _ in templates.pairs)):
        return templates  # a Rasa 1.x domain
    return _Map(root.start, []) if rasa else None


def _chatterbot(root: _Map) -> _Seq | None:
    """The ``conversations:`` of a ChatterBot corpus file (a list of lists), else ``None``."""
    conversations = root.get("conversations")
    if isinstance(conversations, _Seq) and conversations.items and all(
            isinstance(c, _Seq) for c in conversations.items):
        return conversations
    return None


def _kinds_map(root: _Map) -> dict[str, str]:
    node = root.get("kinds")
    if not isinstance(node, _Map):
        return {}
    return {k: v.value.strip() for k, _, v in node.pairs if isinstance(v, _Str)}


def source_format(path: str) -> str:
    """``yaml``, ``json``, ``markdown`` (Rasa ``responses.md``), ``aiml`` (``.aiml``, ``.xml``) or
    ``text`` from the file name (``-``, stdin, is text)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix == ".md":
        return "markdown"
    if suffix in (".aiml", ".xml"):
        return "aiml"
    return "text"


def _reject_duplicate_keys(node: _Node, path: str, lines: LineIndex, fmt: str) -> None:
    """Two templates under one key: YAML and JSON readers silently keep one of them (which one
    depends on the reader), so the bot would not say what this linter checked."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, _Map):
            seen: dict[str, int] = {}
            for key, at, value in current.pairs:
                if key in seen:
                    line, col = lines.position(at)
                    first = lines.position(seen[key])[0]
                    raise InputError(f"invalid {fmt.upper()}: duplicate key {key!r} (column {col}; "
                                     f"first defined on line {first})", file=path, line=line)
                seen[key] = at
                stack.append(value)
        elif isinstance(current, _Seq):
            stack.extend(current.items)


def _structured(path: str, text: str, fmt: str) -> SourceFile:
    lines = LineIndex.of(text)
    if fmt == "json":
        start = len(text) - len(text.lstrip(" \t\r\n"))
        if too_many_values(text, start, TEMPLATE_MAX_NODES):
            raise InputError(f"more than {TEMPLATE_MAX_NODES:,} JSON values (the limit for one template file, as "
                             "for a YAML one's nodes)", file=path)
        try:
            json.loads(text)
            root = _JsonScanner(text).value() if text.strip() else None
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=path, line=exc.lineno) from None
        except (RecursionError, ValueError) as exc:  # nested thousands deep, an integer of > 4,300 digits
            raise InputError(f"invalid JSON: {decode_failure(exc)}", file=path) from None
    else:
        # One safe loader for every YAML (safe_yaml): aliases bounded, size bounded. Imported
        # here: PyYAML is a cost a run over .txt or JSON templates need not pay.
        from scriptcheck.safe_yaml import compose_yaml

        composed = compose_yaml(text, source=path, max_nodes=TEMPLATE_MAX_NODES)
        try:
            root = _from_yaml(text, composed) if composed is not None else None
        except RecursionError:
            raise InputError("invalid YAML: nested too deeply", file=path) from None
    if root is None:
        return SourceFile(path, fmt, [], {})
    _reject_duplicate_keys(root, path, lines, fmt)
    responses = _rasa_responses(root) if isinstance(root, _Map) else None
    conversations = _chatterbot(root) if isinstance(root, _Map) and responses is None else None
    if responses is not None:
        walker = _Walker(path, lines, {})
        walker.rasa(responses)
        fmt = "rasa"
    elif conversations is not None:
        walker = _Walker(path, lines, {})
        walker.chatterbot(conversations)
        fmt = "chatterbot"
    else:
        walker = _Walker(path, lines, _kinds_map(root) if isinstance(root, _Map) else {})
        if isinstance(root, _Map):
            root = _Map(root.start, [p for p in root.pairs if p[0] != "kinds"])
        walker.walk(root, None, root.start)
    directives = find_directives(text, walker.strings) if fmt != "json" else {}
    return SourceFile(path, fmt, walker.out, directives)


# Script collections written as dialogues or FAQs label their lines: what the customer asks is
# no reply, and the agent's label is no part of the reply.
_CUSTOMER_LINE = re.compile(r"^\s*(?:问|Q|q|客户|买家|顾客|用户|访客|User|user)\s*[：:]")
_AGENT_LABEL = re.compile(r"^\s*(?:答|A|a|客服|卖家|商家|机器人|Bot|bot)\s*[：:]\s*")


def _plain(path: str, text: str) -> SourceFile:
    """One reply a line; a ``# scriptcheck: disable=…`` directive may end a line or stand alone.
    In a labelled dialogue or FAQ (``问：…`` / ``答：…``, ``Q:`` / ``A:``, ``客户：`` / ``客服：``),
    the customer's lines are skipped and the agent's label is cut off."""
    lines = LineIndex.of(text)
    templates = []
    directives = find_directives(text)
    for number, (start, line) in enumerate(zip(lines.starts, text.split("\n")), start=1):
        line = line.rstrip("\r")
        m = DIRECTIVE.search(line) if number in directives else None
        reply = line[:m.start()].rstrip() if m else line
        if _CUSTOMER_LINE.match(reply):
            continue
        label = _AGENT_LABEL.match(reply)
        at = start
        if label:
            reply, at = reply[label.end():], start + label.end()
        if reply.strip():
            templates.append(Template(path, None, None, reply, None, tuple(range(at, at + len(reply))),
                                      at, number, lines))
    return SourceFile(path, "text", templates, directives)


# Rasa's markdown formats share one shape (``## header``, ``* intent``, ``- line``); only
# responses.md holds replies. NLU blocks (## intent:greet) hold what users say, and a story's
# ``- `` lines are action names (utter_greet, form{"name": …}).
# The line patterns capture to the line's end and the caller strips the capture: a lazy group
# before ``\s*$`` (``^##\s*(.*?)\s*$``) tries the trailing ``\s*$`` after every character, so a
# line with a long run of spaces inside it took quadratic time (60,000 spaces: 12 s).
_MD_HEADER = re.compile(r"^##(.*)")
_MD_INTENT = re.compile(r"^\s*\*(.*)")
_MD_ITEM = re.compile(r"^(\s*-\s+)(.*)")
_MD_NLU_BLOCK = re.compile(r"^(intent|synonym|regex|lookup)\s*:")
_MD_ACTION = re.compile(r"^(?:[a-z][a-z0-9]*_[\w./]*|[\w./]+\{.*\})$")


def _rasa_markdown(path: str, text: str) -> SourceFile:
    """Rasa 1.x ``responses.md``: ``## name`` (optionally ``* intent/sub`` under it) and one
    ``- reply`` a line. The id is the intent when given (``faq/ask_channels``), else the
    header (``utter_greet``); NLU blocks and action lines of stories are not replies."""
    lines = LineIndex.of(text)
    templates: list[Template] = []
    directives = find_directives(text)
    header: str | None = None
    intent: str | None = None
    nlu = False
    variant = 0
    for number, (start, line) in enumerate(zip(lines.starts, text.split("\n")), start=1):
        line = line.rstrip("\r")
        if m := _MD_HEADER.match(line):
            header, intent, variant = m.group(1).strip(), None, 0
            nlu = bool(_MD_NLU_BLOCK.match(header))
            continue
        if header is None or nlu:
            continue
        if m := _MD_INTENT.match(line):
            intent, variant = m.group(1).strip(), 0
            continue
        m = _MD_ITEM.match(line)
        item = m.group(2).rstrip() if m is not None else ""
        if not item or _MD_ACTION.match(item) or item.startswith("<!--"):
            continue
        d = DIRECTIVE.search(line) if number in directives else None
        reply = item if d is None else line[m.end(1):d.start()].rstrip()
        at = start + m.end(1)
        templates.append(Template(path, intent or header, variant, reply, None,
                                  tuple(range(at, at + len(reply))), at, number, lines))
        variant += 1
    return SourceFile(path, "rasa-markdown", templates, directives)


def parse_templates(path: str, text: str, fmt: str | None = None) -> SourceFile:
    """The templates of a decoded source text (``fmt``: yaml, json, markdown, aiml or text;
    default from ``path``). A YAML or JSON file is read as a Rasa file (``responses:``, 1.x
    ``templates:``, or any Rasa data file: only its replies), a ChatterBot corpus
    (``conversations:``: the bot's turns) or plain templates, from its top-level keys. A
    template longer than :data:`~scriptcheck.limits.MAX_TEMPLATE_CHARS` characters or holding a
    lone surrogate is left out and named in ``errors``."""
    fmt = fmt or source_format(path)
    if fmt == "text":
        source = _plain(path, text)
    elif fmt == "markdown":
        source = _rasa_markdown(path, text)
    elif fmt == "aiml":
        # Imported here: the XML parser is a cost a run over YAML or text templates need not pay.
        from scriptcheck.templates.aiml import parse_aiml

        source = parse_aiml(path, text)
    else:
        source = _structured(path, text, fmt)
    return _lintable(source)


# A JSON or YAML escape \ud800-\udfff that is not half of a pair decodes to a lone surrogate,
# which is no Unicode character: the bot cannot send such a reply as UTF-8, a report quoting it
# cannot be written (JSON, SARIF), and the template's id cannot even become a transcript id
# (pydantic refuses it: a traceback).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(value: str) -> str:
    """``value`` with each lone surrogate written as its escape (the message must be writable)."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def _lintable(source: SourceFile) -> SourceFile:
    """``source`` without its templates that cannot be linted: longer than
    :data:`~scriptcheck.limits.MAX_TEMPLATE_CHARS` characters, or holding a lone surrogate in
    their text, id or kind. Each is an error naming its line (the file's other templates are
    linted)."""
    bad: list[InputError] = []
    kept: list[Template] = []
    for t in source.templates:
        if len(t.text) > MAX_TEMPLATE_CHARS:
            reason, line = (f"{len(t.text):,} characters, more than the {MAX_TEMPLATE_CHARS:,} a reply template "
                            f"may hold: the template is not linted"), t.line
        elif (m := _LONE_SURROGATE.search(t.text)) is not None:
            reason, line = _surrogate_reason("text"), t.position(m.start())[0]
        elif t.id is not None and _LONE_SURROGATE.search(t.id):
            reason, line = _surrogate_reason("id"), t.key_line
        elif t.kind is not None and _LONE_SURROGATE.search(t.kind):
            reason, line = _surrogate_reason("kind"), t.key_line
        else:
            kept.append(t)
            continue
        bad.append(InputError(reason, file=source.path, line=line, field=f"template '{_escape_surrogates(t.label)}'"))
    if not bad:
        return source
    return SourceFile(source.path, source.format, kept, source.directives, [*source.errors, *bad])


def _surrogate_reason(where: str) -> str:
    return (f"its {where} holds a lone surrogate (an unpaired \\ud800-\\udfff escape), "
            f"which is no Unicode character: the template is not linted")


def read_templates(path: str, encoding: str | None = None) -> SourceFile:
    """Read a template file (``-``: plain text from stdin); :class:`InputError` when it cannot
    be read, decoded or parsed."""
    data = read_bytes(path, limit=MAX_BYTES)
    if len(data) > MAX_BYTES:  # checked before parsing, and before reading more than this
        raise InputError(f"file too large (over {MAX_BYTES} bytes)", file=path)
    text, _ = decode_bytes(data, file=path, encoding=encoding)
    return parse_templates(path, text)
