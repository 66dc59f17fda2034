"""Loading lexicon files: packaged names or user files, validated, compiled and self-tested."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from scriptcheck.datafile import (MAX_PROBLEM_LINES, format_validation_error, load_parsed, parse_yaml, paused_gc,
                                  read_data, store_parsed)
from scriptcheck.errors import LexiconError, SpecFailure
from scriptcheck.lexicon import spec_cache
from scriptcheck.lexicon.compiled import Lexicon, compile_lexicon, pattern_analyses
from scriptcheck.lexicon.compiled_cache import load_compiled, store_compiled
from scriptcheck.lexicon.overlay import OverlayFile, apply_overlay, is_overlay
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
    return _load(resolve("lexicon", source, relative_to=relative_to), verify, ())


# Overlays on overlays: far deeper than any real layering (team on company on the default),
# and a bound on a chain that grows by one file per level.
_MAX_OVERLAY_DEPTH = 16


def _load(path: Path, verify: bool, chain: tuple[Path, ...]) -> Lexicon:
    """:func:`load_lexicon` of a resolved ``path``; ``chain``: the overlays whose bases are being
    loaded, outermost first (an overlay that extends itself, directly or not, is an error)."""
    with paused_gc():
        key, cached, data = _read(path)
        if cached is not None:
            return _verified(path, key, cached, verify)
        if is_overlay(data):  # an overlay loaded alone: its base with the additions
            return _overlaid(path, data, [], verify, chain)[0]
        return _compiled(path, key, data, verify)


def _read(path: Path) -> tuple[str, Lexicon | None, object]:
    """The cache key of a lexicon file's bytes (read once), and either the lexicon compiled
    from them (from the compiled cache, when this exact file loaded before under this code) or
    the plain data they parse to (from the parse cache, else parsed and remembered)."""
    content = read_data(path, LexiconError)
    key = spec_cache.key(content)
    cached = load_compiled(key, str(path))
    if cached is not None:
        return key, cached, None
    data = load_parsed(key)
    if data is None:
        data = parse_yaml(content, path, LexiconError)
        store_parsed(key, data)
    return key, None, data


def _compiled(path: Path, key: str, data: object, verify: bool) -> Lexicon:
    """A lexicon file's parsed ``data`` validated, compiled and verified (``key``, the cache
    key of its bytes, keys the caches)."""
    try:
        model = LexiconFile.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data)) from None
    known = spec_cache.load_analyses(key)
    lexicon = compile_lexicon(model, str(path), known)
    # Stored before the specs run: what the compiled cache spares is validation and compiling,
    # and whether the specs passed is remembered apart (spec_cache.mark_verified).
    store_compiled(key, lexicon, data)
    _verified(path, key, lexicon, verify)
    if known is None:
        spec_cache.store_analyses(key, pattern_analyses(lexicon))
    # From here on the lexicon holds the parsed data, not the model, as one restored from the
    # compiled cache holds its JSON: fewer objects to keep (LazyModel), the same model on demand.
    lexicon._model.release(data)
    return lexicon


def _verified(path: Path, key: str, lexicon: Lexicon, verify: bool) -> Lexicon:
    """``lexicon`` once its specs pass (when ``verify``, unless they passed before under this
    key); :class:`SpecFailure` otherwise."""
    if verify and not spec_cache.is_verified(key):
        _raise_failures(path, lexicon)
        spec_cache.mark_verified(key)
    return lexicon


def _raise_failures(path: Path, lexicon: Lexicon) -> None:
    failures = [r for r in run_specs(lexicon) if not r.ok]
    if failures:
        # Listed up to the same bound as validation problems: a lexicon from a pull request with
        # thousands of failing specs would otherwise print thousands of lines where one error belongs.
        shown = [f"  {r.rule}: expected {r.expect}: {r.text!r}" for r in failures[:MAX_PROBLEM_LINES]]
        if len(failures) > MAX_PROBLEM_LINES:
            shown.append(f"  … and {len(failures) - MAX_PROBLEM_LINES} more (scriptcheck lexicon test {path})")
        raise SpecFailure(f"{path}: {len(failures)} spec(s) fail:\n" + "\n".join(shown))


def _overlaid(path: Path, data: object, loaded: list[Lexicon], verify: bool,
              chain: tuple[Path, ...] = ()) -> tuple[Lexicon, int | None]:
    """The overlay at ``path`` applied to its base — the one among ``loaded`` when it is there
    (its index is returned too), else the base loaded from the overlay's ``extends``."""
    try:
        overlay = OverlayFile.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(format_validation_error(path, exc, data)) from None
    base_path = resolve("lexicon", overlay.extends, relative_to=path.parent).resolve()
    chain = (*chain, path.resolve())
    if base_path in chain:
        cycle = " -> ".join(p.name for p in (*chain[chain.index(base_path):], base_path))
        raise LexiconError(f"{path}: extends: overlays extend each other in a cycle: {cycle}")
    if len(chain) > _MAX_OVERLAY_DEPTH:
        raise LexiconError(f"{path}: extends: more than {_MAX_OVERLAY_DEPTH} overlays on top of each other")
    index = next((i for i, lex in enumerate(loaded) if Path(lex.path).resolve() == base_path), None)
    base = loaded[index] if index is not None else _load(base_path, verify, chain)
    merged = apply_overlay(base, overlay, str(path))
    # Cached on the merged lexicon itself: it depends on the base as much as on the overlay.
    key = spec_cache.key(merged.data.model_dump_json().encode())
    if verify and not spec_cache.is_verified(key):
        _raise_failures(path, merged)
        spec_cache.mark_verified(key)
    return merged, index


def load_lexicons(sources: Iterable[str | Path], *, verify: bool = True,
                  relative_to: Path | None = None) -> list[Lexicon]:
    """:func:`load_lexicon` for each source, in order; an overlay (see ``lexicon.overlay``)
    replaces its base in place when the base is among the sources before it."""
    loaded: list[Lexicon] = []
    for source in sources:
        path = resolve("lexicon", source, relative_to=relative_to)
        with paused_gc():
            key, cached, data = _read(path)
            if cached is not None:
                loaded.append(_verified(path, key, cached, verify))
                continue
            if not is_overlay(data):
                loaded.append(_compiled(path, key, data, verify))
                continue
            merged, index = _overlaid(path, data, loaded, verify)
        if index is None:
            loaded.append(merged)
        else:
            loaded[index] = merged
    return loaded
