"""The body of ``scriptcheck score``: stream, score, write, count, report errors, progress."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from contextlib import ExitStack
from typing import Iterator

import click

from scriptcheck.batch import BatchStats, Scorer, score_records
from scriptcheck.io.records import Record
from scriptcheck.io.report_writers import WRITERS, render_summary
from scriptcheck.io.transcripts import iter_input_files, read_transcripts

__all__ = ["run_score"]


def _records(inputs, input_format, encoding, reader=None) -> Iterator[Record]:
    for source in iter_input_files(inputs):
        # Validation happens where scoring happens (in the workers with --jobs > 1).
        yield from (reader or read_transcripts)(source, input_format, encoding, validate=False)


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
    """Ctrl-C during a batch: while a record is being written, stop right after it; anywhere
    else (reading input, waiting for workers, scoring), at once.

    Raising KeyboardInterrupt wherever the signal lands is not safe: pydantic's JSON serializer
    wraps one raised inside it in its own error, and the run then died with a traceback and
    no summary (about one run in fifteen of tests/test_interrupt.py)."""

    def __init__(self) -> None:
        self.requested = False
        self.busy = False  # a record is being counted and written
        self._previous = None

    def __enter__(self) -> "_StopRequest":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame) -> None:
        if self.busy and not self.requested:
            self.requested = True
            return
        raise KeyboardInterrupt


def run_score(inputs, *, scorer: Scorer, fmt: str, input_format, encoding, jobs: int, errors_file,
              strict: bool, fail_under, quiet: bool, output, reader=None) -> int:
    """Run a batch and return the exit code: 0 ok, 1 a transcript below --fail-under (or vetoed),
    2 an input file that cannot be opened, or any rejected record with --strict.

    ``reader`` replaces :func:`read_transcripts` (``--speaker-map``/``--time-unit`` read
    call-analytics exports with :func:`scriptcheck.io.calls.read_calls`)."""
    stats = BatchStats()
    below = unreadable = defaulted = 0
    started = time.perf_counter()
    with ExitStack() as stack:
        out = stack.enter_context(open(output, "w", encoding="utf-8")) if output else sys.stdout
        errors_out = stack.enter_context(open(errors_file, "w", encoding="utf-8")) if errors_file else None
        writer = WRITERS[fmt](out)
        progress = _progress(quiet)
        task = None
        if progress is not None:
            stack.enter_context(progress)
            task = progress.add_task("score", total=None, done=0, rate=0.0, rejected=0)
        writer.begin()
        stop = stack.enter_context(_StopRequest())
        try:
            for scored in score_records(_records(inputs, input_format, encoding, reader), scorer, jobs):
                stop.busy = True
                record = scored.record
                if record.error is not None and record.line == 0:
                    # The file itself could not be opened: not a record, an input error.
                    unreadable += 1
                    click.echo(f"scriptcheck: error: {record.error.describe()}", err=True)
                elif record.error is not None:
                    stats.add_rejected()
                    error = record.error
                    if not quiet:
                        click.echo(f"scriptcheck: rejected: {error.describe()}", err=True)
                    if errors_out is not None:
                        errors_out.write(json.dumps({
                            "file": error.file or record.source, "line": error.line or record.line,
                            "field": error.field, "reason": error.reason}, ensure_ascii=False) + "\n")
                else:
                    summary = scored.summary
                    stats.add_scored(summary)
                    defaulted += scorer.profile is None and not summary.named_profile
                    if fail_under is not None and (summary.score < fail_under or summary.vetoed):
                        below += 1
                    writer.write_scored(scored)
                if task is not None:
                    elapsed = time.perf_counter() - started
                    progress.update(task, done=stats.read, rate=stats.read / elapsed if elapsed else 0.0,
                                    rejected=stats.rejected)
                stop.busy = False
                if stop.requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            if progress is not None:
                progress.stop()
            out.flush()
            click.echo("scriptcheck: interrupted; output holds complete records only", err=True)
            click.echo(render_summary(stats), err=True, nl=False)
            return 130
        if progress is not None:
            progress.stop()  # clear the bar before the summary is written below it
        writer.end(stats)
        if fmt != "table" and not quiet:
            click.echo(render_summary(stats).lstrip("\n"), err=True, nl=False)
        if defaulted:
            # Said where a user sees it: a chat export scored as hotline calls looks plausible.
            click.echo(f"  note: {defaulted} transcript(s) named no profile and were scored under the "
                       f"default profile '{scorer.default_profile}' (--default-profile; or --profile NAME)",
                       err=True)
    if stats.read == 0 and not unreadable:
        click.echo("scriptcheck: warning: no transcripts found in the inputs "
                   "(looked for .jsonl, .ndjson, .json, .csv, .tsv, .txt)", err=True)
    if unreadable or (strict and stats.rejected):
        return 2
    if below:
        return 1
    return 0
