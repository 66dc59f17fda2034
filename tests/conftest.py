"""Shared fixtures: the packaged checker, the optional JDDC corpus, paths."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The suite (and the CLIs it starts) keeps its spec and segmentation caches to itself, so a
# run neither depends on nor disturbs the user's cache or another run going on at the same time.
# The process that makes the folder removes it on exit; the pytest-xdist workers it starts
# inherit the variable and leave the folder to it.
if "SCRIPTCHECK_CACHE_DIR" not in os.environ:
    os.environ["SCRIPTCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="scriptcheck-tests-")
    atexit.register(shutil.rmtree, os.environ["SCRIPTCHECK_CACHE_DIR"], ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora" / "transcripts"
JDDC_FILE = "jddc_dialogues.jsonl"


def jddc_path(default: Path) -> Path:
    """``$SCRIPTCHECK_JDDC`` (the corpus file, or a directory holding it), else ``default``."""
    configured = os.environ.get("SCRIPTCHECK_JDDC")
    path = Path(configured) if configured else default
    return path / JDDC_FILE if path.is_dir() else path


JDDC = jddc_path(ROOT.parent / "shared" / "corpora" / JDDC_FILE)
SEED_004 = next((ROOT.parent / "shared" / "seeds").glob("004_*.txt"), None) if (ROOT.parent / "shared" / "seeds").is_dir() else None


@pytest.fixture(scope="session")
def checker():
    """The checker over the packaged lexicons."""
    from scriptcheck import Checker

    return Checker.default()


@pytest.fixture(scope="session")
def jddc_dialogues():
    """The real JDDC chats when ``../shared`` is present (never copied into the repository)."""
    if not JDDC.exists():
        pytest.skip(f"JDDC corpus not present at {JDDC}")
    with JDDC.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
