"""Turns the tone model does not judge (``turn_contexts`` in tone.yaml, lexicon/tone.TurnContext):
banter with a regular, read from the turn's original characters — the same two signs the forbidden
lexicon's scope-utterance mitigator ``banter`` reads — frank advice (plain speaking announced,
then advice for the customer's own sake) and a call closed on a silent line with the way back."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.slots import expand_slots
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.resources import defaults_dir
from scriptcheck.text.normalize import normalize

# The model flags this jab at a regular's eyesight (cue stage) when nothing says it is banter. (Refit AM no
# longer flags the jab of earlier refits, 王叔，又是老三样？您这一周来了五回，干脆住店里得了, at all.)
JAB = "小王，就你这眼神还看报纸呢"


def test_the_jab_alone_is_flagged() -> None:
    assert load_tone().hits(normalize(JAB))


@pytest.mark.parametrize("text", [
    JAB + "😄",  # laughter as an emoji: dropped by normalisation, read in the original characters
    JAB + "，哈哈。",
    "阿伯，又是您喔，這禮拜第三次了，您乾脆在我們這裡上班好了，哈哈。",
])
def test_banter_with_a_regular_is_not_judged(text: str) -> None:
    assert load_tone().hits(normalize(text)) == []


def test_one_sign_alone_is_not_banter() -> None:
    model = load_tone()
    assert model.hits(normalize(JAB.replace("小王，", "") + "😄"))  # laughter without a regular
    assert model.hits(normalize(JAB + "，呵呵。"))  # a sneer is not laughter


# The model flags this frank advice for its 别 when nothing says it is advice.
ADVICE = "你膝盖不好就别爬这么陡的了，走索道吧。"


def test_frank_advice_is_not_judged_and_the_advice_alone_is() -> None:
    model = load_tone()
    assert model.hits(normalize(ADVICE))
    assert model.hits(normalize("说实话，" + ADVICE)) == []
    assert model.hits(normalize("老實講，" + ADVICE)) == []  # read in the original characters


def test_frank_advice_may_open_after_speech_to_text_fillers() -> None:
    # A transcribed call opens with 那个 / 就是 嗯 before the opener; the turn start was only the opener.
    model = load_tone()
    assert model.hits(normalize("那个 说实话啊 " + ADVICE)) == []
    assert model.hits(normalize("就是 嗯 讲真 " + ADVICE)) == []
    assert model.hits(normalize("你这个 说实话 " + ADVICE))  # 你这个 is no filler: the opener must open the turn


@pytest.mark.parametrize("opener", ["说真的，", "老實跟您講，", "不瞒您说，", "说句心里话，"])
def test_other_ways_of_announcing_plain_speaking_open_frank_advice(opener: str) -> None:
    model = load_tone()
    assert model.hits(normalize(opener + ADVICE)) == []
    assert model.hits(normalize("这种小事，" + opener + "你问这种问题我都不想回答"))  # no advice, not the turn's start


@pytest.mark.parametrize("text", [
    "说实话，你问这种问题我都不想回答",  # an opener, no advice
    "说实话，您这种业主光提要求不交钱，别为难我们了。",  # 别 for the agent's sake
    "你这腿脚就别逞强爬了，坐索道吧，说实话。",  # the opener must open the turn
])
def test_an_opener_without_advice_for_the_customer_is_judged(text: str) -> None:
    assert load_tone().hits(normalize(text))


# The model flags this close after silence for its 挂 when nothing says the line went silent.
CLOSE = "我先挂了，你再打来吧。"


def test_a_call_closed_on_a_silent_line_is_not_judged() -> None:
    model = load_tone()
    assert model.hits(normalize("喂？听不见，" + CLOSE)) == []
    assert model.hits(normalize("電話好像斷了，" + CLOSE)) == []  # read in the original characters
    assert model.hits(normalize("这么吵，" + CLOSE))  # no sign of a silent line
    # the threat to hang up keeps its way back but scolds: judged
    assert model.hits(normalize("喂喂，你再这么大声说话，" + CLOSE))


def test_the_model_and_the_lexicon_read_the_same_banter() -> None:
    lexicon = yaml.safe_load((defaults_dir() / "forbidden.yaml").read_text(encoding="utf-8"))
    [mitigator] = [m for m in lexicon["mitigators"] if m["name"] == "banter"]
    [context] = [c for c in load_tone().data.turn_contexts if c.id == "banter"]
    assert context.pattern == expand_slots(mitigator["pattern"], lexicon["slots"])
    assert context.also == expand_slots(mitigator["also"], lexicon["slots"])


def test_an_unbounded_turn_context_is_refused(tmp_path) -> None:
    for name in ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(default_tone_path().parent / name, tmp_path / name)
    tone = tmp_path / "tone.yaml"
    content = tone.read_text(encoding="utf-8")
    content = re.sub(r"(?m)^(turn_contexts:\n  - id: banter\n    pattern: ).*$", r"\1'(a+)+b'", content)
    tone.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match="banter|pattern"):
        load_tone(tone)
