"""Segmentation: the private tokenizer, and block-local segmentation matching the whole text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck.text.segment import Segmenter

SEGMENTER = Segmenter()
SENTENCES = ["迷你版的你好，你们到底想怎样", "麻烦你提供一下您的订单号", "你好 请问TP-LINK的路由器你会设置吗？",
             "这款迷你音箱你可以看看", "你你你怎么连这个也不懂"]


def _around(text: str, tokens) -> list:
    positions = [i for i, c in enumerate(text) if c == "你"]
    return [t for t in tokens if any(t.start <= p < t.end for p in positions)]


def test_tokens_near_match_the_whole_text() -> None:
    for text in SENTENCES:
        positions = [i for i, c in enumerate(text) if c == "你"]
        assert _around(text, SEGMENTER.tokens_near(text, positions)) == _around(text, SEGMENTER.tokens(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["你", "你好", "迷你", "们", "，", " ", "怎么", "订单", "A-1", "的", "想"]),
                max_size=12).map("".join))
def test_tokens_near_match_on_generated_text(text: str) -> None:
    positions = [i for i, c in enumerate(text) if c == "你"]
    assert _around(text, SEGMENTER.tokens_near(text, positions)) == _around(text, SEGMENTER.tokens(text))


def test_tokens_near_match_on_real_chats(jddc_dialogues) -> None:
    checked = 0
    for dialogue in jddc_dialogues:
        for turn in dialogue["turns"]:
            text = turn["text"]
            positions = [i for i, c in enumerate(text) if c == "你"]
            if positions:
                checked += 1
                assert _around(text, SEGMENTER.tokens_near(text, positions)) == _around(text, SEGMENTER.tokens(text))
    assert checked > 100


def test_tokens_index_the_text() -> None:
    for text in SENTENCES:
        assert all(text[t.start:t.end] == t.text for t in SEGMENTER.tokens(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["滚", "滚动", "你给我", "条", "，", " ", "闭嘴", "嘴巴", "页面", "sb", "USB",
                                 "缺心眼儿", "女儿", "没门儿"]),
                max_size=10).map("".join), st.data())
def test_on_boundaries_agrees_with_whole_text_segmentation(text: str, data) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    cuts = SEGMENTER.boundaries(text)
    assert SEGMENTER.on_boundaries(text, start, end) == (start in cuts and end in cuts)


def test_erhua_ends_the_word_before_it() -> None:
    # northern speech adds 儿 to a word the lexicons list (缺心眼儿, 没门儿): the word ends before
    # it; a two-character word with 儿 (女儿, 婴儿) keeps its 儿 inside
    text = "你是不是缺心眼儿啊"
    assert SEGMENTER.on_boundaries(text, text.index("缺"), text.index("儿"))
    assert SEGMENTER.on_boundaries(text, text.index("缺"), text.index("儿") + 1)
    assert not SEGMENTER.on_boundaries(text, text.index("缺"), text.index("眼"))
    text = "我女儿说"
    assert not SEGMENTER.on_boundaries(text, 0, text.index("儿"))


def test_unknown_segmenter_in_the_environment_is_one_line_at_use() -> None:
    # it raised ValueError at import (the module built its default segmenter then): a traceback
    import os
    import subprocess
    import sys

    from tests.hostile import SRC

    env = dict(os.environ, SCRIPTCHECK_SEGMENTER="bogus", PYTHONPATH=str(SRC))
    imported = subprocess.run([sys.executable, "-c", "import scriptcheck"], env=env, capture_output=True, timeout=120)
    assert imported.returncode == 0, imported.stderr.decode()
    result = subprocess.run([sys.executable, "-m", "scriptcheck", "score", "-q", "-"], input="你好\n".encode(),
                            env=env, capture_output=True, timeout=120)
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and len(lines) == 1, lines
    assert "SCRIPTCHECK_SEGMENTER='bogus'" in lines[0] and "choose from jieba, rjieba" in lines[0]


def test_unknown_backend_is_a_project_error(monkeypatch) -> None:
    from scriptcheck.errors import ConfigError
    from scriptcheck.text.segment import default_backend

    monkeypatch.setenv("SCRIPTCHECK_SEGMENTER", "bogus")
    with pytest.raises(ConfigError, match="SCRIPTCHECK_SEGMENTER='bogus'"):
        default_backend()
    with pytest.raises(ConfigError, match="SCRIPTCHECK_SEGMENTER"):
        Segmenter()
    with pytest.raises(ValueError, match="unknown segmenter backend 'thulac'"):  # still a ValueError
        Segmenter("thulac")
