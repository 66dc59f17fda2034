"""Allow-contexts: places in an utterance where a taboo shape is not the agent's own words.

An agent who apologises for a colleague quotes the colleague: 您说之前的同事对您说“这是规定，我
也没办法”，这样的回答确实不对. The words inside the quotation marks, or after a reporting verb
whose speaker is the customer or a third party, are reported speech, not a 服务忌语 — but
punctuation is removed from the normalised search string, so patterns cannot see it. These
checks look at the ORIGINAL text around a hit instead.

A lexicon (``skip_contexts:``) or one entry (``options.skip_contexts``) lists the contexts its
hits are dropped in; the matcher calls :func:`in_context` only for those entries, so the cost
is paid only on hits, which are rare.

Contexts:

- ``quoted``: the hit lies inside a pair of quotation marks (“…”, 「…」, 『…』, ‘…’, "…", '…')
  of the same utterance, or starts at most three characters before an opening mark and ends
  inside that quotation (您说的“你没素质”: the pattern's 你…没素质 reaches back to the addressee).
- ``reported``: earlier in the same sentence a third party (a colleague, the courier …) is the
  subject of a reporting verb (同事跟您讲 / 他们回复您 …), or the customer reports what such a
  person said (您说之前的同事… / 您反映客服…), so the hit is that person's words. A sentence where
  the agent reports himself (我跟您说 / 我说过) or merely echoes the customer is NOT reported;
  an echo the agent answers with an apology or acknowledgement after the hit, in its sentence or
  the next, is (您刚才说 燃气公司都是一群废物 嗯 我理解您…).
  A phrase only mentioned — after a verb of saying and followed by 这种话/之类的说法 (我们绝不会
  说你不懂这种话) — counts as reported too, and so does the question of a question-and-answer
  template (问：我投诉了会不会被拉黑？答：不会的…): a sentence that opens with 问：/Q: is the
  customer's, the answer after 答：/A: the agent's.
  Neither holds when the agent makes the words his own in the hit's sentence or the next
  (游戏里那句「菜就多练」，送给你正合适 / …，我看一点没说错): see _ENDORSED.
- ``mitigated``: the clause around the hit (between commas, pauses — spaces — and sentence ends)
  or, for a mitigator of scope ``sentence``, the sentence around it, holds one of the lexicon's
  ``mitigators`` (a softener 请/麻烦, an apology, an offer of help 我帮您…) on jieba word
  boundaries; a mitigator of scope ``before`` must end within its ``reach`` of the hit, in the
  hit's clause (a negation 我们不会|挂您电话, a first-person subject 是我|笨); one of scope ``after``
  must follow the hit within the next sentence (a way forward after a refusal: 规定我们改不了，但我
  可以帮您申请), one of scope ``earlier`` precede it from the start of the sentence before its own
  (the reason for a request given first: 风太大了听不清！您大点声), and one of scope ``utterance`` be
  anywhere in the turn (banter with a regular: 吴叔…您这记性跟我差不多，哈哈). A mitigator ``over:
  original`` (scopes utterance and after) reads the characters before normalisation — laughter,
  emoji and marks exist only there (滚蛋汤 names a dish, 滚蛋，汤都凉了 does not) — and one with
  ``also`` needs a second regex to hold in the same span. An entry takes the lexicon's
  clause and sentence mitigators, or exactly those it names in ``options.mitigators``; one that
  sets neither that nor ``options.skip_contexts`` takes the lexicon's ``default_mitigators``
  (lexicon/compiled.py). The mitigators are data in the
  lexicon; each is a regex over the normalised clause (您→你, no punctuation) unless it says otherwise, so
  "别着急，我帮您查一下" is not the same act as "别急".
"""

from __future__ import annotations

import re
import re._parser as _re_parser
from bisect import bisect_left
from functools import lru_cache
from typing import Callable, NamedTuple, Sequence

from scriptcheck.lazy_regex import code_regex
from scriptcheck.text.normalize import normalize

__all__ = ["CONTEXTS", "Mitigation", "in_context", "in_quotes", "in_reported_speech", "is_mitigated",
           "mentions_words"]


class Mitigation(NamedTuple):
    """A compiled mitigator: its regex over the normalised clause (a compiled ``re.Pattern`` or a
    ``scriptcheck.lazy_regex.LazyRegex``), whether it reaches the whole sentence rather than the
    clause, and whether it must sit on jieba word boundaries."""

    regex: re.Pattern
    sentence: bool
    boundary: bool
    # >= 0: scope ``before`` — the mitigator must END at most this many normalised characters
    # before the hit, in the hit's clause (a negation or a first-person subject governing it:
    # 我们不会|挂您电话, 没有什么|蠢问题, 是我手|笨), not merely share its clause.
    reach: int = -1
    # scope ``after``: what follows the hit, to the end of the next sentence (at most
    # _AFTER_REACH characters): a refusal or a rule followed by a way forward (这个我们改不了。
    # 您可以先提交申诉，我们三个工作日内复核) is the near-miss every QA guide names.
    after: bool = False
    # False: the mitigator does not hold where the hit's sentence is a question. A denial in a
    # rhetorical question asserts what it denies (你不是挺能的吗 / 您不是傻吧), while the same
    # denial as a statement reassures (您不是笨，是这个设置藏得太深了).
    questions: bool = True
    # scope ``earlier``: what precedes the hit, from the start of the sentence before its own (at
    # most _AFTER_REACH characters back): the reason for a request given first (信号断断续续的，您能
    # 换个地方再打过来吗？或者大声点说号码 / 师傅，风太大了听不清！您大点声).
    earlier: bool = False
    # scope ``utterance``: the whole text checked (a turn), for a context a speaker sets once for
    # all he says: banter with a regular (哈哈，刘姐您又来薅羊毛了) names the regular at the start and
    # laughs at the end, sentences apart.
    utterance: bool = False
    # Searched in the ORIGINAL characters, not the normalised ones (scopes utterance and after):
    # laughter (哈哈 collapses to the particle 哈 of 挺淡定的哈), emoji (dropped) and the marks
    # between a word and what follows it (滚蛋汤 names a dish, 滚蛋，汤… does not) exist only
    # there. No jieba boundary check.
    original: bool = False
    # A second regex (its source) the same span must hold as well, over the same characters: a
    # context that takes two signs at once (laughter AND a regular's name), neither enough alone.
    also: str = ""

_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’", "﹁": "﹂", "《": "》"}
_SYMMETRIC = ('"', "＂", "'", "＇")
_QUOTE_MARK = code_regex("[" + re.escape("".join([*_OPEN_CLOSE, *_OPEN_CLOSE.values(), *_SYMMETRIC])) + "]")

# A sentence ends at these; a report never reaches across them.
_SENTENCE_END = code_regex(r"[。！？!?；;\n]")
_QUESTION_MARK = frozenset("？?")
# A clause or sentence (normalised) that ends like a question though speech-to-text gave it no
# question mark: a final particle or a question word (你不是笨是什么 / 你不是傻吧).
_QUESTION_END = code_regex(r"(吗|么|吧|嘛|什么|啥|谁|是不是|对不对|对吧|咋的)$")
# Original characters at the end of a clause or sentence that _QUESTION_END is looked for in: room
# for its longest word and for symbols and spaces normalisation drops around it.
_QUESTION_TAIL = 24

# Someone other than the agent or the customer (a colleague, the courier, "someone") as the
# subject of a verb of saying; or the customer reporting what such a person said (您说之前的同事…,
# 您反映客服…, 您说…被说…). The customer's own words (你是第一个说这个有问题的…) are NOT a
# report: in a rude reply the agent often echoes them, so treating every 你…说 as reported speech
# would hide it.
# Nor is a third party followed by 您说 the speaker (喂联通客服 您说号码被停了…: the agent
# introducing himself, then the customer speaking), unless 跟/对/向您说 makes 您 the listener.
# 说话 followed by how (医生说话就那样, 老师说话声音大) is a manner of speaking, not a report; 同事跟您说话冲了，
# 还说… and 同事说话语气冲，还说… are.
# A negated verb reports nothing (我们客服不回答弱智问题 / 医生没说您…).
_THIRD = (r"(他们|他|她|对方|同事|客服|工作人员|人员|专员|业务员|师傅|快递员|快递小哥|配送员|骑手|"
          # a shop's own staff named by their job (我徒弟刚才说… / 我们伙计说…); not 服务员, whose 说话冲了点
          # (how they spoke, FB310's excuse) the report verbs below would take for what they said
          r"徒弟|学徒|伙计|帮工|售货员|传菜员|厨师|"
          r"店员|商家|卖家|店家|厂家|柜员|医生|护士|窗口|有人|别人|前台|经理|客户|顾客|买家|用户|患者|网友|"
          r"列车员|乘务员|司机|保安|民警|警察|老师|导购|收银员|营业员|话务员|接线员|坐席|值班员|主管|站长|门卫|"
          r"维修工|维修员|安装工|工人|检修员|抄表员|小哥|大夫|工程师|乘警|空乘|领班|理赔员|派件员|安检员|催收员|"
          r"那(?:个|位)(?:小伙子|小姑娘|姑娘|男的|女的)|[\u4e00-\u9fff]{1,4}的(?:小伙子|小姑娘|姑娘|小哥|大姐|大哥|阿姨|大叔|大爷|男的|女的)|"
          r"检票员|售票员|收费员|调度员|审核员|查勘员|定损员|送餐员|外卖员|网格员|客户经理|上一位|之前那位|"
          r"班主任|管家|保洁|教练|住户|那户|那家|员工|"
          r"(?:我们|你们|那边|营业厅|窗口|店里|公司|那里|药房|药店|医院|物业|银行|门口|现场)的人)")
_VERB = r"(说|讲|表示|称|声称|回复|答复|回答|告诉|反映|提到|提出|说明|解释|回了[您你我]?一?句)"
# A third party scolding or shouting at the customer (骂您 / 吼了您), or the line they threw (喊了句)
_SCOLD = r"(骂|吼|凶|训|嚷)"
_THREW_LINE = r"(骂|喊|吼|嚷)"
# ... or telling the customer what to do, the words then theirs (送餐的小哥让您滚 / 保安叫你出去)
_TOLD = r"(让|叫)"
_CUSTOMER_VERB = r"(说|反映|提到|表示|讲|投诉|称|告诉我)"
# The customer as the speaker of a report (您刚才说过…): the opening of each customer alternative below.
_CUSTOMER_WHEN = r"(刚才|之前|刚刚|上次|刚)?"
_CUSTOMER_SAID = _CUSTOMER_WHEN + _CUSTOMER_VERB + r"(了|过)?"  # what follows 您/你 in a customer's report
# ... but not the customer's complaint as a time or a condition (你投诉之前先想想，司机师傅多辛苦 /
# 您反映的话…): nothing is reported there.
_CUSTOMER_SAYS = r"(您|你)" + _CUSTOMER_SAID + r"(?!(?<=投诉|反映)(之前|以前|前|之后|以后|的话))"
# A child is a speaker only by shouting or throwing a line (孩子刚才喊了句笨蛋客服): 孩子说… is as often
# the customer's child's claim that the agent turns on the customer (孩子说没布置作业你也信？), and as a
# speaker of 说 it cost 35 rude items of the training sets (benchmarks/RESULTS.md, 2026-12-05); nor is
# a child in the customer's report a speaker (您说孩子被冤枉了: what it is about).
_CHILD = r"(孩子|小朋友|宝宝|小孩)"
_SPEAKER = r"(" + _THIRD + r"|" + _CHILD + r")"
# Not a report: the verb describing how someone talks or teaches rather than what they said
# (老师讲课的时候你插什么嘴 / 你少跟司机说话，闭嘴坐好 / 抄表员说话大声是习惯): 讲课, and 说话 that ends its clause
# or is followed by a manner; nor 都说, a consensus the agent wields (我们师傅都说没事你还不信 / 别人都说好吃).
_REPORT = code_regex(
    _THIRD + r"[^，,。！？!?；;]{0,14}?(?<!(?<![跟对和给向同])[您你])(?<![不没])(?<!怎么)(?<!都)" + _VERB + r"(?!的(?!是)|什么|啥|呢|吗|清|不|明白|课|有(?:啥|什么)用|(?:也)?没用|话(?:就|挺|比较|很|有点|一向|向来|那样|这样|太|直|声音|语气|口气|嗓门|音量|大声|可能|[，,。！？!?；;\s]|$))"
    + r"|" + _CUSTOMER_SAYS + r"[^。！？!?；;]{0,6}?" + _THIRD
    # the customer reporting an insult thrown at them (您说楼下邻居骂您没教养), not by 我, and with 您:
    # a retort echoes 你说导游骂你…导游说你没文化也没说错啊 with 你; a scolder named between (您说 嗯 哎您
    # 先别骂人… is the agent's own order)
    + r"|(?<![跟对和给向同])您" + _CUSTOMER_SAID + r"[^。！？!?；;您你]{1,8}?(?<!我)(?<!别)(?<!再)骂(了)?"
    # a third party scolding or shouting at the customer, then the words (快递员骂您眼瞎这太过分了 / 孩子
    # 刚才喊了句笨蛋客服 / 保安大叔刚才吼您让您滚远点 / 派件员那句你自己眼瞎…), or telling them to do
    # something, the hit right after 让/叫 (送餐的小哥让|您滚): not 我
    + r"|" + _SPEAKER + r"[^，,。！？!?；;]{0,6}?(?<!我)(" + _SCOLD + r"(了)?[您你]|" + _THREW_LINE + r"了(一)?句|那(一)?句(话)?|骂(了)?$|"
    + _TOLD + r"$)"
    # the points of a complaint or report the agent reads back (投诉点…第二个是工作人员骂您是老赖 /
    # 举报内容是楼上住户…还说你管得着吗)
    + r"|(投诉|举报)(的)?(内容|点|事项)(是|有)"
    # how a third party spoke, then what they said, past a comma (同事说话语气冲，还说…)
    + r"|" + _THIRD + r"说话[^。！？!?；;]{0,12}?[，,、]\s{0,2}(还|又|也|就|直接)" + _VERB
    # the customer reporting what they were told, the speaker left unsaid (您说上次打电话被挂了
    # 三次还被说没空跟你扯这个): a passive verb of saying has a speaker other than the agent. Not
    # 被骂: 你说你被骂了…你这种喷子被骂也正常 blames the customer for it.
    + r"|" + _CUSTOMER_SAYS + r"[^。！？!?；;]{0,16}?被(人|他|她|他们|对方)?"
    r"(说|讲|回)(?!服|动|中|哭|笑)"
    # ... or the customer's own feeling (您说感觉自己像个傻子一样被来回耍)
    + r"|" + _CUSTOMER_SAYS + r"(感觉|觉得)"
)
# The agent taking the floor again after a report, in the same sentence: a clause opening with a
# contrast or with 我们 acting (…您提到的医生态度冷淡一事，我们记下了，但医生一上午要看六十个号，
# 您就别太较真了), or with the agent addressing the customer (您说老师态度不好，您家孩子就没问题吗):
# what follows is the agent's own answer, not the report.
# The label of a question-and-answer template's question, at the start of its sentence (FAQ
# replies of chatbots: 问：…？答：…). The question is the customer's words, the answer the agent's.
_FAQ_QUESTION = code_regex(r"[^\S\n]*(问|提问|用户问|客户问|顾客问|Q|q)[^\S\n]*[:：]")
# ... and the label of its answer, which ends the question where no ？ does (问：能退吗 答：不能).
_FAQ_ANSWER = code_regex(r"(答|回答|客服答|A)[^\S\n]*[:：]")
_REPORT_ENDS = code_regex(r"[，,：:、]\s*(但是?|不过|可是|然而|其实|我们(已经|已|会|这边|记下|核实)|[您你](家|们|自己)?(?!说|讲|反映|提到|投诉|觉得|认为)"
                         # ... or the agent's verdict on it (您说医生没给您检查，这不可能 / 您说空乘冷淡，
                         # 可能只是您的主观感受 / 您说业务员误导，可您签字了呀 / 窗口跟您讲过，是您自己没听)
                         r"|这(不可能|怎么可能)|可能(只是|就是|是(?=[您你]))|可(?=[您你])|是(?=[您你]自己))"
                         # ... or, in speech-to-text without commas, 那您 after at least one more
                         # word of the report (快递员骂您滚那您滚远点不就完了嘛): the agent's answer
                         r"|(?<=[\u4e00-\u9fff])[\u4e00-\u9fff]那[您你](?!说|讲|反映|提到|投诉|觉得|认为)")
# 您说的那个护士 right before the hit (…我也不知道是谁): 的 makes the verb a relative clause naming
# the person the hit is about, not a report of what they said.
_NAMED_BY_CUSTOMER = code_regex(_CUSTOMER_SAYS + "的")
_AGENT_BEFORE = code_regex(r"(我|我们)(刚才|刚刚|已经|都|早就|之前)?(跟|对|和|给|同|向)?$")
# ... but 我同事说 / 我们客服讲: 我 owns the third party, who is the speaker
_OWNER_BEFORE = code_regex(r"(我|我们)(的)?$")
# A phrase mentioned rather than used: 我们绝不会说你不懂这种话 / 禁止说这是规定之类的话. The hit is
# followed by 这种话/之类的说法 and a verb of saying precedes it in the same sentence.
# 那句 alone names the words too (您说的是书上那个滚出去那句是吧); 这句 alone is often the object of
# the agent's own verb (您听懂这句就行).
_MENTION_AFTER = code_regex(r"[”\"’']?((这种|这样的|这类|之类的|一类的|类似的|等|这句|那种)(话|说法|字眼|语言|用语|忌语)|那句(话|说法|字眼)?)")
# ... where the hit may stop a character or two short of the quoted words' end (叫你等就等|着这句话)
# (a speech-to-text transcript's space before it: 说您 烦不烦 这种话)
_MENTION_SOON = code_regex(r"[^，,。！？!?；;\s]{0,2}?\s?" + _MENTION_AFTER.pattern)
_SAY_BEFORE = code_regex(r"(说|讲|用|使用|讲出|说出|反映|投诉|提到)[^。！？!?；;]{0,20}$")
# The words named right before them (您反映的那句|爱买不买, 同事跟您说的那句 那个 |爱办不办, 说的那句你|爱找谁
# 找谁), or apologised for (抱歉那句|别啰嗦了是同事…), or a third party's line (派件员那句|…), or
# what speech recognition made of the customer's words: someone else's, not the agent's own.
_NAMED_BEFORE = code_regex(r"((?<!我)(?<!我们)(反映|投诉|提到|说|讲)的|(抱歉|对不起|不好意思)[，,\s]{0,2})(那|这)句(话)?"
                          r"[：:“「\"'\s]{0,2}(那个|就是|呃|嗯)?[\s，,]{0,2}([您你](们)?)?$"
                          # a third party's line named by 那句 (派件员那句你自己眼瞎…)
                          r"|" + _THIRD + r"(的)?(那|这)句(话)?[：:“「\"'\s]{0,2}$"
                          # what speech recognition made of the customer's words (把您的话识别成了你有病)
                          r"|(识别成|识别为|显示为|显示成|听成|转写成)(了)?[：:“「\"'\s]{0,2}$")

# A clause ends at a sentence end, a comma-like mark or a pause (whitespace in speech-to-text).
# A space before a one-character token that another space or the end follows is letter-spacing
# (不 会 挂 您 电 话), which disguises words, not a pause: such text keeps its negations and
# softeners in the clause of the hit, as its patterns already see it whole.
_CLAUSE_END = code_regex(r"[。！？!?；;\n，,、：:…~～]|[^\S\n](?!\S(?:[^\S\n]|$))")

CONTEXTS = ("quoted", "reported", "mitigated")

# How far after a hit a scope-after mitigator is looked for (original characters): its own sentence
# and the next, but never a whole call of speech-to-text without punctuation.
_AFTER_REACH = 120

# How far back in its sentence a report may start: a sentence of speech-to-text without
# punctuation can be a whole call, and every hit in it would otherwise search all of it again.
_REPORT_REACH = 512


def _first_characters(*alternations: str) -> str:
    """The first characters of the words of plain alternations such as ``(说|讲|表示)``."""
    return "".join(sorted({word[0] for group in alternations for word in group.strip("()").split("|")}))


# Every match of _REPORT holds one of its verbs (or a scolding verb, 举报 or 那句), and every verb starts
# with one of these characters: a sentence without one before the hit holds no report, which a
# bisect says without running _REPORT over up to _REPORT_REACH characters for every hit (a turn of
# one repeated taboo without a full stop did so 30,000 times). A match begins at most
# _REPORT_LEAD characters before its verb (the longest third party, then at most 14
# characters), so the search for it starts there, not at the sentence's start.
_VERB_START = code_regex(f"[{_first_characters(_VERB, _CUSTOMER_VERB, _SCOLD, _THREW_LINE, '(举报|那句)')}]")
# 让/叫 end the only alternative they open (…让|hit): they count right before the hit, not anywhere in
# the sentence, where they are common (让您久等了) and would send every later hit through _REPORT.
_TOLD_WORDS = frozenset(_TOLD.strip("()").split("|"))
_REPORT_LEAD = _re_parser.parse(_THIRD).getwidth()[1] + 14
# _SAY_BEFORE and _NAMED_BEFORE end where the hit starts: a match of either begins at most
# their longest width before it (and _NAMED_BEFORE looks at most two characters further back),
# so each is searched in that tail of the sentence, not in all of it.
_SAY_TAIL = _re_parser.parse(_SAY_BEFORE.pattern).getwidth()[1]
_NAMED_TAIL = _re_parser.parse(_NAMED_BEFORE.pattern).getwidth()[1] + 2
# Every match of _REPORT at any position, as a lookahead (group 1 the match, group 2 its
# group 1): see _Marks.report_from. A match attempt at a position looks at most _REPORT_SAFE
# characters on from it (the longest match and the lookahead after its verb, with room to
# spare), and at most one character before it (the lookbehind before a verb, which follows a
# third party or 您/你 of at least one character). So inside a sentence's clause, at positions
# past its first and at least _REPORT_SAFE before its end, an attempt on the clause alone and
# one on the whole text match the same: those are read from the whole text's chunks, which
# all hits in a long sentence share.
_REPORT_AT = code_regex(f"(?=({_REPORT.pattern}))")
_REPORT_SAFE = _re_parser.parse(_REPORT.pattern).getwidth()[1] + 8
_REPORT_CHUNK = 64
_AGENT_WIDTH = _re_parser.parse(_AGENT_BEFORE.pattern).getwidth()[1]
_OWNER_WIDTH = _re_parser.parse(_OWNER_BEFORE.pattern).getwidth()[1]


# How many (regex, characters) answers one text's marks keep (_Marks.holds): a text of random
# characters gets no use of them, and must not grow a memo without end (each key holds up to
# _AFTER_REACH characters, and the last 16 texts keep their marks).
_HELD_KEPT = 4096


class _Marks:
    """Where the marks these checks look for sit in one text, found once per text: every check
    of a hit is then a bisect, so an utterance with thousands of hits costs linear time, not
    quadratic (a 350,000-character turn of one repeated taboo took 158 s before)."""

    __slots__ = ("text", "_positions", "_pieces", "held", "_held_by_text", "_reports")

    def __init__(self, text: str) -> None:
        self.text = text
        self._positions: dict[object, list[int]] = {}
        self._pieces: dict[tuple[int, int], tuple[str, object]] = {}
        # (clause or sentence span, mitigation, boundary check) -> whether it holds the mitigator
        self.held: dict[tuple, bool] = {}
        # (regex, the characters searched, boundary check) -> whether they hold it: see holds()
        self._held_by_text: dict[tuple, bool] = {}
        # chunk number -> the reports beginning in that chunk of the text: see report_from()
        self._reports: dict[int, tuple[list[int], list[tuple[int, int, bool]]]] = {}

    def of(self, mark: str | re.Pattern) -> list[int]:
        """Sorted positions of a character, or of the one-character matches of a pattern."""
        found = self._positions.get(mark)
        if found is None:
            if isinstance(mark, str):
                found = [m.start() for m in re.finditer(re.escape(mark), self.text)]
            else:
                found = [m.start() for m in mark.finditer(self.text)]
            self._positions[mark] = found
        return found

    def last_before(self, mark: str | re.Pattern, at: int) -> int:
        """The last position of ``mark`` before ``at`` (-1: none)."""
        positions = self.of(mark)
        i = bisect_left(positions, at)
        return positions[i - 1] if i else -1

    def first_from(self, mark: str | re.Pattern, at: int) -> int:
        """The first position of ``mark`` at or after ``at`` (-1: none)."""
        positions = self.of(mark)
        i = bisect_left(positions, at)
        return positions[i] if i < len(positions) else -1

    def count_before(self, mark: str, at: int) -> int:
        """How many times ``mark`` occurs before ``at``."""
        return bisect_left(self.of(mark), at)

    def around(self, start: int, end: int, ends: re.Pattern) -> tuple[int, int]:
        """The span of the clause (or sentence) holding ``[start, end)``: from after the last
        end mark before ``start`` to the first one at or after ``end``."""
        hi = self.first_from(ends, end)
        return self.last_before(ends, start) + 1, (len(self.text) if hi < 0 else hi)

    def holds(self, regex: re.Pattern, lo: int, hi: int,
              on_boundaries: Callable[[str, int, int], bool] | None) -> bool:
        """:func:`_holds` of ``text[lo:hi]``, remembered by its characters: the few characters
        before (or after) a hit differ for every hit, so remembering them by span saved
        nothing, but a hostile text repeats the same ones thousands of times, each normalised
        and searched again. Whether they hold the regex depends on the characters alone."""
        original = self.text[lo:hi]
        key = (regex, original, on_boundaries)
        found = self._held_by_text.get(key)
        if found is None:
            found = _holds(regex, original, normalize(original), on_boundaries)
            if len(self._held_by_text) < _HELD_KEPT:
                self._held_by_text[key] = found
        return found

    def report_from(self, lo: int, hi: int) -> tuple[int, int, bool] | None:
        """The first position ``p`` in ``[lo, hi)`` where ``_REPORT.match(text, p)`` matches, as
        (start, end, whether its third party is group 1), or None.

        Found chunk by chunk, each chunk once per text (all hits of a long sentence look back
        over the same characters): a caller that searched a slice must ask only about
        positions where the slice cannot change the answer (see in_reported_speech)."""
        chunk = lo // _REPORT_CHUNK
        while chunk * _REPORT_CHUNK < hi:
            found = self._reports.get(chunk)
            if found is None:
                found = self._reports[chunk] = self._reports_in(chunk)
            starts, reports = found
            i = bisect_left(starts, lo)
            if i < len(starts) and starts[i] < hi:
                return reports[i]
            chunk += 1
        return None

    def _reports_in(self, chunk: int) -> tuple[list[int], list[tuple[int, int, bool]]]:
        # A lookahead finds a match at every position one begins (overlapping ones too) and
        # matches exactly as match() there would; the search runs _REPORT_SAFE past the chunk
        # so that the last positions see all they look at.
        lo = chunk * _REPORT_CHUNK
        hi = lo + _REPORT_CHUNK
        starts: list[int] = []
        reports: list[tuple[int, int, bool]] = []
        for m in _REPORT_AT.finditer(self.text, lo, hi + _REPORT_SAFE):
            if m.start() >= hi:
                break
            starts.append(m.start())
            reports.append((m.start(1), m.end(1), m.group(2) is not None))
        return starts, reports

    def piece(self, lo: int, hi: int) -> tuple[str, object]:
        """``text[lo:hi]`` and its normalised form (hits of one clause share them)."""
        found = self._pieces.get((lo, hi))
        if found is None:
            original = self.text[lo:hi]
            found = self._pieces[(lo, hi)] = (original, normalize(original))
        return found


@lru_cache(maxsize=16)
def _marks(text: str) -> _Marks:
    # The matcher and the tone model ask about many hits of the same text object in a row.
    return _Marks(text)


def in_quotes(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside one pair of quotation marks of ``text``."""
    marks = _marks(text)
    if not marks.of(_QUOTE_MARK):
        return False  # no quotation mark anywhere: every test below would say no (one bisect each)
    for opening, closing in _OPEN_CLOSE.items():
        at = marks.last_before(opening, start)
        if at >= 0 and marks.last_before(closing, start) < at:
            # the quote opened before the hit is still open at its start; it must close after
            # the hit (an unclosed quote is a typo, not a quotation: trust it only to the end)
            close = marks.first_from(closing, start)
            if close < 0 or close >= end or end - close - 1 <= _QUOTE_LEAD:
                return True
    for mark in _SYMMETRIC:
        if marks.count_before(mark, start) % 2 == 1:
            close = marks.first_from(mark, start)
            if close >= 0 and (marks.first_from(mark, end) >= 0 or end - close - 1 <= _QUOTE_LEAD):
                return True
    return _opens_a_quote(marks, start, end)


# A hit may begin just before a quotation it then runs into: 列车员跟您说的“你没素质” gives
# 您说的“你没素质 (the pattern allows a few characters between 你 and the word), 客服让您"自己看
# 公告" gives 您"自己看. At most this many characters before the opening mark, and the hit must
# end inside the quotation: the rude words are the quoted ones. The same reach the other way:
# a hit begun inside a quotation may run this many characters past its closing mark (工作人员
# “这不归我们管”的答复 gives 不归我们管”的: gaps let a pattern step over the mark).
_QUOTE_LEAD = 3


def _opens_a_quote(marks: "_Marks", start: int, end: int) -> bool:
    for opening, closing in _OPEN_CLOSE.items():
        at = marks.first_from(opening, start)
        if 0 <= at < end and at - start <= _QUOTE_LEAD:
            close = marks.first_from(closing, at)
            if close < 0 or close >= end:
                return True
    for mark in _SYMMETRIC:
        at = marks.first_from(mark, start)
        if 0 <= at < end and at - start <= _QUOTE_LEAD and marks.count_before(mark, at) % 2 == 0 \
                and marks.first_from(mark, end) >= 0 and marks.first_from(mark, at + 1) >= end:
            return True
    return False


# The customer's words echoed to answer them (您刚才说 燃气公司都是一群废物 嗯 我理解您断气一整天很难受 /
# 您说停水也不提前通知，是把居民当傻子，这个反映非常合理): the agent repeats a complaint to own it.
# A bare echo is not enough — 你说你不懂？你确实不懂 opens many rude replies — so the hit must lie
# within _ECHO_REACH characters after 您说, with no clause of the agent's own between (_REPORT_ENDS),
# and the agent must apologise or acknowledge the complaint AFTER the hit, in its sentence or the
# next: an apology before it (抱歉，我只是个机器人…要不您说人话试试) answers nothing the customer said.
# 跟您说 / 对您讲 is the agent speaking; 要不您说 / 请您说 / 您说得对 are not echoes (an imperative,
# 您说人话 is one too, and 您说得对，我们都错了，就您对 is sarcasm). The verbs are the customer's verbs of
# a report less 表示, 称, 告诉我 and 投诉, which the agent does not echo words with (你投诉我也得打这个电话).
_ECHO = code_regex(r"(?<![跟对给和向同])(?<!要不)(?<!不如)(?<!请)(?<!麻烦)(?<!倒是)[您你]" + _CUSTOMER_WHEN
                  + r"(说|反映|提到|讲)(了|过)?(?![得的话]|人话)")
_ACKNOWLEDGE = code_regex(r"对不起|抱歉|不好意思|道歉|(我|我们)(真的|都|也|完全|非常|特别|很|能|可以)*理解|(?<!不)理解[您你]"
                         r"|受(了)?委屈|听进去|(反映|意见|批评)(很|非常|特别|确实)?(合理|在理|中肯)"
                         # ... or the agent taking the customer's side against the words or the harm
                         # (…我知道您是被反复扣费气坏了 / …没关系的，我把重点给您打印出来 / 这太伤人了)
                         r"|气坏|换(谁|作谁|成谁|是谁|我)(都|也)|(太|真|很)?伤人|别往心里去|没关系"
                         r"|(确实|的确)(是)?(不对|不应该|不该|过分)|太(过分|难听)")
_ECHO_REACH = 24
_ECHO_WIDTH = _re_parser.parse(_ECHO.pattern).getwidth()[1]


def _through_next_sentence(marks: "_Marks", end: int) -> int:
    """Where a look after ``end`` stops: the end of the next sentence, at most _AFTER_REACH
    characters on (never a whole call of speech-to-text without punctuation)."""
    hi = min(len(marks.text), end + _AFTER_REACH)
    first = marks.first_from(_SENTENCE_END, end)
    if first >= 0:
        second = marks.first_from(_SENTENCE_END, first + 1)
        if second >= 0:
            hi = min(hi, second)
    return hi


def _from_previous_sentence(marks: "_Marks", start: int) -> int:
    """Where a look before ``start`` begins: the start of the sentence before the hit's own, at
    most _AFTER_REACH characters back."""
    lo = max(0, start - _AFTER_REACH)
    own = marks.last_before(_SENTENCE_END, start)
    if own < 0:
        return lo
    previous = marks.last_before(_SENTENCE_END, own)
    # runs of marks (？！ / 。。。) end one sentence, not several; a run longer than the reach
    # is not walked to its start
    while previous >= lo and previous == own - 1:
        own, previous = previous, marks.last_before(_SENTENCE_END, previous)
    return max(lo, previous + 1)


def _acknowledged_echo(text: str, marks: "_Marks", sentence_start: int, start: int, end: int) -> bool:
    """Whether the hit ``text[start:end]`` is the customer's words the agent echoes to answer
    them (see _ECHO): an echo of 您说 shortly before it, and an apology or acknowledgement after
    it, in its sentence or the next."""
    lo = max(sentence_start, start - _ECHO_REACH - _ECHO_WIDTH)
    echo = None
    # searched a little past the hit's start, so that the look-ahead after the verb sees the
    # hit's first characters (您说|人话): an end position would hide them
    for found in _ECHO.finditer(text, lo, min(len(text), start + 2)):
        if found.end() <= start:
            echo = found
    if echo is None or start - echo.end() > _ECHO_REACH:
        return False
    if _REPORT_ENDS.search(text, echo.end(), max(end, start + 3)):
        return False  # the agent's own clause (但是…/您自己…) lies between the echo and the hit
    return _ACKNOWLEDGE.search(text, end, _through_next_sentence(marks, end)) is not None


# A sentence that names words instead of saying them: 服务规范禁止说这是规定我也没办法之类的话.
_MENTION = code_regex(r"(说|讲|用|使用|讲出|说出)[^。！？!?；;]{1,24}?" + _MENTION_AFTER.pattern)


def mentions_words(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` names a phrase rather than says it (a verb of
    saying, the words, then 这种话/之类的说法): the tone model does not score such a sentence,
    as the lexicons skip a hit so mentioned (:func:`in_reported_speech`)."""
    return _MENTION.search(text, start, end) is not None


def in_reported_speech(text: str, start: int, end: int | None = None) -> bool:
    """Whether the hit ``text[start:end]`` follows, in the same sentence, a reporting verb whose
    speaker is a third party (or the customer reporting one), or is the customer's words echoed
    and acknowledged (:func:`_acknowledged_echo`), or is a phrase merely mentioned (说……这种话).
    ``end`` defaults to ``start`` (then only the report is checked)."""
    if end is None:
        end = start
    marks = _marks(text)
    opening = marks.last_before(_SENTENCE_END, start) + 1
    if start - opening <= _REPORT_REACH and (label := _FAQ_QUESTION.match(text, opening)) \
            and not _FAQ_ANSWER.search(text, label.end(), start):
        return True  # the question of a question-and-answer template
    sentence_start = max(opening, start - _REPORT_REACH)
    # The tails below are searched as slices of their own, as the whole clause was: a pattern
    # sees no character before the slice, and the tails start early enough that a match there
    # has what it looks behind inside the slice too (hence "+ 1" past each longest width).
    if _MENTION_SOON.match(text, end) and _SAY_BEFORE.search(
            text[max(sentence_start, start - _SAY_TAIL - 1):start]):
        return True
    if _NAMED_BEFORE.search(text[max(sentence_start, start - _NAMED_TAIL - 1):start]):
        return True
    verb = marks.first_from(_VERB_START, sentence_start)
    if verb < 0 or verb >= start:
        if start <= sentence_start or text[start - 1] not in _TOLD_WORDS:
            return False  # no verb of saying in the clause: no report (see _VERB_START)
        verb = start - 1
    clause = text[sentence_start:start]
    reports = _reports_in_clause(marks, clause, sentence_start, start,
                                 max(sentence_start, verb - _REPORT_LEAD))
    while (found := next(reports, None)) is not None:
        at, m_end, third = found
        # Both end at the report's start and look behind at nothing: searched from their
        # longest width before it, not from the clause's start (up to 512 characters a match).
        if _AGENT_BEFORE.search(clause, max(0, at - _AGENT_WIDTH), at) and not (
                third and _OWNER_BEFORE.search(clause, max(0, at - _OWNER_WIDTH), at)):
            # 我跟您说 / 我们对您讲: the agent is the speaker. A report may still start inside
            # this match (我跟骑手核实过了他承认说了句…: 骑手…说 is the agent's, 他…说 the rider's),
            # so the search starts again from its next character, not from its end.
            reports = _reports_in_clause(marks, clause, sentence_start, start, sentence_start + at + 1)
            continue
        if not third and m_end == len(clause) and _NAMED_BY_CUSTOMER.match(clause, at):
            continue  # 您说的那个护士|我也不知道是谁: the person named, then the agent's words
        if _REPORT_ENDS.search(text, sentence_start + m_end, max(end, start + 3)):
            continue  # the report ended before the hit (or where the hit opens a clause)
        return True
    return _acknowledged_echo(text, marks, sentence_start, start, end)


def _reports_in_clause(marks: _Marks, clause: str, lo: int, hi: int, pos: int):
    """The matches ``_REPORT.finditer(clause, pos - lo)`` gives, ``clause`` being
    ``text[lo:hi]``, as (start, end, whether group 1 matched) in clause offsets.

    Starting at ``pos`` rather than at 0 gives the same matches when none can begin before it
    (the caller knows: no verb before ``pos + _REPORT_LEAD``); lookbehinds still see the
    clause before it, and _REPORT has no ^. The clause's first position and its last
    _REPORT_SAFE are tried on the clause itself; the rest are read from the text's chunks
    (:meth:`_Marks.report_from`), where they match as in the clause: a sentence of thousands
    of hits no longer runs _REPORT over up to 512 characters for each of them."""
    safe_end = hi - _REPORT_SAFE  # positions before it see only characters of the clause
    while pos < hi:
        if pos == lo:
            m = _REPORT.match(clause, 0)
            if m is None:
                pos += 1
                continue
            found = (m.start(), m.end(), m.group(1) is not None)
        else:
            report = marks.report_from(pos, safe_end) if pos < safe_end else None
            if report is not None:
                found = (report[0] - lo, report[1] - lo, report[2])
            else:
                m = _REPORT.search(clause, max(pos, safe_end) - lo)
                if m is None:
                    return
                found = (m.start(), m.end(), m.group(1) is not None)
        yield found
        pos = lo + found[1]


def is_mitigated(text: str, start: int, end: int, mitigators: Sequence[Mitigation],
                 on_boundaries: Callable[[str, int, int], bool] | None = None) -> bool:
    """Whether the clause (or sentence) around the hit ``text[start:end]`` holds one of
    ``mitigators``; ``on_boundaries(text, s, e)`` checks jieba word boundaries."""
    marks = _marks(text)
    question: bool | None = None
    for mitigation in mitigators:
        if not mitigation.questions:
            if question is None:
                question = _is_question(marks, start, end)
            if question:
                continue
        boundaries = on_boundaries if mitigation.boundary else None
        if mitigation.utterance:
            key = (None, mitigation, boundaries)
            held = marks.held.get(key)
            if held is None:
                held = marks.held[key] = _holds_whole(marks, mitigation, boundaries)
            if held:
                return True
            continue
        if mitigation.after:
            stop = _through_next_sentence(marks, end)
            if mitigation.original:  # what follows at once, marks and all (滚蛋汤, not 滚蛋，汤…)
                if mitigation.regex.search(marks.text[end:stop]) is not None:  # a slice: ^ is its start
                    return True
            elif marks.holds(mitigation.regex, end, stop, boundaries):
                return True
            continue
        if mitigation.earlier:
            if marks.holds(mitigation.regex, _from_previous_sentence(marks, start), start, boundaries):
                return True
            continue
        if mitigation.reach >= 0:  # only what leads up to the hit, in its clause
            regex, back = _leading_up(mitigation.regex, mitigation.reach)
            # Only the characters such a match can start in: a clause of 100,000 characters
            # was normalised and searched again for every hit in it (quadratic). Normalisation
            # drops symbols, so the window is wider in original characters; a mitigator spread
            # wider still is not seen, and the hit stays flagged.
            lo = max(marks.around(start, end, _CLAUSE_END)[0], start - _window(back))
            if marks.holds(regex, lo, start, boundaries):
                return True
            continue
        # A clause or sentence holds the mitigator or not, whichever of its hits asks: answered
        # once per span (a sentence of 20,000 characters without a mark was searched again for
        # each of its 1,000 hits: quadratic).
        span = marks.around(start, end, _SENTENCE_END if mitigation.sentence else _CLAUSE_END)
        key = (span, mitigation, boundaries)
        held = marks.held.get(key)
        if held is None:
            held = marks.held[key] = _holds(mitigation.regex, *marks.piece(*span), boundaries)
        if held:
            return True
    return False


def _holds_whole(marks: "_Marks", mitigation: Mitigation,
                 on_boundaries: Callable[[str, int, int], bool] | None) -> bool:
    """Whether the whole text holds a scope-utterance mitigator (and its ``also``), over the
    original characters or the normalised ones. Asked once per text and mitigator (see
    is_mitigated); a mitigator over original characters has no boundary check."""
    text = marks.text
    if mitigation.original:
        return (mitigation.regex.search(text) is not None
                and (not mitigation.also or _also(mitigation.also).search(text) is not None))
    original, norm = marks.piece(0, len(text))
    return (_holds(mitigation.regex, original, norm, on_boundaries)
            and (not mitigation.also or _holds(_also(mitigation.also), original, norm, on_boundaries)))


@lru_cache(maxsize=64)
def _also(source: str) -> re.Pattern:
    # The second regex of a mitigator, compiled on first use (a source string, so that it is
    # stored in the compiled-lexicon cache as it is: lexicon/compiled_cache.py).
    return re.compile(source)


def _is_question(marks: "_Marks", start: int, end: int) -> bool:
    """Whether the sentence holding ``[start, end)`` is a question: it ends with a question mark,
    or its clause or the sentence ends with a question particle or word."""
    text = marks.text
    hi = marks.around(start, end, _SENTENCE_END)[1]
    if hi < len(text) and text[hi] in _QUESTION_MARK:
        return True
    clause_hi = marks.around(start, end, _CLAUSE_END)[1]
    # Only how the clause or sentence ends matters: its last characters are normalised, not all
    # that follows the hit (thousands of hits in one unpunctuated sentence would each normalise
    # the rest of it: quadratic).
    return any(_QUESTION_END.search(normalize(text[max(end, stop - _QUESTION_TAIL):stop]).text)
               for stop in {clause_hi, hi})


def _holds(regex: re.Pattern, original: str, norm, on_boundaries: Callable[[str, int, int], bool] | None) -> bool:
    """Whether ``regex`` matches the normalised ``norm`` of ``original`` non-empty (and, with
    ``on_boundaries``, on jieba word boundaries of the original)."""
    at = 0
    while (m := regex.search(norm.text, at)) is not None:
        at = m.start() + 1
        if m.end() <= m.start():
            continue
        if on_boundaries is not None:
            o_start, o_end = norm.span(m.start(), m.end())
            if not on_boundaries(original, o_start, o_end):
                continue
        return True
    return False


def _window(back: int) -> int:
    """Original characters before a hit that hold any match of a scope-before mitigator that
    reaches ``back`` normalised characters back: four per normalised one (symbols between
    them are dropped by normalisation), and room for the mitigator's lookbehinds."""
    return 4 * back + 8


@lru_cache(maxsize=64)
def _leading_up(regex: re.Pattern, reach: int) -> tuple[re.Pattern, int]:
    """A scope-before mitigator as one search over the text before the hit: a match followed
    by at most ``reach`` characters to its end; and how far back (normalised characters) such a
    match can begin — its longest width plus ``reach`` (mitigators are bounded: compiled.py)."""
    longest = _re_parser.parse(regex.pattern).getwidth()[1]
    return re.compile(f"(?:{regex.pattern})(?=.{{0,{reach}}}$)", regex.flags), longest + reach


# Reported or quoted words the agent then makes his own (你女儿说你是个糊涂妈妈，我看一点没说错 /
# 老师说你家孩子脑子慢，我看他说得没错 / 游戏里那句「菜就多练」，送给你正合适): the report is no
# longer someone else's. Endorsing the customer (我觉得您说得对) is not this: 您/你 may not follow
# the agent's verb of opinion.
# A bare 对 needs its 说得 (我觉得这样对您最好 endorses nothing).
_ENDORSED = code_regex(r"(我|我们)(看|觉得|认为|倒觉得|倒是觉得)(?![^。！？!?，,]{0,3}[您你])[^。！？!?，,]{0,4}"
                      r"((说得|讲得|说的|讲的)(一点|半点)?(也|都)?(没错|挺对|很对|对|在理|有道理|没毛病)"
                      r"|(一点|半点)?(也|都)?(没错|在理|有道理|没毛病|没说错|没讲错))"
                      r"|(一点|半点)(也|都)?没(说|讲)错|送给[您你](正|最|刚好|再)?合适"
                      # 同事说您是来找茬的，我看也是 / …我也这么觉得 / …我看也差不多 / …还真是 / …我算是
                      # 领教了 / …我现在信了 / …确实。 — at the end of a clause, so that 我看也是他不对
                      # (the third party blamed) endorses nothing
                      r"|(我|我们)(看|觉得)?(也是|也差不多|也这么(觉得|认为|看|想))(?=[。！？!?，,…~～\s]|$)"
                      r"|(我|我们)?(现在|今天|这下|总算|算是|也算是){1,2}(信了|领教了|见识了)"
                      r"|(还真是|确实(是)?)(?=[。！？!?…~～]|$)")


def _endorsed(text: str, end: int) -> bool:
    """Whether the agent makes the reported or quoted words ending at ``end`` his own, in the
    hit's sentence or the next (see _ENDORSED)."""
    return _ENDORSED.search(text, end, _through_next_sentence(_marks(text), end)) is not None


def in_context(text: str, start: int, end: int, contexts: tuple[str, ...],
               mitigators: Sequence[Mitigation] = (),
               on_boundaries: Callable[[str, int, int], bool] | None = None) -> bool:
    """Whether the hit ``text[start:end]`` (original offsets) is in any of ``contexts``
    (``mitigators`` and ``on_boundaries``: for the ``mitigated`` context)."""
    for context in contexts:
        if context == "mitigated" and mitigators and is_mitigated(text, start, end, mitigators, on_boundaries):
            return True
        if context == "quoted" and in_quotes(text, start, end) and not _endorsed(text, end):
            return True
        if context == "reported" and in_reported_speech(text, start, end) and not _endorsed(text, end):
            return True
    return False
