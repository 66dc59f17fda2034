"""``scriptcheck score`` writes its reports in blocks when its inputs are files
(``GuardedOutput.hold``, ``ReportWriter.flush_each``): the output is byte for byte what the
report-by-report writing gives (from a pipe, which still flushes each report), in every text
format, and whatever is held reaches the output when the run ends or is stopped."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from scriptcheck.cli_score import _PREPARE_BYTES, _never_waits
from scriptcheck.io.paths import GuardedOutput
from tests.conftest import CORPORA


class _Counting(io.BytesIO):
    """A byte stream that counts the writes reaching it."""

    writes = 0

    def write(self, data) -> int:
        self.writes += 1
        return super().write(data)


def _text_stream():
    raw = _Counting()
    return raw, io.TextIOWrapper(io.BufferedWriter(raw, buffer_size=16), encoding="utf-8", newline="")


def test_held_bytes_keep_their_order_and_are_written_in_blocks() -> None:
    raw, stream = _text_stream()
    out = GuardedOutput(stream, "<test>")
    out.hold(10)
    out.write("head\n")
    out.flush()
    out.write_bytes(b"a\n")
    out.write_bytes(b"b\n")
    written = raw.writes
    out.write_bytes(b"c\n")
    assert raw.writes == written  # 6 bytes held: under the block
    out.write_bytes(b"dddd\n")  # 11 bytes: one write of the four
    assert raw.writes == written + 1
    assert raw.getvalue() == b"head\na\nb\nc\ndddd\n"
    out.write_bytes(b"e\n")
    out.write("tail\n")  # text after held bytes: the bytes go first
    out.flush()
    assert raw.getvalue() == b"head\na\nb\nc\ndddd\ne\ntail\n"
    out.write_bytes(b"f\n")
    out.flush()  # flush writes what is held
    assert raw.getvalue().endswith(b"tail\nf\n")


def test_close_writes_what_is_held(tmp_path) -> None:
    path = tmp_path / "out.jsonl"
    out = GuardedOutput.open(str(path))
    out.hold(1 << 20)
    out.write_bytes(b'{"id": 1}\n')
    out.close()
    assert path.read_bytes() == b'{"id": 1}\n'


def test_only_files_and_folders_never_wait(tmp_path) -> None:
    assert _never_waits([str(CORPORA / "calls.jsonl"), str(tmp_path)])
    assert not _never_waits([str(tmp_path / "missing.jsonl")])
    assert not _never_waits(["/dev/null"])  # a character device, as a pipe or a terminal is not a file


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_blocks_from_a_file_are_the_bytes_of_a_pipe(tmp_path, fmt) -> None:
    lines = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    big = tmp_path / "big.jsonl"
    text = "\n".join(lines * (_PREPARE_BYTES // sum(len(x.encode("utf-8")) for x in lines) + 2)) + "\n"
    big.write_text(text, encoding="utf-8")
    assert big.stat().st_size >= _PREPARE_BYTES  # large enough to be held
    command = [sys.executable, "-m", "scriptcheck", "score", "--format", fmt, "-q", "-j", "1"]
    from_file = subprocess.run([*command, str(big), "-o", str(tmp_path / "a")], capture_output=True)
    # The same records through a pipe: read as they come, each report flushed.
    from_pipe = subprocess.run([*command, "-", "-o", str(tmp_path / "b")], input=text.encode("utf-8"),
                               capture_output=True)
    assert from_file.returncode == from_pipe.returncode, from_file.stderr
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    # and to standard output, which the run does not close
    to_stdout = subprocess.run([*command, str(big)], capture_output=True)
    assert to_stdout.stdout == (tmp_path / "a").read_bytes()
