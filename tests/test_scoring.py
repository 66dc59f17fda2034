"""Transcript scoring: profile examples, rude versions score lower, hypothesis properties."""

from __future__ import annotations

import random
from functools import lru_cache

import pytest
from hypothesis import example, given, settings, strategies as st

from scriptcheck import Checker, Transcript
from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.profile import default_profile_names, load_profile
from scriptcheck.profile.examples import run_examples

from tests.conftest import CORPORA

# The seven 服务忌语 of 004 §五, as an agent would say them.
TABOOS = ["你不是说你已经重启过了吗?", "不是告诉你了，怎么还不明白?", "大点声，听不见!",
          "是我办的，不知道，不清楚。", "你到售后部门问问吧。", "你怎么连这个也不懂。",
          "这是规定，我有什么办法。"]


@lru_cache(maxsize=None)
def checker(profile: str) -> Checker:
    return Checker.from_profile(profile)


def _taboo_checker() -> Checker:
    return Checker.default()


@pytest.mark.parametrize("profile", default_profile_names())
def test_profile_examples(profile: str) -> None:
    results = run_examples(checker(profile))
    assert all(r.ok for r in results), [(r.name, r.detail) for r in results if not r.ok]
    if profile != "base":
        assert {"pass", "fail"} <= {e.expect for e in load_profile(profile).data.examples}


def test_deductions_explain_every_point_lost() -> None:
    for name in ("calls.jsonl", "chats.csv", "presale.txt"):
        for record in read_transcripts(str(CORPORA / name)):
            t = record.transcript
            report = checker(str(t.metadata["profile"])).score(t)
            assert report.score == pytest.approx(max(0.0, 100 - sum(d.points for d in report.deductions)))
            charged = {d.rule for d in report.deductions}
            costly = {f.rule for f in report.findings if f.severity.value != "info"}
            assert costly <= charged | {"PL002"}, (t.id, costly - charged)


def _replace(t: Transcript, index: int, text: str) -> Transcript:
    turns = list(t.turns)
    turns[index] = turns[index].model_copy(update={"text": text})
    return t.model_copy(update={"turns": turns})


def _rude_versions(transcript: Transcript, report, rng: random.Random):
    """The transcript with one clean agent turn replaced by a taboo the report does not have yet."""
    dirty = {f.turn for f in report.findings if f.turn is not None}
    clean = [i for i, turn in enumerate(transcript.turns) if turn.speaker == "agent" and i not in dirty]
    fired = {f.rule for f in report.findings}
    taboos = [t for t in TABOOS if not {f.rule for f in _taboo_checker().check(t)} & fired]
    for _ in range(2 if clean else 0):
        yield _replace(transcript, rng.choice(clean), rng.choice(taboos))


CLOSING = ("ask-anything-else", "thanks", "farewell")


def _without_closing(transcript: Transcript, report, c: Checker) -> Transcript | None:
    """The transcript with every turn that says a closing step replaced by a neutral line."""
    if not any(s.satisfied and s.name in CLOSING for s in report.steps):
        return None
    for _ in range(10):
        said = {s.turn for s in report.steps if s.satisfied and s.name in CLOSING}
        if not said:
            return transcript
        for i in said:
            transcript = _replace(transcript, i, "好的")
        report = c.score(transcript)
    raise AssertionError("closing steps could not be removed")


def _assert_rude_scores_lower(transcripts, profile_of, seed=7) -> int:
    rng = random.Random(seed)
    checked = 0
    for t in transcripts:
        c = checker(profile_of(t))
        original = c.score(t)
        for rude in _rude_versions(t, original, rng):
            assert c.score(rude).score < original.score or original.score == 0, t.id
            checked += 1
        cut = _without_closing(t, original, c)
        if cut is not None:
            assert c.score(cut).score < original.score, t.id
            checked += 1
    return checked


def test_rude_versions_of_bundled_transcripts_score_lower() -> None:
    transcripts = [r.transcript for name in ("calls.jsonl", "chats.csv", "presale.txt")
                   for r in read_transcripts(str(CORPORA / name))]
    assert _assert_rude_scores_lower(transcripts, lambda t: str(t.metadata["profile"])) >= 40


def test_rude_versions_of_real_chats_score_lower(jddc_dialogues) -> None:
    sample = random.Random(3).sample(jddc_dialogues, 150)
    transcripts = [Transcript.model_validate({"id": d["id"], "turns": d["turns"]}) for d in sample
                   if any(t["speaker"] == "agent" for t in d["turns"])]
    assert _assert_rude_scores_lower(transcripts, lambda t: "ecommerce-chat") >= 250


# -- hypothesis properties ----------------------------------------------------------------------

STEP_LINES = ["您好，方标电信，工号1001为您服务，请问有什么帮到您?", "您好", "请问有什么可以帮您？",
              "请问您还有什么需要帮助?", "感谢您的来电，欢迎再次拨打，再见。", "谢谢您的合作，再见。",
              "有什么问题我可以帮您处理或解决呢?", "请问还有其他还可以帮到您的吗?",
              "感谢您对京东的支持，祝您生活愉快，再见"]
NEUTRAL = ["好的", "订单已经发货了", "明天就能送达", "已经为您登记", "这个型号有现货"]
OTHER_AGENT = ["请您稍等", "让您久等了", "非常抱歉给您带来不便", "对不起，我没听清楚您的问题，请您再复述一遍好吗？",
               "你的号码是13812345678", "您的订单号是123456789012"]
CUSTOMER = ["我要投诉你们", "查一下快递", "[听不清]", "好的谢谢", "怎么还没到啊都三天了", "嗯"]

agent_line = st.sampled_from(STEP_LINES + NEUTRAL + OTHER_AGENT + TABOOS) | st.text(max_size=30)
turn = st.one_of(
    st.builds(lambda t: {"speaker": "agent", "text": t}, agent_line),
    st.builds(lambda t: {"speaker": "customer", "text": t}, st.sampled_from(CUSTOMER) | st.text(max_size=20)),
)
transcripts = st.lists(turn, min_size=1, max_size=14).map(
    lambda turns: Transcript.model_validate({"id": "h", "turns": turns}))
profiles = st.sampled_from(["hotline", "callback", "ecommerce-chat", "ecommerce-presale"])


@settings(max_examples=150, deadline=None)
@given(transcripts, profiles)
def test_scores_stay_within_0_and_100(t: Transcript, profile: str) -> None:
    report = checker(profile).score(t)
    assert 0 <= report.score <= 100
    assert all(0 <= v <= 100 for v in report.dimensions.values())
    assert report.passed == (report.score >= load_profile(profile).data.pass_mark and not report.vetoed)


@settings(max_examples=150, deadline=None)
@given(transcripts, profiles, st.sampled_from(TABOOS), st.randoms(use_true_random=False))
def test_adding_a_taboo_never_raises_a_score(t, profile, taboo, rnd) -> None:
    neutral = [i for i, x in enumerate(t.turns) if x.speaker == "agent" and x.text in NEUTRAL]
    if not neutral:
        t = t.model_copy(update={"turns": [*t.turns, t.turns[0].model_copy(update={"speaker": "agent", "text": "好的"})]})
        neutral = [len(t.turns) - 1]
    before = checker(profile).score(t).score
    after = checker(profile).score(_replace(t, rnd.choice(neutral), taboo)).score
    assert after <= before


@settings(max_examples=150, deadline=None)
@given(transcripts, profiles, st.randoms(use_true_random=False))
def test_removing_a_required_step_never_raises_a_score(t, profile, rnd) -> None:
    steps = [i for i, x in enumerate(t.turns) if x.speaker == "agent" and x.text in STEP_LINES]
    if not steps:
        return
    before = checker(profile).score(t).score
    after = checker(profile).score(_replace(t, rnd.choice(steps), "好的")).score
    assert after <= before


# Text close to the closing scripts, so that many draws really align with a reference.
_NEAR_SCRIPT = st.text(alphabet="请问还有其他可以帮到您的吗感谢对京东支持祝生活愉快再见什么需要助好", max_size=30)


@settings(max_examples=400, deadline=None)
# At the text's edge rapidfuzz scores shorter windows: 11 of the 14 characters score 88.0 with
# only 12 of the reference's characters present (a bound of 88% of them would reject it).
@example("有其他还可以帮到你的吗订单已经发货了明天到", "请问还有其他还可以帮到你的吗", 88)
@given(st.one_of(_NEAR_SCRIPT, st.text(max_size=30)), st.sampled_from(
    ["请问还有其他还可以帮到你的吗", "感谢你对京东的支持", "祝你生活愉快再见", "请问你还有什么需要帮助"]),
    st.sampled_from([60, 75, 88, 95, 100]))
def test_fuzzy_prefilter_never_rejects_a_real_alignment(text: str, reference: str, threshold: int) -> None:
    """The cheap character bound in front of rapidfuzz only skips texts that cannot align."""
    from rapidfuzz import fuzz

    from scriptcheck.rules.step import _may_align

    alignment = fuzz.partial_ratio_alignment(reference, text, score_cutoff=threshold)
    if alignment is not None:
        assert _may_align(reference, text, threshold)


@settings(max_examples=300, deadline=None)
@example("好好好好好好好好好好好好好好", "好请问还有其他还可以帮到你的吗", 60)
@given(st.one_of(_NEAR_SCRIPT, st.text(alphabet="请问还有其他可以帮到你的吗好", max_size=30), st.text(max_size=30)),
       st.sampled_from(["请问还有其他还可以帮到你的吗", "感谢你对京东的支持", "好请问还有其他还可以帮到你的吗"]),
       st.sampled_from([60, 75, 88, 95]))
def test_fuzzy_prefilter_pure_path_never_rejects_a_real_alignment(text: str, reference: str, threshold: int) -> None:
    """The same with the pure-Python counts (regex, then ``Counter``), whichever build runs."""
    from unittest import mock

    from rapidfuzz import fuzz

    from scriptcheck.rules import step

    with mock.patch.object(step, "_count_common", None), mock.patch.object(step, "_count_shared", None):
        may = step._may_align(reference, text, threshold)
    if fuzz.partial_ratio_alignment(reference, text, score_cutoff=threshold) is not None:
        assert may


def test_fuzzy_prefilter_counts_repeats_once_per_pair() -> None:
    """A character repeated in the text counts only as often as the reference has it: a turn
    of one character said over and over passes the first count, not the second."""
    from unittest import mock

    from scriptcheck.rules import step

    reference, text = "好请问还有其他还可以帮到你的吗", "好" * 14
    assert len(step._reference_characters(reference)(text)) == 14
    assert step._common_characters(text, reference) == 1
    assert step._common_characters("还还还有", reference) == 3
    assert step._common_characters("", reference) == 0
    with mock.patch.object(step, "_count_common", None), mock.patch.object(step, "_count_shared", None):
        assert not step._may_align(reference, text, 60)
    assert not step._may_align(reference, text, 60)


def test_dimensions_come_in_the_documented_order() -> None:
    """Report JSON is byte-identical from run to run (dimension order once followed set order,
    which depends on the interpreter's hash seed)."""
    from scriptcheck.rules.base import DIMENSIONS

    records = list(read_transcripts(str(CORPORA / "calls.jsonl")))
    assert records
    for record in records:
        report = checker("hotline").score(record.transcript)
        assert list(report.dimensions) == [d for d in DIMENSIONS if d in report.dimensions]
        assert len(report.dimensions) >= 4
