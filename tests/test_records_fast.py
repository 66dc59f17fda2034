"""The canonical fast path of reading a record builds exactly the models pydantic builds, and
every other shape still goes through pydantic (so its errors are unchanged)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptcheck.errors import InputError
from scriptcheck.io.records import build_transcript, canonical_transcript, validated_transcript
from scriptcheck.models import Transcript


def _state(model) -> object:
    """Everything pydantic keeps of a model, nested models included."""
    if isinstance(model, list):
        return [_state(m) for m in model]
    if not hasattr(model, "__pydantic_fields_set__"):
        return model
    return (type(model), {k: _state(v) for k, v in model.__dict__.items()}, list(model.__dict__),
            model.__pydantic_fields_set__, model.__pydantic_extra__, model.__pydantic_private__)


def _outcome(build, raw):
    try:
        return build(raw, source="f.jsonl", line=3)
    except InputError as exc:
        return ("error", str(exc), exc.file, exc.line, exc.field, exc.reason)


def _dumped(model) -> str:
    try:
        return model.model_dump_json()
    except ValueError as exc:  # lone surrogates: pydantic cannot write them, whichever path
        return f"error: {exc}"


def _same(fast, slow) -> None:
    if isinstance(slow, tuple):
        assert fast == slow
        return
    assert _state(fast) == _state(slow)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert _dumped(fast) == _dumped(slow)
    # Nothing shared with the input that pydantic would have copied.
    assert fast.turns[0].metadata is not slow.turns[0].metadata


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                     st.text(max_size=4))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                     max_leaves=6)
_speakers = st.one_of(st.sampled_from(["agent", "customer", "客服", " Agent", "主持人", ""]), _scalars)
_texts = st.one_of(st.text(), st.text(alphabet=st.characters(categories=["Cs", "Lo", "Zs"])), _scalars)
_turns = st.one_of(
    st.fixed_dictionaries({"speaker": _speakers, "text": _texts}),
    st.fixed_dictionaries({"speaker": st.sampled_from(["agent", "customer"]), "text": st.text()}),
    st.dictionaries(st.sampled_from(["speaker", "text", "start", "end", "metadata", "role", "content", "x"]),
                    _json, max_size=4),
    _scalars,
)
_records = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=3), st.integers(), st.booleans(), st.none()),
     "turns": st.one_of(st.lists(_turns, max_size=4), _scalars)},
    optional={"metadata": st.one_of(st.dictionaries(st.text(max_size=3), _json, max_size=3), _json),
              "agent_id": _json, "channel": st.text(max_size=3), "turns_x": _json,
              "messages": st.lists(_turns, max_size=2), "conversation_id": st.text(max_size=3)},
)


@settings(max_examples=600, deadline=None)
@given(_records)
def test_fast_path_equals_pydantic(raw) -> None:
    slow = _outcome(validated_transcript, raw)
    fast = canonical_transcript(raw)
    if fast is not None:
        assert not isinstance(slow, tuple), slow  # the fast path never accepts what pydantic refuses
        _same(fast, slow)
    _same(_outcome(build_transcript, raw), slow)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"speaker": st.sampled_from(["agent", "customer"]), "text": st.text()}),
                min_size=1, max_size=5),
       st.text(min_size=1, max_size=5),
       st.one_of(st.none(), st.dictionaries(st.text(max_size=3), _json, max_size=3)),
       st.dictionaries(st.sampled_from(["agent_id", "channel", "profile", "metadata_x"]), _json, max_size=2))
def test_canonical_records_take_the_fast_path(turns, ident, metadata, extra) -> None:
    raw = {"id": ident, "turns": turns, **extra}
    if metadata is not None:
        raw["metadata"] = metadata
    raw = json.loads(json.dumps(raw))  # what a JSON line gives
    fast = canonical_transcript(raw)
    assert fast is not None
    _same(fast, validated_transcript(raw, source="f", line=1))


@pytest.mark.parametrize("raw", [
    {"id": "a", "turns": [{"speaker": "agent", "text": "x"}], "metadata": {"k": 1}, "k": 2},
    {"id": "a", "turns": [{"speaker": "agent", "text": "x"}], "k": 2, "metadata": {"j": 1}},
])
def test_top_level_keys_fold_into_metadata_in_pydantic_order(raw) -> None:
    fast = canonical_transcript(raw)
    assert fast is not None
    assert list(fast.metadata.items()) == list(Transcript.model_validate(raw).metadata.items())


@pytest.mark.parametrize("raw", [
    {"id": 7, "turns": [{"speaker": "agent", "text": "x"}]},  # a numeric id becomes a string: pydantic's job
    {"id": "", "turns": [{"speaker": "agent", "text": "x"}]},
    {"id": "a", "turns": []},
    {"id": "a", "turns": [{"speaker": "客服", "text": "x"}]},
    {"id": "a", "turns": [{"speaker": "agent", "text": "x", "start": 1}]},
    {"id": "a", "turns": [{"speaker": "agent", "content": "x"}]},
    {"id": "a", "turns": [{"speaker": "agent", "text": 3}]},
    {"id": "a", "turns": [{"speaker": "agent", "text": "x"}], "metadata": None},
    {"id": "a", "turns": [{"speaker": "agent", "text": "x"}], 1: "x"},
    {"id": "a", "messages": [{"speaker": "agent", "text": "x"}]},
])
def test_other_shapes_go_through_pydantic(raw) -> None:
    assert canonical_transcript(raw) is None


def test_lone_surrogates_are_text_like_any_other() -> None:
    # json.loads gives them ("\ud800"), and pydantic keeps them: so does the fast path.
    raw = json.loads('{"id": "s", "turns": [{"speaker": "agent", "text": "\\ud800您好"}]}')
    fast = canonical_transcript(raw)
    assert fast is not None
    _same(fast, validated_transcript(raw, source="f", line=1))


@pytest.mark.parametrize("raw", ['{"id": "a", "turns": [{"speaker": "agent", "text": "x"}]}', "{not json",
                                 '{"id": "a", "turns": []}', {"id": "a", "turns": [{"speaker": "客服", "text": "x"}]}])
@pytest.mark.parametrize("index", [None, 3])
def test_validated_record_is_the_replaced_record(raw, index) -> None:
    from scriptcheck.io.records import Record

    record = Record("f.jsonl", 2, raw=raw, index=index)
    got = record.validated()
    assert type(got) is Record and got.raw is None and (got.source, got.line, got.index) == ("f.jsonl", 2, index)
    if got.error is None:
        expected = record._replace(raw=None, transcript=build_transcript(
            json.loads(raw) if isinstance(raw, str) else raw, source="f.jsonl", line=2))
        assert got == expected
    else:
        assert got.transcript is None and str(got.error)
