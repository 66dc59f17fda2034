"""The rjieba backend gives the same results as jieba wherever a rule looks at words."""

from __future__ import annotations


import pytest

from scriptcheck import Checker
from scriptcheck.text.segment import Segmenter

from tests.conftest import CORPORA

pytest.importorskip("rjieba")


def test_tokens_match_on_chinese_text() -> None:
    texts = ["你怎么连这个也不懂", "迷你版的你好", "感谢您的来电，欢迎再次拨打，再见。", "页面往下滚动一下"]
    jieba_seg, rust_seg = Segmenter("jieba"), Segmenter("rjieba")
    for text in texts:
        assert jieba_seg.tokens(text) == rust_seg.tokens(text)


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
