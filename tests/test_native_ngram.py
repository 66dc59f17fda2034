"""The compiled n-gram weighing (``lexicon/_native.pyx``) gives exactly what its pure-Python
reference (``ngram_features.weigh``) gives: on arbitrary Unicode with arbitrary weights, and
with the shipped model on the texts of the shipped lexicons and models.

These run only where the extension was built (a regular ``pip install .`` with a C compiler);
an editable or pure-Python install has nothing to compare and reports them skipped.
"""

from __future__ import annotations

import importlib
import pickle

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck.lexicon import ngram_features
from scriptcheck.lexicon.ngram_features import weigh, weigh_packed
from scriptcheck.lexicon.tone import default_tone
from scriptcheck.text.normalize import normalize

try:
    _native = importlib.import_module("scriptcheck.lexicon._native")
except ImportError:
    _native = None

native = pytest.mark.skipif(_native is None, reason="the native n-gram weighing is not built "
                            "(editable or pure-Python install)")

# Characters that matter to the weighing: the frame, the address features' characters, the
# brackets of the special features, astral and surrogate code points, plus anything at all.
_ALPHABET = st.one_of(st.sampled_from("^$<>你您好吗滚啊a1 \x00\U0001F600\ud800"), st.characters())
_text = st.text(_ALPHABET, max_size=24)
_gram = st.one_of(st.text(_ALPHABET, min_size=1, max_size=7),
                  st.sampled_from(["<你>", "<您>", "<L20>", "<bie>", "^你", "吗$", "^$"]))
_weight = st.one_of(st.floats(-8, 8, allow_nan=False), st.sampled_from([0.0, -0.0, 1e-300, 0.1, 0.2]))
_orders = st.integers(1, 6).flatmap(lambda low: st.tuples(st.just(low), st.integers(low, 6)))


@native
def test_frame_is_the_python_one() -> None:
    assert (_native.BEGIN, _native.END) == (ngram_features.BEGIN, ngram_features.END)


@native
@settings(max_examples=3000, deadline=None)
@given(st.dictionaries(_gram, _weight, max_size=30), _text, _text, st.lists(st.sampled_from(["bie", "x"]), max_size=2),
       _orders, st.data())
def test_packed_weighing_is_the_python_reference(weights, search, original, cues, orders, data) -> None:
    low, high = orders
    # Some n-grams of the text itself, so that the weights are found (not only missed).
    framed = "^" + search + "$"
    for _ in range(data.draw(st.integers(0, 6))):
        if framed:
            i = data.draw(st.integers(0, len(framed) - 1))
            n = data.draw(st.integers(1, 6))
            weights[framed[i:i + n]] = data.draw(_weight)
    table = _native.NgramTable(weights, low, high)
    expected = weigh(weights, search, original, cues, low, high)
    got = weigh_packed(table, weights, search, original, cues)
    assert got == expected and repr(float(got)) == repr(float(expected))


@pytest.fixture
def shipped_model():
    """The packaged tone model's n-gram stage (the test is skipped when it is turned off)."""
    tone = default_tone()
    if tone is None or tone.ngram is None:
        pytest.skip("the packaged tone model is turned off")
    return tone.ngram


@native
def test_packed_weighing_of_the_shipped_model_on_the_lexicons(shipped_model) -> None:
    model = shipped_model
    table = _native.NgramTable(model._weights, model._low, model._high)
    texts = _lexicon_texts()
    assert len(texts) > 1000
    for original in texts:
        search = normalize(original).text
        for cues in ((), ("bie",)):
            expected = weigh(model._weights, search, original, cues, model._low, model._high)
            assert weigh_packed(table, model._weights, search, original, cues) == expected, original
        # The model's own answer is the reference's.
        assert model.logit(search, original) == model.data.bias + weigh(
            model._weights, search, original, (), model._low, model._high)


@native
def test_the_model_packs_its_table_again_after_pickling(shipped_model) -> None:
    model = shipped_model
    before = model.logit("你自己看吧", "你自己看吧")
    copy = pickle.loads(pickle.dumps(model))
    assert copy._table is None
    assert copy.logit("你自己看吧", "你自己看吧") == before


@native
@pytest.mark.parametrize("orders", [(1, 4), (2, 2), (5, 6), (1, 1), (3, 4)])
@pytest.mark.parametrize("search", ["", "0", "你好", "滚吧你"])
def test_negative_zero_and_texts_too_short_for_any_ngram(orders, search) -> None:
    # weigh sums over every n-gram, weighted or not, weigh_packed only the weighted ones: the
    # signs of zero must agree whether the text is too short for any n-gram or not.
    weights = {"<bie>": -0.0, "<你>": -0.0, "x": 0.0}
    table = _native.NgramTable(weights, *orders)
    for cues in ((), ("bie",)):
        expected = weigh(weights, search, search, cues, *orders)
        got = weigh_packed(table, weights, search, search, cues)
        assert repr(got) == repr(expected)


def test_table_orders_are_checked() -> None:
    if _native is None:
        pytest.skip("the native n-gram weighing is not built")
    with pytest.raises(ValueError):
        _native.NgramTable({}, 3, 2)


def _lexicon_texts() -> list[str]:
    """Every phrase, example and spec string of the packaged lexicons and models, and every
    n-gram key of the shipped model as a text of its own."""
    import yaml

    from scriptcheck.resources import defaults_dir

    texts: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, str):
            if node.strip():
                texts.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    root = defaults_dir()
    for path in [*sorted(root.glob("*.yaml")), root / "models" / "tone.yaml"]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    tone = default_tone()
    if tone is not None and tone.ngram is not None:
        texts.update(g.strip("^$") for g in tone.ngram._weights if not g.startswith("<"))
    return sorted(texts)
