"""``conditions`` and ``options.requires`` (docs/lexicon-format.md): a hit of an entry that
requires conditions stands only where one of them holds; conditions are never applied to
entries that do not name them; mitigators still clear a hit a condition lets stand; an unknown
name is an error at load that lists the lexicon's conditions."""

from __future__ import annotations

import pytest
import yaml

from scriptcheck import Checker, load_lexicon
from scriptcheck.errors import LexiconError


def _lexicon(tmp_path, requires: list[str] | None = None, conditions: list[dict] | None = None):
    data = {
        "version": 1, "name": "mine", "kind": "forbidden",
        "mitigators": [{"name": "negation", "pattern": "不是|一点都不", "scope": "before", "reach": 0,
                        "boundary": False}],
        "conditions": conditions if conditions is not None else [
            {"name": "addressed", "pattern": "你", "scope": "sentence", "boundary": False},
            {"name": "word-alone", "pattern": "^.{0,4}$", "scope": "sentence", "boundary": False},
        ],
        "entries": [
            {"id": "ZZ001", "name": "bare", "category": "x", "description": "a bare insult", "phrases": ["笨"],
             "options": {"skip_contexts": ["mitigated"], "mitigators": ["negation"],
                         "requires": ["addressed", "word-alone"] if requires is None else requires}},
            {"id": "ZZ002", "name": "other", "category": "x", "description": "another word", "phrases": ["蠢"]},
        ],
    }
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_lexicon(path)


@pytest.mark.parametrize("text, flagged", [
    ("你真笨", True),                                     # addressed
    ("笨！", True),                                       # the word alone
    ("您家孩子怎么这么笨", True),                           # 您 folds into 你
    ("我们站点有条笨笨的土狗，每天跟着快递车跑", False),       # aimed at nobody
    ("这款笨笨熊玩偶今天到货了。你要的话我给你留一个", False),  # the address is in the next sentence
    ("你一点都不笨，这个设置藏得很深", False),                 # addressed, but negated: mitigators first
])
def test_a_hit_stands_only_where_a_required_condition_holds(tmp_path, text, flagged) -> None:
    checker = Checker([_lexicon(tmp_path)], tone=None)
    assert [f.rule for f in checker.check(text)] == (["ZZ001"] if flagged else [])


def test_conditions_apply_only_to_entries_that_require_them(tmp_path) -> None:
    checker = Checker([_lexicon(tmp_path)], tone=None)
    assert [f.rule for f in checker.check("这款蠢萌的熊猫玩偶今天到货了，数量不多")] == ["ZZ002"]
    unconditioned = Checker([_lexicon(tmp_path, requires=[])], tone=None)
    assert [f.rule for f in unconditioned.check("我们站点有条笨笨的土狗，每天跟着快递车跑")] == ["ZZ001"]


def test_an_unknown_condition_is_an_error_naming_the_known_ones(tmp_path) -> None:
    with pytest.raises(LexiconError, match=r"ZZ001: unknown condition 'aimed' in options\.requires.*addressed, word-alone"):
        _lexicon(tmp_path, requires=["aimed"])


def test_a_mitigator_name_is_no_condition(tmp_path) -> None:
    with pytest.raises(LexiconError, match=r"unknown condition 'negation'"):
        _lexicon(tmp_path, requires=["negation"])


def test_a_condition_goes_through_the_regex_policy(tmp_path) -> None:
    with pytest.raises(LexiconError, match=r"condition bad"):
        _lexicon(tmp_path, requires=["bad"], conditions=[{"name": "bad", "pattern": "(a+)+b"}])
