"""The compiled text helpers (``text/_native.pyx``) must give exactly what their pure-Python
references give.

These run only where the extension was built (a regular ``pip install .`` with a C compiler, as
CI does); an editable or pure-Python install has nothing to compare and reports them skipped.
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings, strategies as st

from .test_transcript_scan import PIECES

normalize_module = importlib.import_module("scriptcheck.text.normalize")
pytestmark = pytest.mark.skipif(normalize_module._native is None,
                                reason="the native text helpers are not built (editable or pure-Python install)")

# Beyond the transcript pieces: characters NFKC expands (㎏, ﷺ), full-width forms, compatibility
# ideographs, astral characters (emoji, Ext B, some traditional), pronoun folds, long runs.
EXTRA = ["㎏", "ﷺ", "①", "ＡＢＣ", "豈", "𠀀", "𡃁", "😀😀", "妳", "祢", "啊啊啊啊", "\u200b", "\u0301", "A\u0301"]
text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.lists(st.sampled_from(PIECES + EXTRA), max_size=8).map("".join),
)


def _state(norm) -> tuple:
    """Everything a Normalized exposes or later derives from."""
    return (norm.original, norm.text, norm._joined, norm._marked, norm.starts, norm.ends,
            norm.span(0, len(norm.text)) if norm.text else None)


@settings(max_examples=500, deadline=None)
@given(text)
def test_native_normalize_is_the_python_reference(value: str) -> None:
    assert _state(normalize_module.normalize(value)) == _state(normalize_module._normalize_python(value))


@settings(max_examples=300, deadline=None)
@given(st.lists(text, max_size=8))
def test_native_normalize_many_is_the_python_reference(texts: list[str]) -> None:
    expected = [_state(normalize_module._normalize_python(t)) for t in texts]
    assert [_state(n) for n in normalize_module.normalize_many(texts)] == expected


@settings(max_examples=300, deadline=None)
@given(text)
def test_native_span_is_the_offset_map(value: str) -> None:
    native = normalize_module.normalize(value)  # span() before starts: no offset map built
    reference = normalize_module._normalize_python(value)
    size = len(native.text)
    pairs = [(b, e) for b in range(size) for e in range(b + 1, size + 1)]
    assert [native.span(b, e) for b, e in pairs] == [(reference.starts[b], reference.ends[e - 1]) for b, e in pairs]
    if len(native._marked) == len(value):  # folded one for one: answered without the map
        assert native._starts is None


def test_long_texts_map_spans_with_the_offset_map() -> None:
    # The native walk starts from the beginning on every call: on a huge text with a hit every
    # few characters that would be quadratic, so long texts build the (linear) map instead.
    value = "您好，有什么可以帮您？" * 200
    native = normalize_module.normalize(value)
    reference = normalize_module._normalize_python(value)
    assert len(value) > normalize_module._NATIVE_SPAN_LIMIT
    assert native.span(5, 9) == (reference.starts[5], reference.ends[8])
    assert native._starts is not None


def test_native_span_rejects_what_the_map_rejects() -> None:
    norm = normalize_module.normalize("好，好 再见！")
    with pytest.raises(IndexError):
        norm.span(2, 9)


def test_native_fold_hands_back_what_it_does_not_handle() -> None:
    fold = normalize_module._native_fold
    assert fold("你好\x1e再见") == [("你好", None, "你好"), ("再见", None, "再见")]
    assert fold("好好，好") == [("好好\x00好", "好好好", "好")]
    assert fold("㎏") is None  # folds into two characters
    assert fold("這個") is None  # traditional: OpenCC decides


@settings(max_examples=300, deadline=None)
@given(text, st.text(max_size=12) | st.sampled_from(["请问还有什么可以帮您", "感谢您的耐心等待", "好好"]))
def test_native_count_shared_is_the_regex_count(value: str, reference: str) -> None:
    from scriptcheck.rules import step as steps
    from scriptcheck.text._native import count_shared

    expected = len(steps._reference_characters(reference)(value)) if reference else 0
    assert count_shared(value, reference) == expected


@settings(max_examples=300, deadline=None)
@given(text | st.text(alphabet="好好请问还有", max_size=20),
       st.text(max_size=12) | st.sampled_from(["请问还有什么可以帮您", "感谢您的耐心等待", "好好", "好请问还有其他还可以帮到你的吗"]))
def test_native_count_common_is_the_counter_intersection(value: str, reference: str) -> None:
    from scriptcheck.rules import step as steps
    from scriptcheck.text._native import count_common

    assert count_common(value, reference) == steps._common_characters(value, reference)
    assert count_common(reference, value) == steps._common_characters(value, reference)


@pytest.mark.parametrize("texts", [["您好\x1e再见", "好的"], ["\x1e", ""], ["a", "\x1e\x1e", "您"], ["亲\x1e"]])
def test_normalize_many_with_the_turn_separator_inside_a_text(texts: list[str]) -> None:
    # The fold splits at every separator: a text holding one is normalised on its own.
    expected = [_state(normalize_module._normalize_python(t)) for t in texts]
    assert [_state(n) for n in normalize_module.normalize_many(texts)] == expected
