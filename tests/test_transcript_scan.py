"""A transcript is normalised and matched in one pass: the results must be exactly those of
doing it turn by turn, whatever the turns hold (separators, anchors at turn edges, repeats)."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck import Checker
from scriptcheck.io.records import build_transcript
from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.text.normalize import normalize, normalize_many

from .conftest import CORPORA

# Pieces that exercise the joined scan: the separators it uses, characters that fold away,
# repeats that could run across a turn boundary, patterns anchored with ^ or $ (听不清, 喂,
# 不可能, 随便你), traditional characters, taboos and service phrases.
PIECES = ["\x1e", "\n", "\x00", " ", "。", "🙂", "你", "您", "好", "好好", "谢谢", "喂", "听不清", "不可能", "随便你",
          "你怎麼連這個也不懂", "这是规定，我有什么办法", "请问还有什么可以帮您", "让您久等了", "稍等", "对不起",
          "我要投诉", "不知道", "再见", "感谢您的支持", "ＡＢ", "回覆", "13812345678"]
turn_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
)


def _view(norm):
    return norm.original, norm.text, norm.starts, norm.ends


@settings(max_examples=300, deadline=None)
@given(st.lists(turn_text, max_size=8))
def test_normalize_many_is_normalize_per_text(texts: list[str]) -> None:
    assert [_view(n) for n in normalize_many(texts)] == [_view(normalize(t)) for t in texts]


@pytest.fixture(scope="module")
def profile_checker():
    return Checker.from_profile("ecommerce-chat")


@settings(max_examples=200, deadline=None)
@given(st.lists(turn_text, min_size=1, max_size=6))
def test_scan_many_is_scan_per_text(profile_checker, texts: list[str]) -> None:
    norms = normalize_many(texts)
    together = profile_checker.scan_many(norms, list(range(len(texts))))
    alone = [profile_checker.scan_normalized(normalize(t), turn=i) for i, t in enumerate(texts)]
    assert together == alone


@pytest.mark.parametrize("texts", [
    ["请问还有", "可以帮您的吗"],          # [^…]{0,6} would run on over the turn boundary
    ["我听", "不清"], ["喂", "喂"],          # ^…$ patterns: each turn alone is no match
    ["不可能", "的"], ["随便", "你"],
    ["谢", "谢"],                          # a run must not collapse across turns
])
def test_no_match_runs_across_turns(profile_checker, texts: list[str]) -> None:
    together = profile_checker.scan_many(normalize_many(texts), cues=True)
    assert together == [profile_checker.scan(t, cues=True) for t in texts]
    assert together != ([profile_checker.scan("".join(texts), cues=True)]
                        + [profile_checker.scan("", cues=True)] * (len(texts) - 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(turn_text, min_size=1, max_size=6), st.data())
def test_scanning_for_some_categories_finds_those_of_a_full_scan(profile_checker, texts, data) -> None:
    categories = sorted({e.category for lx, e in profile_checker.rules() if lx.kind != "forbidden"})
    wanted = [frozenset(data.draw(st.lists(st.sampled_from(categories), max_size=4))) for _ in texts]
    norms = normalize_many(texts)
    partial = profile_checker.scan_many(norms, categories=wanted)
    full = profile_checker.scan_many(norms, cues=True)
    for cats, part, whole in zip(wanted, partial, full):
        assert part.findings == whole.findings
        assert part.phrases == [h for h in whole.phrases if h.category in cats]


def test_agent_categories_follow_the_step_windows(profile_checker) -> None:
    plan = profile_checker.scorer.plan.agent_categories(7)
    assert len(plan) == 7
    # ecommerce-chat: greeting/offer-help in the first 2 agent turns, ask-anything-else in the
    # last 3, thanks/farewell in the last 2; the waiting trigger and pair responses anywhere.
    assert {"greeting", "offer-help"} <= plan[0] and "greeting" not in plan[2]
    assert "ask-anything-else" in plan[4] and "ask-anything-else" not in plan[3]
    assert {"thanks", "farewell"} <= plan[5] and "thanks" not in plan[4]
    assert all({"waiting", "apology", "thanks-for-waiting"} <= p for p in plan)
    # A one-turn transcript is first and last at once.
    assert {"greeting", "thanks", "ask-anything-else"} <= profile_checker.scorer.plan.agent_categories(1)[0]


def test_asking_about_an_unscanned_category_scans_the_turn(profile_checker) -> None:
    transcript = build_transcript({"id": "t", "turns": [
        {"speaker": "agent", "text": "您好，请问有什么可以帮您？"},
        {"speaker": "agent", "text": "感谢您的支持，还有什么可以帮您的吗"},
        {"speaker": "agent", "text": "好的"},
        {"speaker": "agent", "text": "好的"},
        {"speaker": "agent", "text": "再见"},
    ]}, source="test", line=1)
    plan = profile_checker.scorer.plan
    planned = TranscriptContext.build(transcript, profile_checker, plan)
    full = TranscriptContext.build(transcript, profile_checker)
    # Turn 1 is outside the closing windows: not scanned for thanks up front …
    assert "thanks" not in planned.categories[1]
    # … but asking finds what a full scan finds, and so does asking for every phrase.
    assert planned.hits(1, frozenset({"thanks"})) == full.hits(1, frozenset({"thanks"}))
    assert planned.has(1, frozenset({"thanks"})) is True
    assert planned.all_phrases(1) == full.phrases[1]
    # Asking which turns say it looks at turns not scanned for it too.
    fresh = TranscriptContext.build(transcript, profile_checker, plan)
    assert fresh.turns_with("agent", frozenset({"thanks"})) == [1] == full.turns_with("agent", frozenset({"thanks"}))


speaker_turns = st.lists(st.tuples(st.sampled_from(["agent", "customer"]), turn_text.filter(str.strip)),
                         min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(speaker_turns, st.data())
def test_turns_with_is_has_asked_turn_by_turn(profile_checker, turns, data) -> None:
    transcript = build_transcript({"id": "t", "turns": [{"speaker": s, "text": t} for s, t in turns]},
                                  source="test", line=1)
    categories = sorted({e.category for lx, e in profile_checker.rules() if lx.kind != "forbidden"})
    asked = frozenset(data.draw(st.lists(st.sampled_from(categories), min_size=1, max_size=3)))
    for plan in (profile_checker.scorer.plan, None):
        fast = TranscriptContext.build(transcript, profile_checker, plan)
        slow = TranscriptContext.build(transcript, profile_checker, plan)
        for speaker, turns_of in (("agent", slow.agent_turns), ("customer", slow.customer_turns)):
            assert fast.turns_with(speaker, asked) == [i for i in turns_of if slow.has(i, asked)]


def _transcripts():
    """The bundled example transcripts (JSONL, CSV and TXT)."""
    for path in sorted(CORPORA.iterdir()):
        if path.suffix in (".jsonl", ".csv", ".txt"):
            yield from (r.transcript for r in read_transcripts(str(path)) if r.transcript is not None)


@pytest.mark.parametrize("profile", ["hotline", "callback", "ecommerce-chat", "ecommerce-presale", "template"])
def test_scoring_with_the_scan_plan_equals_scoring_full_scans(profile, monkeypatch, jddc_or_none) -> None:
    checker = Checker.from_profile(profile)
    transcripts = list(_transcripts())
    if jddc_or_none:
        transcripts += [build_transcript({**d, "id": f"jddc-{i}"}, source="jddc", line=i)
                        for i, d in enumerate(jddc_or_none[:300])]
    assert len(transcripts) >= 20
    planned = [checker.score(t).model_dump_json() for t in transcripts]
    build = TranscriptContext.build.__func__
    monkeypatch.setattr(TranscriptContext, "build", classmethod(
        lambda cls, transcript, matcher, plan=None: build(cls, transcript, matcher)))
    full = [checker.score(t).model_dump_json() for t in transcripts]
    assert planned == full


@pytest.fixture(scope="session")
def jddc_or_none(request):
    """The JDDC chats when present, else None (the test then runs on the bundled corpora)."""
    try:
        return request.getfixturevalue("jddc_dialogues")
    except pytest.skip.Exception:
        return None


@functools.lru_cache(maxsize=1)
def _scorer():
    from scriptcheck.scoring.engine import ProfileScorer

    return ProfileScorer.load("hotline")


_NUMBERISH = st.lists(st.sampled_from(["1", "2", "３", "４", "一", "二", "零", "两", "幺", " ", "\u3000", ",", "，", "、",
                                       "-", "\n", "号", "您好", "订单"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBERISH, min_size=1, max_size=4))
def test_agent_turns_with_numbers_need_no_numeral_run_search_to_be_skipped(texts) -> None:
    """``agent_turns_with_numbers`` returns nothing without asking the digit regex when the
    agent's words have no numeral run (``agent_says_numerals``): three digits in a row must be
    a numeral run, whatever the turns hold."""
    from scriptcheck.rules.context import _DIGIT_RUN

    transcript = build_transcript({"id": "n", "turns": [{"speaker": "agent", "text": t} for t in texts]},
                                  source="t", line=1)
    ctx = TranscriptContext.build(transcript, _scorer().matcher, _scorer().plan)
    expected = [i for i, t in enumerate(texts) if _DIGIT_RUN.search(t) is not None]
    assert ctx.agent_turns_with_numbers == expected
