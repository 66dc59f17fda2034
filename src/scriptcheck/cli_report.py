"""``scriptcheck report`` (the batch page) and ``scriptcheck review`` (its verdicts → precision
and a lexicon overlay); also the ``score --format html`` shortcut. Kept out of ``cli.py`` so
the page's commands change without touching the others."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from scriptcheck.cli_options import known_encoding

from scriptcheck.errors import InputError, ScriptcheckError

__all__ = ["report_command", "review_command", "write_report", "score_to_html"]

EXIT_ERROR = 2


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"scriptcheck: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def write_report(results, output: str, *, transcripts=(), agent_field: str = "agent_id", title: str = "",
                 encoding: str | None = None, inputs=None, sources=None) -> int:
    """Write the HTML page for score result files; returns the number of transcripts.

    ``inputs`` (default: ``results`` and ``transcripts``) are the files the output must not
    overwrite; ``sources`` (default: the result files) what the page names as its input — and
    keys its saved verdicts on. Raises :class:`InputError` for unreadable input and ``OSError`` when the page
    cannot be written.
    """
    from scriptcheck.report.data import build_payload, read_results, read_turns
    from scriptcheck.report.render import render_html

    target = Path(output).resolve()
    if any(Path(s).resolve() == target for s in (inputs if inputs is not None else (*results, *transcripts))):
        raise InputError("the output would overwrite an input", file=output)
    data = read_results(results)
    if sources is not None:
        data.sources = [str(s) for s in sources]
    turns = read_turns(transcripts, encoding) if transcripts else None
    html = render_html(build_payload(data, turns, agent_field=agent_field, title=title))
    Path(output).write_text(html, encoding="utf-8")
    click.echo(f"{output}: {len(data.reports)} transcripts, {len(html.encode()) // 1024} KiB", err=True)
    return len(data.reports)


def score_to_html(inputs, output: str | None, run_score, **score_options) -> int:
    """``score --format html -o FILE``: score into a temporary JSON report, then write the page
    with the inputs as its transcripts. Returns the score command's exit code."""
    if not output:
        raise click.UsageError("--format html needs --output FILE")
    if "-" in inputs:
        raise click.UsageError("--format html reads the transcripts twice: give files, not stdin")
    handle, temporary = tempfile.mkstemp(suffix=".json", prefix="scriptcheck-")
    os.close(handle)
    try:
        code = run_score(inputs, fmt="json", output=temporary, **score_options)
        try:
            # The page names the scored files, not the temporary report (whose name changes
            # every run and would orphan the verdicts saved under it).
            write_report([temporary], output, transcripts=inputs, encoding=score_options.get("encoding"),
                         inputs=inputs, sources=inputs)
        except (InputError, ImportError, OSError) as exc:
            raise _fail(exc.describe() if isinstance(exc, InputError) else str(exc))
        return code
    finally:
        os.unlink(temporary)


@click.command("report")
@click.argument("results", nargs=-1, required=True)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The HTML file to write.")
@click.option("--transcripts", "transcript_sources", multiple=True, metavar="FILE/DIR",
              help="The scored transcripts (repeatable), to show the conversations.")
@click.option("--agent-field", default="agent_id", show_default=True, metavar="KEY",
              help="The metadata field that names the agent.")
@click.option("--title", default="", help="Page title.")
@click.option("--encoding", default=None, callback=known_encoding, help="Encoding of the transcripts.")
def report_command(results: tuple[str, ...], output: str, transcript_sources: tuple[str, ...], agent_field: str,
                   title: str, encoding: str | None) -> None:
    """Write one self-contained HTML page for score RESULTS (JSONL/JSON/Parquet of `score`).

    Summary, score distribution, rules, steps, agents, filters, each transcript with its
    findings highlighted, and review buttons whose verdicts export as JSONL for `review`.
    The page is offline: no script, style or data is fetched from anywhere.
    """
    try:
        write_report(results, output, transcripts=transcript_sources, agent_field=agent_field, title=title,
                     encoding=encoding)
    except InputError as exc:
        raise _fail(exc.describe())
    except ImportError as exc:
        raise _fail(str(exc))
    except OSError as exc:
        raise _fail(f"{output}: {exc.strerror or exc}")


@click.command("review")
@click.argument("verdicts", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lexicon-out", default=None, type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write a lexicon overlay (allow contexts and specs) built from the verdicts.")
@click.option("--extends", default="forbidden", show_default=True, metavar="NAME|FILE",
              help="The lexicon the overlay adds to.")
@click.option("--min-verdicts", default=1, show_default=True, help="Rules with fewer verdicts are not ranked.")
@click.option("--transcripts", "transcript_sources", multiple=True, metavar="FILE/DIR",
              help="The reviewed transcripts, for verdicts exported without their turn's text.")
def review_command(verdicts: tuple[str, ...], fmt: str, lexicon_out: str | None, extends: str,
                   min_verdicts: int, transcript_sources: tuple[str, ...]) -> None:
    """Per-rule precision from reviewers' VERDICTS (JSONL exported by the report page).

    Lists the rules most in need of attention (lowest precision first) and, with
    --lexicon-out, writes an overlay: every false alarm an allow context and a `no_match`
    spec of its rule, every confirmed finding a `match` spec. Load it with --lexicon.
    """
    from scriptcheck.report.data import read_turns
    from scriptcheck.report.review import build_overlay, precision_table, read_verdicts, render_precision

    if lexicon_out and any(Path(v).resolve() == Path(lexicon_out).resolve() for v in verdicts):
        raise _fail(f"{lexicon_out}: the output would overwrite an input")
    try:
        items = read_verdicts(verdicts)
        table = precision_table(items, min_verdicts=min_verdicts)
        turns = read_turns(transcript_sources) if transcript_sources else None
        overlay = build_overlay(items, extends=extends, out_path=lexicon_out, turns=turns) if lexicon_out else None
    except InputError as exc:
        raise _fail(exc.describe())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    if fmt == "json":
        doc = {**table, "overlay": overlay.summary() if overlay else None}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        click.echo(render_precision(table))
        if overlay:
            click.echo(overlay.describe())
    if overlay:
        try:
            overlay.write(lexicon_out)
        except OSError as exc:
            raise _fail(f"{lexicon_out}: {exc.strerror or exc}")
