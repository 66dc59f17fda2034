"""The `mitigated` allow-context: a taboo shape whose clause holds a softener, or whose sentence
holds an apology or an offer of help, is dropped — decided on clause boundaries and jieba word
boundaries, with the mitigators as data in the lexicon (issue 14)."""

from __future__ import annotations

import re
import textwrap

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.loader import load_lexicon
from scriptcheck.match.contexts import Mitigation, is_mitigated
from scriptcheck.text.segment import Segmenter

LEXICON = textwrap.dedent("""\
    version: 1
    name: shapes
    kind: forbidden
    mitigators:
      - {name: softener, pattern: '请|麻烦'}
      - {name: offer, pattern: '我.{0,3}帮你(查|问)', scope: sentence, boundary: false}
    entries:
      - id: ZZ001
        name: dont-rush
        category: x
        description: 别催
        patterns: ['别(催|急)']
        options: {skip_contexts: [mitigated]}
      - id: ZZ002
        name: dont-rush-always
        category: x
        description: 别催 (no contexts)
        patterns: ['别催了']
    """)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, LEXICON)


def _checker_of(tmp_path_factory, text: str) -> Checker:
    """A checker of the one lexicon ``text`` (written to a file of its own, loaded unverified)."""
    path = tmp_path_factory.mktemp("lx") / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    return Checker([load_lexicon(path, verify=False)])


def _rules(checker, text):
    return [f.rule for f in checker.check(text)]


def test_bare_shape_is_flagged(checker):
    assert "ZZ001" in _rules(checker, "别催，等着")


def test_softener_in_the_same_clause_drops_it(checker):
    assert "ZZ001" not in _rules(checker, "麻烦您别急，等一下")


def test_softener_in_another_clause_does_not(checker):
    assert "ZZ001" in _rules(checker, "麻烦让一下，别催")
    assert "ZZ001" in _rules(checker, "麻烦让一下 别催")  # a pause (space) ends a clause too


def test_offer_reaches_the_whole_sentence_but_not_the_next(checker):
    assert "ZZ001" not in _rules(checker, "别急，我马上帮您查一下")
    assert "ZZ001" in _rules(checker, "别催。我帮您查过了，没有")


def test_entry_without_the_context_is_unaffected(checker):
    assert "ZZ002" in _rules(checker, "请别催了")


def test_softener_must_be_a_word():
    seg = Segmenter()
    softener = [Mitigation(re.compile("请"), False, True)]
    text = "申请别急"
    assert not is_mitigated(text, 2, 4, softener, seg.on_boundaries)
    assert is_mitigated("请别急", 1, 3, softener, seg.on_boundaries)


def test_mitigated_needs_mitigators(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(LEXICON.split("mitigators:")[0] + "entries:" + LEXICON.split("entries:")[1],
                    encoding="utf-8")
    with pytest.raises(LexiconError, match="mitigators"):
        load_lexicon(path, verify=False)


def test_default_lexicon_skeletons_and_their_polite_twins():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    rude = ["那你当时干嘛不拍照留证", "再闹我就叫保安了", "你是不是没看短信啊", "别在这跟我吵"]
    polite = ["请问您当时为什么没有拍照呢？我帮您查一下物流记录", "您是不是没看到短信？我重新给您发一条",
              "这个不归我们管，不过我帮您转给物业，稍后回复您", "我们不会拉黑任何客户"]
    for text in rude:
        assert checker.check(text), text
    for text in polite:
        assert not checker.check(text), text


BEFORE = textwrap.dedent("""\
    version: 1
    name: before
    kind: forbidden
    mitigators:
      - {name: softener, pattern: '请'}
      - {name: negation, pattern: '不会|没有什么', scope: before, reach: 1, boundary: false}
    entries:
      - id: ZZ101
        name: hang-up
        category: x
        description: 挂你电话
        patterns: ['挂你电话']
        options: {skip_contexts: [mitigated], mitigators: [negation]}
      - id: ZZ102
        name: hang-up-any
        category: x
        description: 挂你电话 (clause and sentence mitigators only)
        patterns: ['挂了']
        options: {skip_contexts: [mitigated]}
    """)


@pytest.fixture(scope="module")
def before_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, BEFORE)


def test_a_negation_right_before_the_hit_drops_it(before_checker):
    assert not _rules(before_checker, "我们不会挂您电话")
    assert not _rules(before_checker, "我们不会再挂您电话")  # within reach 1


def test_a_negation_out_of_reach_or_after_the_hit_does_not(before_checker):
    assert _rules(before_checker, "我不会跟你多说，挂您电话")  # another clause
    assert _rules(before_checker, "我不会跟你多说挂您电话")  # too far before it
    assert _rules(before_checker, "挂您电话，不会再说第二遍")  # after it


def test_letter_spacing_is_no_pause(before_checker):
    # Spaces between single characters disguise the words; the negation still governs the hit.
    assert not _rules(before_checker, "不 会 挂 您 电 话 的，您慢慢说")
    # A space before a longer token is a pause in speech-to-text and still ends the clause.
    assert _rules(before_checker, "我们不会 跟你多说了 挂您电话")


def test_scope_before_mitigators_are_taken_only_by_name(before_checker):
    # ZZ102 takes the clause and sentence mitigators (the softener), not the negation.
    assert _rules(before_checker, "我不会挂了") == ["ZZ102"]
    assert not _rules(before_checker, "请您先挂了")


def test_default_names_every_clause_and_sentence_mitigator(tmp_path, before_checker):
    # [default, negation] takes the softener (a clause mitigator) and the negation;
    # [negation] alone (ZZ101 of before_checker) does not take the softener.
    path = tmp_path / "both.yaml"
    path.write_text(BEFORE.replace("mitigators: [negation]", "mitigators: [default, negation]"), encoding="utf-8")
    both = Checker([load_lexicon(path, verify=False)])
    assert not _rules(both, "我们不会挂您电话")
    assert not _rules(both, "请您稍等再挂您电话")
    assert _rules(both, "挂您电话") == ["ZZ101"]
    assert _rules(before_checker, "请您稍等再挂您电话") == ["ZZ101"]


def test_an_unknown_mitigator_name_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BEFORE.replace("mitigators: [negation]", "mitigators: [negaton]"), encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown mitigator 'negaton'.*negation, softener"):
        load_lexicon(path, verify=False)


def test_default_lexicon_negated_and_self_directed_words():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    # The lexicon's entries and their contexts; the tone model has its own tests (test_tone*.py).
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    rude = ["你再骂人我就挂你电话", "你怎么这么笨", "问这种蠢问题", "你脑子不好使吧", "这能怪我吗？",
            "你自己不看短信，现在又来怪我们", "给我滚", "不说我就挂了啊", "大点声！"]
    polite = ["放心，我绝不会挂您电话", "没有什么蠢问题，您问得好", "千万别觉得自己笨，这里确实难找",
              "是我手笨，输错了一位，马上改", "怪我怪我，没讲清楚", "都怪我脑子不好使，记错了日期",
              "傻子瓜子在二楼特产区", "抱歉，我们已经下班了，明天九点开始受理",
              "有个牌子叫笨笨的狗粮，是这款吗", "我不是要挂您电话，是帮您转专线",
              "您别急，我大点声跟您说", "好的都记下了，谢谢您，那我先挂了啊"]
    for text in rude:
        assert checker.check(text), text
    for text in polite:
        assert not checker.check(text), text


DENIAL = textwrap.dedent("""\
    version: 1
    name: denial
    kind: forbidden
    mitigators:
      - {name: denial, pattern: '你不是', scope: before, reach: 0, boundary: false, questions: false}
      - {name: denial-any, pattern: '你不是', scope: before, reach: 0, boundary: false}
    entries:
      - id: ZZ201
        name: fool
        category: x
        description: 笨
        patterns: ['笨']
        options: {skip_contexts: [mitigated], mitigators: [denial]}
      - id: ZZ202
        name: fool-any
        category: x
        description: 傻 (a denial of either kind)
        patterns: ['傻']
        options: {skip_contexts: [mitigated], mitigators: [denial-any]}
    """)


@pytest.fixture(scope="module")
def denial_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, DENIAL)


def test_a_statements_only_mitigator_holds_in_a_statement(denial_checker):
    assert not _rules(denial_checker, "您不是笨，是这个设置藏得太深了。")
    assert not _rules(denial_checker, "您不是笨 这个设置藏得太深了")  # speech-to-text, no marks


@pytest.mark.parametrize("text", ["您不是笨吗？", "你不是笨吗", "您不是笨吧", "你不是笨是什么", "你不是笨，这都不会？",
                                  "你不是笨 那是啥"])
def test_a_statements_only_mitigator_does_not_hold_in_a_question(denial_checker, text):
    assert _rules(denial_checker, text) == ["ZZ201"]


def test_a_question_elsewhere_in_the_turn_does_not_count(denial_checker):
    # Only the hit's own sentence is asked about: a question in the next one changes nothing.
    assert not _rules(denial_checker, "您不是笨，是页面太绕了。还有别的问题吗？")


def test_a_long_unpunctuated_run_is_judged_by_its_end(denial_checker):
    # Thousands of hits in one sentence without a mark: each is asked whether the sentence is a
    # question, which looks at how it ends (a bounded tail), not at all that follows each hit.
    assert _rules(denial_checker, "你不是笨吗" * 3000) == ["ZZ201"] * 3000
    assert _rules(denial_checker, "你不是笨" * 3000) == []
    assert _rules(denial_checker, "你不是笨" * 3000 + "吗") == ["ZZ201"] * 3000


def test_mitigators_hold_in_questions_by_default(denial_checker):
    assert not _rules(denial_checker, "你不是傻吗？")


def test_default_lexicon_reassuring_and_rhetorical_denials():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    polite = ["没有没有，您不是笨，这个设置藏得太深了，很多人都找不到，我来一步步跟您说。",
              "阿姨您不是老糊涂，这个密码规则确实太复杂了，我陪您一起设。",
              "您不是没文化，这些金融术语本来就很拗口。",
              "您不是骗子，这次冻结是系统误判，我们已经核实了您的身份，马上解冻。"]
    rude = ["您不是傻吧？", "你不是笨是什么", "你不是老糊涂了吧？刚说的又忘了", "你不是骗子是什么？", "您不是没文化吧？"]
    for text in polite:
        assert not checker.check(text), text
    for text in rude:
        assert checker.check(text), text


@pytest.mark.parametrize("pattern, problem", [("谢谢", "'谢谢' never occurs"), ("请您", "'您' never occurs"),
                                              ("请.*", "unbounded repeat")])
def test_a_mitigator_that_cannot_match_normalised_text_is_refused(tmp_path, pattern, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(LEXICON.replace("pattern: '请|麻烦'", f"pattern: '{pattern}'"), encoding="utf-8")
    with pytest.raises(LexiconError, match=f"mitigator softener: .*{re.escape(problem)}"):
        load_lexicon(path, verify=False)


AFTER = textwrap.dedent("""\
    version: 1
    name: after
    kind: forbidden
    mitigators:
      - {name: way-forward, pattern: '我.{0,3}帮你(查|问)|可以(提交)?申诉', scope: after, boundary: false}
    entries:
      - id: ZZ010
        name: rules-are-rules
        category: x
        description: 规定就是规定
        patterns: ['规定就是规定']
        options: {skip_contexts: [mitigated], mitigators: [way-forward]}
      - id: ZZ011
        name: rules-are-rules-plain
        category: x
        description: 规定就是规定 (no mitigators named)
        patterns: ['规定(我们)?改不了']
        options: {skip_contexts: [mitigated]}
    """)


@pytest.fixture(scope="module")
def after_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, AFTER)


def test_a_way_forward_after_the_hit_mitigates_it(after_checker):
    assert "ZZ010" not in _rules(after_checker, "规定就是规定，不过我帮您问问有没有例外")
    # the next sentence still counts: the way forward often opens a sentence of its own
    assert "ZZ010" not in _rules(after_checker, "规定就是规定。您觉得不合理的话可以提交申诉")


def test_a_way_forward_before_the_hit_or_two_sentences_on_does_not(after_checker):
    assert "ZZ010" in _rules(after_checker, "我帮您问过了，规定就是规定")
    assert "ZZ010" in _rules(after_checker, "规定就是规定。别问了。可以申诉，但没用")


def test_scope_after_is_taken_only_by_name(after_checker):
    # like scope before: an entry that names no mitigators does not get it by default
    assert "ZZ011" in _rules(after_checker, "规定改不了，我帮您问问")


def test_scope_after_is_bounded():
    # a call of speech-to-text without a sentence end: the way forward must be near
    text = "规定就是规定" + "嗯" * 200 + "我帮你查"
    mitigation = Mitigation(re.compile("我.{0,3}帮你查"), False, False, -1, True)
    assert not is_mitigated(text, 0, 6, [mitigation])
    assert is_mitigated("规定就是规定" + "嗯" * 20 + "我帮你查", 0, 6, [mitigation])


EARLIER = textwrap.dedent("""\
    version: 1
    name: earlier
    kind: forbidden
    mitigators:
      - {name: bad-line, pattern: '信号(不好|差)|太吵', scope: earlier, boundary: false}
    entries:
      - id: ZZ020
        name: speak-up
        category: x
        description: 大点声
        patterns: ['大点声']
        options: {skip_contexts: [mitigated], mitigators: [bad-line]}
      - id: ZZ021
        name: speak-up-plain
        category: x
        description: 大点声 (no mitigators named)
        patterns: ['声音大点']
        options: {skip_contexts: [mitigated]}
    """)


@pytest.fixture(scope="module")
def earlier_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, EARLIER)


def test_a_reason_given_before_the_hit_mitigates_it(earlier_checker):
    assert "ZZ020" not in _rules(earlier_checker, "这边太吵了，您大点声")
    # the sentence before the hit's own still counts: the reason often is a sentence of its own
    assert "ZZ020" not in _rules(earlier_checker, "喂？信号不好，您换个地方吧？大点声说号码")
    assert "ZZ020" not in _rules(earlier_checker, "信号不好！！您大点声")


def test_a_reason_after_the_hit_or_two_sentences_back_does_not(earlier_checker):
    assert "ZZ020" in _rules(earlier_checker, "大点声，这边太吵了")
    assert "ZZ020" in _rules(earlier_checker, "信号不好。您说什么？大点声！")


def test_scope_earlier_is_taken_only_by_name(earlier_checker):
    assert "ZZ021" in _rules(earlier_checker, "信号不好，声音大点")


def test_scope_earlier_is_bounded():
    # a call of speech-to-text without a sentence end: the reason must be near
    text = "信号不好" + "嗯" * 200 + "大点声"
    mitigation = Mitigation(re.compile("信号不好"), False, False, earlier=True)
    assert not is_mitigated(text, len(text) - 3, len(text), [mitigation])
    near = "信号不好" + "嗯" * 20 + "大点声"
    assert is_mitigated(near, len(near) - 3, len(near), [mitigation])


def test_default_lexicon_speak_up_with_the_reason_given_first():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    polite = ["喂？喂？信号断断续续的，您能换个地方再打过来吗？或者大声点说号码。",
              "师傅，风太大了听不清！您大点声，车牌号多少？"]
    rude = ["你说什么？大点声！", "我这边很安静。是你声音太小，大点声！"]
    for text in polite:
        assert "FB003" not in _rules(checker, text), text
    for text in rude:
        assert "FB003" in _rules(checker, text), text


def test_default_lexicon_refusals_with_a_way_forward():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS], tone=None)
    rude = ["这是规定，我也没办法", "不归我们管，找物业去", "具体原因不便透露", "这事跟我没关系"]
    polite = ["这是规定，我也没办法改，不过我可以帮您提交一个特殊申请，三天内给您答复",
              "这个不归我们管。我现在帮您联系物业，半小时内回电",
              "具体原因不便透露。如果您有异议，可以走人工申诉复核"]
    for text in rude:
        assert checker.check(text), text
    for text in polite:
        assert not checker.check(text), text


@pytest.mark.xfail(strict=True, reason=(
    "known false alarm of the tone model's n-gram stage (FB900), which judges one sentence at a "
    "time: the way forward is the NEXT sentence, and a lexicon hit the way-forward context clears "
    "does not clear the model's call on the same words. Blanking the words a way forward "
    "redeemed before the model scores the sentence passes the second case but lost 2 rude items "
    "and cleared no polite one on 63,343 texts (benchmarks/RESULTS.md). Strict: when it passes, "
    "drop the mark."))
@pytest.mark.parametrize("text", ["您是不是没看到短信？我重新给您发一条",
                                  "这个不归我们管。我现在帮您联系物业，半小时内回电"])
def test_whole_checker_clears_a_rude_looking_sentence_redeemed_by_the_next(text):
    assert not Checker.default().check(text), text


BY_NAME = textwrap.dedent("""\
    version: 1
    name: by-name
    kind: forbidden
    mitigators:
      - {name: it-subject, pattern: '^它', scope: sentence, boundary: false, by_name: true}
      - {name: apology, pattern: '抱歉', scope: sentence, boundary: false}
    entries:
      - id: ZZ020
        name: silly
        category: x
        description: 傻瓜
        patterns: ['傻瓜']
        options: {skip_contexts: [mitigated], mitigators: [it-subject]}
      - id: ZZ021
        name: not-our-fault
        category: x
        description: 跟我们没关系
        patterns: ['跟我们没关系']
        options: {skip_contexts: [mitigated]}
    """)


@pytest.fixture(scope="module")
def by_name_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, BY_NAME)


def test_a_by_name_sentence_mitigator_holds_for_the_entries_naming_it(by_name_checker):
    assert "ZZ020" not in _rules(by_name_checker, "它又把拖鞋叼走了，真是个小傻瓜")
    assert "ZZ020" in _rules(by_name_checker, "你真是个小傻瓜")


def test_a_by_name_sentence_mitigator_is_not_a_default(by_name_checker):
    # the entry naming no mitigators takes the sentence ones by default, but not a by_name one
    assert "ZZ021" in _rules(by_name_checker, "它自己体质差，跟我们没关系")
    assert "ZZ021" not in _rules(by_name_checker, "抱歉，它自己体质差，跟我们没关系")


DEFAULTED = textwrap.dedent("""\
    version: 1
    name: defaulted
    kind: forbidden
    default_mitigators: [negation]
    mitigators:
      - {name: softener, pattern: '请'}
      - {name: negation, pattern: '不是|没说', scope: before, reach: 0, boundary: false}
    entries:
      - id: ZZ201
        name: too-many-demands
        category: x
        description: 你要求太多 (no options, so the lexicon's default mitigators)
        patterns: ['你要求太多']
      - id: ZZ202
        name: too-many-demands-strict
        category: x
        description: 你的要求太多了 (options of its own, so no negation)
        patterns: ['你的要求太多了']
        options: {skip_contexts: [quoted]}
    """)


def test_default_mitigators_reach_entries_without_options_only(tmp_path_factory):
    checker = _checker_of(tmp_path_factory, DEFAULTED)
    assert _rules(checker, "你要求太多") == ["ZZ201"]
    assert not _rules(checker, "不是你要求太多，是我们漏看了")
    assert not _rules(checker, "我可没说您要求太多")
    assert _rules(checker, "请你要求太多")  # only the named default, not every clause mitigator
    assert _rules(checker, "不是你的要求太多了") == ["ZZ202"]  # set its own options


def test_default_mitigators_must_name_mitigators(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(DEFAULTED.replace("default_mitigators: [negation]", "default_mitigators: [denial]"),
                    encoding="utf-8")
    with pytest.raises(LexiconError, match="default_mitigators: unknown mitigator 'denial'"):
        load_lexicon(path, verify=False)


def test_shipped_entries_without_options_take_the_negation():
    checker = Checker.default()
    assert not checker.check("不是您要求太多，轮椅服务本来就是应该提供的，已经给您预约好了。")
    assert [f.rule for f in checker.check("您要求太多了，轮椅服务我们提供不了。")] == ["FB108"]
    assert checker.check("这不是明摆着的吗")  # FB213 keeps its rhetorical 不是


UTTERANCE = textwrap.dedent("""\
    version: 1
    name: banter
    kind: forbidden
    slots:
      familiar: '[老小][王刘]|[王刘](姐|叔)'
    mitigators:
      - {name: banter, scope: utterance, over: original, pattern: '哈哈|😄', also: '{{familiar}}', by_name: true}
    entries:
      - id: ZZ030
        name: memory-jab
        category: x
        description: 您这记性
        patterns: ['你这记性']
        options: {skip_contexts: [mitigated], mitigators: [banter]}
      - id: ZZ031
        name: memory-jab-plain
        category: x
        description: 您这记性 (no mitigators named)
        patterns: ['这记性']
        options: {skip_contexts: [mitigated]}
    """)


@pytest.fixture(scope="module")
def utterance_checker(tmp_path_factory):
    return _checker_of(tmp_path_factory, UTTERANCE)


def test_scope_utterance_needs_both_signs_anywhere_in_the_turn(utterance_checker):
    # the name opens the turn and the laughter ends it, sentences apart
    assert "ZZ030" not in _rules(utterance_checker, "刘姐！您这记性。上次把身份证落在这儿了，哈哈")
    assert "ZZ030" not in _rules(utterance_checker, "老王，您这记性，又忘带卡了😄")
    assert "ZZ030" in _rules(utterance_checker, "您这记性，又忘带卡了，哈哈")  # laughter alone
    assert "ZZ030" in _rules(utterance_checker, "刘姐，您这记性，又忘带卡了")  # a name alone
    assert "ZZ030" in _rules(utterance_checker, "刘姐，您这记性，又忘带卡了，呵呵")


def test_scope_utterance_reads_original_characters(utterance_checker):
    # normalisation collapses 哈哈 to 哈 and drops the emoji: only the original text holds them
    assert "ZZ030" in _rules(utterance_checker, "刘姐，您这记性，又忘带卡了哈")


def test_scope_utterance_is_taken_only_by_name(utterance_checker):
    assert "ZZ031" in _rules(utterance_checker, "刘姐，这记性，又忘带卡了，哈哈")


@pytest.mark.parametrize("fields", ["scope: sentence, over: original, pattern: '哈哈'",
                                    "scope: clause, pattern: '哈', also: '老王'",
                                    "scope: after, over: original, pattern: '哈', also: '老王'"])
def test_original_characters_and_also_need_their_scopes(tmp_path, fields):
    path = tmp_path / "lexicon.yaml"
    mitigator = "scope: utterance, over: original, pattern: '哈哈|😄', also: '{{familiar}}'"
    path.write_text(UTTERANCE.replace(mitigator, fields), encoding="utf-8")
    with pytest.raises(LexiconError, match="needs scope"):
        load_lexicon(path, verify=False)


def test_a_mitigator_over_normalised_text_refuses_unnormalised_words(tmp_path):
    # 您 never occurs in normalised text: over it, a mitigator saying 您 could never hold
    path = tmp_path / "lexicon.yaml"
    path.write_text(UTTERANCE.replace("over: original, pattern: '哈哈|😄'", "pattern: '您好'"), encoding="utf-8")
    with pytest.raises(LexiconError, match="banter"):
        load_lexicon(path, verify=False)


def test_scope_utterance_over_normalised_text_reads_the_whole_turn(tmp_path_factory):
    # the default `over`: the turn's normalised text, on word boundaries (老顾客 folded from 老顧客)
    checker = _checker_of(tmp_path_factory, UTTERANCE.replace(
        "over: original, pattern: '哈哈|😄', also: '{{familiar}}'", "pattern: '老顾客'"))
    assert "ZZ030" not in _rules(checker, "老顧客了！您这记性。上次又忘带卡了")
    assert "ZZ030" in _rules(checker, "您这记性。上次又忘带卡了")
    text = "您这记性，" * 2000 + "老顾客了"  # asked once per turn, however many hits it holds
    assert "ZZ030" not in _rules(checker, text)


@pytest.mark.parametrize("text", [
    "吴叔，您又把会员卡落家里啦？没事，报手机号一样的，您这记性跟我差不多，哈哈。",
    "哈哈 小刘又来充卡啦 这个月都第几回了 你这是坐公交坐出感情来了啊",
    "刘姐您这记性，上次把身份证落在这儿，今天可别又落下了，哈哈。",
])
def test_default_lexicon_banter_with_a_regular(text):
    assert Checker.default().check(text) == []


@pytest.mark.parametrize("text", [
    "刘姐您这记性，上次把身份证落在这儿，今天可别又落下了，呵呵。",  # 呵呵 sneers
    "您这记性，上次把身份证落在这儿，今天可别又落下了，哈哈。",  # no regular named
])
def test_default_lexicon_jabs_without_banter_stay(text):
    # The lexicon's own reading: its banter mitigator wants laughter and a regular named. The tone
    # model's lexicon veto is a later stage with its own judgement (tests/test_tone_lexicon_veto.py):
    # it keeps the first (呵呵 is a sign it never clears) and reads the second as courteous.
    assert "FB232" in [f.rule for f in Checker.from_lexicons([], tone=False).check(text)]


@pytest.mark.parametrize("text", [
    "滚蛋汤就是我们的番茄鸡蛋汤，名字调皮，味道很正。",
    "废柴套装已发放。",
    "土鳖虫是中药材，需要处方，我帮您转给医生开。",
    "嗯 您好 那个 您要的 傻瓜胶水 就是免调色那款 呃 今天有货 给您留一瓶吗",
    "您说的是停在傻仔桥旁边那辆车吧？我这边看到定位了，马上帮您锁车。",  # a place: one character between
    "我劝您别再用那个杂牌充电器了，电池鼓包多半就是它弄的，真的危险。",  # a hazard named: a warning
])
def test_default_lexicon_a_word_opening_a_things_name(text):
    assert Checker.default().check(text) == []


@pytest.mark.parametrize("text, rule", [
    ("滚蛋，汤都凉了还不走", "FB039"),  # the mark between: read in the original characters
    ("你个傻瓜，面都不会煮", "FB048"),
    ("你个土鳖，虫子都怕", "FB047"),
    ("你傻啊，路都不认识", "FB048"),
    ("我劝你别再来了", "FB104"),
])
def test_default_lexicon_a_thing_after_a_mark_names_nothing(text, rule):
    assert rule in [f.rule for f in Checker.default().check(text)]
