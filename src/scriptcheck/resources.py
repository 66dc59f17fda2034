"""Packaged data (lexicons, packs, profiles) and the one rule for "packaged name or file path?".

Every reference to a lexicon or profile goes through :func:`resolve`: from the command line,
from a profile's ``lexicons:`` and ``extends:``, from the configuration, and from a transcript's
own ``profile`` field. The rule is the same everywhere, and it never depends on what happens to
exist in the working directory:

- a reference with a data-file suffix (``.yaml``, ``.yml``, ``.json``) or a path separator is a
  file path (relative to the file that names it, when there is one);
- anything else is the name of a packaged lexicon or profile.

Data from untrusted sources (a transcript's ``profile`` field) resolves with
``allow_paths=False``: it may choose among names, never name a file to open.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from scriptcheck.errors import LexiconError, ProfileError, ScriptcheckError

__all__ = ["DataKind", "defaults_dir", "packaged_names", "is_path_reference", "resolve"]

DataKind = Literal["lexicon", "profile"]

_SUFFIXES = (".yaml", ".yml", ".json")
# Where each kind's packaged files live under the defaults folder (lexicons: the top level and
# the industry packs under packs/).
_FOLDERS: dict[str, tuple[str, ...]] = {"lexicon": ("", "packs"), "profile": ("profiles",)}
_ERRORS: dict[str, type[ScriptcheckError]] = {"lexicon": LexiconError, "profile": ProfileError}


def defaults_dir() -> Path:
    """The folder of packaged lexicons and profiles.

    Inside a wheel it is ``scriptcheck/_defaults``; in a source checkout (editable install or
    ``PYTHONPATH=src``) it is the repository's top-level ``lexicons/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_defaults", here.parent.parent / "lexicons"):
        if candidate.is_dir():
            return candidate
    raise ScriptcheckError(
        "the packaged lexicons are missing (expected scriptcheck/_defaults); reinstall scriptcheck"
    )


def packaged_names(kind: DataKind) -> list[str]:
    """Names of the packaged files of ``kind`` (``lexicon`` or ``profile``)."""
    root = defaults_dir()
    names: set[str] = set()
    for folder in _FOLDERS[kind]:
        names.update(p.stem for p in (root / folder).glob("*.yaml"))
    return sorted(names)


def is_path_reference(ref: str | Path) -> bool:
    """Whether ``ref`` names a file (data-file suffix or a path separator) rather than a
    packaged name."""
    if isinstance(ref, Path):
        return True
    return ref.lower().endswith(_SUFFIXES) or "/" in ref or os.sep in ref


def resolve(kind: DataKind, ref: str | Path, *, relative_to: Path | None = None,
            allow_paths: bool = True) -> Path:
    """The file behind a reference to a lexicon or profile (see the module doc for the rule).

    Raises the kind's error (:class:`LexiconError` / :class:`ProfileError`) for an unknown
    packaged name (listing the known ones) and, with ``allow_paths=False``, for any path.
    """
    error = _ERRORS[kind]
    if is_path_reference(ref):
        if not allow_paths:
            raise error(f"{kind} {str(ref)!r} is a file path; only packaged or configured {kind} names "
                        f"may be chosen here")
        path = Path(ref)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        return path
    root = defaults_dir()
    for folder in _FOLDERS[kind]:
        candidate = root / folder / f"{ref}.yaml"
        if candidate.is_file():
            return candidate
    known = ", ".join(packaged_names(kind))
    hint = f"; to use the file of that name write ./{ref}" if Path(ref).exists() else ""
    raise error(f"no {kind} named {ref!r} (packaged: {known}; a file is named by a path ending in "
                f".yaml){hint}")
