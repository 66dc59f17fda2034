"""The directory walk shared by ``score`` and ``lint`` (``scriptcheck.io.walk``): no hidden files
or directories, installed packages or virtual environments; a path named is read as it is."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.io.transcripts import iter_input_files
from scriptcheck.io.walk import SKIPPED_DIRECTORIES, files_below

RUDE = json.dumps({"id": "stray", "turns": [{"speaker": "agent", "text": "你自己看着办"}]}, ensure_ascii=False)
POLITE = json.dumps({"id": "export", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]},
                    ensure_ascii=False)


def _tree(root: Path) -> None:
    def write(relative: str, text: str) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text + "\n", encoding="utf-8")

    write("2026/12/calls.jsonl", POLITE)
    for other in (".git/lost.jsonl", ".snapshots/old.jsonl", ".hidden.jsonl", "venv2/lib/x.jsonl",
                  *(f"{name}/y.jsonl" for name in sorted(SKIPPED_DIRECTORIES))):
        write(other, RUDE)
    write("venv2/pyvenv.cfg", "home = /usr/bin")


def test_the_walk_skips_hidden_and_installed_directories(tmp_path) -> None:
    _tree(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files_below(tmp_path)) == ["2026/12/calls.jsonl"]
    assert list(iter_input_files([str(tmp_path)])) == [str(tmp_path / "2026/12/calls.jsonl")]
    # Named, a hidden file or a skipped directory is read as asked.
    assert list(iter_input_files([str(tmp_path / ".hidden.jsonl")])) == [str(tmp_path / ".hidden.jsonl")]
    assert list(iter_input_files([str(tmp_path / "node_modules")])) == [str(tmp_path / "node_modules/y.jsonl")]


def test_score_reads_only_what_the_walk_finds(tmp_path) -> None:
    _tree(tmp_path)
    result = CliRunner().invoke(cli, ["score", "--isolated", str(tmp_path), "--format", "jsonl", "-q"])
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines() if line.startswith("{")]
    assert ids == ["export"], result.output


def test_the_walk_does_not_follow_symbolic_links(tmp_path) -> None:
    """A link found in a walk names a file to open (anything: a secret, /proc/self/mem, this run's
    own output): neither a linked file nor a linked directory is read; named, a link is."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_text(RUDE + "\n", encoding="utf-8")
    root = tmp_path / "export"
    root.mkdir()
    (root / "calls.jsonl").write_text(POLITE + "\n", encoding="utf-8")
    (root / "linked.jsonl").symlink_to(outside / "secret.jsonl")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    (root / "dangling.jsonl").symlink_to(tmp_path / "missing.jsonl")
    assert [p.name for p in files_below(root)] == ["calls.jsonl"]
    assert list(iter_input_files([str(root / "linked.jsonl")])) == [str(root / "linked.jsonl")]
