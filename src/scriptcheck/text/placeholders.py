"""Placeholders in reply templates: find them, mask them, and find the broken ones.

Supported syntaxes: ``{name}``, ``{{ name }}`` (also ``{{ name | filter }}`` and ``{% … %}``),
``${name}``, ``%s``/``%d``, ``%(name)s``, ``%name%`` and ``[name]``.

A delimiter is *unbalanced* only when it has no partner on its line (or, laying out a block of
code or JSON, on the line that closes the block): the fill-in brackets of real scripts
(``[24/48]``, ``[A类/纯棉]``, ``[BPA/PC]``), markdown links and product codes in parentheses
(``%(VIP专享)``) are balanced, so they are neither masked nor reported.

Masking replaces every character of a well-formed placeholder with :data:`MASK` (U+E000, a
private-use character the normaliser skips like punctuation), so offsets stay identical and a
placeholder can neither make a match (``{sb_id}``) nor break one (``你怎么连这个{product_name}也不懂``
still reads as 你怎么连这个也不懂).
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from scriptcheck.lazy_regex import code_regex

__all__ = ["MASK", "Placeholder", "scan_placeholders", "mask_placeholders"]

MASK = "\ue000"

_NAME = r"[\w.\-]+"            # {客户}, [订单号] and {order.id} are names too
_ID = r"[A-Za-z_][A-Za-z0-9_.]*"  # %-style names are identifiers: 50%(含税) is not a placeholder

# One scanner, alternatives tried left to right at each position, so the misspelt shapes win
# over the well-formed placeholder hiding inside them ({{name} contains {name}).
_SCANNER = code_regex(
    rf"""
    (?P<misspelt>
        \{{\{{\s*{_NAME}\s*\}}(?!\}})          # {{{{name}}   closed with a single brace
      | (?<!\{{)\{{\s*{_NAME}\s*\}}\}}         # {{name}}}}   opened with a single brace
      | (?<![\$\{{A-Za-z0-9_])\$(?!\{{){_ID}\}}  # $name}}   the opening brace is missing
      | %\(\s*{_ID}\s*\)(?![sdifrxXeEgGcoa])   # %(name)  no conversion type
    )
    | (?P<placeholder>
        \{{\{{[^{{}}\n]{{1,80}}\}}\}}           # {{{{ name }}}}, {{{{ name | upper }}}}
      | \{{%[^{{}}\n]{{1,80}}%\}}               # {{% if vip %}}
      | \$\{{\s*{_NAME}\s*\}}                  # ${{name}}
      | \{{\s*(?:{_NAME})?\s*\}}               # {{name}}, {{0}}, {{}}
      | %\(\s*{_ID}\s*\)[sdifrxXeEgGcoa]       # %(name)s
      | %[A-Za-z_][A-Za-z0-9_.]{{1,40}}%          # %user.name%  (PHP and bot-studio templates)
      | %[sdif]                                # %s
      | \[{_NAME}\]                            # [name]
    )
    | (?P<unbalanced>
        \$\{{\s*[A-Za-z0-9_.]{{0,40}}          # ${{name   never closed
      | \{{\{{?\s*[A-Za-z0-9_.]{{0,40}}        # {{name / {{{{name
      | %\((?=[A-Za-z_])[A-Za-z0-9_.]{{0,40}}  # %(name
      | \[[A-Za-z_][A-Za-z0-9_.]{{0,40}}(?![A-Za-z0-9_.\]])  # [name   never closed
      | \}}\}}?                                # a closing brace with no opening one
      | (?<=[A-Za-z0-9_])\]                    # name]  never opened
    )
    """,
    re.VERBOSE,
)

Kind = Literal["placeholder", "misspelt", "unbalanced"]

# Delimiters whose partner is looked for on the same line. Real scripts are full of fill-in
# brackets a person completes or picks from — [24/48], [A类/纯棉], [X成熟/自然成熟], markdown
# links [here](https://…), {"json": 1} — which are balanced although they are no placeholder
# syntax; only a delimiter with no partner at all is a template that will show its code.
_OPENERS = {"{": "}", "[": "]", "(": ")"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _paired(text: str) -> set[int]:
    """Indices of ``{ } [ ] ( )`` that have a partner on the same line (one stack per kind), or
    that lay out a block over lines: an opener that ends its line and the closer that begins a
    later one (code and JSON in a reply — ``class Dog {`` … ``}`` — is no broken placeholder)."""
    paired: set[int] = set()
    blocks: dict[str, list[int]] = {k: [] for k in _OPENERS}  # openers that ended their line
    start = 0
    for line in text.split("\n"):
        stacks: dict[str, list[int]] = {k: [] for k in _OPENERS}
        first = len(line) - len(line.lstrip())  # the line's first character that is not blank
        for j, c in enumerate(line):
            if c in _OPENERS:
                stacks[c].append(start + j)
            elif c in _CLOSERS:
                stack = stacks[_CLOSERS[c]]
                if not stack and j == first:
                    stack = blocks[_CLOSERS[c]]  # it begins its line: the end of a block
                if stack:
                    paired.add(stack.pop())
                    paired.add(start + j)
        for kind, stack in stacks.items():
            if stack and not line[stack[-1] - start + 1:].strip():
                blocks[kind].append(stack[-1])
        start += len(line) + 1
    return paired


def _delimiter(match: re.Match) -> int:
    """The index of the delimiter an ``unbalanced`` match is about (its bracket or brace)."""
    text = match.group()
    for k, c in enumerate(text):
        if c in "{}[]()":
            return match.start() + k
    return match.start()


class Placeholder(NamedTuple):
    """A placeholder (or a broken attempt at one) at ``[start, end)`` of the template text."""

    kind: Kind
    start: int
    end: int
    text: str


def scan_placeholders(text: str) -> list[Placeholder]:
    """Every placeholder, misspelt placeholder and unbalanced delimiter in ``text``, in order.

    Linear in ``len(text)``: every alternative is bounded and the scan never backtracks
    over what it has consumed.
    """
    if not any(c in text for c in "{}[]$%"):
        return []  # most replies have no placeholder at all
    out = []
    paired: set[int] | None = None
    for m in _SCANNER.finditer(text):
        if m.lastgroup == "unbalanced":
            if paired is None:
                paired = _paired(text)
            if _delimiter(m) in paired:
                continue  # balanced after all: a fill-in bracket such as [X成熟/自然成熟]
        out.append(Placeholder(m.lastgroup, m.start(), m.end(), m.group()))  # type: ignore[arg-type]
    return out


def mask_placeholders(text: str) -> str:
    """``text`` with every well-formed placeholder's characters replaced by :data:`MASK`.

    Broken placeholders are left as they are: they are reported by the hygiene rules, and
    masking them would hide the very characters those rules point at.
    """
    spans = [p for p in scan_placeholders(text) if p.kind == "placeholder"]
    if not spans:
        return text
    out = list(text)
    for p in spans:
        out[p.start:p.end] = MASK * (p.end - p.start)
    return "".join(out)

