"""Linting templates: each template is masked, scored as a one-agent-turn transcript under the
configured profile (``template`` by default), and its findings are placed in the source file,
filtered (select/ignore, per-file-ignores, per-kind-ignores), re-graded (severity overrides),
and marked when an inline directive or the baseline forgives them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from scriptcheck.api import Checker
from scriptcheck.errors import InputError
from scriptcheck.io.walk import files_below
from scriptcheck.lexicon.loader import load_lexicons
from scriptcheck.models import Finding, Severity, Transcript, Turn
from scriptcheck.profile.loader import load_profile
from scriptcheck.rules.context import TEMPLATE_KIND_KEY
from scriptcheck.ruledoc import render_rule_doc, render_transcript_rule_doc
from scriptcheck.rules.template_kind import TemplateKindRule
from scriptcheck.templates.baseline import Baseline, Fingerprint, portable
from scriptcheck.templates.config import LintConfig, rule_selected
from scriptcheck.templates.sources import SourceFile, Template, read_templates
from scriptcheck.templates.suppress import covers
from scriptcheck.text.placeholders import mask_placeholders

__all__ = ["DEFAULT_PROFILE", "HAND_ON", "TEMPLATE_SUFFIXES", "RuleInfo", "LintedTemplate", "LintFinding",
           "TemplateResult", "LintRun", "Linter", "expand_paths"]

DEFAULT_PROFILE = "template"
# Templates whose results Linter.run hands on at once when asked to (a file of more is handed on
# in pieces): a few hundred KB of results, and a write and a flush of the output per piece.
HAND_ON = 1000
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".txt")
# A text file found in a directory that is a word list — a vocabulary, stop words, a lookup
# table, a segmenter's dictionary (word, frequency, tag) — holds no reply, but read one reply a
# line it reports its words as the bot's: linting public chatbot repositories whole, a character
# table gave 2,695 findings, a BERT vocab.txt 83, a stop-word list 67 (benchmarks/RESULTS.md,
# session of 2026-12-05 17:58 UTC). One is told by its head: at least _WORD_LIST_LINES non-blank lines, nearly
# all a short token without punctuation or a dictionary line (a word, then tags and counts:
# 淋病 zheng 100 / 主拍 n 2 v 2). Reply files stay far below the share (at most 0.2 of their
# lines in those repositories and in corpora/; a list of place names reached 0.87).
_WORD_LIST_LINE = re.compile(r"[^\s，。！？、；：,.!?;:…]{1,10}|\S{1,24}(?:\s+(?:\d+|[A-Za-z]{1,8}))+")
_WORD_LIST_LINES = 20
_WORD_LIST_SHARE = 0.85
_WORD_LIST_HEAD = 65536
# Markdown is read only as Rasa 1.x responses.md: in a directory, a .md file is a template file
# when its name says it holds responses (a README or nlu.md is not); a .md named on the command
# line is read as one whatever its name.
_MARKDOWN_RESPONSES = re.compile(r"respons", re.IGNORECASE)


def _template_file(child: Path) -> bool:
    """Whether a file found in a directory is a template file."""
    suffix = child.suffix.lower()
    if suffix == ".md":
        return _MARKDOWN_RESPONSES.search(child.stem) is not None
    if suffix == ".aiml":
        return True
    if suffix == ".xml":  # only AIML: a build file or a layout is no reply template
        try:
            with open(child, "rb") as fh:
                return b"<aiml" in fh.read(4096)
        except OSError:
            return False
    return suffix in TEMPLATE_SUFFIXES


class RuleInfo(NamedTuple):
    """What the output formats say about a rule (SARIF ``tool.driver.rules``)."""

    code: str
    name: str
    short: str
    full: str
    help: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class LintedTemplate:
    """What the reports say of a linted template: its file, id, variant, text and where its
    text starts. Findings and results keep this, not the :class:`Template` read from the
    source, which also holds a source offset for every character and the file's line index."""

    file: str
    id: str | None
    variant: int | None
    text: str
    line: int
    col: int

    @classmethod
    def of(cls, template: Template) -> "LintedTemplate":
        """The reports' view of ``template``."""
        line, col = template.position(0)
        return cls(template.file, template.id, template.variant, template.text, line, col)

    @property
    def label(self) -> str:
        """A human name: ``id``, ``id[variant]``, or ``line N`` for a plain-text reply."""
        if self.id is None:
            return f"line {self.line}" if self.variant is None else f"[{self.variant}]"
        return self.id if self.variant is None else f"{self.id}[{self.variant}]"


@dataclass(frozen=True, slots=True)
class LintFinding:
    """A finding of one template, placed in its source file.

    ``rule`` to ``turn`` are the checker's :class:`Finding` fields (``start``/``end`` index the
    template text, ``text`` is what was matched as written, ``severity`` is after configuration
    overrides); they are kept as plain fields rather than the pydantic model, which costs
    about a kilobyte more a finding (and a template can hold thousands). ``line``/``col``
    locate the first character and ``end_line``/``end_col`` the last one (1-based, inclusive,
    in code points); a finding without a span (a missing phrase) sits at the template's own
    start. ``suppressed`` holds the directive's reason (possibly empty) when an inline
    ``# scriptcheck: disable=`` silences it; ``baselined`` is true when the baseline forgives
    it. ``kind`` is the template's kind (declared or by id convention). Only ``active``
    findings are reported as problems.
    """

    template: LintedTemplate
    rule: str
    category: str
    severity: Severity
    start: int | None
    end: int | None
    text: str
    message: str
    suggestion: str
    turn: int | None
    line: int
    col: int
    end_line: int
    end_col: int
    fingerprint: Fingerprint
    kind: str | None = None
    suppressed: str | None = None
    baselined: bool = False

    @property
    def file(self) -> str:
        """The source file, as given."""
        return self.template.file

    @property
    def finding(self) -> Finding:
        """The finding as the checker's model (built anew at each call)."""
        return Finding.model_construct(**self.wire_fields())

    def wire_fields(self) -> dict:
        """The :class:`Finding` fields in their order, ``severity`` as the enum."""
        return {"rule": self.rule, "category": self.category, "severity": self.severity, "start": self.start,
                "end": self.end, "text": self.text, "message": self.message, "suggestion": self.suggestion,
                "turn": self.turn}

    def wire(self) -> dict:
        """The finding's wire fields as ``Finding.model_dump(mode="json")`` gives them."""
        out = self.wire_fields()
        out["severity"] = self.severity.value
        return out

    @property
    def active(self) -> bool:
        """Neither suppressed inline nor forgiven by the baseline."""
        return self.suppressed is None and not self.baselined


@dataclass
class TemplateResult:
    """A template and its findings (all of them, suppressed and baselined included)."""

    template: LintedTemplate
    findings: list[LintFinding] = field(default_factory=list)

    @property
    def active(self) -> list[LintFinding]:
        """The findings that count."""
        return [f for f in self.findings if f.active]


@dataclass
class LintRun:
    """Everything one ``scriptcheck lint`` run found, for the output writers.

    ``handed`` holds the severities of the active findings a run handed to its caller as it
    went (:meth:`Linter.run`'s ``on_results``) instead of keeping them in ``results``."""

    results: list[TemplateResult] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    handed: set[Severity] = field(default_factory=set)

    def findings(self, *, active_only: bool = True) -> list[LintFinding]:
        """Findings of every template in file order."""
        return [f for r in self.results for f in (r.active if active_only else r.findings)]

    def failing(self, threshold: Severity) -> bool:
        """Whether an active finding is at or above ``threshold`` (handed ones included)."""
        return any(s >= threshold for s in self.handed) or any(f.severity >= threshold for f in self.findings())


def expand_paths(paths: Iterable[str], config: LintConfig, word_lists: list[str] | None = None) -> Iterator[str]:
    """Files to lint: files as given, directories expanded (recursively, sorted) into their
    template files (``.yaml .yml .json .txt .aiml``, ``*responses*.md`` and AIML ``.xml``), walked
    as :mod:`scriptcheck.io.walk` says (no hidden files or directories, installed packages or
    virtual environments); text files that are word lists (appended to ``word_lists`` when
    given) and ``exclude`` matches are skipped too (a path given is linted as it is)."""
    for source in paths:
        path = Path(source)
        if source != "-" and path.is_dir():
            for child in sorted(files_below(path)):
                if not _template_file(child) or config.excluded(str(child)):
                    continue
                if child.suffix.lower() == ".txt" and _word_list(child):
                    if word_lists is not None:
                        word_lists.append(str(child))
                    continue
                yield str(child)
        elif not config.excluded(source):
            yield source


def _word_list(path: Path) -> bool:
    """Whether the text file ``path`` is a word list, by its head (see _WORD_LIST_LINE)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_WORD_LIST_HEAD)
    except OSError:
        return False  # reading it for real reports the error
    lines = head.decode("utf-8", "replace").splitlines()
    if len(head) == _WORD_LIST_HEAD:
        lines = lines[:-1]  # cut off in the middle
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) < _WORD_LIST_LINES:
        return False
    return sum(1 for line in lines if _WORD_LIST_LINE.fullmatch(line)) >= _WORD_LIST_SHARE * len(lines)


class Linter:
    """Lints template files under a profile and a configuration (build once, lint many files)."""

    def __init__(self, config: LintConfig | None = None, *, profile: str | None = None,
                 lexicons: Iterable[str] = (), no_defaults: bool = False,
                 select: list[str] | None = None, ignore: Iterable[str] = (),
                 baseline: Baseline | None = None) -> None:
        self.config = config or LintConfig()
        data = self.config.data
        source = profile or self.config.profile_source()
        if not source:
            source = DEFAULT_PROFILE
        extra = tuple([*self.config.lexicon_sources(), *lexicons])
        self.checker = _checker(source, extra, no_defaults, _stamp(source, extra))
        self.profile = self.checker.profile
        self.select = list(select) if select is not None else list(data.select)
        self.ignore = [*data.ignore, *ignore]
        self.baseline = baseline
        profile_kinds = {k for r in self.profile.data.rules if isinstance(r, TemplateKindRule)
                         for k in r.template_kinds}
        # A kind the configuration only switches rules off for (per-kind-ignores) is known too;
        # a profile without kind rules knows no kinds and warns of none, as before.
        self.known_kinds = profile_kinds | set(data.per_kind_ignores) if profile_kinds else set()
        self._infos: dict[str, RuleInfo] | None = None

    # -- rule docs ------------------------------------------------------------------------

    def rule_info(self, code: str) -> RuleInfo | None:
        """Docs of a rule of this linter's lexicons or profile."""
        if self._infos is None:
            infos = {}
            for lexicon, entry in self.checker.rules():
                infos[entry.id] = RuleInfo(entry.id, entry.name, entry.description, entry.why or entry.description,
                                           render_rule_doc(lexicon, entry), entry.severity)
            for rule in self.profile.data.rules:
                infos[rule.id] = RuleInfo(rule.id, rule.name, rule.description, rule.why or rule.description,
                                          render_transcript_rule_doc(rule, [self.profile.name]), rule.severity)
            self._infos = infos
        return self._infos.get(code)

    # -- linting --------------------------------------------------------------------------

    def kind_of(self, template: Template) -> str | None:
        """The template's kind: declared in the source, else by the configured id conventions."""
        return template.kind or self.config.kind_for(template.id)

    def findings_of(self, template: Template, kind: str | None) -> list[Finding]:
        """The profile's raw findings for one template (spans index the template text)."""
        masked = mask_placeholders(template.text)
        meta = {TEMPLATE_KIND_KEY: kind} if kind else {}
        transcript = Transcript(id=template.label or "template",
                                turns=[Turn(speaker="agent", text=masked, metadata=meta)], metadata=meta)
        report = self.checker.score(transcript)
        # Report the original characters (a placeholder inside a hit shows as written).
        return [f if f.start is None or f.text == (text := template.text[f.start:f.end])
                else f.model_copy(update={"text": text}) for f in report.findings]

    def lint_source(self, source: SourceFile) -> tuple[list[TemplateResult], list[str]]:
        """Lint every template of a read file; returns the results and warnings."""
        warnings: list[str] = []
        return list(self._lint_each(source, warnings)), warnings

    def _lint_each(self, source: SourceFile, warnings: list[str]) -> Iterator[TemplateResult]:
        """The result of each template of a read file, in order; warnings go to ``warnings``."""
        file_ignores = self.config.file_ignores(source.path)
        # The fingerprint's file, worked out once a file rather than once a finding (it
        # resolves the path: a system call a component).
        file_key = portable(source.path, self.baseline.base if self.baseline else None)
        for template in source.templates:
            kind = self.kind_of(template)
            if kind and self.known_kinds and kind not in self.known_kinds:
                warnings.append(f"{source.path}:{template.line}: template {template.label!r} has unknown kind "
                                f"{kind!r} (known: {', '.join(sorted(self.known_kinds))})")
            result = TemplateResult(LintedTemplate.of(template))
            kind_ignores = self.config.kind_ignores(kind)
            for f in self.findings_of(template, kind):
                if not rule_selected(f.rule, self.select, [*self.ignore, *file_ignores, *kind_ignores]):
                    continue
                result.findings.append(self._place(template, result.template, f, source, kind, file_key))
            yield result

    def _place(self, template: Template, linted: LintedTemplate, f: Finding, source: SourceFile,
               kind: str | None, file_key: str) -> LintFinding:
        if f.start is None or f.end is None or f.end <= f.start:
            line, col = linted.line, linted.col
            end_line, end_col = line, col
        else:
            line, col = template.position(f.start)
            end_line, end_col = template.position(f.end - 1)
        key = template.id if template.id is not None else template.text
        fp = Fingerprint(file_key, key, f.rule, f.text)
        suppressed = None
        for at in (line, line - 1, template.key_line, template.key_line - 1):
            directive = source.directives.get(at)
            if directive is not None and covers(directive, f.rule):
                suppressed = directive.reason
                break
        return LintFinding(linted, f.rule, f.category, self.config.severity_for(f.rule, f.severity), f.start, f.end,
                           f.text, f.message, f.suggestion, f.turn, line, col, end_line, end_col, fp, kind,
                           suppressed)

    def run(self, paths: Iterable[str], encoding: str | None = None,
            on_results: Callable[[list[TemplateResult]], None] | None = None) -> LintRun:
        """Lint files and directories; unreadable files become ``errors`` and the run goes on.

        With ``on_results``, results are handed to it as they are made, in order (each file's,
        in pieces of at most :data:`HAND_ON` templates), baseline marks included, and are not
        kept in ``results``: what the run holds does not grow with the templates linted, and
        ``rules`` and :meth:`LintRun.failing` still cover them all."""
        run = LintRun()
        # The baseline is JSON and often sits among the templates; it is not a template file.
        skip = self.baseline.path.resolve() if self.baseline is not None else None
        # Matched finding by finding in run order, as a whole run's findings would be.
        forgives = self.baseline.matcher() if self.baseline is not None else None
        word_lists: list[str] = []
        for path in expand_paths(paths, self.config, word_lists):
            if skip is not None and path != "-" and Path(path).resolve() == skip:
                continue
            try:
                source = read_templates(path, encoding)
            except InputError as exc:
                run.errors.append(exc)
                continue
            run.errors.extend(source.errors)  # templates that cannot be linted (too long, a lone surrogate)
            run.files.append(path)
            piece: list[TemplateResult] = []
            for result in self._lint_each(source, run.warnings):
                piece.append(result)
                if on_results is not None and len(piece) >= HAND_ON:
                    self._finish(run, piece, forgives, on_results)
                    piece = []
            self._finish(run, piece, forgives, on_results)
        if word_lists:
            shown = ", ".join(word_lists[:3]) + (f" and {len(word_lists) - 3} more" if len(word_lists) > 3 else "")
            run.warnings.append(f"{len(word_lists)} text file(s) in the directories given are word lists "
                                f"(vocabularies, stop words, lookup tables, dictionaries), not replies, and were "
                                f"not linted: {shown}; name a file to lint it")
        return run

    def _finish(self, run: LintRun, results: list[TemplateResult], forgives: Callable[[Fingerprint], bool] | None,
                on_results: Callable[[list[TemplateResult]], None] | None) -> None:
        """Mark what the baseline forgives, note the rules met, then keep ``results`` or hand them on."""
        if not results:
            return
        for result in results:
            if forgives is not None:
                result.findings = [replace(f, baselined=True) if f.active and forgives(f.fingerprint) else f
                                   for f in result.findings]
            for f in result.findings:
                if f.rule not in run.rules and (info := self.rule_info(f.rule)) is not None:
                    run.rules[f.rule] = info
        if on_results is None:
            run.results.extend(results)
        else:
            run.handed.update(f.severity for r in results for f in r.active)
            on_results(results)


def _stamp(profile: str, lexicons: tuple[str, ...]) -> tuple:
    """Modification times of the files a checker is built from (a cache key part)."""
    out = []
    for name in (profile, *lexicons):
        try:
            out.append(Path(name).stat().st_mtime_ns)
        except OSError:
            out.append(None)  # a packaged name
    return tuple(out)


@lru_cache(maxsize=8)
def _checker(profile: str, lexicons: tuple[str, ...], no_defaults: bool, stamp: tuple) -> Checker:
    """A checker per (profile, lexicons, files' mtimes): building one compiles every lexicon
    and loads a jieba dictionary, which an editor integration or a test suite linting many
    times in one process should pay once."""
    loaded = load_profile(profile)
    if no_defaults:
        return Checker(load_lexicons(lexicons), profile=loaded)
    return Checker.from_profile(loaded, extra_lexicons=lexicons)
