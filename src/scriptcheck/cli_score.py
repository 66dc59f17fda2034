"""The body of ``scriptcheck score``: stream, score, write, count, report errors, progress."""

from __future__ import annotations

import gc
import json
import os
import signal
import stat
import sys
import threading
import time
from contextlib import ExitStack, closing
from typing import Iterator

import click
from pydantic_core import PydanticSerializationError

from scriptcheck.batch import BatchStats, ScoredChunk, Scorer, WorkerDied, score_chunks
from scriptcheck.io.paths import GuardedOutput, OutputError
from scriptcheck.io.records import Record
from scriptcheck.score_writers import WRITERS, escape_line, render_summary
from scriptcheck.io.transcripts import iter_input_files, read_transcripts

__all__ = ["run_score", "EXIT_WORKER_DIED"]

# A worker process died (killed, out of memory): not 1 ("below --fail-under"), not 2 (bad input).
EXIT_WORKER_DIED = 3

# Input files adding up to this many bytes make a batch large enough to build the matchers'
# automata before the first record (Scorer.prepare) instead of serving the first records by
# literal lookups until the lookups spent would have paid for the build (match.automaton): a
# batch known to be large pays the build once and no lookups. About 130 resampled JDDC chats:
# building first cost 0.05 s more CPU on 100 of them (126 KB) and saved 0.13 s on 200 (246 KB),
# 0.2 s on 400 (benchmarks/RESULTS.md).
_PREPARE_BYTES = 160 * 1024

# Reports are written in blocks of this many bytes when the inputs are files (run_score).
_WRITE_BLOCK = 64 * 1024
# Input files adding up to this many bytes are a batch large enough for worker processes
# whatever its records turn out to be (score_chunks' ``large``): the workers start after a
# short lead instead of after 512 records and a read-ahead of 1,024 more, which only find out
# what the size already says. Two workers after the short lead were 1.10-1.19x faster than
# one process on 824 resampled JDDC chats (1.0 MB), where the read-ahead started none; on 487
# (0.6 MB) the gain was within the noise of identical runs (1.06x, slowest round 0.84x;
# benchmarks/RESULTS.md, speed8). Below this size, and for a pipe or anything that cannot be
# sized, the lead and the read-ahead decide as before.
_PARALLEL_BYTES = 1024 * 1024


def _records(inputs, input_format, encoding, reader=None, undecoded: bool = False) -> Iterator[Record]:
    for source in iter_input_files(inputs):
        # Validation happens where scoring happens (in the workers with --jobs > 1), and so
        # does decoding JSON Lines (``undecoded``; the Spark engine's rows must be text).
        if reader is not None:
            yield from reader(source, input_format, encoding, validate=False)
        else:
            yield from read_transcripts(source, input_format, encoding, validate=False, undecoded=undecoded)


def _write_held(out: GuardedOutput) -> None:
    """Write what ``out`` holds back, as the run ends however it ends (an error writing it
    was reported already, or will be by the close that follows)."""
    try:
        out.flush()
    except OutputError:
        pass


def _never_waits(inputs) -> bool:
    """Whether every input is a regular file or a directory (stdin too, when it is a file):
    reading them never waits for a writer, so reports may be written in blocks."""
    for source in inputs:
        info = _input_stat(str(source))
        if info is None or not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            return False
    return True


def _input_stat(source: str) -> os.stat_result | None:
    """The status of an input (``-``: standard input's), or ``None`` when it has none."""
    try:
        return os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
    except (OSError, ValueError, AttributeError, TypeError):
        return None


def _input_bytes(inputs, enough: int) -> int:
    """The size of the input files (stdin when it is a file), counted until it reaches
    ``enough``; a pipe or anything that cannot be sized counts 0."""
    total = 0
    for source in iter_input_files(inputs):
        info = _input_stat(source)
        if info is not None and stat.S_ISREG(info.st_mode):
            total += info.st_size
            if total >= enough:
                break
    return total


def _chunks(runner, records: Iterator[Record], scorer: Scorer, jobs: int, writer_class,
            large: bool = False) -> Iterator[ScoredChunk]:
    """The batch as chunks: :func:`score_chunks`, rendering in the output's format where the
    format is text (the workers render, this process only writes); ``large``: the input files
    add up to ``_PARALLEL_BYTES`` or more. A ``runner`` (Spark) yields records one by one,
    each then a chunk written by the writer here."""
    if runner is None:
        return score_chunks(records, scorer, jobs, writer_class.render_bytes if writer_class.renders else None,
                            large=large)
    return _one_by_one(runner(records, scorer, jobs))


def _one_by_one(batch: Iterator) -> Iterator[ScoredChunk]:
    """Each record of ``batch`` as a chunk of its own; closing this closes ``batch`` (a Spark
    session is stopped by its generator's clean-up)."""
    try:
        for scored in batch:
            yield ScoredChunk([scored])
    finally:
        batch.close()


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]scoring[/]"), TextColumn("{task.fields[done]} records"),
        TextColumn("{task.fields[rate]:.0f}/s"), TextColumn("rejected {task.fields[rejected]}"),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
    )


class _StopRequest:
    """Ctrl-C during a batch: while a chunk of records is being written, stop right after it;
    anywhere else (reading input, waiting for workers, scoring), at once.

    Raising KeyboardInterrupt wherever the signal lands is not safe: pydantic's JSON serializer
    wraps one raised inside it in its own error, and the run then died with a traceback and
    no summary (about one run in fifteen of tests/test_interrupt.py). Nor is it sure to stop
    the run: one raised while Python finalises a generator or runs a ``__del__`` is printed as
    "Exception ignored" and dropped. So a raised interrupt stays ``requested`` (the chunk loop
    stops at the next chunk) and a later Ctrl-C raises again, until the clean-up has begun."""

    def __init__(self) -> None:
        self.requested = False
        self.busy = False  # a record is being counted and written
        self.fired = False  # an interrupt was raised
        self.stopping = False  # the run is cleaning up: later interrupts must not break that
        self._previous = None

    def __enter__(self) -> "_StopRequest":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame) -> None:
        if self.stopping:
            return
        if self.busy and not self.requested:
            self.requested = True
            return
        self.requested = self.fired = True
        raise KeyboardInterrupt


def _freeze_gc() -> None:
    """The checkers live as long as the run: move them out of the collector's generations so full
    collections stop re-walking them (collected first, so no garbage is frozen with them). Done
    here, in the command's own process, never in the library: ``gc.freeze`` is process-wide."""
    gc.collect()
    gc.freeze()


def run_score(inputs, *, scorer: Scorer, fmt: str, input_format, encoding, jobs: int, errors_file,
              strict: bool, fail_under, quiet: bool, output, runner=None, reader=None) -> int:
    """Run a batch and return the exit code: 0 ok, 1 a transcript below --fail-under (or vetoed),
    2 an input file that cannot be opened, an output that cannot be written, records read but
    every one rejected, or any rejected record with --strict, 3 a worker process died, 130
    interrupted.

    ``output``/``errors_file`` must already have passed :func:`scriptcheck.io.paths.check_outputs`.
    ``runner`` replaces :func:`scriptcheck.batch.score_records` (same arguments, same results):
    the Spark engine; without it the batch runs on :func:`scriptcheck.batch.score_chunks`, whose
    workers render the reports in the output format. ``reader`` replaces
    :func:`read_transcripts` (``--speaker-map`` / ``--time-unit`` read call-analytics exports
    with :func:`scriptcheck.io.calls.read_calls`).
    """
    stats = BatchStats()
    below = unreadable = defaulted = 0
    started = time.perf_counter()
    size = _input_bytes(inputs, max(_PREPARE_BYTES, _PARALLEL_BYTES)) if runner is None else 0
    if size >= _PREPARE_BYTES:
        scorer.prepare()
    _freeze_gc()
    frozen = scorer.loaded
    writer = None
    progress = None
    batch = None

    def stopped(message: str, code: int) -> int:
        # Whatever stopped the batch, the output stays valid: complete records, and the JSON
        # document closed. The workers are stopped first, at once (closing the batch
        # terminates them), whichever frame the interrupt landed in.
        if batch is not None:
            batch.close()
        if progress is not None:
            progress.stop()
        if writer is not None:
            try:
                writer.abort(stats)
                writer.out.flush()
            except OutputError:
                pass
        click.echo(message, err=True)
        click.echo(render_summary(stats), err=True, nl=False)
        return code

    try:
        with ExitStack() as stack:
            # From here on Ctrl-C ends the run cleanly (exit 130, output closed and valid).
            stop = stack.enter_context(_StopRequest())
            out = (stack.enter_context(closing(GuardedOutput.open(output))) if output
                   else GuardedOutput(sys.stdout, "<stdout>"))
            errors_out = stack.enter_context(closing(GuardedOutput.open(errors_file))) if errors_file else None
            writer = WRITERS[fmt](out)
            if size >= _PREPARE_BYTES and _never_waits(inputs):
                # One write of whole reports per _WRITE_BLOCK bytes rather than a write and a
                # flush per report (a few µs each with --jobs 1); stopping or failing flushes
                # what is held (stopped(), writer.end below), so the output stays whole records.
                out.hold(_WRITE_BLOCK)
                writer.flush_each = False
                stack.callback(_write_held, out)  # whatever ends the run (standard output is not closed)
            progress = _progress(quiet)
            task = None
            if progress is not None:
                stack.enter_context(progress)
                task = progress.add_task("score", total=None, done=0, rate=0.0, rejected=0)
            try:
                writer.begin()
                records = _records(inputs, input_format, encoding, reader, undecoded=runner is None)
                batch = _chunks(runner, records, scorer, jobs, WRITERS[fmt], large=size >= _PARALLEL_BYTES)
                for chunk in batch:
                    stop.busy = True
                    for scored in chunk.scored:
                        record = scored.record
                        if record.error is not None and record.line == 0:
                            # The file itself could not be opened: not a record, an input error.
                            unreadable += 1
                            click.echo(f"scriptcheck: error: {escape_line(record.error.describe())}", err=True)
                        elif record.error is not None:
                            stats.add_rejected()
                            error = record.error
                            if not quiet:
                                click.echo(f"scriptcheck: rejected: {escape_line(error.describe())}", err=True)
                            if errors_out is not None:
                                errors_out.write(json.dumps({
                                    "file": error.file or record.source, "line": error.line or record.line,
                                    "field": error.field, "reason": error.reason}, ensure_ascii=False) + "\n")
                                errors_out.flush()
                        else:
                            summary = scored.summary
                            stats.add_scored(summary)
                            defaulted += scorer.profile is None and not summary.named_profile
                            if fail_under is not None and (summary.score < fail_under or summary.vetoed):
                                below += 1
                            if chunk.text is None:
                                writer.write_scored(scored)
                    if chunk.text:
                        writer.write_text(chunk.text)
                    if task is not None:
                        elapsed = time.perf_counter() - started
                        progress.update(task, done=stats.read, rate=stats.read / elapsed if elapsed else 0.0,
                                        rejected=stats.rejected)
                    if scorer.loaded != frozen:  # a transcript chose a profile not loaded yet
                        frozen = scorer.loaded
                        _freeze_gc()
                    stop.busy = False
                    if stop.requested:
                        stop.fired = True
                        raise KeyboardInterrupt
            except (KeyboardInterrupt, PydanticSerializationError) as exc:
                stop.stopping = True
                # pydantic's serializer wraps an interrupt raised inside it; since reports are
                # rendered in the chunk loop (in-process with --jobs 1), the signal can land in
                # a report's JSON outside the `busy` window
                if not isinstance(exc, KeyboardInterrupt) and not stop.fired:
                    raise
                return stopped("scriptcheck: interrupted; output holds complete records only", 130)
            except WorkerDied as exc:
                stop.stopping = True
                return stopped(f"scriptcheck: error: {exc}", EXIT_WORKER_DIED)
            # Every record is in: a Ctrl-C now would only cut the output's end (a JSON report's
            # closing bracket and summary) and print a traceback, so the last writes finish.
            stop.stopping = True
            if progress is not None:
                progress.stop()  # clear the bar before the summary is written below it
            writer.end(stats)
            out.flush()
            if fmt != "table" and not quiet:
                click.echo(render_summary(stats).lstrip("\n"), err=True, nl=False)
            if defaulted:
                # Said where a user sees it: a chat export scored as hotline calls looks plausible.
                click.echo(f"  note: {defaulted} transcript(s) named no profile and were scored under the "
                           f"default profile '{scorer.default_profile}' (--default-profile; or --profile NAME)",
                           err=True)
    except OutputError as exc:
        if progress is not None:
            progress.stop()
        click.echo(f"scriptcheck: error: {exc}", err=True)
        return 2
    if stats.read == 0 and not unreadable:
        click.echo("scriptcheck: warning: no transcripts found in the inputs "
                   "(looked for .jsonl, .ndjson, .json, .csv, .tsv, .txt)", err=True)
    if stats.read and not stats.scored:
        # Exit 0 with "read 2 = scored 0 + rejected 2" passed CI unnoticed (a UTF-16 export, a
        # wrong --input-format): nothing was checked. An empty input stays a warning above.
        click.echo(f"scriptcheck: error: all {stats.rejected} records read were rejected; nothing was scored",
                   err=True)
        return 2
    if unreadable or (strict and stats.rejected):
        return 2
    if below:
        return 1
    return 0
