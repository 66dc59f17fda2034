"""Lexicon files: format (pydantic models) and loading."""

from scriptcheck.lexicon.loader import (
    Lexicon,
    SpecResult,
    default_lexicon_names,
    defaults_dir,
    load_lexicon,
    run_specs,
)
from scriptcheck.lexicon.schema import EntryOptions, LexiconEntry, LexiconFile, Specs

__all__ = [
    "Lexicon",
    "SpecResult",
    "default_lexicon_names",
    "defaults_dir",
    "load_lexicon",
    "run_specs",
    "EntryOptions",
    "LexiconEntry",
    "LexiconFile",
    "Specs",
]
