"""The compiled-lexicon cache (``lexicon.compiled_cache``): a lexicon restored from it behaves
exactly like one validated and compiled afresh (findings on the dev texts, rules, specs, the
pydantic model), a bad lexicon fails the same way with or without it, a corrupt or foreign cache
file is ignored, the key follows the file, and ``SCRIPTCHECK_CACHE_DIR=off`` reads and writes
nothing.

Timing is never asserted here (benchmarks/bench_scaling.py measures it).
"""

from __future__ import annotations

import marshal
import pickle
from pathlib import Path

import pytest
import yaml

from scriptcheck import Checker, datafile, load_lexicon
from scriptcheck.errors import LexiconError, SpecFailure
from scriptcheck.lexicon import compiled_cache, spec_cache
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons
from scriptcheck.lexicon.schema import LexiconFile
from scriptcheck.profile.loader import load_profile
from scriptcheck.resources import resolve

from .dev_data import data_documents, evenly_spaced

ROOT = Path(__file__).resolve().parent.parent


def _texts(node: object) -> list[str]:
    """Every ``text:`` of a dev data file, in file order."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


DEV_TEXTS = evenly_spaced(_texts(list(data_documents())), 5_000)


def _files(cache: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache / kind).glob("*") if not p.name.endswith(".tmp"))


def _behaviour(lexicons) -> list:
    """Everything a checker over ``lexicons`` says about the dev texts (findings, service
    phrases, cues), plus its rules as pydantic entries."""
    checker = Checker(lexicons)
    scans = [checker.scan(text, cues=True) for text in DEV_TEXTS]
    rules = [(lexicon.path, entry) for lexicon, entry in checker.rules()]
    return [scans, rules, sorted(checker.phrase_categories)]


def _no_validation(monkeypatch) -> None:
    """Make validating a lexicon file an error (a load from the compiled cache validates nothing)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a lexicon was validated")

    monkeypatch.setattr(LexiconFile, "model_validate", refuse)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(directory))
    return directory


def test_dev_texts_are_at_hand() -> None:
    assert len(DEV_TEXTS) > 1000


def test_a_restored_lexicon_behaves_like_a_fresh_one(cache, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    fresh = load_lexicons(DEFAULT_LEXICONS)
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(cache))
    load_lexicons(DEFAULT_LEXICONS)  # writes the cache
    assert len(_files(cache, "compiled")) == len(DEFAULT_LEXICONS)
    with monkeypatch.context() as patched:
        _no_validation(patched)
        restored = load_lexicons(DEFAULT_LEXICONS)
        matching = [(lx.path, lx.name, lx.kind, lx.rules, lx.match_entries, lx.tone) for lx in restored]
        # No model yet: the restored lexicons hold the parsed JSON until asked.
        assert all(lx._model._model is None for lx in restored)
    assert matching == [(lx.path, lx.name, lx.kind, lx.rules, lx.match_entries, lx.tone) for lx in fresh]
    for a, b in zip(restored, fresh):
        for x, y in zip(a.match_entries, b.match_entries):  # every field, group_allow included
            assert x.__dict__ == y.__dict__
            assert [p.regex.pattern for p in x.patterns] == [p.regex.pattern for p in y.patterns]
    found = _behaviour(restored)
    assert found == _behaviour(fresh)
    assert sum(len(scan.findings) for scan in found[0]) > 500  # the dev set's rude texts are found
    assert [lx.data for lx in restored] == [lx.data for lx in fresh]


def test_synthetic_lexicon_with_patterns_slots_and_mitigators(tmp_path, cache, monkeypatch) -> None:
    lexicon = {
        "version": 1, "name": "mine", "kind": "forbidden", "allow": ["不是你的错"],
        "skip_contexts": ["quoted"], "slots": {"you": "你|你们"},
        "mitigators": [{"name": "sorry", "pattern": "抱歉|对不起"},
                       {"name": "not", "pattern": "不会", "scope": "before", "reach": 3}],
        "entries": [
            {"id": "ZZ001", "name": "a", "category": "x", "description": "d1", "severity": "warning",
             "phrases": ["你的错"], "suggestion": "说别的"},
            {"id": "ZZ002", "name": "b", "category": "y", "description": "d2", "patterns": ["{{you}}.{0,3}傻"],
             "allow": ["傻瓜相机"], "options": {"skip_contexts": ["quoted", "mitigated"], "mitigators": ["not"]}},
            {"id": "ZZ003", "name": "c", "category": "y", "description": "d3", "patterns": ["烦死了$"],
             "anchors": ["烦死"], "options": {"boundary": True, "gaps": False, "window": 8,
                                              "skip_contexts": ["mitigated"]}},
            {"id": "ZZ004", "name": "d", "category": "x", "description": "d4", "severity": "critical",
             "phrases": ["滚"], "options": {"boundary": True}},
            {"id": "ZZ005", "name": "e", "category": "x", "description": "d5", "phrases": ["笨"],
             "options": {"requires": ["aimed", "sorry"]}},
        ],
        # A condition may share a mitigator's regex: the cache keeps one table of both.
        "conditions": [{"name": "aimed", "pattern": "你", "scope": "sentence"},
                       {"name": "sorry", "pattern": "抱歉|对不起"}],
    }
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(lexicon, allow_unicode=True), encoding="utf-8")
    texts = ["你真傻", "你们这些人傻不傻", "我不会说你傻", "傻瓜相机你傻", "这是你的错", "真是烦死了",
             "真是烦 死了", "抱歉，真是烦死了", "“你傻”他说", "滚", "滚动播放", "你的错。滚！", "不是你的错",
             "你真笨", "笨笨熊玩偶到货了。", "抱歉笨了"]
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    fresh = load_lexicon(path)
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(cache))
    load_lexicon(path)
    with monkeypatch.context() as patched:
        _no_validation(patched)
        restored = load_lexicon(path)
    assert restored.match_entries == fresh.match_entries and restored.rules == fresh.rules
    assert [e.__dict__ for e in restored.match_entries] == [e.__dict__ for e in fresh.match_entries]
    a, b = Checker([restored], tone=None), Checker([fresh], tone=None)
    assert [a.check(t) for t in texts] == [b.check(t) for t in texts]
    assert any(a.check(t) for t in texts)
    assert [[f.rule for f in a.check(t)] for t in texts[-3:]] == [["ZZ005"], [], ["ZZ005"]]
    assert a.rule("ZZ002") == b.rule("ZZ002") and a.rule("ZZ002").patterns == ["{{you}}.{0,3}傻"]


def test_specs_run_on_a_restored_lexicon(tmp_path, cache) -> None:
    source = (ROOT / "lexicons" / "cues.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(source)
    data["entries"][0]["specs"]["match"].append("这句话里没有它")
    path = tmp_path / "failing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecFailure) as cold:
        load_lexicon(path)
    assert len(_files(cache, "compiled")) == 1  # stored: it validated and compiled
    with pytest.raises(SpecFailure) as warm:  # from the compiled cache: the specs still run
        load_lexicon(path)
    assert str(warm.value) == str(cold.value) and "这句话里没有它" in str(cold.value)
    assert not _files(cache, "verified")
    good = tmp_path / "good.yaml"
    good.write_text(source, encoding="utf-8")
    load_lexicon(good, verify=False)  # compiled, not verified
    assert load_lexicon(good).rules == load_lexicon(good, verify=False).rules
    assert len(_files(cache, "verified")) == 1


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["entries"][1].update(severity="fatal"), "entry FB002 (#2): severity"),
    (lambda d: d["entries"][0].pop("category"), "entry FB001 (#1): category: Field required"),
    (lambda d: d["entries"][0].update(patterns=["你.*傻"]), "unbounded repeat"),
    (lambda d: d["entries"][2].update(phrases=["！！"]), "is empty once normalised"),
])
def test_a_bad_lexicon_fails_alike_and_is_not_stored(tmp_path, cache, monkeypatch, change, expected) -> None:
    data = {"version": 1, "name": "bad", "kind": "forbidden", "entries": [
        {"id": f"FB00{i}", "name": f"e{i}", "category": "c", "description": "d", "phrases": [p]}
        for i, p in enumerate(["你傻", "你笨", "你烦"], start=1)]}
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    messages = []
    for setting in ("off", str(cache), str(cache)):
        monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", setting)
        with pytest.raises(LexiconError) as exc:
            load_lexicon(path)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] == messages[2]
    assert str(path) in messages[0] and expected in messages[0]
    assert not _files(cache, "compiled")


def _cached_file(cache: Path, path: Path) -> Path:
    return cache / "compiled" / spec_cache.key(path.read_bytes())


def _mutations(plain: tuple) -> list[tuple]:
    """Plain forms that are not what to_plain writes, one way each."""
    name, kind, json_data, group_allow, sources, anchors, ends, mitigators, columns, programs, mitigator_programs = plain
    cols = list(columns)
    first = programs[0]

    def with_column(index: int, value) -> tuple:
        changed = list(cols)
        changed[index] = value
        return (name, kind, json_data, group_allow, sources, anchors, ends, mitigators, tuple(changed), programs,
                mitigator_programs)

    def with_programs(value) -> tuple:
        return (*plain[:9], value, mitigator_programs)

    return [
        (),
        plain[:-1],
        (name, "rude", *plain[2:]),
        (name, kind, json_data.decode(), *plain[3:]),
        with_column(0, cols[0][:-1]),  # a column shorter than the others
        with_column(0, (1, *cols[0][1:])),  # a number for a rule code
        with_column(2, ("fatal", *cols[2][1:])),  # an unknown severity
        with_column(5, (["你傻"], *cols[5][1:])),  # a list where a tuple goes
        with_column(5, ((["你傻"],), *cols[5][1:])),  # an unhashable in a string column
        with_column(10, (("somewhere",), *cols[10][1:])),  # an unknown context
        with_column(13, ((len(sources),), *cols[13][1:])),  # a pattern that is not there
        with_column(11, ((-1,), *cols[11][1:])),
        with_column(12, ((len(mitigators),), *cols[12][1:])),  # a required condition that is not there
        with_column(9, (True, *cols[9][1:])),  # a bool for a window
        with_column(14, ((), *cols[14][1:])),  # fewer normalised phrases than phrases
        with_column(14, (("",) * len(cols[5][0]), *cols[14][1:])),  # an empty literal
        (name, kind, json_data, group_allow, sources, (("",), *anchors[1:]), ends, mitigators, columns, programs,
         mitigator_programs),
        (name, kind, json_data, group_allow, sources, anchors, ends, (("(", False, True, -1),), columns, programs,
         mitigator_programs),
        with_programs(programs[:-1]),  # a program short
        with_programs((list(first), *programs[1:])),  # a list where a program goes
        with_programs(((first[0], first[1].hex(), *first[2:]), *programs[1:])),  # code as text
        with_programs(((*first[:3], (("name", "1"),)), *programs[1:])),  # a group index as text
        (*plain[:10], mitigator_programs[:-1]),
    ]


def test_a_corrupt_cache_file_is_ignored(cache, monkeypatch) -> None:
    path = resolve("lexicon", "forbidden")
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    expected = _behaviour([load_lexicon(path)])
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(cache))
    load_lexicon(path)
    cached = _cached_file(cache, path)
    good = cached.read_bytes()
    fmt, key, plain = marshal.loads(good)
    assert compiled_cache.from_plain(plain, str(path)) is not None
    mutated = [marshal.dumps((fmt, key, m)) for m in _mutations(plain)]
    garbage = [b"", b"\x00not marshal", good[: len(good) // 2], marshal.dumps([fmt, key, plain]),
               marshal.dumps((fmt, key)), marshal.dumps(("scriptcheck-compiled/0", key, plain)),
               marshal.dumps((fmt, key, plain, None)), pickle.dumps((fmt, key, plain))]
    for blob in [*garbage, *mutated]:
        cached.write_bytes(blob)
        assert compiled_cache.load_compiled(key, str(path)) is None, blob[:40]
    for blob in (garbage[2], mutated[6]):  # a load through it is a fresh load, and mends the file
        cached.write_bytes(blob)
        assert _behaviour([load_lexicon(path)]) == expected
        assert marshal.loads(cached.read_bytes()) == marshal.loads(good)


def test_a_foreign_cache_file_is_ignored(cache) -> None:
    polite, forbidden = resolve("lexicon", "polite"), resolve("lexicon", "forbidden")
    load_lexicon(polite)
    load_lexicon(forbidden)
    own = _cached_file(cache, forbidden)
    own.write_bytes(_cached_file(cache, polite).read_bytes())  # polite's lexicon under forbidden's key
    assert compiled_cache.load_compiled(own.name, str(forbidden)) is None
    lexicon = load_lexicon(forbidden)
    assert lexicon.name == "forbidden" and lexicon.kind == "forbidden"
    assert marshal.loads(own.read_bytes())[1] == own.name  # rewritten with its own


def test_the_key_follows_the_content(tmp_path, cache) -> None:
    source = (ROOT / "lexicons" / "cues.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(source, encoding="utf-8")
    first = load_lexicon(path)
    key = _cached_file(cache, path).name
    path.write_text(source.replace("name: cues", "name: my-cues", 1), encoding="utf-8")
    assert _cached_file(cache, path).name != key
    second = load_lexicon(path)
    assert (first.name, second.name) == ("cues", "my-cues")
    assert len(_files(cache, "compiled")) == 2
    assert load_lexicon(path).name == "my-cues"  # from the cache, under the new key


def test_the_key_follows_this_code(monkeypatch) -> None:
    # The compiled form is this module's: editing it must change every lexicon's key.
    sources = []
    real = spec_cache.code_salt
    monkeypatch.setattr(spec_cache, "code_salt", lambda dists, modules: sources.extend(modules) or real(dists, modules))
    spec_cache._salt.cache_clear()
    try:
        spec_cache._salt()
    finally:
        monkeypatch.undo()
        spec_cache._salt.cache_clear()
    assert "lexicon/compiled_cache.py" in sources and "lexicon/compiled.py" in sources


def test_cache_off_reads_and_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    load_lexicons(DEFAULT_LEXICONS)
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def no_read(*args, **kwargs):
        raise AssertionError("the compiled cache was read")

    monkeypatch.setattr(datafile.marshal, "loads", no_read)
    lexicons = load_lexicons(DEFAULT_LEXICONS)
    load_profile("template")
    # Parsed and validated: each holds its parsed data (not JSON from a cache file) for its model.
    assert all(isinstance(lx._model._source, dict) for lx in lexicons)
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_a_restored_checker_pickles(cache) -> None:
    load_lexicons(DEFAULT_LEXICONS)
    checker = Checker(load_lexicons(DEFAULT_LEXICONS))
    copy = pickle.loads(pickle.dumps(checker))
    texts = DEV_TEXTS[:200]
    assert [copy.scan(t, cues=True) for t in texts] == [checker.scan(t, cues=True) for t in texts]
    assert copy.rules() == checker.rules()


def test_an_overlay_over_a_restored_base(tmp_path, cache) -> None:
    overlay = tmp_path / "reviewed.yaml"
    overlay.write_text("version: 1\nextends: forbidden\nentries:\n  - id: FB006\n    allow: [你怎么连这个也不懂的地方都标出来]\n",
                       encoding="utf-8")
    first = load_lexicons(["forbidden", overlay])
    second = load_lexicons(["forbidden", overlay])  # the base from the compiled cache
    assert first[0].match_entries == second[0].match_entries and first[0].data == second[0].data
    assert Checker(second).check("你怎么连这个也不懂") == Checker(first).check("你怎么连这个也不懂") != []
    assert not any(f.rule == "FB006" for f in Checker(second).check("你怎么连这个也不懂的地方都标出来"))


def test_the_model_is_built_once_whatever_the_threads(cache) -> None:
    from concurrent.futures import ThreadPoolExecutor

    load_lexicon("polite")
    restored = load_lexicon("polite")
    assert restored._model._model is None
    with ThreadPoolExecutor(8) as pool:
        models = list(pool.map(lambda _: restored.data, range(32)))
    assert all(m == models[0] for m in models) and restored.data is restored.data
    assert restored.entries == load_lexicon("polite").entries


def test_a_fresh_load_keeps_the_parsed_data_not_the_model(tmp_path, monkeypatch) -> None:
    # The model of a fresh load is dropped once compiled and verified (fewer objects to keep),
    # and validated again, equal, when asked for.
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    lexicon = load_lexicon("forbidden")
    assert lexicon._model._model is None and isinstance(lexicon._model._source, dict)
    again = load_lexicon("forbidden")
    assert lexicon.data == again.data and lexicon.entries[0].specs == again.entries[0].specs
    assert lexicon._model._source is None and lexicon.data is lexicon.data
