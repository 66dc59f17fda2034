"""The tone model's load cache: what a warm start need not work out again.

Loading the packaged tone model was about a quarter of a warm one-line ``lint`` (~95 ms of
~430, benchmarks/RESULTS.md, "branch speed6"): the n-gram stage's 45,000 weights read from the
parse cache's JSON (~28 ms) and validated one by one (~21 ms), and each cue's regex checked
against the regex policy and analysed (~27 ms with the rest of ``tone.yaml``'s validation).
The lexicons have had such a cache since the compiled-lexicon cache
(``lexicon.compiled_cache``); the tone model had none. Two files, under the cache folder
(:mod:`scriptcheck.cachedir`; ``SCRIPTCHECK_CACHE_DIR=off``: nothing read or written):

- ``ngram/<key>``: the validated fields of an n-gram stage file (:class:`~scriptcheck.lexicon.
  ngram.NgramFile`), :mod:`marshal` data of dicts, lists, tuples, strings, numbers, booleans and
  ``None`` — never pickle —, checked field by field before the model is made from them without
  validating again. The weights are one string of the n-grams joined by NUL and their values
  as the bytes of an array of doubles: marshal read 45,000 strings and floats one by one in
  ~16 ms, this in ~4;
- ``tone/<key>``: the cue patterns of a tone file and, for those searched in normalised text,
  their analyses (the anchors and end anchoring :func:`~scriptcheck.match.patterns.
  compile_pattern` derived): the file is validated on every load as before, only the regex
  policy's check and the analysis of a pattern that passed them under this key are skipped (as the lexicon loader does with ``spec_cache.load_analyses``),
  and its regex is rebuilt on first use from the program it compiled to when the file was
  first loaded (:mod:`scriptcheck.regex_program`), not compiled again;
- ``ngram-head/<key>`` and ``turn-head/<key>``: the same fields but the big mapping (an n-gram
  file's weights, with the cue ids they name; a turn file's features). A warm start builds the
  gate from these and reads the mapping only when a sentence is first scored
  (:func:`load_staged`): a one-line ``lint`` of a polite template never gets that far, and
  reading the two mappings was ~30 ms of the ~190 it spends after its imports
  (benchmarks/RESULTS.md, session of 2026-12-02 22:56 UTC).

A file is stored only once it validated. The key is the SHA-256 of the file's bytes together
with the versions of the libraries and the source of the modules that read, validate and
analyse it (this one included), so a changed file or code loads afresh. Like every cache here
it assumes only its user writes the cache folder: a file of another shape, format or key is
ignored, as if absent, but a well-formed one is believed.
"""

from __future__ import annotations

import hashlib
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from scriptcheck.cachedir import code_salt
from scriptcheck.datafile import format_validation_error, load_marshalled, parse_data, read_data, store_marshalled
from scriptcheck.errors import LexiconError
from scriptcheck.regex_program import PROGRAM_FORMAT, Program, is_program

__all__ = ["DeferredFile", "key", "load_cue_analyses", "load_ngram_fields", "load_staged", "load_turn_fields",
           "load_validated", "ngram_head", "store_cue_analyses", "store_ngram_fields", "store_turn_fields", "turn_head"]

_NGRAM_FORMAT = "scriptcheck-ngram/3"  # 3: short_length, short_threshold
# 2: the regexes' programs, which belong to the interpreter that captured them.
_TONE_FORMAT = f"scriptcheck-tone/2 {PROGRAM_FORMAT}"
_TURN_FORMAT = "scriptcheck-turn/1"
_HEAD_FORMAT = "scriptcheck-model-head/1"


@lru_cache(maxsize=1)
def _salt() -> bytes:
    return code_salt(
        ("scriptcheck", "pyyaml", "pydantic", "pydantic-core", "opencc"),
        ("lexicon/tone.py", "lexicon/ngram.py", "lexicon/ngram_features.py", "lexicon/tone_cache.py",
         "lexicon/turn_model.py",
         "match/patterns.py", "text/regex_policy.py", "text/char_sets.py", "text/normalize.py", "datafile.py",
         "safe_yaml.py", "limits.py", "models.py", "regex_program.py", "lazy_regex.py"))


def key(content: bytes) -> str:
    """The cache key of a tone or n-gram file's bytes under this exact code."""
    return hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def _strs(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _float(value: Any) -> bool:
    return type(value) is float


# NgramFile's fields and what each must be (exactly the types its validation produces).
_NGRAM_FIELDS = {
    "version": lambda v: type(v) is int and v == 1,
    "source": lambda v: type(v) is str,
    "trained_on": _strs,
    "orders": lambda v: type(v) is tuple and len(v) == 2 and all(type(n) is int for n in v),
    "bias": _float,
    "threshold": _float,
    "short_length": lambda v: type(v) is int and v >= 0,
    "short_threshold": lambda v: v is None or type(v) is float,
    "triggers": _strs,
    "cue_gate": lambda v: type(v) is bool,
    "cue_floor": lambda v: v is None or type(v) is float,
    "veto": _float,
    "weights": lambda v: (type(v) is dict and all(type(k) is str for k in v)
                          and all(type(w) is float for w in v.values())),
}


def _pack_weights(weights: dict[str, float]) -> tuple[int, str, bytes] | None:
    """The weights as (count, n-grams joined by NUL, their values' bytes); ``None`` when an
    n-gram holds a NUL itself."""
    if any("\0" in gram for gram in weights):
        return None
    return len(weights), "\0".join(weights), array("d", weights.values()).tobytes()


def _unpack_weights(packed: Any) -> dict[str, float] | None:
    if type(packed) is not tuple or len(packed) != 3:
        return None
    count, grams, values = packed
    if type(count) is not int or type(grams) is not str or type(values) is not bytes or count < 1:
        return None
    numbers = array("d")
    if len(values) != count * numbers.itemsize:
        return None
    numbers.frombytes(values)
    keys = grams.split("\0")
    if len(keys) != count:
        return None
    return dict(zip(keys, numbers.tolist()))


def load_ngram_fields(key_: str) -> tuple[dict, set[str]] | None:
    """The validated fields of the n-gram file with this key and the names of those the file
    set, or ``None`` (not cached, caching off, or not of that shape)."""
    stored = load_marshalled("ngram", key_, _NGRAM_FORMAT)
    if type(stored) is not tuple or len(stored) != 2:
        return None
    fields, fields_set = stored
    if (type(fields) is not dict or fields.keys() != _NGRAM_FIELDS.keys() or not _strs(fields_set)
            or not set(fields_set) <= fields.keys()):
        return None
    weights = _unpack_weights(fields["weights"])
    if weights is None:
        return None
    fields = {**fields, "weights": weights}
    if not all(check(fields[name]) for name, check in _NGRAM_FIELDS.items() if name != "weights"):
        return None
    return fields, set(fields_set)


def store_ngram_fields(key_: str, fields: dict, fields_set: set[str]) -> None:
    """Remember the fields of an n-gram file that validated (skipped when not writable)."""
    if fields.keys() != _NGRAM_FIELDS.keys() or not all(check(fields[n]) for n, check in _NGRAM_FIELDS.items()):
        return  # not what load_ngram_fields accepts: nothing to gain
    packed = _pack_weights(fields["weights"])
    if packed is not None:
        store_marshalled("ngram", key_, _NGRAM_FORMAT, ({**fields, "weights": packed}, sorted(fields_set)))


def load_cue_analyses(key_: str) -> tuple[frozenset[str], dict[str, list], dict[tuple[str, int], Program]] | None:
    """The cue patterns of the tone file with this key (all passed the regex policy), the
    analyses of those searched in normalised text, and the programs their regexes compiled to
    by (pattern, flags) (:mod:`scriptcheck.regex_program`), or ``None``."""
    stored = load_marshalled("tone", key_, _TONE_FORMAT)
    if type(stored) is not tuple or len(stored) != 3 or not _strs(stored[0]) or type(stored[1]) is not dict:
        return None
    checked, analyses, programs = stored
    if not all(type(p) is str and type(a) is list and len(a) == 2 and _strs(a[0]) and type(a[1]) is bool
               for p, a in analyses.items()) or not analyses.keys() <= set(checked):
        return None
    if type(programs) is not tuple or not all(
            type(p) is tuple and len(p) == 3 and type(p[0]) is str and type(p[1]) is int and is_program(p[2])
            for p in programs):
        return None
    return frozenset(checked), analyses, {(pattern, flags): program for pattern, flags, program in programs}


def store_cue_analyses(key_: str, checked: list[str], analyses: dict[str, list],
                       programs: dict[tuple[str, int], Program | None]) -> None:
    """Remember the cue patterns of a tone file that validated, their analyses and the programs
    of their regexes (those that could be captured)."""
    kept = tuple((pattern, flags, program) for (pattern, flags), program in sorted(programs.items())
                 if program is not None)
    store_marshalled("tone", key_, _TONE_FORMAT, (sorted(set(checked)), analyses, kept))


# TurnFile's fields but its features, and what each must be.
_TURN_FIELDS = {
    "version": lambda v: type(v) is int and v == 1,
    "source": lambda v: type(v) is str,
    "trained_on": _strs,
    "bias": _float,
    "threshold": _float,
    "triggers": _strs,
}


def load_turn_fields(key_: str) -> tuple[dict, set[str]] | None:
    """The validated fields of the turn stage file with this key and the names of those the
    file set, or ``None``; its features (``feature → (idf, weight)``) packed as the n-gram
    weights are, one array of doubles for each column."""
    stored = load_marshalled("turn", key_, _TURN_FORMAT)
    if type(stored) is not tuple or len(stored) != 2:
        return None
    fields, fields_set = stored
    if (type(fields) is not dict or fields.keys() != {*_TURN_FIELDS, "features"} or not _strs(fields_set)
            or not set(fields_set) <= fields.keys()
            or not all(check(fields[name]) for name, check in _TURN_FIELDS.items())):
        return None
    packed = fields["features"]
    if type(packed) is not tuple or len(packed) != 2:
        return None
    idf, weight = (_unpack_weights(part) for part in packed)
    if idf is None or weight is None or idf.keys() != weight.keys():
        return None
    return {**fields, "features": {f: (i, weight[f]) for f, i in idf.items()}}, set(fields_set)


def store_turn_fields(key_: str, fields: dict, fields_set: set[str]) -> None:
    """Remember the fields of a turn stage file that validated (skipped when not writable)."""
    features = fields.get("features")
    if (fields.keys() != {*_TURN_FIELDS, "features"} or type(features) is not dict
            or not all(check(fields[n]) for n, check in _TURN_FIELDS.items())):
        return
    idf = _pack_weights({f: float(v[0]) for f, v in features.items()})
    weight = _pack_weights({f: float(v[1]) for f, v in features.items()})
    if idf is not None and weight is not None:
        store_marshalled("turn", key_, _TURN_FORMAT, ({**fields, "features": (idf, weight)}, sorted(fields_set)))


_File = TypeVar("_File", bound=BaseModel)


def load_validated(path: Path, file_model: type[_File], load_fields: Callable[[str], tuple[dict, set[str]] | None],
                   store_fields: Callable[[str, dict, set[str]], None], list_key: str) -> _File:
    """The validated content of the model file ``path`` (an n-gram or turn stage file): from
    its cached fields when this very file validated before under this code (``load_fields``,
    e.g. :func:`load_ngram_fields`), else parsed and validated, then remembered
    (``store_fields``). :class:`LexiconError` naming the file, the field and the reason (one
    line; ``list_key``: the big mapping whose entries the message names) when it is unreadable
    or invalid."""
    content = read_data(path, LexiconError)
    return _validated(path, content, key(content), file_model, load_fields, store_fields, list_key)


def _validated(path: Path, content: bytes, key_: str, file_model: type[_File],
               load_fields: Callable[[str], tuple[dict, set[str]] | None],
               store_fields: Callable[[str, dict, set[str]], None], list_key: str) -> _File:
    cached = load_fields(key_)
    if cached is not None:
        fields, fields_set = cached
        return file_model.model_construct(fields_set, **fields)
    data = parse_data(content, path, LexiconError)
    try:
        model = file_model.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data, list_key=list_key)) from None
    store_fields(key_, {name: getattr(model, name) for name in file_model.model_fields}, model.model_fields_set)
    return model


class DeferredFile(Generic[_File]):
    """What an n-gram and a turn stage share: made from a validated file (``Model(data)``) or
    from the file's head alone (:meth:`deferred`, :func:`load_staged`), with the file itself,
    :attr:`data`, read on first need. A subclass sets what it needs from the head in
    ``_init(head, path)`` and says how a file gives its head (``_head_of``)."""

    _data: _File | None
    _load: Callable[[], _File] | None
    _head_of: Callable[[Any], dict]

    def __init__(self, data: _File, path: str = "<model>") -> None:
        self._init(type(self)._head_of(data), path)
        self._data, self._load = data, None

    @classmethod
    def deferred(cls, head: dict, load: Callable[[], _File], path: str = "<model>") -> Any:
        """A model from its file's head whose :attr:`data` ``load`` gives on first need."""
        model = cls.__new__(cls)
        model._init(head, path)
        model._data, model._load = None, load
        return model

    def _init(self, head: dict, path: str) -> None:
        raise NotImplementedError

    @property
    def data(self) -> _File:
        """The validated file (read now if the model was made from its head)."""
        data = self._data
        if data is None:
            load = self._load
            if load is None:  # another thread loaded it between the two reads
                return self._data  # type: ignore[return-value]
            # _data is set before _load is dropped, so a thread that finds no loader finds the
            # data; two threads may both load, to the same result.
            data = self._data = load()
            self._load = None  # and the file's bytes it held
        return data

    def _loaded_state(self) -> dict:
        """``__dict__`` for a copy (a model sent to another process): the loader is a closure over
        the file's bytes, so the copy gets the data instead."""
        data = self.data
        return {**self.__dict__, "_data": data, "_load": None}


def ngram_head(model: Any) -> dict:
    """What an n-gram stage needs before it scores a sentence (:class:`~scriptcheck.lexicon.
    ngram.NgramModel`): every field but the weights, and the cue ids the weights name."""
    head = {name: getattr(model, name) for name in _NGRAM_FIELDS if name != "weights"}
    return {**head, "cue_ids": sorted(model.cue_ids())}


def turn_head(model: Any) -> dict:
    """What a turn stage needs before it judges a turn: every field but the features."""
    return {name: getattr(model, name) for name in _TURN_FIELDS}


# The head's fields and what each must be, per kind of file.
_HEAD_FIELDS = {
    "ngram": {**{n: c for n, c in _NGRAM_FIELDS.items() if n != "weights"}, "cue_ids": _strs},
    "turn": _TURN_FIELDS,
}


def _load_head(kind: str, key_: str) -> dict | None:
    checks = _HEAD_FIELDS[kind]
    head = load_marshalled(f"{kind}-head", key_, _HEAD_FORMAT)
    if type(head) is not dict or head.keys() != checks.keys():
        return None
    return head if all(check(head[name]) for name, check in checks.items()) else None


def load_staged(path: Path, kind: str, file_model: type[_File],
                load_fields: Callable[[str], tuple[dict, set[str]] | None],
                store_fields: Callable[[str, dict, set[str]], None],
                list_key: str) -> tuple[dict, _File | None, Callable[[], _File]]:
    """``(head, model, load)`` of the model file ``path`` (``kind``: "ngram" or "turn"): its
    head (:func:`ngram_head`, :func:`turn_head`) and ``load``, which gives the validated model
    (:func:`load_validated`) of the very bytes the head came from, however the file changes
    afterwards. When the head was cached (this very file validated before under this code),
    ``model`` is ``None``: the file's bytes were read and hashed, nothing parsed, validated or
    unpacked; else ``model`` is the validated file,
    loaded now (errors as :func:`load_validated`), and its head is remembered."""
    content = read_data(path, LexiconError)
    key_ = key(content)

    def load() -> _File:
        return _validated(path, content, key_, file_model, load_fields, store_fields, list_key)

    head = _load_head(kind, key_)
    if head is not None:
        return head, None, load
    model = load()
    head = ngram_head(model) if kind == "ngram" else turn_head(model)
    store_marshalled(f"{kind}-head", key_, _HEAD_FORMAT, head)
    return head, model, load
