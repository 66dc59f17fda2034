"""The speech layer (text/speech.py): spoken numbers, fillers, clauses — examples and
properties (hypothesis): no crash on any input, spans inside the original, idempotence."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from scriptcheck.text.speech import (clauses, is_backchannel, normalize_numbers, number_chunks, number_sequences,
                                     strip_fillers)


def _digits(text: str) -> list[str]:
    return ["".join(c.digits for c in seq) for seq in number_sequences(text)]


def test_digit_by_digit_readings() -> None:
    assert _digits("号码是幺三八 幺二三四 五六七八对吧") == ["13812345678"]
    assert _digits("一三八，嗯，一二三四，五六七八") == ["13812345678"]
    assert _digits("零五七一 八八八八 〇〇〇〇") == ["057188880000"]
    assert _digits("4401 0619 9001 0112 35") == ["440106199001011235"]
    assert _digits("１３８１２３４５６７８") == ["13812345678"]
    assert _digits("两两零一") == ["2201"]


def test_id_check_character_said_aloud() -> None:
    assert _digits("一一零一零五一九四九一二三一零零二叉对吗") == ["11010519491231002X"]
    assert _digits("420111 19790526 804X没错吧") == ["42011119790526804X"]


def test_positional_numerals_are_values() -> None:
    assert [c.digits for c in number_chunks("两千三")] == ["2300"]
    assert [c.digits for c in number_chunks("一共两千三百五十元")][-1] == "2350"
    assert [c.digits for c in number_chunks("十五号")] == ["15"]
    assert [c.positional for c in number_chunks("两千三")] == [True]


def test_words_that_look_like_numerals() -> None:
    assert number_chunks("什么事怎么办") == []
    assert normalize_numbers("我帮您查一下").text == "我帮您查一下"   # a lone 一 is a word
    assert number_chunks("十分感谢") == []


def test_positional_value_is_not_joined_to_a_group() -> None:
    assert _digits("两千三 一二三四") == ["2300", "1234"]


def test_a_list_of_single_digits_is_not_one_number() -> None:
    assert _digits("三，五") == ["3", "5"]


def test_normalize_numbers_maps_back_to_the_original() -> None:
    text = "您的号码是幺三八 一二三四 五六七八对吗"
    spoken = normalize_numbers(text)
    assert spoken.text == "您的号码是13812345678对吗"
    start, end = spoken.span(5, 16)
    assert text[start:end] == "幺三八 一二三四 五六七八"


def test_fillers_removed_where_they_are_fillers() -> None:
    assert strip_fillers("嗯那个就是我想问一下那个宽带").text == "我想问一下那个宽带"
    assert strip_fillers("这就是规定").text == "这就是规定"      # 就是 inside a clause is a word
    assert strip_fillers("然后嗯好").text == "好"
    stripped = strip_fillers("嗯，那个，好的")
    assert [stripped.original[s] for s in stripped.starts] == list(stripped.text)


def test_clauses_from_punctuation_pauses_and_words() -> None:
    text = "好的请您稍等我为您查询一下好吗然后您那边的宽带账号是多少呢"
    spans = clauses(text)
    assert len(spans) >= 3
    assert any(text[s:e].endswith("好吗") for s, e in spans)
    assert clauses("您好 请问 有什么可以帮您") == [(0, 2), (3, 5), (6, 13)]


def test_backchannels() -> None:
    assert is_backchannel("嗯嗯")
    assert is_backchannel("好的。")
    assert is_backchannel("对对对")
    assert not is_backchannel("好的我知道了但是还是不行")
    assert not is_backchannel("")


unicode_text = st.text(st.characters(codec="utf-8"), max_size=60)
# Text dense in what the speech layer reacts to, so the properties meet its branches.
spoken_text = st.text(alphabet="零〇一二三四五六七八九两幺么腰要十百千万亿Xx叉0123456789 ，,、。-嗯呃那个就是然后好的什怎", max_size=50)
any_text = st.one_of(unicode_text, spoken_text)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_number_views_never_crash_and_point_into_the_original(text: str) -> None:
    spoken = normalize_numbers(text)
    assert spoken.original == text
    assert len(spoken.text) == len(spoken.starts) == len(spoken.ends)
    for i in range(len(spoken.text)):
        assert 0 <= spoken.starts[i] < spoken.ends[i] <= len(text)
        if i:
            assert spoken.starts[i] >= spoken.starts[i - 1]
    for sequence in number_sequences(text):
        for chunk in sequence:
            assert 0 <= chunk.start < chunk.end <= len(text)
            assert len(chunk.digits) == len(chunk.starts) == len(chunk.ends)
            for s, e in zip(chunk.starts, chunk.ends):
                assert chunk.start <= s < e <= chunk.end


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="零〇一二三四五六七八九两幺0123456789 -嗯号码是的", max_size=50))
def test_normalize_numbers_is_idempotent_on_digit_readings(text: str) -> None:
    once = normalize_numbers(text).text
    assert normalize_numbers(once).text == once


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_strip_fillers_never_crashes_keeps_characters_and_is_idempotent(text: str) -> None:
    stripped = strip_fillers(text)
    assert [text[s] for s in stripped.starts] == list(stripped.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(stripped.starts, stripped.ends))
    assert strip_fillers(stripped.text).text == stripped.text


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_clauses_are_ordered_disjoint_and_inside(text: str) -> None:
    spans = clauses(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        last = e
    is_backchannel(text)  # never raises


def test_hesitations_never_break_a_phrase() -> None:
    from scriptcheck import Checker
    from scriptcheck.text.normalize import normalize

    assert normalize("请您稍嗯等").text == "请你稍等"
    assert normalize("金额额度").text == "金额度"          # 额 is a word's character, kept
    checker = Checker.from_profile("hotline")
    (finding,) = [f for f in checker.check("你怎么呃连这都不懂") if f.rule == "FB006"]
    assert finding.text == "怎么呃连这都不懂"
    assert "waiting" in {p.category for p in checker.find_phrases("请您稍嗯等")}
