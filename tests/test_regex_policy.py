"""The policy for user regexes (issue 13, item 5): refuse what backtracks super-linearly, accept
every shipped lexicon pattern, and — on random lexicon-style patterns — everything accepted does
linear work.

Work is measured deterministically, never in wall time: ``_Model`` is a step-counting
backtracking matcher over the same parse tree ``re`` compiles (sre's search strategy — each
start position in turn, greedy repeats longest first, alternatives left to right — without its
optimisations, which only ever cut work). Its step count on inputs of length n and 4n must grow
by about 4, and stay under the policy's own bound per position. Real ``re`` is timed in
``benchmarks/bench_regex_policy.py``.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

from scriptcheck.errors import ConfigError
from scriptcheck.text.regex_policy import (MAX_NESTING, MAX_WORK, WHOLE_TEXT_WORK, UnsafePattern, check_nesting,
                                          check_parsed, check_regex, work_bound)
from tests.conftest import ROOT


# -- named refusals --------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,reason", [
    ("你(.{1,29}){1,29}c", "nests a variable-length repetition"),
    ("(a|a){1,40}$", "alternation whose branches can match the same text"),
    ("(a|ab){1,5}", "alternation whose branches"),
    ("(x|){2,9}", "alternation whose branches"),
    ("a.*b", "unbounded repeat"),
    ("你.+吗", "unbounded repeat"),
    ("a{3,}", "unbounded repeat"),
    ("(a)\\1", "back-reference"),
    ("(.{1,29}){29}", f"more than {MAX_WORK:,} ways"),
    (".{0,99}.{0,99}.{0,99}#", "bounded repeats next to each other that can match the same characters"),
    ("(", "not a valid regex"),
])
def test_catastrophic_patterns_are_refused_with_the_reason(pattern, reason) -> None:
    with pytest.raises(UnsafePattern, match=re.escape(reason)):
        check_regex(pattern)
    assert issubclass(UnsafePattern, ValueError)


@pytest.mark.parametrize("pattern", [
    "^(bye|closing)_", "wait", "(ab|cd){1,5}", "(x{1,3}){2}", "你.{0,8}(吗|嘛|么)$",
    "(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])",
])
def test_ordinary_patterns_are_accepted(pattern) -> None:
    check_regex(pattern)


@pytest.mark.parametrize("pattern, depth", [
    ("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1), MAX_NESTING + 1),
    ("(?:" * 3000 + "a" + ")" * 3000, 3000),  # past what re's parser survives: no RecursionError
    ("((a)" * 60 + ")" * 60, 61),
])
def test_groups_nested_too_deep_are_refused_before_re_parses_them(pattern, depth) -> None:
    with pytest.raises(UnsafePattern, match=f"nests groups {depth} deep"):
        check_nesting(pattern)
    with pytest.raises(UnsafePattern, match=f"nests groups {depth} deep"):
        check_regex(pattern)


@pytest.mark.parametrize("pattern", [
    "(" * MAX_NESTING + "a" + ")" * MAX_NESTING,
    r"\(" * 200 + "a",           # escaped parentheses are characters
    "[(]" * 200 + "a",           # so are those in a character class
    "[]((]" * 100 + "a",          # a ] right after [ is a member, not the end
    "[^](]" * 100 + "a",
    "(a)" * 500,                 # many groups side by side nest one deep
])
def test_nesting_counts_groups_only(pattern) -> None:
    check_nesting(pattern)



def _lexicon_values(keys: tuple[str, ...], skip_models: bool = False) -> list[str]:
    """Every string under one of ``keys`` in the packaged lexicon files (a pattern's dict gives
    its ``pattern``): the patterns, or the specs' texts."""
    import yaml

    return [value for path in sorted((ROOT / "lexicons").rglob("*.yaml")) if not (skip_models and "models" in path.parts)
            for value in _values(yaml.safe_load(path.read_text(encoding="utf-8")), keys)]


def _values(data, keys: tuple[str, ...]) -> list[str]:
    """Every string under one of ``keys`` in parsed YAML (a pattern's dict gives its ``pattern``)."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in keys:
                    for item in [value] if isinstance(value, str) else value or []:
                        found.append(item if isinstance(item, str) else item.get("pattern"))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return [p for p in found if p]


def _shipped_patterns() -> list[str]:
    """Every pattern of the packaged files, slots expanded (as the loader checks them)."""
    import yaml

    from scriptcheck.lexicon.slots import expand_slots

    found = []
    for path in sorted((ROOT / "lexicons").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        slots = data.get("slots") or {} if isinstance(data, dict) else {}
        found += [expand_slots(p, slots) for p in _values(data, ("patterns", "pattern", "also", "not_after",
                                                                  "invalid_context"))]
    return found


def test_every_shipped_lexicon_pattern_is_accepted() -> None:
    patterns = _shipped_patterns()
    assert len(patterns) > 3000
    refused = []
    for pattern in patterns:
        try:
            check_regex(pattern)
        except UnsafePattern as exc:
            refused.append(str(exc))
    assert refused == []
    # …with room to spare under the bound, so the lexicons can grow.
    assert max(work_bound(p) for p in patterns) * 2 <= MAX_WORK


def test_shipped_patterns_searched_over_whole_turns_are_within_their_bound() -> None:
    # A profile's privacy patterns, a lexicon's mitigators and conditions: searched over whole
    # turns, sentences or clauses, not in windows, so held to WHOLE_TEXT_WORK.
    import yaml

    from scriptcheck.lexicon.slots import expand_slots

    whole = []
    for path in sorted((ROOT / "lexicons").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        slots = data.get("slots") or {}
        for key in ("mitigators", "conditions"):
            whole += [expand_slots(p, slots) for p in _values(data.get(key) or [], ("pattern", "also"))]
        for rule in data.get("rules") or []:
            if rule.get("kind") == "privacy":
                whole += _values(rule, ("pattern", "not_after", "invalid_context"))
    assert len(whole) > 50
    for pattern in whole:
        check_regex(pattern, WHOLE_TEXT_WORK)
    assert max(work_bound(p) for p in whole) * 2 <= WHOLE_TEXT_WORK


@pytest.mark.parametrize("pattern, splits", [
    (".{0,99}.{0,99}.{0,99}#", "10,000"),              # hostile probe F2 (1.3 ms a character): refused at its second
    ("你(.{0,99})(.{0,99})c", "10,000"),                # groups around them change nothing
    (".{0,31}(?:xy)?(?=y)[^z]{0,31}", "1,024"),        # nor parts between them that can match nothing
    (".{0,15}(x)?[^z]{0,31}", "1,024"),                # an optional character is one more repeat
    (r"\d{0,40}\w{0,40}", "1,681"),                    # digits are word characters
    ("(?i:[a-z]{1,50})[A-Z]{0,50}", "2,550"),         # case-insensitively, A is a-z's too
    ("(?i)[k]{0,50}[\u212a]{0,50}", "2,601"),           # and so is the Kelvin sign k's
])
def test_adjacent_repeats_sharing_characters_are_refused(pattern, splits) -> None:
    with pytest.raises(UnsafePattern, match=f"splits between them in up to {splits} ways at every position"):
        check_regex(pattern)


@pytest.mark.parametrize("pattern", [
    ".{0,30}.{0,30}#",                   # 961 splits: under the limit
    ".{0,9}.{0,9}.{0,9}#",               # 1,000
    "[0-9]{0,99}[a-z]{0,99}",            # no character in common
    r"\d{0,99}\D{0,99}",
    "(?i)[a-z]{0,99}[0-9]{0,99}",
    "[k]{0,50}[\u212a]{0,50}",            # k and the Kelvin sign differ where case matters
    ".{0,99}a.{0,99}",                   # apart: left to the work bound (10,000 here)
])
def test_adjacent_repeats_that_cannot_split_much_are_accepted(pattern) -> None:
    check_regex(pattern)


def test_a_whole_text_bound_is_the_callers() -> None:
    pattern = ".{0,40}1.{0,40}1.{0,40}#"  # 68,921 ways: within MAX_WORK, not within WHOLE_TEXT_WORK
    check_regex(pattern)
    with pytest.raises(UnsafePattern, match="68,921 ways per position, more than the 20,000 allowed"):
        check_regex(pattern, WHOLE_TEXT_WORK)


def test_config_kinds_are_checked(tmp_path) -> None:
    from scriptcheck.templates.config import load_config

    path = tmp_path / "scriptcheck.toml"
    path.write_text('kinds = {closing = "(a|a){1,40}$"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"kinds\.closing: pattern .* alternation"):
        load_config(path)


# -- the step-counting model -----------------------------------------------------------------

class _Budget(Exception):
    pass


class _Model:
    """A backtracking matcher over sre's parse tree that counts its steps, and the leaves of
    its search tree: the dead ends (a character, an anchor, a lookaround or an empty repeat
    copy that fails) and the matches reached."""

    def __init__(self, pattern: str, text: str, budget: int) -> None:
        self.parsed = _p.parse(pattern)
        self.text = text
        self.steps = 0
        self.leaves = 0
        self.budget = budget

    def most_leaves(self) -> int:
        """The most leaves of one start position's search, every path explored (a match
        found does not end the search): what the policy's bound is about."""
        worst = 0
        for start in range(len(self.text) + 1):
            self.leaves = 0
            self._seq(self.parsed.data, 0, start, self._match_found)
            worst = max(worst, self.leaves)
        return worst

    def _match_found(self, end: int) -> bool:
        self.leaves += 1
        return False

    def _dead(self) -> bool:
        self.leaves += 1
        return False

    def search(self) -> bool:
        for start in range(len(self.text) + 1):
            if self._seq(self.parsed.data, 0, start, lambda end: True):
                return True
        return False

    def _char(self, op, av, ch: str) -> bool:
        if op is _c.LITERAL:
            return ch == chr(av)
        if op is _c.NOT_LITERAL:
            return ch != chr(av)
        if op is _c.ANY:
            return ch != "\n"
        if op is _c.IN:
            negate = False
            hit = False
            for sub_op, sub_av in av:
                if sub_op is _c.NEGATE:
                    negate = True
                elif sub_op is _c.LITERAL:
                    hit |= ch == chr(sub_av)
                elif sub_op is _c.RANGE:
                    hit |= sub_av[0] <= ord(ch) <= sub_av[1]
                else:
                    raise NotImplementedError(sub_op)
            return hit != negate
        raise NotImplementedError(op)

    def _seq(self, seq, i: int, pos: int, k) -> bool:
        self.steps += 1
        if self.steps > self.budget:
            raise _Budget
        if i == len(seq):
            return k(pos)
        op, av = seq[i]

        def rest(p: int) -> bool:
            return self._seq(seq, i + 1, p, k)

        text = self.text
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            if pos < len(text) and self._char(op, av, text[pos]):
                return rest(pos + 1)
            return self._dead()
        if op is _c.SUBPATTERN:
            return self._seq(av[-1], 0, pos, rest)
        if op is _c.BRANCH:
            return any(self._seq(alt, 0, pos, rest) for alt in av[1])
        if op is _c.AT:
            if av is _c.AT_END:
                ok = pos == len(text) or (pos == len(text) - 1 and text[pos] == "\n")
            elif av is _c.AT_BEGINNING:
                ok = pos == 0
            else:
                raise NotImplementedError(av)
            return rest(pos) if ok else self._dead()
        if op in (_c.ASSERT, _c.ASSERT_NOT) and av[0] == 1:  # a lookahead: atomic, its first match decides
            def found(end: int) -> bool:
                self.leaves += 1
                return True

            if self._seq(av[1], 0, pos, found) == (op is _c.ASSERT):
                return rest(pos)
            return self._dead()
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            greedy = op is _c.MAX_REPEAT

            def rep(count: int, p: int) -> bool:
                def more() -> bool:
                    return count < high and self._seq(body, 0, p, lambda q: rep(count + 1, q) if q != p else self._dead())

                if greedy:
                    return more() or (count >= low and rest(p))
                return (count >= low and rest(p)) or more()

            return rep(0, pos)
        raise NotImplementedError(op)


def _steps(pattern: str, text: str, budget: int = 5_000_000) -> int:
    model = _Model(pattern, text, budget)
    try:
        model.search()
    except _Budget:
        pass  # more than the budget: reported as budget + 1
    return model.steps


def test_the_model_sees_the_explosion_the_policy_refuses() -> None:
    # (a|a){1,k}$ on a…ab: the steps double with each k — what the policy refuses.
    counts = [_steps(f"(a|a){{1,{k}}}$", "a" * k + "b") for k in (8, 10, 12)]
    assert counts[1] > 3 * counts[0] and counts[2] > 3 * counts[1]
    # A refused nested repeat does far more work per position than its pattern size.
    assert _steps("(.{1,6}){1,6}c", "x" * 40, budget=200_000) > 100 * 40


# -- random lexicon-style patterns: accepted ⇒ linear work -----------------------------------

_ALPHABET = "ab你"
_atoms = st.sampled_from(["a", "b", "你", ".", "[ab]", "[^b]"])
# The property runs under a small work limit, so that the model can afford to show what the
# bound claims: the generator's nested and repeated constructs easily exceed it, and only
# what the policy accepts under it is run.
_TEST_LIMIT = 3_000


def _patterns():
    def extend(inner):
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),                       # sequence
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + "|".join(xs) + ")"),  # alternation
            st.tuples(inner, st.integers(0, 3), st.integers(0, 6)).map(
                lambda t: f"({t[0]}){{{t[1]},{t[1] + t[2]}}}"),                              # bounded repeat
            inner.map(lambda x: f"({x})?"),                                                  # optional
        )

    body = st.recursive(_atoms, extend, max_leaves=8)
    return st.tuples(st.sampled_from(["", "^"]), body, st.sampled_from(["", "$", "b"])).map("".join)


def _max_width(pattern: str) -> int:
    return _p.parse(pattern).getwidth()[1]


def _bound_under(limit: int, pattern: str) -> int:
    """The policy's work bound with ``MAX_WORK = limit`` (UnsafePattern above it)."""
    import scriptcheck.text.regex_policy as policy

    saved = policy.MAX_WORK
    policy.MAX_WORK = limit
    try:
        return policy.work_bound.__wrapped__(pattern)  # not the cache: the limit differs
    finally:
        policy.MAX_WORK = saved


def _linear_work(pattern: str, seed: str, bound: int) -> None:
    """The property: per start position at most ``bound`` × pattern size steps, and four times
    the input costs about four times the work."""
    width = _max_width(pattern)
    # Long enough that a match attempt never reaches the end of the short input either: from
    # there on each start position costs the same, whatever the input length.
    n = max(2 * width + 2, 12)
    short = (seed * (n // len(seed) + 1))[:n]
    long = short * 4
    size = len(pattern) + width + 2
    budget = (len(long) + 1) * bound * size
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        small, large = _steps(pattern, short, budget), _steps(pattern, long, budget)
    finally:
        sys.setrecursionlimit(old)
    # Under the policy's own bound per start position…
    assert large <= budget
    # …and linear: four times the input, about four times the work. The only difference is the
    # tail of the short input (its last width + 1 start positions, where attempts are cut off
    # by its end), which the long input has once instead of four times.
    assert large <= 4 * small + 4 * (width + 2) * bound * size


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(pattern=_patterns(), seed=st.text(alphabet=_ALPHABET, min_size=1, max_size=6))
def test_accepted_patterns_do_linear_work(pattern, seed) -> None:
    try:
        bound = _bound_under(_TEST_LIMIT, pattern)
    except UnsafePattern:
        return  # refused: nothing to run
    _linear_work(pattern, seed, bound)


def test_the_property_has_teeth() -> None:
    # The policy and the property agree at any limit; at a small one the model can afford to
    # run patterns the policy refuses, and they break the property — so the test would catch a
    # policy that let them through — while an accepted pattern keeps it.
    limit = 30
    for pattern in ("(a|a){1,14}$", "((a){0,4}){0,6}b", "(.{1,4}){1,7}你"):
        with pytest.raises(UnsafePattern):
            _bound_under(limit, pattern)
        with pytest.raises(AssertionError):
            _linear_work(pattern, "a", limit)
    accepted = "(ab|b你){1,3}$"
    assert _bound_under(limit, accepted) <= limit
    _linear_work(accepted, "ab你", _bound_under(limit, accepted))


def _word_patterns():
    """Patterns with alternations of words over a small alphabet (which start alike, or are the
    beginnings of each other), optional parts, bounded repeats and lookaheads: what the policy
    counts the ways of by first characters and by words' beginnings."""
    words = st.lists(st.text(alphabet="ab.", min_size=1, max_size=3), min_size=2, max_size=4)
    atoms = st.sampled_from(["a", "b", ".", "[ab]", "你"]) | words.map(lambda ws: "(" + "|".join(ws) + ")")

    def extend(inner):
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + "|".join(xs) + ")"),
            st.tuples(inner, st.integers(0, 2), st.integers(0, 4)).map(lambda t: f"({t[0]}){{{t[1]},{t[1] + t[2]}}}"),
            inner.map(lambda x: f"({x})?"),
            inner.map(lambda x: f"(?={x})"),
            inner.map(lambda x: f"(?!{x})"),
        )

    return st.tuples(st.recursive(atoms, extend, max_leaves=8), st.sampled_from(["", "$", "b", "x"])).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(pattern=_patterns() | _word_patterns(), seed=st.text(alphabet="ab", min_size=1, max_size=10))
def test_the_bound_holds_the_leaves_of_every_search(pattern, seed) -> None:
    # The policy's number is a bound on the leaves of one start position's search tree (every
    # way explored to its end): the model counts them exactly.
    try:
        bound = _bound_under(_TEST_LIMIT, pattern)
    except UnsafePattern:
        return
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        assert _Model(pattern, (seed * 8)[:30], 10**9).most_leaves() <= bound
    finally:
        sys.setrecursionlimit(old)


@pytest.mark.parametrize("pattern, text, bound", [
    ("(a.|ab)(b.|bb)(c.|cc)x", "abbbccx" * 3, 8),      # alternatives that start alike: all go on
    ("(.|a)(.|a)(.|a)x", "aaaaaa", 8),
    ("(a|ab|abb|b)(b|bb|c)x", "abbbbb", 10),            # words: a, ab and abb go on together
    (".{0,9}.{0,9}#", "x" * 30, 100),                   # adjacent repeats: every split is tried
    ("(?!a.{0,4}b)[ab]{0,3}c", "aaaaaaaa", 9),
    # Of words, only those the text starts with go on: 我 and 我们 (not 我这边, nor 你), then 是
    # or 就是 (summing every alternative's ways gave 8 + 6 leaves here, and made the shipped
    # lexicons' bounds reach 988,416).
    ("(我|我们|我这边|你)(是|就是)客服", "我们是客服我们就是客服", 6),
    ("(厉害|聪明|有才|能干|牛|优秀|棒|了不起)(啊|呀|呢)?", "厉害啊", 9),
])
def test_the_bound_is_what_the_search_reaches(pattern, text, bound) -> None:
    # Tight on these: the model reaches the bound, so a bound any lower would be wrong.
    assert work_bound(pattern) == bound
    assert _Model(pattern, text, 10**9).most_leaves() == bound


def _patterns_or_named():
    """Patterns the generator makes, plus the named accepted and refused ones."""
    named = ["你(.{1,29}){1,29}c", "(a|a){1,40}$", "(a|ab){1,5}", "(x|){2,9}", "a.*b", "a{3,}", "(a)\\1",
             "(.{1,29}){29}", "^(bye|closing)_", "(ab|cd){1,5}", "你.{0,8}(吗|嘛|么)$"]
    return _patterns() | st.sampled_from(named)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(pattern=_patterns_or_named())
def test_check_parsed_gives_check_regex_verdict(pattern) -> None:
    # The lexicon compiler hands its own parse to check_parsed: the verdict must be the same.
    import re._parser as parser

    def verdict(check):
        try:
            check()
        except UnsafePattern as exc:
            return str(exc)
        return None

    assert verdict(lambda: check_parsed(pattern, parser.parse(pattern))) == \
        verdict(lambda: work_bound.__wrapped__(pattern))


# -- comments and verbose mode in the nesting count; RecursionError as a refusal ---------------

_DEEP = MAX_NESTING + 10
_GROUPS = "(" * _DEEP + "a" + ")" * _DEEP


@pytest.mark.parametrize("prefix", [
    "(?x)#[\n",          # verbose: '#' starts a comment, so this '[' opens no class
    "(?x:#[\n)",         # verbose inside a scoped group only
    "(?ix)#[\n",
    "(?#[)",             # a comment group: '[' in it opens no class
    r"(?#\)[)",          # an escaped ')' does not end the comment
    "(?x)# [\\\n[\n",    # in a comment a backslash takes the line break with it: '[' still commented
])
def test_nesting_after_a_comment_holding_a_bracket_is_counted(prefix) -> None:
    # the count read these '[' as opening a class that never closed, and saw no group after it
    # (a 3,000-deep verbose pattern then made re's parser raise RecursionError)
    with pytest.raises(UnsafePattern, match=f"nests groups {_DEEP} deep"):
        check_nesting(prefix + _GROUPS)
    with pytest.raises(UnsafePattern, match=f"nests groups {_DEEP} deep"):
        check_regex(prefix + _GROUPS)


def test_verbose_comments_are_not_counted_and_verbose_mode_ends_with_its_group() -> None:
    # parentheses in a comment are no groups (re ignores them): accepted, as re reads it
    commented = "(?x) 你 # " + "(" * _DEEP + "\n 好"
    check_nesting(commented)
    check_regex(commented)
    assert re.search(commented, "你好")
    # '#' is a comment only where verbose mode is on: not in a class, not after (?-x:
    for pattern in ("(?x)[#]" + _GROUPS, "(?x)(?-x:#" + _GROUPS + ")", "(?x:a)#" + _GROUPS):
        with pytest.raises(UnsafePattern, match="nests groups"):
            check_nesting(pattern)


def test_recursion_in_re_is_the_policy_refusal(monkeypatch) -> None:
    # a nesting the count missed reaches re's recursive parser: a one-line refusal, not a
    # RecursionError (compile_pattern let it escape; check_regex called it "not a valid regex")
    from scriptcheck.match import patterns
    from scriptcheck.text import regex_policy

    monkeypatch.setattr(regex_policy, "check_nesting", lambda pattern: None)
    monkeypatch.setattr(patterns, "check_nesting", lambda pattern: None)
    deep = "你" + "(?:" * 5000 + "好" + ")" * 5000
    with pytest.raises(UnsafePattern, match="nests too deeply for re's parser"):
        check_regex(deep)
    with pytest.raises(patterns.PatternProblem, match="nests too deeply for re's parser"):
        patterns.compile_pattern(deep)
    with pytest.raises(patterns.PatternProblem, match="nests too deeply for re's parser"):
        patterns.check_normalised(deep)
    assert patterns.window_prefilter(deep) == ((), False)


def test_deep_verbose_pattern_is_one_line_on_the_cli(tmp_path) -> None:
    from tests.hostile import run_cli

    pattern = "(?x)#[\\n" + "(" * 3000 + "你" + ")" * 3000  # 6 KB; as a YAML double-quoted string
    lexicon = tmp_path / "deep.yaml"
    lexicon.write_text("version: 1\nname: vdeep\nkind: forbidden\nentries:\n  - id: XQ906\n    name: vdeep\n"
                       f"    category: 喝斥\n    description: 测试\n    patterns: [\"{pattern}\"]\n", encoding="utf-8")
    result = run_cli("lexicon", "test", str(lexicon))
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and len(lines) == 1, lines[-3:]
    assert "nests groups 3000 deep" in lines[0]
