"""Loading lexicon files: packaged names or user files, validated, compiled and self-tested."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from scriptcheck.datafile import format_validation_error, read_yaml
from scriptcheck.errors import LexiconError, SpecFailure
from scriptcheck.lexicon import spec_cache
from scriptcheck.lexicon.compiled import Lexicon, compile_lexicon, pattern_analyses
from scriptcheck.lexicon.schema import LexiconFile
from scriptcheck.lexicon.specs import run_specs
from scriptcheck.resources import packaged_names, resolve

__all__ = ["DEFAULT_LEXICONS", "default_lexicon_names", "load_lexicon", "load_lexicons"]

# The packaged lexicons a matcher or profile uses unless told otherwise.
DEFAULT_LEXICONS: tuple[str, ...] = ("forbidden", "polite", "cues")


def default_lexicon_names() -> list[str]:
    """Names of the lexicons shipped with scriptcheck (the defaults and the industry packs)."""
    return packaged_names("lexicon")


def load_lexicon(source: str | Path, *, verify: bool = True, relative_to: Path | None = None) -> Lexicon:
    """Load a lexicon from a file path or a packaged name (``"forbidden"``, ``"polite"``).

    Raises :class:`LexiconError` naming the file, the entry and the field when the file is
    invalid, and :class:`SpecFailure` listing every failing spec when ``verify`` is true.
    """
    path = resolve("lexicon", source, relative_to=relative_to)
    data = read_yaml(path, LexiconError)
    try:
        model = LexiconFile.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data)) from None
    known = spec_cache.load_analyses(path)
    lexicon = compile_lexicon(model, str(path), known)
    if verify and not spec_cache.is_verified(path):
        failures = [r for r in run_specs(lexicon) if not r.ok]
        if failures:
            raise SpecFailure(
                f"{path}: {len(failures)} spec(s) fail:\n"
                + "\n".join(f"  {r.rule}: expected {r.expect}: {r.text!r}" for r in failures)
            )
        spec_cache.mark_verified(path)
    if known is None:
        spec_cache.store_analyses(path, pattern_analyses(lexicon))
    return lexicon


def load_lexicons(sources: Iterable[str | Path], *, verify: bool = True,
                  relative_to: Path | None = None) -> list[Lexicon]:
    """:func:`load_lexicon` for each source, in order."""
    return [load_lexicon(s, verify=verify, relative_to=relative_to) for s in sources]
