"""Remember what a lexicon's load found out, so a warm start skips it: the file's parsed data
(no YAML parse: ``datafile``'s parse cache, under this wider key), that its specs passed, and
its patterns' analyses.

A lexicon is identified by its :func:`key`: the SHA-256 of its bytes (a file's, or an overlaid
lexicon's serialised form) together with the scriptcheck version, the versions of the libraries
that decide parsing and matching (PyYAML, pydantic, OpenCC, jieba, ahocorasick-rs) and the
source of the modules that read, validate and compile it, so any change to the file or to that
code loads it afresh. The cache is a directory of files under ``$SCRIPTCHECK_CACHE_DIR``
(default ``$XDG_CACHE_HOME/scriptcheck`` or ``~/.cache/scriptcheck``); set
``SCRIPTCHECK_CACHE_DIR=off`` to disable it. A cache that cannot be written is ignored.

Everything cached is JSON (never pickle) and is checked when read: a file that does not parse,
is not of the expected shape or names another key is ignored, as if absent. Parsed data still
goes through the pydantic models and the compiler on every load, so a cache file can spare the
work of reading YAML, never produce a lexicon the file itself would not.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from scriptcheck.cachedir import cache_file, code_salt
from scriptcheck.datafile import read_cache_json, write_cache_file

__all__ = ["key", "is_verified", "mark_verified", "load_analyses", "store_analyses"]


@lru_cache(maxsize=1)
def _salt() -> bytes:
    # The matcher's own code is in the key as well as the versions (see code_salt).
    return code_salt(
        ("scriptcheck", "opencc", "jieba", "ahocorasick-rs", "pyyaml", "pydantic", "pydantic-core"),
        ("text/normalize.py", "text/regex_policy.py", "text/char_sets.py", "text/segment.py", "match/engine.py",
         "match/patterns.py", "match/automaton.py", "match/contexts.py", "lexicon/compiled.py", "lexicon/matcher.py",
         "lexicon/specs.py",
         "lexicon/overlay.py", "lexicon/schema.py", "lexicon/slots.py", "lexicon/loader.py", "lexicon/spec_cache.py",
         "lexicon/compiled_cache.py", "regex_program.py", "lazy_regex.py",
         "safe_yaml.py", "datafile.py", "limits.py", "models.py"))


def key(content: bytes) -> str:
    """The cache key of a lexicon's bytes under this exact code (computed once per load)."""
    return hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def load_analyses(key: str) -> dict | None:
    """The pattern analyses stored for this lexicon and code, or ``None``."""
    data = read_cache_json(cache_file("patterns", key))
    if not isinstance(data, dict) or not all(
            isinstance(v, list) and len(v) == 2 and isinstance(v[0], list) and all(isinstance(a, str) for a in v[0])
            for v in data.values()):
        return None  # not what store_analyses writes: ignored
    return data


def store_analyses(key: str, analyses: dict) -> None:
    """Store the pattern analyses of a lexicon that loaded cleanly (skipped if not writable)."""
    marker = cache_file("patterns", key)
    if marker is None:
        return
    write_cache_file(marker, json.dumps(analyses, ensure_ascii=False))


def is_verified(key: str) -> bool:
    """Whether this lexicon already passed its specs with this exact matcher."""
    marker = cache_file("verified", key)
    return marker is not None and marker.exists()


def mark_verified(key: str) -> None:
    """Record that the lexicon passed its specs (silently skipped if the cache is not writable)."""
    marker = cache_file("verified", key)
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
