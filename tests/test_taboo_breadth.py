"""Issue 14: catch the rudeness nobody listed, and never the politeness that looks like it.

Through the public API only (``Checker.default()``), plus the allow-contexts of
``scriptcheck.match.contexts`` and the industry packs under ``lexicons/packs/``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scriptcheck import Checker, Severity
from scriptcheck.lexicon.loader import load_lexicon, run_specs
from scriptcheck.match.contexts import in_context, in_quotes, in_reported_speech

REPO = Path(__file__).resolve().parents[1]
PACKS = sorted((REPO / "lexicons" / "packs").glob("*.yaml"))


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.default()


def assert_not_flagged(checker, text: str) -> None:
    """No finding on ``text``; the message names any that came (rule and words)."""
    findings = checker.check(text)
    assert findings == [], [(f.rule, f.text) for f in findings]


# ---------------------------------------------------------------- the examples
@pytest.mark.parametrize("text", ["你不懂", "我早就告诉过你了", "我们公司的政策就是这样的", "不会用就别用"])
def test_missed_rude_replies_are_flagged(checker, text):
    assert checker.check(text), text


@pytest.mark.parametrize("text", [
    "对不起！请您大声一点，好吗？",
    "请到滚天沟停车场取车",
    "您说之前的同事对您说“这是规定，我也没办法”，这样的回答确实不对",
])
def test_former_false_alarms_are_gone(checker, text):
    assert_not_flagged(checker, text)


@pytest.mark.parametrize("text", ["不客气", "请慢走", "您过奖了", "这是我应该做的", "很高兴认识您", "没问题，我马上去办"])
def test_polite_phrases_are_found(checker, text):
    assert checker.find_phrases(text), text
    assert checker.check(text) == []


# ---------------------------------------------------------------- disguises and short words
@pytest.mark.parametrize("text", ["你 不 懂", "我早就告訴過你了", "我們公司的政策就是這樣的", "不會用就別用", "ｓｂ"])
def test_disguised_rudeness_is_flagged(checker, text):
    assert checker.check(text), text


@pytest.mark.parametrize("text", ["祝您财源滚滚", "页面可以向下滚动", "这款行李箱有点笨重", "傻瓜相机很好用",
                                  "是我太笨了，没讲清楚", "滚天沟景区今天开放"])
def test_short_words_inside_other_words_are_not_flagged(checker, text):
    assert_not_flagged(checker, text)


def test_severity_follows_the_target(checker):
    aimed = checker.check("你真笨")
    bare = checker.check("笨！")
    assert aimed and max(f.severity for f in aimed) >= Severity.error
    assert {f.rule for f in aimed} != {f.rule for f in bare}
    # A bare 笨 is aimed at nobody in particular (莫欺少年蠢, a bot named 小笨): a remark to review.
    assert bare and {f.severity for f in bare} == {Severity.info}


# ---------------------------------------------------------------- allow-contexts
def test_in_quotes():
    text = "您说同事讲“这是规定”，非常抱歉"
    start = text.index("这是规定")
    assert in_quotes(text, start, start + 4)
    assert not in_quotes("这是规定，我也没办法", 0, 4)
    assert in_quotes('他说"不归我管"', 3, 7)


def test_a_hit_running_into_a_quotation_is_quoted():
    # 你.{0,4}没素质 reaches back from the quoted words to the addressee before the mark
    text = "列车员跟您说的“你没素质”确实不对"
    start = text.index("您说")
    assert in_quotes(text, start, text.index("”"))
    text = '客服让您"自己看公告"，抱歉'
    assert in_quotes(text, text.index("您"), text.index("看") + 1)
    # too far before the mark, or running out of the quotation again: not quoted
    text = "你这个人真是“没素质”"
    assert not in_quotes(text, 0, text.index("”"))
    text = "您说“好的”你没素质"
    assert not in_quotes(text, text.index("您"), len(text))


def test_a_hit_running_out_of_a_quotation_is_quoted():
    # gaps let a pattern step over the closing mark: 不归我们管”的 is the quoted words
    text = "对于工作人员“这不归我们管”的答复，我们深表歉意"
    start = text.index("不归")
    assert in_quotes(text, start, text.index("的答复") + 1)
    text = '他说"不归我管"的话'
    assert in_quotes(text, text.index("不归"), text.index("的话") + 1)
    # beyond the reach, the agent's own words follow the quotation: not quoted
    text = "您说“好的”之后你就是没素质"
    assert not in_quotes(text, text.index("好的"), len(text))


def test_reported_speech_owned_named_and_mentioned():
    # 我同事说: 我 owns the colleague, who is the speaker (我跟您说 stays the agent's own)
    text = "我同事刚才说您太计较，这是他的不对"
    assert in_reported_speech(text, text.index("您太"))
    text = "我跟您说您太计较了"
    assert not in_reported_speech(text, text.index("您太"))
    # the customer names the words (您反映的那句…), staff 回了句…
    text = "您反映的那句爱买不买，我们核实后会处理"
    assert in_reported_speech(text, text.index("爱买"))
    text = "工作人员回了句没看到在忙吗，这样回应是错误的"
    assert in_reported_speech(text, text.index("没看到"))
    text = "我说的那句爱买不买你听好了"
    assert not in_reported_speech(text, text.index("爱买"))


def test_reported_speech_needs_a_third_party_or_a_report_of_one():
    text = "您反映客服跟您讲不归我们管"
    assert in_reported_speech(text, text.index("不归"))
    text = "快递员说不归他管"
    assert in_reported_speech(text, text.index("不归"))
    # staff of other trades report too (trains, counters, security)
    for text in ("保安说你没素质？我替他向您道歉", "列车员说你没素质，这是不对的"):
        assert in_reported_speech(text, text.index("你没"))
    # the agent speaking for himself is not a report
    text = "我跟您说了这是规定，我也没办法"
    assert not in_reported_speech(text, text.index("这是"))
    # echoing the customer is not a report either
    text = "你是第一个说这个有问题的，你自己的问题吧"
    assert not in_reported_speech(text, text.index("你自己"))
    # a report does not reach past the end of its sentence
    text = "同事说会回电。这是规定，我也没办法"
    assert not in_reported_speech(text, text.index("这是"))



@pytest.mark.parametrize("text, hit, reported", [
    # an agent introducing himself (…客服) before the customer speaks (您说…) reports nobody;
    # 跟您说 keeps 您 the listener and the colleague the speaker
    ("喂联通客服 您说号码被停了我正在查 嗯 您先安静一下行不行", "您先安静", False),
    ("之前的客服跟您说您先安静一下，这是不对的", "您先安静", True),
    # the agent takes the floor again in the same sentence: a contrast, 我们 acting, or a clause
    # addressing the customer
    ("关于您提到的医生态度冷淡一事，我们记下了，但医生一天看六十个号，您就别太较真了。", "别太较真", False),
    ("你说老师态度不好，你家孩子就没问题吗？", "你家孩子就没问题", False),
    ("您说之前的同事对您说这是规定，我也没办法，这样的回答确实不对", "我也没办法", True),
    # 说话 and how (就那样) is a manner of speaking; 说话冲了，还说… reports the words
    ("医生说话就那样 你别往心里去 有什么好投诉的", "有什么好", False),
    ("刚才我们同事跟您说话冲了，还说什么听不懂人话，这确实不对", "听不懂", True),
    # ... and so is 说话 and how it sounded (声音/语气); a verb of saying later in the clause still reports
    ("老师说话声音大了点而已，孩子玻璃心，家长也跟着玻璃心", "玻璃心", False),
    ("同事说话语气冲，还说你自己看着办，我替他向您道歉", "你自己看着办", True),
    # the customer reporting being told something, the speaker unnamed (被说): a report; being
    # scolded (被骂) is not a verb of saying, and the agent's verdict on it is his own
    ("您说上次打电话被挂了三次还被说没空跟你扯这个我们查了录音确实是坐席的问题", "没空跟你扯", True),
    ("你说你被骂了 你这种喷子被骂也正常", "被骂也正常", False),
    ("我跟您说了被说几句也正常 没空跟你扯", "没空跟你扯", False),
    # the customer's own feeling, reported (您说感觉…): theirs, not the agent's verdict; but
    # 你说你… is the rhetorical "you tell me"
    ("您说感觉自己像个傻子一样被来回耍，真的很抱歉", "傻子", True),
    ("你反映觉得被当成傻子了，这个我们查", "傻子", True),
    ("你说你是不是傻子", "傻子", False),
    # the question of a question-and-answer template is the customer's; the answer is not, nor is
    # a question the agent asks without the label (问你呢…)
    ("问：我投诉了会不会被拉黑？答：不会的，您放心。", "拉黑", True),
    ("Q: 你们是不是骗子？A: 不是，我们是正规平台。", "骗子", True),
    ("问：能退吗？答：你自己不会看说明吗？", "你自己不会看", False),
    ("问：能退吗 答：你自己不会看说明吗", "你自己不会看", False),
    ("问你呢，你到底听不听得懂", "到底听不听", False),
    # a negated verb of saying reports nothing
    ("我们客服不回答弱智问题", "弱智问题", False),
    # the customer's words echoed and then acknowledged (an apology, 我理解, 听进去了) after the hit,
    # in its sentence or the next, are theirs; an echo without one, an apology only before the
    # hit, an imperative 您说…, 您说得对 (often sarcastic) and the agent's 跟您说 are not
    ("您刚才说 燃气公司都是一群废物 嗯 我理解您断气一整天很难受", "废物", True),
    ("您说“你们这些人就是不把业主当人看”。这话我听进去了，对不起。", "你们这些人就是", True),
    ("您刚才说 燃气公司都是一群废物 那您找别家去吧", "废物", False),
    ("抱歉，我只是个机器人，理解不了您这么高深的表达，要不您说人话试试？", "人话", False),
    ("您说得对，我们都错了，就您对，抱歉", "就您对", False),
    ("我跟您说 你自己不会看吗 对不起", "你自己不会看", False),
    ("您刚才说 燃气公司都是一群废物。好的。那您找别家去吧，抱歉", "废物", False),
    ("您说停水也不提前通知，是把居民当傻子，这个反映非常合理，抱歉", "傻子", True),
    ("您说人话行吗，抱歉", "人话", False),
    # words named before the hit (说的那句 / 抱歉那句), with a filler or 您 between, or after it with a
    # character to spare (…等着这句话); an insult the customer reports being called (…骂您); not the
    # agent's own (我说的那句) nor a retort after the sentence ends
    ("您说的那句你爱找谁找谁确实不应该说出来，对不起", "爱找谁找谁", True),
    ("刚才同事跟您说的那句 那个 爱办不办 确实不妥", "爱办不办", True),
    ("抱歉，那句别啰嗦了是同事情绪失控说的", "别啰嗦", True),
    ("您反映的叫你等就等着这句话我已经记录了", "叫你等就等", True),
    ("您说楼下邻居骂您没教养，我们先上门协调", "您没教养", True),
    # 您刚说 (speech) opens the customer's report as 您刚才说 does
    ("您刚说 维修师傅骂您 脑子有病 是吧 这个我先替他道歉", "您 脑子有病", True),
    ("你刚说什么？你脑子有病吧", "你脑子有病", False),
    ("我说的那句你爱找谁找谁，你听清楚了", "爱找谁找谁", False),
    ("你说我骂你没教养？你本来就没教养", "你本来就没教养", False),
    ("你说导游骂你 导游说你没文化也没说错啊", "没文化", False),
    ("您说 嗯 哎您先别骂人 您再骂一句我就把您拉黑", "拉黑", False),
    ("抱歉，您说我们是废物？您才是废物", "废物", False),
    # a third party scolding the customer reports the words; the agent scolding does not
    ("快递员骂您眼瞎这太过分了我们一定给您一个交代", "眼瞎", True),
    ("我骂你眼瞎怎么了", "眼瞎", False),
    # ... or shouting at them (吼/凶/训/嚷), then the words; the agent shouting does not
    ("那个保安大叔刚才吼您让您滚远点 是他不对 我替他给您道个歉", "滚远点", True),
    ("前台小姑娘凶了您一句烦不烦，这确实不应该", "烦不烦", True),
    ("我吼你滚远点怎么了", "滚远点", False),
    # ... or telling them what to do, the words right after 让/叫 (session of 2026-12-04 16:03 UTC); a
    # person named by what they do (送餐的小哥, 兼职的小伙子) or a 催收员 speaks too
    ("那个真的很抱歉啊 刚才送餐的小哥让您滚 嗯这个我们一定会反映给平台的", "您滚", True),
    ("我们那个兼职的小伙子刚才吼了您一句 嗯说您眼瞎 这个真的是他不对", "您眼瞎", True),
    ("呃 关于上次那个催收员说您 说您不要脸这个事情 我们真的非常抱歉", "不要脸", True),
    ("我让你滚你听不懂吗", "你滚", False),
    ("班主任在群里说孩子笨这话确实伤人", "笨", True),
    # speech-to-text without punctuation: a complaint read back, a line shouted, a misrecognition
    ("嗯嗯我复述确认一下投诉点有三个第一个是态度第二个是工作人员骂您是老赖", "老赖", True),
    ("嗯隔壁工位的同事刚才喊了句笨蛋客服 不是说您的", "笨蛋", True),
    ("抱歉我刚才把您的话识别成了你有病其实您说的应该是有病历对吗", "你有病", True),
    ("嗯那位教练说你这水平就别浪费钱了", "别浪费钱", True),
    # 说的是 reports (说的 alone does not: 他说的对)
    ("好 我这边原原本本记下来 对方说的是 找谁都没用 我就这么干", "找谁都没用", True),
    # 楼上 is where the noise comes from, not a speaker: the agent's retort stays his
    ("您说楼上噪音扰民 那你录音了没有 没录音你打这个电话干什么", "你打这个电话干什么", False),
    # how someone talks or teaches is no report of what they said (讲课, 说话 ending its clause)
    ("老师讲课的时候你插什么嘴？", "插什么嘴", False),
    ("你少跟司机说话，影响安全驾驶，闭嘴坐好。", "闭嘴", False),
    ("抄表员说话大声是习惯，不是针对你，这种事就别投诉了", "别投诉了", False),
    ("刚才我们同事跟您说话冲了，还说什么听不懂人话，这确实不对", "听不懂人话", True),
    ("老师说你家孩子上课老插嘴，这个我们会跟他沟通", "插嘴", True),
    # a shop's own staff by their job (徒弟 / 伙计), and a transcript's space before 这种话
    ("对不起，我徒弟刚才说你这车还修啥，他说话冲，我替他道歉", "还修啥", True),
    ("我们伙计说你不买别摸，是我们不对", "不买别摸", True),
    ("嗯 不好意思啊 之前电话里说您 烦不烦 这种话 是我们不对", "烦不烦", True),
    # speech-to-text reports without commas (session of 2026-12-03 09:06 UTC): a report that
    # starts inside the agent's own (我跟骑手核实过了 | 他承认说了句 …), a place's staff, a line
    # 回了您一句, an insult whose first word is the hit (他骂|您是泼妇)
    ("嗯嗯我跟骑手核实过了他承认说了句催什么催这个确实不对", "催什么", True),
    ("对您说药房的人说急什么急又不会死这个话非常不合适", "急什么", True),
    ("那个线上客服回了您一句听不懂人话吗这确实是我们的问题", "听不懂人话吗", True),
    ("嗯嗯就是说他骂您是泼妇然后车还堵着您家门口对吧", "您是泼妇", True),
    # ... and where such a report ends: 那您 after it opens the agent's answer
    ("那个快递员骂您滚那您滚远点不就完了嘛", "您滚远点", False),
    ("您说楼上漏水那您先拿个盆接着呗", "您先拿个盆接着呗", False),
    # the agent's own report is still the agent's (a neighbour as no speaker: the case above)
    ("我跟骑手说了你自己下楼拿", "你自己下楼拿", False),
    # (session of 2026-12-03 11:31 UTC) the agent's verdict on the report ends it (这不可能 / 可能只是
    # / 可您…); 怎么说 is no report (医生怎么说您就怎么做); 您说的那个护士 followed by 我 names the
    # person the agent then speaks of, while 您说的那个保安让您… still reports him
    ("您说窗口的人没给您办，这不可能，我们都有记录。", "这不可能", False),
    ("您说导购态度冷淡，可能只是您想多了。", "您想多了", False),
    ("商家说菜品没问题，可能是您口味太刁了吧。", "口味太刁", False),
    ("当时窗口肯定跟您讲过，是您自己没看清。", "是您自己没看清", False),
    # 跟前台说有啥用: what use is telling them, not a report of what they said
    ("跟物业说有啥用，我们又不是管这个的。", "又不是管这个的", False),
    ("您说业务员误导您，可您自己签了字呀。", "您自己签了字", False),
    ("医生怎么说您就怎么做，别问那么多。", "别问那么多", False),
    ("您说的那个护士我也不知道是谁，查不到。", "我也不知道", False),
    ("您说的那个保安让您滚出去，这个我们非常抱歉。", "滚出去", True),
    ("您说同事说您不讲理，这不可能是我们的标准说法，我们会查。", "不讲理", True),
    # (session of 2026-12-03 14:03 UTC) the customer's complaint as a time or a condition reports
    # nothing (你投诉之前先想想 …); 您投诉司机… still reports what the driver did
    ("你投诉之前先想想 司机师傅多辛苦啊 就不能体谅一下别人吗", "就不能体谅一下别人吗", False),
    ("您反映的话 司机那边就不好做了", "就不好做了", False),
    ("您投诉司机骂您笨，这个我们一定处理。", "笨", True),
    # (session of 2026-12-05) an employee is a third party; a third party's line
    # named by 那句 is theirs; a child speaks only by shouting or throwing a line (孩子说… is often
    # the customer's child's claim the agent turns on them); 都说 is a consensus the agent
    # wields, not a report
    ("柜台那位员工说 你自己不会看啊 这个态度肯定是不对的", "你自己不会看", True),
    ("对不起让您久等了 还听到我们员工说快点别磨蹭 呃 您按自己节奏来就好", "快点别磨蹭", True),
    ("我先道个歉因为派件员那句你自己眼瞎看不见通知吗实在太难听了", "眼瞎", True),
    ("那个孩子刚才喊了句笨蛋客服哈哈没关系", "笨蛋", True),
    ("孩子说听不懂？那是孩子自己的问题，老师讲得没问题。", "孩子自己的问题", False),
    ("大哥你又不懂车，听着响就觉得坏了，我们师傅都说没事你还不信。", "你还不信", False),
    ("邻居都说你是个神经病", "神经病", False),
    # an echo the agent answers by taking the customer's side (…气坏了)
    ("您说我们是一群废物我知道您是被反复扣费气坏了我先把这笔费用给您退回来", "废物", True),
    ("您说我们是一群废物那您别来啊", "废物", False),
])
def test_where_a_report_starts_and_ends(text, hit, reported):
    start = text.index(hit)
    assert in_reported_speech(text, start, start + len(hit)) is reported

def test_in_context_dispatch():
    text = "他说“滚”"
    assert in_context(text, 3, 4, ("quoted",))
    assert not in_context(text, 3, 4, ())


@pytest.mark.parametrize("text, flagged", [
    ("这是规定，我也没办法", True),
    ("我跟您说了这是规定，我也没办法", True),
    ("您反映客服跟您讲“这是规定，我也没办法”，这是我们的问题", False),
    # the tone model reads past a template's question too (it flagged this one before)
    ("问：我问的问题太简单了会不会被笑话？答：完全不会，我们很乐意解答。", False),
    ("问：能退吗？答：你自己不会看说明吗？", True),
])
def test_reported_rudeness_is_not_the_agents(checker, text, flagged):
    assert bool(checker.check(text)) is flagged


@pytest.mark.parametrize("text, words, context", [
    ("游戏里那句「菜就多练」，送给你正合适。", "菜就多练", "quoted"),
    ("同事跟您说“这是规定，我也没办法”，我看一点没说错。", "这是规定，我也没办法", "reported"),
    # (session of 2026-12-03 11:31 UTC) endorsements at the end of a clause
    ("保安说您是来找茬的，我看也是，就这点事。", "来找茬", "reported"),
    ("快递员说你不讲理，我也这么觉得，就这样吧。", "不讲理", "reported"),
    ("前台说您事儿多，还真是。", "事儿多", "reported"),
    ("上一个客服说你听不懂人话，今天我算是领教了。", "听不懂人话", "reported"),
])
def test_endorsed_words_are_the_agents_own(text, words, context):
    """Quoted or reported words the agent then makes his own stay his (the same words without
    the endorsement are in the context)."""
    hit = text.index(words)
    end = hit + len(words)
    assert not in_context(text, hit, end, (context,))
    plain = text[:text.index("，", end)] + "。"
    assert in_context(plain, hit, end, (context,))


@pytest.mark.parametrize("text", [
    "您说同事说您“脑子慢”，我觉得您说得对，这话太不应该了。",  # agreeing with the customer
    "同事跟您说“脑子慢”，这话不对，我觉得这样对您不公平。",  # a bare 对 endorses nothing
    "同事跟您说“脑子慢”，我看也是他说话太冲，我们会处理。",  # 也是 blaming the colleague, not at a clause end
    "同事跟您说“脑子慢”，这确实不对。",  # 确实 not ending the sentence
])
def test_no_endorsement_of_the_report(text):
    hit = text.index("脑子")
    assert in_context(text, hit, hit + 3, ("quoted",))


def test_entry_option_overrides_the_lexicon_default(tmp_path):
    path = tmp_path / "ctx.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: ctx
        kind: forbidden
        skip_contexts: [quoted]
        entries:
          - id: XC001
            name: rules
            category: 推卸责任
            description: 这是规定
            phrases: [这是规定]
            specs:
              match: [这是规定]
              no_match: [他说“这是规定”]
          - id: XC002
            name: rules-even-quoted
            category: 推卸责任
            description: 没办法（引号内也算）
            phrases: [没办法]
            options:
              skip_contexts: []
            specs:
              match: [没办法, 他说“没办法”]
              no_match: [有办法, 规定]
        """), encoding="utf-8")
    lexicon = load_lexicon(path)
    assert all(r.ok for r in run_specs(lexicon))


# ---------------------------------------------------------------- industry packs
@pytest.mark.parametrize("pack", PACKS, ids=[p.stem for p in PACKS])
def test_pack_loads_and_its_specs_pass(pack):
    lexicon = load_lexicon(pack, verify=False)
    assert lexicon.kind == "forbidden" and lexicon.name == pack.stem
    failures = [r for r in run_specs(lexicon) if not r.ok]
    assert not failures, failures


def test_pack_adds_industry_phrases(checker):
    bank = Checker([load_lexicon(n) for n in ("forbidden", "polite", "cues")] + [load_lexicon(REPO / "lexicons/packs/bank.yaml")])
    assert not checker.check("这么散的钱，自己整理好了再存！")
    assert bank.check("这么散的钱，自己整理好了再存！")


REPORTED_THEN_OWN = "有客户说我们客服讲爱买不买，我们已经整改"


@pytest.mark.parametrize("text", [
    "我们绝对不会对客户说你不懂这种话",
    "服务规范禁止说这是规定我也没办法之类的话",
    # A false alarm of the tone model from refit AB to AG (FB900, 0.917: the sentence ends in the agent's own clause,
    # so the sentence-level report check does not leave it out, and 爱买不买 weighs); refit AM no longer flags it.
    REPORTED_THEN_OWN,
])
def test_mentioned_or_reported_taboo_is_not_flagged(checker, text):
    assert_not_flagged(checker, text)


def test_the_lexicons_leave_out_a_taboo_reported_before_the_agents_own_clause():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    lexicons_only = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    assert_not_flagged(lexicons_only, REPORTED_THEN_OWN)
    assert lexicons_only.check("爱买不买，我们已经整改")  # the agent's own words


def test_a_mention_needs_a_verb_of_saying_and_a_noun_after():
    text = "我们绝对不会说你不懂这种话"
    start = text.index("你不懂")
    assert in_reported_speech(text, start, start + 3)
    text = "你不懂这种话的意思"  # no verb of saying before: the agent's own words
    assert not in_reported_speech(text, 0, 3)
