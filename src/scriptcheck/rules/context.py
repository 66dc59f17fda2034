"""What the transcript rules read: every turn scanned once, plus the agent-turn index."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Collection

from scriptcheck.checker import Checker, PhraseHit
from scriptcheck.models import Finding, Transcript
from scriptcheck.text.normalize import Normalized, normalize_many

__all__ = ["TranscriptContext", "PRONOUNS", "TEMPLATE_KIND_KEY"]

# The metadata key (on the turn or the transcript) that carries a reply template's kind.
TEMPLATE_KIND_KEY = "template_kind"

_NONE: frozenset[str] = frozenset()
# The bare second-person pronouns the honorific rules look for.
PRONOUNS = frozenset("你妳")
_PRONOUN_SEARCH = re.compile("[" + "".join(sorted(PRONOUNS)) + "]").search
_DIGIT_RUN = re.compile(r"[0-9０-９]{3}")


@dataclass
class TranscriptContext:
    """A transcript with the lexicon scan of each turn (forbidden findings only on agent turns)
    and each turn's normalised search string, computed once for every rule to share."""

    transcript: Transcript
    checker: Checker
    findings: list[list[Finding]] = field(default_factory=list)
    phrases: list[list[PhraseHit]] = field(default_factory=list)
    agent_turns: list[int] = field(default_factory=list)
    normalized: list[Normalized] = field(default_factory=list)
    # turn → the categories of its phrase hits, so that most `has` questions are one set test
    categories: list[frozenset[str]] = field(default_factory=list)
    # turn → jieba tokens around its 你 (shared by the honorific rules; see check_honorific)
    pronoun_tokens: dict[int, list] = field(default_factory=dict)

    @classmethod
    def build(cls, transcript: Transcript, checker: Checker,
              customer_categories: frozenset[str] = frozenset()) -> "TranscriptContext":
        """Scan every turn once. Agent turns get the full scan (forbidden phrases count on
        agent turns only); customer turns only the cue categories the profile reacts to."""
        ctx = cls(transcript, checker)
        turns = transcript.turns
        # One normalisation and one matcher pass per speaker for the whole transcript: the
        # per-call overhead of doing it turn by turn was a large share of scoring.
        normalized = ctx.normalized = normalize_many([turn.text for turn in turns])
        agent_turns = ctx.agent_turns = [i for i, turn in enumerate(turns) if turn.speaker == "agent"]
        findings: list[list[Finding]] = [[] for _ in turns]
        phrases: list[list[PhraseHit]] = [[] for _ in turns]
        for index, (found, hits) in zip(agent_turns, checker.scan_many([normalized[i] for i in agent_turns],
                                                                      agent_turns)):
            findings[index] = found
            phrases[index] = hits
        if customer_categories and len(agent_turns) < len(turns):
            customer_turns = [i for i, turn in enumerate(turns) if turn.speaker != "agent"]
            for index, hits in zip(customer_turns, checker.phrases_many([normalized[i] for i in customer_turns],
                                                                       customer_categories)):
                phrases[index] = hits
        ctx.findings, ctx.phrases = findings, phrases
        ctx.categories = [frozenset([h.category for h in hits]) if hits else _NONE for hits in phrases]
        return ctx

    def has(self, turn: int, categories: Collection[str]) -> list[PhraseHit]:
        """Phrase hits of ``turn`` in any of ``categories``."""
        if self.categories[turn].isdisjoint(categories):
            return []
        return [h for h in self.phrases[turn] if h.category in categories]

    @cached_property
    def agent_turns_with_numbers(self) -> list[int]:
        """Agent turns with a run of three digits (the only ones a privacy rule can fire on)."""
        turns = self.transcript.turns
        return [i for i in self.agent_turns if _DIGIT_RUN.search(turns[i].text) is not None]

    @cached_property
    def agent_turns_with_pronoun(self) -> list[int]:
        """Agent turns with a 你 or 妳 (most say 您 and need no segmentation at all)."""
        turns = self.transcript.turns
        # A regex search runs in C; a set test would build a str per character.
        search = _PRONOUN_SEARCH
        return [i for i in self.agent_turns if search(turns[i].text)]

    @cached_property
    def template_kind(self) -> str | None:
        """The kind of the template being checked: the first agent turn's ``template_kind``,
        else the transcript's, else ``None`` (read once, however many rules ask)."""
        turns = self.transcript.turns
        for index in self.agent_turns:
            kind = turns[index].metadata.get(TEMPLATE_KIND_KEY)
            if kind:
                return str(kind)
        kind = self.transcript.metadata.get(TEMPLATE_KIND_KEY)
        return str(kind) if kind else None

    @cached_property
    def timed(self) -> bool:
        """Whether any turn carries start/end times (the timing dimension applies)."""
        return any(t.start is not None for t in self.transcript.turns)
