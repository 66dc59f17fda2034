"""``scriptcheck report`` (the batch page) and ``scriptcheck review`` (its verdicts → precision
and a lexicon overlay); also the ``score --format html`` shortcut. Kept out of ``cli.py`` so
the page's commands change without touching the others."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from scriptcheck.cli_options import line_encoding

from scriptcheck.errors import InputError, LexiconError, ScriptcheckError

__all__ = ["report_command", "review_command", "write_report", "score_to_html"]

EXIT_ERROR = 2
# Overlays on overlays followed when listing the files a base lexicon is read from (the
# loader refuses more than 16).
_MAX_LEXICON_CHAIN = 17


def _line(text: str) -> str:
    """``text`` kept to one line, whatever a file name or a field holds."""
    from scriptcheck.score_writers import escape_line

    return escape_line(text)


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"scriptcheck: error: {_line(message)}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _shown(text: str) -> str:
    """``text`` as the page can hold it: a file name or argument that is not UTF-8 (decoded by
    Python with lone surrogates) shows its bytes escaped rather than making the page unwritable."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_output(option: str, output: str, inputs, read: list[str]) -> None:
    """Refuse ``output`` when it is a file the command reads — the same file by device and
    inode, so a symbolic or hard link to an input counts (:func:`scriptcheck.io.paths.check_outputs`)
    — among the ``inputs`` named and the files ``read`` from them (directories walked, a base
    lexicon's chain), or when it lies inside an input directory under a name a walk reads.
    Raises :class:`scriptcheck.io.paths.OutputPathError`."""
    from scriptcheck.io.paths import check_outputs
    from scriptcheck.io.transcripts import FORMATS
    from scriptcheck.report.data import RESULT_SUFFIXES

    name = Path(output).name
    if not name.startswith(".") and Path(name).suffix.lower() in {*FORMATS, *RESULT_SUFFIXES}:
        check_outputs({option: output}, [*inputs, *read])  # a walk would read it: not inside a directory
    else:
        # Not a name a walk reads (report.html, overlay.yaml): it may lie in an input directory,
        # and an earlier page there is no input; the files read from the directories are checked.
        check_outputs({option: output}, [*(s for s in inputs if not os.path.isdir(s)), *read])


def _lexicon_files(ref: str) -> list[str]:
    """The files loading the lexicon ``ref`` reads: its own (a packaged one too) and, when it is
    an overlay, those of the lexicons it extends, in turn. As far as they can be read: what
    cannot be is reported when the lexicon is loaded."""
    from scriptcheck.datafile import read_yaml
    from scriptcheck.lexicon.overlay import is_overlay
    from scriptcheck.resources import resolve

    files: list[str] = []
    relative_to = None
    for _ in range(_MAX_LEXICON_CHAIN):
        try:
            path = resolve("lexicon", ref, relative_to=relative_to)
            files.append(str(path))
            data = read_yaml(path, LexiconError) if path.is_file() else None
        except Exception:  # noqa: BLE001 - only listing: loading the lexicon reports the problem
            break
        if not is_overlay(data) or not isinstance(data["extends"], str):
            break
        ref, relative_to = data["extends"], path.parent
    return files


def _report_skipped(skipped, label: str = "skipped") -> None:
    for error in skipped:
        click.echo(f"scriptcheck: {label}: {_line(error.describe())}", err=True)


def _report_rejected(rejected: list[InputError], kind: str, kept_label: str, kept: int, also: int = 0) -> None:
    """Name each record ``rejected`` on standard error, as ``score`` names its rejected ones, then
    count them: ``<kind> read N = <kept_label> M + rejected K`` (``also``: records the input says
    were rejected before, by ``score``: the page counts them too)."""
    _report_skipped(rejected, "rejected")
    total = len(rejected) + also
    click.echo(f"scriptcheck: {kind} read {kept + total} = {kept_label} {kept} + rejected {total}", err=True)


def _nothing_left(rejected: list[InputError], kind: str) -> InputError:
    """The error for input of which every record was rejected: an empty page or table would pass
    for a clean batch."""
    return InputError(f"no {kind} to show: {len(rejected)} read, {len(rejected)} rejected")


def write_report(results, output: str, *, transcripts=(), agent_field: str = "agent_id", title: str = "",
                 encoding: str | None = None, inputs=None, sources=None, show_skipped: bool = False,
                 strict: bool = False) -> int:
    """Write the HTML page for score result files; returns the number of transcripts.

    ``inputs`` (default: ``results`` and ``transcripts``) are the files the output must not
    overwrite — nor any file read from them; ``sources`` (default: the result files) what the page
    names as its input — and keys its saved verdicts on. A results record that is no valid score
    report is left out of the page and counted among its rejected records, and transcript records
    that cannot be read are left out and counted (each one named on standard error with
    ``show_skipped``); with ``strict`` the first bad results record raises instead. Raises
    :class:`ScriptcheckError` for unreadable input, for results of which every record was
    rejected, or for a refused output (:class:`InputError`,
    :class:`scriptcheck.io.paths.OutputPathError`) and ``OSError`` when the page cannot be written.
    """
    from scriptcheck.io.paths import OutputError
    from scriptcheck.io.transcripts import iter_input_files
    from scriptcheck.report.data import build_payload, read_results, read_turns, result_files
    from scriptcheck.report.render import render_html

    # The files to read, listed once: checked against the output, then read.
    result_paths = [str(p) for p in result_files(results)]
    transcript_paths = list(iter_input_files(transcripts))
    _check_output("-o", output, list(inputs) if inputs is not None else [*results, *transcripts],
                  [*result_paths, *transcript_paths])
    rejected: list[InputError] | None = None if strict else []
    data = read_results(result_paths, rejected)
    if rejected:
        if show_skipped:
            _report_rejected(rejected, "results", "shown", len(data.reports), also=data.rejected - len(rejected))
        if not data.reports:  # refused before the transcripts are read: no empty page
            raise _nothing_left(rejected, "results")
    if sources is not None:
        data.sources = [str(s) for s in sources]
    data.sources = [_shown(s) for s in data.sources]
    skipped: list[InputError] = []
    turns = read_turns(transcript_paths, encoding, skipped) if transcripts else None
    if show_skipped:
        _report_skipped(skipped)
    html = render_html(build_payload(data, turns, agent_field=_shown(agent_field), title=_shown(title)))
    try:  # encoded before the file is opened: a page that cannot be written leaves no empty file
        content = html.encode("utf-8")
    except UnicodeEncodeError:
        raise OutputError(f"{output}: the page holds text that is not valid Unicode (a lone surrogate)") from None
    Path(output).write_bytes(content)
    note = f"; {len(skipped)} transcript record(s) skipped, not shown" if skipped else ""
    click.echo(_line(f"{output}: {len(data.reports)} transcripts, {len(content) // 1024} KiB{note}"), err=True)
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
            # Records that cannot be read were rejected, and said so, by the scoring above.
            write_report([temporary], output, transcripts=inputs, encoding=score_options.get("encoding"),
                         inputs=inputs, sources=inputs)
        except InputError as exc:
            raise _fail(exc.describe())
        except (ScriptcheckError, ImportError) as exc:
            raise _fail(str(exc))
        except OSError as exc:
            raise _fail(f"{output}: cannot write: {exc.strerror or exc}")
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
@click.option("--encoding", default=None, callback=line_encoding, help="Encoding of the transcripts.")
@click.option("--strict", is_flag=True,
              help="Exit 2 at the first results record that is no valid score report, writing no page.")
def report_command(results: tuple[str, ...], output: str, transcript_sources: tuple[str, ...], agent_field: str,
                   title: str, encoding: str | None, strict: bool) -> None:
    """Write one self-contained HTML page for score RESULTS (JSONL/JSON/Parquet of `score`).

    Summary, score distribution, rules, steps, agents, filters, each transcript with its
    findings highlighted, and review buttons whose verdicts export as JSONL for `review`.
    The page is offline: no script, style or data is fetched from anywhere.

    A results record that is no valid score report is named on stderr (FILE:LINE: reason),
    left out and counted as rejected (read = shown + rejected); exit 2 if every one was
    rejected, or at the first with --strict.
    """
    try:
        write_report(results, output, transcripts=transcript_sources, agent_field=agent_field, title=title,
                     encoding=encoding, show_skipped=True, strict=strict)
    except InputError as exc:
        raise _fail(exc.describe())
    except (ScriptcheckError, ImportError) as exc:
        raise _fail(str(exc))
    except OSError as exc:  # reading errors are InputErrors: this is the page's own file
        raise _fail(f"{output}: cannot write: {exc.strerror or exc}")


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
@click.option("--strict", is_flag=True, help="Exit 2 at the first line that is no verdict, reporting nothing.")
def review_command(verdicts: tuple[str, ...], fmt: str, lexicon_out: str | None, extends: str,
                   min_verdicts: int, transcript_sources: tuple[str, ...], strict: bool) -> None:
    """Per-rule precision from reviewers' VERDICTS (JSONL exported by the report page).

    Lists the rules most in need of attention (lowest precision first) and, with
    --lexicon-out, writes an overlay: every false alarm an allow context and a `no_match`
    spec of its rule, every confirmed finding a `match` spec. Load it with --lexicon.

    A line that is no verdict is named on stderr (FILE:LINE: field: reason), left out and
    counted (read = accepted + rejected); exit 2 if every one was rejected, or at the first
    with --strict.
    """
    from scriptcheck.io.transcripts import iter_input_files
    from scriptcheck.report.data import read_turns
    from scriptcheck.report.review import (build_overlay, iter_verdicts, latest_verdicts, precision_table,
                                           render_precision)

    transcript_paths = list(iter_input_files(transcript_sources))
    if lexicon_out:
        # Before anything is read: the overlay may be none of the files review reads — the
        # verdicts, the transcripts, the base lexicon and whatever that one extends — also
        # through a symbolic or a hard link.
        try:
            _check_output("--lexicon-out", lexicon_out, [*verdicts, *transcript_sources],
                          [*transcript_paths, *_lexicon_files(extends)])
        except ScriptcheckError as exc:
            raise _fail(str(exc))
    try:
        rejected: list[InputError] | None = None if strict else []
        every = list(iter_verdicts(verdicts, rejected))
        if rejected:
            _report_rejected(rejected, "verdicts", "accepted", len(every))
            if not every:
                raise _nothing_left(rejected, "verdicts")
        items = latest_verdicts(every)
        table = precision_table(items, min_verdicts=min_verdicts)
        skipped: list[InputError] = []
        turns = read_turns(transcript_paths, None, skipped) if transcript_sources else None
        _report_skipped(skipped)
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
        except ScriptcheckError as exc:
            raise _fail(str(exc))
        except OSError as exc:
            raise _fail(f"{lexicon_out}: cannot write: {exc.strerror or exc}")
