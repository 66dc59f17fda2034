"""The tone model (lexicon.tone, lexicons/models/tone.yaml, docs/tone-model.md)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck import Checker
from scriptcheck.errors import LexiconError, ScriptcheckError
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.lexicon.tone import default_tone_path, load_tone, own_words, sentences

TONE = load_tone()
RULE = TONE.rule


@pytest.mark.parametrize("text", TONE.data.examples.match)
def test_match_examples_are_flagged(text: str) -> None:
    assert TONE.check(text), (text, TONE.score(text))


@pytest.mark.parametrize("text", TONE.data.examples.no_match)
def test_no_match_examples_are_not_flagged(text: str) -> None:
    assert not TONE.check(text), (text, TONE.score(text))


def test_examples_exist() -> None:
    assert len(TONE.data.examples.match) >= 5 and len(TONE.data.examples.no_match) >= 5
    assert TONE.failing_examples() == []


@pytest.mark.parametrize("text", [
    "亲！！您好。  你自己下单不看清楚，现在怪谁？？",
    "您好，请稍等。\n你急什么急，排队的人多了去了！",
    "「系统」 你們自己去找快遞吧～",
])
def test_spans_index_the_original_text(text: str) -> None:
    found = [f for f in TONE.check(text)]
    assert found
    for f in found:
        assert text[f.start:f.end] == f.text
        assert f.text.strip() == f.text and f.text[-1] not in "？！。～"
        assert "线索" in f.message  # the evidence is named


def test_finding_names_the_cues() -> None:
    [finding] = TONE.check("你自己去看订单，别老问")
    assert finding.rule == RULE
    assert "ni_ziji" in finding.message or "ziji_qu" in finding.message


@pytest.mark.parametrize("text", [
    "您说同事跟您讲“你自己去看，别老问”，这是我们的错，非常抱歉",
    "我们绝不会对客户说“你自己去看”这种话",
    "他们回复您说你自己去找快递，这样的回答确实不对",
    "非常抱歉，麻烦您自己在订单页面看一下，我也帮您查",
    "您别着急，不是您的问题，我马上帮您处理",
])
def test_mitigated_or_quoted_not_flagged(text: str) -> None:
    assert not TONE.check(text), TONE.score(text)


def test_hooked_into_the_default_checker_and_switchable_off() -> None:
    text = "身份证都不带，你自己看着办，关我什么事"
    lexicons = load_lexicons(DEFAULT_LEXICONS, verify=False)
    on = PhraseMatcher(lexicons)
    off = PhraseMatcher(lexicons, tone=None)
    assert on.tone is not None and off.tone is None
    assert any(f.rule == RULE for f in on.check("你自己去看订单，别老问")) or on.check("你自己去看订单，别老问")
    assert all(f.rule != RULE for f in off.check(text))
    assert Checker.default().tone is not None


def test_only_with_the_packaged_forbidden_lexicon() -> None:
    assert PhraseMatcher(load_lexicons(["polite"], verify=False)).tone is None


def test_env_switch(monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_TONE", "off")
    assert PhraseMatcher(load_lexicons(DEFAULT_LEXICONS, verify=False)).tone is None


def test_lexicon_finding_wins_over_the_tone_finding() -> None:
    checker = Checker.default()
    findings = checker.check("你怎么连这个也不懂")
    assert findings and findings[0].rule != RULE
    assert all(f.rule != RULE for f in findings)


def test_scan_many_reports_turns() -> None:
    from scriptcheck.text.normalize import normalize_many
    checker = Checker.default()
    scans = checker.scan_many(normalize_many(["您好", "你自己去看订单，别老问"]), [0, 1])
    assert scans[0].findings == []
    assert scans[1].findings and all(f.turn == 1 for f in scans[1].findings)


def test_corrupt_file_names_file_and_reason(tmp_path) -> None:
    text = default_tone_path().read_text(encoding="utf-8")
    bad = tmp_path / "tone.yaml"
    bad.write_text(text.replace("pattern: '难道'", "pattern: '(a+)+b'"), encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_tone(bad)
    assert str(bad) in str(info.value) and "nandao" in str(info.value)
    bad.write_text(text.replace("threshold:", "thresold:"), encoding="utf-8")
    with pytest.raises(ScriptcheckError, match="thresold"):
        load_tone(bad)
    flipped = re.sub(r"(family: softener, pattern: '[^']*', weight: )-", r"\1", text)
    assert flipped != text
    bad.write_text(flipped, encoding="utf-8")
    with pytest.raises(LexiconError, match="wrong sign"):
        load_tone(bad)
    bad.write_text("cues: [", encoding="utf-8")
    with pytest.raises(LexiconError, match=str(bad).replace("\\", "\\\\")):
        load_tone(bad)


def test_sentences_and_own_words() -> None:
    text = "  您好！你自己去看。。"
    assert [text[s:e] for s, e in sentences(text)] == ["您好", "你自己去看"]
    assert own_words("他说“你走”了") == "他说    了"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_crashes_and_spans_hold(text: str) -> None:
    for f in TONE.check(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("你您自己去看别问呗烦快点难道吗，。！“”请抱歉 a\n")), max_size=40).map("".join))
def test_never_crashes_on_cue_soup(text: str) -> None:
    for f in TONE.check(text):
        assert text[f.start:f.end] == f.text


@pytest.mark.parametrize("text", ["神经科在门诊楼三楼", "农村地区的快递要多等一天", "这类威胁信息会被系统拦截"])
def test_one_cue_word_alone_is_not_a_rude_tone(text: str) -> None:
    # Each fires exactly one cue (insult, prejudice, threat): min_cues 2 keeps them out.
    assert TONE.data.min_cues == 2
    assert TONE.check(text) == []


def test_two_cues_flag() -> None:
    [finding] = TONE.check("你急什么急")
    assert finding.rule == TONE.rule and "you_plain" in finding.message


CUES_ONLY = load_tone(ngram=False)


@pytest.mark.parametrize("text", ["我不是说你不懂，我是说你根本没看。", "你压根没看通知吧", "你根本没照着做"])
def test_you_never_looked_is_held_by_a_cue(text: str) -> None:
    # The accusation must not rest on the n-gram weight of 你根本 alone: a refit with kind uses of
    # 根本 (您根本用不上) lowered it below the threshold (docs/tone-model.md, refits AE and AF).
    [finding] = CUES_ONLY.check(text)
    assert "you_cannot" in finding.message


@pytest.mark.parametrize("text", ["你根本没必要道歉，是我们的问题。", "你根本没错，是我们系统的问题。"])
def test_you_need_not_is_not_the_accusation_cue(text: str) -> None:
    assert CUES_ONLY.check(text) == []


@pytest.mark.parametrize("text", ["对不起，我暂时理解不了你的意思", "抱歉，小安还理解不了您说的，换个说法试试"])
def test_a_bot_not_understanding_is_its_own_failure(text: str) -> None:
    # A chatbot's fallback (fresh chatbot repositories, s56): the speaker failed to understand.
    assert [f for f in Checker.default().check(text) if f.rule == "FB900"] == []


def test_the_customer_told_they_cannot_understand_keeps_the_cue() -> None:
    [finding] = CUES_ONLY.check("你怎么连这都理解不了")
    assert "know_nothing" in finding.message


def test_a_sentence_without_chinese_is_not_judged() -> None:
    # A bilingual bot's English reply (fresh chatbot repositories, s56): the turn stage's
    # single-letter triggers let this one through, and it scored 0.82 on a model fitted on Chinese.
    english = "BBC radio obtained video footage of a woman with severe burns who received no assistance from drivers or police officers"
    assert Checker.default().check(english) == []
    assert [f.rule for f in Checker.default().check("你是不是傻，看不懂英文吗")] == ["FB048"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z]{1,9}", fullmatch=True), min_size=3, max_size=30),
       st.sampled_from([" ", ", ", "-", " . "]))
def test_english_sentences_never_get_a_tone_finding(words: list[str], gap: str) -> None:
    assert not any(f.rule == "FB900" for f in Checker.default().check(gap.join(words)))


def test_latin_letters_in_chinese_chat_are_still_judged() -> None:
    # ｇｕｎ (滚 in pinyin, full-width) is rude in every writer set that has it.
    assert [f.rule for f in Checker.default().check("ｇｕｎ")] == ["FB900"]


def test_rule_doc_and_rule_list_know_the_tone_rule() -> None:
    from click.testing import CliRunner

    from scriptcheck.cli import cli

    doc = CliRunner().invoke(cli, ["rule", TONE.rule])
    assert doc.exit_code == 0 and "tone.yaml" in doc.stdout and TONE.data.examples.match[0] in doc.stdout
    listed = CliRunner().invoke(cli, ["rules"])
    assert any(line.startswith(TONE.rule) for line in listed.stdout.splitlines())


def test_a_profile_can_turn_the_tone_model_off(tmp_path) -> None:
    from scriptcheck import Transcript
    from scriptcheck.scoring.engine import ProfileScorer

    rude = Transcript.model_validate({"id": "t", "turns": [{"speaker": "customer", "text": "我的快递呢"},
                                                           {"speaker": "agent", "text": "不是说了吗，你自己去看订单"}]})
    assert TONE.rule in {f.rule for f in ProfileScorer.load("hotline").score(rude).findings}
    off = tmp_path / "quiet.yaml"
    off.write_text("version: 1\nname: quiet\nextends: hotline\nforbidden: {tone: false}\n", encoding="utf-8")
    assert TONE.rule not in {f.rule for f in ProfileScorer.load(str(off)).score(rude).findings}
    assert TONE.rule not in {f.rule for f in Checker.from_profile(str(off)).score(rude).findings}
