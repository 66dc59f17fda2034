"""The command line: ``scriptcheck lint | score | report | review | rule | rules | lexicon | profile | schema``."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from scriptcheck.cli_options import known_encoding, line_encoding, score_bound

from scriptcheck.api import Checker
from scriptcheck.cli_report import report_command, review_command
from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.paths import describe_os_error
from scriptcheck.models import Severity

__all__ = ["main", "cli"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

_SEVERITIES = [s.value for s in Severity]


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"scriptcheck: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _checker(lexicons: tuple[str, ...], no_defaults: bool) -> Checker:
    if not lexicons and not no_defaults:
        return Checker.default()
    return Checker.from_lexicons(lexicons, defaults=not no_defaults)


lexicon_option = click.option(
    "--lexicon", "lexicons", multiple=True, metavar="FILE",
    help="An extra lexicon file (repeatable); added to the packaged ones.")
no_defaults_option = click.option(
    "--no-defaults", is_flag=True, help="Do not load the packaged lexicons.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scriptcheck")
def cli() -> None:
    """Check Chinese customer-service speech against written service standards."""


def _codes(value: str | None) -> list[str]:
    """``--select FB,PL001`` → ``["FB", "PL001"]``."""
    return [c.strip().upper() for c in (value or "").split(",") if c.strip()]


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice(_SEVERITIES), default=None,
              help="Exit 1 when a finding is at or above this severity (default: config, else error).")
@click.option("--encoding", default=None, callback=known_encoding,
              help="Input encoding (default: sniffed UTF-8/BOM/GB18030).")
@click.option("--profile", default=None, metavar="NAME|FILE", help="Profile (default: config, else template).")
@click.option("--config", "config_path", default=None, metavar="FILE",
              help="Configuration file (default: the nearest scriptcheck.toml or pyproject.toml "
                   "with [tool.scriptcheck]).")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--select", default=None, metavar="CODES", help="Only these codes/prefixes (comma-separated); "
              "replaces the config's select.")
@click.option("--ignore", default=None, metavar="CODES", help="Also ignore these codes/prefixes.")
@click.option("--baseline", "baseline_path", default=None, metavar="FILE",
              help="Report only findings not in this baseline file.")
@click.option("--write-baseline", is_flag=True, help="Write the current findings to the --baseline file and exit 0.")
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False),
              help="Write the report here instead of stdout (never an input, nor inside an input directory).")
@lexicon_option
@no_defaults_option
def lint(files: tuple[str, ...], fmt: str, fail_on: str | None, encoding: str | None, profile: str | None,
         config_path: str | None, isolated: bool, select: str | None, ignore: str | None,
         baseline_path: str | None, write_baseline: bool, output: str | None,
         lexicons: tuple[str, ...], no_defaults: bool) -> None:
    """Lint reply templates: YAML/JSON (id → text), Rasa domain.yml, .txt (one reply a line; '-': stdin).

    Each template is scored as a one-agent-turn transcript under the `template` profile
    (taboos, 您/你, what a template of its kind must say, placeholder and punctuation hygiene).
    Prints ``file:line:col: CODE [severity] message (suggestion)``; --format json, sarif,
    github (workflow annotations) or junit. Exit 0 clean, 1 findings at or above --fail-on,
    2 usage or input error.
    """
    from collections import Counter

    from scriptcheck.templates.writers import LINE_FORMATS, render
    from scriptcheck.score_writers import escape_line
    from scriptcheck.datafile import data_files_read
    from scriptcheck.io.paths import (GuardedOutput, OutputError, OutputPathError, check_outputs, data_files,
                                      redirected_stdout)
    from scriptcheck.templates.baseline import Baseline
    from scriptcheck.templates.config import load_config
    from scriptcheck.templates.lint import TEMPLATE_SUFFIXES, Linter

    if output == "-":  # as for inputs, '-' is the standard stream
        output = None
    try:
        config = load_config(config_path, search=not isolated)
        baseline_file = baseline_path or (config.resolve(config.data.baseline) if config.data.baseline else None)
        if write_baseline and not baseline_file:
            raise click.UsageError("--write-baseline needs --baseline FILE (or `baseline` in the config)")
        # Before anything is opened: an output never overwrites an input (nor the baseline it
        # reads), nor lands inside an input directory.
        check_outputs({"-o": output, "--write-baseline": baseline_file if write_baseline else None,
                       "stdout": None if output else redirected_stdout()},
                      [*files, *([baseline_file] if baseline_file and not write_baseline else [])],
                      walk_skips=["--write-baseline"], walk_suffixes=TEMPLATE_SUFFIXES)
        check_outputs({"-o": output, "--write-baseline": baseline_file if write_baseline else None},
                      data_files(config.path, config.profile_source(), profile, *config.lexicon_sources(), *lexicons))
        baseline = None
        if baseline_file and not write_baseline:
            baseline = Baseline.load(baseline_file)
        linter = Linter(config, profile=profile, lexicons=lexicons, no_defaults=no_defaults,
                        select=_codes(select) if select is not None else None, ignore=_codes(ignore),
                        baseline=baseline if baseline is not None else (Baseline(Path(baseline_file))
                                                                        if write_baseline else None))
        # Nor a file loading read without its being named here: a profile's lexicons, the profile
        # its `extends` names, an overlay's base.
        check_outputs({"-o": output, "--write-baseline": baseline_file if write_baseline else None},
                      data_files_read())
        if write_baseline:
            Baseline.check_replaceable(baseline_file)
    except OutputPathError as exc:
        raise _fail(str(exc))
    except InputError as exc:
        raise _fail(exc.describe())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    threshold = Severity(fail_on or (config.data.fail_on.value if config.data.fail_on else "error"))
    # What a run holds must not grow with the templates it lints (a file of 600,000 one-line
    # replies each with a finding took 2.6 GB): a baseline being written keeps a count per
    # fingerprint, and the line formats are written as the findings come, a file (or a
    # thousand templates) at a time; json, sarif and junit are one document each, written whole.
    fingerprints: Counter = Counter()
    out = None
    on_results = None
    if write_baseline:
        def on_results(results) -> None:
            fingerprints.update(f.fingerprint for r in results for f in r.active)
    elif fmt in LINE_FORMATS:
        lines_of = LINE_FORMATS[fmt]
        try:
            out = GuardedOutput.open(output) if output else None
        except OutputError as exc:
            raise _fail(str(exc))

        def on_results(results) -> None:
            text = lines_of(f for r in results for f in r.active)
            if text:
                _write_out(out, text)
    # Templates change little between runs: remembering their segmentation spares the warm
    # path the jieba dictionary load.
    linter.checker.segmenter.use_disk_cache()
    try:
        run = linter.run(files, encoding, on_results)
        if out is not None:
            out.close()
    except OutputError as exc:
        raise _fail(str(exc))
    finally:
        linter.checker.segmenter.flush()
    for error in run.errors:
        click.echo(f"scriptcheck: error: {escape_line(error.describe())}", err=True)
    for warning in run.warnings:
        click.echo(f"scriptcheck: warning: {escape_line(str(warning))}", err=True)
    if write_baseline:
        try:
            count = linter.baseline.write(fingerprints.elements())
        except OSError as exc:
            raise _fail(f"{baseline_file}: cannot write: {describe_os_error(exc)}")
        click.echo(f"scriptcheck: wrote {count} finding(s) to the baseline {baseline_file}", err=True)
        raise click.exceptions.Exit(EXIT_ERROR if run.errors else EXIT_CLEAN)
    if on_results is None:
        text = render(run, fmt, threshold)
        try:
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                click.echo(text, nl=False)
        except OSError as exc:
            raise _fail(f"{output or '<stdout>'}: cannot write: {describe_os_error(exc)}")
    if run.errors:
        raise click.exceptions.Exit(EXIT_ERROR)
    raise click.exceptions.Exit(EXIT_FINDINGS if run.failing(threshold) else EXIT_CLEAN)


def _write_out(out, text: str) -> None:
    """Write a piece of a line format's output now, to ``out`` (a :class:`GuardedOutput`) or to
    standard output, and flush it so it shows as the run goes; :class:`OutputError` if it cannot
    be written."""
    from scriptcheck.io.paths import OutputError

    if out is not None:
        out.write(text)
        out.flush()
        return
    try:
        # click.echo as the whole-run output was written (it flushes; off a terminal it drops
        # ANSI sequences, which a piece of whole lines holds whole or not at all)
        click.echo(text, nl=False)
    except OSError as exc:  # a closed pipe too, as score says it (click would exit 1 for it)
        raise OutputError(f"<stdout>: cannot write: {describe_os_error(exc)}") from None


def _jobs(ctx, param, value: str) -> int:
    """``--jobs N``: N ≥ 1 worker processes, or 0/``auto`` for one per CPU."""
    text = str(value).strip().lower()
    if text == "auto":
        return 0
    try:
        jobs = int(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number of processes (N >= 1, or 0/auto)") from None
    if jobs < 0:
        raise click.BadParameter(f"{jobs} is not a number of processes (N >= 1, or 0/auto for one per CPU)")
    return jobs


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--profile", default=None, metavar="NAME|FILE",
              help="Score every transcript under this profile (default: each transcript's own "
                   "`profile` field, else --default-profile).")
@click.option("--default-profile", default="hotline", show_default=True, metavar="NAME|FILE",
              help="Profile for transcripts that name none.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "parquet", "html"]),
              default="table", show_default=True,
              help="parquet: the Spark engine's table (needs --output and pyarrow); html: the report "
                   "page of `scriptcheck report` (needs --output).")
@click.option("--input-format", type=click.Choice(["jsonl", "json", "csv", "txt", "parquet"]), default=None,
              help="Reader to use (default: from the file suffix; jsonl for stdin).")
@click.option("--encoding", default=None, callback=line_encoding,
              help="Input encoding (default: sniffed UTF-8/BOM/GB18030).")
@click.option("--jobs", "-j", default="0", callback=_jobs, metavar="N|auto",
              help="Worker processes (default 0 = auto: one per CPU that other processes left free "
                   "while the first transcripts were scored here, none on a busy machine; "
                   "never more than the CPUs or than there is work for). Input files of 1 MiB or "
                   "more go to the workers after 32 transcripts; smaller ones, and a pipe, after 512, "
                   "and only if 1,024 more follow (else all are scored here and no worker starts).")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False), default=None,
              help="Also write rejected records as JSONL to this file.")
@click.option("--strict", is_flag=True, help="Exit 2 if any record was rejected.")
@click.option("--fail-under", type=float, default=None, metavar="SCORE", callback=score_bound,
              help="Exit 1 if any transcript scores below SCORE or is vetoed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-record error lines.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write reports here instead of stdout.")
@click.option("--config", "config_path", default=None, metavar="FILE",
              help="Configuration file (default: the nearest scriptcheck.toml or pyproject.toml "
                   "with [tool.scriptcheck]); its `lexicons` and `severity` apply.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="spark: validate and score on Spark (the `spark` extra); same inputs, outputs and counts.")
@click.option("--master", default=None, metavar="URL",
              help="Spark master for --engine spark (default local[N], N from --jobs or the CPUs).")
# -- call-analytics (speech-to-text) exports, issue 16: see scriptcheck.io.calls
@click.option("--speaker-map", default=None, metavar="LABEL=ROLE,…",
              help="Read call-analytics exports (utterance rows, A/B or 0/1 speakers): e.g. "
                   "A=agent,B=customer or 0=坐席,1=客户 (speaker labels, else channels); auto: "
                   "guess each call's agent from what it says.")
@click.option("--time-unit", type=click.Choice(["auto", "s", "ms"]), default=None,
              help="Read call-analytics exports with times in this unit (auto: milliseconds are "
                   "detected per call).")
@lexicon_option
def score(inputs, profile, default_profile, fmt, input_format, encoding, jobs, errors_file, strict,
          fail_under, quiet, output, config_path, isolated, engine, master, speaker_map, time_unit,
          lexicons) -> None:
    """Score transcript files or directories (JSONL, JSON, CSV, TXT; '-' for stdin; -o - is stdout).

    Reports stream out in input order; a record that cannot be read is reported with file,
    line and reason and the batch goes on; the summary always shows read = scored + rejected.
    An output (-o, --errors) may not be an input nor lie inside an input directory.
    Exit 0 ok, 1 below --fail-under, 2 usage/input/output error or every record read rejected, 3 a worker
    died, 130 interrupted.
    """
    from scriptcheck.batch import Scorer, worker_count
    from scriptcheck.cli_score import run_score
    from scriptcheck.datafile import data_files_read
    from scriptcheck.io.paths import OutputPathError, check_outputs, data_files, redirected_stdout
    from scriptcheck.io.transcripts import FORMATS
    from scriptcheck.templates.config import load_config

    if output == "-":  # as for inputs, '-' is the standard stream (it wrote a file named '-')
        output = None

    try:  # before anything is opened: an output must never overwrite or feed an input
        check_outputs({"-o": output, "--errors": errors_file,
                       "stdout": None if output else redirected_stdout()}, inputs, walk_suffixes=FORMATS)
    except OutputPathError as exc:
        raise _fail(str(exc))
    try:
        config = load_config(config_path, search=not isolated)
        configured = config.profile_source()
        # Nor the lexicons, profiles and configuration this run reads (-o lex.yaml with
        # --lexicon lex.yaml overwrote it).
        check_outputs({"-o": output, "--errors": errors_file},
                      data_files(config.path, configured, profile, default_profile, *config.lexicon_sources(),
                                 *lexicons))
        scorer = Scorer(profile, default_profile, (*config.lexicon_sources(), *lexicons),
                        allowed_profiles=[configured] if configured else [],
                        severity=config.data.severity)
        # Fail fast on a bad profile or lexicon, before reading any input.
        scorer.scorer(profile or default_profile)
        # Nor a file loading read without its being named here: a profile's lexicons, the profile
        # its `extends` names, an overlay's base (-o mylex.yaml with --profile naming mylex.yaml).
        check_outputs({"-o": output, "--errors": errors_file}, data_files_read())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    if fmt == "html":  # the `report` page, drawn from a JSON report of this run (cli_report)
        from scriptcheck.cli_report import score_to_html

        raise click.exceptions.Exit(score_to_html(
            inputs, output, run_score, scorer=scorer, input_format=input_format, encoding=encoding,
            jobs=jobs, errors_file=errors_file, strict=strict, fail_under=fail_under,
            quiet=quiet))
    reader = None
    if speaker_map is not None or time_unit is not None:
        from functools import partial

        from scriptcheck.io.calls import parse_speaker_map, read_calls

        try:
            mapping = parse_speaker_map(speaker_map)
        except ValueError as exc:
            raise _fail(str(exc))
        reader = partial(read_calls, speaker_map=mapping, time_unit=time_unit or "auto")
    if fmt == "parquet" and not output:
        raise _fail("--format parquet writes a binary file: give it with -o FILE")
    if fmt == "parquet":
        from importlib.util import find_spec

        if find_spec("pyarrow") is None:  # before -o is opened: no empty file left behind
            raise _fail('writing Parquet needs pyarrow: pip install "scriptcheck[parquet]"')
    runner = None
    if engine == "spark":
        runner = _spark_runner(master or f"local[{worker_count(jobs)}]")
    # The local engine takes 0 (auto) as it is: it settles the worker count once it has scored
    # enough to know whether the input and the machine's free CPUs make workers pay.
    code = run_score(inputs, scorer=scorer, fmt=fmt, input_format=input_format, encoding=encoding,
                     jobs=jobs if runner is None else worker_count(jobs), errors_file=errors_file, strict=strict,
                     fail_under=fail_under, quiet=quiet, output=output, runner=runner, reader=reader)
    raise click.exceptions.Exit(code)


def _spark_runner(master: str):
    """``score_records`` for ``--engine spark``: the same records in, the same results out."""
    try:
        from scriptcheck.integrations.spark import score_records_spark, spark_session
    except ImportError as exc:
        raise _fail(str(exc))

    def run(records, scorer, jobs):
        spark = spark_session(master)
        try:
            yield from score_records_spark(spark, records, scorer)
        finally:
            spark.stop()
    return run


@cli.command()
@click.argument("code")
@lexicon_option
@no_defaults_option
def rule(code: str, lexicons: tuple[str, ...], no_defaults: bool) -> None:
    """Print a rule's doc: what it flags, why, a bad example and what to say instead."""
    from scriptcheck.ruledoc import render_rule_doc, render_tone_doc, render_transcript_rule_doc, transcript_rules

    try:
        checker = _checker(lexicons, no_defaults)
        for lexicon, entry in checker.rules():
            if entry.id == code.upper():
                click.echo(render_rule_doc(lexicon, entry))
                return
        if checker.tone is not None and checker.tone.rule == code.upper():
            click.echo(render_tone_doc(checker.tone))
            return
        found = transcript_rules().get(code.upper())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    if found is not None:
        click.echo(render_transcript_rule_doc(*found))
        return
    raise _fail(f"no rule {code!r}; `scriptcheck rules` lists them")


@cli.command()
@lexicon_option
@no_defaults_option
def rules(lexicons: tuple[str, ...], no_defaults: bool) -> None:
    """List every rule: code, severity, category (or transcript-rule kind), name."""
    from scriptcheck.ruledoc import transcript_rules

    try:
        checker = _checker(lexicons, no_defaults)
        profile_rules = transcript_rules()
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    from rich.console import Console
    from rich.table import Table

    # Rich measures cell widths in terminal columns, so Chinese categories (two columns a
    # character) keep the columns in line; a pipe gets plain text at a fixed wide width.
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    for _ in range(4):
        table.add_column(no_wrap=True, overflow="ellipsis")
    for _, entry in checker.rules():
        table.add_row(entry.id, entry.severity.value, entry.category, entry.name)
    if checker.tone is not None:
        tone = checker.tone.data
        table.add_row(tone.rule, tone.severity.value, tone.category, "rude-tone  (tone model)")
    for code, (rule, profiles) in sorted(profile_rules.items()):
        table.add_row(code, rule.severity.value, rule.kind, f"{rule.name}  ({', '.join(profiles)})")
    console = Console(highlight=False, markup=False, emoji=False, color_system=None,
                      width=None if sys.stdout.isatty() else 200, soft_wrap=False)
    with console.capture() as captured:
        console.print(table)
    # Every cell is padded to its column's width: drop the padding at the end of each line.
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


@cli.group()
def lexicon() -> None:
    """Work with lexicon files."""


@lexicon.command("test")
@click.argument("files", nargs=-1)
@click.option("--verbose", "-v", is_flag=True, help="Also list every passing spec (per-rule pass/fail is always shown).")
def lexicon_test(files: tuple[str, ...], verbose: bool) -> None:
    """Run the inline specs of lexicon FILES; per-rule pass/fail.

    Without FILES: the packaged lexicons plus those of the nearest configuration
    (`scriptcheck.toml` / `[tool.scriptcheck]`: its `lexicons` and its profile's), and the
    inline examples of the packaged tone model (FB900).
    """
    from scriptcheck.lexicon.loader import default_lexicon_names, load_lexicon
    from scriptcheck.lexicon.specs import run_specs

    try:
        sources = list(files) or _configured_lexicons(default_lexicon_names())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    failed = 0
    total = 0
    for source in sources:
        try:
            lex = load_lexicon(source, verify=False)
        except ScriptcheckError as exc:
            raise _fail(str(exc))
        by_rule: dict[str, list] = {}
        for result in run_specs(lex):
            by_rule.setdefault(result.rule, []).append(result)
        click.echo(f"{lex.path}: {len(lex.entries)} entries")
        for code, results in by_rule.items():
            bad = [r for r in results if not r.ok]
            total += len(results)
            failed += len(bad)
            status = "FAIL" if bad else "pass"
            # Per-rule pass/fail always (the README promises it); -v also lists each passing spec.
            click.echo(f"  {code} {status} {len(results) - len(bad)}/{len(results)}")
            for r in bad:
                click.echo(f"      expected {r.expect}: {r.text}")
            if verbose:
                for r in results:
                    if r.ok:
                        click.echo(f"      ok {r.expect}: {r.text}")
    if not files:
        # The tone model's examples are specs too: a refit or an edited neutral clause that breaks
        # one should fail the same command that a broken lexicon entry fails.
        bad_examples, examples = _tone_examples()
        failed += bad_examples
        total += examples
    click.echo(f"{total - failed} passed, {failed} failed")
    raise click.exceptions.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _tone_examples() -> tuple[int, int]:
    """Run the packaged tone model's inline examples and print them like a lexicon's specs;
    returns (failed, total). An unreadable or invalid model file is an error (exit 2)."""
    from scriptcheck.lexicon.tone import load_tone

    try:
        model = load_tone()
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    bad = model.failing_examples()
    total = len(model.data.examples.match) + len(model.data.examples.no_match)
    click.echo(f"{model.path}: tone model")
    click.echo(f"  FB900 {'FAIL' if bad else 'pass'} {total - len(bad)}/{total}")
    for expect, text in bad:
        click.echo(f"      expected {expect}: {text}")
    return len(bad), total


def _configured_lexicons(packaged: list[str]) -> list[str]:
    """Packaged lexicons, then the configured ones, each file once."""
    from scriptcheck.profile.loader import load_profile
    from scriptcheck.templates.config import load_config

    config = load_config()
    sources: list[str] = list(packaged)
    profile = config.profile_source()
    if profile:
        sources += load_profile(profile).lexicon_sources()
    sources += config.lexicon_sources()
    seen: set[str] = set()
    unique = []
    for source in sources:
        key = str(Path(source).resolve()) if source.endswith((".yaml", ".yml")) else source
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique


@lexicon.command("schema", hidden=True)
@click.option("--kind", type=click.Choice(["lexicon", "profile"]), default="lexicon", show_default=True)
def lexicon_schema(kind: str) -> None:
    """Print the JSON Schema of the lexicon (or profile) file format (`scriptcheck schema KIND`)."""
    from scriptcheck.schemas import schema_json

    click.echo(schema_json(kind), nl=False)


@cli.command("schema")
@click.argument("kind", type=click.Choice(["report", "lexicon", "profile"]))
def schema(kind: str) -> None:
    """Print a JSON Schema: of a score report (the wire format of `score --format json/jsonl`),
    or of the lexicon or profile file format."""
    from scriptcheck.schemas import schema_json

    click.echo(schema_json(kind), nl=False)


@cli.group()
def profile() -> None:
    """Work with profile files."""


@profile.command("test")
@click.argument("profiles", nargs=-1)
def profile_test(profiles: tuple[str, ...]) -> None:
    """Score the inline example transcripts of PROFILES (default: the packaged ones)."""
    from scriptcheck.profile.examples import run_examples
    from scriptcheck.profile.loader import default_profile_names
    from scriptcheck.scoring import ProfileScorer

    failed = total = 0
    for name in profiles or default_profile_names():
        try:
            results = run_examples(ProfileScorer.load(name))
        except ScriptcheckError as exc:
            raise _fail(str(exc))
        click.echo(f"{name}: {len(results)} example(s)")
        for r in results:
            total += 1
            failed += not r.ok
            if not r.ok:
                click.echo(f"  FAIL {r.name}: {r.detail}")
    click.echo(f"{total - failed} passed, {failed} failed")
    raise click.exceptions.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


# `report` and `review` live in cli_report (the batch page and its verdicts).
cli.add_command(report_command)
cli.add_command(review_command)


def main() -> None:
    """Entry point of the ``scriptcheck`` command: never a traceback for bad input, an I/O
    error (exit 2, one line naming the file and the reason) or Ctrl-C (exit 130)."""
    # The command owns its process, and what is alive once its modules are imported (pydantic's
    # schemas, the command tree: a few hundred thousand objects) lives to the end: the garbage
    # collector need not walk it again at every full collection while the lexicons are built
    # (50-60 ms of a warm one-line lint; benchmarks/bench_startup.py). The library itself never
    # does this; only the command, in its own process.
    gc.freeze()
    try:
        # Not click's standalone mode: it turns an OSError other than EPIPE into a traceback.
        code = cli.main(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else EXIT_CLEAN)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: exit 2, as click's own main does
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("scriptcheck: interrupted", err=True)
        sys.exit(130)
    except ScriptcheckError as exc:  # pragma: no cover - commands catch their own
        click.echo(f"scriptcheck: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        # The reader went away (`scriptcheck score … | head`): nothing more to say to it. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERROR)
    except OSError as exc:
        # An error without a file name comes from writing a command's output to stdout
        # (`scriptcheck rules > /dev/full`).
        where = f"{exc.filename}: " if exc.filename else "<stdout>: cannot write: "
        click.echo(f"scriptcheck: error: {where}{describe_os_error(exc)}", err=True)
        sys.exit(EXIT_ERROR)
