"""Lexicon overlays: allow contexts and specs added to the entries of ANOTHER lexicon.

An overlay is how reviewers' verdicts reach a lexicon without editing it: each false alarm
becomes an allow context of its entry (so that exact wording is no longer flagged) and a
``no_match`` spec (so a later edit of the base cannot bring it back); each confirmed finding a
``match`` spec (so a later edit cannot lose it). ``scriptcheck review --lexicon-out`` writes one.

```yaml
version: 1
extends: forbidden          # the lexicon it adds to: a packaged name or a file (relative to this one)
name: reviewed-2026-11      # optional; for messages only
entries:
  - id: FB003               # an entry of the base lexicon
    allow: [不知道您说的是不是这个订单]
    specs: {match: [...], no_match: [...]}
```

The tone model (rule ``FB900``, ``lexicon.tone``) is not an entry of the forbidden lexicon, so
an overlay of that lexicon has a ``tone:`` section for it — ``enabled: false`` turns the model
off wherever the overlay is loaded, ``allow:`` lists reviewed texts it must not flag (a flagged
sentence inside one is dropped). An entry with the id ``FB900`` means the same as ``tone: {allow:
…}`` (its allow contexts and ``no_match`` specs are allowed texts), so reviewers' verdicts on
FB900 findings go where the others go.

```yaml
tone:
  enabled: true
  allow: [谁都不会嫌您烦的，您尽管问]
```

An overlay adds, it never removes or rewrites: the base's phrases, patterns, severity and
existing allow/specs stay (turning the tone model off is the one exception: it is not an entry). Loaded alone (``load_lexicon``, ``scriptcheck lexicon test``) it
gives the base with the additions; among other lexicons (``load_lexicons``, ``--lexicon``) it
replaces its base in place. Kept apart from ``schema.py`` on purpose: the base format stays
as it is, and an overlay file is recognised by its ``extends`` key.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.compiled import Lexicon, ToneOverrides, compile_lexicon
from scriptcheck.lexicon.schema import RuleCode, Specs
from scriptcheck.models import FormatVersion

__all__ = ["OverlayEntry", "OverlayFile", "ToneOverlay", "TONE_RULE", "is_overlay", "apply_overlay"]

# The tone model's rule code (lexicon/models/tone.yaml): an overlay entry with this id addresses
# the tone model, not an entry of the base lexicon.
TONE_RULE = "FB900"


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # see rules.base.FileModel


def _no_empty_allow(value: list[str]) -> list[str]:
    """An allow list of an overlay may not hold an empty (or blank) text: it would allow all."""
    if any(not item.strip() for item in value):
        raise ValueError("empty allow context")
    return value


_AllowList = Annotated[list[str], AfterValidator(_no_empty_allow)]


class OverlayEntry(_FileModel):
    """What an overlay adds to one entry of its base lexicon."""

    id: RuleCode = Field(description="The code of an entry of the base lexicon, e.g. FB003.")
    allow: _AllowList = Field(default_factory=list, description="Allow contexts added to the entry.")
    specs: Specs = Field(default_factory=Specs, description="Specs added to the entry's own.")
    note: str = Field(default="", description="Why (e.g. the reviewers' notes); not used for matching.")



class ToneOverlay(_FileModel):
    """What an overlay of the forbidden lexicon says about the tone model (FB900)."""

    enabled: bool = Field(default=True, description="false: the tone model does not run where this overlay is loaded.")
    allow: _AllowList = Field(default_factory=list, description="Reviewed texts the tone model must not flag.")
    note: str = Field(default="", description="Why; not used for matching.")



class OverlayFile(_FileModel):
    """A whole overlay file (``version: 1`` with ``extends:``)."""

    version: FormatVersion
    extends: str = Field(min_length=1, description="The base lexicon: a packaged name or a file.")
    name: str = ""
    description: str = ""
    entries: list[OverlayEntry] = Field(default_factory=list)
    tone: ToneOverlay | None = Field(default=None, description="The tone model (FB900): off, or texts it must not flag.")


def is_overlay(data: object) -> bool:
    """Whether parsed YAML is an overlay rather than a lexicon (it has an ``extends`` key)."""
    return isinstance(data, dict) and "extends" in data


def apply_overlay(base: Lexicon, overlay: OverlayFile, path: str) -> Lexicon:
    """The base lexicon with the overlay's allow contexts and specs added to its entries.

    Raises :class:`LexiconError` naming the overlay file when an id is not an entry of the
    base (a typo must not silently add nothing). Additions already present are not repeated,
    so applying the same overlay twice changes nothing.
    """
    by_id = {entry.id: entry for entry in base.entries}
    additions: dict[str, list[OverlayEntry]] = {}
    tone_allow: list[str] = []
    for index, item in enumerate(overlay.entries):
        if item.id == TONE_RULE and item.id not in by_id and base.kind == "forbidden":
            # The tone model's findings: reviewed false alarms become texts it must not flag.
            tone_allow += [t for t in (*item.allow, *item.specs.no_match) if t not in tone_allow]
            continue
        if item.id not in by_id:
            raise LexiconError(f"{path}: entries[{index}]: {item.id} is not an entry of lexicon "
                               f"{base.name!r} ({base.path})")
        additions.setdefault(item.id, []).append(item)
    if overlay.tone is not None and base.kind != "forbidden":
        raise LexiconError(f"{path}: tone: only an overlay of a forbidden lexicon can address the tone "
                           f"model, and {base.name!r} is a {base.kind} lexicon")
    entries = []
    for entry in base.entries:
        items = additions.get(entry.id)
        if not items:
            entries.append(entry)
            continue
        allow, match, no_match = list(entry.allow), list(entry.specs.match), list(entry.specs.no_match)
        for item in items:
            allow += [a for a in item.allow if a not in allow]
            match += [t for t in item.specs.match if t not in match]
            no_match += [t for t in item.specs.no_match if t not in no_match]
        entries.append(entry.model_copy(update={"allow": allow, "specs": Specs(match=match, no_match=no_match)}))
    # Recompiled as a whole (not patched) so the matcher sees exactly what a merged file gives.
    merged = compile_lexicon(base.data.model_copy(update={"entries": entries}), base.path)
    tone = base.tone
    if overlay.tone is not None or tone_allow:
        before = tone or ToneOverrides()
        extra = [t for t in (*(overlay.tone.allow if overlay.tone else ()), *tone_allow) if t not in before.allow]
        # Several overlays all apply: once one turns the model off it stays off.
        tone = ToneOverrides(enabled=before.enabled and (overlay.tone is None or overlay.tone.enabled),
                             allow=(*before.allow, *dict.fromkeys(extra)))
    return dataclasses.replace(merged, tone=tone) if tone is not None else merged
