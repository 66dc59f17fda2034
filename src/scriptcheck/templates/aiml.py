"""Reading AIML reply templates with a real XML parser, keeping the source position of every
character of every template.

An AIML file is ``<aiml><category><pattern>…</pattern><template>…</template></category>…</aiml>``:
each ``<template>`` is a reply, named by its category's first ``<pattern>``. Its markup is read
like this: ``<li>`` items (of ``<random>``; an ``<li>`` with attributes is a ``<condition>``
branch, not a variant) are its variants; ``<get name="x"/>``, ``<bot name="x"/>``, ``<star/>`` and
the like, when empty, are variables, kept as ``{x}``/``{star}`` placeholders (masked when
linting, so they neither make nor break a match); ``<think>``, ``<system>``, ``<srai>``,
``<learn>``, ``<set>`` … produce no text the customer reads and are dropped with what they hold;
other tags vanish and their text stays; the layout whitespace of the XML disappears next to
Chinese text. CDATA sections and character references (``&#20320;``) are text like any other.

The file must be well-formed XML with an ``<aiml>`` root: a file that is not (a block left
open, a stray ``<``, an undefined entity), a ``<!DOCTYPE>`` (a DTD can define entities that
expand to gigabytes, or read other files: refused by defusedxml before anything expands), or a
file with no category is an :class:`InputError` naming its line; a category without a
``<template>`` is an error of its own while the file's other templates are linted. The parser is
expat (through defusedxml's SAX front), linear in the size of the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax import SAXParseException, handler
from xml.sax.xmlreader import InputSource

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from scriptcheck.errors import InputError
from scriptcheck.templates.model import LineIndex, SourceFile, Template

__all__ = ["parse_aiml"]

# Elements whose content the customer never reads (side effects, or input to another category).
_SILENT = frozenset({"think", "system", "srai", "learn", "set", "gossip", "javascript"})
# Elements that stand for a value the bot fills in when they are empty (<get name="x"/>).
_VARIABLES = frozenset({"get", "bot", "star", "input", "that", "thatstar", "topicstar", "name", "id",
                        "size", "version", "date"})
# expat counts "\r\n", "\r" and "\n" each as one line break; LineIndex (what findings report)
# counts "\n" only, so expat's (line, column) is turned into a character index with its own rule.
_EXPAT_BREAK = re.compile(r"\r\n?|\n")


@dataclass
class _Part:
    """The text of a pattern, a template or one of its ``<li>`` items, as it is read."""

    start: int  # the source index where its content begins (after the opening tag)
    depth: int  # the stack depth of its element
    chars: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)


@dataclass
class _Category:
    at: int
    depth: int
    tid: str | None = None
    pattern_seen: bool = False
    template_seen: bool = False


class _Reader(handler.ContentHandler):
    """SAX events of one AIML file turned into templates (and per-category errors)."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text
        self.lines = LineIndex.of(text)
        self.expat_starts = [0] + [m.end() for m in _EXPAT_BREAK.finditer(text)]
        self.locator = None
        self.stack: list[tuple[str, int]] = []  # (local name, source index of its "<")
        self.templates: list[Template] = []
        self.errors: list[InputError] = []
        self.categories = 0
        self.root = 0  # the source index of the root element
        self.category: _Category | None = None
        self.pattern: _Part | None = None
        self.template: _Part | None = None
        self.key_line = 0
        self.replies: list[tuple[int | None, str, tuple[int, ...], int]] = []  # the category's, unnamed yet
        self.items: list[_Part] = []        # the template's <li> items, open or closed
        self.open_items: list[_Part] = []   # those still open, innermost last
        self.silent: int | None = None      # depth of the silent element being skipped
        self.variable: tuple[str, int, int] | None = None  # (placeholder, index, depth), while empty

    # -------------------------------------------------------------------- positions

    def setDocumentLocator(self, locator) -> None:  # noqa: N802 - SAX's name
        """Keep expat's locator: the position of each event as it is reported."""
        self.locator = locator

    def offset(self) -> int:
        """The source character index where the current event begins."""
        return self.at(self.locator.getLineNumber(), self.locator.getColumnNumber())

    def at(self, line: int, column: int) -> int:
        """The character index of expat's 1-based ``line`` and 0-based ``column``."""
        line = min(max(line, 1), len(self.expat_starts))
        return min(self.expat_starts[line - 1] + max(column, 0), len(self.text))

    def tag_end(self, lt: int) -> int:
        """The index after the ``>`` of the tag that begins at ``lt`` (a ``>`` inside a quoted
        attribute value is no end)."""
        text, quote = self.text, None
        for k in range(lt + 1, len(text)):
            c = text[k]
            if quote is not None:
                quote = None if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c == ">":
                return k + 1
        return len(text)  # pragma: no cover - expat accepted the tag, so it is closed

    def align(self, data: str, at: int) -> list[int]:
        """The source index of each character of ``data``, reported by expat at ``at``: the same
        characters, or a reference (``&#20320;``, ``&amp;``) or a line break (``\\r\\n`` read as
        ``\\n``), each one character whose index is where it begins."""
        text = self.text
        if text.startswith(data, at):
            return list(range(at, at + len(data)))
        out: list[int] = []
        k, n = at, len(text)
        for ch in data:
            if k < n and text[k] == ch:
                out.append(k)
                k += 1
            elif k < n and text[k] == "&" and (semicolon := text.find(";", k, k + 12)) > 0:
                out.append(k)
                k = semicolon + 1
            elif k < n and text[k] == "\r":
                out.append(k)
                k += 2 if text.startswith("\r\n", k) else 1
            else:  # pragma: no cover - expat reports no other transformation; stay near it
                out.append(min(k, n - 1) if n else 0)
        return out

    # -------------------------------------------------------------------- events

    def startElement(self, name: str, attrs) -> None:  # noqa: N802 - SAX's name
        """An element opens."""
        local = name.rsplit(":", 1)[-1]
        lt = self.offset()
        if not self.stack:
            self.root = lt
            if local != "aiml":
                raise InputError(f"not AIML: the root element is <{name}>, not <aiml>", file=self.path,
                                 line=self.lines.position(lt)[0])
        self.stack.append((local, lt))
        depth = len(self.stack)
        self.variable = None  # an element inside a variable: the variable is not empty
        if self.silent is not None:
            return
        category = self.category
        if category is None:
            if local == "category":
                self.category = _Category(lt, depth)
                self.categories += 1
            return
        if self.pattern is None and self.template is None:
            if local == "pattern" and not category.pattern_seen:
                category.pattern_seen = True
                self.pattern = _Part(self.tag_end(lt), depth)
            elif local == "template" and not category.template_seen:
                category.template_seen = True
                self.template = _Part(self.tag_end(lt), depth)
                self.key_line = self.lines.position(lt)[0]
                self.items, self.open_items = [], []
            return
        if local in _SILENT:
            self.silent = depth
        elif local in _VARIABLES:
            self.variable = ("{%s}" % (attrs.get("name") or local), lt, depth)
        elif local == "li" and self.template is not None and not attrs.getLength():
            item = _Part(self.tag_end(lt), depth)
            self.items.append(item)
            self.open_items.append(item)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX's name
        """An element closes."""
        local, _ = self.stack.pop()
        depth = len(self.stack) + 1
        if self.silent is not None:
            if depth == self.silent:
                self.silent = None
            return
        if self.variable is not None and self.variable[2] == depth:
            placeholder, lt, _ = self.variable
            self.variable = None
            part = self.current()
            part.chars.extend(placeholder)
            part.offsets.extend([lt] * len(placeholder))
            return
        if self.open_items and self.open_items[-1].depth == depth:
            self.open_items.pop()
        elif self.pattern is not None and self.pattern.depth == depth:
            tid = " ".join(_layout(self.pattern)[0].split())
            self.category.tid = tid or None
            self.pattern = None
        elif self.template is not None and self.template.depth == depth:
            self.finish_template()
        elif self.category is not None and self.category.depth == depth:
            if not self.category.template_seen:
                self.errors.append(InputError("this <category> has no <template>: it gives no reply",
                                              file=self.path, line=self.lines.position(self.category.at)[0]))
            # named only now: a <pattern> after the <template> names it too
            tid = self.category.tid
            self.templates.extend(Template(self.path, tid, variant, reply, None, offsets, start, self.key_line,
                                           self.lines) for variant, reply, offsets, start in self.replies)
            self.replies = []
            self.category = None

    def characters(self, content: str) -> None:
        """Text (a run of it, a reference, a CDATA section's content, a line break)."""
        if self.silent is not None or (self.pattern is None and self.template is None):
            return
        self.variable = None  # text inside a variable: it is not empty, its text is read
        part = self.current()
        part.chars.extend(content)
        part.offsets.extend(self.align(content, self.offset()))

    def current(self) -> _Part:
        """The part text goes to: the innermost open ``<li>``, else the pattern or template."""
        if self.open_items:
            return self.open_items[-1]
        return self.pattern if self.pattern is not None else self.template

    def finish_template(self) -> None:
        """The template's replies: its ``<li>`` items (in the order they open), else its text."""
        template, self.template = self.template, None
        parts = [(item, i) for i, item in enumerate(sorted(self.items, key=lambda p: p.start))] or [(template, None)]
        for part, variant in parts:
            reply, offsets = _layout(part)
            if reply.strip() and reply.strip("{}").strip():
                self.replies.append((variant, reply, offsets, part.start))
        self.items, self.open_items = [], []


def _layout(part: _Part) -> tuple[str, tuple[int, ...]]:
    """``part``'s text without the XML's layout whitespace: a run of it goes, or becomes one
    space between two non-Chinese characters (at the run's first index)."""
    out_c: list[str] = []
    out_o: list[int] = []
    pending: int | None = None
    for c, o in zip(part.chars, part.offsets):
        if c.isspace():
            pending = o if pending is None else pending
            continue
        if pending is not None and out_c and not (_cjk_or_mark(out_c[-1]) or _cjk_or_mark(c)):
            out_c.append(" ")
            out_o.append(pending)
        pending = None
        out_c.append(c)
        out_o.append(o)
    return "".join(out_c), tuple(out_o)


def _cjk_or_mark(ch: str) -> bool:
    # a variable's braces stand for words of the reply, Chinese ones in a Chinese reply
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or ch in "{}"


_HINTS = {
    "undefined entity": "; XML defines only &lt; &gt; &amp; &quot; &apos; (write others as character "
                        "references such as &#160;)",
}


def _parse_error(reader: _Reader, exc: SAXParseException) -> InputError:
    """``exc`` as an input error at its line, naming the element left open when that is the cause."""
    problem = exc.getMessage()
    at = reader.at(exc.getLineNumber(), exc.getColumnNumber())
    line, column = reader.lines.position(at)
    detail = _HINTS.get(problem, "")
    if reader.stack and problem in ("mismatched tag", "no element found", "unclosed token"):
        name, lt = reader.stack[-1]
        detail = f"; <{name}> opened on line {reader.lines.position(lt)[0]} is not closed"
    return InputError(f"invalid AIML, not well-formed XML: {problem} (column {column}){detail}",
                      file=reader.path, line=line)


def parse_aiml(path: str, text: str) -> SourceFile:
    """The templates of the AIML source ``text`` (read from ``path``): one per ``<template>``,
    or one per ``<li>`` item of it; :class:`InputError` when the file is not well-formed XML,
    holds a DTD, or is no AIML."""
    reader = _Reader(path, text)
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate: expat's "invalid token"
    # The text is decoded already (sniffed, or as --encoding says): expat reads its UTF-8, not
    # the encoding an <?xml encoding="…"?> declaration names. One buffer: one Parse call.
    parser = DefusedExpatParser(bufsize=max(len(data), 1), forbid_dtd=True, forbid_entities=True,
                                forbid_external=True)
    parser.setContentHandler(reader)
    source = InputSource(path)
    source.setByteStream(io.BytesIO(data))
    source.setEncoding("utf-8")
    try:
        parser.parse(source)
    except SAXParseException as exc:
        raise _parse_error(reader, exc) from None
    except DefusedXmlException:
        line = reader.lines.position(reader.offset())[0] if reader.locator is not None else None
        raise InputError("invalid AIML: a <!DOCTYPE> (DTD) is refused: its entities could expand to "
                         "gigabytes or read other files", file=path, line=line) from None
    if reader.categories == 0:
        raise InputError("no <category> in the file: it holds no reply", file=path,
                         line=reader.lines.position(reader.root)[0])
    return SourceFile(path, "aiml", reader.templates, {}, reader.errors)
