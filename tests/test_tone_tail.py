"""The tone model's adversative tail (tone.yaml ``tail:``, lexicon.tone.AdversativeTail): a
sentence no stage flags is judged again from its last turn (但 / 不过 / 可是 after a clause
boundary) to its end, so a courteous preamble does not hide the stance after it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.text.normalize import normalize

TONE = load_tone()
PREAMBLE = "我非常理解您的心情，也很想帮您解决，"
STANCE = "但是您再这样说下去，我就只能挂电话了。"


def _model_without_tail(tmp_path: Path):
    folder = tmp_path / "models"
    shutil.copytree(default_tone_path().parent, folder)
    tone = folder / "tone.yaml"
    data = yaml.safe_load(tone.read_text(encoding="utf-8"))
    del data["tail"]
    tone.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_tone(tone)


def test_the_stance_after_a_courteous_preamble_is_flagged_where_it_turns() -> None:
    text = PREAMBLE + STANCE
    (hit,) = TONE.hits(normalize(text))
    assert text[hit.start:hit.end] == STANCE.rstrip("。")  # the evidence is the tail, not the courtesy


def test_without_the_tail_the_preamble_hides_it(tmp_path) -> None:
    assert TONE.data.tail is not None
    assert _model_without_tail(tmp_path).hits(normalize(PREAMBLE + STANCE)) == []


@pytest.mark.parametrize("text", [
    "抱歉，这个不能退，但我可以帮您申请补偿。",
    "我理解您着急，不过您放心，包裹明天一定送到。",
    "非常抱歉让您久等了，但是系统升级需要时间，我们会尽快处理好。",
    "我理解您的心情，但凡有办法我们一定帮您。",  # 但凡 does not turn
])
def test_a_turn_to_help_or_reassurance_passes(text) -> None:
    assert TONE.hits(normalize(text)) == []


def test_the_tail_starts_at_the_last_turn_and_is_long_enough() -> None:
    words = "我理解，但是规定如此，不过您可以申请复核"
    start = TONE._tail_start(words, 0, len(words))
    assert words[start:].startswith("不过")
    assert TONE._tail_start("我理解，但好", 0, 6) is None  # 但好: shorter than min_length
    assert TONE._tail_start("但是规定如此", 0, 6) is None  # a sentence that opens with the turn has no preamble
    assert TONE._tail_start("不但快而且好", 0, 6) is None  # 不但 is no turn
    assert TONE._tail_start("好的，可以帮您改地址", 0, 10) is None  # 可以 is no turn
    words = "您说业务员承诺过，可您在投保书上签字了"
    assert words[TONE._tail_start(words, 0, len(words)):].startswith("可您")


def test_an_unsafe_tail_pattern_is_refused(tmp_path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(default_tone_path().parent, folder)
    tone = folder / "tone.yaml"
    tone.write_text(tone.read_text(encoding="utf-8").replace(
        "pattern: '(?<=[，,；;、\\s])(但是|", "pattern: '(a+)+(但是|"), encoding="utf-8")
    with pytest.raises(LexiconError, match="tail"):
        load_tone(tone)


def test_the_rule_doc_names_the_tail() -> None:
    from scriptcheck.ruledoc import render_tone_doc
    assert f"/{TONE.data.tail.pattern}/" in render_tone_doc(TONE)
