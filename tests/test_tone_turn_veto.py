"""The turn stage's veto over the n-gram stage (``turn_veto`` in tone.yaml, lexicon/tone.TurnVeto):
an n-gram flag on a sentence that is (nearly) its whole turn stands only when the turn stage's
probability reaches the veto's threshold; in a longer turn the veto does not apply."""

from __future__ import annotations

import pytest

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.tone import load_tone
from scriptcheck.text.normalize import normalize

from .tone_files import assert_one_line_error, tone_copy

# Written for these tests: a reassurance the n-gram stage flags (长腿跑了 reads like mockery) and
# the turn stage puts between 0.4 and 0.8 on its own (refit Y: the first one written for them,
# 您放心，您的押金在我们这儿好好的，一分钱也不会自己长腿跑了, is no longer flagged at all).
REASSURANCE = "押金在我们这儿好好的，不会自己长腿跑了。"
STRICT = "{share: 0.7, threshold: 0.8}"
# The same sentence after a longer courteous one: it is under 70% of its turn.
IN_A_LONGER_TURN = ("您好，退房手续已经全部办好了，房间检查也没有问题，发票稍后发到您的邮箱。" + REASSURANCE)


def _copy(tmp_path, veto: str | None):
    if veto is None:
        return load_tone(tone_copy(tmp_path, drop=("turn_veto",)))
    return load_tone(tone_copy(tmp_path, turn_veto=veto))


def test_the_packaged_model_has_a_veto_that_spares_a_sentence_the_turn_stage_partly_agrees_with() -> None:
    model = load_tone()
    assert (model.data.turn_veto.share, model.data.turn_veto.threshold) == (0.7, 0.4)
    assert 0.4 <= model._turn_verdict(REASSURANCE)[1] < 0.8  # the premise of the tests below
    [hit] = model.hits(normalize(REASSURANCE))
    assert hit.stage == "ngram"


def test_a_stricter_veto_clears_the_flag_and_without_one_it_stands(tmp_path) -> None:
    assert not _copy(tmp_path, STRICT).hits(normalize(REASSURANCE))
    assert [h.stage for h in _copy(tmp_path, None).hits(normalize(REASSURANCE))] == ["ngram"]


def test_in_a_longer_turn_the_veto_does_not_apply(tmp_path) -> None:
    text = normalize(IN_A_LONGER_TURN)
    strict = _copy(tmp_path, STRICT)
    assert [IN_A_LONGER_TURN[h.start:h.end] for h in strict.hits(text)] == [REASSURANCE.rstrip("。")]
    # with a share small enough to take it in, the same veto clears it
    assert not _copy(tmp_path, "{share: 0.3, threshold: 0.8}").hits(text)


def test_the_veto_never_adds_a_flag(tmp_path) -> None:
    without = _copy(tmp_path, None)
    strict = _copy(tmp_path, "{share: 0.01, threshold: 0.99}")
    for text in (REASSURANCE, IN_A_LONGER_TURN, "你自己下单不看清楚怪谁", "您好，请问有什么可以帮您？"):
        before = {(h.start, h.end) for h in without.hits(normalize(text))}
        assert {(h.start, h.end) for h in strict.hits(normalize(text))} <= before


@pytest.mark.parametrize("veto, field", [
    ("{share: 0, threshold: 0.4}", "turn_veto.share"),
    ("{share: 0.7, threshold: 1}", "turn_veto.threshold"),
    ("{share: 0.7}", "turn_veto.threshold"),
    ("{share: 0.7, threshold: 0.4, floor: 1}", "turn_veto.floor"),
])
def test_a_bad_veto_is_one_line_naming_file_and_field(tmp_path, veto: str, field: str) -> None:
    assert_one_line_error(tone_copy(tmp_path, turn_veto=veto), field)


def test_a_veto_without_the_turn_stage_is_an_error(tmp_path) -> None:
    tone = tone_copy(tmp_path, drop=("turn", "turn_band"), files=("tone.yaml", "tone_ngram.yaml"))
    with pytest.raises(LexiconError, match="turn_veto needs both"):
        load_tone(tone)
