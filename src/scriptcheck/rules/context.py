"""What the transcript rules read: every turn scanned once, plus the agent-turn index."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from scriptcheck.checker import Checker, PhraseHit
from scriptcheck.models import Finding, Transcript
from scriptcheck.text.normalize import Normalized, normalize

__all__ = ["TranscriptContext"]


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
    # turn → jieba tokens around its 你 (shared by the honorific rules; see check_honorific)
    pronoun_tokens: dict[int, list] = field(default_factory=dict)

    @classmethod
    def build(cls, transcript: Transcript, checker: Checker,
              customer_categories: frozenset[str] = frozenset()) -> "TranscriptContext":
        """Scan every turn once. Agent turns get the full scan (forbidden phrases count on
        agent turns only); customer turns only the cue categories the profile reacts to."""
        ctx = cls(transcript, checker)
        for index, turn in enumerate(transcript.turns):
            norm = normalize(turn.text)
            ctx.normalized.append(norm)
            if turn.speaker == "agent":
                scan = checker.scan_normalized(norm, turn=index)
                ctx.findings.append(scan.findings)
                ctx.phrases.append(scan.phrases)
                ctx.agent_turns.append(index)
            else:
                ctx.findings.append([])
                ctx.phrases.append(checker.phrases_in(norm, customer_categories))
        return ctx

    def has(self, turn: int, categories: list[str] | set[str]) -> list[PhraseHit]:
        """Phrase hits of ``turn`` in any of ``categories``."""
        return [h for h in self.phrases[turn] if h.category in categories]

    @cached_property
    def timed(self) -> bool:
        """Whether any turn carries start/end times (the timing dimension applies)."""
        return any(t.start is not None for t in self.transcript.turns)
