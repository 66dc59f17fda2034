"""Running a lexicon's inline specs (every entry's ``match`` and ``no_match`` texts)."""

from __future__ import annotations

from typing import NamedTuple

from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.match.engine import Matcher
from scriptcheck.text.normalize import normalize

__all__ = ["SpecResult", "run_specs"]


class SpecResult(NamedTuple):
    """The outcome of one inline spec of one entry."""

    lexicon: str
    rule: str
    expect: str  # "match" | "no_match"
    text: str
    ok: bool


def run_specs(lexicon: Lexicon) -> list[SpecResult]:
    """Run every entry's inline specs against the lexicon on its own.

    A forbidden lexicon is checked the way users see it, through a :class:`PhraseMatcher` (so
    an entry whose hits are always swallowed by a longer finding of another entry fails its
    specs); other lexicons through the matcher, entry by entry.
    """
    phrase_matcher = PhraseMatcher([lexicon], tone=None) if lexicon.kind == "forbidden" else None
    matcher = None if phrase_matcher is not None else Matcher(lexicon.match_entries)
    results = []
    for index, entry in enumerate(lexicon.entries):
        for expect, texts in (("match", entry.specs.match), ("no_match", entry.specs.no_match)):
            for text in texts:
                if phrase_matcher is not None:
                    found = any(f.rule == entry.id for f in phrase_matcher.check(text))
                else:
                    found = any(h.entry == index for h in matcher.find(normalize(text), frozenset({index})))
                results.append(SpecResult(lexicon.name, entry.id, expect, text, found == (expect == "match")))
    return results
