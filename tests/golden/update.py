"""Rewrite the golden outputs after a deliberate change to what scriptcheck reports.

    python tests/golden/update.py      # from the repository root; then review `git diff tests/golden`
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
# The commands and their outputs, shared with tests/test_golden.py.
GOLDEN = {
    "score.jsonl": ["score", "corpora/transcripts/", "--format", "jsonl", "-q"],
    "lint.json": ["lint", "--config", "corpora/templates/scriptcheck.toml", "corpora/templates/", "--format", "json"],
}


def run(args: list[str]) -> str:
    """The command's standard output, run from the repository root."""
    from scriptcheck.cli import cli

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(here)
    return result.stdout


def main() -> None:
    """Write every golden file."""
    for name, args in GOLDEN.items():
        (Path(__file__).parent / name).write_text(run(args), encoding="utf-8")
        print(f"wrote tests/golden/{name}", file=sys.stderr)


if __name__ == "__main__":
    main()
