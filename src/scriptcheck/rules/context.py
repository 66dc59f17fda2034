"""What the transcript rules read: every turn scanned once (as the scan plan says), plus the
agent-turn index."""

from __future__ import annotations

import re
from typing import Callable, Collection

from scriptcheck.lexicon.matcher import PhraseHit, PhraseMatcher
from scriptcheck.models import Finding, Transcript
from scriptcheck.rules.plan import ScanPlan
from scriptcheck.text.normalize import Normalized, normalize_many
from scriptcheck.text.speech import has_numeral_run

__all__ = ["TranscriptContext", "PRONOUNS", "TEMPLATE_KIND_KEY"]

# The metadata key (on the turn or the transcript) that carries a reply template's kind.
TEMPLATE_KIND_KEY = "template_kind"

_NONE: frozenset[str] = frozenset()
# The bare second-person pronouns the honorific rules look for.
PRONOUNS = frozenset("你妳")
_PRONOUN_SEARCH = re.compile("[" + "".join(sorted(PRONOUNS)) + "]").search
_DIGIT_RUN = re.compile(r"[0-9０-９]{3}")


class _once:
    """``functools.cached_property`` without its lock: Python 3.11 takes one on every first
    access, a measurable share of the work for an object that lives for one transcript (and
    is never shared between threads)."""

    def __init__(self, compute: Callable) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


class TranscriptContext:
    """A transcript with the lexicon scan of each turn (forbidden findings only on agent turns)
    and each turn's normalised search string, computed once for every rule to share.

    ``phrases[turn]`` holds the phrases found so far; rules ask through :meth:`hits`,
    :meth:`has` or :meth:`all_phrases`, which scan a turn further when the plan scanned it
    for fewer categories than asked about (so a rule is never wrong, only slower, when the
    plan misses what it needs)."""

    # A plain class, not a dataclass: one is built per transcript, and the dataclass's
    # generated __init__ (Python, eleven fields, eight factories) was a measurable share.
    def __init__(self, transcript: Transcript, matcher: PhraseMatcher) -> None:
        self.transcript = transcript
        self.matcher = matcher
        self.findings: list[list[Finding]] = []
        self.phrases: list[list[PhraseHit]] = []
        self.agent_turns: list[int] = []
        self.customer_turns: list[int] = []
        self.normalized: list[Normalized] = []
        # turn → the categories of its phrase hits, so that most `has` questions are one set test
        self.categories: list[frozenset[str]] = []
        # turn → its second-person pronouns, read once for every honorific rule (rules/honorific.py)
        self.pronoun_tokens: dict[int, list] = {}
        # turn → the categories its phrases were scanned for (None: all there are to scan for)
        self._scanned: list[frozenset[str] | None] = []
        # speaker → the categories of the phrases found so far in that speaker's turns
        self._present: dict[str, set[str]] = {}
        # the categories every agent turn was scanned for (None: all there are to scan for)
        self._scanned_everywhere: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"TranscriptContext(id={self.transcript.id!r}, turns={len(self.transcript.turns)})"

    @classmethod
    def build(cls, transcript: Transcript, matcher: PhraseMatcher, plan: ScanPlan | None = None) -> "TranscriptContext":
        """Scan every turn once. Agent turns get the taboo scan (forbidden phrases count on
        agent turns only) and the phrases the ``plan`` asks about in each (every category
        without a plan); customer turns get the cue categories the plan reacts to."""
        ctx = cls(transcript, matcher)
        turns = transcript.turns
        # One normalisation and one matcher pass per speaker for the whole transcript: the
        # per-call overhead of doing it turn by turn was a large share of scoring.
        texts: list[str] = []
        agent_turns: list[int] = []
        customer_turns: list[int] = []
        for i, turn in enumerate(turns):  # one pass for the texts and both speakers' turns
            texts.append(turn.text)
            (agent_turns if turn.speaker == "agent" else customer_turns).append(i)
        normalized = ctx.normalized = normalize_many(texts)
        ctx.agent_turns, ctx.customer_turns = agent_turns, customer_turns
        findings: list[list[Finding]] = [[] for _ in turns]
        phrases: list[list[PhraseHit]] = [[] for _ in turns]
        scanned: list[frozenset[str] | None] = [None] * len(turns)
        agent_plan = None if plan is None else plan.agent_categories(len(agent_turns))
        if agent_plan is None:
            scans = matcher.scan_many([normalized[i] for i in agent_turns], agent_turns, cues=True)
        else:
            scans = matcher.scan_many([normalized[i] for i in agent_turns], agent_turns, categories=agent_plan)
        for position, (index, (found, hits)) in enumerate(zip(agent_turns, scans)):
            findings[index] = found
            phrases[index] = hits
            if agent_plan is not None:
                scanned[index] = agent_plan[position]
        customer_categories = plan.customer if plan is not None else matcher.phrase_categories
        if customer_categories and customer_turns:
            for index, hits in zip(customer_turns, matcher.phrases_many([normalized[i] for i in customer_turns],
                                                                       customer_categories)):
                phrases[index] = hits
        ctx.findings, ctx.phrases, ctx._scanned = findings, phrases, scanned
        categories = ctx.categories = [frozenset([h.category for h in hits]) if hits else _NONE for hits in phrases]
        ctx._present = {"agent": set().union(*[categories[i] for i in agent_turns]),
                        "customer": set().union(*[categories[i] for i in customer_turns])}
        if agent_plan:
            ctx._scanned_everywhere = frozenset.intersection(*agent_plan)
        return ctx

    def hits(self, turn: int, categories: Collection[str]) -> list[PhraseHit]:
        """Phrase hits of ``turn`` in any of ``categories``."""
        scanned = self._scanned[turn]
        if scanned is not None and not scanned.issuperset(categories):
            self._scan_all(turn)
        if self.categories[turn].isdisjoint(categories):
            return []
        return [h for h in self.phrases[turn] if h.category in categories]

    def has(self, turn: int, categories: Collection[str]) -> bool:
        """Whether ``turn`` has a phrase in any of ``categories``."""
        return bool(self.hits(turn, categories))

    def turns_with(self, speaker: str, categories: Collection[str]) -> list[int]:
        """The turns of ``speaker``, in order, with a phrase in any of ``categories`` (the
        turns for which :meth:`hits` is not empty)."""
        if speaker == "agent":
            turns = self.agent_turns
            everywhere = self._scanned_everywhere
            complete = everywhere is None or everywhere.issuperset(categories)
        else:
            turns = self.customer_turns
            complete = True  # customer turns are scanned for their cues once, completely
        if complete and self._present.get(speaker, _NONE).isdisjoint(categories):
            return []  # what most transcripts come to, without a question per turn
        hits = self.hits
        return [turn for turn in turns if hits(turn, categories)]

    def all_phrases(self, turn: int) -> list[PhraseHit]:
        """Every service phrase of ``turn`` (of an agent turn: of every category; of a
        customer turn: the cues the profile reacts to)."""
        if self._scanned[turn] is not None:
            self._scan_all(turn)
        return self.phrases[turn]

    def _scan_all(self, turn: int) -> None:
        """Complete a turn that was scanned for some categories only."""
        hits = self.matcher.scan_normalized(self.normalized[turn], forbidden=False, cues=True).phrases
        self.phrases[turn] = hits
        self.categories[turn] = frozenset([h.category for h in hits]) if hits else _NONE
        self._scanned[turn] = None
        self._present.setdefault(self.transcript.turns[turn].speaker, set()).update(self.categories[turn])

    @_once
    def agent_text(self) -> str:
        """Every agent turn's text, joined by newlines: one string for the searches that
        first ask whether the agent said something anywhere (a number, a numeral run)."""
        turns = self.transcript.turns
        return "\n".join([turns[i].text for i in self.agent_turns])

    @_once
    def agent_turns_with_numbers(self) -> list[int]:
        """Agent turns with a run of three digits (the only ones a privacy rule can fire on)."""
        turns = self.transcript.turns
        agent = self.agent_turns
        # One search over all the agent's words first: most transcripts have no such number
        # (the separator is no digit, so no run spans two turns). Three digits in a row are a
        # numeral run too, and the privacy rules ask for those anyway.
        if not self.agent_says_numerals or _DIGIT_RUN.search(self.agent_text) is None:
            return []
        return [i for i in agent if _DIGIT_RUN.search(turns[i].text) is not None]

    @_once
    def agent_says_numerals(self) -> bool:
        """Whether some agent turn has three numerals in a row (``has_numeral_run``: digits
        or Chinese numerals), the first question of every privacy rule."""
        return bool(self.agent_turns) and has_numeral_run(self.agent_text)

    @_once
    def agent_turns_with_pronoun(self) -> list[int]:
        """Agent turns with a 你 or 妳 (most say 您 and need no segmentation at all)."""
        turns = self.transcript.turns
        # A regex search runs in C; a set test would build a str per character. One search
        # over all the agent's words first (the privacy rules join them anyway): most
        # transcripts have no such pronoun in any agent turn.
        search = _PRONOUN_SEARCH
        if not self.agent_turns or search(self.agent_text) is None:
            return []
        return [i for i in self.agent_turns if search(turns[i].text)]

    @_once
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

    @_once
    def timed(self) -> bool:
        """Whether any turn carries start/end times (the timing dimension applies)."""
        return any(t.start is not None for t in self.transcript.turns)
