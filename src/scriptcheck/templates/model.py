"""A reply template and the file it was read from: what it says, its id, variant and kind, and
the source position of every character (shared by every reader of template files)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from scriptcheck.errors import InputError
from scriptcheck.templates.suppress import Directive

__all__ = ["LineIndex", "Template", "SourceFile"]


@dataclass(frozen=True)
class LineIndex:
    """Maps a character index of a source text to its 1-based ``(line, column)``; lines are
    split on ``\\n`` only, as editors show them."""

    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "LineIndex":
        """The line index of ``text``."""
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        return cls(tuple(starts))

    def position(self, index: int) -> tuple[int, int]:
        """``(line, column)`` of character ``index`` (both 1-based, columns in code points)."""
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


@dataclass(frozen=True, slots=True)  # no __dict__: a file may hold hundreds of thousands
class Template:
    """One reply template: where it is, what it says, and its kind when the source says so.

    ``offsets[i]`` is the source character index of ``text[i]``; ``start`` is where the
    template's value begins in the source (a finding without a span is reported there).
    """

    file: str
    id: str | None
    variant: int | None
    text: str
    kind: str | None
    offsets: tuple[int, ...]
    start: int
    key_line: int
    lines: LineIndex = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """A human name: ``id``, ``id[variant]``, or ``line N`` for a plain-text reply."""
        if self.id is None:
            return f"line {self.line}" if self.variant is None else f"[{self.variant}]"
        return self.id if self.variant is None else f"{self.id}[{self.variant}]"

    @property
    def line(self) -> int:
        """1-based line of the template's first character."""
        return self.position(0)[0]

    @property
    def col(self) -> int:
        """1-based column of the template's first character."""
        return self.position(0)[1]

    def position(self, offset: int) -> tuple[int, int]:
        """Source ``(line, column)`` of ``text[offset]`` (the value's start for an empty text)."""
        if not self.offsets:
            return self.lines.position(self.start)
        offset = min(max(offset, 0), len(self.offsets) - 1)
        return self.lines.position(self.offsets[offset])


@dataclass(frozen=True)
class SourceFile:
    """A template file read: its format, its templates and its suppression directives;
    ``errors`` are the templates that could not be read (not in ``templates``), each an
    :class:`InputError` naming its line, reported while the file's other templates are linted."""

    path: str
    format: str
    templates: list[Template]
    directives: dict[int, Directive]
    errors: list[InputError] = field(default_factory=list)
