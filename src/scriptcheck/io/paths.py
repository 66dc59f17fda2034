"""Where a command may write: one rule for every output path, and one way to report a write
that fails.

The rule (README, *Outputs never touch inputs*): an output file (``score -o``/``--errors``,
``lint -o``/``--write-baseline``) is refused, before any file is opened, when

- it is the same file as an input or another output (compared with ``os.path.samefile`` when
  both exist, else by their resolved paths — so a symlink or a hard link to an input counts), or
- it lies anywhere inside an input directory (resolved, symlinks followed): the directory walk
  could read it, and a report written where the next nightly run reads transcripts turns into
  input. (The lint baseline is the one exception: the template walk always skips it, so it
  may sit in the repository it describes.)
- it already exists and is the same file (device and inode) as a file the walk of an input
  directory reads, or as standard input when ``-`` is an input: a hard link inside the
  repository, or ``scriptcheck score -o out.jsonl - < out.jsonl``, truncated the input before it
  was read.

Refusing (exit 2, one line naming the option, the file and the input it clashes with) rather
than quietly excluding the file from the walk keeps what is read independent of what is
written: the same inputs give the same reports whatever ``-o`` says.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import IO, Iterable, Mapping

from scriptcheck.errors import ScriptcheckError

__all__ = ["OutputPathError", "OutputError", "check_outputs", "data_files", "GuardedOutput", "describe_os_error",
           "redirected_stdout"]

# Names that are streams, not files: never an input's file, never inside a directory.
_STREAMS = {"-", "/dev/stdout", "/dev/stderr", "/dev/null"}


class OutputPathError(ScriptcheckError):
    """An output path would overwrite an input or land where the input walk reads."""


class OutputError(ScriptcheckError):
    """Writing an output failed (no such directory, disk full, permission denied …)."""


def describe_os_error(exc: OSError) -> str:
    """The reason of an OS error in words (``No such file or directory``), without errno noise."""
    return exc.strerror or str(exc) or type(exc).__name__


def _resolved(path: str) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return Path(os.path.abspath(path))


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return _resolved(a) == _resolved(b)


def _file_id(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` names (links followed), ``None`` if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _stdin_id() -> tuple[int, int] | None:
    """(device, inode) of standard input when it is a regular file (``< file``), else ``None``."""
    import stat
    import sys

    try:
        st = os.fstat(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):  # no stdin, or replaced by a non-file
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _entry(path: str) -> str:
    """Where the directory entry ``path`` is: its directory resolved, its own name kept (a link's
    entry is the link, not its target)."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(os.path.realpath(directory), name)


def _walked_files(directory: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], list[Path]]:
    """The files the walk of ``directory`` reads whose (device, inode) is one of ``wanted``, by
    it: one walk however many outputs are checked against the directory."""
    from scriptcheck.io.walk import files_below

    found: dict[tuple[int, int], list[Path]] = {}
    for child in files_below(directory):
        file_id = _file_id(str(child))
        if file_id in wanted:
            found.setdefault(file_id, []).append(child)
    return found


def data_files(*names: str | Path | None) -> list[str]:
    """Those of ``names`` (lexicons, profiles, a configuration) that are files: what an output
    must not overwrite besides the inputs (a packaged name such as ``hotline`` is none)."""
    return [str(name) for name in names if name and os.path.isfile(name)]


def check_outputs(outputs: Mapping[str, str | None], inputs: Iterable[str], *,
                  walk_skips: Iterable[str] = (), walk_suffixes: Iterable[str] | None = None) -> None:
    """Refuse outputs that clash with the inputs (or with each other).

    ``outputs`` maps an option's name (``-o``, ``--errors``) to its path (``None``: not
    given); ``inputs`` are the command's file and directory arguments (``-`` is stdin).
    ``walk_skips`` names outputs the input walk itself always skips (the lint baseline, a
    state file that usually sits at the top of the template repository): they may lie inside
    an input directory, but are still never an input file.
    ``walk_suffixes`` (the suffixes the input walk reads) narrows the directory rule for
    ``stdout`` alone: a redirection the shell has already made (``> d/lint.log``) is refused
    only when the walk would read that file. Raises :class:`OutputPathError` with one line
    saying which output and why.
    """
    skips = set(walk_skips)
    if walk_suffixes is not None and outputs.get("stdout"):
        name = Path(outputs["stdout"]).name
        if name.startswith(".") or Path(name).suffix.lower() not in set(walk_suffixes):
            skips.add("stdout")
    inputs = list(inputs)
    sources = [s for s in inputs if s != "-"]
    given = [(name, path) for name, path in outputs.items() if path and path not in _STREAMS]
    stdin = _stdin_id() if "-" in inputs else None
    # Only a file that exists can already be linked to an input.
    existing_ids = {name: _file_id(path) for name, path in given}
    wanted = {file_id for file_id in existing_ids.values() if file_id is not None}
    walked: dict[str, dict[tuple[int, int], list[Path]]] = {}
    for name, path in given:
        target = _resolved(path)
        existing = existing_ids[name]
        if existing is not None and existing == stdin:
            raise OutputPathError(f"{name} {path}: is also the standard input; writing it would destroy "
                                  f"what is being read")
        for source in sources:
            if os.path.isdir(source):
                if existing is not None and source not in walked:
                    walked[source] = _walked_files(source, wanted)
                # The output's own entry inside the directory is the directory rule's business
                # (or the baseline's, which the template walk skips); another entry is a link.
                twin = next((child for child in walked.get(source, {}).get(existing, ())
                             if _entry(str(child)) != _entry(path)), None)
                if twin is not None:
                    raise OutputPathError(f"{name} {path}: is the same file as {twin} (a link), which the "
                                          f"input walk reads; writing it would destroy what is being read")
                if name in skips:
                    continue
                directory = _resolved(source)
                if target == directory or directory in target.parents:
                    raise OutputPathError(
                        f"{name} {path}: lies inside the input directory {source}, where the input "
                        f"walk would read it; write it outside the inputs")
            elif _same_file(path, source):
                raise OutputPathError(f"{name} {path}: is also an input ({source}); writing it would "
                                      f"destroy what is being read, or feed it")
    for i, (name, path) in enumerate(given):
        for other_name, other in given[i + 1:]:
            if _same_file(path, other):
                raise OutputPathError(f"{name} and {other_name} name the same file ({path})")


def redirected_stdout() -> str | None:
    """The file standard output is redirected to (``scriptcheck score d/ > d/out.jsonl``), when
    it is a regular file whose path the system tells; else ``None`` (a terminal, a pipe, or no
    way to know). Checked like ``-o``: the shell has created it, but the walk must not read it."""
    import stat
    import sys

    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        path = os.readlink(f"/proc/self/fd/{fd}")
    except (AttributeError, ValueError, OSError):  # replaced stdout, no /proc: nothing to check
        return None
    return path if os.path.isabs(path) and os.path.exists(path) else None


class GuardedOutput:
    """A text stream whose write errors become :class:`OutputError` naming the file, so the
    command exits 2 with one line instead of a traceback (``-o /dev/full``: disk full)."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self._stream = stream
        self.name = name
        self._utf8_bytes: bool | None = None  # whether write_bytes may bypass the text layer
        self._block = 0  # hold(): write_bytes data kept back until this many bytes (0: none kept)
        self._held: list[bytes] = []
        self._held_size = 0

    def hold(self, block: int) -> None:
        """Keep what :meth:`write_bytes` is given and write it in blocks of at least ``block``
        bytes, each one write of whole pieces (reports), instead of a write and a flush per
        piece (``scriptcheck score --jobs 1`` writes one report at a time: the system call per
        report was a few µs of each). :meth:`write`, :meth:`flush` and :meth:`close` write
        what is held first, so the output keeps its order and an interrupted run (which
        flushes) still leaves complete records. For inputs that are read without waiting:
        held reports of a pipe that has gone quiet would not reach the output."""
        self._block = block

    def _release(self) -> None:
        """Write the held pieces in one go."""
        held = self._held
        if held:
            data = held[0] if len(held) == 1 else b"".join(held)
            self._held, self._held_size = [], 0
            try:
                self._stream.flush()  # what was written as text goes first
                self._stream.buffer.write(data)
                self._stream.flush()
            except OSError as exc:
                raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError(f"{self.name}: cannot write: {describe_os_error(exc)}")

    def write(self, text: str) -> int:
        """Write ``text``."""
        if self._held:
            self._release()
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise self._failed(exc) from None

    def write_bytes(self, data: bytes) -> None:
        """Write UTF-8 ``data`` (text a worker process encoded): straight to the byte stream
        when the text stream would have written the same bytes (UTF-8, no newline
        translation), so they are not decoded only to be encoded again; else as text."""
        stream = self._stream
        try:
            if self._utf8_bytes is None:
                encoding = getattr(stream, "encoding", None)
                self._utf8_bytes = (hasattr(stream, "buffer") and os.linesep == "\n" and encoding is not None
                                    and codecs.lookup(encoding).name == "utf-8")
            if self._utf8_bytes:
                if self._block:
                    self._held.append(data)
                    self._held_size += len(data)
                    if self._held_size >= self._block:
                        self._release()
                    return
                stream.flush()  # what was written as text goes first
                stream.buffer.write(data)
            else:
                stream.write(data.decode("utf-8"))
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        """Flush the underlying stream (what :meth:`hold` kept back included)."""
        if self._held:
            self._release()
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def binary(self) -> IO[bytes]:
        """The byte stream under the text stream, for binary formats (Parquet); text written
        before must be flushed first."""
        if self._held:
            self._release()
        return self._stream.buffer

    def close(self) -> None:
        """Close the underlying stream (its last buffered bytes are written now)."""
        if self._held:
            self._release()
        try:
            self._stream.close()
        except OSError as exc:
            raise self._failed(exc) from None

    @classmethod
    def open(cls, path: str) -> "GuardedOutput":
        """Open ``path`` for writing (UTF-8); :class:`OutputError` when it cannot be."""
        try:
            return cls(open(path, "w", encoding="utf-8"), path)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {describe_os_error(exc)}") from None
