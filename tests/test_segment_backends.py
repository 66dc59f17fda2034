"""The rjieba backend gives jieba's tokens (text/rust_segmenter.py mends where rjieba's own differ),
so every report is the same whichever backend runs."""

from __future__ import annotations


import importlib

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck import Checker
from scriptcheck.text.segment import Segmenter, default_backend, words

from tests.conftest import CORPORA

pytest.importorskip("rjieba")  # the `test` extra installs it

JIEBA, RUST = Segmenter("jieba"), Segmenter("rjieba")


def test_tokens_match_on_chinese_text() -> None:
    texts = ["你怎么连这个也不懂", "迷你版的你好", "感谢您的来电，欢迎再次拨打，再见。", "页面往下滚动一下"]
    for text in texts:
        assert JIEBA.tokens(text) == RUST.tokens(text)


@pytest.mark.parametrize("text, cut", [
    # rjieba keeps an ASCII run joined by _ . - whole; jieba cuts it as its HMM fallback does
    ("订单{order_id}已发货", ["订单", "{", "order", "_", "id", "}", "已", "发货"]),
    ("TP-LINK路由器", ["TP", "-", "LINK", "路由器"]),
    ("打开www.jd.com查看", ["打开", "www", ".", "jd", ".", "com", "查看"]),
    ("手机138-1234-5678", ["手机", "138", "-", "1234", "-", "5678"]),
    # ... but a decimal and a percentage stay one token in both
    ("v1.2版本打5.5折省50%", ["v1.2", "版本", "打", "5.5", "折省", "50%"]),
    ("a__b", ["a", "__", "b"]),
])
def test_ascii_joined_runs_are_cut_as_jieba_cuts_them(text: str, cut: list[str]) -> None:
    assert [t.text for t in JIEBA.tokens(text)] == cut
    assert RUST.tokens(text) == JIEBA.tokens(text)


@pytest.mark.parametrize("text", ["㐀字和𠀀字", "豈有此理", "鿏元素", "〇和㐀"])
def test_ideographs_outside_jiebas_han_range_are_cut_by_jieba(text: str) -> None:
    # rjieba's Han blocks take CJK extensions and compatibility ideographs; jieba's do not
    assert RUST.tokens(text) == JIEBA.tokens(text)
    assert words(text) == [t.text for t in JIEBA.tokens(text)]


_ALPHABET = st.sampled_from(list("的一是不了人我你您在有订单退款快递滚笨蛋傻瓜发货已") + list("aZx09")
                            + list("_.-%+#&") + [" ", "\n", "\r\n", "\t", "\u3000", "，", "。", "１", "Ａ", "é",
                                                 "😀", "㐀", "𠀀", "豈", "\u200b", "々", "〇"])


# ... and one where ASCII runs joined by _ . - % are common
_ASCII_HEAVY = st.sampled_from(list("订单的退款aZx0915") + list("_.-%+#&") * 2 + [" ", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_ALPHABET, min_size=1, max_size=30), st.lists(_ASCII_HEAVY, min_size=1, max_size=30))
       .map("".join))
def test_rjieba_tokens_are_jiebas_on_any_text(text: str) -> None:
    rust = RUST.tokens(text)
    assert rust == JIEBA.tokens(text)
    assert all(text[t.start:t.end] == t.text for t in rust)


def test_default_backend(monkeypatch) -> None:
    monkeypatch.delenv("SCRIPTCHECK_SEGMENTER", raising=False)
    assert default_backend() == "jieba" == Segmenter().backend
    monkeypatch.setenv("SCRIPTCHECK_SEGMENTER", "rjieba")
    assert Segmenter().backend == "rjieba"
    assert words("你怎么连这个也不懂") == ["你", "怎么", "连", "这个", "也", "不", "懂"]


def test_rjieba_backend_without_rjieba_says_how_to_get_it(monkeypatch) -> None:
    # (the package re-exports a function named segment, so the module is fetched by name)
    monkeypatch.setattr(importlib.import_module("scriptcheck.text.segment"), "rjieba_available", lambda: False)
    with pytest.raises(ImportError, match=r"scriptcheck\[rjieba\]"):
        Segmenter("rjieba").tokens("你好")


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown segmenter backend"):
        Segmenter("thulac")


def _reports(monkeypatch, backend: str, transcripts) -> list[dict]:
    monkeypatch.setenv("SCRIPTCHECK_SEGMENTER", backend)
    checker = Checker.from_profile("ecommerce-chat")
    assert checker.segmenter.backend == backend
    return [checker.score(t).model_dump() for t in transcripts]


def test_scores_identical_on_real_chats(monkeypatch, jddc_dialogues) -> None:
    from scriptcheck import Transcript

    transcripts = [Transcript.model_validate({"id": d["id"], "turns": d["turns"]}) for d in jddc_dialogues]
    assert _reports(monkeypatch, "jieba", transcripts) == _reports(monkeypatch, "rjieba", transcripts)


def test_scores_identical_on_bundled_corpora(monkeypatch) -> None:
    from scriptcheck.io.transcripts import read_transcripts

    transcripts = [r.transcript for name in ("calls.jsonl", "chats.csv", "presale.txt")
                   for r in read_transcripts(str(CORPORA / name))]
    assert _reports(monkeypatch, "jieba", transcripts) == _reports(monkeypatch, "rjieba", transcripts)


def test_the_words_of_a_very_long_text_are_cut_in_pieces_the_hmm_can_take(monkeypatch) -> None:
    # jieba's HMM is quadratic in a run it has no word for, and the turn stage asks for the words
    # of a whole sentence: an attacker's 50,000 characters of one block are segmented piecewise
    segment = importlib.import_module("scriptcheck.text.segment")
    real = segment._jieba_tokenizer()
    asked: list[int] = []

    class Recording:
        def lcut(self, text: str) -> list[str]:
            asked.append(len(text))
            return real.lcut(text)

    monkeypatch.delenv("SCRIPTCHECK_SEGMENTER", raising=False)
    monkeypatch.setattr(segment, "_jieba_tokenizer", Recording)
    short = "你怎么连这个也不懂"
    assert words(short) == real.lcut(short) and asked == [len(short)]  # a real sentence: whole
    long = "这双不给试" * 10_000
    got = words(long)
    assert max(asked[1:]) <= segment._WORDS_PIECE and sum(asked[1:]) == len(long)
    assert "".join(got) == long
