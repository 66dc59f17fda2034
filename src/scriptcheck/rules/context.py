"""What the transcript rules read: every turn scanned once, plus the agent-turn index."""

from __future__ import annotations

from dataclasses import dataclass, field

from scriptcheck.checker import Checker, PhraseHit
from scriptcheck.models import Finding, Transcript

__all__ = ["TranscriptContext"]


@dataclass
class TranscriptContext:
    """A transcript with the lexicon scan of each turn (forbidden findings only on agent turns)."""

    transcript: Transcript
    checker: Checker
    findings: list[list[Finding]] = field(default_factory=list)
    phrases: list[list[PhraseHit]] = field(default_factory=list)
    agent_turns: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, transcript: Transcript, checker: Checker) -> "TranscriptContext":
        """Scan every turn once; forbidden phrases count on agent turns only."""
        ctx = cls(transcript, checker)
        for index, turn in enumerate(transcript.turns):
            is_agent = turn.speaker == "agent"
            scan = checker.scan(turn.text, forbidden=is_agent)
            ctx.findings.append([f.model_copy(update={"turn": index}) for f in scan.findings])
            ctx.phrases.append(scan.phrases)
            if is_agent:
                ctx.agent_turns.append(index)
        return ctx

    def has(self, turn: int, categories: list[str] | set[str]) -> list[PhraseHit]:
        """Phrase hits of ``turn`` in any of ``categories``."""
        return [h for h in self.phrases[turn] if h.category in categories]

    @property
    def timed(self) -> bool:
        """Whether any turn carries start/end times (the timing dimension applies)."""
        return any(t.start is not None for t in self.transcript.turns)
