"""jieba's prefix dictionary loaded by first character, only for the characters a text holds.

``jieba.Tokenizer.initialize`` unmarshals its whole prefix dictionary (about 500,000 words and
prefixes): 0.5–0.7 s of CPU, paid by every process that segments anything. A batch of 16,000
real chats asks jieba about a few dozen short blocks (the word-boundary checks of a handful of
lexicon entries), so nearly all of that load is wasted.

Every dictionary look-up jieba makes while segmenting a text (``get_DAG``, ``calc``,
``__cut_DAG``, in the default mode ``tokenize`` uses) is of a substring of that text, so it
starts with one of the text's characters. This module keeps the dictionary in a cache file cut
into one marshalled shard per first character and, before a text is segmented, merges into
the tokenizer's ``FREQ`` the shards of the characters it has not seen yet. Every look-up then
finds exactly what the full dictionary holds, and the tokens are jieba's own
(``tests/test_jieba_dict.py`` compares them with a fully loaded tokenizer on any text).

The shard file is written the first time a process loads the full dictionary (in the
scriptcheck cache folder, keyed by jieba's version and its dictionary file); without a cache
folder (``SCRIPTCHECK_CACHE_DIR=off``) jieba loads its dictionary as usual.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import mmap
import os
import sys
import threading
from pathlib import Path

from scriptcheck.cachedir import cache_dir, cache_file, dist_version

__all__ = ["LazyDictionary", "import_jieba", "load_tokenizer", "shard_file", "write_shards"]

_MAGIC = b"scriptcheck-jieba-shards-1\n"
_HEADER_SIZE = 8  # the length of the marshalled index, after the magic


class LazyDictionary:
    """The shards of one dictionary file: :meth:`cover` loads those a text needs into ``freq``.

    ``freq`` is the tokenizer's own ``FREQ`` dict, filled in place: look-ups stay plain dict
    look-ups, as fast as with the full dictionary.
    """

    def __init__(self, path: Path, freq: dict) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        data = self._map
        if data[:len(_MAGIC)] != _MAGIC:
            raise ValueError(f"{path} is not a jieba shard file")
        size = int.from_bytes(data[len(_MAGIC):len(_MAGIC) + _HEADER_SIZE], "little")
        start = len(_MAGIC) + _HEADER_SIZE
        self.total, index = marshal.loads(data[start:start + size])
        self._base = start + size
        self._index: dict[str, tuple[int, int]] = index  # first character → (offset, length)
        self._seen: set[str] = set()  # characters whose shard is in freq (or that have none)
        self._lock = threading.Lock()
        self.freq = freq

    def cover(self, text: str) -> None:
        """Make ``freq`` hold every entry that starts with a character of ``text``."""
        new = set(text)
        new.difference_update(self._seen)
        if not new:
            return
        with self._lock:
            index, data, base, freq = self._index, self._map, self._base, self.freq
            for ch in new:
                where = index.get(ch)
                if where is not None:
                    offset, length = where
                    freq.update(marshal.loads(data[base + offset:base + offset + length]))
            # Marked only once merged: a thread that sees a character here finds its words.
            self._seen.update(new)


class _ShardedTokenizer:
    """A ``jieba.Tokenizer`` whose dictionary is merged in shard by shard before each text."""

    def __init__(self, tokenizer, shards: LazyDictionary) -> None:
        self._tokenizer = tokenizer
        self._shards = shards

    def tokenize(self, text: str):
        """``jieba.Tokenizer.tokenize(text)`` (default mode, HMM on), the same tokens."""
        self._shards.cover(text)
        return self._tokenizer.tokenize(text)

    def lcut(self, text: str) -> list[str]:
        """``jieba.Tokenizer.lcut(text)`` (default mode, HMM on), the same words."""
        self._shards.cover(text)
        return self._tokenizer.lcut(text)


_IMPORT_LOCK = threading.Lock()


def import_jieba():
    """``import jieba``, without importing ``pkg_resources`` for it when jieba is a plain
    directory of files (a wheel install).

    jieba finds its own data files (``dict.txt``, the HMM tables it unpickles on import) with
    ``pkg_resources.resource_stream`` when ``pkg_resources`` imports, else by opening them next
    to its own ``__file__``. Both read the same files; importing ``pkg_resources`` (setuptools'
    scan of every installed distribution) is about half of ``import jieba`` and 0.1 s of CPU in
    every process that segments (benchmarks/bench_startup.py). So while jieba imports,
    ``pkg_resources`` is marked as missing (a ``None`` in ``sys.modules``, which makes its
    import fail at once) and jieba takes its own fallback; the mark is removed right after.
    Nothing changes when ``pkg_resources`` is already imported (then it costs nothing), when
    jieba is already imported, or when jieba is not a directory holding its ``dict.txt``
    (e.g. zipped), where only ``pkg_resources`` can read it.
    """
    jieba = sys.modules.get("jieba")
    if jieba is not None:
        return jieba
    with _IMPORT_LOCK:
        if "pkg_resources" in sys.modules or not _jieba_is_files():
            import jieba
            return jieba
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            if "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
                del sys.modules["pkg_resources"]
        return jieba


def _jieba_is_files() -> bool:
    """Whether jieba is installed as files on disk, its dictionary next to its ``__init__``."""
    try:
        spec = importlib.util.find_spec("jieba")
    except (ImportError, ValueError):
        return False
    origin = getattr(spec, "origin", None)
    if spec is None or not origin or not getattr(spec, "has_location", False):
        return False
    return os.path.isfile(os.path.join(os.path.dirname(origin), "dict.txt"))


def _dictionary_file() -> Path:
    jieba = import_jieba()

    return Path(jieba.__file__).resolve().parent / "dict.txt"


def shard_file() -> Path | None:
    """Where the shards of the installed jieba's dictionary are (or would be) kept; ``None``
    without a cache folder or a dictionary file."""
    if cache_dir() is None:
        return None
    dictionary = _dictionary_file()
    try:
        stat = dictionary.stat()
    except OSError:
        return None
    key = f"{dist_version('jieba') or '?'}|{dictionary}|{stat.st_size}|{stat.st_mtime_ns}"
    return cache_file("jieba", f"shards-{hashlib.sha256(key.encode()).hexdigest()[:16]}.bin")


def write_shards(path: Path, freq: dict, total: int) -> None:
    """Write ``freq`` (a full prefix dictionary) cut by first character, atomically."""
    groups: dict[str, dict] = {}
    for word, count in freq.items():
        group = groups.get(word[0])
        if group is None:
            group = groups[word[0]] = {}
        group[word] = count
    blobs = []
    index = {}
    offset = 0
    for ch, group in groups.items():
        blob = marshal.dumps(group)
        index[ch] = (offset, len(blob))
        offset += len(blob)
        blobs.append(blob)
    header = marshal.dumps((total, index))
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two processes writing at once must not write into one temp file.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(len(header).to_bytes(_HEADER_SIZE, "little"))
            fh.write(header)
            for blob in blobs:
                fh.write(blob)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half a file behind


def load_tokenizer():
    """A jieba tokenizer for scriptcheck's own use (never jieba's global one): one that loads
    its dictionary shard by shard when a shard file exists, else a fully loaded
    ``jieba.Tokenizer`` (whose dictionary is then written as shards for the next process)."""
    # Imported here: jieba's import alone (HMM tables) is a cost a run needing no words never pays.
    jieba = import_jieba()

    # jieba announces every dictionary load on stderr; keep output clean.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    path = shard_file()
    if path is not None and path.is_file():
        try:
            shards = LazyDictionary(path, {})
        except (OSError, ValueError, EOFError, TypeError):
            shards = None  # unreadable: load in full below, and write it again
        if shards is not None:
            tokenizer.FREQ, tokenizer.total = shards.freq, shards.total
            tokenizer.initialized = True  # jieba's check_initialized then never loads the file
            return _ShardedTokenizer(tokenizer, shards)
    tokenizer.initialize()
    if path is not None:
        try:
            write_shards(path, tokenizer.FREQ, tokenizer.total)
        except OSError:
            pass  # a read-only cache: the next process loads in full too
    return tokenizer
