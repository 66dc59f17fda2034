"""jieba's dictionary from the on-disk index (text/jieba_dict.py) segments exactly as jieba does."""

from __future__ import annotations

import json
import os
import sqlite3

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CORPORA, JDDC
from scriptcheck.text import jieba_dict
from scriptcheck.text.jieba_dict import DiskFreq, attach_disk_dictionary


def _reference() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> str:
    """A cache directory whose index is built once for the module."""
    path = tmp_path_factory.mktemp("jieba-cache")
    old = os.environ.get("SCRIPTCHECK_CACHE_DIR")
    os.environ["SCRIPTCHECK_CACHE_DIR"] = str(path)
    try:
        first = jieba.Tokenizer()
        assert attach_disk_dictionary(first)
        assert isinstance(first.FREQ, dict)  # the building process keeps the dict it built
        second = jieba.Tokenizer()
        assert attach_disk_dictionary(second)
        assert isinstance(second.FREQ, DiskFreq)  # later ones the index
    finally:
        if old is None:
            del os.environ["SCRIPTCHECK_CACHE_DIR"]
        else:
            os.environ["SCRIPTCHECK_CACHE_DIR"] = old
    return str(path), second


@pytest.fixture()
def disk_tokenizer(cache, monkeypatch) -> jieba.Tokenizer:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", cache[0])
    tokenizer = jieba.Tokenizer()
    assert attach_disk_dictionary(tokenizer)
    assert isinstance(tokenizer.FREQ, DiskFreq)
    return tokenizer


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    return _reference()


def _corpus_texts() -> list[str]:
    """Every text of the bundled transcripts, and of the JDDC chats when they are present."""
    texts = []
    for path in sorted(CORPORA.glob("*.jsonl")) + ([JDDC] if JDDC.exists() else []):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.extend(t.get("text", "") for t in json.loads(line).get("turns", []))
    texts.extend(line for line in (CORPORA / "presale.txt").read_text(encoding="utf-8").splitlines())
    return [t for t in texts if t]


def test_same_tokens_as_jieba_on_every_corpus(disk_tokenizer, reference) -> None:
    texts = _corpus_texts()
    assert len(texts) > 100
    for text in texts:
        assert list(disk_tokenizer.tokenize(text)) == list(reference.tokenize(text)), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("你您好的是不了吗呢请问订单快递退货客服滚笨蛋京东abc123 ，。！？\n-_."),
               max_size=60) | st.text(max_size=40))
def test_same_tokens_as_jieba_on_any_text(cache, reference, text) -> None:
    shared = cache[1]  # one tokenizer for every example: its memo fills as in a long run
    assert list(shared.tokenize(text)) == list(reference.tokenize(text))
    assert list(shared.cut(text, HMM=False)) == list(reference.cut(text, HMM=False))


def test_answers_like_the_dict(disk_tokenizer, reference) -> None:
    freq = disk_tokenizer.FREQ
    assert disk_tokenizer.total == reference.total
    assert len(freq) == len(reference.FREQ)
    for word in ("京东", "京", "客服", "滚", "不存在的词语xyz", ""):
        assert (word in freq) == (word in reference.FREQ)
        assert freq.get(word) == reference.FREQ.get(word)
        assert freq.get(word, 7) == reference.FREQ.get(word, 7)
    assert freq["京东"] == reference.FREQ["京东"]
    with pytest.raises(KeyError):
        freq["不存在的词语xyz"]
    assert 3 not in freq


def test_a_busy_process_switches_to_the_real_dict(disk_tokenizer, reference, monkeypatch) -> None:
    monkeypatch.setattr(jieba_dict, "MEMO_LIMIT", 50)
    text = "您好，请问有什么可以帮您的吗？这个订单已经发货了，预计明天送达。你自己不看清楚就下单，怪谁呢"
    assert list(disk_tokenizer.tokenize(text)) == list(reference.tokenize(text))
    assert isinstance(disk_tokenizer.FREQ, dict)
    assert disk_tokenizer.FREQ == reference.FREQ
    assert list(disk_tokenizer.tokenize(text)) == list(reference.tokenize(text))


def test_a_forked_child_opens_its_own_connection(disk_tokenizer, monkeypatch) -> None:
    freq = disk_tokenizer.FREQ
    assert freq.get("京东")  # connected in this process
    parent_connection = freq._con
    monkeypatch.setattr(jieba_dict.os, "getpid", lambda: -12345)  # as a forked child sees it
    assert freq.get("客服") is not None
    assert freq._con is not parent_connection


def test_no_cache_no_index(monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    tokenizer = jieba.Tokenizer()
    assert not attach_disk_dictionary(tokenizer)
    assert not tokenizer.initialized


def test_a_damaged_index_falls_back_to_jieba(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    path = jieba_dict._index_path(jieba.Tokenizer())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    tokenizer = jieba.Tokenizer()
    assert not attach_disk_dictionary(tokenizer)
    assert not tokenizer.initialized
    # A database without the table is refused the same way.
    path.unlink()
    sqlite3.connect(path).close()
    assert not attach_disk_dictionary(jieba.Tokenizer())


def test_an_unwritable_cache_still_segments(tmp_path, monkeypatch, reference) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(blocker))  # a file where a folder must go
    tokenizer = jieba.Tokenizer()
    assert attach_disk_dictionary(tokenizer)
    assert isinstance(tokenizer.FREQ, dict)
    text = "亲，这个商品支持七天无理由退货"
    assert list(tokenizer.tokenize(text)) == list(reference.tokenize(text))


def test_a_custom_dictionary_is_left_to_jieba(tmp_path, cache, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", cache[0])
    custom = tmp_path / "dict.txt"
    custom.write_text("客服 5 n\n", encoding="utf-8")
    assert not attach_disk_dictionary(jieba.Tokenizer(str(custom)))
