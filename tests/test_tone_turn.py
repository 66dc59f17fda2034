"""The tone model's turn stage (lexicon/turn_model.py): its features, its arithmetic, its file
errors and cache, and the widened gate it vets inside the checker."""

from __future__ import annotations

import math
import re
import shutil

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.lexicon.turn_model import WORD, TurnFile, TurnModel, load_turn_model, turn_features
from scriptcheck.text.normalize import normalize

TINY = """version: 1
source: written for this test
bias: -1.0
threshold: 0.8
triggers: ["真闲"]
features:
  "闲": [2.0, 3.0]
  "w:真闲": [1.5, 2.0]
  "w:^_你": [1.0, -0.5]
"""


def _tiny(tmp_path, text: str = TINY):
    path = tmp_path / "turn.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_features_are_characters_framed_ngrams_words_and_word_pairs() -> None:
    features = turn_features(["你真闲"])
    for expected in ("你", "闲", "^你", "闲$", "^你真", "^你真闲", "你真闲$"):
        assert expected in features
    words = [f for f in features if f.startswith(WORD)]
    assert f"{WORD}^_{words[0][len(WORD):]}" in features  # the frame is a word of the pairs
    assert not any(f.startswith(WORD) and "^" in f and "_" not in f for f in features)
    assert turn_features(["", ""]) == []


def test_probability_is_the_unit_length_tfidf_logistic_regression(tmp_path) -> None:
    model = load_turn_model(_tiny(tmp_path))
    sentences = ["你真闲", "闲"]
    counts = {f: turn_features(sentences).count(f) for f in ("闲", "w:真闲", "w:^_你")}
    assert counts["闲"] == 2  # once per sentence: the value is 1 + ln 2 times the idf
    values = {"闲": (1 + math.log(2)) * 2.0, "w:真闲": 1.5 * counts["w:真闲"], "w:^_你": 1.0 * counts["w:^_你"]}
    weights = {"闲": 3.0, "w:真闲": 2.0, "w:^_你": -0.5}
    present = {f: v for f, v in values.items() if counts[f]}
    norm = math.sqrt(sum(v * v for v in present.values()))
    z = -1.0 + sum(v * weights[f] for f, v in present.items()) / norm
    assert model.logit(sentences) == pytest.approx(z)
    rude, p = model.judge(sentences)
    assert p == pytest.approx(1 / (1 + math.exp(-z))) and rude == (p >= 0.8)
    assert model.logit(["您好"]) == -1.0  # no known feature: the bias alone
    assert model.top(sentences)[0] == "闲"


@pytest.mark.parametrize("old, new, field", [
    ("version: 1", "version: 2", "version"),
    ('"闲": [2.0, 3.0]', '"闲": [0.0, 3.0]', "positive idf"),
    ('"闲": [2.0, 3.0]', '"闲": [2.0, .nan]', "finite weight"),
    ('triggers: ["真闲"]', 'triggers: ["^真"]', "triggers"),
    ("threshold: 0.8", "threshold: 1.5", "threshold"),
])
def test_an_invalid_file_is_one_line_naming_file_and_field(tmp_path, old: str, new: str, field: str) -> None:
    path = _tiny(tmp_path, TINY.replace(old, new))
    with pytest.raises(LexiconError) as info:
        load_turn_model(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and field in message


def test_the_cache_gives_back_what_was_validated(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = _tiny(tmp_path)
    fresh = load_turn_model(path)
    key = tone_cache.key(path.read_bytes())
    cached = tone_cache.load_turn_fields(key)
    assert cached is not None
    again = load_turn_model(path)
    assert again.data.features == fresh.data.features == {"闲": (2.0, 3.0), "w:真闲": (1.5, 2.0),
                                                           "w:^_你": (1.0, -0.5)}
    assert again.logit(["你真闲"]) == fresh.logit(["你真闲"])
    assert isinstance(again.data, TurnFile) and isinstance(again, TurnModel)


# Written for these tests: short rude questions the n-gram stage alone never scores (no trigger
# of its own), that the widened gate lets through and the turn stage agrees are rude.
WIDENED = ["您这截图是P过的吧？"]  # refit AM's (AG's were 您这照片是P过的吧？ / 您这表是摔过的吧？)


@pytest.mark.parametrize("text", WIDENED)
def test_the_widened_gate_flags_with_the_turn_stages_agreement(text: str) -> None:
    findings = Checker.default().check(text)
    assert [f.rule for f in findings] == ["FB900"]
    assert "整轮" in findings[0].message and findings[0].text.rstrip("？") in text


def _copy(tmp_path):
    for name in ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(default_tone_path().parent / name, tmp_path / name)
    return tmp_path / "tone.yaml", tmp_path / "tone_turn.yaml"


@pytest.mark.parametrize("text", WIDENED)
def test_without_agreement_or_without_the_stage_the_widened_gate_flags_nothing(tmp_path, text: str) -> None:
    tone, turn = _copy(tmp_path)
    content = turn.read_text(encoding="utf-8")
    turn.write_text(re.sub(r"(?m)^threshold: .*$", "threshold: 0.99999", content), encoding="utf-8")
    assert not load_tone(tone).check(text)  # the turn stage disagrees: nothing stands
    turn.write_text(content, encoding="utf-8")
    assert load_tone(tone).check(text)
    # the turn stage and what needs it (the band, both vetoes) taken out
    content = re.sub(r"(?m)^lexicon_veto:.*\n(?:  .*\n)*", "", tone.read_text(encoding="utf-8"))
    tone.write_text(re.sub(r"(?m)^turn(_band|_veto)?: .*\n", "", content), encoding="utf-8")
    assert not load_tone(tone).check(text)  # no widened gate: the n-gram stage never scores it


def test_someone_elses_words_are_not_the_agents() -> None:
    assert not Checker.default().check("您说同事问您「您平时是不是老投诉？」，这样问确实不对，我向您道歉。")


def test_a_missing_turn_file_is_a_clear_error(tmp_path) -> None:
    tone, turn = _copy(tmp_path)
    turn.unlink()
    with pytest.raises(LexiconError, match="tone_turn.yaml"):
        load_tone(tone)


def test_a_turn_is_judged_once_however_many_sentences_ask(monkeypatch, tmp_path) -> None:
    # A hostile turn of many widened-gate sentences asks the turn stage from every one of them:
    # its features are worked out once for the verdict and once for the message's top features,
    # not once per sentence (2,000 sentences took minutes when they were).
    calls = []
    original = TurnModel._terms

    def counted(self, sentences):
        calls.append(len(sentences))
        return original(self, sentences)

    monkeypatch.setattr(TurnModel, "_terms", counted)
    findings = load_tone().check(WIDENED[0] * 50)
    assert len(findings) == 50 and len(calls) == 2 and calls[0] == 50
    calls.clear()  # the same for a turn of sentences in the band under the n-gram threshold
    findings = load_tone(_with_band(tmp_path)).check(BAND[0] * 50)
    assert len(findings) == 50 and len(calls) == 2 and calls[0] == 50


def test_a_checker_that_used_the_widened_gate_still_pickles() -> None:
    # a checker goes to --jobs workers and Spark executors pickled; the widened gate's own
    # automaton (built on first use) is left behind and built again by the copy
    import pickle
    checker = Checker.default()
    before = [(f.rule, f.start, f.end) for f in checker.check(WIDENED[0])]
    copy = pickle.loads(pickle.dumps(checker))
    assert [(f.rule, f.start, f.end) for f in copy.check(WIDENED[0])] == before == [("FB900", 0, len(WIDENED[0]) - 1)]


# Written for these tests: rude replies the n-gram stage scores under its threshold but from 0.8,
# that the turn stage puts at 0.9 or more.
BAND = ["您这手机是故意弄坏的吧？", "您这号是借来的吧？", "您这包是故意弄坏的吧？"]  # refit AM's


def _with_band(tmp_path, floor: float = 0.8):
    """A copy of the packaged files with the band from ``floor``: the shipped n-gram threshold
    (0.89 since refit Y) is under the shipped floor (0.9), so the packaged band is empty and the
    mechanism is tested on a copy (docs/tone-model.md, refit U)."""
    tone, _ = _copy(tmp_path)
    content = tone.read_text(encoding="utf-8")
    tone.write_text(re.sub(r"(?m)^turn_band: \{floor: [0-9.]+", f"turn_band: {{floor: {floor}", content),
                    encoding="utf-8")
    return tone


@pytest.mark.parametrize("text", BAND)
def test_the_band_under_the_ngram_threshold_flags_with_the_turn_stages_stricter_agreement(tmp_path, text: str) -> None:
    model = load_tone(_with_band(tmp_path))
    [hit] = model.hits(normalize(text))
    band = model.data.turn_band
    assert hit.stage == "turn" and hit.threshold == band.threshold  # not the widened gate's 0.8
    assert band.floor <= hit.referred < model.ngram.threshold_for(normalize(text).text)
    assert not load_tone().hits(normalize(text))  # the packaged band is empty


@pytest.mark.parametrize("text", BAND)
def test_without_the_band_or_with_a_stricter_one_it_flags_nothing(tmp_path, text: str) -> None:
    tone = _with_band(tmp_path)
    content = tone.read_text(encoding="utf-8")
    tone.write_text(re.sub(r"(?m)^turn_band: .*\n", "", content), encoding="utf-8")
    assert not load_tone(tone).check(text)
    tone.write_text(re.sub(r"(?m)^turn_band: .*$", "turn_band: {floor: 0.8, threshold: 0.99999}", content),
                    encoding="utf-8")
    assert not load_tone(tone).check(text)  # the turn stage is not that sure
    tone.write_text(content, encoding="utf-8")
    assert load_tone(tone).check(text)


@pytest.mark.parametrize("old, new, field", [
    (r"(?m)^turn: .*\n", "", "turn_band needs both"),
    (r"(?m)^turn_band: .*$", "turn_band: {floor: 1.5, threshold: 0.9}", "turn_band.floor"),
    (r"(?m)^turn_band: .*$", "turn_band: {floor: 0.9}", "turn_band.threshold"),
    (r"(?m)^turn_band: .*$", "turn_band: {floor: 0.9, threshold: 0.9, ceiling: 1}", "turn_band.ceiling"),
])
def test_a_bad_band_is_one_line_naming_file_and_field(tmp_path, old: str, new: str, field: str) -> None:
    tone, _ = _copy(tmp_path)
    tone.write_text(re.sub(old, new, tone.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        load_tone(tone)
    message = str(caught.value)
    assert "\n" not in message and "tone.yaml" in message and field in message


def test_the_rule_doc_names_every_stage_with_its_thresholds() -> None:
    from scriptcheck.ruledoc import render_tone_doc
    model = load_tone()
    doc = render_tone_doc(model)
    band = model.data.turn_band
    assert f"probability {model.ngram.threshold:g}" in doc
    assert f"at probability {model.turn.threshold:g}" in doc
    assert f"from {band.floor:g} up to its threshold" in doc and f"reaches {band.threshold:g}" in doc
