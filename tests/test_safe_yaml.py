"""One safe YAML loader: duplicate keys, alias bombs and oversized files are refused with
file:line, ordinary anchors still work (issue 13, item 4)."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptcheck.errors import InputError, LexiconError
from scriptcheck.safe_yaml import StrictSafeLoader, compose_yaml, load_yaml
from tests.hostile import run_cli

BOMB = "\n".join(
    ['a: &a ["您好","您好","您好","您好","您好","您好","您好","您好","您好"]']
    + [f'{b}: &{b} [{",".join(["*" + a] * 9)}]' for a, b in zip("abcdefgh", "bcdefghi")]) + "\n"


def test_plain_data_and_anchors() -> None:
    data = load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: [1, 2]\n", source="f.yaml")
    assert data == {"base": {"x": 1}, "other": {"x": 1, "y": [1, 2]}}
    assert load_yaml(b"\xef\xbb\xbfa: 1\n", source="f.yaml") == {"a": 1}
    assert load_yaml("", source="f.yaml") is None


def test_duplicate_key_names_file_and_line() -> None:
    with pytest.raises(LexiconError, match=r"^f\.yaml:3:1: invalid YAML: duplicate key 'a' \(first at line 1\)"):
        load_yaml("a: 1\nb: 2\na: 3\n", source="f.yaml", error=LexiconError)


def test_alias_bomb_refused_without_expanding() -> None:
    with pytest.raises(InputError, match="aliases expand to more than") as info:
        load_yaml(BOMB, source="bomb.yaml")
    assert info.value.file == "bomb.yaml" and info.value.line is not None
    with pytest.raises(InputError, match="alias bomb"):
        compose_yaml(BOMB, source="bomb.yaml", max_nodes=10_000)


def test_recursive_alias_refused() -> None:
    with pytest.raises(InputError, match="recursive alias|found undefined alias"):
        load_yaml("a: &a [*a]\n", source="r.yaml")


def test_size_limit_in_bytes() -> None:
    with pytest.raises(InputError, match=r"file too large \(\d+ bytes; the limit is 100\)"):
        load_yaml("a: " + "您" * 50 + "\n", source="big.yaml", max_bytes=100)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(InputError, match="invalid YAML"):
        load_yaml("[" * 100_000 + "]" * 100_000, source="deep.yaml")


def test_lint_alias_bomb_fails_fast(tmp_path) -> None:
    bomb = tmp_path / "replies.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    result = run_cli("lint", "--isolated", str(bomb), timeout=60)
    assert result.returncode == 2, result.stderr.decode()
    assert "alias bomb" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


# --- the direct walk for alias-free documents builds what PyYAML's constructor builds -------


_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
            | st.text(st.characters(blacklist_categories=("Cs",)), max_size=8))
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(_scalars, inner, max_size=4), max_leaves=25)


def _general(text: str):
    """What the general path (PyYAML's constructor, duplicate keys refused) builds."""
    loader = StrictSafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@settings(max_examples=300, deadline=None)
@given(_documents, st.sampled_from([None, False, True]))
def test_direct_walk_builds_what_the_constructor_builds(data, flow) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow)
    if "*" in text or "&" in text:
        return
    built = load_yaml(text, source="f.yaml")
    assert built == _general(text)
    assert repr(built) == repr(_general(text))  # same types too (1 vs 1.0 vs True)


@pytest.mark.parametrize("text", [
    "a: 2026-11-29\nb: !!binary aGVsbG8=\nc: 0x1f\nd: 1_000\ne: .inf\nf: ~\ng: 1:20\n",
    "? [a, b]\n: 1\n",                  # a sequence as a key: the general path decides
    "s: !!set {a, b}\n",                 # tagged collections: the general path
    "o: !!omap [{a: 1}, {b: 2}]\n",
    "x: {1: a, 1.5: b, true: c, null: d}\n",   # true == 1: a duplicate key, both ways
    "x: {2: a, 1.5: b, true: c, null: d}\n",
    "'=': 1\n",                          # a quoted key that looks like a value key
    "k: !!str 12\n",
    "- [1, [2, [3, {a: b}]]]\n",
])
def test_unusual_documents_load_as_before(text) -> None:
    try:
        expected = repr(_general(text))
    except yaml.YAMLError as exc:  # an error either way, the same one
        with pytest.raises(InputError, match=re.escape(str(getattr(exc, "problem", None) or exc))):
            load_yaml(text, source="f.yaml")
    else:
        assert repr(load_yaml(text, source="f.yaml")) == expected


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "x: {1: a, 1.0: b}\n", "x: {1: a, true: b}\n", "!foo 1\n",
                                  "= : 1\n", "a: [1, 2\n"])
def test_errors_are_those_of_the_general_path(text) -> None:
    with pytest.raises(InputError) as new:
        load_yaml(text, source="f.yaml")
    try:
        _general(text)
    except yaml.YAMLError as exc:
        assert str(getattr(exc, "problem", None) or exc) in str(new.value)
    else:  # pragma: no cover - every case above is an error
        raise AssertionError(text)


def test_node_bound_without_aliases_refused_as_before() -> None:
    # no alias in it: the message names the file's size, not an alias bomb it does not hold
    with pytest.raises(InputError, match=r"more than 10 nodes \(the limit for one data file\)"):
        load_yaml("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", source="f.yaml", max_nodes=10)
    with pytest.raises(InputError, match="aliases expand to more than 10 nodes"):
        load_yaml("a: &x [1, 2, 3]\nb: [*x, *x]\n", source="f.yaml", max_nodes=10)
    assert load_yaml("[1, 2, 3, 4, 5, 6, 7, 8, 9]\n", source="f.yaml", max_nodes=10) == list(range(1, 10))


class _Built:
    """Counts the YAML nodes built (by libyaml's composer or PyYAML's) and the node events
    (scalars, collection starts) the safe loader's parser hands out while it is installed."""

    def __init__(self, monkeypatch) -> None:
        self.nodes = self.events = 0
        for cls in (yaml.ScalarNode, yaml.nodes.CollectionNode):
            init = cls.__init__

            def counted(*args, _init=init, **kwargs):
                self.nodes += 1
                return _init(*args, **kwargs)
            monkeypatch.setattr(cls, "__init__", counted)
        get_event = StrictSafeLoader.get_event

        def counted_event(loader):
            event = get_event(loader)
            self.events += isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent))
            return event
        monkeypatch.setattr(StrictSafeLoader, "get_event", counted_event)


_OVER = "[" + ", ".join(["{}"] * 10_000) + "]\n"  # 10,001 nodes: ten times the limit below


@pytest.mark.parametrize("header", [
    "",               # no alias: the event walk
    "# *x\n",         # a `*`: composed (by libyaml), after counting the parser's events
])
def test_node_limit_refused_while_reading_not_after(monkeypatch, header) -> None:
    # The limit was checked on the finished graph: 2,000,000 `{}` took 1 GB and 6.6 s to refuse.
    built = _Built(monkeypatch)
    with pytest.raises(InputError, match=r"^f\.yaml:\d: invalid YAML: more than 1000 nodes \(the limit for one data "
                                         r"file\) \(column 1\)$") as info:
        load_yaml(header + _OVER, source="f.yaml", max_nodes=1000)
    assert info.value.line == 1 + header.count("\n")  # the sequence the extra node was to join
    assert built.nodes == 0 and built.events == 1001


def test_node_limit_refused_while_reading_templates(monkeypatch) -> None:
    built = _Built(monkeypatch)
    with pytest.raises(InputError, match=r"more than 1000 nodes \(the limit for one data file\)"):
        compose_yaml(_OVER, source="f.yaml", max_nodes=1000)
    assert built.nodes == 0 and built.events == 1001


@pytest.mark.parametrize("compose", [
    lambda text: compose_yaml(text, source="f.yaml", max_nodes=1000),                     # PyYAML's composer
    lambda text: load_yaml("x: &a 1\ny: *a\nz: " + text, source="f.yaml", max_nodes=1000),  # libyaml's
])
def test_composer_stops_at_the_node_limit(monkeypatch, compose) -> None:
    # Without the event count in front (a text it deems too short to need one), the composers
    # still stop at the limit: they count the nodes they build.
    from scriptcheck import safe_yaml

    monkeypatch.setattr(safe_yaml, "_NODES_PER_CHARACTER", 0)
    built = _Built(monkeypatch)
    with pytest.raises(InputError, match=r"more than 1000 nodes \(the limit for one data file\)"):
        compose(_OVER)
    assert 1000 - 10 <= built.nodes <= 1000


@pytest.mark.parametrize("text", [
    "[" + ",".join(["?"] * 50) + "]",      # three nodes per two characters: the densest found
    "{" + ",".join(["?"] * 50) + "}",
    "[" + ",".join(["?:"] * 50) + "]",
    "\n".join(["?"] * 50),
    "- " * 50,
    "[" + ",".join(["{}"] * 50) + "]",
])
def test_a_node_takes_at_least_half_a_character(text) -> None:
    # What lets a text shorter than half the limit skip the event count.
    from scriptcheck import safe_yaml

    loader = yaml.SafeLoader(text)
    try:
        nodes = sum(1 for event in iter(loader.get_event, None)
                    if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)))
    finally:
        loader.dispose()
    assert 50 < nodes <= len(text) * safe_yaml._NODES_PER_CHARACTER
    with pytest.raises(InputError, match=f"more than {nodes - 1} nodes"):
        compose_yaml(text, source="f.yaml", max_nodes=nodes - 1)


def test_documents_at_the_node_limit_still_load() -> None:
    text = "[" + ", ".join(["{}"] * 999) + "]\n"  # 1,000 nodes
    assert load_yaml(text, source="f.yaml", max_nodes=1000) == [{}] * 999
    assert load_yaml("# *x\n" + text, source="f.yaml", max_nodes=1000) == [{}] * 999
    assert len(compose_yaml(text, source="f.yaml", max_nodes=1000).value) == 999


# --- the event walk (no node per value) builds what the node walk builds ----------------------


def _node_walk(text: str):
    """What load_yaml built before the event walk: the composed nodes, then the plain-data walk
    or PyYAML's constructor (repr, or the error's problem)."""
    from scriptcheck import safe_yaml

    try:
        loader, node = safe_yaml._compose(text, "f.yaml", safe_yaml.MAX_NODES, InputError, bound=False)
    except InputError as exc:
        return "error", str(exc)
    try:
        if node is None:
            return "ok", repr(None)
        plain = safe_yaml._plain_data(loader, node, safe_yaml.MAX_NODES)
        return "ok", repr(plain if plain is not safe_yaml._UNUSUAL else loader.construct_document(node))
    except yaml.YAMLError as exc:
        return "error", str(getattr(exc, "problem", None) or exc)
    except RecursionError:
        return "error", "nested too deeply"
    finally:
        loader.dispose()


def _event_walk(text: str):
    try:
        return "ok", repr(load_yaml(text, source="f.yaml"))
    except InputError as exc:
        return "error", str(exc)


def _same(text: str) -> None:
    kind, value = _node_walk(text)
    new_kind, new_value = _event_walk(text)
    assert new_kind == kind, (text, value, new_value)
    if kind == "ok":
        assert new_value == value
    else:
        assert value in new_value


@settings(max_examples=300, deadline=None)
@given(_documents, st.sampled_from([None, False, True]), st.booleans())
def test_event_walk_builds_what_the_node_walk_builds(data, flow, explicit) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, explicit_start=explicit)
    if "*" in text:
        return
    _same(text)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: 2\n",                      # an anchor without an alias: the node walk decides
    "a: ! 12\nb: ! x\n",                    # the non-specific tag: resolved as the composer does
    "a: !!str 12\nb: !!int '7'\n",
    "--- 1\n--- 2\n",                       # two documents: the same error
    "---\n...\n",
    "",
    "# only a comment\n",
    "'': 1\n~: 2\n",
    "a: <<\n",
    "a: =\n",
    "? a\n? b\n",
    "a: {b: [c, {d: e}], f: ''}\n",
    "[" * 150 + "]" * 150,                  # deeper than the event walk goes
    "[" * 90 + "]" * 90,
    "a: 1\n\tb: 2\n",                       # a syntax error
    "a: \x07\n",                             # a control character
    "- 2026-11-30\n- 12:30:00\n- 0o17\n- +.inf\n- -0\n- NO\n- yes\n- Off\n",
])
def test_event_walk_agrees_on_unusual_documents(text) -> None:
    _same(text)


def test_event_walk_agrees_on_every_packaged_yaml_file() -> None:
    from pathlib import Path

    from scriptcheck.resources import defaults_dir

    repository = Path(__file__).resolve().parent.parent
    benchmarks = sorted(repository.glob("benchmarks/**/*.yaml"))
    training = [p for p in benchmarks if p.name.startswith("train_t")]
    # Every tenth training set: they share one layout, and their number grows every session.
    files = [*defaults_dir().rglob("*.yaml"), *repository.glob("*.yaml"), *repository.glob("corpora/**/*.yaml"),
             *(p for p in benchmarks if p not in training), *training[::10], *repository.glob("tests/**/*.yaml")]
    assert len(files) > 15
    for path in files:
        _same(path.read_text(encoding="utf-8"))


def test_event_walk_node_bound_as_before() -> None:
    with pytest.raises(InputError, match="more than 6 nodes"):
        load_yaml("{a: [1, 2, 3], b: {c: 4, d: 5}}\n", source="f.yaml", max_nodes=6)
    text = "{a: [1, 2], b: 3}\n"  # 7 nodes: the mapping, two keys, the list and three scalars
    assert load_yaml(text, source="f.yaml", max_nodes=7) == {"a": [1, 2], "b": 3}
    with pytest.raises(InputError, match="more than 6 nodes"):
        load_yaml(text, source="f.yaml", max_nodes=6)


# --- scalars PyYAML cannot build, and YAML 1.1's base-60 numbers ------------------------------


@pytest.mark.parametrize("text, where, problem", [
    ("d: 2001-13-45\n", "1:4", "cannot read '2001-13-45' as timestamp: month must be in 1..12"),
    ("d: [x, 2001-02-30]\n", "1:8", "cannot read '2001-02-30' as timestamp: day is out of range"),
    ("a: &x 2001-02-30\nb: *x\n", "1:4", "cannot read '2001-02-30' as timestamp"),  # the alias path
    ("n: " + "9" * 5000 + "\n", "1:4", r"cannot read '9{40}… \(5000 characters\)' as int: "
                                       r"Exceeds the limit \(4300 digits\)"),
])
def test_unbuildable_scalar_is_a_yaml_error_at_its_line(text, where, problem) -> None:
    # PyYAML's constructors raise a bare ValueError here, which escaped as a traceback
    with pytest.raises(LexiconError, match=rf"^f\.yaml:{where}: invalid YAML: {problem}"):
        load_yaml(text, source="f.yaml", error=LexiconError)


def test_unbuildable_scalar_is_one_line_on_the_cli(tmp_path) -> None:
    lexicon = tmp_path / "lex.yaml"
    lexicon.write_text("version: 1\nname: mine\nkind: forbidden\nentries:\n  - id: XM901\n    name: m\n"
                       "    category: 喝斥\n    description: 2001-13-45\n    phrases: [你走开]\n", encoding="utf-8")
    result = run_cli("lexicon", "test", str(lexicon))
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert stderr.count("\n") == 1 and "lex.yaml:8:18: invalid YAML: cannot read" in stderr


def test_base60_scalars_are_strings_as_in_yaml_1_2() -> None:
    # YAML 1.1 reads 1:30 as 90, with a bigint product per part (quadratic: 1 MB took 18 s);
    # every other YAML 1.1 number still reads as before.
    text = "a: 1:30\nb: 1:30.5\nc: -2:0:0\nd: 190\ne: 0o17\nf: 017\ng: 1_000\nh: 1.5\ni: .inf\nj: 12:30:00\n"
    expected = {"a": "1:30", "b": "1:30.5", "c": "-2:0:0", "d": 190, "e": "0o17", "f": 15, "g": 1000,
                "h": 1.5, "i": float("inf"), "j": "12:30:00"}
    assert load_yaml(text, source="f.yaml") == expected
    assert load_yaml(text + "k: &x 1:0\nl: *x\n", source="f.yaml") == {**expected, "k": "1:0", "l": "1:0"}
    long = "1" + ":0" * 5000
    assert load_yaml(f"a: {long}\n", source="f.yaml") == {"a": long}


@pytest.mark.parametrize("text", ["a: !!int 1:30\n", "a: !!float 1:30.5\n"])
def test_explicit_base60_number_refused(text) -> None:
    # an explicit tag bypasses the resolvers and would reach PyYAML's quadratic constructor
    with pytest.raises(InputError, match=r"base-60 numbers such as '1:30(\.5)?' are not supported"):
        load_yaml(text, source="f.yaml")
    assert load_yaml("a: !!int 90\nb: !!float 1.5\n", source="f.yaml") == {"a": 90, "b": 1.5}
