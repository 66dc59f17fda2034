"""Copies of the packaged tone model's files with top-level keys taken out or set, for the tests
of the file's options (turn_veto, lexicon_veto …)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.tone import default_tone_path, load_tone

__all__ = ["tone_copy", "assert_one_line_error"]

_FILES = ("tone.yaml", "tone_ngram.yaml", "tone_turn.yaml")


def tone_copy(folder: Path, *, drop: tuple[str, ...] = (), files: tuple[str, ...] = _FILES, **keys: str) -> Path:
    """The packaged tone.yaml (and ``files`` beside it) copied into ``folder``, without the top-level
    keys ``drop`` and each of ``keys`` (name: flow value) set in place of its packaged value."""
    for name in files:
        shutil.copy(default_tone_path().parent / name, folder / name)
    tone = folder / "tone.yaml"
    content = tone.read_text(encoding="utf-8")
    for key in (*drop, *keys):  # a key's line and the indented lines of its block after it
        content = re.sub(rf"(?m)^{key}:.*\n(?:  .*\n)*", "", content)
    content += "".join(f"{key}: {value}\n" for key, value in keys.items())
    tone.write_text(content, encoding="utf-8")
    return tone


def assert_one_line_error(tone: Path, field: str) -> None:
    """Loading ``tone`` fails with one line naming the file and ``field``."""
    with pytest.raises(LexiconError) as caught:
        load_tone(tone)
    message = str(caught.value)
    assert "\n" not in message and "tone.yaml" in message and field in message
