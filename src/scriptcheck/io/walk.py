"""Walking an input directory: the files under it, as a code linter walks a repository.

A directory given to ``score`` or ``lint`` is read recursively, but not into hidden directories
(``.git``, ``.venv``, ``.cache``), virtual environments of any name (a directory holding
``pyvenv.cfg``) or what package managers install and Python caches (:data:`SKIPPED_DIRECTORIES`):
a bot's repository holds its virtual environment or ``node_modules`` as often as not, thousands
of other projects' JSON, YAML and text files (``scriptcheck lint .`` read them all and reported
their words as the bot's). Hidden files are skipped too. A path named on the command line is
read whatever its name: only what a walk finds is filtered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

__all__ = ["SKIPPED_DIRECTORIES", "files_below"]

SKIPPED_DIRECTORIES = frozenset({"node_modules", "bower_components", "__pycache__", "__pypackages__",
                                 "site-packages"})


def files_below(root: str | Path) -> Iterator[Path]:
    """The files under ``root`` a walk reads (see the module's docstring), in no order."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories
                             if not name.startswith(".") and name not in SKIPPED_DIRECTORIES
                             and not os.path.isfile(os.path.join(directory, name, "pyvenv.cfg"))]
        for name in files:
            child = Path(directory, name)
            if not name.startswith(".") and child.is_file():
                yield child
