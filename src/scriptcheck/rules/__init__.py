"""Transcript rule kinds: one module each, found and registered here.

Every module of this package other than the shared ones (``base``, ``context``, ``plan``) is a
rule kind that registers itself on import; importing the package imports them all, so adding
a kind is adding a module (and its cases under ``tests/rule_cases/``).
"""

import importlib
import pkgutil

from scriptcheck.rules.base import DIMENSIONS, RULE_KINDS, Outcome, RuleBase, ScanNeeds, register
from scriptcheck.rules.context import TranscriptContext
from scriptcheck.rules.plan import ScanPlan

__all__ = ["DIMENSIONS", "RULE_KINDS", "Outcome", "RuleBase", "ScanNeeds", "ScanPlan", "TranscriptContext",
           "register", "kind_modules"]

_SHARED = frozenset({"base", "context", "plan"})


def kind_modules() -> list[str]:
    """Names of the modules of this package that define rule kinds, sorted."""
    return sorted({m.name for m in pkgutil.iter_modules(__path__)
                   if m.name not in _SHARED and not m.name.startswith("_")})


for _name in kind_modules():
    importlib.import_module(f"{__name__}.{_name}")
