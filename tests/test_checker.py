"""The text checker on the packaged lexicons: disguises found, polite speech left alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import SEED_004

DISGUISES = [
    "你怎麼連這個也不懂",                 # traditional characters
    "你怎么连这个也不懂",        # full-width
    "你 怎 么 连 这 个 也 不 懂",          # spaces
    "你*怎*么*连*这*个*也*不*懂",          # symbols
    "你\u200b怎\u200b么连这个也不懂",       # zero-width characters
    "您怎么连这个也不懂",                 # 您 for 你
    "你怎么连这都不懂啊",                 # reworded, added particle
    "你你你怎么连这个也不懂😡",            # repeated character, emoji
]


@pytest.mark.parametrize("text", DISGUISES)
def test_disguised_taboo_is_found(checker, text: str) -> None:
    findings = checker.check(text)
    assert any(f.rule == "FB006" for f in findings), findings


# Taiwan's 著 (for 着) and 甚麼 (for 什么), which OpenCC's t2s keeps as they are
TAIWAN_SPELLINGS = ["為甚麼不早說", "上面那不寫著了嗎"]


@pytest.mark.parametrize("text", TAIWAN_SPELLINGS)
def test_taiwan_spellings_are_found_like_simplified_ones(checker, text: str) -> None:
    findings = checker.check(text)
    assert findings, text
    assert all(text[f.start:f.end] == f.text for f in findings)


@pytest.mark.parametrize("text", DISGUISES)
def test_finding_text_is_the_original_slice(checker, text: str) -> None:
    for f in checker.check(text):
        assert f.text == text[f.start:f.end]
        assert f.text.strip()


def test_finding_fields(checker) -> None:
    [finding] = [f for f in checker.check("你怎么连这个也不懂") if f.rule == "FB006"]
    assert finding.category in {"喝斥", "反问", "质问", "歧视", "推卸责任"}
    assert finding.severity.value in {"error", "critical"}
    assert finding.suggestion
    assert finding.message


@pytest.mark.parametrize("text", [
    "不知道我刚才是否将您的问题解释清楚了?",
    "您好，方标电信，工号1001为您服务，请问有什么帮到您?",
    "请您别着急，慢慢讲，我们会尽力帮您解决。",
    "对不起，您所咨询的内容不是我们的服务范围，请您挂机，再见。",
    "对不起，听不到您的声音，请您再拨一次好吗?",
    "感谢您的来电，欢迎再次拨打，再见。",
    "您好，我是方标电信的话务员，您是张先生吗?为更好的为您提供服务，我公司想对您进行回访，不知您是否方便?",
    "谢谢您的合作，再见。",
    "对不起，我没听清楚您的问题，请您再复述一遍好吗?",
    "对不起，麻烦您稍等片刻，好吗?",
    "对不起，让您久等了",
    "页面往下滚动一下就能看到",
    "这款迷你音箱很受欢迎",
])
def test_polite_standard_scripts_are_not_flagged(checker, text: str) -> None:
    assert checker.check(text) == []


def _standard_scripts() -> list[str]:
    """The polite scripts of 004 §三, §四, §六 (the quoted lines the agent says)."""
    if SEED_004 is None:
        pytest.skip("seed documents not present")
    text = SEED_004.read_text(encoding="utf-8")
    body = text[text.index("三、服务热线服务用语"):text.index("五、服务忌语")]
    body += text[text.index("六、服务行为标准"):text.index("七、客户服务热线")]
    scripts = re.findall(r"[（(]话务员[)）]([^（(\n]+)", body) + re.findall(r"“([^”]+)”", body)
    return [s.strip() for s in scripts if len(s.strip()) > 3]


def test_standards_own_scripts_are_clean(checker) -> None:
    scripts = _standard_scripts()
    assert len(scripts) >= 15
    flagged = {s: [f.rule for f in checker.check(s)] for s in scripts}
    assert {s: r for s, r in flagged.items() if r} == {}


def test_short_entry_respects_word_boundaries(checker) -> None:
    assert not checker.check("请把页面滚动到底部")
    assert checker.check("你给我滚")


def test_segment_exposes_jieba_tokens(checker) -> None:
    tokens = checker.segment("感谢您的来电")
    assert [t.text for t in tokens] == ["感谢您", "的", "来电"]
    assert all("感谢您的来电"[t.start:t.end] == t.text for t in tokens)


separators = st.sampled_from([" ", "  ", "*", "-", "\u200b", "！", "😀", "\t", "·", "~"])


@pytest.fixture(scope="module")
def lexicon_checker():
    """The packaged lexicons without the tone model: matching alone, what the specs state."""
    from scriptcheck import Checker

    return Checker.from_lexicons([], tone=False)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_phrase_found_plain_is_found_disguised(lexicon_checker, data) -> None:
    # Matching tolerance, so without the tone model's veto of courteous turns (the next test):
    # with it, a draw among the three specs it vetoes failed about one run in ten.
    # gaps: false entries opt out of separator tolerance on purpose.
    checker = lexicon_checker
    rules = [e for lx, e in checker.rules() if lx.kind == "forbidden" and e.options.gaps]
    entry = data.draw(st.sampled_from(rules))
    plain = data.draw(st.sampled_from(entry.specs.match))
    assert any(f.rule == entry.id for f in checker.check(plain))
    glue = data.draw(separators)
    disguised = glue.join(plain)
    if data.draw(st.booleans()):
        import opencc
        disguised = opencc.OpenCC("s2t").convert(disguised)
    found = [f for f in checker.check(disguised) if f.rule == entry.id]
    assert found, disguised
    for f in found:
        assert disguised[f.start:f.end] == f.text


def test_the_default_checker_misses_a_match_spec_only_where_the_lexicon_veto_reads_it_courteous(
        checker, lexicon_checker) -> None:
    # The veto drops a packaged taboo's finding in a turn both tone stages read as courteous; it was
    # measured to clear polite flags for few rude ones lost, and three match specs are among those it
    # drops (麻烦您屈尊看一下…): a trade-off, recorded here so that no other stage loses specs unnoticed.
    total, vetoed = 0, []
    for lexicon, entry in checker.rules():
        if lexicon.kind != "forbidden":
            continue
        for text in entry.specs.match:
            total += 1
            if any(f.rule == entry.id for f in checker.check(text)):
                continue
            hits = [f for f in lexicon_checker.check(text) if f.rule == entry.id]
            assert hits and checker.tone.vetoes(text, max(f.end - f.start for f in hits)), (entry.id, text)
            vetoed.append(entry.id)
    assert total > 3000 and len(vetoed) <= total // 500, vetoed


@pytest.mark.parametrize("plain", [
    "今后请勿再到营业厅纠缠工作人员。",  # the 请 of 请勿 is no softener, glued or not
    "自己蠢怪谁",  # jieba reads 蠢怪: no lone 蠢
    "这是您自己操作失误，不是系统问题。",
    "祝您财源滚滚",
    # The writer's own comma between two glued halves stays a comma, not glue (笨，教 rather
    # than the jieba word 笨教): found by the hypothesis test above.
    "你家小明有点笨，教了三遍都不会",
])
@pytest.mark.parametrize("glue", [" ", "*", "·", "\u200b"])
def test_glued_text_is_judged_as_the_plain_text(checker, plain, glue) -> None:
    # Found by the hypothesis test above: letter-spacing made every character a jieba word, so a
    # word-boundary test passed (or failed) where the plain text's did not.
    glued = glue.join(plain)
    assert sorted({f.rule for f in checker.check(glued)}) == sorted({f.rule for f in checker.check(plain)})


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=80))
def test_checker_never_crashes_and_spans_index_the_text(checker, text: str) -> None:
    for f in checker.check(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.text == text[f.start:f.end]


def test_one_fault_described_by_two_entries_counts_once(checker) -> None:
    # 怎么连这都不懂 (FB006) and 这都不懂啊 (FB137) share most of their words: one fault.
    assert [f.rule for f in checker.check("你怎么连这都不懂啊")] == ["FB006"]


def test_overlap_never_hides_a_worse_finding() -> None:
    from scriptcheck.lexicon.matcher import drop_nested
    from scriptcheck.models import Finding

    def finding(rule, start, end, severity):
        return Finding(rule=rule, category="x", severity=severity, start=start, end=end, text="x" * (end - start),
                       message="", turn=None)

    first, worse, same = (finding("FB001", 0, 6, "error"), finding("FB002", 2, 8, "critical"),
                          finding("FB003", 2, 8, "error"))
    assert drop_nested([first, same]) == [first]            # mostly inside, no worse: dropped
    assert drop_nested([first, worse]) == [first, worse]    # more severe: kept
    assert drop_nested([first, finding("FB004", 4, 10, "error")]) == [first, finding("FB004", 4, 10, "error")]
