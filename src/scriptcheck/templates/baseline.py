"""Baselines: adopt the linter on an existing template set and fail only on new findings.

A finding's fingerprint is its file (relative to the baseline file), template id, rule code
and matched text — never its line or column, so edits elsewhere in a file do not invalidate
the baseline. Identical fingerprints are counted: a baseline that holds one ``FB006`` on
``你怎么连这个也不懂`` in a template forgives one such finding there, not a second one.
A plain-text reply has no id; its whole text stands in for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from scriptcheck.datafile import read_data
from scriptcheck.errors import InputError

__all__ = ["BASELINE_VERSION", "Fingerprint", "fingerprint", "portable", "Baseline"]

BASELINE_VERSION = 1
# A file name that is not UTF-8 reaches Python as lone surrogates (\udcff).
_SURROGATE = re.compile("[\ud800-\udfff]")


class Fingerprint(NamedTuple):
    """What identifies a finding across edits."""

    file: str
    template: str
    rule: str
    text: str

    @property
    def digest(self) -> str:
        """A short stable hash (SARIF ``partialFingerprints``)."""
        raw = "\x1f".join(self)
        # surrogatepass: a file name that is not UTF-8 holds lone surrogates (\udcff); any
        # other text encodes as plain UTF-8, so digests are unchanged
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def portable(file: str, base: Path | None = None) -> str:
    """``file`` relative to ``base`` (default: the current directory) with forward slashes
    (the same on every machine): a fingerprint's file."""
    if file == "-":
        return file
    base = base or Path.cwd()
    try:
        return Path(os.path.relpath(Path(file).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return Path(file).resolve().as_posix()


def fingerprint(file: str, template: str, rule: str, text: str, base: Path | None = None) -> Fingerprint:
    """The fingerprint of a finding; paths are made relative to ``base`` (default: the current
    directory)."""
    return Fingerprint(portable(file, base), template, rule, text)


class Baseline:
    """A multiset of fingerprints read from or written to a JSON file."""

    def __init__(self, path: Path, counts: Counter | None = None) -> None:
        self.path = path
        self.counts: Counter = counts or Counter()

    @property
    def base(self) -> Path:
        """The directory fingerprint paths are relative to."""
        return self.path.resolve().parent

    @classmethod
    def load(cls, path: str | Path) -> "Baseline":
        """Read a baseline file; :class:`InputError` if it is missing or malformed."""
        path = Path(path)
        if not path.exists():
            raise InputError("no such baseline file (create it with --write-baseline)", file=str(path))
        content = read_data(path, InputError)  # a regular file only: a named pipe would block the run
        try:
            data = json.loads(content.decode("utf-8"))
            findings = data["findings"]
            counts = Counter()
            for i, e in enumerate(findings):
                key = _fingerprint(e, i, path)
                counts[key] = _count(e, i, path)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise InputError(f"not a scriptcheck baseline: {exc}", file=str(path)) from None
        return cls(path, counts)

    @classmethod
    def check_replaceable(cls, path: str | Path) -> None:
        """Refuse to let ``--write-baseline`` replace an existing file that is not a baseline:
        the path may come from a repository's own configuration (``baseline = "../notes.txt"``),
        so a pull request could otherwise name any file the CI user can write."""
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            return
        try:
            cls.load(path)
        except InputError:
            raise InputError("exists and is not a scriptcheck baseline, so --write-baseline will not "
                             "replace it: remove the file or name another one", file=str(path)) from None

    def fingerprint(self, file: str, template: str, rule: str, text: str) -> Fingerprint:
        """A finding's fingerprint with paths relative to this baseline's directory."""
        return fingerprint(file, template, rule, text, self.base)

    def matcher(self) -> Callable[[Fingerprint], bool]:
        """A function telling, for each fingerprint of a run in order, whether the baseline
        forgives it: an entry forgives as many findings as its count, the first ones it is
        asked about. A run can ask file by file: the answers are those :meth:`filter` gives
        the whole sequence."""
        left = Counter(self.counts)

        def forgives(fp: Fingerprint) -> bool:
            if left[fp] > 0:
                left[fp] -= 1
                return True
            return False
        return forgives

    def filter(self, fingerprints: Iterable[Fingerprint]) -> list[bool]:
        """For each fingerprint, in order: ``True`` if the baseline forgives it."""
        forgives = self.matcher()
        return [forgives(fp) for fp in fingerprints]

    def write(self, fingerprints: Iterable[Fingerprint]) -> int:
        """Write ``fingerprints`` as the new baseline; returns how many findings it holds."""
        counts = Counter(fingerprints)
        entries = [{"file": fp.file, "template": fp.template, "rule": fp.rule, "text": fp.text, "count": n}
                   for fp, n in sorted(counts.items())]
        doc = {"version": BASELINE_VERSION, "tool": "scriptcheck", "findings": entries}
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # as JSON escapes: writable
        self.path.write_text(text, encoding="utf-8")
        self.counts = counts
        return sum(counts.values())


def _fingerprint(entry: object, index: int, path: Path) -> Fingerprint:
    """The fingerprint an entry of ``findings`` records; each field must be a string."""
    if not isinstance(entry, dict):
        raise InputError("not a scriptcheck baseline: an entry is an object with file, template, rule and text",
                         file=str(path), field=f"findings[{index}]")
    values = []
    for name in Fingerprint._fields:
        value = entry.get(name)
        if not isinstance(value, str):
            reason = "missing" if value is None else f"{json.dumps(value)[:60]} is not a string"
            raise InputError(f"not a scriptcheck baseline: {reason}", file=str(path),
                             field=f"findings[{index}].{name}")
        values.append(value)
    return Fingerprint(*values)


def _count(entry: dict, index: int, path: Path) -> int:
    """An entry's ``count`` (default 1) as an integer. JSON as Python reads it has
    ``Infinity``, ``NaN`` and numbers too large for a float (``1e400`` is infinity), which no
    integer holds: ``int()`` raised OverflowError, a traceback instead of an input error."""
    value = entry.get("count", 1)
    try:
        return int(value)
    except (OverflowError, ValueError, TypeError):
        raise InputError(f"not a scriptcheck baseline: {json.dumps(value)[:60]} is not a number of findings",
                         file=str(path), field=f"findings[{index}].count") from None
