"""The speech layer: what speech-to-text (ASR) output needs before rules can read it.

ASR transcripts of calls differ from typed chats: numbers come as Chinese numerals read digit
by digit (一三八…, 幺三八… with 幺 for 1, 两 for 2, 〇/零 for 0) or in positional form (两千三),
digit groups are separated by spaces, commas or fillers (「一三八 嗯 一二三四」), punctuation is
missing or odd, and fillers (嗯, 呃, 那个, 就是) sit between the words. This module turns such
text into views the rules match on, each with an offset map back to the ORIGINAL text (every
finding still points at the characters that were said):

- :func:`number_chunks` / :func:`number_sequences`: the numbers of a text as digit strings,
  digit by digit, and which of them run on into each other (one spoken number in groups);
- :func:`normalize_numbers`: the text with its numbers as ASCII digits (a :class:`SpokenText`);
- :func:`strip_fillers`: the text without fillers (a :class:`SpokenText`);
- :func:`clauses`: clause spans, from punctuation, pauses (whitespace) and, where a long stretch
  has neither, jieba's words (sentence-final particles, discourse markers);
- :func:`is_backchannel`: whether a turn is only 嗯/对/好 (listening, not taking the floor).

Everything is linear in the text's length and never raises on any ``str``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from scriptcheck.lazy_regex import code_regex

__all__ = ["SpokenText", "NumberChunk", "number_chunks", "number_sequences", "normalize_numbers",
           "strip_fillers", "clauses", "is_backchannel", "is_line_check", "has_numeral_run", "DIGIT_VALUES", "FILLERS"]

# One numeral character → its digit, as ASR writes digits read one by one. 幺 is how 1 is said
# in numbers on the phone (and 么 is how ASR often writes it); 两/俩 are 2; 〇 (and the ring ○
# some engines use) and 零 are 0; the financial forms (壹贰叁…) appear in amounts.
DIGIT_VALUES: dict[str, str] = {
    **{str(i): str(i) for i in range(10)},
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "零": "0", "〇": "0", "○": "0", "洞": "0",
    "一": "1", "壹": "1", "幺": "1", "么": "1", "腰": "1", "妖": "1",
    "二": "2", "贰": "2", "两": "2", "俩": "2",
    "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5",
    "六": "6", "陆": "6", "七": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9",
}
# Positional units: a run holding one is a value (两千三 = 2300), not a reading digit by digit.
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
# The check character of an ID number (X), also as ASR writes it when said aloud (叉).
_CHECK_X = {"X": "X", "x": "X", "Ｘ": "X", "ｘ": "X", "叉": "X"}
# 么 and 洞 are ordinary characters in 什么/怎么/这么 and 漏洞, and 腰/妖 are how ASR mishears
# 幺 (yāo): they count as digits only before another numeral (never after 什/怎/这/那/多/要).
_WEAK_DIGITS = frozenset("么洞俩腰妖")
# 要 is how ASR often writes 幺 too, but it is also the commonest verb (我要…): a digit only
# between two numerals (「一三八要二三四」), never at a number's start or end.
_INNER_ONLY = {"要": "1"}
_NUMERAL_CHARS = frozenset(DIGIT_VALUES) | frozenset(_UNITS) | frozenset(_BIG_UNITS)
# What may sit between the groups of one spoken number: pauses (spaces), dashes, commas and
# ASR's full stops, and hesitations.
_SOFT_SEPARATORS = frozenset(" \t\u3000\u00a0-－—–_,，、.。;；:：…~～/杠")
_SEPARATOR_FILLERS = frozenset("嗯呃额唔啊哦噢")
_MAX_GAP = 4  # characters between two groups of one number
_LIST_PUNCT = frozenset(",，、.。;；")  # between single digits: a list (三，五), not one number

# Fillers: hesitations removed anywhere, discourse fillers only where a clause starts (那个 and
# 就是 are words inside a clause: 这就是规定 must keep its 就是).
_HESITATIONS = frozenset("嗯呃额唔")
FILLERS: tuple[str, ...] = ("就是说", "然后呢", "那个", "这个", "就是", "然后", "那么", "嗯", "呃", "额", "唔",
                            "啊", "哦", "噢", "哎", "唉")
_CLAUSE_FILLERS = tuple(f for f in FILLERS if f not in _HESITATIONS)
_CLAUSE_PUNCT = frozenset("，,。.！!？?；;：:、…~～\n\r\t \u3000\u00a0")
_BACKCHANNEL = code_regex(r"[\s,，。.!！?？、~～…]*(?:(?:嗯+|呃+|啊+|哦+|噢+|唔+|额+|对+|是+|好+|行|好的|是的|对的|"
                         r"嗯哼|对对|明白|知道了|可以|没问题|没事|ok|OK|okay)[\s,，。.!！?？、~～…]*){1,4}")


class SpokenText(NamedTuple):
    """A view of an original text with, per character of ``text``, the original span it
    stands for (``starts[i]``, ``ends[i]``); spans never leave ``original``."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """The original span of ``text[begin:end]`` (non-empty)."""
        return self.starts[begin], self.ends[end - 1]


class NumberChunk(NamedTuple):
    """One run of numeral characters: ``digits`` (a reading digit by digit, or the value of a
    positional numeral), the original span of each digit, and of the whole run."""

    digits: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    start: int
    end: int
    positional: bool  # 两千三 (a value), not 二三 (digits one by one)
    spoken: bool      # holds a Chinese numeral (the number was said, not typed)


_NUMERAL = "[0-9０-９〇零○一二三四五六七八九两幺壹贰叁肆伍陆柒捌玖]"
_NUMERAL_RUN = code_regex(_NUMERAL + "(?:[ \t\u3000,，、-]?" + _NUMERAL + "){2}")


def has_numeral_run(text: str) -> bool:
    """Whether ``text`` has three numeral characters in a row, or one at a time with a space or
    a comma between (「1 3 8」) — a cheap test: a number worth reading in full has that; most
    turns have none."""
    return _NUMERAL_RUN.search(text) is not None


def _positional_value(chars: str) -> int | None:
    """The value of a positional numeral (两千三百五 = 2350, 两千三 = 2300, 十五 = 15), or
    ``None`` when the run is not one (two units in a row of the same size, etc.)."""
    total = 0       # completed 万/亿 sections
    section = 0     # value below the current big unit
    digit = None    # the last digit not yet multiplied
    last_unit = None
    for ch in chars:
        if ch in _UNITS:
            unit = _UNITS[ch]
            if last_unit is not None and unit >= last_unit and digit is None:
                return None
            section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        elif ch in _BIG_UNITS:
            big = _BIG_UNITS[ch]
            section += digit or 0
            total = (total + section) * big
            section, digit, last_unit = 0, None, big
        elif ch in DIGIT_VALUES:
            value = int(DIGIT_VALUES[ch])
            if digit is not None:  # two digits in a row: not a positional numeral
                return None
            digit = value
        else:  # 要 between numerals is a digit read one by one, never part of a value
            return None
    if digit is not None:
        # 两千三: a trailing digit right after a unit counts in the next lower unit.
        if last_unit is not None and last_unit >= 100 and last_unit in (100, 1000, 10_000, 100_000_000):
            digit *= last_unit // 10
        section += digit
    return total + section


def _starts_run(text: str, i: int) -> bool:
    """Whether the numeral character ``text[i]`` can start a number: a digit does, a unit only
    as 十 before a digit (十五), and 么/洞/俩 only before a digit and not in 什么/怎么/这么."""
    ch = text[i]
    following = text[i + 1] if i + 1 < len(text) else ""
    if ch in _UNITS or ch in _BIG_UNITS:
        return ch in "十拾" and following in DIGIT_VALUES and following not in _WEAK_DIGITS
    if ch in _WEAK_DIGITS:
        return (following in DIGIT_VALUES and following not in _WEAK_DIGITS
                and not (i > 0 and text[i - 1] in "什怎这那多要"))
    return True


def number_chunks(text: str) -> list[NumberChunk]:
    """The runs of numeral characters of ``text``, in order, each as a :class:`NumberChunk`.

    A run without units is read digit by digit (一三八 → 138, 幺五零 → 150, 4401 → 4401); a
    trailing X (or 叉) after at least 14 digits is the check character of an ID number. A run
    with units is a value (两千三 → 2300); one that is no valid numeral keeps its digits.
    """
    chunks: list[NumberChunk] = []
    n = len(text)
    i = 0
    values = DIGIT_VALUES
    numeral = _NUMERAL_CHARS
    while i < n:
        ch = text[i]
        if ch not in numeral or not _starts_run(text, i):
            i += 1
            continue
        j = i
        while j < n and (text[j] in numeral or (text[j] in _INNER_ONLY and j + 1 < n and text[j + 1] in values)):
            j += 1
        run = text[i:j]
        has_unit = any(c in _UNITS or c in _BIG_UNITS for c in run)
        spoken = not all(c in "0123456789" or "０" <= c <= "９" for c in run)
        end = j
        if has_unit and len(run) <= 16:
            value = _positional_value(run)
            if value is not None:
                digits = str(value)
                chunks.append(NumberChunk(digits, (i,) * len(digits), (j,) * len(digits), i, j, True, spoken))
                i = j
                continue
        positions = [k for k in range(i, j) if text[k] in values or text[k] in _INNER_ONLY]
        digits = "".join(values.get(text[k]) or _INNER_ONLY[text[k]] for k in positions)
        # The X of an ID number ends its last group (「…七五二叉」): attached to any digits
        # right before it, and a group ending in X never continues (see _linked).
        if j < n and text[j] in _CHECK_X and digits and not (j + 1 < n and text[j + 1].isascii()
                                                             and text[j + 1].isalnum()):
            positions.append(j)
            digits += "X"
            end = j + 1
        if digits:
            chunks.append(NumberChunk(digits, tuple(positions), tuple(k + 1 for k in positions), i, end,
                                      False, spoken))
        i = max(end, i + 1)
    return chunks


def _linked(text: str, left: NumberChunk, right: NumberChunk, so_far: int) -> bool:
    """Whether ``right`` continues the number whose last group is ``left`` (``so_far`` digits
    up to it): both read digit by digit, and only a short pause, dash, comma or hesitation
    between them."""
    if left.positional or right.positional or left.digits.endswith("X"):
        return False
    gap = text[left.end:right.start]
    if not gap or len(gap) > _MAX_GAP:
        return not gap
    if not all(c in _SOFT_SEPARATORS or c in _SEPARATOR_FILLERS for c in gap):
        return False
    # A comma or a full stop between two single digits is a list (三，五), not one number.
    if so_far < 2 and len(right.digits) < 2 and any(c in _LIST_PUNCT for c in gap):
        return False
    return True


def number_sequences(text: str) -> list[list[NumberChunk]]:
    """The chunks of :func:`number_chunks` grouped into spoken numbers: consecutive chunks one
    pause, dash, comma or hesitation apart (「一三八，一二三四 嗯 五六七八」) form one sequence."""
    sequences: list[list[NumberChunk]] = []
    so_far = 0
    for chunk in number_chunks(text):
        if sequences and _linked(text, sequences[-1][-1], chunk, so_far):
            sequences[-1].append(chunk)
            so_far += len(chunk.digits)
        else:
            sequences.append([chunk])
            so_far = len(chunk.digits)
    return sequences


def normalize_numbers(text: str) -> SpokenText:
    """``text`` with every spoken or spaced number as ASCII digits: 「幺三八 一二三四 五六七八」
    → ``13812345678``, 「两千三」 → ``2300``; the separators inside one number are dropped.
    Each output character maps back to the original characters it came from.

    Idempotent on text whose numbers are read digit by digit and grouped by pauses, dashes or
    hesitations. Not quite elsewhere, on purpose: a positional value (一千 → 1000) is never
    joined to a group, but a second pass sees digits; and a comma between single digits is a
    list (三，五), which a second pass may judge differently once a neighbour was joined.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for sequence in number_sequences(text):
        first = sequence[0]
        if len(sequence) == 1 and first.end - first.start == 1 and text[first.start] == "一":
            continue  # a lone 一 is a word (一下, 一直, 统一), not a number
        for k in range(position, first.start):
            out.append(text[k])
            starts.append(k)
            ends.append(k + 1)
        for chunk in sequence:
            out.append(chunk.digits)
            starts.extend(chunk.starts)
            ends.extend(chunk.ends)
        position = sequence[-1].end
    for k in range(position, len(text)):
        out.append(text[k])
        starts.append(k)
        ends.append(k + 1)
    return SpokenText(text, "".join(out), tuple(starts), tuple(ends))


def _at_clause_start(text: str, index: int, removed_until: int) -> bool:
    """Whether ``index`` starts a clause: the text's start, after punctuation or a pause, or
    right after a filler just removed."""
    return index == 0 or index == removed_until or text[index - 1] in _CLAUSE_PUNCT


def strip_fillers(text: str) -> SpokenText:
    """``text`` without fillers: hesitations (嗯, 呃, 额, 唔) anywhere, and discourse fillers
    (那个, 就是, 然后, 啊, 哦 …) where a clause starts. Kept characters map to themselves.

    Idempotent: stripping a stripped text changes nothing more (a filler uncovered at a clause
    start is removed in the same pass)."""
    out: list[str] = []
    starts: list[int] = []
    n = len(text)
    i = 0
    removed_until = -1
    while i < n:
        ch = text[i]
        if ch in _HESITATIONS:
            i += 1
            removed_until = i
            continue
        if _at_clause_start(text, i, removed_until) or (out and out[-1] in _CLAUSE_PUNCT):
            for filler in _CLAUSE_FILLERS:
                if text.startswith(filler, i):
                    i += len(filler)
                    removed_until = i
                    break
            else:
                out.append(ch)
                starts.append(i)
                i += 1
            continue
        out.append(ch)
        starts.append(i)
        i += 1
    stripped = "".join(out)
    result = SpokenText(text, stripped, tuple(starts), tuple(s + 1 for s in starts))
    if stripped != text:
        again = strip_fillers(stripped) if len(stripped) < n else None
        if again is not None and again.text != stripped:
            # Compose the maps: the second pass's offsets index the first pass's text.
            return SpokenText(text, again.text, tuple(result.starts[s] for s in again.starts),
                              tuple(result.starts[s] + 1 for s in again.starts))
    return result


# Where a clause may end without punctuation: after a sentence-final particle, or before a
# discourse marker that opens the next one (jieba tokens, so 好的 is one word, 吗 in 吗啡 is not).
_FINAL_PARTICLES = frozenset({"吗", "吧", "呢", "啊", "呀", "哈", "嘛", "啦", "哦"})
_OPENERS = frozenset({"然后", "那", "那么", "好的", "好", "对", "是的", "请问", "您好", "你好", "但是", "不过",
                      "所以", "另外", "麻烦", "请", "稍等", "对不起", "抱歉", "谢谢", "嗯"})
_LONG_CLAUSE = 12  # characters without punctuation before jieba is asked for boundaries


def clauses(text: str, *, tokens=None) -> list[tuple[int, int]]:
    """Clause spans of ``text``: split at punctuation and pauses (whitespace), and inside a
    stretch longer than a short clause with neither, at jieba word boundaries after a
    sentence-final particle (吗, 吧, 呢) or before a discourse marker (然后, 好的, 请问).

    ``tokens`` (``[(word, start, end)]`` over ``text``) may be given to skip segmenting; spans
    are non-empty, ordered, disjoint and inside ``text``.
    """
    spans: list[tuple[int, int]] = []
    start = None
    for index, ch in enumerate(text):
        if ch in _CLAUSE_PUNCT:
            if start is not None:
                spans.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        spans.append((start, len(text)))
    if not any(e - s > _LONG_CLAUSE for s, e in spans):
        return spans
    if tokens is None:
        from scriptcheck.text.segment import segment

        tokens = [(t.text, t.start, t.end) for t in segment(text)]
    cuts = set()
    for word, begin, end in tokens:
        if word in _FINAL_PARTICLES:
            cuts.add(end)
        elif word in _OPENERS:
            cuts.add(begin)
    result: list[tuple[int, int]] = []
    for s, e in spans:
        if e - s <= _LONG_CLAUSE:
            result.append((s, e))
            continue
        begin = s
        for cut in sorted(c for c in cuts if s < c < e):
            if cut - begin >= 2:
                result.append((begin, cut))
                begin = cut
        result.append((begin, e))
    return result


def is_backchannel(text: str) -> bool:
    """Whether a turn only signals listening or assent (嗯, 对, 好的, 是的 …): in a call it
    neither takes the floor nor interrupts."""
    stripped = text.strip()
    if not stripped or len(stripped) > 16:
        return False
    if _BACKCHANNEL.fullmatch(stripped) is not None:
        return True
    bare = strip_fillers(stripped).text  # 「然后嗯好的」: fillers around an assent
    return bool(bare) and bare != stripped and _BACKCHANNEL.fullmatch(bare) is not None


_LINE_CHECK = code_regex(r"[\s,，。.!！?？、~～…]*(?:(?:嗯|呃|啊|哎|诶|那个)?(?:喂+|还在吗|在吗|在不在|在没在|有人吗|有人没有?|有没有人|人呢|听得到吗|听得见吗|"
                        r"听得清吗|能听到吗|听到吗|能听见吗|听见没|听到没有?|听不到|听不见|你好|您好|hello|哈喽|"
                        r"说话啊?|怎么不说话了?|怎么没声音?了?|没声音了?)[呀啊吗呢了]*[\s,，。.!！?？、~～…]*){1,6}", re.IGNORECASE)


def is_line_check(text: str) -> bool:
    """Whether a turn only checks that someone is on the line (「喂？喂？还在吗？」): said into a
    silence, it does not end the silence."""
    stripped = text.strip()
    if not stripped or len(stripped) > 30:
        return False
    return _LINE_CHECK.fullmatch(stripped) is not None or _LINE_CHECK.fullmatch(strip_fillers(stripped).text) is not None
