"""Placeholders: masked so they neither make nor break a match; broken ones are reported."""

from __future__ import annotations

from collections import Counter

import pytest

from scriptcheck import Checker
from scriptcheck.templates.lint import Linter
from scriptcheck.text.placeholders import MASK, mask_placeholders, scan_placeholders
from scriptcheck.templates.sources import parse_templates
from scriptcheck.text.normalize import is_skipped


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def _lint(linter: Linter, text: str) -> list[tuple[str, str]]:
    source = parse_templates("t.txt", text)
    results, _ = linter.lint_source(source)
    return [(f.rule, f.finding.text) for r in results for f in r.findings]


@pytest.mark.parametrize(("text", "expected"), [
    ("{customer}先生您好", [("placeholder", "{customer}")]),
    ("{{ name }}您好", [("placeholder", "{{ name }}")]),
    ("{{ name | upper }}您好", [("placeholder", "{{ name | upper }}")]),
    ("订单${order_id}", [("placeholder", "${order_id}")]),
    ("%s您好，%d件", [("placeholder", "%s"), ("placeholder", "%d")]),
    ("尊敬的%(name)s", [("placeholder", "%(name)s")]),
    ("[客户姓名]您好", [("placeholder", "[客户姓名]")]),
    ("{0}和{}", [("placeholder", "{0}"), ("placeholder", "{}")]),
    ("{name您好", [("unbalanced", "{name")]),
    ("${name您好", [("unbalanced", "${name")]),
    ("%(name您好", [("unbalanced", "%(name")]),
    ("您好}", [("unbalanced", "}")]),
    ("{{name}您好", [("misspelt", "{{name}")]),
    ("{name}}您好", [("misspelt", "{name}}")]),
    ("订单$name}", [("misspelt", "$name}")]),
    ("尊敬的%(name)，", [("misspelt", "%(name)")]),
    ("满100享95折，50%(含税)", []),
    ("您好，请问有什么可以帮您？", []),
    # Code and JSON laid out over lines in a reply: an opener that ends its line and the closer
    # that begins a later one are a block, not a broken placeholder.
    ("示例：\nclass Dog {\n    String speak() {\n        return \"Woof\";\n    }\n}\n", []),
    ("token = jwt.encode({\n    'user': 'admin'\n}, KEY)", []),
    ("单号{\n已发货", [("unbalanced", "{\n")]),  # no line closes it
    ("已发货\n}您好", [("unbalanced", "}")]),  # no line opened it
])
def test_scan_shapes(text, expected) -> None:
    assert [(p.kind, p.text) for p in scan_placeholders(text)] == expected


def test_mask_keeps_offsets_and_is_skipped_by_the_normaliser() -> None:
    text = "{customer}先生您好，订单${id}已发货"
    masked = mask_placeholders(text)
    assert len(masked) == len(text)
    assert masked == MASK * 10 + "先生您好，订单" + MASK * 5 + "已发货"
    assert is_skipped(MASK)
    assert mask_placeholders("{name您好") == "{name您好"  # broken ones stay visible


def test_placeholder_does_not_make_a_match(linter) -> None:
    # 'sb' read as an insult when the text is checked raw ({sb_id} would not be: FB048's sb
    # stands alone, not inside an identifier or an order number)
    text = "您好，{sb}号为您服务"
    assert [f.rule for f in Checker.default().check(text)] == ["FB048"]
    assert _lint(linter, text) == []


def test_placeholder_does_not_break_a_match(linter) -> None:
    text = "你怎么连这个{product_name}也不懂"
    # 12 letters too many for the pattern's gap (the tone model, FB900, flags the sentence anyway)
    assert Checker.from_lexicons([], tone=False).check(text) == []
    assert [f.rule for f in Checker.default().check(text)] == ["FB900"]
    found = _lint(linter, text)
    assert ("FB006", text) in found  # the reported text is the original, placeholder included


def test_greeting_with_placeholder_is_clean(linter) -> None:
    assert _lint(linter, "{customer}先生您好，请问有什么可以帮您？") == []


def test_bare_ni_next_to_a_placeholder_is_still_flagged(linter) -> None:
    # FB006 needs 这/那 after 连, which a placeholder can only stand for; the 你 is still rude.
    assert ("PL001", "你") in _lint(linter, "你怎么连{item}也不懂")


def test_placeholder_name_with_ni_is_not_an_honorific_fault(linter) -> None:
    assert _lint(linter, "[你的订单号]已发货，请您注意查收。") == []


def test_broken_placeholders_are_reported_where_they_are(linter) -> None:
    source = parse_templates("t.txt", "您好\n尊敬的{{name}，您的退款已到账。\n订单{order_id已发货。\n")
    results, _ = linter.lint_source(source)
    got = [(f.rule, f.line, f.col, f.end_col) for r in results for f in r.findings]
    assert got == [("TP102", 2, 4, 10), ("TP101", 3, 3, 11)]


@pytest.mark.parametrize("text, kinds", [
    ("{" * 200_000, {"unbalanced": 100_000}),  # each {{ an unclosed opening
    ("%(" * 100_000, {}),
    ("a}" * 100_000, {"unbalanced": 100_000}),
    ("$a" * 100_000, {}),
    ("}" * 200_000, {"unbalanced": 100_000}),  # closers at no line start: no block ends
    ("x{\n" * 50_000 + "}\n" * 50_000, {"placeholder": 1}),  # 50,000 blocks (one "{\n}" in the middle)
])
def test_scanning_hostile_delimiter_runs(text, kinds) -> None:
    # What such a run holds, found in one pass; how the time grows with the length is measured
    # (not asserted: no timing in unit tests) by benchmarks/bench_long_input.py --placeholders.
    found = scan_placeholders(text)
    assert Counter(p.kind for p in found) == kinds
    assert all(text[p.start:p.end] == p.text for p in found)
