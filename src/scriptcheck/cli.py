"""The command line: ``scriptcheck lint | score | rule | rules | lexicon | profile | schema``."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import click

from scriptcheck.api import Checker
from scriptcheck.errors import InputError, ScriptcheckError
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


def _known_encoding(ctx, param, value: str | None) -> str | None:
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value


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
@click.option("--encoding", default=None, callback=_known_encoding,
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
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False, writable=True),
              help="Write the report here instead of stdout.")
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
    from scriptcheck.io.lint_writers import render
    from scriptcheck.templates.baseline import Baseline
    from scriptcheck.templates.config import load_config
    from scriptcheck.templates.lint import Linter

    try:
        config = load_config(config_path, search=not isolated)
        baseline_file = baseline_path or (config.resolve(config.data.baseline) if config.data.baseline else None)
        if write_baseline and not baseline_file:
            raise click.UsageError("--write-baseline needs --baseline FILE (or `baseline` in the config)")
        baseline = None
        if baseline_file and not write_baseline:
            baseline = Baseline.load(baseline_file)
        linter = Linter(config, profile=profile, lexicons=lexicons, no_defaults=no_defaults,
                        select=_codes(select) if select is not None else None, ignore=_codes(ignore),
                        baseline=baseline if baseline is not None else (Baseline(Path(baseline_file))
                                                                        if write_baseline else None))
    except InputError as exc:
        raise _fail(exc.describe())
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    # Templates change little between runs: remembering their segmentation spares the warm
    # path the jieba dictionary load.
    linter.checker.segmenter.use_disk_cache()
    run = linter.run(files, encoding)
    linter.checker.segmenter.flush()
    for error in run.errors:
        click.echo(f"scriptcheck: error: {error.describe()}", err=True)
    for warning in run.warnings:
        click.echo(f"scriptcheck: warning: {warning}", err=True)
    if write_baseline:
        count = linter.baseline.write(f.fingerprint for f in run.findings())
        click.echo(f"scriptcheck: wrote {count} finding(s) to the baseline {baseline_file}", err=True)
        raise click.exceptions.Exit(EXIT_ERROR if run.errors else EXIT_CLEAN)
    threshold = Severity(fail_on or (config.data.fail_on.value if config.data.fail_on else "error"))
    text = render(run, fmt, threshold)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if run.errors:
        raise click.exceptions.Exit(EXIT_ERROR)
    raise click.exceptions.Exit(EXIT_FINDINGS if run.failing(threshold) else EXIT_CLEAN)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--profile", default=None, metavar="NAME|FILE",
              help="Score every transcript under this profile (default: each transcript's own "
                   "`profile` field, else --default-profile).")
@click.option("--default-profile", default="hotline", show_default=True, metavar="NAME|FILE",
              help="Profile for transcripts that name none.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table",
              show_default=True)
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "txt"]), default=None,
              help="Reader to use (default: from the file suffix; jsonl for stdin).")
@click.option("--encoding", default=None, callback=_known_encoding,
              help="Input encoding (default: sniffed UTF-8/BOM/GB18030).")
@click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: all cores).")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write rejected records as JSONL to this file.")
@click.option("--strict", is_flag=True, help="Exit 2 if any record was rejected.")
@click.option("--fail-under", type=float, default=None, metavar="SCORE",
              help="Exit 1 if any transcript scores below SCORE or is vetoed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-record error lines.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write reports here instead of stdout.")
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
          fail_under, quiet, output, speaker_map, time_unit, lexicons) -> None:
    """Score transcript files or directories (JSONL, CSV, TXT; '-' for stdin).

    Reports stream out in input order; a record that cannot be read is reported with file,
    line and reason and the batch goes on; the summary always shows read = scored + rejected.
    """
    from scriptcheck.batch import Scorer
    from scriptcheck.cli_score import run_score

    scorer = Scorer(profile, default_profile, tuple(lexicons))
    try:  # fail fast on a bad profile or lexicon, before reading any input
        scorer.scorer(profile or default_profile)
    except ScriptcheckError as exc:
        raise _fail(str(exc))
    reader = None
    if speaker_map is not None or time_unit is not None:
        from functools import partial

        from scriptcheck.io.calls import parse_speaker_map, read_calls

        try:
            mapping = parse_speaker_map(speaker_map)
        except ValueError as exc:
            raise _fail(str(exc))
        reader = partial(read_calls, speaker_map=mapping, time_unit=time_unit or "auto")
    code = run_score(inputs, scorer=scorer, fmt=fmt, input_format=input_format, encoding=encoding,
                     jobs=jobs or (os.cpu_count() or 1), errors_file=errors_file, strict=strict,
                     fail_under=fail_under, quiet=quiet, output=output, reader=reader)
    raise click.exceptions.Exit(code)


@cli.command()
@click.argument("code")
@lexicon_option
@no_defaults_option
def rule(code: str, lexicons: tuple[str, ...], no_defaults: bool) -> None:
    """Print a rule's doc: what it flags, why, a bad example and what to say instead."""
    from scriptcheck.ruledoc import render_rule_doc, render_transcript_rule_doc, transcript_rules

    try:
        checker = _checker(lexicons, no_defaults)
        for lexicon, entry in checker.rules():
            if entry.id == code.upper():
                click.echo(render_rule_doc(lexicon, entry))
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
    for _, entry in checker.rules():
        click.echo(f"{entry.id}  {entry.severity.value:<8}  {entry.category:<10}  {entry.name}")
    for code, (rule, profiles) in sorted(profile_rules.items()):
        click.echo(f"{code}  {rule.severity.value:<8}  {rule.kind:<10}  {rule.name}  ({', '.join(profiles)})")


@cli.group()
def lexicon() -> None:
    """Work with lexicon files."""


@lexicon.command("test")
@click.argument("files", nargs=-1)
@click.option("--verbose", "-v", is_flag=True, help="Also list every passing spec.")
def lexicon_test(files: tuple[str, ...], verbose: bool) -> None:
    """Run the inline specs of lexicon FILES; per-rule pass/fail.

    Without FILES: the packaged lexicons plus those of the nearest configuration
    (`scriptcheck.toml` / `[tool.scriptcheck]`: its `lexicons` and its profile's).
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
            if bad or verbose:
                click.echo(f"  {code} {status} {len(results) - len(bad)}/{len(results)}")
            for r in bad:
                click.echo(f"      expected {r.expect}: {r.text}")
    click.echo(f"{total - failed} passed, {failed} failed")
    raise click.exceptions.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


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


def main() -> None:
    """Entry point of the ``scriptcheck`` command."""
    try:
        cli.main(standalone_mode=True)
    except ScriptcheckError as exc:  # pragma: no cover - commands catch their own
        click.echo(f"scriptcheck: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
