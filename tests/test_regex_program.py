"""Regex programs (``scriptcheck.regex_program``): a regex rebuilt from the program captured when
it was first compiled is the regex ``re.compile`` makes — ``re.Pattern``'s equality compares
the pattern, the flags and the compiled code word for word — for every packaged pattern and
mitigator and for arbitrary patterns; a program that does not fit falls back to compiling the
source; a lexicon restored from the compiled cache carries the programs and finds the same.
"""

from __future__ import annotations

import marshal
import pickle
import re
import re._parser as re_parser
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptcheck import load_lexicon
from scriptcheck.lazy_regex import LazyRegex
from scriptcheck.lexicon.loader import load_lexicons
from scriptcheck.regex_program import PROGRAM_FORMAT, compile_captured, compile_parsed, restore
from scriptcheck.resources import defaults_dir

pytestmark = pytest.mark.skipif(PROGRAM_FORMAT == "none", reason="an interpreter whose re programs are not captured")


def _packaged_lexicons():
    paths = sorted(defaults_dir().glob("*.yaml")) + sorted((defaults_dir() / "packs").glob("*.yaml"))
    assert len(paths) >= 6
    return [load_lexicon(path) for path in paths]


def _regexes(lexicon) -> list[tuple[str, int, object]]:
    """(source, flags, program) of every pattern and mitigator of a lexicon."""
    out = {}
    for entry in lexicon.match_entries:
        for pattern in entry.patterns:
            out[(pattern.source, re.MULTILINE)] = pattern.program
        for mitigator in (*entry.mitigators, *entry.requires):
            out[(mitigator.regex.pattern, mitigator.regex.flags)] = mitigator.regex.program
    return [(source, flags, program) for (source, flags), program in out.items()]


def test_every_packaged_regex_rebuilt_from_its_program_is_the_compiled_one(monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")  # a fresh load: every regex compiled and captured
    regexes = [r for lexicon in _packaged_lexicons() for r in _regexes(lexicon)]
    assert len(regexes) > 2000
    assert all(program is not None for _, _, program in regexes)
    for source, flags, program in regexes:
        expected = re.compile(source, flags)
        assert restore(source, flags, program) == expected, source
        assert compile_captured(source, flags)[0] == expected, source


def test_a_lexicon_from_the_compiled_cache_carries_the_programs(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    fresh = _regexes(load_lexicons(["forbidden"])[0])
    warm = _regexes(load_lexicons(["forbidden"])[0])  # the second load comes from the compiled cache
    assert sorted(warm) == sorted(fresh)
    lexicon = load_lexicons(["forbidden"])[0]
    pattern = next(p for e in lexicon.match_entries for p in e.patterns)
    assert pattern._regex is None and pattern.program is not None  # not compiled until used
    assert pattern.regex == re.compile(pattern.source, re.MULTILINE)


# Pattern pieces: literals (CJK, Latin, escapes), classes with ranges, groups named and not,
# lookarounds, repeats, anchors and inline flags.
_PIECES = st.sampled_from([
    "你", "您", "不", "a", "B", r"\d", r"\s", r"\w", r"\b", "^", "$", ".", "[\u4e00-\u9fff]", "[^，。]",
    "[a-z0-9]", "(", ")", "(?:", "(?P<x>", "(?P=x)", "(?=", "(?!", "(?<=你)", "(?<!不)", "|", "*", "+", "?",
    "{0,4}", "{2}", "*?", "(?i)", "\\", "]", "[", "\U0001F600", "\x00",
])
_SOURCES = st.lists(_PIECES, max_size=14).map("".join)
_FLAGS = st.sampled_from([0, re.MULTILINE, re.IGNORECASE, re.DOTALL])


@settings(max_examples=300, deadline=None)
@given(_SOURCES, _FLAGS)
def test_arbitrary_patterns_rebuild_to_what_re_compiles(source: str, flags: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = re.compile(source, flags)
        except re.error:
            with pytest.raises(re.error):
                compile_captured(source, flags)
            return
        compiled, program = compile_captured(source, flags)
    assert compiled == expected
    assert restore(source, flags, program) == expected
    assert restore(source, flags, program).groupindex == expected.groupindex


def _plain_parse(node):
    """A parse as nested tuples of plain values (SubPattern compares by identity)."""
    if isinstance(node, re_parser.SubPattern):
        return ("sub", tuple(map(_plain_parse, node.data)))
    if isinstance(node, (list, tuple)):
        return tuple(map(_plain_parse, node))
    return node


def _same_parse(source: str, parsed, flags: int) -> None:
    fresh = re_parser.parse(source)
    assert _plain_parse(parsed) == _plain_parse(fresh)
    assert (parsed.state.flags, parsed.state.groups, parsed.state.groupdict) == \
        (fresh.state.flags | flags, fresh.state.groups, fresh.state.groupdict)


def test_the_parse_kept_from_compiling_is_the_parse_of_every_packaged_regex() -> None:
    # compile_pattern walks the parse its compile made instead of parsing again: re's compiler
    # must leave it as the parser made it.
    regexes = [r for lexicon in _packaged_lexicons() for r in _regexes(lexicon)]
    for source, flags, _ in regexes:
        compiled, program, parsed = compile_parsed(source, flags)
        assert compiled == re.compile(source, flags) and program is not None
        _same_parse(source, parsed, flags)


@settings(max_examples=300, deadline=None)
@given(_SOURCES, _FLAGS)
def test_the_parse_kept_from_compiling_arbitrary_patterns_is_theirs(source: str, flags: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, _, parsed = compile_parsed(source, flags)
        except re.error:
            return
        _same_parse(source, parsed, flags)  # parsing again warns as compiling did ([[ …)


def test_a_program_that_does_not_fit_is_compiled_from_source() -> None:
    source = "(?P<who>你|您)[\u4e00-\u9fff]{0,4}不懂"
    expected = re.compile(source)
    settled, code, groups, named = compile_captured(source)[1]
    for program in [None, (settled, b"\xff" * len(code), groups, named), (settled, code[:-4], groups, named),
                    (settled, b"", groups, named), (settled, code[:5], groups, named),
                    (settled, code, -5, named), (settled, code, groups, (("who", 99),))]:
        assert restore(source, 0, program) == expected


def test_a_lazy_regex_with_a_program_is_equal_and_pickles_with_it() -> None:
    source = "[\u4e00-\u9fff]{0,2}(不行|没办法)$"
    program = compile_captured(source, re.MULTILINE)[1]
    lazy = LazyRegex(source, re.MULTILINE, program=program)
    assert lazy == LazyRegex(source, re.MULTILINE) and hash(lazy) == hash(LazyRegex(source, re.MULTILINE))
    again = pickle.loads(pickle.dumps(lazy))
    assert again.program == program
    assert again.search("这个不行").group() == "这个不行"
    assert lazy.search("abc") is None


def test_a_tone_model_from_its_cache_rebuilds_its_regexes_from_programs(tmp_path, monkeypatch) -> None:
    from scriptcheck.lexicon import tone_cache
    from scriptcheck.lexicon.tone import load_tone

    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    load_tone()
    warm = load_tone()  # from the tone cache: analyses and programs, no regex compiled
    assert warm._programs and all(flags in (0, re.MULTILINE) for _, flags in warm._programs)
    compiled = []

    def no_compile(*args, **kwargs):
        compiled.append(args)
        return re._compile(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(re, "compile", no_compile)
        cues = warm._compiled_cues() + warm._mitigators
        gate_patterns = [patterns[0] for _, patterns in warm._gate_parts if patterns]  # the cues' (triggers: none)
        gate = [pattern.regex for pattern in gate_patterns]
        tail = warm._tail[0].search("") if warm._tail else None
    assert not compiled and tail is None and len(cues) > 50 and len(gate) > 30
    assert all(regex == re.compile(cue.pattern) for cue, regex in cues)
    assert all(regex == re.compile(pattern.source, re.MULTILINE) for regex, pattern in zip(gate, gate_patterns))
    # A mis-shaped program in the cache file: the file is ignored (a fresh load rewrites it).
    (path,) = (tmp_path / "tone").iterdir()
    fmt, key, (checked, analyses, programs) = marshal.loads(path.read_bytes())
    pattern, flags, program = programs[0]
    path.write_bytes(marshal.dumps((fmt, key, (checked, analyses, ((pattern, flags, program[:3]), *programs[1:])))))
    assert tone_cache.load_cue_analyses(key) is None
    path.write_bytes(marshal.dumps((fmt, key, (checked, analyses, programs))))
    assert tone_cache.load_cue_analyses(key) is not None  # as written, it loads


_FRESH_PROCESS = r"""
import re
from scriptcheck import lazy_regex
from scriptcheck.match import contexts
compiled, captured = [], []
real_compile, real_capture = re.compile, lazy_regex.compile_captured
re.compile = lambda pattern, flags=0: compiled.append(pattern) or real_compile(pattern, flags)
lazy_regex.compile_captured = lambda pattern, flags=0: captured.append(pattern) or real_capture(pattern, flags)
assert contexts._SENTENCE_END.search("好的。") is not None
regex = contexts._SENTENCE_END
print(regex.program is not None, regex.pattern in captured, regex.pattern in compiled)
"""


def test_code_regexes_get_their_programs_from_one_cache_entry(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SCRIPTCHECK_CACHE_DIR": str(tmp_path)}
    run = lambda: subprocess.run([sys.executable, "-c", _FRESH_PROCESS], env=env, capture_output=True,  # noqa: E731
                                 text=True, check=True).stdout.split()
    # The first process compiles them all once and keeps their programs; the next only rebuilds.
    assert run() == ["True", "True", "False"]
    assert len(list((tmp_path / "code-regex").iterdir())) == 1
    assert run() == ["True", "False", "False"]
    (entry,) = (tmp_path / "code-regex").iterdir()
    entry.write_bytes(b"not marshal")  # a corrupt entry is written again
    assert run() == ["True", "True", "False"]
    assert run() == ["True", "False", "False"]
    env["SCRIPTCHECK_CACHE_DIR"] = "off"  # caching off: compiled from its source on first use
    assert run() == ["False", "False", "True"]


def test_a_code_regex_made_later_is_given_its_program_on_first_use(tmp_path, monkeypatch) -> None:
    from scriptcheck.lazy_regex import code_regex

    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path))
    later = code_regex("(?:您好|你好)[\u4e00-\u9fff]{0,3}客服$")
    assert later.program is None
    assert later.search("您好京东客服") is not None
    assert later.program is not None and restore(later.pattern, 0, later.program) == re.compile(later.pattern)
