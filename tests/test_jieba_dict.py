"""jieba's dictionary loaded shard by shard (``text/jieba_dict.py``) must segment exactly as the
fully loaded dictionary does, on any text."""

from __future__ import annotations

import logging

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptcheck.text import jieba_dict

from .test_segment import SENTENCES

jieba.setLogLevel(logging.WARNING)
FULL = jieba.Tokenizer()
FULL.initialize()

# Words jieba knows, prefixes of them, characters it does not know, ASCII runs, separators:
# what makes its DAG, its route and its HMM fallback take every branch.
PIECES = ["你好", "迷你", "请您稍等", "感谢您的来电", "不懂", "这都不懂", "滚", "TP-LINK", "USB", "3.5", "#", "，", " ",
          "\u200b", "😀", "𠀀", "鬱", "亲", "哦", "呢", "订单号", "售后", "B超", "T恤", "卡拉OK", "啊啊啊", "A", "z_1"]
TEXTS = st.one_of(st.text(st.characters(codec="utf-8"), max_size=40),
                  st.lists(st.sampled_from(PIECES), max_size=12).map("".join))


def _lazy(path):
    """A jieba tokenizer over the shard file ``path``, with nothing loaded yet."""
    shards = jieba_dict.LazyDictionary(path, {})
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = shards.freq, shards.total, True
    return jieba_dict._ShardedTokenizer(tokenizer, shards)


@pytest.fixture(scope="module")
def shard_path(tmp_path_factory):
    """A shard file written from the full dictionary."""
    path = tmp_path_factory.mktemp("shards") / "shards.bin"
    jieba_dict.write_shards(path, FULL.FREQ, FULL.total)
    return path


@pytest.fixture(scope="module")
def shared(shard_path):
    """One lazy tokenizer for many texts (its dictionary grows as they come)."""
    return _lazy(shard_path)


def test_shards_hold_the_whole_dictionary(shard_path) -> None:
    shards = _lazy(shard_path)._shards
    shards.cover("".join({word[0] for word in FULL.FREQ}))
    assert shards.freq == FULL.FREQ and shards.total == FULL.total


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_sharded_tokens_are_jiebas(shard_path, shared, text: str) -> None:
    expected = list(FULL.tokenize(text))
    assert list(_lazy(shard_path).tokenize(text)) == expected  # only this text's shards loaded
    assert list(shared.tokenize(text)) == expected  # and many other shards besides


def test_only_the_texts_characters_are_loaded(shard_path) -> None:
    lazy = _lazy(shard_path)
    shards = lazy._shards
    assert list(lazy.tokenize("请您稍等")) == list(FULL.tokenize("请您稍等"))
    assert {word[0] for word in shards.freq} <= set("请您稍等")
    assert len(shards.freq) < len(FULL.FREQ) / 20
    assert lazy.lcut("感谢您的来电") == FULL.lcut("感谢您的来电")


def test_the_shard_file_is_written_once_and_then_used(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    first = jieba_dict.load_tokenizer()  # no shard file yet: the full load, which writes one
    assert isinstance(first, jieba.Tokenizer) and jieba_dict.shard_file().is_file()
    second = jieba_dict.load_tokenizer()
    assert isinstance(second, jieba_dict._ShardedTokenizer)
    for text in SENTENCES:
        assert list(second.tokenize(text)) == list(first.tokenize(text))


def test_a_damaged_shard_file_falls_back_to_the_full_load(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    path = jieba_dict.shard_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a shard file")
    tokenizer = jieba_dict.load_tokenizer()
    assert isinstance(tokenizer, jieba.Tokenizer)
    assert list(tokenizer.tokenize("请您稍等")) == list(FULL.tokenize("请您稍等"))
    assert isinstance(jieba_dict.load_tokenizer(), jieba_dict._ShardedTokenizer)  # written again


def test_no_cache_folder_means_the_full_load(monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    assert jieba_dict.shard_file() is None
    assert isinstance(jieba_dict.load_tokenizer(), jieba.Tokenizer)


# A fresh interpreter (this one imported jieba already): jieba imported as scriptcheck imports
# it, or plainly, loads its dictionary and HMM tables in full and segments SENTENCES.
_PROBE = r"""
import hashlib, json, sys
if sys.argv[1] == "scriptcheck":
    from scriptcheck.text.jieba_dict import import_jieba
    jieba = import_jieba()
else:
    import jieba
import jieba.finalseg as hmm
tokenizer = jieba.Tokenizer()
tokenizer.tmp_dir = sys.argv[2]  # its own dictionary cache: read from dict.txt, not from another run's cache
tokenizer.initialize()
digest = lambda value: hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
print(json.dumps({"pkg_resources": "pkg_resources" in sys.modules, "total": tokenizer.total,
                  "freq": digest(list(tokenizer.FREQ.items())), "hmm": digest([hmm.start_P, hmm.trans_P, hmm.emit_P]),
                  "tokens": [list(tokenizer.tokenize(text)) for text in json.loads(sys.argv[3])]}))
"""


def _probe(how: str, tmp_path) -> dict:
    import json
    import subprocess
    import sys

    folder = tmp_path / how
    folder.mkdir()
    out = subprocess.run([sys.executable, "-c", _PROBE, how, str(folder), json.dumps(SENTENCES, ensure_ascii=False)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_jieba_imported_without_pkg_resources_reads_the_same_files(tmp_path) -> None:
    import importlib.util

    ours = _probe("scriptcheck", tmp_path)
    assert not ours["pkg_resources"]  # the import it skipped (0.1 s of CPU per process)
    plain = _probe("plain", tmp_path)
    if importlib.util.find_spec("pkg_resources") is not None:
        assert plain["pkg_resources"]  # jieba's own way: its files through pkg_resources
    assert ours == {**plain, "pkg_resources": False}


def test_import_jieba_leaves_pkg_resources_importable() -> None:
    import sys

    assert jieba_dict.import_jieba() is jieba  # already imported: the same module
    assert sys.modules.get("pkg_resources", "absent") is not None  # no mark left behind
