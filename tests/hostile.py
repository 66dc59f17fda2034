"""Helpers for the hostile-input tests: run the CLI in a subprocess with a hang guard
(``timeout``) and a memory ceiling (``RLIMIT_AS``), so a regression fails instead of hanging
or swapping CI."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["run_cli", "limit_process", "shared_phrase_lexicon", "SRC", "MEMORY_CEILING"]

# SCRIPTCHECK_TEST_SRC runs these tests against another checkout (e.g. the code before a fix).
SRC = Path(os.environ.get("SCRIPTCHECK_TEST_SRC") or Path(__file__).resolve().parent.parent / "src")
# The CLI with jieba and the lexicons loaded needs well under 1 GB; an alias bomb took 4.4 GB.
MEMORY_CEILING = 2 * 1024 ** 3


def limit_process(memory: int) -> None:
    """In a child before exec: cap its address space at ``memory`` bytes and give SIGINT its
    default disposition."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # As a terminal's Ctrl-C would find it (a background shell starts children with it ignored).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args: str, timeout: float = 60, memory: int = MEMORY_CEILING, cwd=None,
            input: bytes | None = None) -> subprocess.CompletedProcess:
    """``python -m scriptcheck ARGS`` with this checkout's sources; raises on timeout."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "scriptcheck", *args], capture_output=True, timeout=timeout,
                          preexec_fn=lambda: limit_process(memory), env=env, cwd=cwd, input=input)


def shared_phrase_lexicon(entries: int, phrase=lambda i: "你自己看着办") -> str:
    """A forbidden lexicon of ``entries`` entries, each with its own spec texts, whose phrases
    are ``phrase(i)`` (by default one phrase for all of them)."""
    lines = ["version: 1", "name: shared", "kind: forbidden", "entries:"]
    for i in range(entries):
        lines += [f"  - id: ZA{i:03d}", f"    name: e{i}", "    category: 态度生硬", "    description: d",
                  f"    phrases: [{phrase(i)}]", "    suggestion: 请稍等",
                  f"    specs: {{match: [{phrase(i)}{i}, 那{phrase(i)}吧{i}], no_match: [我来帮你办{i}, 好的{i}]}}"]
    return "\n".join(lines) + "\n"
