"""Kind ``timing``: silence, holds, interruption, speech rate and the times themselves, when
turns have times."""

from __future__ import annotations

import math
import re
from statistics import median
from typing import Literal

from pydantic import Field

from scriptcheck.models import Transcript, make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.speech import is_backchannel, is_line_check

__all__ = ["TimingRule", "time_scale", "CALL_END_KEYS"]

# Transcript metadata keys that give when the call ended (same unit as the turns' times): the
# silence between the last words and the hang-up counts too.
CALL_END_KEYS = ("call_end", "duration", "call_duration")
# Metadata key naming the unit of the times (``s`` or ``ms``) when the source says so.
_UNIT_KEY = "time_unit"
# Outcome.shared key: the turns whose times are inconsistent (no gap is measured across them).
_BAD_TIMES = "timing-bad"
# Agent turns in a row, back from the silence, in which a hold announcement counts.
_HOLD_BLOCK = 3


def time_scale(transcript: Transcript) -> float:
    """Seconds per unit of the transcript's times: 1, or 0.001 when they are milliseconds —
    said by ``metadata.time_unit`` (``ms``/``s``), else detected: call-analytics exports write
    milliseconds, and no call's utterances last a minute on median (nor, without durations,
    does a call last ten hours)."""
    unit = str(transcript.metadata.get(_UNIT_KEY) or "").lower()
    if unit in ("ms", "millisecond", "milliseconds", "毫秒"):
        return 0.001
    if unit in ("s", "sec", "second", "seconds", "秒"):
        return 1.0
    durations = [t.end - t.start for t in transcript.turns
                 if t.start is not None and t.end is not None and t.end >= t.start]
    if durations:
        # Decided by how long utterances last, not by how large the times are: times may
        # count from an epoch (seconds since 1970 are large, their durations are not).
        return 0.001 if median(durations) > 60 else 1.0
    latest = max((t.end for t in transcript.turns if t.end is not None), default=0.0)
    return 0.001 if latest > 36_000 else 1.0


def _times_problems(ctx: TranscriptContext, tolerance: float, scale: float) -> dict[int, str]:
    """Turn → what is wrong with its times: ends before it starts, starts before the turn
    before it started (out of order), or overlaps the same speaker's previous turn."""
    problems: dict[int, str] = {}
    previous_start = None
    last_of: dict[str, tuple[int, float]] = {}
    for index, turn in enumerate(ctx.transcript.turns):
        if turn.start is None or turn.end is None:
            continue
        start, end = turn.start * scale, turn.end * scale
        if end < start:
            problems[index] = f"ends before it starts ({start:.1f} s → {end:.1f} s)"
        elif previous_start is not None and start < previous_start - tolerance:
            problems[index] = f"starts at {start:.1f} s, before the turn before it ({previous_start:.1f} s): out of order"
        elif turn.speaker in last_of and start < last_of[turn.speaker][1] - tolerance:
            problems[index] = (f"overlaps the same speaker's turn {last_of[turn.speaker][0]} "
                               f"({start:.1f} s < {last_of[turn.speaker][1]:.1f} s)")
        previous_start = start if previous_start is None else max(previous_start, start)
        if end >= start:
            last_of[turn.speaker] = (index, end)
    return problems


# Words that close a call: after them nobody owes an answer, however long the line stays open.
_GOODBYE = re.compile(r"再见|拜拜|bye|没有了|没了|不用了|就这样|挂了")


def _finite(value: int | float) -> bool:
    """Whether ``value`` is a finite number a float can hold (``math.isfinite`` raises
    OverflowError on an integer past float's range)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _said_goodbye(turns, last: int) -> bool:
    """Whether the call was closed by its last words (再见/没有了 in the last turn, or in the
    turn before a last 嗯/好的): the silence after them is the hang-up, not the agent's. A
    customer who speaks up after the goodbyes (「等一下，我还有个问题」) has reopened it."""
    if _GOODBYE.search(turns[last].text.lower()):
        return True
    return last > 0 and is_backchannel(turns[last].text) and _GOODBYE.search(turns[last - 1].text.lower()) is not None


def _has(ctx: TranscriptContext, index: int, categories) -> bool:
    """Whether turn ``index`` has a phrase of ``categories``, looked up now (the scan plan does
    not scan for these: see :meth:`TimingRule.lazy_categories`)."""
    if not categories:
        return False
    wanted = frozenset(categories)
    if ctx.categories[index] & wanted:
        return True
    return bool(ctx.matcher.phrases_many([ctx.normalized[index]], wanted)[0])


@register
class TimingRule(RuleBase):
    """Timing of a call, when turns carry start/end times (seconds, or milliseconds: see
    :func:`time_scale`).

    ``silence``: the line is silent longer than ``max_silence`` while the agent owes the
    customer an answer — after the customer spoke (before the agent's answer, before the
    customer's 「喂？」, or until the call ends: ``metadata.call_end``/``duration``) or after the
    agent's own turn unless it announced a hold. A hold is a short dialogue: the agent asks to
    wait (``hold_categories`` in the agent's last turn) and the customer accepts (a turn with
    ``accept_categories`` or only 嗯/好); the silence that follows is then not charged (unless
    it exceeds ``max_hold``). A customer asking to wait (``customer_hold_categories``) covers
    the silence after it too. ``interruption``: the agent starts more than ``overlap`` seconds
    before the customer finished (a short 嗯/对 does not interrupt). ``speech-rate``: characters
    per second of agent turns. ``times``: turns whose times run backwards, are out of order, or
    overlap the same speaker's previous turn — a data problem, reported as such; no silence or
    interruption is measured across them.
    """

    kind: Literal["timing"]
    dimension: Dimension = "timing"
    check: Literal["silence", "interruption", "speech-rate", "times"]
    max_silence: float = Field(default=10.0, gt=0)
    overlap: float = Field(default=0.5, ge=0, description="Seconds of overlap tolerated.")
    min_rate: float = Field(default=2.0, gt=0, description="Characters per second.")
    max_rate: float = Field(default=8.0, gt=0)
    min_chars: int = Field(default=8, ge=1, description="Shorter turns are not rate-checked.")
    hold_categories: list[str] | None = Field(
        default=None, description="Agent phrase categories that announce a hold (default: waiting, "
                                  "when the profile's lexicons have it).")
    accept_categories: list[str] = Field(default_factory=list,
                                         description="Customer cue categories that accept a hold.")
    customer_hold_categories: list[str] = Field(
        default_factory=list, description="Customer cue categories that ask the agent to wait.")
    max_hold: float | None = Field(default=None, gt=0, description="A hold longer than this is charged.")

    scores = "timing"

    def lazy_categories(self) -> frozenset[str]:
        """The hold phrases and the customer's acceptance or wait cues: looked up only at a long
        silence (most transcripts have none, and many have no times at all), never scanned in
        advance."""
        if self.check != "silence":
            return frozenset()
        return frozenset(self.hold_categories or ()) | frozenset(self.accept_categories) \
            | frozenset(self.customer_hold_categories)

    def applies(self, ctx: TranscriptContext) -> bool:
        """Only transcripts whose turns carry times."""
        return ctx.timed

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Findings for the timing this rule checks (turns without times are skipped)."""
        scale = out.shared.get("timing-scale")
        if scale is None:
            scale = out.shared["timing-scale"] = time_scale(ctx.transcript)
        bad = out.shared.get(_BAD_TIMES)
        if bad is None:
            bad = out.shared[_BAD_TIMES] = _times_problems(ctx, self.overlap, scale)
        if self.check == "times":
            for index, problem in sorted(bad.items()):
                self._add(ctx, out, index, f"{self.description} (turn {index} {problem})")
        elif self.check == "silence":
            self._silences(ctx, out, scale, bad)
        else:
            self._per_turn(ctx, out, scale, bad)

    def _add(self, ctx: TranscriptContext, out: Outcome, index: int, message: str) -> None:
        text = ctx.transcript.turns[index].text
        out.findings.append(make_finding({
            "rule": self.id, "category": "timing", "severity": self.severity, "turn": index,
            "start": 0, "end": len(text), "text": text, "message": message, "suggestion": self.suggestion,
        }))

    def _hold_categories(self, ctx: TranscriptContext) -> list[str]:
        if self.hold_categories is not None:
            return self.hold_categories
        return ["waiting"] if "waiting" in ctx.matcher.phrase_categories else []

    def _held(self, ctx: TranscriptContext, floor: int) -> bool:
        """Whether the silence after turn ``floor`` is a hold: the agent's last words (the last
        few agent turns in a row: ASR cuts 「请您稍等，我帮您查一下，好吗」 into pieces; a 好的 or
        嗯 after the customer's answer does not count) announced one, and the customer's words
        since (if any) accept it — or the customer asked to wait."""
        turns = ctx.transcript.turns
        hold = self._hold_categories(ctx)
        index = floor
        while index >= 0:
            turn = turns[index]
            if turn.speaker == "agent":
                if is_backchannel(turn.text):
                    index -= 1
                    continue
                block = 0
                while index >= 0 and turns[index].speaker == "agent" and block < _HOLD_BLOCK:
                    if _has(ctx, index, hold):
                        return True
                    index -= 1
                    block += 1
                return False
            if index == floor and _has(ctx, index, self.customer_hold_categories):
                return True
            # A customer turn between the announcement and the silence must accept the hold.
            accepted = is_backchannel(turn.text) or _has(ctx, index, self.accept_categories)
            if not accepted:
                return False
            index -= 1
        return False

    def _silences(self, ctx: TranscriptContext, out: Outcome, scale: float, bad: dict[int, str]) -> None:
        """One finding per silence the agent owes: between turns, and before the call ends.

        The customer's 「喂？」「还在吗？」 while waiting for an answer do not end the agent's
        silence (they are what it sounds like from the other end): the stretch runs from the
        customer's last real words to the agent's answer, the customer's next real words, or
        the end of the call, however many 喂 lie between."""
        turns = ctx.transcript.turns
        floor_end = None   # when the line last fell silent
        floor = -1         # the turn whose end that was
        since = None       # while the customer only checks the line: when the agent's silence began
        since_floor = -1   # and the turn after which it began
        for index, turn in enumerate(turns):
            if turn.start is None or turn.end is None:
                continue
            if index in bad:
                floor_end, floor, since = None, -1, None  # no gap is measured across inconsistent times
                continue
            start, end = turn.start * scale, turn.end * scale
            checking = turn.speaker == "customer" and is_line_check(turn.text)
            if floor_end is not None:
                if checking and (since is not None or turns[floor].speaker == "customer"):
                    if since is None:
                        since, since_floor = floor_end, floor
                elif since is not None:
                    self._gap(ctx, out, since_floor, index, start - since)
                    since = None
                else:
                    self._gap(ctx, out, floor, index, start - floor_end)
            if floor_end is None or end > floor_end:
                floor_end, floor = end, index
        if floor_end is None:
            return
        call_end = None
        for key in CALL_END_KEYS:
            value = ctx.transcript.metadata.get(key)
            # NaN or Infinity (JSON exports write them) is no time: it made "nan s of silence"; nor
            # is an integer too large for a float (a 400-digit call_end raised OverflowError)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value):
                call_end = value * scale
                break
        if since is not None:
            # The call ends while the customer is still asking whether anyone is there.
            self._gap(ctx, out, since_floor, None, (call_end if call_end is not None else floor_end) - since,
                      at=floor)
        elif call_end is not None and not _said_goodbye(ctx.transcript.turns, floor):
            self._gap(ctx, out, floor, None, call_end - floor_end)

    def _gap(self, ctx: TranscriptContext, out: Outcome, floor: int, following: int | None, gap: float,
             at: int | None = None) -> None:
        """Judge ``gap`` seconds of silence after turn ``floor`` (before ``following``, or
        before the call ended when ``None``); the finding goes on ``following``, else on ``at``
        (default: ``floor``)."""
        if gap <= self.max_silence:
            return
        turns = ctx.transcript.turns
        where = "before the call ended" if following is None else "before this turn"
        if turns[floor].speaker == "agent" and following is not None and turns[following].speaker == "customer":
            return  # the customer is thinking, looking for a number: not the agent's silence
        if self._held(ctx, floor):
            if self.max_hold is None or gap <= self.max_hold:
                return
            message = f"{self.description} ({gap:.1f} s on hold {where}, limit {self.max_hold:g} s)"
        else:
            message = f"{self.description} ({gap:.1f} s of silence {where}, limit {self.max_silence:g} s)"
        self._add(ctx, out, following if following is not None else (floor if at is None else at), message)

    def _per_turn(self, ctx: TranscriptContext, out: Outcome, scale: float, bad: dict[int, str]) -> None:
        """Interruption and speech rate, per agent turn."""
        turns = ctx.transcript.turns
        for index in ctx.agent_turns:
            if index in bad:
                continue
            turn = turns[index]
            previous = turns[index - 1] if index > 0 else None
            message = None
            if self.check == "interruption" and previous is not None and previous.speaker == "customer":
                if turn.start is not None and previous.end is not None and index - 1 not in bad \
                        and not is_backchannel(turn.text):
                    overlap = (previous.end - turn.start) * scale
                    if overlap > self.overlap:
                        message = f"{self.description} (started {overlap:.1f} s before the customer finished)"
            elif self.check == "speech-rate" and turn.start is not None and turn.end is not None:
                chars = len(ctx.normalized[index].text)
                duration = (turn.end - turn.start) * scale
                if chars >= self.min_chars and duration > 0:
                    rate = chars / duration
                    if not self.min_rate <= rate <= self.max_rate:
                        message = (f"{self.description} ({rate:.1f} chars/s, expected "
                                   f"{self.min_rate:g}–{self.max_rate:g})")
            if message:
                self._add(ctx, out, index, message)
