"""The canonical record shape, built into models without pydantic (compiled: ``setup.py``).

Every scored record is read through here first (:func:`scriptcheck.io.records.build_transcript`),
so it is the one piece of reading that runs per turn; anything it does not recognise goes to
pydantic, which stays the reference (``tests/test_records_fast.py``).
"""

from __future__ import annotations

from typing import Any

from scriptcheck.models import SPEAKERS, Transcript, Turn

__all__ = ["canonical_transcript"]

_MISSING = object()

# The state pydantic gives a validated model, set directly by canonical_transcript. A model
# without private attributes has __pydantic_private__ None and (extra="forbid") no extras.
_new = object.__new__
_set = object.__setattr__
_TRANSCRIPT_KEYS = ("id", "turns")  # and "metadata", which the code below handles itself


def canonical_transcript(raw: Any) -> Transcript | None:
    """The :class:`Transcript` that ``Transcript.model_validate(raw)`` would build, built
    without pydantic, when ``raw`` has the canonical shape of a chat export; ``None`` for any
    other shape, which then goes through pydantic (and gets its error messages).

    The canonical shape: a dict with a non-empty ``str`` id, a non-empty list of turns each
    exactly ``{"speaker": "agent"|"customer", "text": str}``, an optional ``metadata`` dict and
    other top-level keys (which fold into ``metadata``), every key a ``str``. Validating it
    with pydantic ran one Python validator per turn and built 13 models the slow way: about
    three quarters of the per-transcript cost of reading a batch (issue 17). Every value is
    already of its field's type, so validation would change nothing but the objects' identity
    (``tests/test_records_fast.py`` compares the two paths on generated records).
    """
    if type(raw) is not dict:
        return None
    ident = raw.get("id")
    turns = raw.get("turns")
    if type(ident) is not str or not ident or type(turns) is not list or not turns:
        return None
    built = []
    append = built.append
    for turn in turns:
        # Exactly two keys, both present: no start/end/metadata or alias to look at.
        if type(turn) is not dict or len(turn) != 2:
            return None
        speaker = turn.get("speaker")
        text = turn.get("text")
        if type(text) is not str or type(speaker) is not str or speaker not in SPEAKERS:
            return None
        model = _new(Turn)
        _set(model, "__dict__", {"speaker": speaker, "text": text, "start": None, "end": None, "metadata": {}})
        _set(model, "__pydantic_fields_set__", {"speaker", "text"})
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        append(model)
    fields_set = {"id", "turns"}
    metadata = raw.get("metadata", _MISSING)
    if metadata is _MISSING:
        metadata = {}
    elif type(metadata) is dict:
        metadata = dict(metadata)  # pydantic validates a dict into a new one
        fields_set.add("metadata")
    else:
        return None
    if len(raw) > 2 + ("metadata" in fields_set):  # other keys: into metadata, after its own
        for key, value in raw.items():
            if key not in _TRANSCRIPT_KEYS and key != "metadata":
                metadata[key] = value
        fields_set.add("metadata")
    for key in metadata:
        if type(key) is not str:  # pydantic would refuse it: let it say so
            return None
    model = _new(Transcript)
    _set(model, "__dict__", {"id": ident, "turns": built, "metadata": metadata})
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
