"""The dev and training data of ``benchmarks/data``, for tests that compare behaviour on it.

Parsed once per test run with the project's own YAML loader (libyaml underneath), and sampled
to a fixed size: the data grows with every training set, the tests that use it must not."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence, TypeVar

from scriptcheck.safe_yaml import load_yaml

__all__ = ["DATA", "data_documents", "evenly_spaced"]

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
T = TypeVar("T")


@lru_cache(maxsize=None)
def data_documents() -> tuple[Any, ...]:
    """Every data file's parsed content, in file-name order."""
    return tuple(load_yaml(path.read_bytes(), source=str(path)) for path in sorted(DATA.glob("*.yaml")))


def evenly_spaced(items: Sequence[T], size: int) -> Sequence[T]:
    """About ``size`` of ``items``, evenly spaced, so that every file stays represented."""
    return items[::max(1, len(items) // size)]
