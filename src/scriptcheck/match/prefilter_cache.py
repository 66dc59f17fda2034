"""Window prefilters kept across runs: what a batch worked out once is not worked out again.

A pattern's :func:`~scriptcheck.match.patterns.window_prefilter` parses it, about as long as
compiling it; a batch works it out for every pattern a scan reaches (about 530 of the packaged
lexicons' patterns, ~80–90 ms), and with ``--jobs N`` every worker did so again for every pattern
it met first after the fork — serial time that caps what two cores give. Working them all out
at a cold load instead cost as much as the parse itself on every cold start (tried and
reverted: benchmarks/RESULTS.md, "Tried and reverted: window prefilters worked out at a cold
load"). So they are worked out when first needed, as before, remembered for the process, and
the ones a run worked out are added to one cache file at the end of a batch
(:func:`save_prefilters`: the parent's, and each worker's before it ends); the next run loads
that file when it first needs a prefilter (before its workers fork, so they inherit it).

A prefilter depends only on the pattern's source, its anchors and the code that works it out,
so the file is shared by every lexicon: keyed on this package's pattern code and the
interpreter (``re``'s parser), under ``<cache dir>/prefilters/<key>``. It is :mod:`marshal`
data of strings, tuples and booleans, checked entry by entry when loaded (a file of another
shape is ignored as if absent); like every cache here it assumes only its user writes the
cache directory — a well-formed crafted file could make a pattern skip windows. At most
:data:`MAX_KEPT` prefilters are kept, so a stream of user lexicons cannot grow it without bound.
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache

from scriptcheck.cachedir import cache_file, code_salt
from scriptcheck.datafile import load_marshalled, store_marshalled

__all__ = ["MAX_KEPT", "Prefilter", "known_prefilter", "remember_prefilter", "save_prefilters"]

# (the sets of literals every match needs, whether every match starts a line): window_prefilter's value
Prefilter = tuple[tuple[tuple[str, ...], ...], bool]

MAX_KEPT = 20_000
_KIND = "prefilters"
_FORMAT = f"scriptcheck-prefilters/1 python {sys.version_info[0]}.{sys.version_info[1]}"

# (source, sorted anchors) → prefilter: every one this process knows (loaded or worked out).
_known: dict[tuple[str, tuple[str, ...]], Prefilter] = {}
# The ones this process worked out and has not saved yet.
_new: dict[tuple[str, tuple[str, ...]], Prefilter] = {}
# The cache files already read into _known (the cache directory can change within a process).
_loaded: set[str] = set()


@lru_cache(maxsize=1)
def _key() -> str:
    salt = code_salt(("scriptcheck",), ("match/patterns.py", "match/prefilter_cache.py"))
    return hashlib.sha256(salt + b"\0" + _FORMAT.encode()).hexdigest()


def _is_prefilter(value: object) -> bool:
    if type(value) is not tuple or len(value) != 2 or type(value[1]) is not bool:
        return False
    needs = value[0]
    return type(needs) is tuple and all(
        type(literals) is tuple and literals and all(type(s) is str and s for s in literals) for literals in needs)


def _is_key(value: object) -> bool:
    return (type(value) is tuple and len(value) == 2 and type(value[0]) is str
            and type(value[1]) is tuple and all(type(a) is str for a in value[1]))


def _stored() -> dict:
    """The prefilters the cache file holds, or nothing (no file, another format or key, more than
    :data:`MAX_KEPT`, or any entry not of the shape :func:`window_prefilter` returns)."""
    stored = load_marshalled(_KIND, _key(), _FORMAT)
    if type(stored) is not dict or len(stored) > MAX_KEPT:
        return {}
    if not all(_is_key(key) and _is_prefilter(value) for key, value in stored.items()):
        return {}
    return stored


def _load() -> None:
    path = cache_file(_KIND, _key())
    if path is None or str(path) in _loaded:
        return
    _loaded.add(str(path))
    for key, value in _stored().items():
        _known.setdefault(key, value)


def known_prefilter(source: str, anchors: frozenset[str]) -> Prefilter | None:
    """The prefilter of the pattern ``source`` with ``anchors`` if this process or an earlier run
    worked it out, else ``None``."""
    key = (source, tuple(sorted(anchors)))
    found = _known.get(key)
    if found is None:
        _load()
        found = _known.get(key)
    return found


def remember_prefilter(source: str, anchors: frozenset[str], prefilter: Prefilter) -> None:
    """Keep a prefilter this process worked out, for itself and (at :func:`save_prefilters`) for
    later runs."""
    key = (source, tuple(sorted(anchors)))
    _known[key] = prefilter
    _new[key] = prefilter


def save_prefilters() -> None:
    """Add the prefilters worked out since the last save to the cache file (what another process
    added meanwhile is kept: the file is read again first); nothing when none is new or caching
    is off. Past :data:`MAX_KEPT` the file is not grown."""
    if not _new:
        return
    merged = _stored()
    room = MAX_KEPT - len(merged)
    for key, value in _new.items():
        if room <= 0:
            break
        if key not in merged:
            merged[key] = value
            room -= 1
    _new.clear()
    store_marshalled(_KIND, _key(), _FORMAT, merged)
