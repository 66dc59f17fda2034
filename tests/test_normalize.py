"""Normalisation: offsets back to the original, evasions removed, idempotence (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from scriptcheck.text.normalize import normalize, normalize_phrase


def test_offset_map_points_into_the_original() -> None:
    text = "您 怎-么\u200b連這個也不懂!!😀"
    norm = normalize(text)
    assert norm.text == "你怎么连这个也不懂"
    start, end = norm.span(0, len(norm.text))
    assert text[start:end] == "您 怎-么\u200b連這個也不懂"


def test_runs_collapse_and_cover_the_whole_run() -> None:
    norm = normalize("你你你好")
    assert norm.text == "你好"
    assert norm.span(0, 1) == (0, 3)


def test_full_width_and_case() -> None:
    assert normalize_phrase("ＳＢ你") == "sb你"


def test_taiwan_spellings_that_t2s_keeps_fold_like_the_simplified_ones() -> None:
    # OpenCC leaves 著 and 甚 alone (both are simplified characters too)
    assert normalize_phrase("上面不是寫著了嗎") == normalize_phrase("上面不是写着了吗") == "上面不是写着了吗"
    assert normalize_phrase("為甚麼不早說") == "为什么不早说"
    text = "等著吧，你在幹甚麼"
    norm = normalize(text)
    assert norm.text == "等着吧你在干什么"
    start, end = norm.span(norm.text.index("什么"), len(norm.text))
    assert text[start:end] == "甚麼"


unicode_text = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=400, deadline=None)
@given(unicode_text)
def test_never_crashes_and_spans_index_the_original(text: str) -> None:
    norm = normalize(text)
    assert len(norm.text) == len(norm.starts) == len(norm.ends)
    for i in range(len(norm.text)):
        assert 0 <= norm.starts[i] < norm.ends[i] <= len(text)
        if i:
            assert norm.starts[i] >= norm.starts[i - 1]


@settings(max_examples=400, deadline=None)
@given(unicode_text)
def test_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=400, deadline=None)
@given(st.one_of(unicode_text, st.text(alphabet="您好，请问有什么可以帮您?! 　谢谢～😀ＡB你你", max_size=30)),
       st.data())
def test_span_shortcut_agrees_with_the_offset_map(text: str, data) -> None:
    """A hit before the first skipped character is mapped without building the offset map;
    it must give what the map gives."""
    norm = normalize(text)
    if not norm.text:
        return
    begin = data.draw(st.integers(0, len(norm.text) - 1))
    end = data.draw(st.integers(begin + 1, len(norm.text)))
    shortcut = normalize(text).span(begin, end)
    assert shortcut == (norm.starts[begin], norm.ends[end - 1])
