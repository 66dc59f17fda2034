"""The tone model's second opinion on the packaged forbidden lexicon (``lexicon_veto`` in tone.yaml,
lexicon/tone.LexiconVeto): findings that are a small part of a turn both stages read as courteous
are dropped; a finding that is most of its turn, a critical one, a quoted turn and any other
lexicon's findings stand."""

from __future__ import annotations

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.loader import load_lexicon
from scriptcheck.lexicon.tone import load_tone

from .tone_files import assert_one_line_error, tone_copy

# Frank advice in the customer's interest (a writer's polite near-miss, train_t326): FB028's
# shape of blaming the customer (您自己…买的…不对) is a fifth of a turn both stages read as kind.
ADVICE = "实话讲，您自己网上买的护具尺寸不对，反而伤膝盖，换一个吧。"
# A listed taboo that is most of its turn: the models score it low (an apology is in it), and it must
# stand all the same.
SHORT_TABOO = "不好意思，这是公司规定"


def _tone(tmp_path, veto: str | None):
    if veto is None:
        return load_tone(tone_copy(tmp_path, drop=("lexicon_veto",)))
    return load_tone(tone_copy(tmp_path, lexicon_veto=veto))


def _checker(tone, *extra) -> Checker:
    return Checker([load_lexicon(name) for name in ("forbidden", "polite", *extra)], tone=tone)


def _rules(checker: Checker, text: str) -> set[str]:
    return {f.rule for f in checker.check(text)}


def test_the_packaged_veto_clears_a_harsh_shape_in_a_courteous_turn(tmp_path) -> None:
    assert load_tone().data.lexicon_veto is not None
    assert "FB028" in _rules(_checker(_tone(tmp_path, None)), ADVICE)  # the premise: the lexicon flags it
    assert not Checker.default().check(ADVICE)


def test_a_finding_that_is_most_of_its_turn_stands(tmp_path) -> None:
    whole = _checker(_tone(tmp_path, "{threshold: 0.4, share: 1}"))
    assert not whole.check(SHORT_TABOO)  # the premise: both stages read it as courteous
    assert _rules(Checker.default(), SHORT_TABOO) == _rules(_checker(_tone(tmp_path, None)), SHORT_TABOO) != set()


@pytest.mark.parametrize("text", ["笨蛋", "傻瓜", "您好，这边帮您查到了，订单明天送达，您放心，笨蛋。"])
def test_a_critical_finding_is_never_the_models_to_clear(tmp_path, text: str) -> None:
    permissive = _checker(_tone(tmp_path, "{threshold: 0.99, share: 1}"))
    assert "FB048" in _rules(permissive, text)


def test_a_turn_without_courtesy_is_not_vetoed(tmp_path) -> None:
    # Open hostility the models score low (0.1): with no 您, 请, apology or offer of help in it, the
    # turn is not read as courteous, however permissive the veto.
    hostile = "不要哭天喊地，我們罵你剛好，因為上班才沒有打你而已。"
    permissive = _checker(_tone(tmp_path, "{threshold: 0.99, share: 1}"))
    assert "FB074" in _rules(permissive, hostile)


def test_a_sneer_the_models_cannot_read_keeps_the_finding(tmp_path) -> None:
    # 呵呵 is the particle 呵 to the models (normalisation collapses it), and emoji are dropped.
    sneer = "刘姐您这记性，上次把身份证落在这儿，今天可别又落下了，呵呵。"
    assert "FB232" in _rules(Checker.default(), sneer)
    unguarded = _checker(_tone(tmp_path, "{threshold: 0.4, share: 0.25}"))
    assert not unguarded.check(sneer)  # the premise: without `unless` the veto clears it
    guarded = _checker(_tone(tmp_path, "{threshold: 0.4, share: 0.25, unless: '呵呵|🙄'}"))
    assert "FB232" in _rules(guarded, sneer.replace("呵呵", "🙄"))


def test_a_turn_the_model_reads_none_of_is_not_vetoed(tmp_path) -> None:
    permissive = _checker(_tone(tmp_path, "{threshold: 0.99, share: 1}"))
    quoted = "“" + ADVICE + "”"  # all of it quoted: nothing the models read is the agent's own words
    assert _rules(permissive, quoted) == _rules(_checker(_tone(tmp_path, None)), quoted)


def test_another_lexicons_finding_is_never_vetoed(tmp_path) -> None:
    own = tmp_path / "team.yaml"
    own.write_text("version: 1\nname: team\nkind: forbidden\nentries:\n"
                   "- {id: XT901, name: knee-pads, category: 团队忌语, severity: warning,"
                   " description: 团队不许提护具, phrases: [护具],"
                   " specs: {match: [护具], no_match: [护膝]}}\n", encoding="utf-8")
    checker = _checker(load_tone(), str(own))
    assert _rules(checker, ADVICE) == {"XT901"}


def test_the_veto_never_adds_a_finding(tmp_path) -> None:
    without = _checker(_tone(tmp_path, None))
    permissive = _checker(_tone(tmp_path, "{threshold: 0.99, share: 1}"))
    for text in (ADVICE, SHORT_TABOO, "你怎么连这个也不懂", "您好，请问有什么可以帮您？", "这是规定，我有什么办法"):
        assert _rules(permissive, text) <= _rules(without, text)


@pytest.mark.parametrize("veto, field", [
    ("{threshold: 0, share: 0.25}", "lexicon_veto.threshold"),
    ("{threshold: 0.4, share: 1.5}", "lexicon_veto.share"),
    ("{threshold: 0.4}", "lexicon_veto.share"),
    ("{threshold: 0.4, share: 0.25, floor: 1}", "lexicon_veto.floor"),
    ("{threshold: 0.4, share: 0.25, unless: '(呵+)+'}", "lexicon_veto.unless"),
])
def test_a_bad_veto_is_one_line_naming_file_and_field(tmp_path, veto: str, field: str) -> None:
    assert_one_line_error(tone_copy(tmp_path, lexicon_veto=veto), field)


def test_a_veto_without_both_stages_is_an_error(tmp_path) -> None:
    tone = tone_copy(tmp_path, drop=("turn", "turn_band", "turn_veto"), files=("tone.yaml", "tone_ngram.yaml"))
    with pytest.raises(LexiconError, match="lexicon_veto needs both"):
        load_tone(tone)


def test_the_rule_doc_states_the_veto() -> None:
    from scriptcheck.ruledoc import render_tone_doc

    doc = render_tone_doc(load_tone())
    assert "packaged forbidden lexicon's findings" in doc and "/呵呵|" in doc
    assert "packaged forbidden lexicon's findings" not in render_tone_doc(load_tone(ngram=False))
