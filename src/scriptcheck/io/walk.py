"""Walking an input directory: the files under it, as a code linter walks a repository.

A directory given to ``score`` or ``lint`` is read recursively, but not into hidden directories
(``.git``, ``.venv``, ``.cache``), virtual environments of any name (a directory holding
``pyvenv.cfg``) or what package managers install and Python caches (:data:`SKIPPED_DIRECTORIES`):
a bot's repository holds its virtual environment or ``node_modules`` as often as not, thousands
of other projects' JSON, YAML and text files (``scriptcheck lint .`` read them all and reported
their words as the bot's). Hidden files are skipped too. A path named on the command line is
read whatever its name: only what a walk finds is filtered.

Symbolic links a walk finds are skipped, files and directories alike: a link inside a repository
or an export is data naming a file to open, and it can name anything (``creds.json ->
/secret/creds.json``, ``/proc/self/mem``, or the report this very run writes, which then reads its
own output back and grows without end). A link named on the command line is read: the user chose it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

__all__ = ["SKIPPED_DIRECTORIES", "files_below"]

SKIPPED_DIRECTORIES = frozenset({"node_modules", "bower_components", "__pycache__", "__pypackages__",
                                 "site-packages"})


def files_below(root: str | Path) -> Iterator[Path]:
    """The regular files under ``root`` a walk reads (see the module's docstring), in no order;
    never through a symbolic link (``os.walk`` does not descend into linked directories, and a
    linked file is left out here)."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories
                             if not name.startswith(".") and name not in SKIPPED_DIRECTORIES
                             and not os.path.isfile(os.path.join(directory, name, "pyvenv.cfg"))]
        for name in files:
            child = Path(directory, name)
            if not name.startswith(".") and not child.is_symlink() and child.is_file():
                yield child
