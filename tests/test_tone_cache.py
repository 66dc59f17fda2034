"""The tone model's load cache (lexicon.tone_cache): a warm load gives the same model and the
same findings as a fresh one, skips what it should (the n-gram file's validation, the cue
and neutral patterns' checks), ignores a corrupt or foreign file and is off with
``SCRIPTCHECK_CACHE_DIR=off``. Timing is never asserted (benchmarks/bench_startup.py measures it).
"""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

from scriptcheck.lexicon import tone as tone_module
from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.ngram import NgramFile, load_ngram
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.text.normalize import normalize

TEXTS = [
    "你怎么连这个也不懂", "你自己不会看说明书吗？", "您好，请问有什么可以帮您？", "这点小事也值得投诉，你是不是太闲了",
    "我说了多少遍了你还问", "感谢您的耐心等待，祝您生活愉快", "你们这种人我见多了", "请您稍等，好吗？",
    "你烦不烦啊，一直打电话", "“你烦不烦啊”这种话我们绝对不会说",
]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(directory))
    return directory


def _files(directory: Path, kind: str) -> list[Path]:
    return sorted(p for p in (directory / kind).glob("*") if not p.name.endswith(".tmp"))


def _same(one, other) -> None:
    assert one.data == other.data
    assert one.data.model_fields_set == other.data.model_fields_set
    for a, b in zip((*one.data.cues, *one.data.mitigators), (*other.data.cues, *other.data.mitigators)):
        assert (a._compiled is None) == (b._compiled is None)
        if a._compiled is not None:
            assert a._compiled.analysis == b._compiled.analysis
            assert a._compiled.regex.pattern == b._compiled.regex.pattern
    assert one.ngram.data == other.ngram.data
    assert one.ngram.data.model_fields_set == other.ngram.data.model_fields_set
    assert type(one.ngram.data.orders) is type(other.ngram.data.orders)
    assert list(one.ngram.data.weights.items()) == list(other.ngram.data.weights.items())
    assert one.gate_keys == other.gate_keys
    assert [(e.phrases, [p._key() for p in e.patterns]) for e in one.gate_entries] == \
        [(e.phrases, [p._key() for p in e.patterns]) for e in other.gate_entries]
    for text in TEXTS:
        norm = normalize(text)
        assert one.hits(norm) == other.hits(norm), text


def test_warm_tone_model_is_the_fresh_one(cache, monkeypatch) -> None:
    cold = load_tone()
    assert len(_files(cache, "ngram")) == 1 and len(_files(cache, "tone")) == 1

    def refused(*args, **kwargs):
        raise AssertionError("a warm load checked again what the cache holds")

    monkeypatch.setattr(NgramFile, "model_validate", refused)
    monkeypatch.setattr(tone_module, "check_regex", refused)
    monkeypatch.setattr(tone_module, "check_normalised", refused)  # the neutral clauses' check
    warm = load_tone()
    monkeypatch.undo()
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    fresh = load_tone()
    _same(warm, fresh)
    _same(cold, fresh)
    assert any(warm.hits(normalize(t)) for t in TEXTS)  # the texts do reach the model


def test_tone_cache_is_off_when_caching_is(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    load_tone()
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path / "c"))
    assert not (tmp_path / "c" / "ngram").exists()


@pytest.mark.parametrize("kind", ["ngram", "tone"])
@pytest.mark.parametrize("content", [
    b"", b"not marshal", marshal.dumps(("scriptcheck-ngram/2", "another key", ({}, []))),
    marshal.dumps(("scriptcheck-tone/1", "another key", ([], {}))), marshal.dumps([1, 2, 3]),
])
def test_corrupt_or_foreign_cache_files_are_ignored(cache, kind, content) -> None:
    fresh = load_tone()
    for path in _files(cache, kind):
        path.write_bytes(content)
    _same(load_tone(), fresh)


def test_a_cached_ngram_file_of_another_shape_is_ignored(cache) -> None:
    fresh = load_tone()
    (path,) = _files(cache, "ngram")
    fmt, key, (fields, fields_set) = marshal.loads(path.read_bytes())
    count, grams, values = fields["weights"]
    for name, bad in (("weights", {"你": 1.0}), ("weights", (count + 1, grams, values)),
                      ("weights", (count, grams, values[:-1])), ("weights", (count, grams + "\0x", values)),
                      ("orders", [1, 4]), ("bias", "0.5"), ("triggers", "你")):
        path.write_bytes(marshal.dumps((fmt, key, ({**fields, name: bad}, fields_set))))
        assert tone_cache.load_ngram_fields(key) is None
        _same(load_tone(), fresh)  # and the file is written afresh
    less = dict(fields)
    del less["veto"]
    path.write_bytes(marshal.dumps((fmt, key, (less, fields_set))))
    assert tone_cache.load_ngram_fields(key) is None


def test_a_changed_file_is_validated_again(cache, tmp_path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    tone = folder / "tone.yaml"
    shutil.copy(default_tone_path(), tone)
    for name in ("tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(default_tone_path().parent / name, folder / name)
    load_tone(tone)
    text = tone.read_text(encoding="utf-8")
    tone.write_text(text.replace("pattern: '难道'", "pattern: '(a+)+b'"), encoding="utf-8")
    with pytest.raises(Exception, match="nandao"):
        load_tone(tone)
    tone.write_text(text, encoding="utf-8")
    ngram = folder / "tone_ngram.yaml"
    ngram.write_text(ngram.read_text(encoding="utf-8").replace("orders: [1, 4]", "orders: [3, 1]"), encoding="utf-8")
    with pytest.raises(Exception, match="orders"):
        load_ngram(ngram)
