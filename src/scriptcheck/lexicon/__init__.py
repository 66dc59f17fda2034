"""Lexicon files: format (pydantic models), loading, compiling, specs, and the phrase matcher."""

from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, default_lexicon_names, load_lexicon, load_lexicons
from scriptcheck.lexicon.matcher import PhraseHit, PhraseMatcher, Scan
from scriptcheck.lexicon.schema import EntryOptions, LexiconEntry, LexiconFile, Specs
from scriptcheck.lexicon.specs import SpecResult, run_specs

__all__ = [
    "DEFAULT_LEXICONS",
    "Lexicon",
    "PhraseHit",
    "PhraseMatcher",
    "Scan",
    "SpecResult",
    "default_lexicon_names",
    "load_lexicon",
    "load_lexicons",
    "run_specs",
    "EntryOptions",
    "LexiconEntry",
    "LexiconFile",
    "Specs",
]
