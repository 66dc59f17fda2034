"""Running a lexicon's inline specs (every entry's ``match`` and ``no_match`` texts)."""

from __future__ import annotations

from typing import NamedTuple

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.match.engine import Matcher
from scriptcheck.text.normalize import normalize

__all__ = ["SpecResult", "run_specs"]

# Each spec text is checked through the whole lexicon, so its cost grows with the candidate
# hits it holds — every phrase and pattern anchor of every literal found in it. Entries that
# share a literal make that quadratic: 2,000 entries with one phrase between them gave each of
# their 8,000 spec texts 2,000 candidates (34 s for `lexicon test`, and for every `lint
# --lexicon` of the file on a fresh machine; the MAX_NODES bound lets a file hold 50 times
# more). The specs of the packaged lexicons average 6.5 candidates a text (at most 56), so
# 64 a text beyond a free 100,000 leaves them a tenfold margin and bounds the check's work
# linearly in the number of specs.
_CANDIDATES_PER_SPEC = 64
_CANDIDATES_FREE = 100_000


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
    matcher = Matcher(lexicon.match_entries) if phrase_matcher is None else None
    _check_crowding(lexicon, phrase_matcher.matcher if phrase_matcher is not None else matcher)
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


def _check_crowding(lexicon: Lexicon, matcher: Matcher) -> None:
    """:class:`LexiconError` (one line) when checking ``lexicon``'s specs would hand on more
    candidate hits than the bound above, before any is checked."""
    texts = [text for entry in lexicon.entries for text in (*entry.specs.match, *entry.specs.no_match)]
    bound = _CANDIDATES_FREE + _CANDIDATES_PER_SPEC * len(texts)
    crowding = sum(matcher.crowding(normalize(text)) for text in texts)
    if crowding > bound:
        literal, shared = matcher.most_shared()
        raise LexiconError(f"{lexicon.path}: its {len(texts):,} spec texts hold {crowding:,} candidate hits between "
                           f"them, more than the {bound:,} their specs may cost to check ({shared:,} phrases, "
                           f"pattern anchors and allowed phrases share the literal {literal!r}): give entries "
                           f"phrases of their own")
