"""Kind ``honorific``: the agent addresses the customer as 您, not 你.

Decided on what the characters mean, not on where jieba cuts: jieba fuses 你 into words
(你查, 教你用) and splits 你好 out of 祝你好梦 or 推荐给你好了, so a token rule both misses the
pronoun and reports greetings that are not there. Each 你/妳 of an agent turn is read as one
*form*:

- ``你好`` — a greeting: 你好 not the object of a verb (祝你好梦, 给你好了, 对你好) and not followed
  by what makes 好 an adverb or adjective (你好像, 你好棒, 你好了吗, 你好友); 你好， 你好呀,
  你好我是…, 你好请问…, 你好今天… greet. 祝你好梦, 给你好了, 你好像, 你好棒 are the pronoun 你.
- ``你们`` (``妳们``) — the plural pronoun, one finding for the two characters.
- ``你`` / ``妳`` — the singular pronoun wherever it stands.

迷你 (mini) is no pronoun; text in quotes or book-title marks, speech after a verb of saying and
a colon (他问：你…) and the lines of a reproduced dialogue are reported speech or a name.
Only turns with a 你/妳 are looked at (most agent turns have none), and the reading is a few
character tests per pronoun: no segmentation at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import Literal, NamedTuple

from pydantic import Field

from scriptcheck.lazy_regex import code_regex
from scriptcheck.models import make_finding
from scriptcheck.rules.base import Dimension, Outcome, RuleBase, register
from scriptcheck.rules.context import PRONOUNS, TranscriptContext
from scriptcheck.text.normalize import simplified_aligned

__all__ = ["HonorificRule", "Pronoun", "pronouns", "quoted_spans"]

# Text in quotes is reported speech or a product name, not the agent addressing the customer;
# so is speech introduced by a verb of saying and a colon (我问他：你今天怎么没上班？ in a joke the
# bot tells, A：你… in a dialogue) up to the end of its sentence. 请问： is the agent asking.
_QUOTED = code_regex(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"]*\"|《[^》]*》|‘[^’]*’"
                    r"|(?:(?<!请)[说问道讲喊答骂释称嚷吼叹](?:[他她我]们?)?|(?<![A-Za-z])[A-Z])[：:]"
                    r"[^。！？!?\n“”「」\"]*")
# A dialogue reproduced in a reply (老板：……我：……): two or more speaker labels at clause starts
# (or one and a verb of saying with a colon). Then every label's line is reported speech. One
# label alone is more often the agent's own heading (温馨提示：你可以……), so it does not count, and
# headings (注意：, 步骤：, 温馨提示：) are never speaker labels.
_HEADINGS = ("提示|提醒|注意|步骤|说明|备注|地址|电话|时间|方法|方式|原因|结果|答案|问题|链接|网址|邮箱|价格|规格|"
             "材质|尺寸|颜色|型号|用途|第|例如|比如|如|友情|特别|温馨|重要|小贴士|贴士|总结|结论|建议")
_LABEL = code_regex(rf"(?:^|(?<=[。！？!?…\s】”」]))(?!(?:{_HEADINGS}))[\u4e00-\u9fff]{{1,4}}[：:]")
_CANDIDATES = re.compile("[" + "".join(sorted(PRONOUNS)) + "]").finditer  # a bound method: compiled here

# Words that end in 你 without being the pronoun.
_NOT_PRONOUN_BEFORE = frozenset("迷")
# Verbs and prepositions that take 你 as their object: after them 你好 is 你 + 好… (祝你好梦,
# 给你好了, 对你好, 为你好, 让你好好休息), never a greeting.
_OBJECT_OF = frozenset("祝给对为让叫帮教跟和陪使令请向替送带把被由愿望喊")
# After 你, 好 is an adverb or adjective (你好棒, 你好像, 你好厉害, 你好梦, 你好了, 你好友 …) when what
# follows it starts one of these; otherwise 你好 greets, also when the next sentence follows
# without a comma (你好我是…, 你好今天…, 你好欢迎…) — the reading jieba gave most such texts.
_NOT_GREETING_NEXT = frozenset(
    "好像厉害棒美帅漂可聪笨傻蠢坏凶狠烦累难意讨过奇差能会大多说梦了些久看听吃玩用强牛酷懂乖甜暖贴友评处运"
    "心人坚勇怪恶丑胖瘦高矮忙闲快慢早晚远近冷热香臭辛努认细温有没不"
)
# ... except these, which are how a greeting goes on.
_GREETING_GOES_ON = ("有什么", "有啥", "有问题", "很高兴", "高兴", "欢迎", "多多", "请")


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


class Pronoun(NamedTuple):
    """A second-person pronoun of a turn: its form (你, 妳, 你们, 你好) and span."""

    form: str
    start: int
    end: int


def _greeting(text: str, i: int) -> bool:
    """Whether the 你/妳 at ``i``, followed by 好, is the greeting 你好."""
    before = text[i - 1] if i > 0 else ""
    if before in _OBJECT_OF:
        return False
    rest = text[i + 2:i + 5]
    if not rest or not _cjk(rest[0]):
        return True  # 你好， 你好! 你好~ 你好 (end)
    if rest.startswith(_GREETING_GOES_ON):
        return True
    return rest[0] not in _NOT_GREETING_NEXT


def pronouns(text: str) -> list[Pronoun]:
    """The second-person pronouns of ``text`` (simplified or traditional), outside quotes."""
    simplified = simplified_aligned(text)
    out: list[Pronoun] = []
    quotes: list[tuple[int, int]] | None = None
    starts: list[int] = []
    skip_to = -1
    for m in _CANDIDATES(simplified):
        i = m.start()
        if i < skip_to:
            continue
        if i > 0 and simplified[i - 1] in _NOT_PRONOUN_BEFORE:
            continue
        if quotes is None:
            quotes = _merged(quoted_spans(text))
            starts = [a for a, _ in quotes]
        k = bisect_right(starts, i) - 1  # a pronoun per quote test would be quadratic on long text
        if k >= 0 and i < quotes[k][1]:
            continue
        after = simplified[i + 1:i + 2]
        if after == "们":
            out.append(Pronoun("你们", i, i + 2))
            skip_to = i + 2
        elif after == "好" and _greeting(simplified, i):
            out.append(Pronoun("你好", i, i + 2))
            skip_to = i + 2
        else:
            out.append(Pronoun(simplified[i], i, i + 1))
    return out


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, overlapping ones merged (for a binary search)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are not the agent speaking: inside quotation marks or book-title
    marks, speech after a verb of saying and a colon, and the lines of a reproduced dialogue."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    labels = [m.end() for m in _LABEL.finditer(text)] if "：" in text or ":" in text else []
    said = sum(1 for m in _QUOTED.finditer(text) if m.group()[:1] not in "「『“\"《‘") if labels else 0
    if len(labels) + said >= 2:  # 我和老板说：……老板：…… is a dialogue too
        ends = [m.start() for m in _LABEL.finditer(text)][1:] + [len(text)]
        spans.extend(zip(labels, ends))
    return spans


def _turn_pronouns(ctx: TranscriptContext, index: int) -> list[Pronoun]:
    """The pronouns of an agent turn, read once however many honorific rules ask."""
    found = ctx.pronoun_tokens.get(index)
    if found is None:
        found = ctx.pronoun_tokens[index] = pronouns(ctx.transcript.turns[index].text)
    return found


# How a form is named in a profile's ``tokens``: 妳 counts where 你 does and the other way round.
_ALIASES = {"你": ("你", "妳"), "妳": ("妳", "你"), "你们": ("你们", "妳们"), "你好": ("你好", "妳好")}


@register
class HonorificRule(RuleBase):
    """您, not 你, towards the customer: the pronoun forms of ``tokens`` (你, 妳, 你们, or the
    greeting 你好) in agent turns, outside quotes, read from the characters (not jieba)."""

    kind: Literal["honorific"]
    dimension: Dimension = "politeness"
    tokens: list[str] = Field(default_factory=lambda: ["你"],
                              description="Pronoun forms that count: 你, 妳, 你们 (the plural) or 你好 (the greeting).")

    per_turn = True

    def evaluate(self, ctx: TranscriptContext, out: Outcome) -> None:
        """One finding per pronoun of a form in ``tokens`` in an agent turn, outside quotes."""
        turns = ctx.agent_turns_with_pronoun
        if not turns:
            return
        findings = out.findings
        wanted = self.forms
        for index in turns:
            text = ctx.transcript.turns[index].text
            for p in _turn_pronouns(ctx, index):
                if p.form not in wanted:
                    continue
                findings.append(make_finding({
                    "rule": self.id, "category": "honorific", "severity": self.severity, "turn": index,
                    "start": p.start, "end": p.end, "text": text[p.start:p.end],
                    "message": self._message(p.form), "suggestion": self._suggestion(p.form),
                }))

    @cached_property
    def forms(self) -> frozenset[str]:
        """The pronoun forms this rule reports: ``tokens`` with 妳 counted where 你 is (and the
        other way round)."""
        return frozenset(alias for token in self.tokens for alias in _ALIASES.get(token, (token,)))

    def _message(self, form: str) -> str:
        if form == "你们":
            return f"{self.description}（复数“你们”）"
        return self.description

    def _suggestion(self, form: str) -> str:
        # 你们 is the plural: 您们 is not standard Chinese, the polite plural is 各位/大家.
        if form == "你们":
            return "把“你们”改为“各位”或“大家”（称呼一位客户时用“您”）。"
        return self.suggestion
