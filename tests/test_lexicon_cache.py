"""The warm-start caches (parsed data, pattern analyses, verified specs) change nothing a lexicon
or profile finds, are keyed on content, ignore a corrupt or foreign file, and are off with
``SCRIPTCHECK_CACHE_DIR=off``; a lint that needs no word boundaries never loads jieba.

Timing is never asserted here (benchmarks/bench_startup.py and bench_scaling.py measure it).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scriptcheck import Checker, load_lexicon, safe_yaml
from scriptcheck.datafile import load_parsed, parse_key, store_parsed
from scriptcheck.lexicon import spec_cache
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons
from scriptcheck.lazy_regex import LazyRegex
from scriptcheck.profile.loader import load_profile
from scriptcheck.resources import resolve

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "你怎么连这个也不懂", "您怎麼連這個也不懂！", "这是规定，我也没办法，您自己看着办吧", "您好，请问有什么可以帮您？",
    "不知道我刚才是否将您的问题解释清楚了?", "感谢您的来电，再见", "我要投诉你们，乱扣费", "请您稍等，好吗？",
    "你 怎 么 连 这 都 不 懂 啊", "同事跟您说“这是规定，我也没办法”，这样的回答确实不对",
]


def _scans(lexicons) -> list:
    checker = Checker(lexicons)
    return [checker.scan(text, cues=True) for text in TEXTS]


def _files(directory: Path, kind: str) -> list[Path]:
    return sorted(p for p in (directory / kind).glob("*") if not p.name.endswith(".tmp"))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(directory))
    return directory


def test_cached_and_uncached_lexicons_find_the_same(cache, monkeypatch) -> None:
    cold = load_lexicons(DEFAULT_LEXICONS)
    assert len(_files(cache, "parsed")) == len(DEFAULT_LEXICONS)
    assert len(_files(cache, "patterns")) == len(DEFAULT_LEXICONS)

    def no_yaml(*args, **kwargs):
        raise AssertionError("a warm load parsed YAML")

    monkeypatch.setattr(safe_yaml, "load_yaml", no_yaml)
    warm = load_lexicons(DEFAULT_LEXICONS)
    monkeypatch.undo()
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    uncached = load_lexicons(DEFAULT_LEXICONS)
    for a, b, c in zip(cold, warm, uncached):
        assert a.data == b.data == c.data
        assert a.match_entries == b.match_entries == c.match_entries
    assert _scans(cold) == _scans(warm) == _scans(uncached)
    assert any(scan.findings for scan in _scans(warm))


def test_a_corrupt_cache_file_is_ignored(cache) -> None:
    expected = _scans(load_lexicons(DEFAULT_LEXICONS))
    for kind, garbage in (("parsed", b"\x00not json{"), ("patterns", b'{"x": 1}')):
        for path in _files(cache, kind):
            path.write_bytes(garbage)
    assert _scans(load_lexicons(DEFAULT_LEXICONS)) == expected
    for kind, shape in (("parsed", "[]"), ("patterns", '{"a": [["x"]]}')):
        for path in _files(cache, kind):
            path.write_text(shape, encoding="utf-8")
    assert _scans(load_lexicons(DEFAULT_LEXICONS)) == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_the_cache_is_ignored(cache) -> None:
    """A FIFO where a cache entry belongs blocked every later run for ever (a read waits for a
    writer); now it is passed over like any unreadable entry, in a subprocess with a timeout."""
    load_lexicon("forbidden")
    for kind in ("parsed", "compiled"):
        for path in _files(cache, kind):
            path.unlink()
            os.mkfifo(path)
    code = "from scriptcheck import load_lexicon; print(load_lexicon('forbidden').name)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120,
                            env=dict(os.environ, SCRIPTCHECK_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT / "src")))
    assert result.returncode == 0 and result.stdout.decode().strip() == "forbidden", result.stderr.decode()


def test_a_foreign_cache_file_is_ignored(cache) -> None:
    load_lexicon("polite")
    load_lexicon("forbidden")
    content = resolve("lexicon", "forbidden").read_bytes()
    key = spec_cache.key(content)
    own = cache / "parsed" / key
    foreign = next(p for p in _files(cache, "parsed") if p.name != key)
    own.write_bytes(foreign.read_bytes())  # polite's data under forbidden's key
    assert load_parsed(key) is None
    for compiled in _files(cache, "compiled"):  # else the compiled cache answers, parsing nothing
        compiled.unlink()
    lexicon = load_lexicon("forbidden")
    assert lexicon.name == "forbidden"
    assert json.loads(own.read_text(encoding="utf-8"))["key"] == key  # rewritten with its own data


def test_the_key_follows_the_content(tmp_path, cache) -> None:
    source = (ROOT / "lexicons" / "cues.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(source, encoding="utf-8")
    first = load_lexicon(path)
    path.write_text(source.replace("name: cues", "name: my-cues", 1), encoding="utf-8")
    second = load_lexicon(path)
    assert (first.name, second.name) == ("cues", "my-cues")
    assert len(_files(cache, "parsed")) == 2


def test_cache_off_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    load_lexicons(DEFAULT_LEXICONS)
    load_profile("template")
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()
    assert load_parsed(parse_key(b"x: 1")) is None


def test_a_cache_folder_the_system_cannot_name_means_no_cache(tmp_path) -> None:
    # A path component longer than the file system allows (hostile probe F18): every cache lookup
    # raised "File name too long" and the run ended with exit 2; the caches are only a speed-up.
    transcript = tmp_path / "t.jsonl"
    transcript.write_text('{"id": "a", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]}\n',
                          encoding="utf-8")
    env = {**os.environ, "SCRIPTCHECK_CACHE_DIR": str(tmp_path / ("a" * 300))}
    done = subprocess.run([sys.executable, "-m", "scriptcheck", "score", "-q", "--format", "jsonl", str(transcript)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "a"
    assert "too long" not in done.stderr


def test_data_json_cannot_hold_is_not_cached(cache) -> None:
    import datetime

    store_parsed("k1", {"when": datetime.date(2026, 11, 29)})
    store_parsed("k2", {1: "a number as a key"})
    store_parsed("k3", {"x": float("nan")})
    assert not (cache / "parsed").exists() or _files(cache, "parsed") == []
    store_parsed("k4", {"a": [1, 2.5, True, None, "文"]})
    assert load_parsed("k4") == {"a": [1, 2.5, True, None, "文"]}


def test_profiles_load_from_the_parse_cache(cache, monkeypatch) -> None:
    cold = load_profile("hotline-asr")  # extends hotline: two files

    def no_yaml(*args, **kwargs):
        raise AssertionError("a warm load parsed YAML")

    monkeypatch.setattr(safe_yaml, "load_yaml", no_yaml)
    warm = load_profile("hotline-asr")
    assert warm.data == cold.data and warm.origins == cold.origins


_PROBE = r"""
import sys
from click.testing import CliRunner
from scriptcheck.cli import cli
result = CliRunner().invoke(cli, ["lint", sys.argv[1]])
# either segmenter backend (jieba, the default, or rjieba) loads its dictionary when first used
print(result.exit_code, "jieba" in sys.modules or "rjieba" in sys.modules, "yaml" in sys.modules)
"""


def _source_env() -> dict:
    """This environment with the checkout's ``src`` first on the path, for a fresh interpreter."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def _lint_in_fresh_process(path: Path, env: dict) -> tuple[str, bool, bool]:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    return out[0], out[1] == "True", out[2] == "True"


def test_lint_needing_no_words_never_loads_a_segmenter(tmp_path) -> None:
    env = {**_source_env(), "SCRIPTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    polite = tmp_path / "polite.txt"
    polite.write_text("您好，请问有什么可以帮您？\n", encoding="utf-8")
    rude = tmp_path / "rude.txt"
    rude.write_text("你自己看着办吧\n", encoding="utf-8")  # 你: the honorific rule needs words
    _lint_in_fresh_process(polite, env)  # cold: the lexicons' specs run (and need words), once
    code, segmenter_loaded, yaml_loaded = _lint_in_fresh_process(polite, env)
    assert (code, segmenter_loaded, yaml_loaded) == ("0", False, False)  # warm: nor PyYAML
    assert _lint_in_fresh_process(rude, {**env, "SCRIPTCHECK_CACHE_DIR": "off"})[1] is True


def _compiled(regex: LazyRegex) -> bool:
    # The slot's own descriptor: reading it does not go through LazyRegex.__getattr__ (which
    # would compile).
    try:
        LazyRegex.search.__get__(regex, LazyRegex)
    except AttributeError:
        return False
    return True


def test_a_lazy_regex_compiles_on_first_use_and_acts_as_the_regex() -> None:
    lazy = LazyRegex("(我|我们)(不会|绝不)")
    assert not _compiled(lazy)
    assert lazy.search("放心，我们不会挂您电话").group() == "我们不会"
    assert _compiled(lazy)
    assert [m.span() for m in lazy.finditer("我不会，我们绝不")] == [(0, 3), (4, 8)]
    assert lazy == LazyRegex("(我|我们)(不会|绝不)") and hash(lazy) == hash(LazyRegex("(我|我们)(不会|绝不)"))
    assert lazy != LazyRegex("(我|我们)(不会|绝不)", re.IGNORECASE)
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy == lazy and copy.search("我们绝不").group() == "我们绝不"
    ready = LazyRegex("请", compiled=re.compile("请"))
    assert _compiled(ready) and ready.match("请稍等")
    with pytest.raises(AttributeError):
        lazy.no_such_method  # noqa: B018 - only the regex methods are forwarded


def test_a_lazy_regex_forwards_sub_and_split() -> None:
    # the module-level regexes that became LazyRegex include ones used with sub and split
    assert LazyRegex(r"\s+").sub(" ", "a  b\tc") == "a b c"
    assert LazyRegex(r"[，,]").split("甲，乙,丙") == ["甲", "乙", "丙"]
    assert LazyRegex("x").subn("y", "xx") == ("yy", 2)


_MODULE_REGEX_PROBE = """
import importlib
from scriptcheck.lazy_regex import LazyRegex
import scriptcheck.cli
lazy, compiled = [], []
for name in ("scriptcheck.match.contexts", "scriptcheck.text.segment", "scriptcheck.text.speech",
             "scriptcheck.text.mixing", "scriptcheck.lexicon.tone"):
    module = importlib.import_module(name)
    for attr, value in vars(module).items():
        if isinstance(value, LazyRegex):
            lazy.append(name + "." + attr)
            try:
                LazyRegex.search.__get__(value, LazyRegex)
                compiled.append(name + "." + attr)
            except AttributeError:
                pass
print(" ".join(lazy))
print(" ".join(compiled))
"""


def test_importing_the_cli_compiles_none_of_the_module_regexes() -> None:
    # A fresh interpreter: compiling them at import was ~50 ms of every start (mostly CJK
    # character ranges); a one-line lint compiles the few it needs.
    lazy, compiled = subprocess.run([sys.executable, "-c", _MODULE_REGEX_PROBE], capture_output=True, text=True,
                                    env=_source_env(), check=True).stdout.split("\n")[:2]
    assert {"scriptcheck.match.contexts._REPORT", "scriptcheck.match.contexts._REPORT_AT",
            "scriptcheck.text.segment._GLUED", "scriptcheck.text.mixing._NOT_PROSE"} <= set(lazy.split())
    assert compiled == ""


def test_a_warm_lexicon_compiles_a_mitigator_only_when_a_hit_needs_it(cache) -> None:
    load_lexicons(DEFAULT_LEXICONS)  # fills the cache
    warm = load_lexicons(DEFAULT_LEXICONS)
    mitigations = {m for lexicon in warm for entry in lexicon.match_entries
                   for m in (*entry.mitigators, *entry.requires)}
    assert mitigations and all(isinstance(m.regex, LazyRegex) for m in mitigations)
    assert not any(_compiled(m.regex) for m in mitigations)
    checker = Checker(warm)
    assert checker.check("您好，请问有什么可以帮您？") == []
    # a hit of an entry with mitigators (记性不行): they are tried, so compiled, and the
    # apology in its sentence clears it
    assert checker.check("不好意思，刚才是我看错了，记性不行，我重新给您查") == []
    assert any(_compiled(m.regex) for m in mitigations)
