"""Kind ``privacy``: an agent turn that spells out a full phone, ID-card or bank-card number,
typed or spoken (「幺三八 一二三四 五六七八」, 「4401 0619 9001 0112 35」: see ``text/speech``)."""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from scriptcheck.lazy_regex import code_regex
from scriptcheck.models import Severity, make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.regex_policy import WHOLE_TEXT_WORK, check_regex
from scriptcheck.text.speech import NumberChunk, has_numeral_run, is_backchannel, number_sequences

__all__ = ["PrivacyRule", "luhn_valid", "id_card_valid"]

# Outcome.shared key: (turn, start, end) of the numbers already reported, so that a number two
# privacy rules match (a bank card that is also "a long number") is reported once.
_REPORTED = "privacy"
# Outcome.shared key: agent turn → its spoken numbers (sequences of digit groups), computed once
# for all the privacy rules of a profile.
_SPOKEN = "privacy-spoken"
# Outcome.shared key: (rule, digits) of the numbers already reported, so that a number read out
# again (the agent confirming it twice, ASR splitting a turn) counts once.
_DIGITS = "privacy-digits"
# Longest number looked for (a 19-digit bank card) and most digit groups one may be said in.
_MAX_DIGITS = 19
_MAX_GROUPS = 20  # an ID read one digit at a time, each a group
_STRAY_DIGITS = 3
_BEFORE = 24  # characters before a number that not_after reads
_LIST_GAP = frozenset(",，、;；。")
_MAX_PIECES = 4  # agent turns a number may be cut into
# What makes a turn's numbers worth reading as speech: a Chinese numeral next to another, or
# digits in groups (a pause, comma or dash between them).
_SPOKEN_OR_SPACED = code_regex("[〇零○一二三四五六七八九两幺腰妖壹贰叁肆伍陆柒捌玖要][〇零○一二三四五六七八九两幺腰妖壹贰叁肆伍陆柒捌玖0-9０-９]"
                              "|[0-9０-９][〇零○一二三四五六七八九两幺]"
                              "|[0-9０-９〇零○一二三四五六七八九两幺][ \t\u3000,，、.。－—_/杠嗯呃-]{1,4}[0-9０-９〇零○一二三四五六七八九两幺]")
_SEPARATORS_AT_EDGE = " \t\u3000,，、.。-－—…~～嗯呃额啊"  # and hesitations

# Full-width digits and X fold to ASCII one for one, so offsets stay those of the original.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card_valid(number: str) -> bool:
    """The GB 11643 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number, _ID_WEIGHTS)) % 11]
    return number[17].upper() == check


_CHECKSUMS = {"luhn": luhn_valid, "id-card": id_card_valid}


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=64)
def _min_width(pattern: str) -> int:
    """The fewest characters ``pattern`` can match (0 when unknown): spoken numbers with fewer
    digits are not tried at all (most numbers said in a call are short: prices, dates)."""
    try:
        from re import _parser  # the parser re itself uses; private, hence the fallback

        return int(_parser.parse(pattern).getwidth()[0])
    except Exception:  # noqa: BLE001 - any failure only costs speed
        return 0


@register
class PrivacyRule(RuleBase):
    """An agent turn spelling out a full number (phone, ID card, bank card), typed or spoken.

    ``pattern`` runs over the turn (full-width digits folded) and, with ``spoken`` (the
    default), over each number of the turn as said: Chinese numerals read digit by digit
    (一三八, 幺三八, 两/〇/零), digit groups split by pauses, commas, dashes or hesitations, and a
    number ASR split over two agent turns in a row — the finding then points at the part in the
    first turn. With ``checksum``, a number whose check digit is valid is a certain leak (the
    rule's ``severity``); one of the right shape with an invalid check digit (ASR mishears
    digits) is reported at ``invalid_severity`` when the turn says what it is
    (``invalid_context``, e.g. 身份证), and not at all when ``invalid_severity`` is unset.
    A number the agent reads out again counts once per transcript. ``not_after`` names what,
    said right before a number, makes it one the customer is given to call (a hotline, a
    contact person's phone) rather than the customer's own: such a number is not reported.
    """

    kind: Literal["privacy"]
    dimension: Dimension = "privacy"
    pattern: str = Field(min_length=1, description="Regex over the turn with full-width digits folded.")
    checksum: Literal["luhn", "id-card"] | None = Field(
        default=None, description="Only numbers with a valid check digit count (bank cards: luhn; "
                                  "resident ID cards: id-card, GB 11643).")
    spoken: bool = Field(default=True, description="Also numbers said in Chinese numerals or in "
                                                   "groups (ASR transcripts).")
    invalid_severity: Severity | None = Field(
        default=None, description="With checksum: report a number of the right shape whose check digit "
                                  "is wrong at this severity (None: do not report it).")
    invalid_context: str | None = Field(
        default=None, description="Regex the turn must match for a wrong-check-digit number to be "
                                  "reported (what the number is: 身份证, 卡号 …); none: always.")
    not_after: str | None = Field(
        default=None, description="Regex that, matching the text just before a number (up to "
                                  f"{_BEFORE} characters, anchored at the number with $), makes it a "
                                  "number the customer is given to call, not theirs: not reported.")

    per_turn = True

    @field_validator("pattern", "not_after", "invalid_context")
    @classmethod
    def _linear(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            # Profiles come from pull requests: no unbounded backtracking, and the tighter bound
            # of a pattern searched over whole turns (`not_after` reads 24 characters, but is
            # searched once a number, and a turn may say thousands).
            check_regex(pattern, WHOLE_TEXT_WORK)
        return pattern

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """Findings for numbers matching ``pattern`` not already reported by an earlier
        privacy rule (or by this one, for the same digits)."""
        spoken = _spoken_numbers(ctx, out) if self.spoken else {}
        typed = ctx.agent_turns_with_numbers
        if not spoken and not typed:
            return  # no number in any agent turn: most transcripts
        taken = out.shared.setdefault(_REPORTED, _Reported())
        said = out.shared.setdefault(_DIGITS, set())
        regex = _compiled(self.pattern)
        turns = ctx.transcript.turns
        shortest = _min_width(self.pattern)
        # Turn order, so that a number read out twice is reported where it was first said.
        for index in sorted(set(typed).union(spoken)) if spoken else typed:
            text = turns[index].text
            for m in regex.finditer(text.translate(_FOLD)):
                start, end = m.span()
                compact = "".join(c for c in m.group() if c.isalnum())
                self._report(ctx, out, taken, said, index, start, end, compact)
            for sequence, continued in spoken.get(index, ()):
                if sum(len(c.digits) for c in sequence) < shortest:
                    continue
                for first, last in self._matches(regex, sequence, text, len(sequence) - continued):
                    if first >= len(sequence) - continued:
                        continue  # wholly in the next turn: found there
                    start = sequence[first].start
                    end = sequence[last].end if last < len(sequence) - continued else len(text)
                    digits = "".join(c.digits for c in sequence[first:last + 1])
                    self._report(ctx, out, taken, said, index, start, min(end, len(text)), digits)

    def _matches(self, regex: re.Pattern[str], sequence: list[NumberChunk], text: str,
                 in_turn: int) -> list[tuple[int, int]]:
        """Runs of whole digit groups (first, last) whose digits the pattern matches in full,
        longest first, left to right, not overlapping. A run that is not the whole sequence
        must be set off from the rest by a comma (「金额五十八，一三八…」) and leave at most a
        few digits out: the middle of a longer number (an ID, an order number read digit by
        digit) is not a phone number. ``text`` is the turn of the first ``in_turn`` groups."""

        def list_boundary(k: int) -> bool:
            # between groups k-1 and k, inside this turn
            return 0 < k < in_turn and any(c in _LIST_GAP for c in text[sequence[k - 1].end:sequence[k].start])

        found = []
        i = 0
        n = min(len(sequence), _MAX_GROUPS)
        total = sum(len(c.digits) for c in sequence[:n])
        while i < n:
            best = None
            length = 0
            for j in range(i, n):
                length += len(sequence[j].digits)
                if length > _MAX_DIGITS:
                    break
                if regex.fullmatch("".join(c.digits for c in sequence[i:j + 1])):
                    best = j
            # A number inside a longer spoken one (the middle of an ID number that happens to
            # look like a phone) is not that number; a stray digit or two around it (a
            # stutter, a misheard group) may be.
            if best is not None and (i > 0 or best < n - 1):
                if total - sum(len(c.digits) for c in sequence[i:best + 1]) > _STRAY_DIGITS \
                        or (i > 0 and not list_boundary(i)) or (best < n - 1 and not list_boundary(best + 1)):
                    best = None
            if best is None:
                i += 1
            else:
                found.append((i, best))
                i = best + 1
        return found

    def _report(self, ctx: TranscriptContext, out: Outcome, taken: "_Reported", said: set, index: int,
                start: int, end: int, digits: str) -> None:
        """Add one finding unless its span or its digits were reported already."""
        text = ctx.transcript.turns[index].text
        if start >= end or taken.overlaps(index, start, end):
            return
        if self.not_after is not None and _compiled(self.not_after).search(text, max(0, start - _BEFORE), start):
            return  # 请拨打… / 联系人：…，电话：…: a number to call, not the customer's
        severity = self.severity
        message = self.description
        if self.checksum is not None and not _CHECKSUMS[self.checksum](digits):
            if self.invalid_severity is None:
                return
            if self.invalid_context is not None and _compiled(self.invalid_context).search(text) is None:
                return
            severity = self.invalid_severity
            message = f"{self.description} (check digit does not match: a misheard or partly wrong number)"
        key = (self.id, digits.upper())
        if key in said:
            taken.add(index, start, end)
            return
        said.add(key)
        taken.add(index, start, end)
        out.findings.append(make_finding({
            "rule": self.id, "category": "privacy", "severity": severity, "turn": index,
            "start": start, "end": end, "text": text[start:end],
            "message": message, "suggestion": self.suggestion,
        }))


class _Reported:
    """The spans privacy rules reported, per turn: disjoint (an overlapping one is never added)
    and sorted, so the overlap test is a bisection. A scan of every span per number was
    quadratic: 83,000 numbers in one turn took 49 s (hostile probe, s56)."""

    def __init__(self) -> None:
        self._by_turn: dict[int, list[tuple[int, int]]] = {}

    def overlaps(self, turn: int, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of ``turn`` overlaps a span reported there."""
        spans = self._by_turn.get(turn)
        if not spans:
            return False
        i = bisect_left(spans, (start,))  # the first span starting at or after ``start``
        return (i > 0 and spans[i - 1][1] > start) or (i < len(spans) and spans[i][0] < end)

    def add(self, turn: int, start: int, end: int) -> None:
        """Remember a reported span (one that overlaps none reported)."""
        insort(self._by_turn.setdefault(turn, []), (start, end))

def _spoken_numbers(ctx: TranscriptContext, out: Outcome) -> dict[int, list[tuple[list[NumberChunk], int]]]:
    """Agent turn → its spoken numbers as ``(digit groups, how many of them come from the next
    turn)``; computed once per transcript for every privacy rule."""
    cached = out.shared.get(_SPOKEN)
    if cached is not None:
        return cached
    # One search over all the agent's words first: most transcripts (97% of the real chats)
    # say no number at all, and return here without the reading's closure being made.
    result = _read_spoken_numbers(ctx) if ctx.agent_says_numerals else {}
    out.shared[_SPOKEN] = result
    return result


def _read_spoken_numbers(ctx: TranscriptContext) -> dict[int, list[tuple[list[NumberChunk], int]]]:
    """:func:`_spoken_numbers` of a transcript whose agent says some numeral run."""
    turns = ctx.transcript.turns
    result: dict[int, list[tuple[list[NumberChunk], int]]] = {}
    agent = set(ctx.agent_turns)
    parsed: dict[int, list[list[NumberChunk]]] = {}

    def sequences_of(i: int) -> list[list[NumberChunk]]:
        if i not in parsed:
            text = turns[i].text
            parsed[i] = number_sequences(text) if has_numeral_run(text) or _edge_digits(text) else []
        return parsed[i]

    for index in ctx.agent_turns:
        text = turns[index].text
        # A number worth reporting has three numerals in a row somewhere; a short piece of one
        # (a turn that is only 「五」) is read only as the continuation of an earlier turn.
        if not has_numeral_run(text):
            continue
        if _SPOKEN_OR_SPACED.search(text) is None and not _edge_digits(text):
            continue  # only typed digits in one piece: the pattern over the text has seen them
        sequences = [(list(seq), 0) for seq in sequences_of(index)]
        # ASR cuts turns mid-sentence, and a customer's 嗯/对 may sit between the pieces: a
        # number running to the end of this turn may go on at the start of the agent's next
        # turns (「一三八」「对」「一二三四」「嗯」「五六七八」).
        if sequences and text[sequences[-1][0][-1].end:].strip(_SEPARATORS_AT_EDGE) == "":
            chunks, continued = sequences[-1]
            following = index + 1
            pieces = 0
            while following < len(turns) and pieces < _MAX_PIECES:
                if following not in agent:
                    if not is_backchannel(turns[following].text):
                        break
                    following += 1
                    continue
                rest = sequences_of(following)
                next_text = turns[following].text
                if not rest or next_text[:rest[0][0].start].strip(_SEPARATORS_AT_EDGE) != "":
                    break
                chunks = chunks + rest[0]
                continued += len(rest[0])
                pieces += 1
                # Only a turn that is nothing but this number may lead on to a further one.
                if len(rest) > 1 or next_text[rest[0][-1].end:].strip(_SEPARATORS_AT_EDGE) != "":
                    break
                following += 1
            sequences[-1] = (chunks, continued)
        if sequences:
            result[index] = sequences
    return result


def _edge_digits(text: str) -> bool:
    """Whether a turn starts or ends with a numeral (a number ASR may have cut in two)."""
    stripped = text.strip(_SEPARATORS_AT_EDGE)
    return bool(stripped) and (_is_numeral(stripped[0]) or _is_numeral(stripped[-1]))


def _is_numeral(ch: str) -> bool:
    return ch.isdigit() or ch in "〇零一二三四五六七八九两幺"
