"""The tone model's stages on a warm start (lexicon.tone_cache.load_staged): the n-gram
stage's weights and the turn stage's features are read only when a sentence is first scored,
and then give exactly what an eager load gives — from the very bytes the head came from, after
a pickle, without the cached mapping, and past a corrupt head. Timing is never asserted
(benchmarks/bench_startup.py measures it)."""

from __future__ import annotations

import marshal
import pickle
import shutil
from pathlib import Path

import pytest

from scriptcheck.lexicon import tone_cache
from scriptcheck.lexicon.ngram import load_ngram
from scriptcheck.lexicon.tone import default_tone_path, load_tone
from scriptcheck.lexicon.turn_model import load_turn_model
from scriptcheck.text.normalize import normalize

TEXTS = [
    "你怎么连这个也不懂", "您好，请问有什么可以帮您？", "这点小事也值得投诉，你是不是太闲了",
    "我说了多少遍了你还问", "感谢您的耐心等待，祝您生活愉快", "您一个月打了二十次客服电话，比我们员工还熟悉业务了。",
    "你平时是不是经常投诉？", "这种事也打12345，您是真闲", "“你烦不烦啊”这种话我们绝对不会说",
]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def models(tmp_path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for name in ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml"):
        shutil.copy(default_tone_path().parent / name, folder / name)
    return folder


def _eager(monkeypatch, path: Path | None = None):
    with monkeypatch.context() as m:
        m.setenv("SCRIPTCHECK_CACHE_DIR", "off")
        return load_tone(path)


def _hits(tone) -> list:
    return [tone.hits(normalize(t)) for t in TEXTS]


def test_a_warm_load_reads_the_heads_only_until_a_sentence_is_scored(cache, monkeypatch) -> None:
    cold = load_tone()
    assert cold.ngram._data is not None and cold.turn._data is not None  # nothing cached yet: read whole
    warm = load_tone()
    assert warm.ngram._data is None and warm.turn._data is None
    assert warm.ngram.triggers == cold.ngram.triggers and warm.turn.triggers == cold.turn.triggers
    assert warm.gate_keys == cold.gate_keys
    assert warm.hits(normalize("您好，请问有什么可以帮您？")) == []
    assert warm.ngram._data is None  # a polite greeting never reaches the weights
    eager = _eager(monkeypatch)
    assert _hits(warm) == _hits(eager) == _hits(cold)
    assert any(_hits(eager)) and warm.ngram._data is not None and warm.turn._data is not None
    assert warm.ngram.data == eager.ngram.data and warm.turn.data == eager.turn.data


def test_the_head_holds_what_the_file_says(cache) -> None:
    path = default_tone_path().parent
    eager_ngram, eager_turn = load_ngram(path / "tone_ngram.yaml"), load_turn_model(path / "tone_turn.yaml")
    ngram, turn = load_ngram(path / "tone_ngram.yaml"), load_turn_model(path / "tone_turn.yaml")
    assert ngram._data is None and turn._data is None
    for name in ("threshold", "triggers", "cue_floor", "cue_gate", "veto"):
        assert getattr(ngram, name) == getattr(eager_ngram, name), name
    assert ngram.cue_ids() == eager_ngram.data.cue_ids() and ngram.cue_ids()
    data = eager_ngram.data
    for search in ("你", "你自己看", "这种事也打12345，您是真闲"):
        short = len(search) <= data.short_length and data.short_threshold is not None
        assert ngram.threshold_for(search) == (data.short_threshold if short else data.threshold)
    assert ngram._data is None
    assert (turn.threshold, turn.triggers) == (eager_turn.data.threshold, tuple(eager_turn.data.triggers))


def test_the_weights_come_from_the_bytes_the_head_came_from(cache, models, monkeypatch) -> None:
    load_tone(models / "tone.yaml")  # cold: heads and mappings cached
    warm = load_tone(models / "tone.yaml")
    assert warm.ngram._data is None
    ngram = models / "tone_ngram.yaml"
    original = _eager(monkeypatch, models / "tone.yaml")
    # The file changes (or goes) after the head was read, and the cached mappings are gone: the
    # model stays the file it was.
    for kind in ("ngram", "turn"):
        for path in (cache / kind).glob("*"):
            path.unlink()
    ngram.write_text(ngram.read_text(encoding="utf-8").replace("\nbias: ", "\nbias: 1"), encoding="utf-8")
    (models / "tone_turn.yaml").unlink()
    assert _hits(warm) == _hits(original)
    assert warm.ngram.data == original.ngram.data and warm.turn.data == original.turn.data


def test_a_head_without_its_cached_mapping_reads_the_file(cache, monkeypatch) -> None:
    load_tone()
    for kind in ("ngram", "turn"):
        for path in (cache / kind).glob("*"):
            path.unlink()
    warm = load_tone()
    assert warm.ngram._data is None
    assert _hits(warm) == _hits(_eager(monkeypatch))
    assert list((cache / "ngram").glob("*")) and list((cache / "turn").glob("*"))  # remembered again


@pytest.mark.parametrize("content", [
    b"", b"not marshal", marshal.dumps([1, 2, 3]),
    marshal.dumps(("scriptcheck-model-head/1", "another key", {})),
])
def test_a_corrupt_or_foreign_head_is_ignored(cache, monkeypatch, content) -> None:
    load_tone()
    for kind in ("ngram-head", "turn-head"):
        for path in (cache / kind).glob("*"):
            path.write_bytes(content)
    again = load_tone()
    assert again.ngram._data is not None and again.turn._data is not None  # read whole, as if cold
    assert _hits(again) == _hits(_eager(monkeypatch))


def test_a_head_of_another_shape_is_ignored(cache) -> None:
    load_tone()
    (path,) = (cache / "ngram-head").glob("*")
    fmt, key, head = marshal.loads(path.read_bytes())
    assert tone_cache._load_head("ngram", key) is not None
    for name, bad in (("cue_ids", "<x>"), ("threshold", "0.9"), ("triggers", None), ("orders", (1,))):
        path.write_bytes(marshal.dumps((fmt, key, {**head, name: bad})))
        assert tone_cache._load_head("ngram", key) is None, name
    less = dict(head)
    del less["veto"]
    path.write_bytes(marshal.dumps((fmt, key, less)))
    assert tone_cache._load_head("ngram", key) is None


def test_a_pickled_deferred_model_carries_its_data(cache, monkeypatch) -> None:
    load_tone()
    warm = load_tone()
    assert warm.ngram._data is None
    copy = pickle.loads(pickle.dumps(warm))
    assert copy.ngram._data is not None and copy.ngram._load is None and copy.turn._data is not None
    assert _hits(copy) == _hits(_eager(monkeypatch))


def test_threads_reading_a_deferred_model_at_once_all_get_its_data(cache, monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor
    load_tone()
    warm = load_tone()
    assert warm.ngram._data is None and warm.turn._data is None
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: [warm.hits(normalize(t)) for t in TEXTS], range(16)))
    expected = _hits(_eager(monkeypatch))
    assert all(r == expected for r in results)
