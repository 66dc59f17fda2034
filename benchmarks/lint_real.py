"""Lint the reply templates of real public Chinese chatbot projects and count findings by rule.

Fetches nothing. Give it local copies:

    python benchmarks/lint_real.py --root /path/to/checkouts          # repos of chatbot_repos.yaml
    python benchmarks/lint_real.py some/domain.yml other/responses.md   # or files / folders
    python benchmarks/lint_real.py --root DIR --list                  # every finding, to judge
    python benchmarks/lint_real.py --root DIR --smalltalk             # jokes and chit-chat: no FB900

With ``--root``, each repository of ``benchmarks/chatbot_repos.yaml`` is looked for as
``DIR/owner+name``, ``DIR/owner/name`` or ``DIR/name``, and its ``paths`` globs are linted; a
repository not found there is reported and skipped. Prints the files and templates read, then
the count of active findings per rule with its severity (and ``--list``: each finding with its
file, line, template and text, for a person to judge). The precision figures in RESULTS.md come
from reading that list.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

from scriptcheck.templates.config import ConfigFile, LintConfig
from scriptcheck.templates.lint import Linter

__all__ = ["repo_files", "main"]

_HERE = Path(__file__).resolve().parent

# The id conventions real bots follow (utter_greet, utter_goodbye, utter_default …) as a lint
# configuration's `kinds`, so the kind rules (TP001–TP009) are exercised on real replies.
KINDS = {
    "greeting": r"greet|^utter_welcome|hello",
    "closing": r"goodbye|bye|farewell",
    "waiting": r"wait|hold_on",
    "refusal": r"default$|fallback|out_of_scope|cannot|unable",  # utter_default, not utter_default_delivery
    "apology": r"sorry|apolog",
}

# `--smalltalk`: what a project whose bot tells jokes and small talk would add (docs/templates.md,
# per-kind-ignores): such templates by id, with the tone model switched off for them. Off by
# default, so the FB900 count stays comparable with earlier sessions'.
SMALLTALK_KIND = r"joke|^utter_chat_|chitchat|chit_chat|smalltalk"
SMALLTALK_IGNORES = {"smalltalk": ["FB900"]}


def _name(severity) -> str:
    """A severity as it is written in profiles (``warning``), whatever its Python type."""
    return str(getattr(severity, "value", severity))


def repo_files(root: Path, manifest: Path) -> tuple[list[str], list[str]]:
    """The files of every repository of ``manifest`` found under ``root``, and the repositories
    not found."""
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    files: list[str] = []
    missing: list[str] = []
    for entry in data["repos"]:
        owner, name = entry["repo"].split("/")
        for candidate in (root / f"{owner}+{name}", root / owner / name, root / name):
            if candidate.is_dir():
                break
        else:
            missing.append(entry["repo"])
            continue
        for pattern in entry["paths"]:
            files.extend(str(p) for p in sorted(candidate.glob(pattern)) if p.is_file())
    return files, missing


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="template files or folders to lint")
    parser.add_argument("--root", type=Path, help="folder with the repositories of the manifest checked out")
    parser.add_argument("--manifest", type=Path, default=_HERE / "chatbot_repos.yaml")
    parser.add_argument("--list", action="store_true", help="print every finding")
    parser.add_argument("--rule", action="append", default=[], help="with --list: only these rules")
    parser.add_argument("--no-kinds", action="store_true", help="do not give templates kinds from their ids")
    parser.add_argument("--smalltalk", action="store_true",
                        help="give joke and chit-chat templates the kind smalltalk, with FB900 off for it")
    args = parser.parse_args(argv)

    files = list(args.paths)
    if args.root is not None:
        found, missing = repo_files(args.root, args.manifest)
        files.extend(found)
        for repo in missing:
            print(f"not found under {args.root}: {repo}", file=sys.stderr)
    if not files:
        parser.error("nothing to lint: give paths or --root")

    kinds = {} if args.no_kinds else dict(KINDS)
    if args.smalltalk:
        kinds = {"smalltalk": SMALLTALK_KIND, **kinds}  # first: utter_chat_bye is small talk
    config = LintConfig(ConfigFile(kinds=kinds, per_kind_ignores=SMALLTALK_IGNORES if args.smalltalk else {}))
    run = Linter(config).run(files)
    for error in run.errors:
        print(f"input error: {error}", file=sys.stderr)
    findings = run.findings()
    print(f"files: {len(run.files)}  templates: {len(run.results)}  findings: {len(findings)}")
    by_rule = Counter((f.rule, _name(f.severity)) for f in findings)
    print(f"{'rule':8} {'severity':9} {'count':>5}")
    for (rule, severity), count in sorted(by_rule.items()):
        print(f"{rule:8} {severity:9} {count:5}")
    if args.list:
        root = str(args.root) + "/" if args.root is not None else ""
        for f in findings:
            if args.rule and f.rule not in args.rule:
                continue
            where = f.file[len(root):] if root and f.file.startswith(root) else f.file
            shown = f.finding.text or ""
            print(f"\n{f.rule} [{_name(f.severity)}] {where}:{f.line}:{f.col} {f.template.label} kind={f.kind}"
                  f"\n  text: {f.template.text!r}\n  hit: {shown!r}  {f.finding.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
