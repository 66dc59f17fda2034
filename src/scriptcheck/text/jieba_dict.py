"""jieba's dictionary answered from an index on disk, so a process that segments a few words
does not first build jieba's 500,000-key prefix dict (~0.6 s of CPU, most of a warm start).

jieba segments a block by looking words and their prefixes up in ``Tokenizer.FREQ`` (``in``,
``[]`` and ``get``) and by ``Tokenizer.total``; nothing else of the dictionary is read. Scoring
needs word boundaries rarely — 37 short blocks for 4,000 JD chats, since most checks work on
characters — yet every process paid for the whole dict before its first boundary check.

Here ``FREQ`` is a :class:`DiskFreq`: a SQLite table (standard library, opened read-only in
well under a millisecond) built once, in the scriptcheck cache directory, from jieba's own
dictionary file by jieba's own ``gen_pfdict``. Every lookup answers what jieba's dict answers,
so the tokens are jieba's, by construction; ``tests/test_jieba_dict.py`` compares both on the
corpora and on random text. Answers are remembered in a plain dict (the same prefixes recur);
when that memo passes :data:`MEMO_LIMIT` entries the process is segmenting a lot, and the real
dict is loaded after all: memory stays bounded and a segmentation-heavy run ends up where it
would have started.

With the cache off (``SCRIPTCHECK_CACHE_DIR=off``), unwritable, or a broken index, jieba loads
its dictionary the usual way.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from scriptcheck.cachedir import cache_dir, dist_version

__all__ = ["MEMO_LIMIT", "DiskFreq", "attach_disk_dictionary"]

# Looked-up keys (found or not) remembered before the process switches to the real dict: about
# 60% of the dict's own size, so the switch costs no more memory than the dict would have.
MEMO_LIMIT = 300_000

_FORMAT = 1  # bump when the table layout changes: the file name carries it
_MISSING = object()


def _index_path(tokenizer) -> Path | None:
    """Where the index of ``tokenizer``'s dictionary lives, keyed on what it is built from (jieba's
    version, the dictionary file's size and modification time); ``None`` for a custom
    dictionary or no cache directory."""
    import jieba

    if tokenizer.dictionary != jieba.DEFAULT_DICT:
        return None  # a custom dictionary: its path and contents vary; let jieba handle it
    directory = cache_dir()
    if directory is None:
        return None
    source = Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME
    try:
        stat = source.stat()
    except OSError:
        return None
    version = dist_version("jieba") or "unknown"
    return directory / "jieba" / f"freq-v{_FORMAT}-{version}-{stat.st_size}-{stat.st_mtime_ns}.sqlite3"


def _write_index(freq: dict, total: int, path: Path) -> None:
    """Write jieba's ``(FREQ, total)`` as the index at ``path`` (via a file of this process's own,
    renamed into place, so concurrent builders never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        con = sqlite3.connect(tmp)
        try:
            with con:
                con.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID")
                con.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
                con.execute("CREATE TABLE meta (total INTEGER NOT NULL, keys INTEGER NOT NULL)")
                con.execute("INSERT INTO meta VALUES (?, ?)", (total, len(freq)))
        finally:
            con.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


class DiskFreq:
    """A read-only stand-in for ``jieba.Tokenizer.FREQ`` backed by the SQLite index at ``path``.

    Supports exactly what jieba's segmentation uses (``in``, ``[]``, ``get``). After a fork the
    child opens its own connection (SQLite connections must not cross ``fork``).
    """

    def __init__(self, path: Path, tokenizer) -> None:
        self.path = path
        self._tokenizer = tokenizer
        self._memo: dict[str, int | None] = {}
        self._lock = threading.Lock()
        self._pid = -1
        self._con: sqlite3.Connection | None = None
        self.total, self.keys = self._connect().execute("SELECT total, keys FROM meta").fetchone()

    def _connect(self) -> sqlite3.Connection:
        if self._con is None or self._pid != os.getpid():
            # immutable=1: the file is never written after it is renamed into place, so SQLite
            # may skip locking and change detection.
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._con

    def get(self, word: str, default=None):
        """jieba's ``FREQ.get``: the word's count (0 for a prefix only), or ``default``."""
        count = self._memo.get(word, _MISSING)
        if count is _MISSING:
            with self._lock:
                row = self._connect().execute("SELECT count FROM freq WHERE word = ?", (word,)).fetchone()
            count = None if row is None else row[0]
            memo = self._memo
            memo[word] = count
            if len(memo) > MEMO_LIMIT:
                self._load_real_dict()
        return default if count is None else count

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        count = self.get(word)
        if count is None:
            raise KeyError(word)
        return count

    def _load_real_dict(self) -> None:
        """Segmenting this much: swap in jieba's own dict (the same answers) and drop the index."""
        tokenizer = self._tokenizer
        if tokenizer.FREQ is self:
            tokenizer.initialized = False
            tokenizer.initialize()
        if self._con is not None:
            self._con.close()
            self._con = None
        self._memo = {}

    def __len__(self) -> int:
        return self.keys


def attach_disk_dictionary(tokenizer) -> bool:
    """Give an uninitialised ``jieba.Tokenizer`` its dictionary: a :class:`DiskFreq` when the
    index exists; else jieba's dict, built here, and the index written from it for the next
    process. ``False`` (nothing changed) when there is no cache to use or the index is
    unreadable: the caller then loads the dictionary the usual way."""
    path = _index_path(tokenizer)
    if path is None:
        return False
    if path.is_file():
        try:
            freq = DiskFreq(path, tokenizer)
        except (sqlite3.Error, TypeError, ValueError):
            return False  # damaged or foreign: segment the usual way (a new jieba writes a new name)
        tokenizer.FREQ, tokenizer.total = freq, freq.total
    else:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        try:
            _write_index(tokenizer.FREQ, tokenizer.total, path)
        except (OSError, sqlite3.Error):
            pass  # an unwritable or full cache: this process has its dict all the same
    tokenizer.initialized = True
    return True
