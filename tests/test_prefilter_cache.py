"""Window prefilters kept across runs (``match.prefilter_cache``): a batch saves the prefilters it
(and each of its workers) worked out, the next process uses them instead of parsing its patterns
again, with the same hits; a cache file of another shape is ignored, the file never grows past
its bound, and nothing is written with caching off."""

from __future__ import annotations

import pytest

import scriptcheck.match.patterns as patterns
from scriptcheck.datafile import store_marshalled
from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.match import prefilter_cache
from scriptcheck.match.patterns import compile_pattern, window_prefilter

from tests.conftest import CORPORA

SOURCES = ["你(是|有)?(傻|笨)", "^(不给|拒绝)(了|啊)?$", "(找|问(?!题)|打给)[一-龥]{1,5}(去|吵去|闹去)(吧|呗)?$",
           "(?<!不)(催|急)什么(急)?"]


def _new_process(monkeypatch) -> None:
    """Forget every prefilter this process knows, as a new process would."""
    monkeypatch.setattr(prefilter_cache, "_known", {})
    monkeypatch.setattr(prefilter_cache, "_new", {})
    monkeypatch.setattr(prefilter_cache, "_loaded", set())


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    _new_process(monkeypatch)
    return tmp_path / "cache" / "prefilters"


def _never_worked_out(monkeypatch) -> None:
    def refuse(source, anchors=frozenset()):
        raise AssertionError(f"prefilter of {source!r} worked out again")
    monkeypatch.setattr(patterns, "window_prefilter", refuse)


def _saved() -> dict:
    return prefilter_cache._stored()


def test_a_saved_prefilter_is_used_by_the_next_process(cache, monkeypatch) -> None:
    first = [compile_pattern(source).prefilter for source in SOURCES]
    assert first == [window_prefilter(source, compile_pattern(source).anchors) for source in SOURCES]
    assert not cache.exists()  # nothing written before the end of a batch
    prefilter_cache.save_prefilters()
    assert len(_saved()) == len(SOURCES)
    _new_process(monkeypatch)
    _never_worked_out(monkeypatch)
    assert [compile_pattern(source).prefilter for source in SOURCES] == first


def test_a_save_keeps_what_another_process_saved_meanwhile(cache, monkeypatch) -> None:
    compile_pattern(SOURCES[0]).prefilter
    prefilter_cache.save_prefilters()
    _new_process(monkeypatch)
    compile_pattern(SOURCES[1]).prefilter  # this process had not read the file (no miss of a known one)
    prefilter_cache.save_prefilters()
    assert {source for source, _ in _saved()} == set(SOURCES[:2])


@pytest.mark.parametrize("value", [
    "not a mapping",
    {("你(傻|笨)", ("你傻", "你笨")): ((("",),), False)},  # an empty literal would skip every window
    {("你(傻|笨)", ("你傻", "你笨")): (((),), False)},
    {("你(傻|笨)", ("你傻", "你笨")): ((("a",),), 1)},
    {("你(傻|笨)", "你傻"): ((), False)},
    {"你(傻|笨)": ((), False)},
])
def test_a_cache_file_of_another_shape_is_ignored(cache, monkeypatch, value) -> None:
    store_marshalled("prefilters", prefilter_cache._key(), prefilter_cache._FORMAT, value)
    pattern = compile_pattern("你(傻|笨)")
    assert prefilter_cache.known_prefilter(pattern.source, pattern.anchors) is None
    assert pattern.prefilter == window_prefilter(pattern.source, pattern.anchors)
    prefilter_cache.save_prefilters()  # replaced by a good file
    assert list(_saved()) == [(pattern.source, tuple(sorted(pattern.anchors)))]


def test_the_file_never_grows_past_its_bound(cache, monkeypatch) -> None:
    monkeypatch.setattr(prefilter_cache, "MAX_KEPT", 2)
    for source in SOURCES[:3]:
        compile_pattern(source).prefilter
    prefilter_cache.save_prefilters()
    assert len(_saved()) == 2
    compile_pattern(SOURCES[3]).prefilter
    prefilter_cache.save_prefilters()
    assert len(_saved()) == 2
    # The one left out is still known to this process.
    pattern = compile_pattern(SOURCES[3])
    assert prefilter_cache.known_prefilter(pattern.source, pattern.anchors) is not None


def test_nothing_is_written_with_caching_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    monkeypatch.chdir(tmp_path)
    _new_process(monkeypatch)
    pattern = compile_pattern(SOURCES[0])
    assert pattern.prefilter == window_prefilter(pattern.source, pattern.anchors)
    prefilter_cache.save_prefilters()
    assert list(tmp_path.iterdir()) == []


def _scored(records, jobs: int) -> list[dict]:
    from scriptcheck.batch import Scorer, score_records

    scorer = Scorer(default_profile="hotline")
    scorer.prepare()  # a large batch's scorers: only they use window prefilters
    return [s.get_report().model_dump() for s in score_records(records, scorer, jobs)]


def test_a_batch_saves_what_its_workers_worked_out(cache, monkeypatch) -> None:
    import scriptcheck.batch as batch

    # Everything is scored in the workers: whatever the file holds, they saved it.
    monkeypatch.setattr(batch, "_IN_PROCESS_LEAD", 0)
    monkeypatch.setattr(batch, "_PARALLEL_MIN_REST", 0)
    records = [r for name in ("calls.jsonl", "chats.csv", "presale.txt")
               for r in read_transcripts(str(CORPORA / name))]
    two = _scored(records, jobs=2)
    assert not prefilter_cache._known  # this process worked none out
    assert len(_saved()) >= 20
    _new_process(monkeypatch)
    _never_worked_out(monkeypatch)
    assert _scored(records, jobs=1) == two
