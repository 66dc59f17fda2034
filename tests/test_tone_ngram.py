"""The tone model's n-gram stage (``lexicon/ngram.py``, ``lexicons/models/tone_ngram.yaml``) and
the overlays that reach the tone model (``lexicon/overlay.py``: ``tone:`` and FB900 entries)."""

from __future__ import annotations

import re
import shutil

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.loader import load_lexicons
from scriptcheck.lexicon.ngram import load_ngram
from scriptcheck.lexicon.ngram_features import features, weigh
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.text.normalize import normalize

# Written for these tests, after the fit: in none of benchmarks/data (rude replies no cue
# combination of the cue stage reaches).
UNSEEN_RUDE = ["一天到晚就知道打电话，你是没别的事干吗", "啥玩意儿都不懂还瞎投诉"]
# Polite near-misses written for these tests: quoted or negated taboos, refusals with an
# alternative, product names with 滚/傻/笨, hotline lines.
UNSEEN_POLITE = [
    "您好，这款滚筒洗衣机目前有现货，今天下单明天送达",
    "非常抱歉，您说的“爱买不买”绝不是我们的服务态度，我们已经处理了该员工",
    "您一点也不笨，这个步骤确实容易弄错，我来帮您操作",
    "不好意思，这个我们暂时办不了，我帮您转接到专门的部门",
    "对不起！请您大声一点，好吗？",
    "傻妞牌电视机的售后电话是400开头的，我发给您",
    "我们不会说“你自己去看”这种话，请您放心，我一步一步教您",
]


@pytest.fixture(scope="module")
def full():
    return load_tone()


@pytest.fixture(scope="module")
def cues_only():
    return load_tone(ngram=False)


@pytest.mark.parametrize("text", UNSEEN_RUDE)
def test_unseen_rude_sentence_is_flagged_by_the_ngram_stage(full, cues_only, text: str) -> None:
    assert not cues_only.check(text)  # what the n-gram stage adds
    hits = full.hits(normalize(text))
    assert [h.stage for h in hits] == ["ngram"]
    assert hits[0].score >= full.ngram.threshold
    finding = full.check(text)[0]
    assert finding.rule == "FB900" and "n-gram" in finding.message


@pytest.mark.parametrize("text", UNSEEN_POLITE)
def test_polite_near_misses_are_not_flagged(text: str) -> None:
    assert Checker.default().check(text) == []


def test_ngram_spans_index_the_original_text(full) -> None:
    # Traditional characters, full-width letters and spaces: normalised for the features,
    # reported at their place in what the agent wrote.
    text = "您好。 啥玩意兒都不懂還瞎投訴！　謝謝"
    hits = full.hits(normalize(text))
    assert [h.stage for h in hits] == ["ngram"]
    assert text[hits[0].start:hits[0].end] == "啥玩意兒都不懂還瞎投訴"


def test_quoted_words_do_not_feed_the_ngram_stage(full) -> None:
    # The same words, quoted to apologise for them: blanked before scoring, even when the quote
    # opens the sentence (its 「 is trimmed from the sentence's edge).
    assert full.check("「啥玩意儿都不懂还瞎投诉」——这种话我们以后绝不会再说，非常抱歉")  == []


def test_the_ngram_stage_vetoes_the_cue_stage_on_polite_instructions(full, cues_only) -> None:
    # Dialect or colleague-directed speech with plain 你: the cue stage alone calls it rude.
    text = "小林你来接一下这位阿姨，我这边交班没空了，别让她等"
    assert cues_only.check(text)
    assert full.check(text) == []


def test_features_and_weights() -> None:
    assert features("你好", "你好") == ["你", "好", "^你", "你好", "好$", "^你好", "你好$", "^你好$", "<你>"]
    assert "<L20>" in features("你" * 20, "") and "<L40>" not in features("你" * 20, "")
    assert features("你好", "您好", low=2, high=2)[-1] == "<您>"
    assert weigh({"你好": 1.0, "<bie>": 0.5}, "你好", "", ("bie", "other")) == 1.5


def test_a_very_long_sentence_neither_overflows_nor_is_flagged(full) -> None:
    # Thousands of n-grams sum to a log-odds far past what math.exp takes (-709): a hostile or
    # broken turn of one endless polite sentence must be scored, not crash the batch.
    text = "我们店的笨鸡蛋不会挂你电话" * 6000
    # The input is only a test of the overflow if its log-odds are past exp's range: say so
    # when a refit's weights make it fall short, rather than passing without testing it.
    assert full.ngram.logit(normalize(text).text, text) < -745
    assert full.ngram.probability(normalize(text).text, text) == 0.0
    assert full.ngram.judge(normalize(text).text, text)[0] is False
    assert [f for f in full.check(text)] == []


def test_the_packaged_stage_is_loaded_with_the_tone_model(full) -> None:
    assert full.ngram is not None and full.ngram.triggers
    assert 0 < full.ngram.threshold < 1
    assert all(full.ngram.data.weights[t] > 0 for t in full.ngram.triggers)


def _copy_models(tmp_path):
    """The packaged tone model and its n-gram stage, copied to be edited."""
    for name in ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(default_tone_path().parent / name, tmp_path / name)
    return tmp_path / "tone.yaml", tmp_path / "tone_ngram.yaml"


@pytest.mark.parametrize("old, new, field", [
    ("threshold: 0.", "threshold: 1", "threshold"),
    ("orders: [1, 4]", "orders: [3, 1]", "orders"),
    ("version: 1", "version: 2", "version"),
    ("weights:\n", "weights:\n  \"bad\": oops\n", "weights.bad"),
    ("weights:\n", "weights:\n  \"一二三四五六\": 1.0\n", "not an n-gram"),
    ("triggers: [", "triggers: [\"不在里面的词\", ", "triggers"),
    ("version: 1", "version: 1\nsurprise: true", "surprise"),
])
def test_bad_ngram_file_is_refused_in_one_line(tmp_path, old, new, field) -> None:
    _, path = _copy_models(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_ngram(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and field in message


def test_a_trigger_that_is_not_normalised_text_is_refused(tmp_path) -> None:
    # The gate looks triggers up in normalised turns as they are: 們 (traditional) or 您 (read as
    # 你) would never fire, so the file is refused when validated, not silently half-dead.
    for gram in ("們", "您"):
        _, path = _copy_models(tmp_path)
        content = path.read_text(encoding="utf-8").replace("weights:\n", f'weights:\n  "{gram}": 5.0\n', 1)
        path.write_text(content.replace("triggers: [", f'triggers: ["{gram}", ', 1), encoding="utf-8")
        with pytest.raises(LexiconError, match=f"triggers: '{gram}' is not normalised text"):
            load_ngram(path)


def test_the_packaged_triggers_are_their_own_normal_form(full) -> None:
    from scriptcheck.text.normalize import normalize_phrase
    triggers = [*full.ngram.triggers, *full.turn.triggers]
    assert len(triggers) > 1000
    assert [t for t in triggers if normalize_phrase(t) != t] == []


def test_tone_file_names_a_missing_or_unsafe_ngram_file(tmp_path) -> None:
    tone, ngram = _copy_models(tmp_path)
    ngram.unlink()
    with pytest.raises(LexiconError, match="tone_ngram.yaml: no such file"):
        load_tone(tone)
    tone.write_text(tone.read_text(encoding="utf-8").replace("ngram: tone_ngram.yaml", "ngram: ../x.yaml"),
                    encoding="utf-8")
    with pytest.raises(LexiconError, match="ngram"):
        load_tone(tone)


def test_ngram_weights_must_name_known_cues(tmp_path) -> None:
    tone, ngram = _copy_models(tmp_path)
    ngram.write_text(ngram.read_text(encoding="utf-8").replace("weights:\n", "weights:\n  \"<no_such_cue>\": 1.0\n"),
                     encoding="utf-8")
    with pytest.raises(LexiconError, match="no_such_cue"):
        load_tone(tone)


# ---------------------------------------------------------------- overlays reach the tone model

RUDE = UNSEEN_RUDE[0]


def _overlay(tmp_path, body: str, name: str = "reviewed.yaml"):
    path = tmp_path / name
    path.write_text("version: 1\nextends: forbidden\n" + body, encoding="utf-8")
    return path


def test_overlay_allows_a_reviewed_text(tmp_path) -> None:
    path = _overlay(tmp_path, f"tone:\n  allow: [{RUDE}]\n  note: reviewed 2026-11\n")
    assert [f.rule for f in Checker.default().check(RUDE)] == ["FB900"]
    checker = Checker.from_lexicons([path])
    assert checker.check(RUDE) == []
    assert checker.check(UNSEEN_RUDE[1])  # only that text


def test_overlay_entry_fb900_allows_its_texts(tmp_path) -> None:
    path = _overlay(tmp_path, f"entries:\n  - id: FB900\n    allow: [{RUDE}]\n")
    assert Checker.from_lexicons([path]).check(RUDE) == []


def test_overlay_turns_the_tone_model_off(tmp_path) -> None:
    path = _overlay(tmp_path, "tone: {enabled: false}\n")
    checker = Checker.from_lexicons([path])
    assert checker.tone is None
    assert checker.check(RUDE) == []
    # Two overlays: off stays off.
    other = _overlay(tmp_path, f"tone:\n  allow: [{RUDE}]\n", "other.yaml")
    assert Checker.from_lexicons([other, path]).tone is None


def test_tone_section_only_on_a_forbidden_lexicon(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nextends: polite\ntone: {enabled: false}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="tone"):
        load_lexicons([path])


def test_review_turns_an_fb900_false_alarm_into_an_allowed_text(tmp_path) -> None:
    from scriptcheck.lexicon.overlay import apply_overlay
    from scriptcheck.lexicon.loader import load_lexicon
    from scriptcheck.lexicon.matcher import PhraseMatcher
    from scriptcheck.report.review import Verdict, build_overlay

    turn = f"您好。{RUDE}。再见"
    finding = Checker.default().check(turn)[0]
    assert finding.rule == "FB900"
    verdict = Verdict(id="t1", turn=0, rule="FB900", start=finding.start, end=finding.end, text=finding.text,
                      verdict="false_alarm", context=turn)
    overlay = build_overlay([verdict]).model
    assert [e.id for e in overlay.entries] == ["FB900"]
    merged = apply_overlay(load_lexicon("forbidden", verify=False), overlay, "<overlay>")
    assert merged.tone is not None and merged.tone.allow
    assert PhraseMatcher([merged]).check(turn) == []


def _tiny_stage(**extra):
    """A two-weight n-gram stage: logit("滚") = -2 + 3 = 1, probability 0.73."""
    from scriptcheck.lexicon.ngram import NgramFile, NgramModel
    data = {"version": 1, "source": "test", "orders": [1, 2], "bias": -2.0, "threshold": 0.9,
            "triggers": ["滚"], "weights": {"滚": 3.0, "谢": -4.0}, **extra}
    return NgramModel(NgramFile.model_validate(data))


def test_short_sentences_are_judged_at_their_own_threshold() -> None:
    plain = _tiny_stage()
    short = _tiny_stage(short_length=3, short_threshold=0.6)
    assert plain.judge("滚", "滚")[0] is False  # 0.73 < 0.9
    assert short.judge("滚", "滚")[0] is True  # one character: the short threshold, 0.73 >= 0.6
    long_text = "滚出去吧你们"  # six characters: not short, the same 0.73 < 0.9
    assert short.judge(long_text, long_text)[0] is False
    assert short.threshold_for("滚") == 0.6 and short.threshold_for(long_text) == 0.9
    assert plain.threshold_for("滚") == 0.9


@pytest.mark.parametrize("extra", [{"short_length": 8}, {"short_threshold": 0.8}])
def test_short_length_and_short_threshold_go_together(extra) -> None:
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="short_length and short_threshold"):
        _tiny_stage(**extra)


# Written for these tests: promises that the customer comes to no harm, in the words of the
# threats they rule out, and a rude reply that holds such a promise beside its rudeness. Each with
# an n-gram of its neutral clause.
NO_HARM_PROMISES = [("不会因为您欠了几块钱就给您停电", "停电"), ("医院不会因为您投诉就不给您看病", "看病")]
# Sympathy with bad luck as a clause of its own, a warning that a third party is a scammer, and
# one to keep a code secret.
SYMPATHY_AND_WARNINGS = [("包裹在路上被压扁了，等了一周就这么坏了，真够倒霉的。", "倒霉"),
                         ("社保卡不会被冻结，打电话这么说的都是骗子，您别理他们。", "骗子"),
                         ("动态码千万不能告诉别人，谁要都不要给。", "码千万")]
# A chatbot's fallback: the bot, not the customer, did not understand.
BOT_FALLBACKS = [("系统不明白您说的话", "不明白"), ("抱歉，小助手暂时没理解您的意思，换个说法试试？", "没理解")]


def _boosted(tmp_path, gram: str, neutral: bool):
    """The packaged tone model with ``gram`` made a trigger whose weight alone flags a sentence,
    with or without its neutral clauses: a test of the clauses that no refit can make moot. The
    turn stage's veto is taken out: it would overrule the artificial weight on a one-sentence turn."""
    tone, ngram = _copy_models(tmp_path)
    tone.write_text(re.sub(r"(?m)^turn_veto: .*\n", "", tone.read_text(encoding="utf-8")), encoding="utf-8")
    content = re.sub(rf'(?m)^  "{gram}": .*\n', "", ngram.read_text(encoding="utf-8"))
    content = content.replace("weights:\n", f'weights:\n  "{gram}": 20.0\n', 1)
    ngram.write_text(content.replace("triggers: [", f'triggers: ["{gram}", ', 1), encoding="utf-8")
    if not neutral:
        content = tone.read_text(encoding="utf-8")
        start = content.index("neutral:")
        tone.write_text(content[:start] + content[content.index("examples:", start):], encoding="utf-8")
    return load_tone(tone)


@pytest.mark.parametrize("text, gram", NO_HARM_PROMISES + SYMPATHY_AND_WARNINGS + BOT_FALLBACKS)
def test_a_neutral_clause_is_read_past_by_the_ngram_stage(full, tmp_path, text: str, gram: str) -> None:
    assert not full.check(text)
    # an n-gram of the neutral clause that alone flags: the stage never sees it while the clause
    # is neutral, and flags the text once the clauses are gone
    assert not _boosted(tmp_path, gram, neutral=True).check(text)
    assert [f.rule for f in _boosted(tmp_path, gram, neutral=False).check(text)] == ["FB900"]


# Written for these tests: a doubt echoed and granted in the next sentence, an emphatic yes, a
# refusal followed by what the agent does instead, jargon put into plain words, a fear denied;
# each with an n-gram of its neutral clause.
ANSWERED_AND_PLAIN = [("这还用问？当然能退，七天内原路退回。", "还用问"),
                      ("能开发票吗？怎么不能！我现在就给您开。", "么不能"),
                      ("改不了。不过我可以帮您重新下一单，运费我们出。", "改不了"),
                      ("“犹豫期”说人话就是：十五天内可以全额退保。", "说人话"),
                      ("您不是被盗刷了，是您绑定的自动续费扣的款。", "被盗刷")]


@pytest.mark.parametrize("text, gram", ANSWERED_AND_PLAIN)
def test_an_answered_doubt_a_way_forward_and_plain_words_are_read_past(full, tmp_path, text: str,
                                                                        gram: str) -> None:
    assert not full.check(text)
    assert not _boosted(tmp_path, gram, neutral=True).check(text)
    assert [f.rule for f in _boosted(tmp_path, gram, neutral=False).check(text)] == ["FB900"]


@pytest.mark.parametrize("text", ["我不明白你说的话", "你说的话系统不明白"])
def test_not_understanding_is_neutral_only_for_the_bot_as_the_subject(tmp_path, text: str) -> None:
    # an agent's 我不明白你说的话 is judged as it stands, and so is a clause that does not open with the bot
    assert "FB900" in [f.rule for f in _boosted(tmp_path, "不明白", neutral=True).check(text)]


def test_a_credential_warning_inside_a_reproach_stays_flagged(tmp_path) -> None:
    # credential_warning is neutral only as a whole clause: the same prohibition inside a
    # reproach (你不知道…吗) is judged as the reproach it is
    text = "你不知道动态码千万不能给别人吗"
    assert "FB900" in [f.rule for f in _boosted(tmp_path, "码千万", neutral=True).check(text)]


@pytest.mark.parametrize("text, gram", [("这还用问？说明书上都写着。", "还用问"),
                                        ("改不了。您自己下单时怎么不看清楚。", "改不了"),
                                        ("改不了。不过您可以去找商家。", "改不了"),
                                        ("您也不是第一个被骗的，习惯一下。", "第一个")])
def test_a_doubt_or_refusal_the_next_sentence_does_not_answer_stays_flagged(tmp_path, text: str,
                                                                            gram: str) -> None:
    # answered_by: the clause is neutral only where the next sentence grants the doubt or turns
    # to what the agent does; a bare echo, a refusal followed by blame or by sending the
    # customer elsewhere stays as flagged as without the clauses; and a denial without 被
    # (您也不是第一个) is no reassurance
    assert "FB900" in [f.rule for f in _boosted(tmp_path, gram, neutral=True).check(text)]


def test_the_rest_of_a_sentence_with_a_promise_is_still_judged(full) -> None:
    assert [f.rule for f in full.check("想多了吧，我们不会泄露您信息的，骚扰电话谁没接过。")] == ["FB900"]


@pytest.mark.parametrize("text", ["给你补一单 就当我们倒霉", "哦～全服就您最倒霉呢"])
def test_bad_luck_that_mocks_is_not_sympathy(full, text: str) -> None:
    assert [f.rule for f in full.check(text)] == ["FB900"]


def test_a_neutral_clause_obeys_the_regex_policy(tmp_path) -> None:
    tone, _ = _copy_models(tmp_path)
    content = tone.read_text(encoding="utf-8")
    tone.write_text(content.replace("  - id: no_harm_promise\n    pattern: '",
                                    "  - id: no_harm_promise\n    pattern: '(a+)+|", 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="neutral"):
        load_tone(tone)
    # searched in normalised text, where 您 is 你: a pattern with 您 would never match
    tone.write_text(content.replace("  - id: no_harm_promise\n    pattern: '",
                                    "  - id: no_harm_promise\n    pattern: '不会拉黑您|", 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="neutral"):
        load_tone(tone)
